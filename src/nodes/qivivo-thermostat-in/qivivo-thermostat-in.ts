import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { MonitorListener } from '../../lib/comap/monitor';
import { HeatingState } from '../../lib/comap/model';
import { changedValues, stateFingerprint, stateValues, TopicValue } from '../../lib/comap/state-values';
import { ApiError } from '../../lib/http/errors';
import { redact } from '../../lib/redact';
import type { QivivoAccountNode } from '../qivivo-account/qivivo-account';
import { connectAccount } from '../shared/account-lookup';
import { sendError } from '../shared/error-output';
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
    const status = new StatusReporter(this, RED._);
    const account = connectAccount<QivivoAccountNode>(RED, this, def.account, 'qivivo-account', status);
    const housingId = typeof def.housing === 'string' ? def.housing : '';
    let lastFingerprint: string | undefined;
    let lastValues: TopicValue[] | undefined;

    const emit = (state: HeatingState, base: NodeMessage, fromPoll: boolean): void => {
      const fingerprint = stateFingerprint(state);
      const values = stateValues(state);
      const unchanged = fingerprint === lastFingerprint;
      const previousValues = lastValues;
      lastFingerprint = fingerprint;
      lastValues = values;
      status.ok(statusText(state));
      if (def.output === 'values') {
        const toSend = def.onlyChanges && fromPoll ? changedValues(values, previousValues) : values;
        if (toSend.length > 0) this.send([toSend.map((v) => ({ ...base, topic: v.topic, payload: v.payload })), null]);
        return;
      }
      if (def.onlyChanges && fromPoll && unchanged) return;
      this.send([{ ...base, topic: `qivivo/${state.housing.name}`, payload: state }, null]);
    };

    const monitor = account?.monitor;
    const heating = account?.session?.heating;
    if (!monitor || !heating) return;

    const listener: MonitorListener = {
      housingId,
      onState: (state) => emit(state, {}, true),
      onFailure: (err, failed) => {
        status.retrying(failed, 3);
        this.debug(`poll failed (${failed} in a row): ${err.code}`);
      },
      onError: (err: ApiError, failed) => {
        status.error(err);
        sendError(this, { topic: 'qivivo/error', payload: null }, err, failed);
      },
    };
    const unsubscribe = monitor.subscribe(listener);
    status.clear();

    this.on('input', (msg: NodeMessageInFlow, _send, done) => {
      const topic = typeof msg.topic === 'string' ? msg.topic.toLowerCase() : '';
      if (topic === 'pause') {
        monitor.pause(listener);
        status.paused();
        done();
        return;
      }
      if (topic === 'resume') {
        monitor.resume(listener);
        status.clear();
        done();
        return;
      }
      const read: Promise<void> =
        topic === 'debug'
          ? heating.rawData(housingId).then((raw) => {
              this.send([{ ...msg, topic: 'debug', payload: redact(raw) }, null]);
            })
          : heating.state(housingId, FRESH_MS).then((state) => emit(state, msg, false));
      read.then(
        () => done(),
        (err: unknown) => {
          if (err instanceof ApiError) status.error(err);
          sendError(this, msg, err);
          done();
        },
      );
    });

    this.on('close', (_removed: boolean, done: () => void) => {
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
