import type { DataSource, EntityManager } from 'typeorm';
import type { Ticket } from '@qianqi/domain';

const COLUMNS = `id, project_id, procedure_id, item_key, reason, task_force, level, status, opened_at, due_at,
  acknowledged_at, closed_at, resolution, climb_stopped_at, notes, history`;

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

export function toTicket(r: Record<string, any>): Ticket {
  return {
    id: r.id,
    projectId: r.project_id,
    procedureId: r.procedure_id,
    itemKey: r.item_key,
    reason: r.reason,
    taskForce: r.task_force,
    level: r.level,
    status: r.status,
    openedAt: iso(r.opened_at)!,
    dueAt: iso(r.due_at),
    acknowledgedAt: iso(r.acknowledged_at),
    closedAt: iso(r.closed_at),
    resolution: r.resolution,
    climbStoppedAt: iso(r.climb_stopped_at),
    notes: r.notes,
    history: r.history,
  };
}

export interface TicketFilter {
  taskForce?: string;
  level?: number;
  status?: string;
  projectId?: string;
  leader?: string;
  ownerOrg?: string;
  limit: number;
  offset: number;
}

/** 督办件: the read model of escalation tickets (their events are in the procedure's stream). */
export class EscalationStore {
  constructor(private readonly ds: DataSource) {}

  /** Opens a ticket unless one is open for the item and reason; returns null when one was. */
  async openIfAbsent(t: Ticket, manager: EntityManager): Promise<Ticket | null> {
    const rows = await manager.query(
      `INSERT INTO escalations (id, project_id, procedure_id, item_key, reason, task_force, level, status, opened_at, due_at,
                                notes, history, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11::jsonb,$12::jsonb,$9)
       ON CONFLICT (procedure_id, item_key, reason) WHERE status <> 'closed' DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        t.id,
        t.projectId,
        t.procedureId,
        t.itemKey,
        t.reason,
        t.taskForce,
        t.level,
        t.status,
        t.openedAt,
        t.dueAt,
        JSON.stringify(t.notes),
        JSON.stringify(t.history),
      ],
    );
    return rows.length ? toTicket(rows[0]) : null;
  }

  async byId(id: string, manager?: EntityManager, forUpdate = false): Promise<Ticket | null> {
    const rows = await (manager ?? this.ds).query(
      `SELECT ${COLUMNS} FROM escalations WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows.length ? toTicket(rows[0]) : null;
  }

  /** The ticket open (not closed) for an item and reason, locked: at most one exists. */
  async openFor(
    procedureId: string,
    itemKey: string,
    reason: string,
    manager: EntityManager,
  ): Promise<Ticket | null> {
    const rows = await manager.query(
      `SELECT ${COLUMNS} FROM escalations
        WHERE procedure_id = $1 AND item_key = $2 AND reason = $3 AND status <> 'closed' FOR UPDATE`,
      [procedureId, itemKey, reason],
    );
    return rows.length ? toTicket(rows[0]) : null;
  }

  async save(t: Ticket, at: string, manager: EntityManager): Promise<void> {
    await manager.query(
      `UPDATE escalations SET level = $2, status = $3, due_at = $4, acknowledged_at = $5, closed_at = $6, resolution = $7,
              notes = $8::jsonb, history = $9::jsonb, updated_at = $10, climb_stopped_at = $11 WHERE id = $1`,
      [
        t.id,
        t.level,
        t.status,
        t.dueAt,
        t.acknowledgedAt,
        t.closedAt,
        t.resolution,
        JSON.stringify(t.notes),
        JSON.stringify(t.history),
        at,
        t.climbStoppedAt,
      ],
    );
  }

  async list(f: TicketFilter): Promise<{ items: Ticket[]; total: number }> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      args.push(v);
      where.push(sql.replace('?', `$${args.length}`));
    };
    if (f.taskForce) add('e.task_force = ?', f.taskForce);
    if (f.level) add('e.level = ?', f.level);
    if (f.status) add('e.status = ?', f.status);
    if (f.projectId) add('e.project_id = ?', f.projectId);
    if (f.leader) add('p.leader = ?', f.leader);
    if (f.ownerOrg) add('p.owner_org = ?', f.ownerOrg);
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const from = `FROM escalations e JOIN projects p ON p.id = e.project_id${clause}`;
    const [rows, count] = await Promise.all([
      this.ds.query(
        `SELECT ${COLUMNS.split(',')
          .map((c) => `e.${c.trim()}`)
          .join(', ')} ${from} ORDER BY e.opened_at DESC, e.id LIMIT ${f.limit} OFFSET ${f.offset}`,
        args,
      ),
      this.ds.query(`SELECT count(*)::int AS n ${from}`, args),
    ]);
    return { items: rows.map(toTicket), total: count[0].n };
  }

  /** 销号率 per task force: tickets opened in [from, to) and how many of those are closed. */
  async stats(from: string, to: string): Promise<{ taskForce: string; opened: number; closed: number }[]> {
    const rows = await this.ds.query(
      `SELECT task_force, count(*)::int AS opened, count(*) FILTER (WHERE status = 'closed')::int AS closed
         FROM escalations WHERE opened_at >= $1 AND opened_at < $2 GROUP BY task_force ORDER BY task_force`,
      [from, to],
    );
    return rows.map((r: Record<string, any>) => ({
      taskForce: r.task_force,
      opened: r.opened,
      closed: r.closed,
    }));
  }

  async routeFor(department: string, region: string, manager?: EntityManager): Promise<string | null> {
    const rows = await (manager ?? this.ds).query(
      `SELECT task_force FROM escalation_routes WHERE department = $1 AND region IN ($2, '*')
        ORDER BY (region = '*') LIMIT 1`,
      [department, region],
    );
    return rows.length ? rows[0].task_force : null;
  }

  async setRoute(department: string, region: string, taskForce: string): Promise<void> {
    await this.ds.query(
      `INSERT INTO escalation_routes (department, region, task_force, updated_at) VALUES ($1,$2,$3,now())
       ON CONFLICT (department, region) DO UPDATE SET task_force = EXCLUDED.task_force, updated_at = now()`,
      [department, region, taskForce],
    );
  }

  async routes(): Promise<{ department: string; region: string; taskForce: string }[]> {
    const rows = await this.ds.query(
      `SELECT department, region, task_force FROM escalation_routes ORDER BY department, region`,
    );
    return rows.map((r: Record<string, any>) => ({
      department: r.department,
      region: r.region,
      taskForce: r.task_force,
    }));
  }
}
