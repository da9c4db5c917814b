import type { EntityManager } from 'typeorm';
import {
  EVENT_COLUMNS,
  ITEM_COLUMNS,
  LOAD_COLUMNS,
  toLoaded,
  type ArmedTimer,
  type ItemRow,
  type LoadedProcedure,
  type TimerRow,
} from './procedure.store';
import type { RecordedEvent } from '@qianqi/domain';
import type { PersistedProcedure } from '@qianqi/workflows';
import { toTimer, TIMER_COLUMNS, type TimerRecord } from './timer.store';

/** One procedure's tick, as a batch writes it. */
export interface TickWrite {
  procedureId: string;
  expectedVersion: number;
  /** The state after the tick, or null when the tick left it as it was. */
  state: PersistedProcedure | null;
  events: RecordedEvent[];
  items: ItemRow[];
  timers: TimerRow[];
  project: { readyToStart: boolean; light: string; lightReasons: unknown[] };
  at: string;
}

/**
 * Firing many due timers at once (a day-end cluster): claim them, lock and load their procedures,
 * and write every procedure's tick in one statement, all in the caller's transaction. Lock order
 * is timers then snapshots, both with SKIP LOCKED: a batch never waits for a lock, so it can never
 * close a deadlock with a command or a single fire (which take the snapshot first); what it skips
 * is left for the next round.
 */
export class TimerBatchStore {
  /** Armed timers due by `now`, earliest first, locked for this transaction; the locked ones skipped. */
  async claimDue(now: string, limit: number, m: EntityManager): Promise<TimerRecord[]> {
    const rows = await m.query(
      `SELECT ${TIMER_COLUMNS} FROM timers WHERE status = 'armed' AND due_at <= $1
        ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map(toTimer);
  }

  /** The procedures, locked for this transaction; those another transaction holds are left out. */
  async loadLocked(procedureIds: string[], m: EntityManager): Promise<LoadedProcedure[]> {
    const rows = await m.query(
      `SELECT ${LOAD_COLUMNS} WHERE s.procedure_id = ANY($1::uuid[]) FOR UPDATE OF s SKIP LOCKED`,
      [procedureIds],
    );
    return rows.map(toLoaded);
  }

  /** Per procedure, the id of its armed timer due first by `now` (whoever holds it). */
  async earliestDue(procedureIds: string[], now: string, m: EntityManager): Promise<Map<string, string>> {
    const rows: { procedure_id: string; id: string }[] = await m.query(
      `SELECT DISTINCT ON (procedure_id) procedure_id, id FROM timers
        WHERE procedure_id = ANY($1::uuid[]) AND status = 'armed' AND due_at <= $2
        ORDER BY procedure_id, due_at, id`,
      [procedureIds, now],
    );
    return new Map(rows.map((r) => [r.procedure_id, r.id]));
  }

  /** Marks the timers fired at the versions read; how many were still armed so. */
  async markFired(timers: { id: string; version: number }[], m: EntityManager): Promise<number> {
    if (!timers.length) return 0;
    const rows = await m.query(
      `WITH f AS (
         UPDATE timers t SET status = 'fired', updated_at = now()
           FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, version integer)
          WHERE t.id = x.id AND t.version = x.version AND t.status = 'armed' RETURNING t.id)
       SELECT count(*)::int AS n FROM f`,
      [JSON.stringify(timers)],
    );
    return rows[0].n;
  }

  /**
   * Every tick of the batch in one statement: snapshots (only where events were decided), events,
   * projects, item rows and timers. Returns how many snapshots moved (all of them, the procedures
   * being locked) and the timers armed or moved.
   */
  async writeTicks(ticks: TickWrite[], m: EntityManager): Promise<{ updated: number; armed: ArmedTimer[] }> {
    const moved = ticks.filter((t) => t.events.length);
    const last = (t: TickWrite) => t.events[t.events.length - 1];
    const rows = await m.query(
      `WITH s AS (
         UPDATE procedure_snapshots ps SET version = x.version, last_hash = x.last_hash,
                state = coalesce(x.state, ps.state), updated_at = x.at
           FROM jsonb_to_recordset($1::jsonb) AS x(procedure_id uuid, expected_version integer, version integer,
                last_hash text, state jsonb, at timestamptz, ready_to_start boolean, light text, light_reasons jsonb)
          WHERE ps.procedure_id = x.procedure_id AND ps.version = x.expected_version
         RETURNING ps.procedure_id, ps.project_id, x.version, x.at, x.ready_to_start, x.light, x.light_reasons),
       e AS (
         INSERT INTO events (stream_id, version, type, data, metadata, occurred_at, prev_hash, hash)
         SELECT x.stream_id, x.version, x.type, x.data, x.metadata, x.occurred_at, x.prev_hash, x.hash
           FROM jsonb_to_recordset($2::jsonb) AS x(stream_id uuid, occurred_at timestamptz, ${EVENT_COLUMNS})
           JOIN s ON s.procedure_id = x.stream_id
         RETURNING 1),
       p AS (
         UPDATE projects SET ready_to_start = s.ready_to_start, light = s.light, light_reasons = s.light_reasons,
                version = s.version, updated_at = s.at
           FROM s WHERE projects.id = s.project_id
         RETURNING 1),
       i AS (
         UPDATE procedure_items t SET status = x.status, light = x.light, statutory_breach = x.statutory_breach,
                accepted_at = x.accepted_at, committed_due_at = x.committed_due_at,
                statutory_due_at = x.statutory_due_at, provisional = x.provisional,
                open_commitments = x.open_commitments, updated_at = x.at
           FROM jsonb_to_recordset($3::jsonb) AS x(procedure_id uuid, at timestamptz, ${ITEM_COLUMNS})
          WHERE t.procedure_id = x.procedure_id AND t.item_key = x.item_key
         RETURNING 1),
       t AS (
         INSERT INTO timers AS tm (kind, procedure_id, target, due_at, status, provisional, updated_at)
         SELECT x.kind, x.procedure_id, x.target, x.due_at,
                CASE WHEN x.due_at IS NULL THEN 'cancelled' ELSE 'armed' END, x.provisional, x.at
           FROM jsonb_to_recordset($4::jsonb) AS x(procedure_id uuid, at timestamptz, kind text, target text,
                due_at timestamptz, provisional boolean)
         ON CONFLICT (procedure_id, target, kind) DO UPDATE
            SET due_at = EXCLUDED.due_at, status = EXCLUDED.status, provisional = EXCLUDED.provisional,
                version = tm.version + 1, updated_at = EXCLUDED.updated_at
          WHERE tm.due_at IS DISTINCT FROM EXCLUDED.due_at OR tm.status <> EXCLUDED.status
                OR tm.provisional <> EXCLUDED.provisional
         RETURNING id, version, due_at, status)
       SELECT (SELECT count(*) FROM s)::int AS updated, (SELECT count(*) FROM e)::int AS appended,
              (SELECT count(*) FROM p)::int AS projects, (SELECT count(*) FROM i)::int AS items,
              (SELECT coalesce(json_agg(json_build_object('id', id, 'version', version, 'dueAt', due_at)), '[]')
                 FROM t WHERE status = 'armed') AS armed`,
      [
        JSON.stringify(
          moved.map((t) => ({
            procedure_id: t.procedureId,
            expected_version: t.expectedVersion,
            version: last(t).version,
            last_hash: last(t).hash,
            state: t.state,
            at: t.at,
            ready_to_start: t.project.readyToStart,
            light: t.project.light,
            light_reasons: t.project.lightReasons,
          })),
        ),
        JSON.stringify(
          moved.flatMap((t) =>
            t.events.map((e) => ({
              stream_id: t.procedureId,
              occurred_at: e.metadata.occurredAt,
              version: e.version,
              type: e.type,
              data: e.data,
              metadata: e.metadata,
              prev_hash: e.prevHash,
              hash: e.hash,
            })),
          ),
        ),
        JSON.stringify(
          ticks.flatMap((t) => t.items.map((i) => ({ ...i, procedure_id: t.procedureId, at: t.at }))),
        ),
        JSON.stringify(
          ticks.flatMap((t) => t.timers.map((x) => ({ ...x, procedure_id: t.procedureId, at: t.at }))),
        ),
      ],
    );
    const r = rows[0];
    return {
      updated: r.updated,
      armed: (r.armed as { id: string; version: number; dueAt: string }[]).map((t) => ({
        ...t,
        dueAt: new Date(t.dueAt).toISOString(),
      })),
    };
  }
}
