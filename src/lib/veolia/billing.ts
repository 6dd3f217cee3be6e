import { isIsoDate } from '../schedule/daily';
import type { VeoliaFacturation, VeoliaPaymentPlan } from './api-types';
import { toCents } from './prices';

/** The account's money side (product-spec §8.2), in €. */
export interface Billing {
  /** `solde` as Veolia gives it (its sign convention is not documented). */
  balance: number | null;
  /** The next direct debit's amount, else the last one of the plan. */
  monthlyPayment: number | null;
  nextPayment: { date: string; amount: number | null } | null;
}

/**
 * Billing from the contract details and the payment plan (null = no plan, HTTP 204). The next
 * payment is the earliest debit still waiting or dated today or later, as the public clients
 * read it (foXaCe/homeassistant_veolia model.py).
 */
export function billingOf(details: VeoliaFacturation | undefined, plan: VeoliaPaymentPlan | null | undefined, today: string): Billing {
  const balance = euros(details?.solde);
  const items = Array.isArray(plan?.prelevements_echeancier) ? plan.prelevements_echeancier : [];
  let last: number | null = null;
  let next: { date: string; amount: number | null } | null = null;
  for (const item of items) {
    if (typeof item !== 'object' || item === null) continue;
    const amount = euros(item.montant);
    if (amount !== null) last = amount;
    const date = typeof item.date === 'string' ? item.date.slice(0, 10) : '';
    if (!isIsoDate(date)) continue;
    const waiting = item.etat_prelevement === 'WAITING' || date >= today;
    if (waiting && (!next || date < next.date)) next = { date, amount };
  }
  return { balance, monthlyPayment: next?.amount ?? last, nextPayment: next };
}

function euros(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value.trim().replace(',', '.')) : NaN;
  return Number.isFinite(n) ? toCents(n) : null;
}
