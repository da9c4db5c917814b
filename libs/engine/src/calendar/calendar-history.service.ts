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
    const loads: RecordedCalendarLoad[] = (await this.calendars.recordedLoads(CALENDAR_STREAM_ID)).map(
      (l) => ({
        position: l.position,
        occurredAt: l.occurredAt,
        year: { year: l.year, daysOff: l.daysOff, workdays: l.workdays },
      }),
    );
    const last = loadedAtInstant(loads, asOf) ? await this.calendars.lastPositionAt(procedureId, asOf) : null;
    return CalendarDeadlines.of(calendarYearsAsOf(loads, asOf, last));
  }
}
