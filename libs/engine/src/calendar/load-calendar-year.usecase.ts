import { Injectable, Logger } from '@nestjs/common';
import { WorkingDayCalendar } from '@qianqi/calendar';
import {
  actorMetadata,
  ErrorCode,
  hashEvent,
  ValidationError,
  type Actor,
  type FieldProblem,
} from '@qianqi/domain';
import { CalendarStore, DataSource, ProcedureStore } from '@qianqi/persistence';
import { CalendarDeadlines } from '../calendar-deadlines';
import { Clock } from '../clock';
import { DefinitionsService } from '../definitions.service';
import { FireTimerUseCase } from '../timers/fire-timer.usecase';
import { TimerScheduler } from '../timers/timer-scheduler.port';
import type { LoadCalendarYearCommand } from './load-calendar-year.command';

/** The calendar's own stream: every loaded year is an event there, hash-chained like the rest. */
export const CALENDAR_STREAM_ID = '00000000-0000-4000-8000-00000000ca1e';
export const CALENDAR_YEAR_LOADED = 'CalendarYearLoaded';

/**
 * An admin loads a newly published year (国务院 notice). Deadlines computed provisionally on
 * weekends alone are recomputed, and their timers re-armed.
 */
@Injectable()
export class LoadCalendarYearUseCase {
  private readonly logger = new Logger('Calendar');

  constructor(
    private readonly ds: DataSource,
    private readonly calendars: CalendarStore,
    private readonly store: ProcedureStore,
    private readonly deadlines: CalendarDeadlines,
    private readonly clock: Clock,
    private readonly fire: FireTimerUseCase,
    private readonly scheduler: TimerScheduler,
    private readonly definitions: DefinitionsService,
  ) {}

  async execute(actor: Actor, year: number, cmd: LoadCalendarYearCommand) {
    const problems: FieldProblem[] = [];
    if (!Number.isInteger(year) || year < 2000 || year > 2100) {
      problems.push({ field: 'year', rule: 'range', message: 'year must be an integer from 2000 to 2100' });
    }
    for (const field of ['daysOff', 'workdays'] as const) {
      for (const d of cmd[field]) {
        if (!d.startsWith(`${year}-`))
          problems.push({ field, rule: 'sameYear', message: `${d} is not in ${year}` });
      }
    }
    const both = cmd.daysOff.filter((d) => cmd.workdays.includes(d));
    if (both.length)
      problems.push({
        field: 'workdays',
        rule: 'disjoint',
        message: `${both.join(', ')} listed as both day off and workday`,
      });
    if (!problems.length) {
      try {
        WorkingDayCalendar.bundled().withYears([{ year, daysOff: cmd.daysOff, workdays: cmd.workdays }]);
      } catch (err) {
        problems.push({ field: 'daysOff', rule: 'validDate', message: (err as Error).message });
      }
    }
    if (problems.length) throw new ValidationError(problems, ErrorCode.INVALID_CALENDAR);

    const at = this.clock.now();
    const daysOff = [...new Set(cmd.daysOff)].sort();
    const workdays = [...new Set(cmd.workdays)].sort();
    const event = await this.ds.transaction(async (m) => {
      await this.calendars.save({ year, daysOff, workdays, loadedBy: actor.id, loadedAt: at }, m);
      return this.store.appendToStream(
        CALENDAR_STREAM_ID,
        (version, prevHash) => {
          const unhashed = {
            streamId: CALENDAR_STREAM_ID,
            version: version + 1,
            type: CALENDAR_YEAR_LOADED,
            data: { year, daysOff, workdays },
            metadata: {
              actor: actorMetadata(actor),
              requestId: null,
              idempotencyKey: null,
              occurredAt: at,
              definition: 'calendar',
            },
            prevHash,
          };
          return { ...unhashed, hash: hashEvent(unhashed) };
        },
        m,
      );
    });
    await this.reload();
    const recomputed = await this.recomputeProvisional();
    this.logger.log(`calendar ${year} loaded by ${actor.id}; ${recomputed} procedures recomputed`);
    return { year, daysOff: daysOff.length, workdays: workdays.length, version: event.version, recomputed };
  }

  async reload(): Promise<void> {
    const years = await this.calendars.years();
    this.deadlines.load(years.map((y) => ({ year: y.year, daysOff: y.daysOff, workdays: y.workdays })));
  }

  /** Deadlines marked provisional are computed again with the calendar as it now stands. */
  private async recomputeProvisional(): Promise<number> {
    const ids = await this.store.procedureIdsWithProvisionalItems();
    const now = this.clock.now();
    for (const id of ids) {
      const armed = await this.ds.transaction(async (m) => {
        const loaded = await this.store.load(id, { manager: m, forUpdate: true });
        // (A version this deployment does not ship is not decided here either: it waits.)
        if (!loaded || !this.definitions.ships(loaded.definition)) return [];
        const timers = await this.fire.tickInTx(m, id, now > loaded.updatedAt ? now : loaded.updatedAt);
        const fresh = (await this.store.load(id, { manager: m }))!;
        await this.store.refresh(id, this.fire.rowsOf(fresh, now), [], m);
        return timers;
      });
      await this.scheduler.deliver(armed);
    }
    return ids.length;
  }
}
