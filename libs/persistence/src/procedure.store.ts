import type { DataSource } from 'typeorm';
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
  project: Pick<ProjectRecord, 'ownerOrg' | 'leader' | 'code' | 'name' | 'plannedStartDate'>;
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
}

const ITEM_COLUMNS = `item_key text, department text, task_force text, stage smallint, status text, light text,
  statutory_breach boolean, accepted_at timestamptz, committed_due_at timestamptz, statutory_due_at timestamptz,
  provisional boolean, open_commitments integer`;

const EVENT_COLUMNS = `version integer, type text, data jsonb, metadata jsonb, prev_hash text, hash text`;

function eventsJson(events: RecordedEvent[]): string {
  return JSON.stringify(
    events.map((e) => ({ version: e.version, type: e.type, data: e.data, metadata: e.metadata, prev_hash: e.prevHash, hash: e.hash })),
  );
}

/**
 * The write side of the record. A command is one statement: the snapshot moves only if it is
 * still at the expected version, and every other write hangs off that update, so two concurrent
 * commands cannot both win and a lost race writes nothing.
 */
export class ProcedureStore {
  constructor(private readonly ds: DataSource) {}

  async load(procedureId: string): Promise<LoadedProcedure | null> {
    const rows = await this.ds.query(
      `SELECT s.procedure_id, s.project_id, s.definition, s.version, s.last_hash, s.state,
              p.owner_org, p.leader, p.code, p.name, to_char(p.planned_start_date, 'YYYY-MM-DD') AS planned_start_date
         FROM procedure_snapshots s JOIN projects p ON p.id = s.project_id
        WHERE s.procedure_id = $1`,
      [procedureId],
    );
    if (!rows.length) return null;
    const r = rows[0];
    return {
      procedureId: r.procedure_id,
      projectId: r.project_id,
      definition: r.definition,
      version: r.version,
      lastHash: r.last_hash,
      state: r.state,
      project: { ownerOrg: r.owner_org, leader: r.leader, code: r.code, name: r.name, plannedStartDate: r.planned_start_date },
    };
  }

  /** Returns false when the procedure moved on since it was loaded (nothing was written). */
  async append(input: AppendInput): Promise<boolean> {
    const last = input.events[input.events.length - 1];
    const idem = input.idempotency ?? null;
    const rows = await this.ds.query(
      `WITH s AS (
         UPDATE procedure_snapshots SET version = $2, last_hash = $3, state = $4::jsonb, updated_at = $5
          WHERE procedure_id = $1 AND version = $6
          RETURNING procedure_id, project_id),
       e AS (
         INSERT INTO events (stream_id, version, type, data, metadata, occurred_at, prev_hash, hash)
         SELECT s.procedure_id, x.version, x.type, x.data, x.metadata, $5, x.prev_hash, x.hash
           FROM s, jsonb_to_recordset($7::jsonb) AS x(${EVENT_COLUMNS})
         RETURNING version),
       i AS (
         UPDATE procedure_items t SET status = x.status, light = x.light, statutory_breach = x.statutory_breach,
                accepted_at = x.accepted_at, committed_due_at = x.committed_due_at,
                statutory_due_at = x.statutory_due_at, provisional = x.provisional,
                open_commitments = x.open_commitments, updated_at = $5
           FROM s, jsonb_to_recordset($8::jsonb) AS x(${ITEM_COLUMNS})
          WHERE t.procedure_id = s.procedure_id AND t.item_key = x.item_key
         RETURNING 1),
       p AS (
         UPDATE projects SET ready_to_start = $9, light = $10, light_reasons = $11::jsonb, version = $2, updated_at = $5
           FROM s WHERE projects.id = s.project_id
         RETURNING 1),
       k AS (
         INSERT INTO idempotency_keys (actor_id, key, procedure_id, request_hash, response)
         SELECT $12, $13, s.procedure_id, $14, $15::jsonb FROM s WHERE $13::text IS NOT NULL
         RETURNING 1)
       SELECT (SELECT count(*) FROM s)::int AS updated`,
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
      ],
    );
    return rows[0].updated === 1;
  }

  /** Registers a project and starts its procedure: one transaction, the stream's first event. */
  async create(project: Omit<ProjectRecord, 'updatedAt'>, state: PersistedProcedure, event: RecordedEvent, items: ItemRow[]): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.query(
        `INSERT INTO projects (id, code, name, approval_mode, region, owner_org, planned_start_date, leader,
                               procedure_id, definition, ready_to_start, light, light_reasons, version, registered_at, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13::jsonb,$14,$15,$15)`,
        [
          project.id, project.code, project.name, project.approvalMode, project.region, project.ownerOrg,
          project.plannedStartDate, project.leader, project.procedureId, project.definition, project.readyToStart,
          project.light, JSON.stringify(project.lightReasons), project.version, project.registeredAt,
        ],
      );
      await m.query(
        `INSERT INTO procedure_snapshots (procedure_id, project_id, definition, version, last_hash, state, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6::jsonb,$7)`,
        [project.procedureId, project.id, project.definition, event.version, event.hash, JSON.stringify(state), project.registeredAt],
      );
      await m.query(
        `INSERT INTO events (stream_id, version, type, data, metadata, occurred_at, prev_hash, hash)
         VALUES ($1,$2,$3,$4::jsonb,$5::jsonb,$6,$7,$8)`,
        [event.streamId, event.version, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata),
          event.metadata.occurredAt, event.prevHash, event.hash],
      );
      await m.query(
        `INSERT INTO procedure_items (procedure_id, project_id, item_key, department, task_force, stage, status, light,
                statutory_breach, accepted_at, committed_due_at, statutory_due_at, provisional, open_commitments, updated_at)
         SELECT $1, $2, x.item_key, x.department, x.task_force, x.stage, x.status, x.light, x.statutory_breach,
                x.accepted_at, x.committed_due_at, x.statutory_due_at, x.provisional, x.open_commitments, $4
           FROM jsonb_to_recordset($3::jsonb) AS x(${ITEM_COLUMNS})`,
        [project.procedureId, project.id, JSON.stringify(items), project.registeredAt],
      );
    });
  }

  async events(procedureId: string, opts: { afterVersion?: number; limit?: number } = {}): Promise<RecordedEvent[]> {
    const rows = await this.ds.query(
      `SELECT stream_id, version, type, data, metadata, prev_hash, hash FROM events
        WHERE stream_id = $1 AND version > $2 ORDER BY version LIMIT $3`,
      [procedureId, opts.afterVersion ?? 0, opts.limit ?? 1_000_000],
    );
    return rows.map(toRecorded);
  }

  async findIdempotent(actorId: string, key: string): Promise<{ procedureId: string; requestHash: string; response: unknown } | null> {
    const rows = await this.ds.query(
      `SELECT procedure_id, request_hash, response FROM idempotency_keys WHERE actor_id = $1 AND key = $2`,
      [actorId, key],
    );
    return rows.length ? { procedureId: rows[0].procedure_id, requestHash: rows[0].request_hash, response: rows[0].response } : null;
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
