import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { isApiError, isLoginProblem } from '../../lib/http/errors';
import { diagnosticDump } from '../../lib/comap/diagnostic-dump';
import { MonitorListener } from '../../lib/comap/monitor';
import { HeatingState } from '../../lib/comap/model';
import { changedValues, stateFingerprint, stateValues, TopicValue } from '../../lib/comap/state-values';
import type { QivivoAccountNode } from '../qivivo-account/qivivo-account';
import { connectAccount } from '../shared/account-lookup';
import { Done, reportError } from '../shared/error-output';
import { StatusReporter } from '../shared/status';

interface ThermostatInDef extends NodeDef {
  account: string;
  housing: string;
  output: 'state' | 'values';
  onlyChanges: boolean;
}

/** An on-demand read may be served from the shared poll when it is this fresh (product-spec §3.1). */
const FRESH_MS = 30_000;

export default function register(RED: NodeAPI): void {
  function QivivoThermostatIn(this: Node, def: ThermostatInDef): void {
    RED.nodes.createNode(this, def);
    const status = new StatusReporter(this);
    const account = connectAccount<QivivoAccountNode>(RED, this, def.account, 'qivivo-account', status);
    const housingId = typeof def.housing === 'string' ? def.housing : '';
    let lastFingerprint: string | undefined;
    let lastValues: TopicValue[] | undefined;
    let closed = false;

    const emit = (state: HeatingState, base: NodeMessage, fromPoll: boolean): void => {
      if (closed) return;
      const fingerprint = stateFingerprint(state);
      const values = stateValues(state);
      const unchanged = fingerprint === lastFingerprint;
      const previousValues = lastValues;
      lastFingerprint = fingerprint;
      lastValues = values;
      status.ok(statusText(state));
      if (def.output === 'values') {
        const toSend = def.onlyChanges && fromPoll ? changedValues(values, previousValues) : values;
        if (toSend.length > 0) this.send([toSend.map((v) => ({ ...base, topic: v.topic, payload: structuredClone(v.payload) })), null]);
        return;
      }
      if (def.onlyChanges && fromPoll && unchanged) return;
      // The state is the account's cache, shared by every node: each message gets its own copy.
      this.send([{ ...base, topic: `qivivo/${state.housing.name}`, payload: structuredClone(state) }, null]);
    };

    const monitor = account?.monitor;
    const heating = account?.session?.heating;
    if (!monitor || !heating) return;

    const listener: MonitorListener = {
      housingId,
      onState: (state) => emit(state, {}, true),
      onFailure: (err, failure) => {
        if (closed) return;
        this.debug(`poll failed (${failure.failedCycles} in a row): ${err.code}`);
        // Red from the outage's start until a cycle succeeds; the error goes out once.
        if (failure.outage) {
          // A refused login reads the same on every node of the account (it shows there already).
          if (isLoginProblem(err)) status.error(err);
          else status.outage(err, failure.since);
        }
        if (failure.report) reportError(this, { topic: 'qivivo/error', payload: null }, err, failure.failedCycles);
      },
    };
    const unsubscribe = monitor.subscribe(listener);

    this.on('input', (msg: NodeMessageInFlow, _send, done: Done) => {
      const topic = typeof msg.topic === 'string' ? msg.topic.toLowerCase() : '';
      if (topic === 'pause' || topic === 'resume') {
        // Polling belongs to the account: every node on it pauses and resumes together.
        account.setPaused(topic === 'pause');
        done();
        return;
      }
      if (topic === 'login') account.resumeLogins();
      const read: Promise<void> =
        topic === 'debug'
          ? heating.rawData(housingId).then((raw) => {
              this.send([{ ...msg, topic: 'debug', payload: diagnosticDump(raw) }, null]);
            })
          : heating.state(housingId, FRESH_MS).then((state) => emit(state, msg, false));
      read.then(
        () => done(),
        (err: unknown) => {
          // A read cut short by a redeploy is nobody's error any more.
          if (closed) return done();
          if (isApiError(err)) status.error(err);
          reportError(this, msg, err, 1, done);
        },
      );
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      unsubscribe();
      done();
    });
  }

  RED.nodes.registerType('qivivo-thermostat-in', QivivoThermostatIn);
}

function statusText(state: HeatingState): string {
  const parts = [state.temperature, state.setpoint].filter((v): v is number => v !== null).map((v) => `${v} °C`);
  return parts.join(' · ') || state.housing.name;
}
