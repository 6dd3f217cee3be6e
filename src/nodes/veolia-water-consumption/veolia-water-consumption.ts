import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { ApiError, invalidInput, isTransient, toApiError } from '../../lib/http/errors';
import { attemptsOf } from '../../lib/http/retry';
import { DailyTimer, DEFAULT_SYNC_TIME, isIsoDate, isValidSyncTime, randomJitterMs } from '../../lib/schedule/daily';
import { KeyedSerialQueue } from '../../lib/schedule/serial-queue';
import { DateRange, DayLedger } from '../../lib/veolia/ledger';
import { dayMessage, valueMessages, WaterMessage } from '../../lib/veolia/messages';
import { DayRecord } from '../../lib/veolia/model';
import { DEFAULT_HISTORY_DAYS, MAX_HISTORY_DAYS, WaterSyncResult } from '../../lib/veolia/water';
import type { VeoliaAccountNode } from '../veolia-account/veolia-account';
import { connectAccount } from '../shared/account-lookup';
import { nodeMemory } from '../shared/node-memory';
import { sendError } from '../shared/error-output';
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
/** Spread of the daily sync after syncTime, so that not every installation asks at 07:00 sharp. */
const JITTER_MS = 5 * 60_000;
/** A failed automatic sync is tried again this much later, this many times, before the error goes out. */
const RETRY_DELAY_MS = 15 * 60_000;
const SYNC_RETRIES = 3;
const FIRST_SYNC_DELAY_MS = 1000;

export default function register(RED: NodeAPI): void {
  function VeoliaWaterConsumption(this: Node, def: WaterDef): void {
    RED.nodes.createNode(this, def);
    const status = new StatusReporter(this, RED._);
    const water = connectAccount<VeoliaAccountNode>(RED, this, def.account, 'veolia-account', status)?.session?.water;
    if (!water) return;
    const contractId = typeof def.contract === 'string' && def.contract ? def.contract : undefined;
    const historyDays = settingNumber(def.historyDays, DEFAULT_HISTORY_DAYS, 1, MAX_HISTORY_DAYS);
    const output = def.output === 'days' || def.output === 'values' ? def.output : 'latest';
    const syncTime = isValidSyncTime(def.syncTime) ? def.syncTime : DEFAULT_SYNC_TIME;
    const emitted = nodeMemory<unknown>(this, LEDGER_KEY);
    const queue = new KeyedSerialQueue();
    const abort = new AbortController();
    let retryTimer: NodeJS.Timeout | undefined;
    let firstTimer: NodeJS.Timeout | undefined;
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
        const newest = result.days[result.days.length - 1];
        const chosen = range || output === 'days' ? update.emit : newest ? [newest] : [];
        const messages = messagesFor(result, chosen).map((m) => ({ ...base, ...m }) as NodeMessage);
        if (messages.length > 0) this.send([messages, null]);
        if (newest) status.ok(`${newest.litres} L · ${newest.date.slice(8, 10)}/${newest.date.slice(5, 7)}`);
        else status.ok(RED._('shared.status.synced'));
      });

    /** Automatic syncs retry transient failures a few times before the error goes out. */
    const automaticSync = (attempt = 1): void => {
      sync({}).catch((thrown: unknown) => {
        if (closed) return;
        const err = toApiError(thrown);
        if (isTransient(err) && attempt <= SYNC_RETRIES) {
          status.retrying(attempt, SYNC_RETRIES);
          retryTimer = setTimeout(() => automaticSync(attempt + 1), RETRY_DELAY_MS);
          return;
        }
        status.error(err);
        sendError(this, { topic: 'veolia/error', payload: null }, err, attempt);
      });
    };

    const timer = new DailyTimer(() => automaticSync(), { syncTime, jitterMs: randomJitterMs(JITTER_MS) });
    timer.start();
    // A node that never emitted anything fetches its history right away.
    if (emitted.get() === undefined) {
      firstTimer = setTimeout(() => automaticSync(), FIRST_SYNC_DELAY_MS);
    }

    this.on('input', (msg: NodeMessageInFlow, _send, done) => {
      let range: DateRange | undefined;
      try {
        range = readRange(msg.payload);
      } catch (err) {
        if (err instanceof ApiError) status.error(err);
        sendError(this, msg, err);
        done();
        return;
      }
      sync(msg, range).then(
        () => done(),
        (thrown: unknown) => {
          const err = toApiError(thrown);
          status.error(err);
          // The sync's requests are retried inside it: say how many attempts the failing one took.
          sendError(this, msg, err, attemptsOf(err));
          done();
        },
      );
    });

    this.on('close', (removed: boolean, done: () => void) => {
      closed = true;
      if (removed) emitted.forget();
      timer.stop();
      clearTimeout(retryTimer);
      clearTimeout(firstTimer);
      abort.abort();
      done();
    });
  }

  RED.nodes.registerType('veolia-water-consumption', VeoliaWaterConsumption);
}

/** `{from, to}` asks for a range re-emit; anything else is a plain "sync now". */
function readRange(payload: unknown): DateRange | undefined {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const { from, to } = payload as { from?: unknown; to?: unknown };
  if (from === undefined && to === undefined) return undefined;
  if (!isIsoDate(from) || !isIsoDate(to) || from > to) {
    throw invalidInput('msg.payload must be {from: "YYYY-MM-DD", to: "YYYY-MM-DD"} with from ≤ to');
  }
  return { from, to };
}
