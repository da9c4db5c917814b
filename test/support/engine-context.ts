import './test-env';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { DomainError, type Actor, type CommandRequest } from '../../libs/domain/src';
import { EngineModule, ExecuteCommandUseCase, RegisterProjectUseCase } from '../../libs/engine/src';
import type { CommandContext, CommandResult } from '../../libs/engine/src';
import { DataSource, ProcedureStore } from '../../libs/persistence/src';
import { QueueModule } from '../../libs/queue/src';
import type { DepartmentCode } from '../../workflows/src';
import { projectBody } from './fixtures';

/**
 * The engine's use cases in a Nest application context on the real PostgreSQL (no HTTP): what
 * the integration tests drive. Actors get fresh ids so runs never share idempotency keys.
 */
export interface EngineContext {
  app: INestApplicationContext;
  ds: DataSource;
  store: ProcedureStore;
  register(
    mode?: 'approval' | 'verification' | 'filing',
    org?: string,
  ): Promise<{ projectId: string; procedureId: string; org: string }>;
  run(
    procedureId: string,
    itemKey: string,
    cmd: CommandRequest,
    actor: Actor,
    extra?: Partial<CommandContext>,
  ): Promise<CommandResult>;
  close(): Promise<void>;
}

export const actors = {
  applicant: (org: string): Actor => ({
    id: `app-${randomUUID()}`,
    name: '项目单位经办人',
    role: 'applicant',
    org,
  }),
  officer: (department: DepartmentCode): Actor => ({
    id: `dep-${randomUUID()}`,
    name: '审批科员',
    role: 'department',
    department,
  }),
  admin: (): Actor => ({ id: `adm-${randomUUID()}`, name: '系统管理员', role: 'admin' }),
};

/** The engine as the processes run it: its timers go to the real queue. */
@Module({ imports: [EngineModule, QueueModule] })
class EngineTestModule {}

export async function startEngine(): Promise<EngineContext> {
  const app = await NestFactory.createApplicationContext(EngineTestModule, { logger: false });
  await app.init();
  const registerUseCase = app.get(RegisterProjectUseCase);
  const execute = app.get(ExecuteCommandUseCase);
  return {
    app,
    ds: app.get(DataSource),
    store: app.get(ProcedureStore),
    async register(mode = 'verification', org = `org-${randomUUID().slice(0, 8)}`) {
      const body = projectBody(org, { approvalMode: mode });
      const r = await registerUseCase.execute(body as never, {
        actor: actors.applicant(org),
        requestId: null,
      });
      return { projectId: r.id, procedureId: r.procedureId, org };
    },
    run(procedureId, itemKey, cmd, actor, extra = {}) {
      return execute.execute(procedureId, itemKey, cmd, {
        actor,
        requestId: randomUUID(),
        idempotencyKey: null,
        ifMatch: null,
        ...extra,
      });
    },
    close: () => app.close(),
  };
}

/** The DomainError a promise rejected with (fails the test if it resolved or threw anything else). */
export async function refusal(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a refusal, the command was accepted');
}
