import type {
  VeoliaBillingPeriod,
  VeoliaDailyRecord,
  VeoliaEspaceClient,
  VeoliaFacturation,
  VeoliaMonthlyRecord,
  VeoliaPaymentPlan,
} from '../../lib/veolia/api-types';
import { parisDay, shiftDay } from './dates';
import { ContractSeed, DEMO_USERNAME, IndexConvention, SECOND_CONTRACT, seededEstimate, trueLitres, UNCERTAIN, VeoliaUserSeed } from './fixture';

/** How a published day differs from the meter's true use. */
interface DayOverride {
  litres: number;
  estimated: boolean;
  /** Reported index minus the physical reading. */
  indexOffset: number;
}

interface MeterChange {
  from: string;
  meter: string;
  startIndexLitres: number;
}

/** Monthly payments of `amount` € on `day` of each month (plan route). */
export interface PaymentPlanKnob {
  amount: number;
  day: number;
}

/** A leak: litres lost every day from `from` on, on top of the household's use. */
export interface Leak {
  from: string;
  litresPerDay: number;
}

/** One contract's scenario: its seed plus every knob applied to it. */
export class ContractState {
  readonly seed: ContractSeed;
  readonly subscriptionStart: string;
  telemetry: boolean;
  readonly missing = new Set<string>();
  readonly overrides = new Map<string, DayOverride>();
  readonly meterChanges: MeterChange[] = [];
  leak?: Leak;
  /** `solde` of the contract details, €. */
  balance = 0;
  /** Monthly direct debits; undefined = no plan (204). */
  paymentPlan?: PaymentPlanKnob;

  constructor(seed: ContractSeed, firstDay: string) {
    this.seed = seed;
    this.telemetry = seed.telemetry;
    this.subscriptionStart = shiftDay(firstDay, -seed.startDaysAgo);
  }

  get id(): string {
    return this.seed.id;
  }

  /** What went through the meter on `date`: the seeded use plus any leak. */
  trueUse(date: string): number {
    const leak = this.leak && date >= this.leak.from ? this.leak.litresPerDay : 0;
    return trueLitres(this.seed, date) + leak;
  }

  /** The meter in place on `date`. */
  meterOn(date: string): string {
    let meter = this.seed.meter;
    for (const change of this.meterChanges) if (change.from <= date) meter = change.meter;
    return meter;
  }
}

interface AccountState {
  username: string;
  contracts: ContractState[];
}

interface PublishedDay {
  date: string;
  litres: number;
  indexLitres: number;
  estimated: boolean;
}

/**
 * The emulated account data and its scenario knobs. History is generated from the injectable
 * clock: the emulator's first day fixes each subscription start, and days up to today minus
 * the publication delay are published.
 */
export class VeoliaState {
  /** Days between a day and its publication (J-2 by default). */
  publicationDelayDays = 2;
  /** Status answered to an expired or revoked token (the service uses both). */
  staleTokenStatus: 401 | 403 = 401;
  indexConvention: IndexConvention = UNCERTAIN.indexConvention;
  /** Days added to the clock's date once `advanceDay()` has used up the delay; negative while a demo's calendar catches up. */
  dayShift = 0;
  private readonly accounts = new Map<string, AccountState>();
  private readonly firstDay: string;

  constructor(
    private readonly now: () => number,
    users: readonly VeoliaUserSeed[],
    lagDays = 0,
  ) {
    // A calendar that starts behind the clock (live demo) has its whole history behind it too.
    this.dayShift = -Math.max(0, lagDays);
    this.firstDay = shiftDay(parisDay(now()), this.dayShift);
    for (const user of users) {
      this.accounts.set(user.username.toLowerCase(), {
        username: user.username,
        contracts: (user.contracts ?? []).map((seed) => new ContractState(seed, this.firstDay)),
      });
    }
  }

  /** The emulator's calendar date (Europe/Paris). */
  today(): string {
    return shiftDay(parisDay(this.now()), this.dayShift);
  }

  /** Newest day the service publishes. */
  lastPublishedDate(): string {
    return shiftDay(this.today(), -Math.max(0, this.publicationDelayDays));
  }

  account(username: string): AccountState | undefined {
    return this.accounts.get(username.toLowerCase());
  }

  /** A contract by id (default: the first contract of the first account). */
  contract(contractId?: string): ContractState {
    for (const account of this.accounts.values()) {
      for (const c of account.contracts) if (contractId === undefined || c.id === contractId) return c;
    }
    throw new Error(`no contract ${contractId ?? ''} in the emulator`);
  }

  ownsContract(username: string, contractId: string): ContractState | undefined {
    return this.account(username)?.contracts.find((c) => c.id === contractId);
  }

  // ---- scenario knobs -------------------------------------------------------------------

  setPublicationDelay(days: number): void {
    this.publicationDelayDays = days;
  }

  /**
   * Publishes the next day (live demo). Clients never ask for today, so the delay shrinks first,
   * down to J-1; only then does the emulator's calendar move forward. A demo on the real clock
   * starts with a longer delay to have days to publish.
   */
  advanceDay(): void {
    if (this.publicationDelayDays > 1) this.publicationDelayDays--;
    else this.dayShift++;
  }

  /**
   * Publishes the next day while the emulator's calendar is behind the clock (live demo started
   * with `lagDays`), and says whether it did: once caught up, days come with the clock, one a day,
   * and neither days nor bills ever lie after the real yesterday the clients ask for.
   */
  catchUpDay(): boolean {
    if (this.dayShift >= 0) return false;
    this.dayShift++;
    return true;
  }

  /** These days are never published (gaps). */
  setMissingDays(dates: readonly string[], contractId?: string): void {
    const c = this.contract(contractId);
    c.missing.clear();
    for (const date of dates) c.missing.add(date);
  }

  /** Publishes `date` as an estimate of `litres`; its index follows the estimate. */
  estimateDay(date: string, litres: number, contractId?: string): void {
    const c = this.contract(contractId);
    c.overrides.set(date, { litres, estimated: true, indexOffset: litres - c.trueUse(date) });
  }

  /** Publishes a correction: same date, new litres (the true use by default), measured. */
  correctDay(date: string, litres?: number, contractId?: string): void {
    const c = this.contract(contractId);
    const real = c.trueUse(date);
    const value = litres ?? real;
    c.overrides.set(date, { litres: value, estimated: false, indexOffset: value - real });
  }

  /**
   * The day before `date` was over-estimated; `date` is measured with negative litres that give
   * the excess back, so the index moves backwards between the two days.
   */
  negativeCorrection(date: string, litres: number, contractId?: string): void {
    if (litres >= 0) throw new Error('a negative correction needs negative litres');
    const c = this.contract(contractId);
    const excess = c.trueUse(date) - litres;
    const before = shiftDay(date, -1);
    c.overrides.set(before, { litres: c.trueUse(before) + excess, estimated: true, indexOffset: excess });
    c.overrides.set(date, { litres, estimated: false, indexOffset: 0 });
  }

  /** A new meter from `date`: the index restarts near zero and the meter number changes. */
  replaceMeter(date: string, meter: string, startIndexLitres = 0, contractId?: string): void {
    const c = this.contract(contractId);
    c.meterChanges.push({ from: date, meter, startIndexLitres });
    c.meterChanges.sort((a, b) => (a.from < b.from ? -1 : 1));
  }

  /**
   * A leak from `from` on: the litres are added to the true use, so days, index, months and
   * bills all show it. Set it before knobs that override single days (they keep their offsets).
   */
  setLeak(leak: { from: string; litresPerDay: number; contractId?: string }): void {
    if (!Number.isFinite(leak.litresPerDay) || leak.litresPerDay < 0) throw new Error('a leak needs litres per day ≥ 0');
    this.contract(leak.contractId).leak = { from: leak.from, litresPerDay: leak.litresPerDay };
  }

  clearLeak(contractId?: string): void {
    this.contract(contractId).leak = undefined;
  }

  /** The balance (`solde`) the contract details give, €. */
  setBalance(euros: number, contractId?: string): void {
    this.contract(contractId).balance = euros;
  }

  /** Gives the contract monthly payments (`amount` € on `day`, 1–28), or none again with null (204). */
  setPaymentPlan(plan: { amount: number; day?: number } | null, contractId?: string): void {
    const day = plan?.day ?? UNCERTAIN.paymentDay;
    if (plan && (!Number.isInteger(day) || day < 1 || day > 28)) throw new Error('a payment day is 1–28');
    this.contract(contractId).paymentPlan = plan ? { amount: plan.amount, day } : undefined;
  }

  /**
   * The payment plan, or undefined (204): debits from 6 months back to 5 ahead of today, those
   * before today DONE, the others WAITING.
   */
  paymentSchedule(contractId: string): VeoliaPaymentPlan | undefined {
    const plan = this.contract(contractId).paymentPlan;
    if (!plan) return undefined;
    // Bank debits follow the clock, even while the meter's calendar catches up with it.
    const today = shiftDay(parisDay(this.now()), Math.max(0, this.dayShift));
    const [year, month] = today.split('-').map(Number);
    const payments = [];
    for (let k = -6; k <= 5; k++) {
      const index = year * 12 + month - 1 + k;
      const date = `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-${String(plan.day).padStart(2, '0')}`;
      payments.push({ date, montant: plan.amount, etat_prelevement: date < today ? 'DONE' : 'WAITING' });
    }
    return { prelevements_echeancier: payments };
  }

  /** A meter without telemetry: no daily or monthly data, 204 on alerts. */
  setTelemetry(enabled: boolean, contractId?: string): void {
    this.contract(contractId).telemetry = enabled;
  }

  /** Adds a contract under its own contact and tier (two contracts on one account). */
  addContract(seed: ContractSeed = SECOND_CONTRACT, username: string = DEMO_USERNAME): ContractState {
    const account = this.account(username);
    if (!account) throw new Error(`no user ${username} in the emulator`);
    const existing = account.contracts.find((c) => c.id === seed.id);
    if (existing) return existing;
    const contract = new ContractState(seed, this.firstDay);
    account.contracts.push(contract);
    return contract;
  }

  // ---- answers in the service's shapes ----------------------------------------------------

  espaceClient(username: string): VeoliaEspaceClient {
    const contacts = new Map<string, Map<string, ContractState[]>>();
    for (const c of this.account(username)?.contracts ?? []) {
      const tiers = contacts.get(c.seed.contactId) ?? new Map<string, ContractState[]>();
      tiers.set(c.seed.tierId, [...(tiers.get(c.seed.tierId) ?? []), c]);
      contacts.set(c.seed.contactId, tiers);
    }
    const today = this.today();
    return {
      contacts: [...contacts].map(([contactId, tiers]) => ({
        id_contact: contactId,
        tiers: [...tiers].map(([tierId, list]) => ({
          id: tierId,
          abonnements: list.map((c) => ({
            id_abonnement: c.id,
            numero_compteur: c.meterOn(today),
            adresse_de_branchement: c.seed.address,
            emplacement_compteur: 'cave',
            libelle_contrat: c.seed.label,
            statut: 'actif',
          })),
        })),
      })),
    };
  }

  facturation(contractId: string): VeoliaFacturation {
    const c = this.contract(contractId);
    const days = this.published(c);
    const last = days[days.length - 1];
    return {
      numero_pds: c.seed.pds,
      date_debut_abonnement: c.subscriptionStart,
      solde: c.balance,
      dernier_index_releve: last ? last.indexLitres / 1000 : c.seed.startIndexLitres / 1000,
      date_index_releve: last?.date ?? c.subscriptionStart,
      mode_releve: c.telemetry ? UNCERTAIN.telemetryReadingMode : UNCERTAIN.manualReadingMode,
      mode_paiement: 'PRELEVEMENT',
      numero_client: `CL${c.seed.contactId}`,
      titulaire: 'M. DEMO',
      marque: 'VEOLIA',
    };
  }

  /** Daily records of one month, as published today. */
  daily(contractId: string, year: number, month: number): VeoliaDailyRecord[] {
    const c = this.contract(contractId);
    if (!c.telemetry) return [];
    const prefix = `${year}-${String(month).padStart(2, '0')}-`;
    return this.published(c)
      .filter((d) => d.date.startsWith(prefix))
      .map((d) => ({
        date_releve: d.date,
        consommation: { litre: d.litres, m3: d.litres / 1000 },
        index: { litre: d.indexLitres, m3: d.indexLitres / 1000 },
        fiabilite_index: d.estimated ? UNCERTAIN.estimatedFlag : UNCERTAIN.measuredFlag,
      }));
  }

  monthly(contractId: string, year: number): VeoliaMonthlyRecord[] {
    const c = this.contract(contractId);
    if (!c.telemetry) return [];
    const months = new Map<number, PublishedDay[]>();
    for (const d of this.published(c)) {
      if (Number(d.date.slice(0, 4)) !== year) continue;
      const m = Number(d.date.slice(5, 7));
      months.set(m, [...(months.get(m) ?? []), d]);
    }
    return [...months].map(([mois, days]) => {
      const litres = days.reduce((sum, d) => sum + d.litres, 0);
      return {
        annee: year,
        mois,
        consommation: { m3: litres / 1000, litre: litres },
        index: { m3: days[days.length - 1].indexLitres / 1000 },
        fiabilite_conso: days.some((d) => d.estimated) ? UNCERTAIN.estimatedFlag : UNCERTAIN.measuredFlag,
      };
    });
  }

  /** Billing periods, most recent first, ending with the opening bill that carries no volume. */
  billing(contractId: string): VeoliaBillingPeriod[] {
    const c = this.contract(contractId);
    const today = this.today();
    const dates: string[] = [];
    for (let year = Number(c.subscriptionStart.slice(0, 4)); year <= Number(today.slice(0, 4)); year++) {
      for (const month of UNCERTAIN.billingMonths) {
        const date = `${year}-${String(month).padStart(2, '0')}-${String(UNCERTAIN.billingDay).padStart(2, '0')}`;
        if (date > c.subscriptionStart && date <= today) dates.push(date);
      }
    }
    const periods: VeoliaBillingPeriod[] = [];
    let from = c.subscriptionStart;
    for (const to of dates) {
      const m3 = this.billedM3(c, from, to);
      periods.push({
        date_facturation_precedente: from,
        date_facturation: to,
        volume_facture_eau: { litre: m3 * 1000, m3 },
        index_facture: String(wholeM3(this.physicalIndex(c, shiftDay(to, -1)))),
      });
      from = to;
    }
    periods.reverse();
    periods.push({ date_facturation_precedente: c.subscriptionStart, date_facturation: shiftDay(c.subscriptionStart, 1) });
    return periods;
  }

  /** A published day as the service would give it, for tests. */
  publishedDay(date: string, contractId?: string): PublishedDay | undefined {
    return this.published(this.contract(contractId)).find((d) => d.date === date);
  }

  /** Every published day of a contract, oldest first. */
  published(c: ContractState): PublishedDay[] {
    const days: PublishedDay[] = [];
    const last = this.lastPublishedDate();
    let index = c.seed.startIndexLitres;
    for (let date = c.subscriptionStart; date <= last; date = shiftDay(date, 1)) {
      const change = c.meterChanges.find((m) => m.from === date);
      if (change) index = change.startIndexLitres;
      const real = c.trueUse(date);
      const opening = index;
      index += real;
      if (c.missing.has(date)) continue;
      const override = c.overrides.get(date) ?? this.seeded(c, date, real);
      const litres = override?.litres ?? real;
      const reading = (this.indexConvention === 'end-of-day' ? index : opening) + (override?.indexOffset ?? 0);
      days.push({ date, litres, indexLitres: reading, estimated: override?.estimated ?? false });
    }
    return days;
  }

  private seeded(c: ContractState, date: string, real: number): DayOverride | undefined {
    if (!seededEstimate(c.seed, date)) return undefined;
    return { litres: c.seed.baseLitres, estimated: true, indexOffset: c.seed.baseLitres - real };
  }

  /**
   * Whole m³ billed for the days from `from` to the day before `to`: the difference of the
   * whole-m³ readings at both ends, meter by meter when the meter was replaced in between.
   */
  private billedM3(c: ContractState, from: string, to: string): number {
    let index = c.seed.startIndexLitres;
    let opening = 0;
    let m3 = 0;
    for (let date = c.subscriptionStart; date < to; date = shiftDay(date, 1)) {
      if (date === from) opening = wholeM3(index);
      const change = c.meterChanges.find((m) => m.from === date);
      if (change) {
        if (date >= from) m3 += wholeM3(index) - opening;
        index = change.startIndexLitres;
        if (date >= from) opening = wholeM3(index);
      }
      index += c.trueUse(date);
    }
    return m3 + wholeM3(index) - opening;
  }

  private physicalIndex(c: ContractState, upTo: string): number {
    let index = c.seed.startIndexLitres;
    for (let date = c.subscriptionStart; date <= upTo; date = shiftDay(date, 1)) {
      const change = c.meterChanges.find((m) => m.from === date);
      if (change) index = change.startIndexLitres;
      index += c.trueUse(date);
    }
    return index;
  }
}

/** A reading in completed m³, as bills give it. */
function wholeM3(litres: number): number {
  return Math.floor(litres / 1000);
}
