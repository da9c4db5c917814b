import type { DataSource } from 'typeorm';
import type { ProjectRecord } from './procedure.store';

export interface ProjectFilter {
  region?: string;
  q?: string;
  readyToStart?: boolean;
  light?: string;
  ownerOrg?: string;
  leader?: string;
  limit: number;
  offset: number;
}

const SELECT = `SELECT id, code, name, approval_mode, region, owner_org, to_char(planned_start_date, 'YYYY-MM-DD') AS planned_start_date,
  leader, procedure_id, definition, ready_to_start, light, light_reasons, version, registered_at, updated_at FROM projects`;

function toProject(r: Record<string, any>): ProjectRecord {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    approvalMode: r.approval_mode,
    region: r.region,
    ownerOrg: r.owner_org,
    plannedStartDate: r.planned_start_date,
    leader: r.leader,
    procedureId: r.procedure_id,
    definition: r.definition,
    readyToStart: r.ready_to_start,
    light: r.light,
    lightReasons: r.light_reasons,
    version: r.version,
    registeredAt: new Date(r.registered_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** Text to find as is inside a LIKE pattern (with ESCAPE '\\'). */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Read side for projects: filters run on the read-model table, never on the stream. */
export class ProjectQueries {
  constructor(private readonly ds: DataSource) {}

  async byId(id: string): Promise<ProjectRecord | null> {
    const rows = await this.ds.query(`${SELECT} WHERE id = $1`, [id]);
    return rows.length ? toProject(rows[0]) : null;
  }

  async codeTaken(code: string): Promise<boolean> {
    const rows = await this.ds.query(`SELECT 1 FROM projects WHERE code = $1`, [code]);
    return rows.length > 0;
  }

  async list(f: ProjectFilter): Promise<{ items: ProjectRecord[]; total: number }> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      args.push(v);
      where.push(sql.replace('?', `$${args.length}`));
    };
    if (f.region) add('region = ?', f.region);
    // q is literal text: %, _ and \ in it match themselves, not any characters.
    if (f.q)
      add(
        `(name ILIKE '%' || ? || '%' ESCAPE '\\' OR code LIKE '%' || $${args.length + 1} || '%' ESCAPE '\\')`,
        likeLiteral(f.q),
      );
    if (f.readyToStart !== undefined) add('ready_to_start = ?', f.readyToStart);
    if (f.light) add('light = ?', f.light);
    if (f.ownerOrg) add('owner_org = ?', f.ownerOrg);
    if (f.leader) add('leader = ?', f.leader);
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const [rows, count] = await Promise.all([
      this.ds.query(
        `${SELECT}${clause} ORDER BY registered_at DESC, code LIMIT $${args.length + 1} OFFSET $${args.length + 2}`,
        [...args, f.limit, f.offset],
      ),
      this.ds.query(`SELECT count(*)::int AS n FROM projects${clause}`, args),
    ]);
    return { items: rows.map(toProject), total: count[0].n };
  }

  async count(): Promise<number> {
    const rows = await this.ds.query(`SELECT count(*)::int AS n FROM projects`);
    return rows[0].n;
  }
}

export interface ItemListFilter {
  department?: string;
  status?: string;
  light?: string;
  ownerOrg?: string;
  limit: number;
  offset: number;
}

export interface ItemListRow {
  procedureId: string;
  projectId: string;
  projectCode: string;
  projectName: string;
  definition: string;
  itemKey: string;
  department: string;
  taskForce: string;
  status: string;
  light: string;
  statutoryBreach: boolean;
  acceptedAt: string | null;
  committedDueAt: string | null;
  statutoryDueAt: string | null;
  provisional: boolean;
  openCommitments: number;
}

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

/** A department's desk: the items it holds, soonest due first. */
export class ItemQueries {
  constructor(private readonly ds: DataSource) {}

  async list(f: ItemListFilter): Promise<{ items: ItemListRow[]; total: number }> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      args.push(v);
      where.push(sql.replace('?', `$${args.length}`));
    };
    if (f.department) add('i.department = ?', f.department);
    if (f.status) add('i.status = ?', f.status);
    if (f.light) add('i.light = ?', f.light);
    if (f.ownerOrg) add('p.owner_org = ?', f.ownerOrg);
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const from = `FROM procedure_items i JOIN projects p ON p.id = i.project_id${clause}`;
    const [rows, count] = await Promise.all([
      this.ds.query(
        `SELECT i.*, p.code, p.name, p.definition ${from}
          ORDER BY i.committed_due_at NULLS LAST, p.code, i.item_key LIMIT $${args.length + 1} OFFSET $${args.length + 2}`,
        [...args, f.limit, f.offset],
      ),
      this.ds.query(`SELECT count(*)::int AS n ${from}`, args),
    ]);
    return {
      total: count[0].n,
      items: rows.map((r: Record<string, any>) => ({
        procedureId: r.procedure_id,
        projectId: r.project_id,
        projectCode: r.code,
        projectName: r.name,
        definition: r.definition,
        itemKey: r.item_key,
        department: r.department,
        taskForce: r.task_force,
        status: r.status,
        light: r.light,
        statutoryBreach: r.statutory_breach,
        acceptedAt: iso(r.accepted_at),
        committedDueAt: iso(r.committed_due_at),
        statutoryDueAt: iso(r.statutory_due_at),
        provisional: r.provisional,
        openCommitments: r.open_commitments,
      })),
    };
  }
}
