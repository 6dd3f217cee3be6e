import { CognitoAuth } from '../cognito/auth';
import { ApiError } from '../http/errors';
import { Transport } from '../http/transport';
import type {
  VeoliaAlertPost,
  VeoliaAlertSettings,
  VeoliaBillingPeriod,
  VeoliaDailyRecord,
  VeoliaEspaceClient,
  VeoliaFacturation,
  VeoliaMonthlyRecord,
  VeoliaPaymentPlan,
} from './api-types';

/** What every consumption call needs besides the contract id (veolia-api.md §2.4 (3)). */
export interface ConsumptionKey {
  /** Delivery point (`numero_pds`). */
  pds: string;
  /** Subscription start 'YYYY-MM-DD'. */
  subscriptionStart: string;
}

/**
 * One method per Veolia backend endpoint the package uses (veolia-api.md §2.4), each authorised
 * through the account's Cognito session. Answers are checked for their outer shape only: a
 * wrong shape is PROTOCOL, missing optional parts are tolerated.
 */
export class VeoliaClient {
  private readonly apiUrl: string;

  constructor(
    private readonly transport: Transport,
    private readonly auth: CognitoAuth,
    apiUrl: string,
  ) {
    this.apiUrl = apiUrl.replace(/\/+$/, '');
  }

  /** The account's contacts, tiers and contracts. */
  async espaceClient(): Promise<VeoliaEspaceClient> {
    const data = await this.get('/espace-client', { 'type-front': 'WEB_ORDINATEUR' });
    const body = objectOf(data, 'account details');
    if (body.contacts !== undefined && body.contacts !== null && !Array.isArray(body.contacts)) throw protocol('account details');
    return body as VeoliaEspaceClient;
  }

  /** Contract details: delivery point and subscription start. */
  async facturation(contractId: string): Promise<VeoliaFacturation> {
    return objectOf(await this.get(`/abonnements/${enc(contractId)}/facturation`), 'contract details') as VeoliaFacturation;
  }

  /** Daily records of one calendar month (`month` 1–12). */
  async dailyConsumption(contractId: string, year: number, month: number, key: ConsumptionKey): Promise<VeoliaDailyRecord[]> {
    const data = await this.get(`/consommations/${enc(contractId)}/journalieres`, {
      annee: year,
      mois: month,
      'numero-pds': key.pds,
      'date-debut-abonnement': key.subscriptionStart,
    });
    return arrayOf(data, 'daily consumption') as VeoliaDailyRecord[];
  }

  /** Monthly records of one year. */
  async monthlyConsumption(contractId: string, year: number, key: ConsumptionKey): Promise<VeoliaMonthlyRecord[]> {
    const data = await this.get(`/consommations/${enc(contractId)}/mensuelles`, {
      annee: year,
      'numero-pds': key.pds,
      'date-debut-abonnement': key.subscriptionStart,
    });
    return arrayOf(data, 'monthly consumption') as VeoliaMonthlyRecord[];
  }

  /** Billing periods with their billed water volume. */
  async billingPeriods(contractId: string): Promise<VeoliaBillingPeriod[]> {
    return arrayOf(await this.get(`/consommations/facturation/${enc(contractId)}`), 'billed volumes') as VeoliaBillingPeriod[];
  }

  /** The monthly-payment plan, or null when the contract has none (HTTP 204). */
  async paymentPlan(contractId: string): Promise<VeoliaPaymentPlan | null> {
    const data = await this.get(`/abonnements/${enc(contractId)}/facturation/mensualisation/plan`);
    return data === null ? null : (objectOf(data, 'payment plan') as VeoliaPaymentPlan);
  }

  /** Alert thresholds, or null when none is configured (HTTP 204, also for meters without telemetry). */
  async alerts(pds: string, contractId: string): Promise<VeoliaAlertSettings | null> {
    const data = await this.get(`/alertes/${enc(pds)}`, { abo_id: contractId });
    return data === null ? null : (objectOf(data, 'alert settings') as VeoliaAlertSettings);
  }

  /** Replaces the alert settings: an alert the body leaves out is switched off (204 on success). */
  async setAlerts(pds: string, body: VeoliaAlertPost): Promise<void> {
    const url = `${this.apiUrl}/alertes/${enc(pds)}`;
    await this.auth.authorised((token) =>
      this.transport.request({ method: 'POST', url, body, headers: { Authorization: `Bearer ${token}` } }),
    );
  }

  private async get(path: string, params?: Record<string, string | number>): Promise<unknown> {
    const url = this.apiUrl + path;
    const response = await this.auth.authorised((token) =>
      this.transport.request({ method: 'GET', url, params, headers: { Authorization: `Bearer ${token}` } }),
    );
    return response.data;
  }
}

const enc = encodeURIComponent;

function protocol(what: string): ApiError {
  return new ApiError('PROTOCOL', `Veolia sent unexpected ${what}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (!isObject(value)) throw protocol(what);
  return value;
}

/** An array of objects; an empty answer (204) is an empty list, other entries are dropped. */
function arrayOf(value: unknown, what: string): Record<string, unknown>[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw protocol(what);
  return value.filter(isObject);
}
