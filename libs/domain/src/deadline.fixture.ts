/**
 * Test support for the domain specs: a DeadlineCalculator over the pure calendar library (the
 * engine's CalendarDeadlines does the same behind Nest), and helpers that name Shanghai instants
 * the way the hand-worked cases are written. Not exported from the library's index.
 */
import {
  computeDeadline,
  endOfShanghaiDay,
  shanghaiDate,
  WorkingDayCalendar,
  type CalendarYear,
} from '@qianqi/calendar';
import type { DeadlineCalculator } from './deadline.port';

export function calculator(extraYears: CalendarYear[] = []): DeadlineCalculator {
  const cal = WorkingDayCalendar.bundled().withYears(extraYears);
  return {
    deadline: (input) => computeDeadline(cal, input),
    workingDaysAfter(at, days) {
      const { date, provisional } = cal.addWorkingDays(shanghaiDate(at), days);
      return { dueAt: endOfShanghaiDay(date), provisional };
    },
  };
}

/** Shanghai wall-clock time as an instant: sh('2026-02-09 10:00') → '2026-02-09T10:00:00+08:00'. */
export const sh = (local: string): string => `${local.replace(' ', 'T')}:00+08:00`;
/** The instant a working-day limit ending that Shanghai day runs out: 23:59:59 there. */
export const endOf = (date: string): string => endOfShanghaiDay(date);
/** The first instant after that day's limit: when an item past it turns red. */
export const pastEndOf = (date: string): string =>
  new Date(Date.parse(endOfShanghaiDay(date)) + 1).toISOString();
/** 00:00:00 Shanghai of that day, as a UTC instant: when a light that turns "on day k" turns. */
export const startOf = (date: string): string =>
  new Date(Date.parse(endOfShanghaiDay(date)) - 86_399_000).toISOString();
