import { ApiError, invalidInput } from '../http/errors';
import type { VeoliaAlertPost, VeoliaAlertSettings, VeoliaAlertSubscription, VeoliaAlertThreshold } from './api-types';
import type { VeoliaClient } from './client';
import type { Contract, ContractOwner } from './model';

/** Veolia's own consumption alerts in the product's words (product-spec §8.4). */
export interface AlertSettings {
  contract: { id: string };
  /** The daily alert; off while the home is marked empty (that mode is the daily alert at 0 L). */
  daily: { enabled: boolean; litres: number | null };
  monthly: { enabled: boolean; m3: number | null };
  /** "Logement vide": any water used in a day raises the alert. */
  emptyHome: boolean;
  /** Alerts also go by SMS. */
  sms: boolean;
  /** Alerts go by e-mail: always, Veolia offers no way to switch it off. */
  email: boolean;
}

/** What a message may change; fields left out stay as they are. */
export interface AlertChange {
  daily?: { enabled: boolean; litres?: number };
  monthly?: { enabled: boolean; m3?: number };
  emptyHome?: boolean;
  sms?: boolean;
}

export type AlertsRequest = { kind: 'get' } | { kind: 'set'; change: AlertChange };

/** Thresholds Veolia's site accepts (veolia-api.md §2.4 (7), §11); the upper bounds are the package's sanity limits. */
export const ALERT_LIMITS = {
  dailyLitres: { min: 100, max: 100_000 },
  monthlyM3: { min: 1, max: 10_000 },
} as const;

const FIELDS = ['daily', 'monthly', 'emptyHome', 'sms', 'email'];
/** Sent back as read, it is not a change: the node's contract decides. */
const IGNORED = ['contract'];

/**
 * A plain object changes the alert settings it names; any other payload (`"get"`, an inject's
 * timestamp…) reads them. Anything wrong is INVALID_INPUT, before any request. Switching an
 * alert on needs its threshold in the same message: Veolia keeps no threshold for an alert
 * that is off.
 */
export function parseAlertsRequest(payload: unknown): AlertsRequest {
  if (payload === null || typeof payload !== 'object') return { kind: 'get' };
  if (Array.isArray(payload)) throw invalidInput(`msg.payload must be "get" or an object with ${FIELDS.join(', ')}`);
  const fields = payload as Record<string, unknown>;
  const keys = Object.keys(fields);
  for (const key of keys) {
    if (!FIELDS.includes(key) && !IGNORED.includes(key)) throw invalidInput(`"${key.slice(0, 40)}" is not an alert setting: use ${FIELDS.join(', ')}`);
  }
  const change: AlertChange = {};
  if (has(fields, 'daily')) {
    const daily = thresholdOf(fields.daily, 'daily', 'litres', ALERT_LIMITS.dailyLitres, 'L');
    change.daily = daily.value === undefined ? { enabled: false } : { enabled: true, litres: daily.value };
  }
  if (has(fields, 'monthly')) {
    const monthly = thresholdOf(fields.monthly, 'monthly', 'm3', ALERT_LIMITS.monthlyM3, 'm³');
    change.monthly = monthly.value === undefined ? { enabled: false } : { enabled: true, m3: monthly.value };
  }
  if (has(fields, 'emptyHome')) change.emptyHome = booleanOf(fields.emptyHome, 'emptyHome');
  if (has(fields, 'sms')) change.sms = booleanOf(fields.sms, 'sms');
  if (has(fields, 'email') && booleanOf(fields.email, 'email') === false) {
    throw invalidInput('email cannot be false: Veolia always sends its alerts by e-mail');
  }
  if (change.emptyHome === true && change.daily?.enabled) {
    throw invalidInput('emptyHome and an enabled daily alert exclude each other: an empty home is the daily alert at 0 L');
  }
  if (Object.keys(change).length === 0 && !has(fields, 'email')) {
    throw invalidInput(`msg.payload names no alert setting to change (${FIELDS.join(', ')})`);
  }
  return { kind: 'set', change };
}

function has(record: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key) && record[key] !== undefined;
}

function booleanOf(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw invalidInput(`${name} must be true or false`);
  return value;
}

/** `{enabled, <unit>}`: a threshold alone switches the alert on; on without a threshold is refused. */
function thresholdOf(value: unknown, name: string, unit: 'litres' | 'm3', limits: { min: number; max: number }, symbol: string): { value?: number } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidInput(`${name} must be an object {enabled, ${unit}}`);
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== 'enabled' && key !== unit) throw invalidInput(`${name}.${key.slice(0, 40)} is not a setting: use ${name}.enabled and ${name}.${unit}`);
  }
  const enabled = has(record, 'enabled') ? booleanOf(record.enabled, `${name}.enabled`) : undefined;
  const raw = has(record, unit) ? record[unit] : undefined;
  // An alert switched off needs no threshold; the null of a read-back sent back is fine.
  if (enabled === false) {
    if (raw !== undefined && raw !== null) wholeNumber(raw, `${name}.${unit}`, limits, symbol);
    return {};
  }
  if (raw === undefined || raw === null) {
    throw invalidInput(enabled ? `${name}.${unit} is needed to switch the ${name} alert on` : `${name} names no setting (enabled, ${unit})`);
  }
  return { value: wholeNumber(raw, `${name}.${unit}`, limits, symbol) };
}

function wholeNumber(value: unknown, name: string, limits: { min: number; max: number }, symbol: string): number {
  const number = typeof value === 'string' && /^\s*\d{1,9}\s*$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number)) throw invalidInput(`${name} must be a whole number of ${symbol} (${limits.min}–${limits.max})`);
  if (number < limits.min || number > limits.max) throw invalidInput(`${name} ${number} ${symbol} is outside ${limits.min}–${limits.max} ${symbol}`);
  return number;
}

// ---- Veolia's shapes ---------------------------------------------------------------------------

/** GET /alertes as the product's settings; null (204) means no alert set. */
export function toAlertSettings(contractId: string, raw: VeoliaAlertSettings | null): AlertSettings {
  const seuils = raw && typeof raw.seuils === 'object' && raw.seuils !== null ? raw.seuils : {};
  const daily = thresholdValue(seuils.journalier, 'L');
  const monthly = thresholdValue(seuils.mensuel, 'M3');
  const present: VeoliaAlertThreshold[] = [];
  if (daily !== null && isObject(seuils.journalier)) present.push(seuils.journalier);
  if (monthly !== null && isObject(seuils.mensuel)) present.push(seuils.mensuel);
  const channel = (key: 'souscrit_par_email' | 'souscrit_par_mobile'): boolean[] =>
    present.map((t) => (isObject(t.moyen_contact) ? t.moyen_contact[key] : undefined)).filter((v): v is boolean => typeof v === 'boolean');
  const emptyHome = daily === 0;
  return {
    contract: { id: contractId },
    daily: daily !== null && !emptyHome ? { enabled: true, litres: daily } : { enabled: false, litres: null },
    monthly: monthly !== null ? { enabled: true, m3: monthly } : { enabled: false, m3: null },
    emptyHome,
    sms: channel('souscrit_par_mobile').includes(true),
    // E-mail is the channel Veolia always uses; only an alert that says otherwise shows false.
    email: !channel('souscrit_par_email').includes(false),
  };
}

/** A threshold in the unit asked for, or null when the alert is absent or unreadable. */
function thresholdValue(threshold: unknown, unit: 'L' | 'M3'): number | null {
  if (!isObject(threshold)) return null;
  const value = typeof threshold.valeur === 'string' && threshold.valeur.trim() !== '' ? Number(threshold.valeur.replace(',', '.')) : threshold.valeur;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return null;
  const given = typeof threshold.unite === 'string' ? threshold.unite.trim().toUpperCase() : unit;
  if (given === unit) return value;
  if (given === 'L' && unit === 'M3') return value / 1000;
  if (given === 'M3' && unit === 'L') return Math.round(value * 1000);
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The settings once `change` is applied to `current`. Marking the home empty replaces the daily
 * alert (that mode is the daily alert at 0 L); switching the daily alert on ends it.
 */
export function mergeAlerts(current: AlertSettings, change: AlertChange): AlertSettings {
  const next: AlertSettings = structuredClone(current);
  if (change.daily) {
    next.daily = change.daily.enabled ? { enabled: true, litres: change.daily.litres ?? null } : { enabled: false, litres: null };
    if (change.daily.enabled) next.emptyHome = false;
  }
  if (change.monthly) next.monthly = change.monthly.enabled ? { enabled: true, m3: change.monthly.m3 ?? null } : { enabled: false, m3: null };
  if (change.emptyHome !== undefined) {
    next.emptyHome = change.emptyHome;
    if (change.emptyHome) next.daily = { enabled: false, litres: null };
  }
  if (change.sms !== undefined) next.sms = change.sms;
  next.email = true;
  return next;
}

/** The whole set as Veolia's POST wants it: every alert that is on, each with both channels. */
export function alertsPost(settings: AlertSettings, contract: Pick<Contract, 'id' | 'meter'>, owner: ContractOwner): VeoliaAlertPost {
  const channel = { subscribed_by_email: true, subscribed_by_mobile: settings.sms };
  const alert = (seuil: number, unite: 'L' | 'M3'): VeoliaAlertSubscription => ({ seuil, unite, souscrite: true, contact_channel: { ...channel } });
  const body: VeoliaAlertPost = { contact_id: owner.contactId, numero_compteur: contract.meter, tiers_id: owner.tierId, abo_id: contract.id, type_front: 'WEB_ORDINATEUR' };
  if (settings.emptyHome) body.alerte_journaliere = alert(0, 'L');
  else if (settings.daily.enabled && settings.daily.litres !== null) body.alerte_journaliere = alert(settings.daily.litres, 'L');
  if (settings.monthly.enabled && settings.monthly.m3 !== null) body.alerte_mensuelle = alert(settings.monthly.m3, 'M3');
  return body;
}

/** What the alerts need of the water side of the account. */
export interface ContractSource {
  contract(contractId?: string): Promise<Contract>;
}

/**
 * Reads and sets one account's alerts. A read is one GET; a change reads the current settings,
 * posts the whole set (Veolia switches off any alert a POST leaves out) and reads it back: three
 * requests. The POST names the contract's contact and tier, which the account's contract list
 * (already read and cached for the water nodes) carries.
 */
export class AlertsService {
  constructor(
    private readonly client: VeoliaClient,
    private readonly contracts: ContractSource,
  ) {}

  async read(contractId?: string): Promise<AlertSettings> {
    const contract = await this.contracts.contract(contractId);
    return this.readOf(contract);
  }

  async change(contractId: string | undefined, change: AlertChange): Promise<AlertSettings> {
    const contract = await this.contracts.contract(contractId);
    if (!contract.owner) throw new ApiError('PROTOCOL', `Veolia's account listing names no contact and tier for contract ${contract.id}`);
    const current = await this.readOf(contract);
    await this.client.setAlerts(contract.pds, alertsPost(mergeAlerts(current, change), contract, contract.owner));
    return this.readOf(contract);
  }

  private async readOf(contract: Contract): Promise<AlertSettings> {
    return toAlertSettings(contract.id, await this.client.alerts(contract.pds, contract.id));
  }
}
