import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { invalidInput, toApiError } from '../../lib/http/errors';
import { attemptsOf } from '../../lib/http/retry';
import { addDays, DEFAULT_SYNC_TIME, isIsoDate, isValidSyncTime, randomJitterMs, zonedDate } from '../../lib/schedule/daily';
import { KeyedSerialQueue } from '../../lib/schedule/serial-queue';
import { DateRange, DayLedger, LedgerDay } from '../../lib/veolia/ledger';
import { DayExtras, dayMessage, monthMessage, valueMessages, WaterMessage } from '../../lib/veolia/messages';
import { DayRecord } from '../../lib/veolia/model';
import { MonthLedger } from '../../lib/veolia/months';
import { parsePrices, PriceRule } from '../../lib/veolia/prices';
import { SyncSchedule } from '../../lib/veolia/sync-schedule';
import { dayTotals } from '../../lib/veolia/totals';
import { assessDay, AssessOptions, DayAssessment } from '../../lib/veolia/unusual-days';
import { DEFAULT_HISTORY_DAYS, MAX_HISTORY_DAYS, WaterSyncResult } from '../../lib/veolia/water';
import type { VeoliaAccountNode } from '../veolia-account/veolia-account';
import { connectAccount } from '../shared/account-lookup';
import { nodeMemory } from '../shared/node-memory';
import { reportError } from '../shared/error-output';
import { settingNumber } from '../shared/input';
import { StatusReporter } from '../shared/status';
import { readCode, submitMessageCode } from '../shared/veolia-code-input';

interface WaterDef extends NodeDef {
  account: string;
  contract: string;
  syncTime: string;
  historyDays: number | string;
  output: 'latest' | 'days' | 'values' | 'months';
  /** Price rules (JSON text of `[{from, eurPerM3}]`); absent in flows saved before 0.2. */
  prices?: unknown;
  /** Daily threshold in litres; '' or absent = none. */
  alertLitres?: number | string;
  /** A qivivo-account whose housing tells when the house was empty ('' = none). */
  heatingAccount?: string;
  housing?: string;
}

/** What the water node uses of a linked Qivivo account (its per-day mode record). */
interface HeatingAccount {
  awayAllDay?: (housing: string | undefined, date: string) => boolean | undefined;
}

const LEDGER_KEY = 'emitted';
/** Which contract "the account's first contract" was at the last sync. */
const DEFAULT_CONTRACT_KEY = 'defaultContract';
/** What `output: months` sent, and when it last asked. */
const MONTHS_KEY = 'months';
/** Highest daily threshold accepted, litres (10 m³: Veolia's own leak alert). */
const MAX_ALERT_LITRES = 100_000;
/** Spread of the daily sync after syncTime, so that not every installation asks at 07:00 sharp. */
const JITTER_MS = 5 * 60_000;
/** `msg.topic` that lets the account log in again after a refused login (spec §4.1). */
const LOGIN_TOPIC = 'login';

export default function register(RED: NodeAPI): void {
  function VeoliaWaterConsumption(this: Node, def: WaterDef): void {
    RED.nodes.createNode(this, def);
    const status = new StatusReporter(this);
    const account = connectAccount<VeoliaAccountNode>(RED, this, def.account, 'veolia-account', status);
    const water = account?.session?.water;
    if (!account || !water) return;
    const contractId = typeof def.contract === 'string' && def.contract ? def.contract : undefined;
    const historyDays = settingNumber(def.historyDays, DEFAULT_HISTORY_DAYS, 1, MAX_HISTORY_DAYS);
    const output = def.output === 'days' || def.output === 'values' || def.output === 'months' ? def.output : 'latest';
    const prices = readPrices(def.prices, (message) => this.warn(RED._('veolia-water-consumption.errors.prices', { message })));
    const alertLitres = settingNumber(def.alertLitres, Number.NaN, 0, MAX_ALERT_LITRES);
    const heatingAccountId = typeof def.heatingAccount === 'string' ? def.heatingAccount : '';
    const housing = typeof def.housing === 'string' && def.housing ? def.housing : undefined;
    // Billing is shown by `latest` and `values` only: the other outputs spend no request on it.
    const billing = output === 'latest' || output === 'values';
    const syncTime = isValidSyncTime(def.syncTime) ? def.syncTime : DEFAULT_SYNC_TIME;
    const emitted = nodeMemory<unknown>(this, LEDGER_KEY);
    const defaultContract = nodeMemory<string>(this, DEFAULT_CONTRACT_KEY);
    const monthsSent = nodeMemory<unknown>(this, MONTHS_KEY);
    const queue = new KeyedSerialQueue();
    const abort = new AbortController();
    let closed = false;

    const ledger = (): DayLedger => DayLedger.from(emitted.get());

    const assessOptions: AssessOptions = {
      alertLitres: Number.isFinite(alertLitres) ? alertLitres : null,
      // Looked up at each use: the Qivivo account may have been redeployed since.
      awayAllDay: heatingAccountId
        ? (date) => {
            const heating = RED.nodes.getNode(heatingAccountId) as (Node & HeatingAccount) | null;
            return heating?.type === 'qivivo-account' && typeof heating.awayAllDay === 'function' ? heating.awayAllDay(housing, date) : undefined;
          }
        : undefined,
    };
    const assess = (day: LedgerDay, known: readonly LedgerDay[]): DayAssessment =>
      assessDay(day, known.filter((d) => d.date < day.date), assessOptions);

    /** Month and year totals and the leak watch of a day, from the days the node holds (no request). */
    const extrasFor = (day: DayRecord, known: readonly LedgerDay[], result: WaterSyncResult): DayExtras => ({
      totals: dayTotals(day, known, prices),
      assessment: assess(day, known),
      ...(result.billing ? { billing: result.billing } : {}),
    });

    const messagesFor = (result: WaterSyncResult, days: DayRecord[], known: readonly LedgerDay[]): WaterMessage[] =>
      output === 'values'
        ? days.flatMap((d) => valueMessages(result.contract, d, result.billed, extrasFor(d, known, result)))
        : days.map((d) => dayMessage(result.contract, d, result.billed, extrasFor(d, known, result)));

    /** `output: months`: the months that are new or changed, asked at most once a day (lib/veolia/months.ts). */
    const monthMessages = async (result: WaterSyncResult, known: readonly LedgerDay[], range?: DateRange): Promise<WaterMessage[]> => {
      const sent = MonthLedger.from(monthsSent.get());
      const today = zonedDate(Date.now());
      const plan = sent.plan(result.contract.id, known, today, range);
      if (!plan) return [];
      const records = await water.monthly(result.contract, plan.years, abort.signal);
      if (closed) return [];
      const values = sent.apply(result.contract.id, plan, records, known, prices, today);
      monthsSent.set(sent.toJSON());
      return values.map((v) => monthMessage(result.contract, v));
    };

    /** Green with the newest day, or a warning colour when that day is unusual (spec §8.3). */
    const showNewest = (known: readonly LedgerDay[]): void => {
      const newest = known[known.length - 1];
      if (!newest) {
        status.ok('shared.status.synced');
        return;
      }
      const text = `${newest.litres} L · ${newest.date.slice(8, 10)}/${newest.date.slice(5, 7)}`;
      const unusual = assess(newest, known).unusual;
      if (!unusual) status.ok(text);
      // why it is unusual, as a catalog key the editor translates (shared/status.ts); the litres are in the message
      else this.status({ fill: 'yellow', shape: 'dot', text: `veolia-water-consumption.reason.${unusual.reason}` });
    };

    /** One sync: fetch, keep what is new in the ledger, send what the output mode asks for. */
    const sync = (base: NodeMessage, range?: DateRange): Promise<void> =>
      queue.run('sync', async () => {
        if (closed) return;
        const known = ledger();
        const lastDateOf = range ? undefined : (id: string) => known.lastDate(id);
        const result = await water.sync(contractId, { historyDays, lastDateOf, range, billing, signal: abort.signal });
        if (closed) return;
        const update = known.update(result.contract.id, result.days, { range });
        if (update.ledger !== known) emitted.set(update.ledger.toJSON());
        if (!contractId && defaultContract.get() !== result.contract.id) defaultContract.set(result.contract.id);
        const held = update.ledger.days(result.contract.id);
        const newest = result.days[result.days.length - 1];
        const chosen = range || output === 'days' ? update.emit : newest ? [newest] : [];
        const out = output === 'months' ? await monthMessages(result, held, range) : messagesFor(result, chosen, held);
        if (closed) return;
        const messages = out.map((m) => ({ ...base, ...m }) as NodeMessage);
        if (messages.length > 0) this.send([messages, null]);
        // The newest day known, not the last one of an imported range.
        showNewest(held);
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

    // A code given to the account (dialog or message) syncs at once: the login it unblocked was for this (spec §8.1).
    const stopListening = account.onLoggedIn(() => void schedule.request());
    this.on('close', () => stopListening());

    this.on('input', (msg: NodeMessageInFlow, _send, done) => {
      const code = readCode(msg.payload);
      if (code !== undefined) {
        // Only the code: its success triggers the sync.
        submitMessageCode(this, account, code, msg, done, () => closed);
        return;
      }
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
        monthsSent.forget();
      }
      schedule.close();
      abort.abort();
      done();
    });
  }

  RED.nodes.registerType('veolia-water-consumption', VeoliaWaterConsumption);
}

/** Price rules of the node; rules the editor would refuse are reported once and leave no price. */
function readPrices(value: unknown, warn: (message: string) => void): PriceRule[] {
  try {
    return parsePrices(value);
  } catch (err) {
    warn(toApiError(err).message);
    return [];
  }
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
