import type { Billing } from './billing';
import { dayTimestamp } from './ledger';
import { BilledVolume, Contract, DayRecord } from './model';
import type { MonthValue } from './months';
import type { DayTotals, PeriodTotal } from './totals';
import type { DayAssessment, Unusual, UsualRange } from './unusual-days';

/** One day of water as product-spec §3.3 and §8.2–§8.3 show it. */
export interface WaterDayPayload {
  contract: { id: string; meter: string };
  date: string;
  litres: number;
  indexLitres: number | null;
  estimated: boolean;
  billed: BilledVolume | null;
  cost: number | null;
  month: PeriodTotal;
  year: PeriodTotal;
  usual: UsualRange | null;
  unusual: Unusual | null;
  /** `output: latest` only. */
  billing?: Billing;
}

/** One calendar month of `output: months`. */
export interface WaterMonthPayload extends MonthValue {
  contract: { id: string; meter: string };
}

export interface WaterMessage {
  topic: string;
  /** Start of the day (of the month's first day) in Europe/Paris, epoch ms: charts plot it where it belongs. */
  timestamp: number;
  payload: WaterDayPayload | WaterMonthPayload | Billing | number | null;
}

/** What a day message adds to the service's day: the node's own sums and leak watch. */
export interface DayExtras {
  totals: DayTotals;
  assessment: DayAssessment;
  billing?: Billing;
}

/** Each message gets its own copy of everything it holds: the receiver may change it (spec §4.1). */
export function dayMessage(contract: Contract, day: DayRecord, billed: BilledVolume | null, extras: DayExtras): WaterMessage {
  const payload: WaterDayPayload = {
    contract: { id: contract.id, meter: contract.meter },
    date: day.date,
    litres: day.litres,
    indexLitres: day.indexLitres,
    estimated: day.estimated,
    billed: billed ? structuredClone(billed) : null,
    cost: extras.totals.cost,
    month: { ...extras.totals.month },
    year: { ...extras.totals.year },
    usual: extras.assessment.usual ? { ...extras.assessment.usual } : null,
    unusual: extras.assessment.unusual ? structuredClone(extras.assessment.unusual) : null,
  };
  if (extras.billing) payload.billing = structuredClone(extras.billing);
  return { topic: `veolia/${contract.id}`, timestamp: dayTimestamp(day.date), payload };
}

/**
 * The values of a day, like the commands of the Jeedom plugin: litres, index (L), billed (m³),
 * then cost (€), month and year (litres, with their `cost` and `days` beside), and billing.
 * Values that are null are not sent.
 */
export function valueMessages(contract: Contract, day: DayRecord, billed: BilledVolume | null, extras: DayExtras): WaterMessage[] {
  const timestamp = dayTimestamp(day.date);
  const extra = { contract: contract.id, date: day.date };
  const { month, year, cost } = extras.totals;
  const messages: Array<WaterMessage & Record<string, unknown>> = [
    { topic: 'consumption', timestamp, payload: day.litres, ...extra },
    { topic: 'index', timestamp, payload: day.indexLitres, ...extra },
    { topic: 'billed', timestamp, payload: billed?.m3 ?? null, ...extra },
    { topic: 'cost', timestamp, payload: cost, ...extra },
    { topic: 'month', timestamp, payload: month.litres, cost: month.cost, days: month.days, ...extra },
    { topic: 'year', timestamp, payload: year.litres, cost: year.cost, days: year.days, ...extra },
  ];
  if (extras.billing) messages.push({ topic: 'billing', timestamp, payload: structuredClone(extras.billing), ...extra });
  return messages.filter((m) => m.payload !== null);
}

/** One month of `output: months`; `msg.timestamp` = the month's first day. */
export function monthMessage(contract: Contract, value: MonthValue): WaterMessage {
  return {
    topic: `veolia/${contract.id}`,
    timestamp: dayTimestamp(`${value.month}-01`),
    payload: { contract: { id: contract.id, meter: contract.meter }, ...value },
  };
}
