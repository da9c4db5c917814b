import type { DataSource } from 'typeorm';

export interface AccessRecord {
  at: string;
  actorId: string;
  actorName: string;
  actorRole: string;
  action: string;
  procedureId: string | null;
  detail?: Record<string, unknown> | null;
}

export interface AccessLogFilter {
  procedureId?: string;
  actorId?: string;
  action?: string;
  limit: number;
}

type AccessRow = {
  at: Date;
  actor_id: string;
  actor_name: string;
  actor_role: string;
  action: string;
  procedure_id: string | null;
  detail: Record<string, unknown> | null;
};

/** Who looked at (or tried to change) what, when: append-only like the events. */
export class AccessLogStore {
  constructor(private readonly ds: DataSource) {}

  async record(r: AccessRecord): Promise<void> {
    await this.ds.query(
      `INSERT INTO audit_access_log (at, actor_id, actor_name, actor_role, action, procedure_id, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
      [
        r.at,
        r.actorId,
        r.actorName,
        r.actorRole,
        r.action,
        r.procedureId,
        r.detail ? JSON.stringify(r.detail) : null,
      ],
    );
  }

  /** Newest first. */
  async list(f: AccessLogFilter): Promise<AccessRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (column: string, v: unknown) => {
      args.push(v);
      where.push(`${column} = $${args.length}`);
    };
    if (f.procedureId) add('procedure_id', f.procedureId);
    if (f.actorId) add('actor_id', f.actorId);
    if (f.action) add('action', f.action);
    args.push(f.limit);
    const rows = await this.ds.query(
      `SELECT at, actor_id, actor_name, actor_role, action, procedure_id, detail FROM audit_access_log
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${args.length}`,
      args,
    );
    return rows.map((r: AccessRow) => ({
      at: new Date(r.at).toISOString(),
      actorId: r.actor_id,
      actorName: r.actor_name,
      actorRole: r.actor_role,
      action: r.action,
      procedureId: r.procedure_id,
      detail: r.detail,
    }));
  }
}
