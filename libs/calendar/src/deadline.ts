/**
 * Deadline of an item from its acceptance instant, limit and clock stops.
 *
 * Conventions (shared with the engine, the API and the warning lights):
 * - All instants in and out are UTC ISO 8601 strings; returned ones come from `toISOString()`
 *   (milliseconds, 'Z'). Days are Asia/Shanghai calendar days (UTC+8, no DST).
 * - Day 0 is the Shanghai date of `startedAt` (the day of acceptance). It never counts.
 * - A limit of n WD ends at 23:59:59 Shanghai of the n-th working day after day 0; a limit of
 *   n ND ends at 23:59:59 Shanghai of day 0 + n (calendar days; holidays do not matter).
 *   n = 0 ends at 23:59:59 of day 0.
 * - Clock stops (补正 correction, 特别程序 special procedures, 行政许可法 §45): a stop from instant A
 *   to instant B removes the units d (working days for WD, calendar days for ND) with
 *   shanghaiDate(A) < d <= shanghaiDate(B). The day the clock stops still counts, the day it
 *   restarts does not, so a stop that starts and ends on the same day removes nothing.
 *   An open stop (no `to`) ends at `now`, so a paused item's due date moves while it is paused.
 *   Stops are merged as day sets first, so overlapping stops never remove a day twice.
 *   Days on or before day 0 are never counted, so the part of a stop before acceptance is ignored.
 * - The due day is the n-th unit after day 0 that was not removed. Hence a stop before the due day
 *   extends the deadline by the units it removes, but a stop entirely after the due day does not
 *   (an overdue item that is then paused stays overdue; its `left` freezes instead).
 * - `used` = units d with day 0 < d <= shanghaiDate(now) not removed by a stop (0 until day 0 has
 *   passed, never negative); `left` = limit.n - used, negative once overdue. On the due day
 *   `left` is 0. `left` counts units, so on a weekend right after a WD due date it can still be 0
 *   while `now` > `dueAt`: compare instants to decide "overdue", use `left` for the warning light.
 * - `provisional` is true when any date whose working-day status was consulted (WD only) lies in
 *   a year the calendar does not know; such years are counted as weekends-only. ND limits never
 *   consult the statutory calendar and so are never provisional.
 */
import type { Deadline, DeadlineInput, Span } from './calendar.types';
import { endOfShanghaiDayNumber, shanghaiDayOf } from './shanghai-time';
import type { WorkingDayCalendar } from './working-day-calendar';

/** Days d with fromExclusive < d <= toInclusive (day numbers). */
interface DayRange {
  fromExclusive: number;
  toInclusive: number;
}

/** How one unit (WD or ND) is counted; lets the deadline walk ignore which unit it is. */
interface UnitCounter {
  count(fromExclusive: number, toInclusive: number): { days: number; provisional: boolean };
  add(from: number, n: number): { day: number; provisional: boolean };
}

const naturalDays: UnitCounter = {
  count: (a, b) => ({ days: Math.max(0, b - a), provisional: false }),
  add: (from, n) => ({ day: from + n, provisional: false }),
};

function workingDays(cal: WorkingDayCalendar): UnitCounter {
  return {
    count: (a, b) => cal.countWorkingDays(a, b),
    add: (from, n) => cal.addWorkingDaysFrom(from, n),
  };
}

/**
 * Stops as disjoint, sorted day ranges, clipped to after day 0.
 * A stop whose end precedes its start (bad data, or an open stop "starting" after `now`) is
 * ignored rather than thrown on: this runs on every read and must not take a whole list down.
 */
export function mergeStops(stops: readonly Span[], day0: number, nowDay: number): DayRange[] {
  const ranges: DayRange[] = [];
  for (const stop of stops) {
    const fromExclusive = Math.max(shanghaiDayOf(stop.from), day0);
    const toInclusive = stop.to == null ? nowDay : shanghaiDayOf(stop.to);
    if (toInclusive > fromExclusive) ranges.push({ fromExclusive, toInclusive });
  }
  ranges.sort((a, b) => a.fromExclusive - b.fromExclusive);
  const merged: DayRange[] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    // (a, b] and (c, d] with c <= b overlap or touch: their union is (a, max(b, d)].
    if (last && r.fromExclusive <= last.toInclusive) {
      last.toInclusive = Math.max(last.toInclusive, r.toInclusive);
    } else {
      merged.push({ ...r });
    }
  }
  return merged;
}

export function computeDeadline(cal: WorkingDayCalendar, input: DeadlineInput): Deadline {
  const { n, unit } = input.limit;
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Invalid limit ${n}`);
  if (unit !== 'WD' && unit !== 'ND') throw new RangeError(`Invalid limit unit '${String(unit)}'`);
  const counter = unit === 'WD' ? workingDays(cal) : naturalDays;

  const day0 = shanghaiDayOf(input.startedAt);
  const nowDay = shanghaiDayOf(input.now);
  const removed = mergeStops(input.stops ?? [], day0, nowDay);
  let provisional = false;

  // Due day: walk the free stretches between stops until n units have been counted.
  let cursor = day0;
  let remaining = n;
  for (const r of removed) {
    const free = counter.count(cursor, r.fromExclusive);
    // The due day lies before this stop; `add` below flags only the days up to it as consulted.
    if (free.days >= remaining) break;
    provisional ||= free.provisional;
    remaining -= free.days;
    cursor = r.toInclusive; // skip the stopped days without consulting them
  }
  const due = counter.add(cursor, remaining);
  provisional ||= due.provisional;

  // Used: units elapsed up to today, minus those inside a stop.
  const elapsed = counter.count(day0, nowDay);
  provisional ||= elapsed.provisional;
  let used = elapsed.days;
  for (const r of removed) {
    if (r.fromExclusive >= nowDay) break;
    used -= counter.count(r.fromExclusive, Math.min(r.toInclusive, nowDay)).days;
  }

  return { dueAt: endOfShanghaiDayNumber(due.day), provisional, used, left: n - used };
}
