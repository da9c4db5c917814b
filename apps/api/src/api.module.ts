import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { NoUndeclaredInputGuard } from './http/no-undeclared-input.guard';
import { LoggerModule } from 'nestjs-pino';
import { JwtAuthGuard } from '@qianqi/auth';
import { loadConfig } from '@qianqi/config';
import { AUDIT_PROVIDERS, EngineModule } from '@qianqi/engine';
import { QueueModule } from '@qianqi/queue';
import { AdminController } from './controllers/admin.controller';
import { AuditController } from './controllers/audit.controller';
import { DefinitionsController } from './controllers/definitions.controller';
import { EscalationsController } from './controllers/escalations.controller';
import { HealthController } from './controllers/health.controller';
import { ItemsController } from './controllers/items.controller';
import { ProcedureAuditController } from './controllers/procedure-audit.controller';
import { ProceduresController } from './controllers/procedures.controller';
import { ProjectsController } from './controllers/projects.controller';
import { HealthService } from './health.service';
import { ProblemFilter } from './http/problem.filter';

const LOG_LEVEL = loadConfig().LOG_LEVEL;
const REQUEST_LOGGING = ['trace', 'debug', 'info'].includes(LOG_LEVEL);

@Module({
  imports: [
    LoggerModule.forRoot({
      pinoHttp: {
        level: LOG_LEVEL,
        autoLogging: { ignore: (req) => req.url === '/health' },
        redact: ['req.headers.authorization'],
      },
      // The per-request logger (pino-http's line per request, at info, and the AsyncLocalStorage
      // context nestjs-pino binds it with) only when info lines are written: an active
      // AsyncLocalStorage puts a hook on every promise, about a fifth of a command's CPU.
      ...(REQUEST_LOGGING ? {} : { forRoutes: [] }),
    }),
    EngineModule,
    QueueModule,
  ],
  controllers: [
    HealthController,
    DefinitionsController,
    ProjectsController,
    ProceduresController,
    EscalationsController,
    ItemsController,
    AdminController,
    ProcedureAuditController,
    AuditController,
  ],
  providers: [
    HealthService,
    ...AUDIT_PROVIDERS,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    // After authentication: 401/403 before a 400 for a field the route does not take.
    { provide: APP_GUARD, useClass: NoUndeclaredInputGuard },
    { provide: APP_FILTER, useClass: ProblemFilter },
  ],
})
export class ApiModule {}
