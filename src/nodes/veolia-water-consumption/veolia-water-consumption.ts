import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { invalidInput, toApiError } from '../../lib/http/errors';
import { attemptsOf } from '../../lib/http/retry';
import { addDays, DEFAULT_SYNC_TIME, isIsoDate, isValidSyncTime, randomJitterMs, zonedDate } from '../../lib/schedule/daily';
import { KeyedSerialQueue } from '../../lib/schedule/serial-queue';
import { DateRange, DayLedger } from '../../lib/veolia/ledger';
import { dayMessage, valueMessages, WaterMessage } from '../../lib/veolia/messages';
import { DayRecord } from '../../lib/veolia/model';
import { SyncSchedule } from '../../lib/veolia/sync-schedule';
import { DEFAULT_HISTORY_DAYS, MAX_HISTORY_DAYS, WaterSyncResult } from '../../lib/veolia/water';
import type { VeoliaAccountNode } from '../veolia-account/veolia-account';
import { connectAccount } from '../shared/account-lookup';
import { nodeMemory } from '../shared/node-memory';
import { reportError } from '../shared/error-output';
import { settingNumber } from '../shared/input';
import { StatusReporter } from '../shared/status';

interface WaterDef extends NodeDef {
  account: string;
  contract: string;
  syncTime: string;
  historyDays: number | string;
  output: 'latest' | 'days' | 'values';
}

const LEDGER_KEY = 'emitted';
/** Which contract "the account's first contract" was at the last sync. */
const DEFAULT_CONTRACT_KEY = 'defaultContract';
/** Spread of the daily sync after syncTime, so that not every installation asks at 07:00 sharp. */
const JITTER_MS = 5 * 60_000;
/** `msg.topic` that lets the account log in again after a refused login (spec §4.1). */
const LOGIN_TOPIC = 'login';

export default function register(RED: NodeAPI): void {
  function VeoliaWaterConsumption(this: Node, def: WaterDef): void {
    RED.nodes.createNode(this, def);
    const status = new StatusReporter(this, RED._);
    const account = connectAccount<VeoliaAccountNode>(RED, this, def.account, 'veolia-account', status);
    const water = account?.session?.water;
    if (!account || !water) return;
    const contractId = typeof def.contract === 'string' && def.contract ? def.contract : undefined;
    const historyDays = settingNumber(def.historyDays, DEFAULT_HISTORY_DAYS, 1, MAX_HISTORY_DAYS);
    const output = def.output === 'days' || def.output === 'values' ? def.output : 'latest';
    const syncTime = isValidSyncTime(def.syncTime) ? def.syncTime : DEFAULT_SYNC_TIME;
    const emitted = nodeMemory<unknown>(this, LEDGER_KEY);
    const defaultContract = nodeMemory<string>(this, DEFAULT_CONTRACT_KEY);
    const queue = new KeyedSerialQueue();
    const abort = new AbortController();
    let closed = false;

    const ledger = (): DayLedger => DayLedger.from(emitted.get());

    const messagesFor = (result: WaterSyncResult, days: DayRecord[]): WaterMessage[] =>
      output === 'values'
        ? days.flatMap((d) => valueMessages(result.contract, d, result.billed))
        : days.map((d) => dayMessage(result.contract, d, result.billed));

    /** One sync: fetch, keep what is new in the ledger, send what the output mode asks for. */
    const sync = (base: NodeMessage, range?: DateRange): Promise<void> =>
      queue.run('sync', async () => {
        if (closed) return;
        const known = ledger();
        const lastDateOf = range ? undefined : (id: string) => known.lastDate(id);
        const result = await water.sync(contractId, { historyDays, lastDateOf, range, signal: abort.signal });
        if (closed) return;
        const update = known.update(result.contract.id, result.days, { range });
        if (update.ledger !== known) emitted.set(update.ledger.toJSON());
        if (!contractId && defaultContract.get() !== result.contract.id) defaultContract.set(result.contract.id);
        const newest = result.days[result.days.length - 1];
        const chosen = range || output === 'days' ? update.emit : newest ? [newest] : [];
        const messages = messagesFor(result, chosen).map((m) => ({ ...base, ...m }) as NodeMessage);
        if (messages.length > 0) this.send([messages, null]);
        // The newest day known, not the last one of an imported range.
        const shown = update.ledger.newest(result.contract.id);
        if (shown) status.ok(`${shown.litres} L · ${shown.date.slice(8, 10)}/${shown.date.slice(5, 7)}`);
        else status.ok(RED._('shared.status.synced'));
      });

    const schedule = new SyncSchedule({
      sync: () => sync({}),
      syncTime,
      jitterMs: randomJitterMs(JITTER_MS),
      onRetry: (_err, attempt, retries) => status.retrying(attempt, retries),
      onFailure: (err, attempts) => {
        status.error(err);
        reportError(this, { topic: 'veolia/error', payload: null }, err, attempts);
      },
    });
    // Nothing emitted yet for the contract this node reads: its history comes right away.
    const known = ledger();
    const target = contractId ?? defaultContract.get();
    schedule.start(target === undefined || known.lastDate(target) === undefined);

    this.on('input', (msg: NodeMessageInFlow, _send, done) => {
      let range: DateRange | undefined;
      try {
        range = readRange(msg.payload, RED._);
      } catch (err) {
        status.error(toApiError(err));
        reportError(this, msg, err, 1, done);
        return;
      }
      if (msg.topic === LOGIN_TOPIC) account.resumeLogins();
      sync(msg, range).then(
        () => {
          if (closed) return;
          if (!range) schedule.satisfied();
          done();
        },
        (thrown: unknown) => {
          if (closed) return;
          const err = toApiError(thrown);
          status.error(err);
          // The sync's requests are retried inside it: say how many attempts the failing one took.
          reportError(this, msg, err, attemptsOf(err), done);
        },
      );
    });

    this.on('close', (removed: boolean, done: () => void) => {
      // From here on, outcomes are ignored: a closed node neither sends nor logs.
      closed = true;
      if (removed) {
        emitted.forget();
        defaultContract.forget();
      }
      schedule.close();
      abort.abort();
      done();
    });
  }

  RED.nodes.registerType('veolia-water-consumption', VeoliaWaterConsumption);
}

/**
 * `{from, to}` asks for a range re-emit; anything else is a plain "sync now". Veolia keeps
 * MAX_HISTORY_DAYS days: an older `from` is refused rather than cut.
 */
function readRange(payload: unknown, translate: NodeAPI['_']): DateRange | undefined {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const { from, to } = payload as { from?: unknown; to?: unknown };
  if (from === undefined && to === undefined) return undefined;
  if (!isIsoDate(from) || !isIsoDate(to) || from > to) {
    throw invalidInput(translate('veolia-water-consumption.errors.range'));
  }
  const oldest = addDays(zonedDate(Date.now()), -MAX_HISTORY_DAYS);
  if (from < oldest) {
    throw invalidInput(translate('veolia-water-consumption.errors.rangeTooOld', { days: MAX_HISTORY_DAYS, oldest }));
  }
  return { from, to };
}
