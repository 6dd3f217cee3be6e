import { dayTimestamp } from './ledger';
import { BilledVolume, Contract, DayRecord } from './model';

/** One day of water as product-spec §3.3 shows it. */
export interface WaterDayPayload {
  contract: { id: string; meter: string };
  date: string;
  litres: number;
  indexLitres: number | null;
  estimated: boolean;
  billed: BilledVolume | null;
}

export interface WaterMessage {
  topic: string;
  /** Start of the day in Europe/Paris, epoch ms: charts plot the day where it belongs. */
  timestamp: number;
  payload: WaterDayPayload | number | null;
}

/** Each message gets its own copy of everything it holds: the receiver may change it (spec §4.1). */
export function dayMessage(contract: Contract, day: DayRecord, billed: BilledVolume | null): WaterMessage {
  return {
    topic: `veolia/${contract.id}`,
    timestamp: dayTimestamp(day.date),
    payload: { contract: { id: contract.id, meter: contract.meter }, date: day.date, litres: day.litres, indexLitres: day.indexLitres, estimated: day.estimated, billed: billed ? structuredClone(billed) : null },
  };
}

/** The three values of a day, like the three commands of the Jeedom plugin: litres, index (L), billed (m³). */
export function valueMessages(contract: Contract, day: DayRecord, billed: BilledVolume | null): WaterMessage[] {
  const timestamp = dayTimestamp(day.date);
  const extra = { contract: contract.id, date: day.date };
  return [
    { topic: 'consumption', timestamp, payload: day.litres, ...extra },
    { topic: 'index', timestamp, payload: day.indexLitres, ...extra },
    { topic: 'billed', timestamp, payload: billed?.m3 ?? null, ...extra },
  ].filter((m) => m.payload !== null);
}
