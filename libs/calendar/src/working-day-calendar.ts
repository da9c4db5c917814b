/**
 * The working-day calendar: weekends, statutory holidays and 调休 make-up working days.
 *
 * Immutable: loading a year returns a new calendar, so a calendar handed to a long computation
 * never changes under it, and callers can swap the instance atomically when an admin uploads a
 * newly published year.
 *
 * Each year is precomputed into a prefix-sum table (working days among the first i days of the
 * year). That makes "is this a working day", "how many working days between" and "n-th working
 * day after" O(1)/O(log n) per year touched, which matters because every read of every item
 * recomputes its deadline.
 */
import type { CalendarYear } from './calendar.types';
import { bundledCalendarYears } from './bundled-years';
import {
  MAX_YEAR,
  MIN_YEAR,
  daysInYear,
  formatCivilDate,
  isWeekendDay,
  parseCivilDate,
  yearOfDay,
  yearStartDay,
} from './civil-date';

interface YearTable {
  readonly year: number;
  /** Day number of 1 January. */
  readonly start: number;
  readonly length: number;
  /** False = no statutory data for this year: weekends only, results are provisional. */
  readonly known: boolean;
  /** prefix[i] = working days among the first i days of the year (length + 1 entries). */
  readonly prefix: Uint16Array;
}

function buildTable(
  year: number,
  known: boolean,
  daysOff: ReadonlySet<number> = new Set(),
  workdays: ReadonlySet<number> = new Set(),
): YearTable {
  const start = yearStartDay(year);
  const length = daysInYear(year);
  const prefix = new Uint16Array(length + 1);
  for (let i = 0; i < length; i++) {
    const day = start + i;
    // A listed make-up day wins over the weekend; a listed day off wins over the weekday.
    const working = workdays.has(day) || (!daysOff.has(day) && !isWeekendDay(day));
    prefix[i + 1] = prefix[i] + (working ? 1 : 0);
  }
  return { year, start, length, known, prefix };
}

/** Weekends-only tables do not depend on any data, so all calendars share them. */
const weekendOnlyTables = new Map<number, YearTable>();

function assertYear(year: number): void {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new RangeError(`Year ${year} is outside ${MIN_YEAR}..${MAX_YEAR}`);
  }
}

function datesOfYear(year: number, dates: unknown, field: string): Set<number> {
  if (!Array.isArray(dates)) throw new RangeError(`Calendar year ${year}: ${field} must be an array`);
  const out = new Set<number>();
  for (const date of dates) {
    const day = parseCivilDate(date as string);
    // A date of another year is almost certainly a typo in the upload; refuse it rather than
    // silently ignoring it (it would not be looked up in this year's table anyway).
    if (yearOfDay(day) !== year) {
      throw new RangeError(`Calendar year ${year}: ${field} contains ${String(date)} of another year`);
    }
    out.add(day);
  }
  return out;
}

function tableFromCalendarYear(cy: CalendarYear): YearTable {
  assertYear(cy.year);
  const daysOff = datesOfYear(cy.year, cy.daysOff, 'daysOff');
  const workdays = datesOfYear(cy.year, cy.workdays, 'workdays');
  for (const day of workdays) {
    if (daysOff.has(day)) {
      throw new RangeError(
        `Calendar year ${cy.year}: ${formatCivilDate(day)} is both a day off and a workday`,
      );
    }
  }
  return buildTable(cy.year, true, daysOff, workdays);
}

/** Smallest k in [lo, hi] with prefix[k] >= target; caller guarantees one exists. */
function lowerBound(prefix: Uint16Array, lo: number, hi: number, target: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (prefix[mid] >= target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export class WorkingDayCalendar {
  private static bundledInstance: WorkingDayCalendar | undefined;

  private constructor(private readonly years: ReadonlyMap<number, YearTable>) {}

  /** Calendar with the data bundled in `chinese-days`; built once per process. */
  static bundled(): WorkingDayCalendar {
    return (WorkingDayCalendar.bundledInstance ??= WorkingDayCalendar.fromYears(bundledCalendarYears()));
  }

  /** Calendar that knows only the given years (no bundled data); handy for tests and replays. */
  static fromYears(years: readonly CalendarYear[]): WorkingDayCalendar {
    return new WorkingDayCalendar(new Map()).withYears(years);
  }

  /**
   * New calendar with these years loaded; each replaces whatever this calendar had for that year
   * (bundled or earlier loaded). Throws on malformed input, before anything is replaced.
   */
  withYears(years: readonly CalendarYear[]): WorkingDayCalendar {
    const next = new Map(this.years);
    const seen = new Set<number>();
    for (const cy of years) {
      // Two entries for one year in one upload is ambiguous; better to refuse than pick one.
      if (seen.has(cy.year)) throw new RangeError(`Calendar year ${cy.year} given twice`);
      seen.add(cy.year);
      next.set(cy.year, tableFromCalendarYear(cy));
    }
    return new WorkingDayCalendar(next);
  }

  knowsYear(year: number): boolean {
    return this.years.has(year);
  }

  knownYears(): number[] {
    return [...this.years.keys()].sort((a, b) => a - b);
  }

  isWorkingDay(date: string): { working: boolean; provisional: boolean } {
    const day = parseCivilDate(date);
    const t = this.table(yearOfDay(day));
    const i = day - t.start;
    return { working: t.prefix[i + 1] !== t.prefix[i], provisional: !t.known };
  }

  /** The n-th working day strictly after `date` (n = 0 gives `date` itself). */
  addWorkingDays(date: string, n: number): { date: string; provisional: boolean } {
    const r = this.addWorkingDaysFrom(parseCivilDate(date), n);
    return { date: formatCivilDate(r.day), provisional: r.provisional };
  }

  /** Working days d with fromExclusive < d <= toInclusive; 0 when toInclusive <= fromExclusive. */
  workingDaysBetween(fromExclusive: string, toInclusive: string): { days: number; provisional: boolean } {
    return this.countWorkingDays(parseCivilDate(fromExclusive), parseCivilDate(toInclusive));
  }

  /**
   * Day-number form of {@link addWorkingDays}, for deadline computation.
   * Walks whole years through their prefix tables, then binary-searches inside the last one.
   * @internal
   */
  addWorkingDaysFrom(fromDay: number, n: number): { day: number; provisional: boolean } {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Invalid working-day count ${n}`);
    if (n === 0) return { day: fromDay, provisional: false }; // nothing consulted
    let t = this.table(yearOfDay(fromDay));
    let idx = fromDay - t.start; // index of the last day already passed
    let remaining = n;
    let provisional = false;
    for (;;) {
      // Only a year with at least one consulted day (after `idx`) can make the result provisional.
      if (!t.known && idx + 1 < t.length) provisional = true;
      const base = t.prefix[idx + 1];
      const after = t.prefix[t.length] - base;
      if (after >= remaining) {
        const k = lowerBound(t.prefix, idx + 2, t.length, base + remaining);
        return { day: t.start + k - 1, provisional };
      }
      remaining -= after;
      t = this.table(t.year + 1);
      idx = -1;
    }
  }

  /**
   * Day-number form of {@link workingDaysBetween}.
   * @internal
   */
  countWorkingDays(fromExclusiveDay: number, toInclusiveDay: number): { days: number; provisional: boolean } {
    if (toInclusiveDay <= fromExclusiveDay) return { days: 0, provisional: false };
    const firstYear = yearOfDay(fromExclusiveDay + 1);
    const lastYear = yearOfDay(toInclusiveDay);
    let days = 0;
    let provisional = false;
    for (let y = firstYear; y <= lastYear; y++) {
      const t = this.table(y);
      if (!t.known) provisional = true;
      const lo = Math.max(fromExclusiveDay + 1, t.start) - t.start; // first counted index
      const hi = Math.min(toInclusiveDay, t.start + t.length - 1) - t.start; // last counted index
      days += t.prefix[hi + 1] - t.prefix[lo];
    }
    return { days, provisional };
  }

  private table(year: number): YearTable {
    const known = this.years.get(year);
    if (known) return known;
    let t = weekendOnlyTables.get(year);
    if (!t) {
      assertYear(year); // also stops a runaway addWorkingDaysFrom at year 9999
      t = buildTable(year, false);
      weekendOnlyTables.set(year, t);
    }
    return t;
  }
}
