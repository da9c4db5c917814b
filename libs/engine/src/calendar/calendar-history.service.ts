import { Injectable } from '@nestjs/common';
import { CalendarStore } from '@qianqi/persistence';
import { CalendarDeadlines } from '../calendar-deadlines';
import { calendarYearsAsOf, loadedAtInstant, type RecordedCalendarLoad } from './calendar-as-of';
import { CALENDAR_STREAM_ID } from './load-calendar-year.usecase';

/**
 * The working-day calendar as it stood at a past moment, from the calendar's own stream: a replay
 * to a moment before a year was loaded computes that year's dates on weekends alone, marked
 * provisional, as the live API did then.
 */
@Injectable()
export class CalendarHistory {
  constructor(private readonly calendars: CalendarStore) {}

  /**
   * Deadlines for a replay of `procedureId` to `asOf`, built from the record alone (bundled data
   * plus the recorded loads), not from this process's calendar, which may lag another's upload.
   */
  async deadlinesAsOf(procedureId: string, asOf: string): Promise<CalendarDeadlines> {
    const loads = await this.loads();
    const last = loadedAtInstant(loads, asOf) ? await this.calendars.lastPositionAt(procedureId, asOf) : null;
    return CalendarDeadlines.of(calendarYearsAsOf(loads, asOf, last));
  }

  /**
   * For a timeline: each event of `procedureId` gets the calendar as it stood when it was
   * recorded (a load at the very same instant counts if it came first), so a line's due date is
   * the one the live API gave then. Calendars are shared by the events that saw the same loads.
   */
  async deadlinesAlong(
    procedureId: string,
  ): Promise<(e: { version: number; metadata: { occurredAt: string } }) => CalendarDeadlines> {
    const loads = await this.loads();
    const instants = new Set(loads.map((l) => Date.parse(l.occurredAt)));
    let positions: Map<number, number> | null = null;
    if (instants.size) positions = await this.calendars.positionsOf(procedureId);
    const byLoads = new Map<string, CalendarDeadlines>();
    return (e) => {
      const at = e.metadata.occurredAt;
      const tie = instants.has(Date.parse(at)) ? (positions?.get(e.version) ?? null) : null;
      const years = calendarYearsAsOf(loads, at, tie);
      const key = JSON.stringify(years);
      let calc = byLoads.get(key);
      if (!calc) byLoads.set(key, (calc = CalendarDeadlines.of(years)));
      return calc;
    };
  }

  private async loads(): Promise<RecordedCalendarLoad[]> {
    return (await this.calendars.recordedLoads(CALENDAR_STREAM_ID)).map((l) => ({
      position: l.position,
      occurredAt: l.occurredAt,
      year: { year: l.year, daysOff: l.daysOff, workdays: l.workdays },
    }));
  }
}
