import { invalidInput } from '../http/errors';
import { MAX_TIMER_MS } from './poller';

/**
 * Calendar days and once-a-day timing in the household's time zone.
 *
 * Why Europe/Paris and not the process time zone: Veolia dates its readings in French calendar
 * days, and Node-RED often runs in a container whose clock is UTC. A `syncTime` of 07:00 means
 * 07:00 in France whatever the host says. Every helper takes the zone as an option anyway.
 */
export const DEFAULT_TIME_ZONE = 'Europe/Paris';
export const DEFAULT_SYNC_TIME = '07:00';

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SYNC_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** A calendar date 'YYYY-MM-DD' that exists (no 2026-02-30). */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** Calendar arithmetic on 'YYYY-MM-DD' (no time zone involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function wallTime(epochMs: number, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(epochMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour % 24, minute: parts.minute, second: parts.second };
}

/** Offset of the zone from UTC at an instant, in ms (Paris: +1 h in winter, +2 h in summer). */
function offsetMs(epochMs: number, timeZone: string): number {
  const w = wallTime(epochMs, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

/** The calendar date of an instant in the zone. */
export function zonedDate(epochMs: number, timeZone = DEFAULT_TIME_ZONE): string {
  const w = wallTime(epochMs, timeZone);
  return `${String(w.year).padStart(4, '0')}-${pad(w.month)}-${pad(w.day)}`;
}

/**
 * The instant a wall-clock time occurs in the zone. Around DST changes it follows the usual
 * "compatible" rule: a time skipped by the spring change is moved forward by the gap (02:30 →
 * 03:30), a time repeated by the autumn change takes its first occurrence.
 */
export function zonedTimeToEpoch(date: string, hour: number, minute: number, timeZone = DEFAULT_TIME_ZONE): number {
  const [y, m, d] = date.split('-').map(Number);
  const asUtc = Date.UTC(y, m - 1, d, hour, minute);
  const before = offsetMs(asUtc - DAY_MS, timeZone);
  const after = offsetMs(asUtc + DAY_MS, timeZone);
  const matches = [asUtc - before, asUtc - after].filter((t) => {
    const w = wallTime(t, timeZone);
    return w.year === y && w.month === m && w.day === d && w.hour === hour && w.minute === minute;
  });
  if (matches.length > 0) return Math.min(...matches);
  return asUtc - before;
}

/** Start (00:00) of a calendar date in the zone, as epoch ms. */
export function startOfZonedDay(date: string, timeZone = DEFAULT_TIME_ZONE): number {
  return zonedTimeToEpoch(date, 0, 0, timeZone);
}

export interface SyncTime {
  hour: number;
  minute: number;
}

export function isValidSyncTime(value: unknown): value is string {
  return typeof value === 'string' && SYNC_TIME.test(value.trim());
}

/** 'HH:MM' (24 h clock, leading zeros) → hour and minute; anything else is INVALID_INPUT. */
export function parseSyncTime(value: unknown): SyncTime {
  if (!isValidSyncTime(value)) throw invalidInput(`sync time must be HH:MM (00:00 to 23:59), got ${JSON.stringify(value)}`);
  const [hour, minute] = value.trim().split(':').map(Number);
  return { hour, minute };
}

/**
 * Next run strictly after `now`: today's `syncTime` in the zone plus `jitterMs` if still ahead,
 * else tomorrow's. The jitter is a fixed offset picked once by the caller, so that many
 * installations do not all call the service at the same second.
 */
export function nextDailyRun(syncTime: string, now: Date, jitterMs = 0, timeZone = DEFAULT_TIME_ZONE): Date {
  const { hour, minute } = parseSyncTime(syncTime);
  const jitter = Number.isFinite(jitterMs) ? Math.min(Math.max(0, Math.floor(jitterMs)), DAY_MS - 1) : 0;
  const today = zonedDate(now.getTime(), timeZone);
  // Yesterday's run can still be ahead when the jitter pushes it past midnight.
  for (const offset of [-1, 0, 1, 2]) {
    const at = zonedTimeToEpoch(addDays(today, offset), hour, minute, timeZone) + jitter;
    if (at > now.getTime()) return new Date(at);
  }
  return new Date(now.getTime() + DAY_MS);
}

/** A random jitter in [0, maxMs), to be picked once per node. */
export function randomJitterMs(maxMs: number, random: () => number = Math.random): number {
  return Math.floor(Math.max(0, maxMs) * random());
}

export interface DailyTimerOptions {
  syncTime: string;
  jitterMs?: number;
  timeZone?: string;
  now?: () => number;
}

/** Longest single wait: waking up hourly keeps the timer right after a suspend or clock change. */
const MAX_WAIT_MS = Math.min(3_600_000, MAX_TIMER_MS);

/**
 * Runs `task` once a day at the sync time. The task must not throw; a rejection is swallowed so
 * no timer ever throws. `stop()` releases the timer.
 */
export class DailyTimer {
  private timer?: NodeJS.Timeout;
  private target?: number;
  private readonly now: () => number;

  constructor(
    private readonly task: () => Promise<void> | void,
    private readonly options: DailyTimerOptions,
  ) {
    parseSyncTime(options.syncTime);
    this.now = options.now ?? Date.now;
  }

  get nextRun(): Date | undefined {
    return this.target === undefined ? undefined : new Date(this.target);
  }

  get active(): boolean {
    return this.target !== undefined;
  }

  start(): void {
    this.stop();
    this.target = nextDailyRun(this.options.syncTime, new Date(this.now()), this.options.jitterMs, this.options.timeZone).getTime();
    this.arm();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.target = undefined;
  }

  private arm(): void {
    if (this.target === undefined) return;
    const wait = Math.max(0, Math.min(this.target - this.now(), MAX_WAIT_MS));
    this.timer = setTimeout(() => this.tick(), wait);
  }

  private tick(): void {
    this.timer = undefined;
    if (this.target === undefined) return;
    if (this.now() < this.target) {
      this.arm();
      return;
    }
    this.start();
    try {
      void Promise.resolve(this.task()).catch(() => undefined);
    } catch {
      // A synchronous throw must not escape the timer either.
    }
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
