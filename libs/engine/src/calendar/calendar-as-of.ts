import type { CalendarYear } from '@qianqi/calendar';

/** A `CalendarYearLoaded` event as recorded in the calendar's stream. */
export interface RecordedCalendarLoad {
  /** Global position in the events table: the order loads and commands were written in. */
  position: number;
  occurredAt: string;
  year: CalendarYear;
}

/**
 * The years an admin had loaded as the calendar stood at `asOf`, for a replay of one procedure:
 * the loads recorded before `asOf`, each replacing any earlier load of its year.
 *
 * A load at exactly `asOf` counts unless the procedure's own last event at that instant was
 * written before it (`lastEventPosition`): with a manual clock an officer's ACCEPT and an admin's
 * calendar upload often share an instant, and "the procedure at the moment of its acceptance"
 * is what the acceptance answered, computed on the calendar before the upload. When nothing
 * happened to the procedure at `asOf`, the instant is taken whole, loads included, as replay
 * takes the events at `asOf`.
 */
export function calendarYearsAsOf(
  loads: readonly RecordedCalendarLoad[],
  asOf: string,
  lastEventPosition: number | null,
): CalendarYear[] {
  const limit = Date.parse(asOf);
  const byYear = new Map<number, CalendarYear>();
  for (const load of [...loads].sort((a, b) => a.position - b.position)) {
    const at = Date.parse(load.occurredAt);
    const counts =
      at < limit || (at === limit && (lastEventPosition === null || load.position < lastEventPosition));
    if (counts) byYear.set(load.year.year, load.year);
  }
  return [...byYear.values()].sort((a, b) => a.year - b.year);
}

/** Whether some load was recorded at exactly `asOf` (only then does the tie need the positions). */
export function loadedAtInstant(loads: readonly RecordedCalendarLoad[], asOf: string): boolean {
  const limit = Date.parse(asOf);
  return loads.some((l) => Date.parse(l.occurredAt) === limit);
}
