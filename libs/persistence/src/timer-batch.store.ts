import type { EntityManager } from 'typeorm';

type PgClient = { query(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: any[] }> };
import {
  EVENT_COLUMNS,
  ITEM_COLUMNS,
  loadColumns,
  toLoaded,
  type ArmedTimer,
  type ItemRow,
  type LoadedProcedure,
  type TimerRow,
} from './procedure.store';
import type { RecordedEvent } from '@qianqi/domain';
import type { PersistedProcedure } from '@qianqi/workflows';
import { toTimer, TIMER_COLUMNS, type TimerRecord } from './timer.store';

/** A procedure a batch locked: its state only when it is not quiet. */
export type LockedProcedure = Omit<LoadedProcedure, 'state'> &
  ({ quiet: true; state: null } | { quiet: false; state: PersistedProcedure }) & { readyToStart: boolean };

/**
 * A round's write found a timer or snapshot it read under lock at another version: nothing of the
 * round is kept, and it is run again. (Only a writer ignoring the procedure lock could cause it.)
 */
export class TimerBatchOutOfStep extends Error {}

/** One procedure's tick, as a batch writes it. */
export interface TickWrite {
  procedureId: string;
  /** The timer that fired (at the version read) and what becomes of it: armed anew, or fired. */
  fired: { id: string; version: number; dueAt: string | null; provisional: boolean };
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
 * Firing many due timers at once (a day-end cluster): find the procedures with timers due, lock
 * and load a batch of them, and write every procedure's tick in one statement, all in the
 * caller's transaction. Only procedure rows are locked, with SKIP LOCKED: a batch never waits for
 * a lock, so it can never close a deadlock with a command or a single fire, and two firers take
 * disjoint batches; a timer row is only written under its procedure's lock, as everywhere.
 */
export class TimerBatchStore {
  /**
   * A named prepared statement on the transaction's own connection: a sweep runs the same four
   * statements round after round, and PostgreSQL parses and plans each once per connection.
   */
  private async run(m: EntityManager, name: string, text: string, values: unknown[]): Promise<any[]> {
    const client = (m.queryRunner as unknown as { databaseConnection?: PgClient } | undefined)
      ?.databaseConnection;
    if (!client) return m.query(text, values);
    return (await client.query({ name, text, values })).rows;
  }

  /**
   * Settings of a round's transaction.
   *
   * Its commit does not wait for its WAL to reach the disk. What a crash could lose is the last
   * instant's ticks, and then the timers they fired are still armed in PostgreSQL itself: the next
   * sweep fires them again and decides the same events (a tick is a function of the state and the
   * timer's own due instant). A round commits a thousand ticks; waiting for the disk would be a
   * good share of a day-end cluster's lateness.
   *
   * Its statements are planned for their parameters each time (a few ms a round): how many
   * timers are armed and due swings from none to ten thousand within a second, and a plan made
   * for the one is slow for the other (measured: up to 40 % more PostgreSQL time per tick).
   */
  async tuneRound(m: EntityManager): Promise<void> {
    await m.query(`SET LOCAL synchronous_commit = off; SET LOCAL plan_cache_mode = force_custom_plan`);
  }

  /**
   * Procedures with the first `limit` timers due by `now`, earliest first (several of one repeat),
   * and whether the procedure exists at all (a timer can outlive a procedure removed by hand).
   */
  async dueProcedures(
    now: string,
    limit: number,
    m: EntityManager,
    shipped: string[],
  ): Promise<{ procedureId: string; known: boolean }[]> {
    // Not those of procedures on versions this deployment does not ship (`shipped`): their timers
    // wait, and must not fill the batch (each candidate in due order is one look at its snapshot).
    const rows: { procedure_id: string; known: boolean }[] = await this.run(
      m,
      'qianqi_batch_due',
      // (The snapshot looked up per timer, as the timers come in due order from their index: a
      // join the planner may flatten could read every armed timer before the limit.)
      `SELECT x.procedure_id, s.procedure_id IS NOT NULL AS known
         FROM timers x
         LEFT JOIN LATERAL (SELECT procedure_id, definition FROM procedure_snapshots
                             WHERE procedure_id = x.procedure_id OFFSET 0) s ON true
        WHERE x.status = 'armed' AND x.due_at <= $1 AND (s.procedure_id IS NULL OR s.definition = ANY($3::text[]))
        ORDER BY x.due_at LIMIT $2`,
      [now, limit, shipped],
    );
    return rows.map((r) => ({ procedureId: r.procedure_id, known: r.known }));
  }

  /** Due timers of these procedures, which do not exist: fired, with nothing to do. */
  async fireOrphans(procedureIds: string[], now: string, m: EntityManager): Promise<number> {
    const rows = await m.query(
      `WITH f AS (
         UPDATE timers t SET status = 'fired', version = version + 1, updated_at = now()
          WHERE t.id IN (
                SELECT x.id FROM unnest($1::uuid[]) AS p(id)
                 CROSS JOIN LATERAL (SELECT id, status, due_at FROM timers WHERE procedure_id = p.id OFFSET 0) x
                 WHERE x.status = 'armed' AND x.due_at <= $2)
            AND NOT EXISTS (SELECT 1 FROM procedure_snapshots s WHERE s.procedure_id = t.procedure_id)
         RETURNING 1)
       SELECT count(*)::int AS n FROM f`,
      [procedureIds, now],
    );
    return rows[0].n;
  }

  /**
   * Up to `limit` of the procedures, locked for this transaction (those others hold are skipped,
   * so two firers take disjoint batches), each with
   * whether it is quiet — no item row on the clock and none with a commitment unfulfilled — and,
   * only when it is not, its state: a quiet procedure's tick needs no state (see the domain's
   * `quietTimers`), and its state is most of what loading costs.
   */
  async loadLocked(procedureIds: string[], limit: number, m: EntityManager): Promise<LockedProcedure[]> {
    const rows = await this.run(
      m,
      'qianqi_batch_load',
      `SELECT ${loadColumns('CASE WHEN q.quiet THEN NULL ELSE s.state END', ', q.quiet, p.ready_to_start')}
         CROSS JOIN LATERAL (
           SELECT NOT EXISTS (
             SELECT 1 FROM procedure_items i
              WHERE i.procedure_id = s.procedure_id
                AND (i.status IN ('in_review', 'paused', 'correcting') OR i.open_commitments > 0)) AS quiet
            OFFSET 0) q
        WHERE s.procedure_id = ANY($1::uuid[]) LIMIT $2 FOR UPDATE OF s SKIP LOCKED`,
      [procedureIds, limit],
    );
    return rows.map((r: Record<string, any>) => ({
      ...toLoaded(r),
      quiet: r.quiet,
      readyToStart: r.ready_to_start,
    }));
  }

  /**
   * Per procedure (locked by the caller), its armed timer due first by `now`: read after the lock
   * is held, in a statement of its own, so what another firer committed meanwhile is seen.
   */
  async earliestDue(procedureIds: string[], now: string, m: EntityManager): Promise<TimerRecord[]> {
    // One probe of each procedure's own few timers (see PROCEDURE_TIMERS for the fence).
    const rows = await this.run(
      m,
      'qianqi_batch_earliest',
      `SELECT t.* FROM unnest($1::uuid[]) AS p(id)
         CROSS JOIN LATERAL (
           SELECT * FROM (SELECT ${TIMER_COLUMNS} FROM timers WHERE procedure_id = p.id OFFSET 0) x
            WHERE status = 'armed' AND due_at <= $2
            ORDER BY due_at, id LIMIT 1) t`,
      [procedureIds, now],
    );
    return rows.map(toTimer);
  }

  /**
   * Every tick of the batch in one statement: the fired timers (armed anew or left fired),
   * snapshots (only where events were decided), events, projects, item rows and the other timers.
   * Returns how many timers were still armed at the version read and how many snapshots moved
   * (all of them, the procedures being locked), and the timers armed or moved.
   */
  async writeTicks(
    ticks: TickWrite[],
    m: EntityManager,
  ): Promise<{ fired: number; updated: number; armed: ArmedTimer[] }> {
    const moved = ticks.filter((t) => t.events.length);
    const last = (t: TickWrite) => t.events[t.events.length - 1];
    const rows = await this.run(
      m,
      'qianqi_batch_write',
      `WITH f AS (
         UPDATE timers tm SET status = CASE WHEN x.due_at IS NULL THEN 'fired' ELSE 'armed' END,
                due_at = coalesce(x.due_at, tm.due_at), provisional = x.provisional,
                version = tm.version + 1, updated_at = x.at
           FROM json_to_recordset($5::json) AS x(id uuid, version integer, due_at timestamptz,
                provisional boolean, at timestamptz)
          WHERE tm.id = x.id AND tm.version = x.version AND tm.status = 'armed'
         RETURNING tm.id, tm.version, tm.due_at, tm.status),
       s AS (
         UPDATE procedure_snapshots ps SET version = x.version, last_hash = x.last_hash,
                state = coalesce(x.state, ps.state), updated_at = x.at
           FROM json_to_recordset($1::json) AS x(procedure_id uuid, expected_version integer, version integer,
                last_hash text, state jsonb, at timestamptz, ready_to_start boolean, light text, light_reasons jsonb)
          WHERE ps.procedure_id = x.procedure_id AND ps.version = x.expected_version
         RETURNING ps.procedure_id, ps.project_id, x.version, x.at, x.ready_to_start, x.light, x.light_reasons),
       e AS (
         INSERT INTO events (stream_id, version, type, data, metadata, occurred_at, prev_hash, hash)
         SELECT x.stream_id, x.version, x.type, x.data, x.metadata, x.occurred_at, x.prev_hash, x.hash
           FROM json_to_recordset($2::json) AS x(stream_id uuid, occurred_at timestamptz, ${EVENT_COLUMNS})
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
           FROM json_to_recordset($3::json) AS x(procedure_id uuid, at timestamptz, ${ITEM_COLUMNS})
          WHERE t.procedure_id = x.procedure_id AND t.item_key = x.item_key
         RETURNING 1),
       t AS (
         INSERT INTO timers AS tm (kind, procedure_id, target, due_at, status, provisional, updated_at)
         SELECT x.kind, x.procedure_id, x.target, x.due_at,
                CASE WHEN x.due_at IS NULL THEN 'cancelled' ELSE 'armed' END, x.provisional, x.at
           FROM json_to_recordset($4::json) AS x(procedure_id uuid, at timestamptz, kind text, target text,
                due_at timestamptz, provisional boolean)
          WHERE x.due_at IS NOT NULL OR EXISTS (
                SELECT 1 FROM timers e WHERE e.procedure_id = x.procedure_id AND e.target = x.target AND e.kind = x.kind)
         ON CONFLICT (procedure_id, target, kind) DO UPDATE
            SET due_at = EXCLUDED.due_at, status = EXCLUDED.status, provisional = EXCLUDED.provisional,
                version = tm.version + 1, updated_at = EXCLUDED.updated_at
          WHERE tm.due_at IS DISTINCT FROM EXCLUDED.due_at OR tm.status <> EXCLUDED.status
                OR tm.provisional <> EXCLUDED.provisional
         RETURNING id, version, due_at, status)
       SELECT (SELECT count(*) FROM f)::int AS fired, (SELECT count(*) FROM s)::int AS updated,
              (SELECT count(*) FROM e)::int AS appended, (SELECT count(*) FROM p)::int AS projects,
              (SELECT count(*) FROM i)::int AS items,
              (SELECT coalesce(json_agg(json_build_object('id', id, 'version', version, 'dueAt', due_at)), '[]')
                 FROM (SELECT * FROM t UNION ALL SELECT * FROM f) a WHERE status = 'armed') AS armed`,
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
        JSON.stringify(
          ticks.map((t) => ({
            id: t.fired.id,
            version: t.fired.version,
            due_at: t.fired.dueAt,
            provisional: t.fired.provisional,
            at: t.at,
          })),
        ),
      ],
    );
    const r = rows[0];
    return {
      fired: r.fired,
      updated: r.updated,
      armed: (r.armed as { id: string; version: number; dueAt: string }[]).map((t) => ({
        ...t,
        dueAt: new Date(t.dueAt).toISOString(),
      })),
    };
  }
}
