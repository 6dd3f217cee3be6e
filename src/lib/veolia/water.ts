import { CognitoAuth, CognitoSettings } from '../cognito/auth';
import { ApiError, invalidInput, isApiError, notFound } from '../http/errors';
import { retry, RetryOptions } from '../http/retry';
import { Transport } from '../http/transport';
import { addDays, isIsoDate, zonedDate } from '../schedule/daily';
import { VeoliaClient } from './client';
import type { DateRange } from './ledger';
import type { VeoliaFacturation, VeoliaPaymentPlan } from './api-types';
import { Billing, billingOf } from './billing';
import { BilledVolume, Contract, contractDetails, contractSummaries, DayRecord, latestBilledVolume, MonthRecord, toDayRecords, toMonthRecords } from './model';
import { resolveVeoliaEndpoints, VeoliaEndpointSettings, VeoliaEndpoints, VEOLIA_REFRESH_TOKEN_MAX_AGE_MS, VEOLIA_USER_AGENT } from './portals';

export const DEFAULT_HISTORY_DAYS = 30;
export const MAX_HISTORY_DAYS = 730;
const HOUR_MS = 3_600_000;
/**
 * Data requests a daily sync spends at most in steady state: with the token renewal that a
 * day-old session needs (one password login when refresh tokens last 1 h), 4 (product-spec §6).
 */
export const SYNC_DATA_REQUESTS = 3;

export interface WaterServiceOptions {
  now?: () => number;
  /** How long the contract list is trusted (meter numbers can change). Default 24 h. */
  contractsTtlMs?: number;
  /** How long a billed volume is trusted (bills come twice a year). Default 24 h. */
  billedTtlMs?: number;
  /** How long the balance and the payment plan are trusted. Default 24 h. */
  billingTtlMs?: number;
  /** Days before today fetched again on every sync, for late or corrected days. Default 5. */
  recheckDays?: number;
  /** Parallel month requests during a backfill. Default 3, like the public clients. */
  concurrency?: number;
  /** Retries of one request on a transient failure. Default 2 retries from 2 s. */
  retry?: Partial<Pick<RetryOptions, 'retries' | 'baseDelayMs' | 'maxDelayMs' | 'sleep'>>;
}

export interface SyncOptions {
  /** First-run backfill in days (1–730). Default 30. */
  historyDays?: number;
  /** Newest day already emitted (from the node's stored ledger); absent on the very first run. */
  lastDate?: string;
  /** Same as lastDate, asked once the contract is known (when syncing the default contract). */
  lastDateOf?: (contractId: string) => string | undefined;
  /** Fetch this range whatever was emitted (history import). */
  range?: DateRange;
  /** Also give the balance and the payment plan (`billing`). */
  billing?: boolean;
  signal?: AbortSignal;
}

export interface MonthRef {
  year: number;
  month: number;
}

export interface WaterSyncResult {
  contract: Contract;
  /** Days of the fetched window, oldest first; never before the subscription start. */
  days: DayRecord[];
  billed: BilledVolume | null;
  /** Months asked from the service, oldest first. */
  months: MonthRef[];
  /** Present when asked for (`billing: true`). */
  billing?: Billing;
}

interface Cached<T> {
  at: number;
  value: T;
}

/** One sync's bookkeeping: the data requests it made so far, for the request budget. */
interface Run {
  signal?: AbortSignal;
  requests: number;
  contractsFetched: boolean;
}

type Refreshable = 'contracts' | 'billed' | 'balance' | 'plan';

/**
 * The water side of one Veolia account: contract discovery and the daily sync.
 *
 * Request budget of a daily sync, one contract (product-spec §6, §10). Data missing from the
 * caches is always fetched (first run). Then, in steady state:
 * - the months of the window: the current month, plus the previous one during the first days
 *   of a month or when the last emitted day is in it (1 or 2 requests);
 * - a contract-list refresh when the meter index fell (a replaced meter), if the budget allows;
 * - refreshes of stale cached data (each trusted 24 h: contract list, billed volume and, with
 *   `billing`, the balance from `/facturation` and the payment plan), the oldest first, while
 *   the sync has made fewer than SYNC_DATA_REQUESTS data requests — so each is read at most
 *   once a day, and at least every few days;
 * - the token renewal a day-old session needs (one password login with 1 h refresh tokens).
 * That is ≤ 4 requests. `monthly()` (the node's `output: months`, at most once a day, only when
 * a month is new or changed) adds one request per year asked: ≤ 6 on such a day.
 * Contract details (delivery point, start date) never change: with `billing` off they are
 * fetched once.
 */
export class WaterService {
  private readonly now: () => number;
  private readonly contractsTtlMs: number;
  private readonly billedTtlMs: number;
  private readonly billingTtlMs: number;
  private readonly recheckDays: number;
  private readonly concurrency: number;
  private readonly retryOptions: RetryOptions;
  private contractCache?: Cached<Contract[]>;
  private contractsInFlight?: Promise<Contract[]>;
  private readonly details = new Map<string, Pick<Contract, 'pds' | 'subscriptionStart'>>();
  /** Contract details as last read: their `solde` is the balance. */
  private readonly facturationCache = new Map<string, Cached<VeoliaFacturation>>();
  private readonly planCache = new Map<string, Cached<VeoliaPaymentPlan | null>>();
  private readonly billedCache = new Map<string, Cached<BilledVolume | null>>();
  /** Index drops already looked into, so one replacement costs one contract refresh. */
  private readonly checkedDrops = new Set<string>();

  constructor(
    private readonly client: VeoliaClient,
    options: WaterServiceOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.contractsTtlMs = options.contractsTtlMs ?? 24 * HOUR_MS;
    this.billedTtlMs = options.billedTtlMs ?? 24 * HOUR_MS;
    this.billingTtlMs = options.billingTtlMs ?? 24 * HOUR_MS;
    this.recheckDays = options.recheckDays ?? 5;
    this.concurrency = Math.max(1, options.concurrency ?? 3);
    this.retryOptions = { retries: 2, baseDelayMs: 2000, maxDelayMs: 16_000, ...options.retry };
  }

  /** The account's contracts, from cache while fresh (single request in flight). */
  async contracts(options: { refresh?: boolean } = {}): Promise<Contract[]> {
    if (!options.refresh && this.contractCache && !this.expired(this.contractCache, this.contractsTtlMs)) {
      return this.contractCache.value;
    }
    return this.loadContracts();
  }

  /** One contract by id, or the first one; NOT_FOUND when the account has no such contract. */
  async contract(contractId?: string): Promise<Contract> {
    const found = pick(await this.contracts(), contractId);
    if (found) return found;
    return this.requireContract(await this.contracts({ refresh: true }), contractId);
  }

  /** Forgets cached account data (credentials or endpoints changed). */
  invalidate(): void {
    this.contractCache = undefined;
    this.details.clear();
    this.facturationCache.clear();
    this.planCache.clear();
    this.billedCache.clear();
    this.checkedDrops.clear();
  }

  async sync(contractId: string | undefined, options: SyncOptions = {}): Promise<WaterSyncResult> {
    const historyDays = checkHistoryDays(options.historyDays);
    const range = checkRange(options.range);
    if (options.lastDate !== undefined && !isIsoDate(options.lastDate)) throw invalidInput('lastDate must be a YYYY-MM-DD date');

    const run: Run = { signal: options.signal, requests: 0, contractsFetched: false };
    let contract = await this.contractForSync(contractId, run);
    const lastDate = options.lastDate ?? options.lastDateOf?.(contract.id);
    const today = zonedDate(this.now());
    const yesterday = addDays(today, -1);
    const oldest = maxOf(contract.subscriptionStart, addDays(today, -MAX_HISTORY_DAYS));
    const steady = !range && lastDate !== undefined;

    let from: string;
    let to = yesterday;
    if (range) {
      from = range.from;
      to = minOf(range.to, yesterday);
    } else if (lastDate !== undefined) {
      // From the day after the last one emitted, and never less than the recheck window.
      from = minOf(addDays(lastDate, 1), addDays(today, -this.recheckDays));
    } else {
      from = addDays(today, -historyDays);
    }
    from = maxOf(from, oldest);

    const months = from <= to ? monthsBetween(from, to) : [];
    const fetched = await this.fetchMonths(contract, months, run);
    // A steady sync keeps whole months: corrections of earlier days in them come for free.
    const keepFrom = steady && months.length > 0 ? maxOf(monthStart(months[0]), oldest) : from;
    const days = fetched.filter((d) => d.date >= keepFrom && d.date <= to);

    contract = await this.checkMeterChange(contract, days, run);
    contract = await this.refreshStale(contract, run, options.billing === true);
    const billed = await this.billedFor(contract.id, run);
    const result: WaterSyncResult = { contract, days, billed, months };
    if (options.billing) result.billing = await this.billingFor(contract.id, run, today);
    return result;
  }

  /**
   * Monthly records of the given years (one request each; years before the subscription or
   * after this one are not asked).
   */
  async monthly(contract: Contract, years: readonly number[], signal?: AbortSignal): Promise<MonthRecord[]> {
    const first = Number(contract.subscriptionStart.slice(0, 4));
    const last = Number(zonedDate(this.now()).slice(0, 4));
    const asked = [...new Set(years)].filter((y) => Number.isInteger(y) && y >= first && y <= last).sort();
    const key = { pds: contract.pds, subscriptionStart: contract.subscriptionStart };
    const run: Run = { signal, requests: 0, contractsFetched: false };
    const results = await mapLimit(asked, this.concurrency, (year) => this.call(() => this.client.monthlyConsumption(contract.id, year, key), run));
    return toMonthRecords(results.flat());
  }

  /** The cached contract, even stale (a stale list is refreshed later, within the budget); else the list. */
  private async contractForSync(contractId: string | undefined, run: Run): Promise<Contract> {
    const cached = this.contractCache ? pick(this.contractCache.value, contractId) : undefined;
    if (cached) return cached;
    run.contractsFetched = true;
    return this.requireContract(await this.loadContracts(run), contractId);
  }

  private requireContract(list: Contract[], contractId: string | undefined): Contract {
    const found = pick(list, contractId);
    if (found) return found;
    if (list.length === 0) throw notFound('this Veolia account has no water contract');
    throw notFound(`Veolia contract ${contractId ?? ''} is not on this account`);
  }

  private loadContracts(run?: Run): Promise<Contract[]> {
    if (!this.contractsInFlight) {
      this.contractsInFlight = this.discover(run).finally(() => {
        this.contractsInFlight = undefined;
      });
    }
    return this.contractsInFlight;
  }

  /** Every contract of every contact and tier; details fetched once per contract. */
  private async discover(run?: Run): Promise<Contract[]> {
    const summaries = contractSummaries(await this.call(() => this.client.espaceClient(), run));
    const contracts: Contract[] = [];
    for (const summary of summaries) {
      const details = await this.detailsOf(summary.id, run);
      if (!details) continue;
      contracts.push({ ...summary, pds: details.pds, subscriptionStart: details.subscriptionStart });
    }
    this.contractCache = { at: this.now(), value: contracts };
    return contracts;
  }

  /**
   * Delivery point and start date of a contract, or undefined when the service has none for it
   * (e.g. a closed contract still listed): one unusable contract must not hide the others.
   */
  private async detailsOf(contractId: string, run?: Run, refresh = false): Promise<Pick<Contract, 'pds' | 'subscriptionStart'> | undefined> {
    const known = this.details.get(contractId);
    if (known && !refresh) return known;
    try {
      const raw = await this.call(() => this.client.facturation(contractId), run);
      const details = contractDetails(raw, contractId);
      this.details.set(contractId, details);
      this.facturationCache.set(contractId, { at: this.now(), value: raw });
      return details;
    } catch (err) {
      if (isApiError(err) && (err.code === 'NOT_FOUND' || err.code === 'PROTOCOL')) return undefined;
      throw err;
    }
  }

  private async fetchMonths(contract: Contract, months: MonthRef[], run: Run): Promise<DayRecord[]> {
    const key = { pds: contract.pds, subscriptionStart: contract.subscriptionStart };
    const results = await mapLimit(months, this.concurrency, (m) =>
      this.call(() => this.client.dailyConsumption(contract.id, m.year, m.month, key), run),
    );
    return toDayRecords(results.flat()).filter((d) => d.date >= contract.subscriptionStart);
  }

  /**
   * A meter replacement shows as the index falling to near zero; the new meter number is only in
   * the contract list, so an unseen drop earns one refresh of it.
   */
  private async checkMeterChange(contract: Contract, days: DayRecord[], run: Run): Promise<Contract> {
    let drop: string | undefined;
    for (let i = 1; i < days.length; i++) {
      const before = days[i - 1].indexLitres;
      const after = days[i].indexLitres;
      if (before !== null && after !== null && before > 1000 && after < before / 2) drop = `${contract.id}/${days[i].date}`;
    }
    if (!drop || this.checkedDrops.has(drop)) return contract;
    if (run.contractsFetched) {
      this.checkedDrops.add(drop);
      return contract;
    }
    if (run.requests >= SYNC_DATA_REQUESTS) return contract;
    this.checkedDrops.add(drop);
    run.contractsFetched = true;
    return pick(await this.loadContracts(run), contract.id) ?? contract;
  }

  /** Stale cached data, the oldest first, while the sync is within its budget. */
  private async refreshStale(contract: Contract, run: Run, billing: boolean): Promise<Contract> {
    const stale: Array<{ what: Refreshable; at: number }> = [];
    const add = (what: Refreshable, entry: Cached<unknown> | undefined, ttlMs: number): void => {
      if (entry && this.expired(entry, ttlMs)) stale.push({ what, at: entry.at });
    };
    if (!run.contractsFetched) add('contracts', this.contractCache, this.contractsTtlMs);
    add('billed', this.billedCache.get(contract.id), this.billedTtlMs);
    if (billing) {
      add('balance', this.facturationCache.get(contract.id), this.billingTtlMs);
      add('plan', this.planCache.get(contract.id), this.billingTtlMs);
    }
    stale.sort((a, b) => a.at - b.at);
    let current = contract;
    for (const { what } of stale) {
      if (run.requests >= SYNC_DATA_REQUESTS) break;
      if (what === 'contracts') {
        run.contractsFetched = true;
        current = pick(await this.loadContracts(run), contract.id) ?? current;
      } else if (what === 'billed') await this.loadBilled(contract.id, run);
      else if (what === 'balance') await this.detailsOf(contract.id, run, true);
      else await this.loadPlan(contract.id, run);
    }
    return current;
  }

  private async billedFor(contractId: string, run: Run): Promise<BilledVolume | null> {
    return this.billedCache.get(contractId)?.value ?? (await this.loadBilled(contractId, run));
  }

  private async loadBilled(contractId: string, run: Run): Promise<BilledVolume | null> {
    const value = latestBilledVolume(await this.call(() => this.client.billingPeriods(contractId), run));
    this.billedCache.set(contractId, { at: this.now(), value });
    return value;
  }

  private async billingFor(contractId: string, run: Run, today: string): Promise<Billing> {
    if (!this.facturationCache.has(contractId)) await this.detailsOf(contractId, run, true);
    const plan = this.planCache.has(contractId) ? this.planCache.get(contractId)?.value : await this.loadPlan(contractId, run);
    return billingOf(this.facturationCache.get(contractId)?.value, plan, today);
  }

  private async loadPlan(contractId: string, run: Run): Promise<VeoliaPaymentPlan | null> {
    const value = await this.call(() => this.client.paymentPlan(contractId), run);
    this.planCache.set(contractId, { at: this.now(), value });
    return value;
  }

  /** One logical request (its retries included), counted against the sync's budget. */
  private call<T>(task: () => Promise<T>, run?: Run): Promise<T> {
    if (run) run.requests++;
    return retry(() => task(), { ...this.retryOptions, signal: run?.signal });
  }

  private expired(entry: Cached<unknown>, ttlMs: number): boolean {
    return this.now() - entry.at >= ttlMs;
  }
}

export interface VeoliaSessionSettings extends VeoliaEndpointSettings {
  username: string;
  /** May be empty when `refreshToken` is set: it is then never sent. */
  password: string;
  /** A pasted refresh token: sign-in with REFRESH_TOKEN_AUTH only (spec §8.1). */
  refreshToken?: string;
  /** The login problems' sentences, in the user's language. */
  loginTexts?: CognitoSettings['texts'];
  timeoutMs?: number;
  now?: () => number;
  water?: WaterServiceOptions;
}

export interface VeoliaSession {
  endpoints: VeoliaEndpoints;
  transport: Transport;
  auth: CognitoAuth;
  client: VeoliaClient;
  water: WaterService;
}

/** One account's session: its own HTTP transport and cookies, Cognito login, client and service. */
export function createVeoliaSession(settings: VeoliaSessionSettings): VeoliaSession {
  const endpoints = resolveVeoliaEndpoints(settings);
  const refreshToken = settings.refreshToken?.trim() || undefined;
  if (!settings.username || (!settings.password && !refreshToken)) {
    throw new ApiError('AUTH_FAILED', 'the Veolia e-mail address and password (or a refresh token) are not set');
  }
  const transport = new Transport({ service: 'Veolia', timeoutMs: settings.timeoutMs, userAgent: VEOLIA_USER_AGENT });
  const auth = new CognitoAuth(transport, {
    authUrl: endpoints.authUrl,
    clientId: endpoints.clientId,
    username: settings.username,
    password: refreshToken ? '' : settings.password,
    refreshToken,
    headers: endpoints.headers,
    refreshTokenMaxAgeMs: VEOLIA_REFRESH_TOKEN_MAX_AGE_MS,
    texts: settings.loginTexts,
    now: settings.now,
  });
  const client = new VeoliaClient(transport, auth, endpoints.apiUrl);
  const water = new WaterService(client, { now: settings.now, ...settings.water });
  return { endpoints, transport, auth, client, water };
}

function pick(list: Contract[], contractId: string | undefined): Contract | undefined {
  return contractId ? list.find((c) => c.id === contractId) : list[0];
}

function checkHistoryDays(value: number | undefined): number {
  if (value === undefined) return DEFAULT_HISTORY_DAYS;
  if (!Number.isInteger(value) || value < 1 || value > MAX_HISTORY_DAYS) {
    throw invalidInput(`historyDays must be a whole number from 1 to ${MAX_HISTORY_DAYS}`);
  }
  return value;
}

function checkRange(range: DateRange | undefined): DateRange | undefined {
  if (range === undefined) return undefined;
  if (!isIsoDate(range.from) || !isIsoDate(range.to)) throw invalidInput('from and to must be YYYY-MM-DD dates');
  if (range.from > range.to) throw invalidInput('from must not be after to');
  return range;
}

function maxOf(a: string | undefined, b: string | undefined): string;
function maxOf(a: string | undefined, b: string | undefined): string | undefined;
function maxOf(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}

function minOf(a: string, b: string): string {
  return a < b ? a : b;
}

function monthStart(m: MonthRef): string {
  return `${m.year}-${String(m.month).padStart(2, '0')}-01`;
}

/** Calendar months touching [from, to], oldest first. */
export function monthsBetween(from: string, to: string): MonthRef[] {
  const months: MonthRef[] = [];
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7));
  const endYear = Number(to.slice(0, 4));
  const endMonth = Number(to.slice(5, 7));
  while (year < endYear || (year === endYear && month <= endMonth)) {
    months.push({ year, month });
    month++;
    if (month > 12) {
      month = 1;
      year++;
    }
  }
  return months;
}

/** Runs `task` on every item with at most `limit` at once; results keep the items' order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  async function worker(): Promise<void> {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        results[i] = await task(items[i]);
      } catch (err) {
        // No new request once one has failed: the whole sync fails anyway.
        failed = true;
        throw err;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  return results;
}
