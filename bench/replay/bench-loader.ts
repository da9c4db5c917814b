import { hashEvent, GENESIS_HASH, type RecordedEvent } from '@qianqi/domain';
import type { ProcedureLogic } from '@qianqi/workflows';
import type { Client } from 'pg';
import {
  TEMPLATE_EPOCH,
  TEMPLATE_PROCEDURE_ID,
  TEMPLATE_PROJECT_ID,
  type StreamTemplate,
} from './stream-templates';

const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g;

/** A template's JSON with the procedure's own ids, and every instant moved by `shift` ms. */
function instantiate(json: string, procedureId: string, projectId: string, shift: number): string {
  return json
    .replaceAll(TEMPLATE_PROCEDURE_ID, procedureId)
    .replaceAll(TEMPLATE_PROJECT_ID, projectId)
    .replace(ISO, (iso) => new Date(Date.parse(iso) + shift).toISOString());
}

export interface BenchProcedure {
  procedureId: string;
  projectId: string;
  code: string;
  template: StreamTemplate;
  shift: number;
}

/**
 * Rows for a batch of procedures, written with one multi-row INSERT … SELECT unnest(…) per table.
 * Every event is hashed with the domain's `hashEvent` and chained as `chainEvents` chains.
 */
export async function insertBatch(
  client: Client,
  logic: ProcedureLogic,
  batch: BenchProcedure[],
): Promise<number> {
  const ev = {
    stream: [] as string[],
    version: [] as number[],
    type: [] as string[],
    data: [] as string[],
    meta: [] as string[],
    at: [] as string[],
    prev: [] as string[],
    hash: [] as string[],
  };
  const pr = {
    id: [] as string[],
    code: [] as string[],
    mode: [] as string[],
    procedure: [] as string[],
    ready: [] as boolean[],
    version: [] as number[],
    at: [] as string[],
  };
  const sn = {
    id: [] as string[],
    project: [] as string[],
    version: [] as number[],
    hash: [] as string[],
    state: [] as string[],
    at: [] as string[],
  };
  const it = {
    procedure: [] as string[],
    project: [] as string[],
    key: [] as string[],
    department: [] as string[],
    taskForce: [] as string[],
    stage: [] as number[],
    status: [] as string[],
  };
  for (const p of batch) {
    let prev = GENESIS_HASH;
    let last = '';
    p.template.events.forEach((t, i) => {
      const at = new Date(TEMPLATE_EPOCH + t.offset + p.shift).toISOString();
      const data = JSON.parse(instantiate(JSON.stringify(t.data), p.procedureId, p.projectId, p.shift));
      if (i === 0) data.code = p.code;
      const metadata = {
        actor: t.actor,
        requestId: null,
        idempotencyKey: null,
        occurredAt: at,
        definition: logic.ref,
      };
      const e: Omit<RecordedEvent, 'hash'> = {
        streamId: p.procedureId,
        version: i + 1,
        type: t.type,
        data,
        metadata,
        prevHash: prev,
      };
      const hash = hashEvent(e);
      ev.stream.push(p.procedureId);
      ev.version.push(i + 1);
      ev.type.push(t.type);
      ev.data.push(JSON.stringify(data));
      ev.meta.push(JSON.stringify(metadata));
      ev.at.push(at);
      ev.prev.push(prev);
      ev.hash.push(hash);
      prev = hash;
      last = at;
    });
    const state = JSON.parse(
      instantiate(JSON.stringify(p.template.state), p.procedureId, p.projectId, p.shift),
    );
    const version = p.template.events.length;
    pr.id.push(p.projectId);
    pr.code.push(p.code);
    pr.mode.push(p.template.mode);
    pr.procedure.push(p.procedureId);
    pr.ready.push(logic.readyToStart(state));
    pr.version.push(version);
    pr.at.push(last);
    sn.id.push(p.procedureId);
    sn.project.push(p.projectId);
    sn.version.push(version);
    sn.hash.push(prev);
    sn.state.push(JSON.stringify(state));
    sn.at.push(last);
    for (const item of logic.applicableItems(state)) {
      it.procedure.push(p.procedureId);
      it.project.push(p.projectId);
      it.key.push(item.key);
      it.department.push(item.department);
      it.taskForce.push(item.taskForce);
      it.stage.push(item.stage);
      it.status.push(logic.status(state, item.key));
    }
  }
  await client.query('BEGIN');
  await client.query(
    `INSERT INTO projects (id, code, name, approval_mode, region, owner_org, planned_start_date, leader, procedure_id, definition,
                           ready_to_start, light, light_reasons, version, registered_at, updated_at)
     SELECT x.id, x.code, '基准测试项目', x.mode, '330800', 'bench-org', '2027-06-30', NULL, x.procedure, $8, x.ready, 'green', '[]', x.version, x.at, x.at
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::boolean[], $6::int[], $7::timestamptz[]) AS x(id, code, mode, procedure, ready, version, at)`,
    [pr.id, pr.code, pr.mode, pr.procedure, pr.ready, pr.version, pr.at, logic.ref],
  );
  await client.query(
    `INSERT INTO procedure_snapshots (procedure_id, project_id, definition, version, last_hash, state, updated_at)
     SELECT x.id, x.project, $7, x.version, x.hash, x.state, x.at
       FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::jsonb[], $6::timestamptz[]) AS x(id, project, version, hash, state, at)`,
    [sn.id, sn.project, sn.version, sn.hash, sn.state, sn.at, logic.ref],
  );
  await client.query(
    `INSERT INTO procedure_items (procedure_id, project_id, item_key, department, task_force, stage, status, updated_at)
     SELECT x.*, now() FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::smallint[], $7::text[])
       AS x(procedure, project, key, department, task_force, stage, status)`,
    [it.procedure, it.project, it.key, it.department, it.taskForce, it.stage, it.status],
  );
  await client.query(
    `INSERT INTO events (stream_id, version, type, data, metadata, occurred_at, prev_hash, hash)
     SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::jsonb[], $5::jsonb[], $6::timestamptz[], $7::text[], $8::text[])`,
    [ev.stream, ev.version, ev.type, ev.data, ev.meta, ev.at, ev.prev, ev.hash],
  );
  await client.query('COMMIT');
  return ev.stream.length;
}
