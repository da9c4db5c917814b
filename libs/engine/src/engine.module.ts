import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, loadConfig } from '@qianqi/config';
import { createDataSource, DataSource, DefinitionStore, ProcedureStore, ProjectQueries } from '@qianqi/persistence';
import { CalendarDeadlines } from './calendar-deadlines';
import { Clock, SystemClock } from './clock';
import { DefinitionsService } from './definitions.service';
import { ExecuteCommandUseCase } from './execute-command/execute-command.usecase';
import { ProcedureEffects } from './execute-command/procedure-effects';
import { ProcedureQueries } from './queries/procedure.queries';
import { RegisterProjectUseCase } from './register-project/register-project.usecase';
import { DEADLINES } from './tokens';

/** Everything both processes share: configuration, the database, the catalogue, the engine. */
@Global()
@Module({
  providers: [
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
    { provide: ProcedureStore, inject: [DataSource], useFactory: (ds: DataSource) => new ProcedureStore(ds) },
    { provide: ProjectQueries, inject: [DataSource], useFactory: (ds: DataSource) => new ProjectQueries(ds) },
    { provide: DefinitionStore, inject: [DataSource], useFactory: (ds: DataSource) => new DefinitionStore(ds) },
    { provide: Clock, useClass: SystemClock },
    CalendarDeadlines,
    { provide: DEADLINES, useExisting: CalendarDeadlines },
    DefinitionsService,
    ProcedureEffects,
    RegisterProjectUseCase,
    ExecuteCommandUseCase,
    ProcedureQueries,
  ],
  exports: [
    AppConfig,
    DataSource,
    ProcedureStore,
    ProjectQueries,
    DefinitionStore,
    Clock,
    CalendarDeadlines,
    DEADLINES,
    DefinitionsService,
    ProcedureEffects,
    RegisterProjectUseCase,
    ExecuteCommandUseCase,
    ProcedureQueries,
  ],
})
export class EngineModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}
