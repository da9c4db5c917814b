import type { Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { RecordedEvent } from '@qianqi/domain';
import type { PersistedProcedure } from '@qianqi/workflows';

export interface ProjectRecord {
  id: string;
  code: string;
  name: string;
  approvalMode: string;
  region: string;
  ownerOrg: string;
  plannedStartDate: string;
  leader: string | null;
  procedureId: string;
  definition: string;
  readyToStart: boolean;
  light: string;
  lightReasons: unknown[];
  version: number;
  registeredAt: string;
  updatedAt: string;
}

export interface LoadedProcedure {
  procedureId: string;
  projectId: string;
  definition: string;
  version: number;
  lastHash: string;
  state: PersistedProcedure;
  updatedAt: string;
  project: Pick<
    ProjectRecord,
    'ownerOrg' | 'leader' | 'code' | 'name' | 'plannedStartDate' | 'region' | 'light' | 'lightReasons'
  >;
}

/** A timer as a command wants it; a null due time cancels it. */
export interface TimerRow {
  kind: string;
  target: string;
  due_at: string | null;
  provisional: boolean;
}

/** A timer the write armed or moved: what the queue must now deliver. */
export interface ArmedTimer {
  id: string;
  version: number;
  dueAt: string;
}

/** One row of the item read model, as the engine computes it from the view. */
export interface ItemRow {
  item_key: string;
  department: string;
  task_force: string;
  stage: number;
  status: string;
  light: string;
  statutory_breach: boolean;
  accepted_at: string | null;
  committed_due_at: string | null;
  statutory_due_at: string | null;
  provisional: boolean;
  open_commitments: number;
}

export interface AppendInput {
  procedureId: string;
  expectedVersion: number;
  state: PersistedProcedure;
  events: RecordedEvent[];
  items: ItemRow[];
  project: { readyToStart: boolean; light: string; lightReasons: unknown[] };
  at: string;
  idempotency?: { actorId: string; key: string; requestHash: string; response: unknown } | null;
  timers?: TimerRow[];
  /** Leave the project row alone (ticket events change no project field). */
  keepProject?: boolean;
}

export const ITEM_COLUMNS = `item_key text, department text, task_force text, stage smallint, status text, light text,
  statutory_breach boolean, accepted_at timestamptz, committed_due_at timestamptz, statutory_due_at timestamptz,
  provisional boolean, open_commitments integer`;

export const EVENT_COLUMNS = `version integer, type text, data jsonb, metadata jsonb, prev_hash text, hash text`;

/** What loading a procedure reads: its snapshot and the project fields a decision needs. */
export function loadColumns(state = 's.state', more = ''): string {
  return `s.procedure_id, s.project_id, s.definition, s.version, s.last_hash, ${state} AS state,
              s.updated_at, p.owner_org, p.leader, p.code, p.name, p.region, p.light, p.light_reasons,
              to_char(p.planned_start_date, 'YYYY-MM-DD') AS planned_start_date${more}
         FROM procedure_snapshots s JOIN projects p ON p.id = s.project_id`;
}

export const LOAD_COLUMNS = loadColumns();

export function toLoaded(r: Record<string, any>): LoadedProcedure {
  return {
    procedureId: r.procedure_id,
    projectId: r.project_id,
    definition: r.definition,
    version: r.version,
    lastHash: r.last_hash,
    state: r.state,
    updatedAt: new Date(r.updated_at).toISOString(),
    project: {
      ownerOrg: r.owner_org,
      leader: r.leader,
      code: r.code,
      name: r.name,
      plannedStartDate: r.planned_start_date,
      region: r.region,
      light: r.light,
      lightReasons: r.light_reasons,
    },
  };
}

export function eventsJson(events: RecordedEvent[]): string {
  return JSON.stringify(
    events.map((e) => ({
      version: e.version,
      type: e.type,
      data: e.data,
      metadata: e.metadata,
      prev_hash: e.prevHash,
      hash: e.hash,
    })),
  );
}

/**
 * The write side of the record. A command is one statement: the snapshot moves only if it is
 * still at the expected version, and every other write hangs off that update, so two concurrent
 * commands cannot both win and a lost race writes nothing.
 */
export class ProcedureStore {
  constructor(private readonly ds: DataSource) {}

  /**
   * The two statements of every command (load, append) run as named prepared statements straight
   * on the pool: PostgreSQL parses and plans each once per connection instead of once per command
   * (for the append CTE, most of its cost on the database side), and the TypeORM query-runner
   * layer is skipped. Inside a transaction (a manager) they run on its connection as before.
   */
  private async run(name: string, text: string, values: unknown[], manager?: EntityManager): Promise<any[]> {
    if (manager) return manager.query(text, values);
    const pool = (this.ds.driver as unknown as { master: Pool }).master;
    return (await pool.query({ name, text, values })).rows;
  }

  async load(
    procedureId: string,
    opts: { manager?: EntityManager; forUpdate?: boolean } = {},
  ): Promise<LoadedProcedure | null> {
    const rows = await this.run(
      opts.forUpdate ? 'qianqi_load_procedure_for_update' : 'qianqi_load_procedure',
      `SELECT ${LOAD_COLUMNS} WHERE s.procedure_id = $1${opts.forUpdate ? ' FOR UPDATE OF s' : ''}`,
      [procedureId],
      opts.manager,
    );
    return rows.length ? toLoaded(rows[0]) : null;
  }

  /**
   * Returns null when the procedure moved on since it was loaded (nothing was written), else the
   * timers this write armed or moved, for the queue to deliver after commit.
   */
  async append(input: AppendInput, manager?: EntityManager): Promise<ArmedTimer[] | null> {
    const last = input.events[input.events.length - 1];
    const idem = input.idempotency ?? null;
    const rows = await this.run(
      'qianqi_append',
      `WITH s AS (
         UPDATE procedure_snapshots SET version = $2, last_hash = $3, state = $4::jsonb, updated_at = $5
          WHERE procedure_id = $1 AND version = $6
          RETURNING procedure_id, project_id),
       e AS (
         INSERT INTO events (stream_id, version, type, data, metadata, occurred_at, prev_hash, hash)
         SELECT s.procedure_id, x.version, x.type, x.data, x.metadata, $5, x.prev_hash, x.hash
           FROM s, json_to_recordset($7::json) AS x(${EVENT_COLUMNS})
         RETURNING version),
       i AS (
         UPDATE procedure_items t SET status = x.status, light = x.light, statutory_breach = x.statutory_breach,
                accepted_at = x.accepted_at, committed_due_at = x.committed_due_at,
                statutory_due_at = x.statutory_due_at, provisional = x.provisional,
                open_commitments = x.open_commitments, updated_at = $5
           FROM s, json_to_recordset($8::json) AS x(${ITEM_COLUMNS})
          WHERE t.procedure_id = s.procedure_id AND t.item_key = x.item_key
         RETURNING 1),
       p AS (
         UPDATE projects SET ready_to_start = $9, light = $10, light_reasons = $11::jsonb, version = $2, updated_at = $5
           FROM s WHERE projects.id = s.project_id AND NOT $17::boolean
         RETURNING 1),
       k AS (
         INSERT INTO idempotency_keys (actor_id, key, procedure_id, request_hash, response)
         SELECT $12, $13, s.procedure_id, $14, $15::json FROM s WHERE $13::text IS NOT NULL
         RETURNING 1),
       t AS (
         INSERT INTO timers AS tm (kind, procedure_id, target, due_at, status, provisional, updated_at)
         SELECT x.kind, s.procedure_id, x.target, x.due_at,
                CASE WHEN x.due_at IS NULL THEN 'cancelled' ELSE 'armed' END, x.provisional, $5
           FROM s, json_to_recordset($16::json) AS x(kind text, target text, due_at timestamptz, provisional boolean)
          -- A slot never armed is not written just to say it is not: no row is the same as cancelled.
          WHERE x.due_at IS NOT NULL OR EXISTS (
                SELECT 1 FROM timers e WHERE e.procedure_id = s.procedure_id AND e.target = x.target AND e.kind = x.kind)
         ON CONFLICT (procedure_id, target, kind) DO UPDATE
            SET due_at = EXCLUDED.due_at, status = EXCLUDED.status, provisional = EXCLUDED.provisional,
                version = tm.version + 1, updated_at = EXCLUDED.updated_at
          WHERE tm.due_at IS DISTINCT FROM EXCLUDED.due_at OR tm.status <> EXCLUDED.status
         RETURNING id, version, due_at, status)
       SELECT (SELECT count(*) FROM s)::int AS updated,
              (SELECT coalesce(json_agg(json_build_object('id', id, 'version', version, 'dueAt', due_at)), '[]')
                 FROM t WHERE status = 'armed') AS armed`,
      [
        input.procedureId,
        last.version,
        last.hash,
        JSON.stringify(input.state),
        input.at,
        input.expectedVersion,
        eventsJson(input.events),
        JSON.stringify(input.items),
        input.project.readyToStart,
        input.project.light,
        JSON.stringify(input.project.lightReasons),
        idem?.actorId ?? null,
        idem?.key ?? null,
        idem?.requestHash ?? null,
        idem ? JSON.stringify(idem.response) : null,
        JSON.stringify(input.timers ?? []),
        input.keepProject ?? false,
      ],
      manager,
    );
    if (rows[0].updated !== 1) return null;
    return (rows[0].armed as { id: string; version: number; dueAt: string }[]).map((t) => ({
      ...t,
      dueAt: new Date(t.dueAt).toISOString(),
    }));
  }

  /**
   * Appends to a stream that has no procedure snapshot (the calendar's): the stream is serialised
   * by an advisory lock, and (stream_id, version) stays unique as everywhere.
   */
  async appendToStream(
    streamId: string,
    build: (version: number, prevHash: string) => RecordedEvent,
    manager: EntityManager,
  ): Promise<RecordedEvent> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [streamId]);
    const last = await manager.query(
      `SELECT version, hash FROM events WHERE stream_id = $1 ORDER BY version DESC LIMIT 1`,
      [streamId],
    );
    const event = build(last.length ? last[0].version : 0, last.length ? last[0].hash : '0'.repeat(64));
    await manager.query(
      `INSERT INTO events (stream_id, version, type, data, metadata, occurred_at, prev_hash, hash)
       VALUES ($1,$2,$3,$4::jsonb,$5::jsonb,$6,$7,$8)`,
      [
        event.streamId,
        event.version,
        event.type,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata),
        event.metadata.occurredAt,
        event.prevHash,
        event.hash,
      ],
    );
    return event;
  }

  async procedureIdsWithProvisionalItems(): Promise<string[]> {
    const rows = await this.ds.query(
      `SELECT DISTINCT procedure_id FROM procedure_items WHERE provisional
       UNION SELECT DISTINCT procedure_id FROM timers WHERE provisional AND status = 'armed'`,
    );
    return rows.map((r: { procedure_id: string }) => r.procedure_id);
  }

  /** Read-model rows and timers that time moved without an event (due dates recomputed). */
  async refresh(
    procedureId: string,
    items: ItemRow[],
    timers: TimerRow[],
    manager: EntityManager,
  ): Promise<ArmedTimer[]> {
    if (items.length) {
      await manager.query(
        `UPDATE procedure_items t SET committed_due_at = x.committed_due_at, statutory_due_at = x.statutory_due_at,
                provisional = x.provisional, light = x.light, status = x.status, updated_at = now()
           FROM jsonb_to_recordset($2::jsonb) AS x(${ITEM_COLUMNS})
          WHERE t.procedure_id = $1 AND t.item_key = x.item_key`,
        [procedureId, JSON.stringify(items)],
      );
    }
    if (!timers.length) return [];
    const rows = await manager.query(
      `INSERT INTO timers AS tm (kind, procedure_id, target, due_at, status, provisional, updated_at)
       SELECT x.kind, $1, x.target, x.due_at, CASE WHEN x.due_at IS NULL THEN 'cancelled' ELSE 'armed' END, x.provisional, now()
         FROM json_to_recordset($2::json) AS x(kind text, target text, due_at timestamptz, provisional boolean)
        WHERE x.due_at IS NOT NULL OR EXISTS (
              SELECT 1 FROM timers e WHERE e.procedure_id = $1 AND e.target = x.target AND e.kind = x.kind)
       ON CONFLICT (procedure_id, target, kind) DO UPDATE
          SET due_at = EXCLUDED.due_at, status = EXCLUDED.status, provisional = EXCLUDED.provisional,
              version = tm.version + 1, updated_at = now()
        WHERE tm.due_at IS DISTINCT FROM EXCLUDED.due_at OR tm.status <> EXCLUDED.status OR tm.provisional <> EXCLUDED.provisional
       RETURNING id, version, due_at, status`,
      [procedureId, JSON.stringify(timers)],
    );
    return rows
      .filter((r: { status: string }) => r.status === 'armed')
      .map((r: Record<string, any>) => ({
        id: r.id,
        version: r.version,
        dueAt: new Date(r.due_at).toISOString(),
      }));
  }

  /** Registers a project and starts its procedure: one transaction, the stream's first event. */
  async create(
    project: Omit<ProjectRecord, 'updatedAt'>,
    state: PersistedProcedure,
    event: RecordedEvent,
    items: ItemRow[],
    timers: TimerRow[] = [],
  ): Promise<ArmedTimer[]> {
    return this.ds.transaction(async (m) => {
      await m.query(
        `INSERT INTO projects (id, code, name, approval_mode, region, owner_org, planned_start_date, leader,
                               procedure_id, definition, ready_to_start, light, light_reasons, version, registered_at, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13::jsonb,$14,$15,$15)`,
        [
          project.id,
          project.code,
          project.name,
          project.approvalMode,
          project.region,
          project.ownerOrg,
          project.plannedStartDate,
          project.leader,
          project.procedureId,
          project.definition,
          project.readyToStart,
          project.light,
          JSON.stringify(project.lightReasons),
          project.version,
          project.registeredAt,
        ],
      );
      await m.query(
        `INSERT INTO procedure_snapshots (procedure_id, project_id, definition, version, last_hash, state, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6::jsonb,$7)`,
        [
          project.procedureId,
          project.id,
          project.definition,
          event.version,
          event.hash,
          JSON.stringify(state),
          project.registeredAt,
        ],
      );
      await m.query(
        `INSERT INTO events (stream_id, version, type, data, metadata, occurred_at, prev_hash, hash)
         VALUES ($1,$2,$3,$4::jsonb,$5::jsonb,$6,$7,$8)`,
        [
          event.streamId,
          event.version,
          event.type,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata),
          event.metadata.occurredAt,
          event.prevHash,
          event.hash,
        ],
      );
      await m.query(
        `INSERT INTO procedure_items (procedure_id, project_id, item_key, department, task_force, stage, status, light,
                statutory_breach, accepted_at, committed_due_at, statutory_due_at, provisional, open_commitments, updated_at)
         SELECT $1, $2, x.item_key, x.department, x.task_force, x.stage, x.status, x.light, x.statutory_breach,
                x.accepted_at, x.committed_due_at, x.statutory_due_at, x.provisional, x.open_commitments, $4
           FROM jsonb_to_recordset($3::jsonb) AS x(${ITEM_COLUMNS})`,
        [project.procedureId, project.id, JSON.stringify(items), project.registeredAt],
      );
      return this.refresh(project.procedureId, [], timers, m);
    });
  }

  async events(
    procedureId: string,
    opts: { afterVersion?: number; limit?: number } = {},
  ): Promise<RecordedEvent[]> {
    const rows = await this.ds.query(
      `SELECT stream_id, version, type, data, metadata, prev_hash, hash FROM events
        WHERE stream_id = $1 AND version > $2 ORDER BY version LIMIT $3`,
      [procedureId, opts.afterVersion ?? 0, opts.limit ?? 1_000_000],
    );
    return rows.map(toRecorded);
  }

  async findIdempotent(
    actorId: string,
    key: string,
  ): Promise<{ procedureId: string; requestHash: string; response: unknown } | null> {
    const rows = await this.ds.query(
      `SELECT procedure_id, request_hash, response FROM idempotency_keys WHERE actor_id = $1 AND key = $2`,
      [actorId, key],
    );
    return rows.length
      ? { procedureId: rows[0].procedure_id, requestHash: rows[0].request_hash, response: rows[0].response }
      : null;
  }
}

export function toRecorded(r: {
  stream_id: string;
  version: number;
  type: string;
  data: Record<string, unknown>;
  metadata: RecordedEvent['metadata'];
  prev_hash: string;
  hash: string;
}): RecordedEvent {
  return {
    streamId: r.stream_id,
    version: r.version,
    type: r.type,
    data: r.data,
    metadata: r.metadata,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
