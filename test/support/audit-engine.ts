import './test-env';
import { randomUUID } from 'node:crypto';
import { Global, Module, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import type { Actor, CommandRequest } from '../../libs/domain/src';
import {
  AUDIT_PROVIDERS,
  EngineModule,
  EXTRA_DEFINITIONS,
  ExecuteCommandUseCase,
  NoQueueScheduler,
  ProcedureHistory,
  RegisterProjectUseCase,
  TimerScheduler,
  VerifyRecordUseCase,
} from '../../libs/engine/src';
import type { ProcedureDefinition } from '../../workflows/src';
import { DataSource } from '../../libs/persistence/src';
import { projectBody } from './fixtures';
import { TEST_DATABASE_URL } from './test-env';

/**
 * The engine and the audit's services in a Nest application context on the real PostgreSQL (no
 * HTTP, no queue), optionally with definition versions beyond the shipped catalogue.
 */
export interface AuditEngine {
  app: INestApplicationContext;
  register(opts?: {
    definition?: string;
    mode?: 'approval' | 'verification' | 'filing';
  }): Promise<{ procedureId: string; projectId: string; org: string; applicant: Actor }>;
  run(procedureId: string, itemKey: string, cmd: CommandRequest, actor: Actor): Promise<unknown>;
  verify(procedureId: string | null): ReturnType<VerifyRecordUseCase['execute']>;
  history: ProcedureHistory;
  close(): Promise<void>;
}

export const auditActors = {
  officer: (department: Actor['department']): Actor => ({
    id: `dep-${randomUUID()}`,
    name: '审批科员',
    role: 'department',
    department,
  }),
  auditor: (): Actor => ({ id: `aud-${randomUUID()}`, name: '审计员', role: 'auditor' }),
  admin: (): Actor => ({ id: `adm-${randomUUID()}`, name: '系统管理员', role: 'admin' }),
};

export async function startAuditEngine(extra: ProcedureDefinition[] = []): Promise<AuditEngine> {
  @Global()
  @Module({
    providers: [
      { provide: TimerScheduler, useClass: NoQueueScheduler },
      { provide: EXTRA_DEFINITIONS, useValue: extra },
      ...AUDIT_PROVIDERS,
    ],
    exports: [
      TimerScheduler,
      EXTRA_DEFINITIONS,
      ...AUDIT_PROVIDERS.map((p) => ('provide' in p ? p.provide : p)),
    ],
  })
  class AuditSupport {}

  @Module({ imports: [EngineModule, AuditSupport] })
  class AuditTestRoot {}

  // Compiled first, initialised second, so a refused boot still hands back what it opened.
  const app = await Test.createTestingModule({ imports: [AuditTestRoot] })
    .setLogger({ log() {}, error() {}, warn() {} })
    .compile();
  try {
    await app.init();
  } catch (err) {
    // A refused boot must not leave its pool open (Nest runs no shutdown hooks for it).
    const ds = app.get(DataSource);
    if (ds.isInitialized) await ds.destroy();
    await app.close().catch(() => undefined);
    throw err;
  }
  const registerUseCase = app.get(RegisterProjectUseCase);
  const execute = app.get(ExecuteCommandUseCase);
  const verifier = app.get(VerifyRecordUseCase);
  const auditor = auditActors.auditor();
  return {
    app,
    history: app.get(ProcedureHistory),
    async register(opts = {}) {
      const org = `org-${randomUUID().slice(0, 8)}`;
      const applicant: Actor = { id: `app-${randomUUID()}`, name: '项目单位经办人', role: 'applicant', org };
      const body = projectBody(org, {
        approvalMode: opts.mode ?? 'verification',
        ...(opts.definition ? { definition: opts.definition } : {}),
      });
      const r = await registerUseCase.execute(body as never, { actor: applicant, requestId: null });
      return { procedureId: r.procedureId, projectId: r.id, org, applicant };
    },
    run: (procedureId, itemKey, cmd, actor) =>
      execute.execute(procedureId, itemKey, cmd, {
        actor,
        requestId: randomUUID(),
        idempotencyKey: null,
        ifMatch: null,
      }),
    verify: (procedureId) => verifier.execute(auditor, procedureId),
    close: () => app.close(),
  };
}

/**
 * What a superuser can do that the application cannot: one statement with the append-only
 * trigger off, in a single transaction that turns it back on before committing, so no other
 * session ever sees the events table unguarded.
 */
export async function asSuperuser(sql: string, args: unknown[] = []): Promise<number> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('ALTER TABLE events DISABLE TRIGGER events_no_update_delete');
    const res = await client.query(sql, args);
    await client.query('ALTER TABLE events ENABLE TRIGGER events_no_update_delete');
    await client.query('COMMIT');
    return res.rowCount ?? 0;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

/** Plain SQL as the superuser (snapshots and read models have no trigger). */
export async function sql<T = Record<string, unknown>>(text: string, args: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(text, args)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Removes test procedures (and their events) so the shared database verifies clean again. */
export async function removeProcedures(ids: string[]): Promise<void> {
  if (!ids.length) return;
  await asSuperuser('DELETE FROM events WHERE stream_id = ANY($1::uuid[])', [ids]);
  for (const table of [
    'procedure_items',
    'procedure_snapshots',
    'timers',
    'escalations',
    'idempotency_keys',
  ]) {
    await sql(`DELETE FROM ${table} WHERE procedure_id = ANY($1::uuid[])`, [ids]);
  }
  await sql('DELETE FROM projects WHERE procedure_id = ANY($1::uuid[])', [ids]);
}
