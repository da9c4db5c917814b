import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, loadConfig } from '@qianqi/config';
import {
  CalendarStore,
  createDataSource,
  DataSource,
  DefinitionStore,
  EscalationStore,
  ItemQueries,
  ProcedureStore,
  ProjectQueries,
  TimerStore,
} from '@qianqi/persistence';
import { CalendarDeadlines } from './calendar-deadlines';
import { CalendarSync } from './calendar/calendar-sync.service';
import { LoadCalendarYearUseCase } from './calendar/load-calendar-year.usecase';
import { Clock, ManualClock, SystemClock } from './clock';
import { DefinitionsService } from './definitions.service';
import { DeadlineEffects } from './escalation/escalation-effects';
import { EscalationQueries } from './escalation/escalation.queries';
import { EscalationService, LEVEL_LIMITS } from './escalation/escalation.service';
import { ExecuteCommandUseCase } from './execute-command/execute-command.usecase';
import { ProcedureEffects } from './execute-command/procedure-effects';
import { ProcedureWriter } from './procedure-writer';
import { ItemDeskQueries } from './queries/item.queries';
import { ProcedureQueries } from './queries/procedure.queries';
import { RegisterProjectUseCase } from './register-project/register-project.usecase';
import { AdvanceClockUseCase } from './timers/advance-clock.usecase';
import { FireTimerUseCase } from './timers/fire-timer.usecase';
import { DEADLINES } from './tokens';

const store = <T>(cls: new (ds: DataSource) => T) => ({
  provide: cls,
  inject: [DataSource],
  useFactory: (ds: DataSource) => new cls(ds),
});

const PROVIDERS = [
  { provide: AppConfig, useFactory: () => loadConfig() },
  {
    provide: DataSource,
    inject: [AppConfig],
    useFactory: async (config: AppConfig) => {
      const ds = createDataSource({ url: config.DATABASE_URL, poolSize: config.DB_POOL_SIZE });
      try {
        return await ds.initialize();
      } catch (err) {
        throw new Error(
          `cannot connect to PostgreSQL at DATABASE_URL (${(err as Error).message}); start it or set DATABASE_URL`,
        );
      }
    },
  },
  store(ProcedureStore),
  store(ProjectQueries),
  store(DefinitionStore),
  store(TimerStore),
  store(EscalationStore),
  store(CalendarStore),
  store(ItemQueries),
  {
    provide: Clock,
    inject: [AppConfig, CalendarStore],
    useFactory: async (config: AppConfig, calendars: CalendarStore) =>
      config.CLOCK_MODE === 'manual'
        ? ManualClock.create(
            () => calendars.manualNow(),
            (now) => calendars.setManualNow(now),
          )
        : new SystemClock(),
  },
  { provide: LEVEL_LIMITS, inject: [AppConfig], useFactory: (config: AppConfig) => config.escalationLimits },
  CalendarDeadlines,
  { provide: DEADLINES, useExisting: CalendarDeadlines },
  CalendarSync,
  DefinitionsService,
  ProcedureWriter,
  EscalationService,
  EscalationQueries,
  { provide: ProcedureEffects, useClass: DeadlineEffects },
  FireTimerUseCase,
  AdvanceClockUseCase,
  LoadCalendarYearUseCase,
  RegisterProjectUseCase,
  ExecuteCommandUseCase,
  ProcedureQueries,
  ItemDeskQueries,
];

/**
 * Everything both processes share: configuration, the database, the catalogue, the engine. The
 * queue (TimerScheduler) comes from QueueModule, which the importing app provides.
 */
@Global()
@Module({
  providers: PROVIDERS,
  exports: PROVIDERS.map((p) => ('provide' in p ? p.provide : p)),
})
export class EngineModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}
