/**
 * Calendar dates as integer day numbers (days since 1970-01-01, proleptic Gregorian).
 *
 * Deadlines are computed on every read, so the hot paths work on plain integers instead of
 * `Date` objects or strings: no allocation, no time-zone surprises, and a date range is just
 * two numbers. Strings ('YYYY-MM-DD') are only parsed at the API boundary.
 */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day numbers are only meaningful for four-digit years; anything else is a data error. */
export const MIN_YEAR = 1;
export const MAX_YEAR = 9999;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInYear(year: number): number {
  return isLeapYear(year) ? 366 : 365;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1];
}

/**
 * Day number of a civil date. Howard Hinnant's `days_from_civil`, chosen because it is exact
 * for every Gregorian date and needs no `Date` object (so it cannot pick up the host's zone).
 */
export function dayFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12; // March = 0, so the leap day is the last day of the "year"
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of {@link dayFromCivil} (Hinnant's `civil_from_days`). */
export function civilFromDay(dayNumber: number): { year: number; month: number; day: number } {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Year of a day number without building the whole civil date. */
export function yearOfDay(dayNumber: number): number {
  return civilFromDay(dayNumber).year;
}

/** First day of a year as a day number. */
export function yearStartDay(year: number): number {
  return dayFromCivil(year, 1, 1);
}

/** 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday (4). */
export function weekdayOfDay(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

export function isWeekendDay(dayNumber: number): boolean {
  const w = weekdayOfDay(dayNumber);
  return w === 0 || w === 6;
}

/**
 * Parses a strict 'YYYY-MM-DD'. Strict because `Date.parse` silently rolls 2026-02-30 over into
 * March, and a mistyped holiday in an admin upload must fail loudly instead of shifting a day.
 */
export function parseCivilDate(date: string): number {
  const m = typeof date === 'string' ? DATE_RE.exec(date) : null;
  if (!m) throw new RangeError(`Invalid date '${String(date)}': expected YYYY-MM-DD`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < MIN_YEAR || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(`Invalid date '${date}': no such calendar day`);
  }
  return dayFromCivil(year, month, day);
}

export function formatCivilDate(dayNumber: number): string {
  const { year, month, day } = civilFromDay(dayNumber);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Public helper: the date n calendar days after (or before, for negative n) `date`. */
export function addCalendarDays(date: string, n: number): string {
  if (!Number.isSafeInteger(n)) throw new RangeError(`Invalid day count ${n}`);
  return formatCivilDate(parseCivilDate(date) + n);
}
