import type { HouseMode } from './house-mode';
import { HeatingState } from './model';

export interface TopicValue {
  topic: string;
  payload: number | boolean | string | null;
}

/**
 * The `mode` value: `"off"` (heating system off), `"holiday"` (a holiday running at `at`),
 * `"away"` (leave-home), else `"home"` (a holiday planned for later is still home).
 */
export type HouseModeName = 'home' | 'away' | 'holiday' | 'off';

export function houseModeName(mode: HouseMode, at: string): HouseModeName {
  if (mode.heatingSystem === 'off') return 'off';
  const holiday = mode.holiday;
  if (holiday && (holiday.from === null || holiday.from <= at) && (holiday.to === null || at < holiday.to)) return 'holiday';
  return mode.away ? 'away' : 'home';
}

/**
 * The state as one message per value (product-spec §3.1 `output: values`), so that charts and
 * gauges take them directly: series by topic, bare payload.
 */
export function stateValues(state: HeatingState): TopicValue[] {
  const values: TopicValue[] = [
    { topic: 'temperature', payload: state.temperature },
    { topic: 'humidity', payload: state.humidity },
    { topic: 'setpoint', payload: state.setpoint },
    { topic: 'heating', payload: state.heating },
    { topic: 'heatingSystem', payload: state.heatingSystem },
    { topic: 'mode', payload: houseModeName(state.mode, state.updatedAt) },
    { topic: 'away', payload: state.mode.away },
    // A bare value: the holiday's end, while one is planned or running.
    { topic: 'holiday', payload: state.mode.holiday?.to ?? null },
    { topic: 'program', payload: state.program },
    { topic: 'lastPresence', payload: state.lastPresence },
    { topic: 'temporary', payload: state.temporary.active },
    { topic: 'temporaryEndAt', payload: state.temporary.endAt ?? null },
    { topic: 'thermostat/battery', payload: state.thermostat?.battery ?? null },
    { topic: 'thermostat/lastCommunication', payload: state.thermostat?.lastCommunication ?? null },
    { topic: 'gateway/lastCommunication', payload: state.gateway?.lastCommunication ?? null },
  ];
  for (const zone of state.zones) {
    const prefix = `zone/${zone.name}`;
    if (zone.kind === 'pilot-wire') {
      values.push(
        { topic: `${prefix}/order`, payload: zone.order },
        { topic: `${prefix}/orderName`, payload: zone.orderName },
        { topic: `${prefix}/temporary`, payload: zone.temporary.active },
        { topic: `${prefix}/lastCommunication`, payload: zone.lastCommunication },
        { topic: `${prefix}/next`, payload: zone.next?.order ?? null },
      );
    } else {
      values.push(
        { topic: `${prefix}/temperature`, payload: zone.temperature },
        { topic: `${prefix}/setpoint`, payload: zone.setpoint },
        { topic: `${prefix}/temporary`, payload: zone.temporary.active },
        { topic: `${prefix}/next`, payload: zone.next?.setpoint ?? null },
      );
    }
    values.push({ topic: `${prefix}/openWindow`, payload: zone.openWindow });
  }
  // Absent data is not sent as a value: a chart would plot it as 0.
  return values.filter((v) => v.payload !== null);
}

/** Values whose payload differs from `previous` (all of them when there is none). */
export function changedValues(current: TopicValue[], previous: TopicValue[] | undefined): TopicValue[] {
  if (!previous) return current;
  const before = new Map(previous.map((v) => [v.topic, v.payload]));
  return current.filter((v) => !before.has(v.topic) || before.get(v.topic) !== v.payload);
}

/** The state without its timestamp, for "has anything changed" comparisons. */
export function stateFingerprint(state: HeatingState): string {
  return JSON.stringify({ ...state, updatedAt: undefined });
}
