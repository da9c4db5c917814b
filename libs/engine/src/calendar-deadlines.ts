import {
  computeDeadline,
  endOfShanghaiDay,
  shanghaiDate,
  WorkingDayCalendar,
  type CalendarYear,
} from '@qianqi/calendar';
import type { DeadlineCalculator } from '@qianqi/domain';

/**
 * Deadlines from the working-day calendar: bundled statutory data plus the years an admin
 * loaded. Swapping in a new calendar (a year loaded) changes every deadline computed after.
 */
export class CalendarDeadlines implements DeadlineCalculator {
  private calendar = WorkingDayCalendar.bundled();

  /** Deadlines on the bundled data plus these loaded years (a calendar as it once stood). */
  static of(years: CalendarYear[]): CalendarDeadlines {
    const d = new CalendarDeadlines();
    d.load(years);
    return d;
  }

  load(years: CalendarYear[]): void {
    this.calendar = WorkingDayCalendar.bundled().withYears(years);
  }

  get current(): WorkingDayCalendar {
    return this.calendar;
  }

  deadline(input: Parameters<DeadlineCalculator['deadline']>[0]) {
    return computeDeadline(this.calendar, input);
  }

  workingDaysAfter(at: string, days: number) {
    const { date, provisional } = this.calendar.addWorkingDays(shanghaiDate(at), days);
    return { dueAt: endOfShanghaiDay(date), provisional };
  }
}
