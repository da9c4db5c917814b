import { randomUUID } from 'node:crypto';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Actor } from '../../libs/domain/src';
import {
  AdvanceClockUseCase,
  Clock,
  EngineModule,
  EscalationService,
  ExecuteCommandUseCase,
  FireTimerUseCase,
  RegisterProjectUseCase,
} from '../../libs/engine/src';
import { DataSource, EscalationStore, ProcedureStore, TimerStore } from '../../libs/persistence/src';
import { QueueModule, TimerQueue } from '../../libs/queue/src';
import { projectBody } from './fixtures';

/** The engine with its BullMQ side (no Worker): what the API process runs, minus HTTP. */
@Module({ imports: [EngineModule, QueueModule] })
class TimerEngineModule {}

export interface TimerEngine {
  app: INestApplicationContext;
  ds: DataSource;
  store: ProcedureStore;
  timers: TimerStore;
  tickets: EscalationStore;
  escalations: EscalationService;
  fire: FireTimerUseCase;
  queue: TimerQueue;
  clock: Clock;
  advance: AdvanceClockUseCase;
  register(
    overrides?: Record<string, unknown>,
  ): Promise<{ projectId: string; procedureId: string; org: string }>;
  command(procedureId: string, item: string, cmd: Record<string, unknown>, actor: Actor): Promise<unknown>;
  close(): Promise<void>;
}

export const applicant = (org: string): Actor => ({
  id: `app-${randomUUID()}`,
  name: '项目单位经办人',
  role: 'applicant',
  org,
});
export const officer = (department: Actor['department']): Actor => ({
  id: `dep-${randomUUID()}`,
  name: '审批科员',
  role: 'department',
  department,
});

/** Reads DATABASE_URL, QUEUE_PREFIX, CLOCK_MODE and TIMER_* from the environment as the processes do. */
export async function startTimerEngine(): Promise<TimerEngine> {
  const app = await NestFactory.createApplicationContext(TimerEngineModule, { logger: false });
  await app.init();
  const register = app.get(RegisterProjectUseCase);
  const execute = app.get(ExecuteCommandUseCase);
  return {
    app,
    ds: app.get(DataSource),
    store: app.get(ProcedureStore),
    timers: app.get(TimerStore),
    tickets: app.get(EscalationStore),
    escalations: app.get(EscalationService),
    fire: app.get(FireTimerUseCase),
    queue: app.get(TimerQueue),
    clock: app.get(Clock),
    advance: app.get(AdvanceClockUseCase),
    async register(overrides = {}) {
      const org = `org-${randomUUID().slice(0, 8)}`;
      const r = await register.execute(
        projectBody(org, { approvalMode: 'verification', ...overrides }) as never,
        {
          actor: applicant(org),
          requestId: null,
        },
      );
      return { projectId: r.id, procedureId: r.procedureId, org };
    },
    command(procedureId, item, cmd, actor) {
      return execute.execute(procedureId, item, cmd as never, {
        actor,
        requestId: randomUUID(),
        idempotencyKey: null,
        ifMatch: null,
      });
    },
    close: () => app.close(),
  };
}
