import { ApiError } from '../http/errors';
import { isIsoDate } from '../schedule/daily';
import type {
  VeoliaAbonnement,
  VeoliaBillingPeriod,
  VeoliaDailyRecord,
  VeoliaEspaceClient,
  VeoliaFacturation,
  VeoliaMonthlyRecord,
  VeoliaQuantity,
} from './api-types';

/** A water contract in the product's words: one meter, one delivery point. */
export interface Contract {
  id: string;
  /** Current meter number; changes when the meter is replaced. */
  meter: string;
  /** Delivery point, needed by every consumption call. */
  pds: string;
  /** 'YYYY-MM-DD': no data exists before it. */
  subscriptionStart: string;
  label?: string;
  /** The contact and tier the account listing files the contract under (alert settings name them). */
  owner?: ContractOwner;
}

/** Who a contract belongs to in the account listing. */
export interface ContractOwner {
  contactId: string;
  tierId: string;
}

/** One day of water use, dated by its Europe/Paris calendar date. */
export interface DayRecord {
  date: string;
  /** Integer litres; may be negative when the service corrects an over-estimate. */
  litres: number;
  /** Cumulative meter reading in integer litres, null when not given. */
  indexLitres: number | null;
  estimated: boolean;
}

export interface MonthRecord {
  year: number;
  month: number;
  litres: number | null;
  indexLitres: number | null;
  estimated: boolean;
}

/** The volume of the most recent bill and the period it covers. */
export interface BilledVolume {
  m3: number;
  from: string | null;
  to: string | null;
}

/** What the account listing tells of a contract, before its details are fetched. */
export interface ContractSummary {
  id: string;
  meter: string;
  label?: string;
  owner?: ContractOwner;
}

/** Every contract of every contact and tier, in listing order, each id once. */
export function contractSummaries(account: VeoliaEspaceClient): ContractSummary[] {
  const seen = new Map<string, ContractSummary>();
  for (const contact of listOf(account.contacts)) {
    const contactId = text(contact.id_contact);
    for (const tier of listOf(contact.tiers)) {
      const tierId = text(tier.id);
      const owner = contactId && tierId ? { owner: { contactId, tierId } } : {};
      for (const abonnement of listOf<VeoliaAbonnement>(tier.abonnements)) {
        const id = text(abonnement.id_abonnement);
        if (!id || seen.has(id)) continue;
        const label = text(abonnement.libelle_contrat) ?? text(abonnement.adresse_de_branchement);
        seen.set(id, { id, meter: text(abonnement.numero_compteur) ?? '', ...(label ? { label } : {}), ...owner });
      }
    }
  }
  return [...seen.values()];
}

/** The contract details every consumption call needs; without them the contract is unusable. */
export function contractDetails(details: VeoliaFacturation, contractId: string): Pick<Contract, 'pds' | 'subscriptionStart'> {
  const pds = text(details.numero_pds);
  const start = typeof details.date_debut_abonnement === 'string' ? details.date_debut_abonnement.slice(0, 10) : '';
  if (!pds || !isIsoDate(start)) {
    throw new ApiError('PROTOCOL', `Veolia sent no delivery point or subscription start for contract ${contractId}`);
  }
  return { pds, subscriptionStart: start };
}

/**
 * Reliability flags: `MESURE` is documented; the estimated spelling is UNCERTAIN, so anything
 * that is not a known "measured" spelling counts as estimated, and a missing flag as measured.
 */
const MEASURED = /^(m|mesur)/i;

function isEstimated(flag: unknown): boolean {
  return typeof flag === 'string' && flag.trim() !== '' && !MEASURED.test(flag.trim());
}

/** A raw daily record as a DayRecord, or null when it has no usable date or volume. */
export function toDayRecord(raw: VeoliaDailyRecord): DayRecord | null {
  const date = typeof raw.date_releve === 'string' ? raw.date_releve.slice(0, 10) : '';
  if (!isIsoDate(date)) return null;
  const litres = litresOf(raw.consommation);
  if (litres === null) return null;
  return { date, litres, indexLitres: litresOf(raw.index), estimated: isEstimated(raw.fiabilite_index) };
}

/** Daily records oldest first, one per date (the last one given wins). */
export function toDayRecords(raw: readonly VeoliaDailyRecord[]): DayRecord[] {
  const byDate = new Map<string, DayRecord>();
  for (const item of raw) {
    const day = toDayRecord(item);
    if (day) byDate.set(day.date, day);
  }
  return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

export function toMonthRecords(raw: readonly VeoliaMonthlyRecord[]): MonthRecord[] {
  const months: MonthRecord[] = [];
  for (const item of raw) {
    const year = numberOf(item.annee);
    const month = numberOf(item.mois);
    if (year === null || month === null || !Number.isInteger(year) || month < 1 || month > 12) continue;
    months.push({
      year,
      month,
      litres: litresOf(item.consommation),
      indexLitres: litresOf(item.index),
      estimated: isEstimated(item.fiabilite_conso),
    });
  }
  return months.sort((a, b) => a.year * 12 + a.month - (b.year * 12 + b.month));
}

/**
 * The most recent billing period that carries a water volume. Reading `volume_facture_eau` as
 * the "billed consumption" is the likeliest mapping, not a confirmed one (veolia-api.md §2.4 (6)).
 */
export function latestBilledVolume(periods: readonly VeoliaBillingPeriod[]): BilledVolume | null {
  let best: BilledVolume | null = null;
  for (const period of periods) {
    const m3 = m3Of(period.volume_facture_eau);
    if (m3 === null) continue;
    const to = dateOf(period.date_facturation);
    const candidate: BilledVolume = { m3, from: dateOf(period.date_facturation_precedente), to };
    if (!best || (to ?? '') > (best.to ?? '')) best = candidate;
  }
  return best;
}

/**
 * Litres as an integer: `litre` when given (public clients read it, for volumes and the index
 * alike), else `m3` × 1000, rounded against float noise such as 337.1.
 */
function litresOf(quantity: VeoliaQuantity | undefined): number | null {
  if (!quantity || typeof quantity !== 'object') return null;
  const litre = numberOf(quantity.litre);
  if (litre !== null) return Math.round(litre);
  const m3 = numberOf(quantity.m3);
  return m3 === null ? null : Math.round(m3 * 1000);
}

function m3Of(quantity: VeoliaQuantity | undefined): number | null {
  if (!quantity || typeof quantity !== 'object') return null;
  const m3 = numberOf(quantity.m3);
  if (m3 !== null) return m3;
  const litre = numberOf(quantity.litre);
  return litre === null ? null : litre / 1000;
}

function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value.trim().replace(',', '.'));
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function dateOf(value: unknown): string | null {
  const date = typeof value === 'string' ? value.slice(0, 10) : '';
  return isIsoDate(date) ? date : null;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return undefined;
}

function listOf<T = Record<string, unknown>>(value: unknown): T[] {
  return Array.isArray(value) ? value.filter((v): v is T => typeof v === 'object' && v !== null && !Array.isArray(v)) : [];
}
