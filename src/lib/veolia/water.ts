import { CognitoAuth } from '../cognito/auth';
import { ApiError, invalidInput, isApiError, notFound } from '../http/errors';
import { retry, RetryOptions } from '../http/retry';
import { Transport } from '../http/transport';
import { addDays, isIsoDate, zonedDate } from '../schedule/daily';
import { VeoliaClient } from './client';
import type { DateRange } from './ledger';
import { BilledVolume, Contract, contractDetails, contractSummaries, DayRecord, latestBilledVolume, toDayRecords } from './model';
import { resolveVeoliaEndpoints, VeoliaEndpointSettings, VeoliaEndpoints, VEOLIA_REFRESH_TOKEN_MAX_AGE_MS, VEOLIA_USER_AGENT } from './portals';

export const DEFAULT_HISTORY_DAYS = 30;
export const MAX_HISTORY_DAYS = 730;
const HOUR_MS = 3_600_000;

export interface WaterServiceOptions {
  now?: () => number;
  /** How long the contract list is trusted (meter numbers can change). Default 24 h. */
  contractsTtlMs?: number;
  /** How long a billed volume is trusted (bills come twice a year). Default 24 h. */
  billedTtlMs?: number;
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
}

interface Cached<T> {
  at: number;
  value: T;
}

/** Refreshes of cached account data one sync may spend; keeps a daily sync within its request budget. */
interface Budget {
  left: number;
  contractsFetched: boolean;
}

/**
 * The water side of one Veolia account: contract discovery and the daily sync.
 *
 * Request budget of a daily sync, one contract: the months of the window (in steady state the
 * current month, plus the previous one during the first days of a month or when the last
 * emitted day is in it), at most one refresh of stale account data (contract list or billed
 * volume, the older first), and the token renewal Cognito needs after a day: ≤ 4 requests.
 * Contract details (delivery point, start date) never change and are fetched once.
 */
export class WaterService {
  private readonly now: () => number;
  private readonly contractsTtlMs: number;
  private readonly billedTtlMs: number;
  private readonly recheckDays: number;
  private readonly concurrency: number;
  private readonly retryOptions: RetryOptions;
  private contractCache?: Cached<Contract[]>;
  private contractsInFlight?: Promise<Contract[]>;
  private readonly details = new Map<string, Pick<Contract, 'pds' | 'subscriptionStart'>>();
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
    this.billedCache.clear();
    this.checkedDrops.clear();
  }

  async sync(contractId: string | undefined, options: SyncOptions = {}): Promise<WaterSyncResult> {
    const historyDays = checkHistoryDays(options.historyDays);
    const range = checkRange(options.range);
    if (options.lastDate !== undefined && !isIsoDate(options.lastDate)) throw invalidInput('lastDate must be a YYYY-MM-DD date');

    // Data missing from the caches is always fetched; refreshing stale data is limited to one request.
    const budget: Budget = { left: 1, contractsFetched: false };
    let contract = await this.contractForSync(contractId, budget, options.signal);
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
    const fetched = await this.fetchMonths(contract, months, options.signal);
    // A steady sync keeps whole months: corrections of earlier days in them come for free.
    const keepFrom = steady && months.length > 0 ? maxOf(monthStart(months[0]), oldest) : from;
    const days = fetched.filter((d) => d.date >= keepFrom && d.date <= to);

    contract = await this.checkMeterChange(contract, days, budget);
    const billed = await this.billedFor(contract.id, budget, options.signal);
    return { contract, days, billed, months };
  }

  private async contractForSync(contractId: string | undefined, budget: Budget, signal?: AbortSignal): Promise<Contract> {
    const cache = this.contractCache;
    if (!cache) {
      budget.contractsFetched = true;
      return this.requireContract(await this.loadContracts(signal), contractId);
    }
    const cached = pick(cache.value, contractId);
    // The single refresh of a sync goes to the older of contract list and billed volume.
    const billed = cached ? this.billedCache.get(cached.id) : undefined;
    const billedFirst = billed !== undefined && this.expired(billed, this.billedTtlMs) && billed.at < cache.at;
    const refresh = !cached || (this.expired(cache, this.contractsTtlMs) && !billedFirst);
    if (!refresh) return cached;
    budget.contractsFetched = true;
    budget.left--;
    return this.requireContract(await this.loadContracts(signal), contractId);
  }

  private requireContract(list: Contract[], contractId: string | undefined): Contract {
    const found = pick(list, contractId);
    if (found) return found;
    if (list.length === 0) throw notFound('this Veolia account has no water contract');
    throw notFound(`Veolia contract ${contractId ?? ''} is not on this account`);
  }

  private loadContracts(signal?: AbortSignal): Promise<Contract[]> {
    if (!this.contractsInFlight) {
      this.contractsInFlight = this.discover(signal).finally(() => {
        this.contractsInFlight = undefined;
      });
    }
    return this.contractsInFlight;
  }

  /** Every contract of every contact and tier; details fetched once per contract. */
  private async discover(signal?: AbortSignal): Promise<Contract[]> {
    const summaries = contractSummaries(await this.call(() => this.client.espaceClient(), signal));
    const contracts: Contract[] = [];
    for (const summary of summaries) {
      const details = await this.detailsOf(summary.id, signal);
      if (!details) continue;
      contracts.push({ id: summary.id, meter: summary.meter, pds: details.pds, subscriptionStart: details.subscriptionStart, ...(summary.label ? { label: summary.label } : {}) });
    }
    this.contractCache = { at: this.now(), value: contracts };
    return contracts;
  }

  /**
   * Delivery point and start date of a contract, or undefined when the service has none for it
   * (e.g. a closed contract still listed): one unusable contract must not hide the others.
   */
  private async detailsOf(contractId: string, signal?: AbortSignal): Promise<Pick<Contract, 'pds' | 'subscriptionStart'> | undefined> {
    const known = this.details.get(contractId);
    if (known) return known;
    try {
      const details = contractDetails(await this.call(() => this.client.facturation(contractId), signal), contractId);
      this.details.set(contractId, details);
      return details;
    } catch (err) {
      if (isApiError(err) && (err.code === 'NOT_FOUND' || err.code === 'PROTOCOL')) return undefined;
      throw err;
    }
  }

  private async fetchMonths(contract: Contract, months: MonthRef[], signal?: AbortSignal): Promise<DayRecord[]> {
    const key = { pds: contract.pds, subscriptionStart: contract.subscriptionStart };
    const results = await mapLimit(months, this.concurrency, (m) =>
      this.call(() => this.client.dailyConsumption(contract.id, m.year, m.month, key), signal),
    );
    return toDayRecords(results.flat()).filter((d) => d.date >= contract.subscriptionStart);
  }

  /**
   * A meter replacement shows as the index falling to near zero; the new meter number is only in
   * the contract list, so an unseen drop earns one refresh of it.
   */
  private async checkMeterChange(contract: Contract, days: DayRecord[], budget: Budget): Promise<Contract> {
    let drop: string | undefined;
    for (let i = 1; i < days.length; i++) {
      const before = days[i - 1].indexLitres;
      const after = days[i].indexLitres;
      if (before !== null && after !== null && before > 1000 && after < before / 2) drop = `${contract.id}/${days[i].date}`;
    }
    if (!drop || this.checkedDrops.has(drop)) return contract;
    if (budget.contractsFetched) {
      this.checkedDrops.add(drop);
      return contract;
    }
    if (budget.left <= 0) return contract;
    this.checkedDrops.add(drop);
    budget.left--;
    budget.contractsFetched = true;
    return pick(await this.loadContracts(), contract.id) ?? contract;
  }

  private async billedFor(contractId: string, budget: Budget, signal?: AbortSignal): Promise<BilledVolume | null> {
    const cached = this.billedCache.get(contractId);
    if (cached && (!this.expired(cached, this.billedTtlMs) || budget.left <= 0)) return cached.value;
    if (cached) budget.left--;
    const value = latestBilledVolume(await this.call(() => this.client.billingPeriods(contractId), signal));
    this.billedCache.set(contractId, { at: this.now(), value });
    return value;
  }

  private call<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return retry(() => task(), { ...this.retryOptions, signal });
  }

  private expired(entry: Cached<unknown>, ttlMs: number): boolean {
    return this.now() - entry.at >= ttlMs;
  }
}

export interface VeoliaSessionSettings extends VeoliaEndpointSettings {
  username: string;
  password: string;
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
  if (!settings.username || !settings.password) throw new ApiError('AUTH_FAILED', 'the Veolia e-mail address and password are not set');
  const transport = new Transport({ service: 'Veolia', timeoutMs: settings.timeoutMs, userAgent: VEOLIA_USER_AGENT });
  const auth = new CognitoAuth(transport, {
    authUrl: endpoints.authUrl,
    clientId: endpoints.clientId,
    username: settings.username,
    password: settings.password,
    headers: endpoints.headers,
    refreshTokenMaxAgeMs: VEOLIA_REFRESH_TOKEN_MAX_AGE_MS,
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
