import type { DataSource, EntityManager } from 'typeorm';
import type { ArmedTimer } from './procedure.store';

export interface TimerRecord {
  id: string;
  kind: 'ITEM_LIGHT' | 'COMMITMENT_DUE' | 'PROJECT_START' | 'ESCALATION_LEVEL';
  procedureId: string;
  target: string;
  dueAt: string | null;
  version: number;
  status: 'armed' | 'fired' | 'cancelled';
  provisional: boolean;
}

export function toTimer(r: Record<string, any>): TimerRecord {
  return {
    id: r.id,
    kind: r.kind,
    procedureId: r.procedure_id,
    target: r.target,
    dueAt: r.due_at ? new Date(r.due_at).toISOString() : null,
    version: r.version,
    status: r.status,
    provisional: r.provisional,
  };
}

export const TIMER_COLUMNS = 'id, kind, procedure_id, target, due_at, version, status, provisional';
const COLUMNS = TIMER_COLUMNS;

/**
 * The timers of procedure $1 (a handful), read through its own key: OFFSET 0 keeps the planner
 * from folding in a filter on status and due time, which would let it walk the index of every
 * armed timer by due time instead — as cheap as it looks when few are armed, and a scan of a whole
 * day-end cluster per procedure when thousands are.
 */
export const PROCEDURE_TIMERS = `SELECT ${TIMER_COLUMNS} FROM timers WHERE procedure_id = $1 OFFSET 0`;

/** The one advisory lock under which every timer fired on the manual clock runs (see `exclusively`). */
const MANUAL_FIRING_LOCK = `hashtext('qianqi:timers:manual-firing')`;

/** Timers live here; Redis only ever holds the ones due within the horizon. */
export class TimerStore {
  constructor(private readonly ds: DataSource) {}

  async byId(id: string, manager?: EntityManager): Promise<TimerRecord | null> {
    const rows = await (manager ?? this.ds).query(`SELECT ${COLUMNS} FROM timers WHERE id = $1`, [id]);
    return rows.length ? toTimer(rows[0]) : null;
  }

  /**
   * The armed timer due first, at or before `until` (of one procedure, or of all those on the
   * `shipped` versions), ties broken by id so every runner sees the same order. Inside a firing transaction, after the procedure lock.
   */
  async earliestArmed(
    until: string,
    opts: { procedureId: string; manager?: EntityManager } | { shipped: string[]; manager?: EntityManager },
  ): Promise<TimerRecord | null> {
    const m = opts.manager ?? this.ds;
    if ('shipped' in opts) {
      // Of all procedures on these definition versions (or on none at all: orphans); the others'
      // timers wait. (Each candidate in due order is one look at its snapshot by key.)
      const rows = await m.query(
        `SELECT ${COLUMNS} FROM timers t WHERE status = 'armed' AND due_at <= $1
            AND NOT EXISTS (SELECT 1 FROM procedure_snapshots s
                             WHERE s.procedure_id = t.procedure_id AND NOT (s.definition = ANY($2::text[])))
          ORDER BY due_at, id LIMIT 1`,
        [until, opts.shipped],
      );
      return rows.length ? toTimer(rows[0]) : null;
    }
    const rows = await m.query(
      `SELECT ${COLUMNS} FROM (${PROCEDURE_TIMERS}) x
        WHERE status = 'armed' AND due_at <= $2 ORDER BY due_at, id LIMIT 1`,
      [opts.procedureId, until],
    );
    return rows.length ? toTimer(rows[0]) : null;
  }

  /**
   * Locks the procedure's snapshot row, as every writer of a procedure does first: firing takes
   * it before touching any timer row of the procedure, so a fire, a command and a ticket action
   * always lock in the same order (snapshot, ticket, timers) and cannot deadlock each other.
   * Null when there is no such procedure; else the definition version it runs.
   */
  async lockProcedure(procedureId: string, manager: EntityManager): Promise<{ definition: string } | null> {
    const rows = await manager.query(
      `SELECT definition FROM procedure_snapshots WHERE procedure_id = $1 FOR UPDATE`,
      [procedureId],
    );
    return rows.length > 0 ? { definition: rows[0].definition } : null;
  }

  /**
   * Runs `fn` holding the manual-clock firing lock: a session advisory lock on one connection,
   * which `fn` gets as its manager and runs its transactions on (one connection per runner, so
   * waiting runners cannot starve the holder of the pool). A process that dies holding it loses
   * its session, and PostgreSQL releases the lock with it.
   */
  async exclusively<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock(${MANUAL_FIRING_LOCK})`);
      try {
        return await fn(runner.manager);
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(${MANUAL_FIRING_LOCK})`);
      }
    } finally {
      await runner.release();
    }
  }

  /** Armed timers due before `until` whose current version the queue has not been given yet. */
  async unscheduled(until: string, limit: number): Promise<ArmedTimer[]> {
    const rows = await this.ds.query(
      `SELECT id, version, due_at FROM timers
        WHERE status = 'armed' AND due_at < $1 AND enqueued_version IS DISTINCT FROM version
        ORDER BY due_at LIMIT $2`,
      [until, limit],
    );
    return rows.map((r: Record<string, any>) => ({
      id: r.id,
      version: r.version,
      dueAt: new Date(r.due_at).toISOString(),
    }));
  }

  /** Every armed timer due before `until`, in due order, after a cursor (for the reconciler). */
  async armedBefore(
    until: string,
    limit: number,
    after?: { dueAt: string; id: string },
  ): Promise<ArmedTimer[]> {
    const rows = await this.ds.query(
      `SELECT id, version, due_at FROM timers
        WHERE status = 'armed' AND due_at < $1 AND ($3::timestamptz IS NULL OR (due_at, id) > ($3::timestamptz, $4::uuid))
        ORDER BY due_at, id LIMIT $2`,
      [until, limit, after?.dueAt ?? null, after?.id ?? null],
    );
    return rows.map((r: Record<string, any>) => ({
      id: r.id,
      version: r.version,
      dueAt: new Date(r.due_at).toISOString(),
    }));
  }

  /**
   * Notes that the queue holds these versions. Rows a firing or a command holds locked are
   * skipped rather than waited for: this statement takes no procedure lock first, so waiting could
   * close a deadlock with them, and they are about to move the version anyway. A skipped row is
   * only delivered again by the scheduler, which the job id makes a no-op.
   */
  async markEnqueued(timers: ArmedTimer[]): Promise<void> {
    if (!timers.length) return;
    // Driven from the list, one key lookup per timer: a filter of the whole table by an array of
    // ten thousand ids is what a planner with fresh statistics may pick otherwise (minutes).
    await this.ds.query(
      `WITH locked AS (
         SELECT t.id, x.version FROM json_to_recordset($1::json) AS x(id uuid, version integer)
          CROSS JOIN LATERAL (
            SELECT id FROM timers WHERE id = x.id AND version = x.version FOR UPDATE SKIP LOCKED) t)
       UPDATE timers t SET enqueued_version = l.version FROM locked l WHERE t.id = l.id`,
      [JSON.stringify(timers.map((t) => ({ id: t.id, version: t.version })))],
    );
  }

  /** Marks a timer fired, only if it is still the version the job carried. */
  async fire(id: string, version: number, manager: EntityManager): Promise<boolean> {
    // As a SELECT over the UPDATE: for a bare UPDATE TypeORM returns [rows, rowCount], whose
    // length is always 2, which would let a second delivery of the same job fire again.
    const rows = await manager.query(
      `WITH f AS (
         UPDATE timers SET status = 'fired', updated_at = now() WHERE id = $1 AND version = $2 AND status = 'armed' RETURNING id)
       SELECT id FROM f`,
      [id, version],
    );
    return rows.length > 0;
  }

  /** Arms (or moves) one timer outside a procedure write: escalation levels. */
  async arm(
    t: { kind: TimerRecord['kind']; procedureId: string; target: string; dueAt: string | null },
    manager: EntityManager,
  ): Promise<ArmedTimer | null> {
    const rows = await manager.query(
      `INSERT INTO timers AS tm (kind, procedure_id, target, due_at, status, updated_at)
       VALUES ($1, $2, $3, $4, CASE WHEN $4::timestamptz IS NULL THEN 'cancelled' ELSE 'armed' END, now())
       ON CONFLICT (procedure_id, target, kind) DO UPDATE
          SET due_at = EXCLUDED.due_at, status = EXCLUDED.status, version = tm.version + 1, updated_at = now()
       RETURNING id, version, due_at, status`,
      [t.kind, t.procedureId, t.target, t.dueAt],
    );
    const r = rows[0];
    return r.status === 'armed'
      ? { id: r.id, version: r.version, dueAt: new Date(r.due_at).toISOString() }
      : null;
  }

  async procedureIdsWithProvisional(limit: number, afterId?: string): Promise<string[]> {
    const rows = await this.ds.query(
      `SELECT DISTINCT procedure_id FROM timers WHERE provisional AND status = 'armed'
          AND ($2::uuid IS NULL OR procedure_id > $2::uuid) ORDER BY procedure_id LIMIT $1`,
      [limit, afterId ?? null],
    );
    return rows.map((r: { procedure_id: string }) => r.procedure_id);
  }

  async countArmed(): Promise<number> {
    const rows = await this.ds.query(`SELECT count(*)::int AS n FROM timers WHERE status = 'armed'`);
    return rows[0].n;
  }
}
