/**
 * Statutory holidays and 调休 make-up days bundled with the `chinese-days` package.
 *
 * The package's `chinese-days.json` holds `holidays`, `workdays` and `inLieuDays` maps keyed by
 * 'YYYY-MM-DD'. Only the first two matter here: `inLieuDays` marks which holidays were "paid
 * back" by a make-up day, which is already reflected in the other two maps.
 */
import data from 'chinese-days/dist/chinese-days.json';
import type { CalendarYear } from './calendar.types';

interface ChineseDaysJson {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

let cached: readonly CalendarYear[] | undefined;

/**
 * The bundled data grouped by year. A year counts as known only when it has holiday entries:
 * the package lists nothing for years whose notice is not out yet, and a year with make-up days
 * but no holidays would be a data error rather than a real calendar.
 * Parsed once per process because deadlines are recomputed on every read.
 */
export function bundledCalendarYears(): readonly CalendarYear[] {
  if (cached) return cached;
  const json = data as ChineseDaysJson;
  const byYear = new Map<number, CalendarYear>();
  for (const date of Object.keys(json.holidays)) {
    const year = Number(date.slice(0, 4));
    let entry = byYear.get(year);
    if (!entry) byYear.set(year, (entry = { year, daysOff: [], workdays: [] }));
    entry.daysOff.push(date);
  }
  for (const date of Object.keys(json.workdays)) {
    byYear.get(Number(date.slice(0, 4)))?.workdays.push(date);
  }
  cached = [...byYear.values()].sort((a, b) => a.year - b.year);
  return cached;
}
