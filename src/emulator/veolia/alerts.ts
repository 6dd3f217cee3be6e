import type { VeoliaAlertSettings, VeoliaAlertThreshold } from '../../lib/veolia/api-types';
import { EmulatorRequest, EmulatorResponse, json } from '../http-server';
import type { ContractState } from './state';

/** The contact and tier a contract is listed under, and its meter today (what a POST must name). */
export interface AlertOwner {
  contactId: string;
  tierId: string;
  meter: string;
}

/**
 * Rules of the alert POST as the public clients describe them (veolia-api.md §2.4 (7), §11).
 * How the service answers a body that breaks them is not public: a 400 is assumed.
 */
export const ALERT_RULES = {
  dailyMinLitres: 100,
  monthlyMinM3: 1,
  /** A meter without telemetry takes the POST and keeps nothing (UNCERTAIN: its answer is not public). */
  withoutTelemetry: 'accepted-and-ignored' as const,
};

interface StoredAlert {
  valeur: number;
  email: boolean;
  mobile: boolean;
}

interface StoredAlerts {
  journalier?: StoredAlert;
  mensuel?: StoredAlert;
}

/** Veolia's alert settings, per contract: GET answers 204 while none is on, POST replaces the whole set. */
export class VeoliaAlerts {
  private readonly byContract = new Map<string, StoredAlerts>();

  /** What GET answers for a contract: 204 (undefined) when no alert is on. */
  settings(contractId: string): VeoliaAlertSettings | undefined {
    const stored = this.byContract.get(contractId);
    if (!stored || (!stored.journalier && !stored.mensuel)) return undefined;
    const seuils: Record<string, VeoliaAlertThreshold> = {};
    if (stored.journalier) seuils.journalier = shown(stored.journalier, 'L');
    if (stored.mensuel) seuils.mensuel = shown(stored.mensuel, 'M3');
    return { seuils };
  }

  /** Sets alerts directly (a test's or the demo's starting point), as a POST would. */
  set(contractId: string, alerts: { dailyLitres?: number; monthlyM3?: number; sms?: boolean }): void {
    const channel = { email: true, mobile: alerts.sms ?? false };
    this.byContract.set(contractId, {
      ...(alerts.dailyLitres !== undefined ? { journalier: { valeur: alerts.dailyLitres, ...channel } } : {}),
      ...(alerts.monthlyM3 !== undefined ? { mensuel: { valeur: alerts.monthlyM3, ...channel } } : {}),
    });
  }

  clear(): void {
    this.byContract.clear();
  }

  get(contract: ContractState): EmulatorResponse {
    if (!contract.telemetry) return { status: 204 };
    const settings = this.settings(contract.id);
    return settings ? json(200, settings) : { status: 204 };
  }

  /** POST /alertes/{pds}: the body names the contract's owner and meter; an alert left out is switched off. */
  post(req: EmulatorRequest, contract: ContractState, owner: AlertOwner): EmulatorResponse {
    const body = req.body;
    if (!isObject(body)) return badRequest('corps JSON attendu');
    if (body.type_front !== 'WEB_ORDINATEUR') return badRequest('type_front invalide');
    if (String(body.abo_id ?? '') !== contract.id) return badRequest('abo_id invalide');
    if (String(body.contact_id ?? '') !== owner.contactId) return badRequest('contact_id invalide');
    if (String(body.tiers_id ?? '') !== owner.tierId) return badRequest('tiers_id invalide');
    if (String(body.numero_compteur ?? '') !== owner.meter) return badRequest('numero_compteur invalide');
    const daily = readAlert(body.alerte_journaliere, 'L', (v) => v === 0 || v >= ALERT_RULES.dailyMinLitres, 'seuil journalier : 0 ou au moins 100 L');
    if (typeof daily === 'string') return badRequest(daily);
    const monthly = readAlert(body.alerte_mensuelle, 'M3', (v) => v >= ALERT_RULES.monthlyMinM3, 'seuil mensuel : au moins 1 m3');
    if (typeof monthly === 'string') return badRequest(monthly);
    if (contract.telemetry) {
      this.byContract.set(contract.id, { ...(daily ? { journalier: daily } : {}), ...(monthly ? { mensuel: monthly } : {}) });
    }
    return { status: 204 };
  }
}

function shown(alert: StoredAlert, unite: 'L' | 'M3'): VeoliaAlertThreshold {
  return { valeur: alert.valeur, unite, moyen_contact: { souscrit_par_email: alert.email, souscrit_par_mobile: alert.mobile } };
}

/** One alert of the body: undefined when left out or not subscribed, a reason when it is wrong. */
function readAlert(value: unknown, unite: 'L' | 'M3', accepts: (seuil: number) => boolean, rule: string): StoredAlert | undefined | string {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) return `alerte ${unite} invalide`;
  if (value.unite !== unite) return `unite attendue : ${unite}`;
  if (typeof value.souscrite !== 'boolean') return 'souscrite invalide';
  const seuil = value.seuil;
  if (typeof seuil !== 'number' || !Number.isFinite(seuil) || !accepts(seuil)) return rule;
  const channel = value.contact_channel;
  if (!isObject(channel) || typeof channel.subscribed_by_email !== 'boolean' || typeof channel.subscribed_by_mobile !== 'boolean') return 'contact_channel invalide';
  if (!channel.subscribed_by_email) return "l'alerte par e-mail ne peut pas être désactivée";
  if (!value.souscrite) return undefined;
  return { valeur: seuil, email: true, mobile: channel.subscribed_by_mobile };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badRequest(message: string): EmulatorResponse {
  return json(400, { code: 'BAD_REQUEST', message });
}
