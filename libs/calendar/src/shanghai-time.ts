/**
 * Conversions between UTC instants and Asia/Shanghai calendar days.
 *
 * China has had a single fixed offset (UTC+8, no DST) since 1991, so a constant offset is exact
 * for every date this system handles and avoids depending on the host's ICU/tz data.
 */
import { formatCivilDate, parseCivilDate } from './civil-date';

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const LAST_SECOND_MS = DAY_MS - 1000; // 23:59:59 — deadlines end on the second, as in official notices

/**
 * An instant must carry its zone (Z or ±hh:mm): a bare local time would be read in the server's
 * zone by `Date.parse`, which silently moves deadlines by eight hours on a UTC host.
 */
const INSTANT_RE = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch of an ISO 8601 instant; throws on anything ambiguous. */
export function parseInstant(instantIso: string): number {
  const m = typeof instantIso === 'string' ? INSTANT_RE.exec(instantIso) : null;
  if (!m) throw new RangeError(`Invalid instant '${String(instantIso)}': expected ISO 8601 with Z or offset`);
  parseCivilDate(m[1]); // rejects 2026-02-30, which Date.parse would roll into March
  const ms = Date.parse(instantIso);
  if (Number.isNaN(ms)) throw new RangeError(`Invalid instant '${instantIso}'`);
  return ms;
}

/** Day number (see civil-date) of the Shanghai calendar day containing the instant. */
export function shanghaiDayOf(instantIso: string): number {
  return Math.floor((parseInstant(instantIso) + SHANGHAI_OFFSET_MS) / DAY_MS);
}

/** UTC instant of 23:59:59.000 Shanghai time on the given day number. */
export function endOfShanghaiDayNumber(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS + LAST_SECOND_MS - SHANGHAI_OFFSET_MS).toISOString();
}

/** 'YYYY-MM-DD' of that instant in Asia/Shanghai. */
export function shanghaiDate(instantIso: string): string {
  return formatCivilDate(shanghaiDayOf(instantIso));
}

/** ISO UTC instant of 23:59:59 Asia/Shanghai that day: '2026-01-05' -> '2026-01-05T15:59:59.000Z'. */
export function endOfShanghaiDay(date: string): string {
  return endOfShanghaiDayNumber(parseCivilDate(date));
}
