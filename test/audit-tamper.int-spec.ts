import { DefinitionRuntimes, verifyRecord, type VerificationFailure } from '../libs/audit/src';
import { canonicalJson } from '../libs/domain/src/event-hash';
import { hashEvent, type RecordedEvent } from '../libs/domain/src';
import { AuditStore, DataSource } from '../libs/persistence/src';
import {
  asSuperuser,
  auditActors,
  removeProcedures,
  sql,
  startAuditEngine,
  type AuditEngine,
} from './support/audit-engine';

/**
 * A superuser turns the append-only trigger off and changes the record in each way it can be
 * changed; verification names each change exactly: which procedure, which version, what kind.
 */
describe('tamper evidence', () => {
  let engine: AuditEngine;
  const created: string[] = [];
  const eco = auditActors.officer('ecology');
  const ndrc = auditActors.officer('ndrc');

  /** A procedure of 8 events: registration, then 容缺 acceptance, special procedure and approval of 环评. */
  async function procedure(): Promise<string> {
    const { procedureId, applicant } = await engine.register();
    created.push(procedureId);
    await engine.run(
      procedureId,
      'eia',
      { type: 'SUBMIT', materials: ['eia_report', 'expert_opinion'] },
      applicant,
    );
    await engine.run(procedureId, 'eia', { type: 'ACCEPT_WITH_TOLERANCE', dueInWorkingDays: 5 }, eco);
    await engine.run(
      procedureId,
      'energy_review',
      { type: 'SUBMIT', materials: ['energy_report', 'energy_opinion'] },
      applicant,
    );
    await engine.run(
      procedureId,
      'eia',
      { type: 'START_SPECIAL_PROCEDURE', kind: 'hearing', reason: '听证' },
      eco,
    );
    await engine.run(procedureId, 'eia', { type: 'END_SPECIAL_PROCEDURE' }, eco);
    await engine.run(procedureId, 'energy_review', { type: 'ACCEPT' }, ndrc);
    await engine.run(procedureId, 'eia', { type: 'APPROVE', documentNo: '衢环建〔2026〕9号' }, eco);
    const report = await engine.verify(procedureId);
    expect(report).toEqual({ procedures: 1, events: expect.any(Number), ok: true, failures: [] });
    return procedureId;
  }

  const failuresOf = async (procedureId: string) => {
    const report = await engine.verify(procedureId);
    expect(report.ok).toBe(false);
    return report.failures.map(({ procedureId: p, version, kind }: VerificationFailure) => ({
      procedureId: p,
      version,
      kind,
    }));
  };

  /** A procedure's findings in a verification of the whole record, read in batches of 25. */
  const bulkFailuresOf = async (procedureId: string) => {
    const report = await verifyRecord(
      new AuditStore(engine.app.get(DataSource)).streams({ batchSize: 25 }),
      (await runtimes()).lookup,
    );
    return report.failures
      .filter((f) => f.procedureId === procedureId)
      .map(({ procedureId: p, version, kind }) => ({ procedureId: p, version, kind }));
  };

  const runtimes = async () =>
    DefinitionRuntimes.builtIn(await new AuditStore(engine.app.get(DataSource)).pinnedDefinitions());

  beforeAll(async () => {
    engine = await startAuditEngine();
  });
  afterAll(async () => {
    await removeProcedures(created);
    await engine.close();
  });

  it('the application cannot change events: the trigger refuses', async () => {
    const id = await procedure();
    await expect(
      sql(`UPDATE events SET data = '{}' WHERE stream_id = $1 AND version = 2`, [id]),
    ).rejects.toThrow(/append-only/);
    await expect(sql(`DELETE FROM events WHERE stream_id = $1`, [id])).rejects.toThrow(/append-only/);
  });

  it("changing one event's data is HASH_MISMATCH at exactly that procedure and version", async () => {
    const id = await procedure();
    const other = await procedure();
    const changed = await asSuperuser(
      `UPDATE events SET data = jsonb_set(data, '{dueInWorkingDays}', '30') WHERE stream_id = $1 AND version = 3`,
      [id],
    );
    expect(changed).toBe(1);
    expect(await failuresOf(id)).toEqual([{ procedureId: id, version: 3, kind: 'HASH_MISMATCH' }]);
    expect((await engine.verify(other)).ok).toBe(true);
  });

  it("changing an event's metadata (who did it) is HASH_MISMATCH too", async () => {
    const id = await procedure();
    await asSuperuser(
      `UPDATE events SET metadata = jsonb_set(metadata, '{actor,name}', '"别人"') WHERE stream_id = $1 AND version = 8`,
      [id],
    );
    expect(await failuresOf(id)).toEqual([{ procedureId: id, version: 8, kind: 'HASH_MISMATCH' }]);
  });

  it('control characters written into stored fields are named exactly, alone and in batches', async () => {
    const id = await procedure();
    await asSuperuser(
      `UPDATE events SET type = E'StepAccepted\\x1fWithTolerance' WHERE stream_id = $1 AND version = 3`,
      [id],
    );
    await asSuperuser(
      `UPDATE events SET metadata = jsonb_set(metadata, '{occurredAt}', to_jsonb(E'2026\\x1e'::text)) WHERE stream_id = $1 AND version = 6`,
      [id],
    );
    // The separator of streams in a batch (FS), too.
    await asSuperuser(`UPDATE events SET type = E'StepSubmitted\\x1c' WHERE stream_id = $1 AND version = 4`, [
      id,
    ]);
    const expected = [3, 4, 6].map((version) => ({ procedureId: id, version, kind: 'HASH_MISMATCH' }));
    expect(await failuresOf(id)).toEqual(expected);
    // And over the whole record, in batches.
    expect(await bulkFailuresOf(id)).toEqual(expected);
  });

  it('a time that is not ASCII, a missing time and a previous hash of other characters are named exactly', async () => {
    const id = await procedure();
    await asSuperuser(
      `UPDATE events SET metadata = jsonb_set(metadata, '{occurredAt}', '"２０２６-03-02T10:00:00.000Z"') WHERE stream_id = $1 AND version = 3`,
      [id],
    );
    await asSuperuser(
      `UPDATE events SET metadata = metadata - 'occurredAt' WHERE stream_id = $1 AND version = 5`,
      [id],
    );
    await asSuperuser(`UPDATE events SET prev_hash = repeat('哈', 64) WHERE stream_id = $1 AND version = 7`, [
      id,
    ]);
    const expected = [
      { procedureId: id, version: 3, kind: 'HASH_MISMATCH' },
      { procedureId: id, version: 5, kind: 'HASH_MISMATCH' },
      { procedureId: id, version: 7, kind: 'CHAIN_BROKEN' },
      { procedureId: id, version: 7, kind: 'HASH_MISMATCH' },
    ];
    expect(await failuresOf(id)).toEqual(expected);
    expect(await bulkFailuresOf(id)).toEqual(expected);
  });

  it("the separator of a stream's own fields in a batch (GS), alone in its stream, is named exactly", async () => {
    const id = await procedure();
    await asSuperuser(
      `UPDATE events SET metadata = jsonb_set(metadata, '{definition}', to_jsonb(E'default\\x1d@1'::text)) WHERE stream_id = $1 AND version = 5`,
      [id],
    );
    expect(await failuresOf(id)).toEqual([{ procedureId: id, version: 5, kind: 'HASH_MISMATCH' }]);
  });

  it('deleting an event in the middle is MISSING_EVENT at its version and CHAIN_BROKEN at the next', async () => {
    const id = await procedure();
    expect(await asSuperuser(`DELETE FROM events WHERE stream_id = $1 AND version = 4`, [id])).toBe(1);
    expect(await failuresOf(id)).toEqual([
      { procedureId: id, version: 4, kind: 'MISSING_EVENT' },
      { procedureId: id, version: 5, kind: 'CHAIN_BROKEN' },
    ]);
  });

  it('deleting the last event is MISSING_EVENT: the snapshot is ahead of the stream', async () => {
    const id = await procedure();
    const [{ max }] = await sql<{ max: number }>(
      `SELECT max(version) AS max FROM events WHERE stream_id = $1`,
      [id],
    );
    await asSuperuser(`DELETE FROM events WHERE stream_id = $1 AND version = $2`, [id, max]);
    expect(await failuresOf(id)).toEqual([{ procedureId: id, version: max, kind: 'MISSING_EVENT' }]);
  });

  it('editing a snapshot is REPLAY_DIVERGES at the snapshot version', async () => {
    const id = await procedure();
    const [{ version }] = await sql<{ version: number }>(
      `UPDATE procedure_snapshots SET state = jsonb_set(state, '{value,eia}', '"in_review"') WHERE procedure_id = $1 RETURNING version`,
      [id],
    );
    const report = await engine.verify(id);
    expect(report.failures).toEqual([
      { procedureId: id, version, kind: 'REPLAY_DIVERGES', detail: expect.stringContaining('value.eia') },
    ]);
  });

  it("editing the snapshot's context (a document number) is REPLAY_DIVERGES", async () => {
    const id = await procedure();
    await sql(
      `UPDATE procedure_snapshots SET state = jsonb_set(state, '{context,items,eia,documentNo}', '"伪造"') WHERE procedure_id = $1`,
      [id],
    );
    const failures = await failuresOf(id);
    expect(failures.map((f) => f.kind)).toEqual(['REPLAY_DIVERGES']);
  });

  it("editing the snapshot's own columns (definition, version, last hash) is named, never a crash", async () => {
    const id = await procedure();
    // A ref no definition row has: the superuser turns the foreign key's trigger off too.
    const [{ version }] = await sql<{ version: number }>(
      `WITH off AS (SELECT set_config('session_replication_role', 'replica', true))
       UPDATE procedure_snapshots SET definition = 'default@9' FROM off WHERE procedure_id = $1 RETURNING version`,
      [id],
    );
    expect(await engine.verify(id)).toMatchObject({
      ok: false,
      failures: [
        { procedureId: id, version, kind: 'REPLAY_DIVERGES', detail: expect.stringContaining('default@9') },
      ],
    });
    await sql(
      `UPDATE procedure_snapshots SET definition = 'default@1', version = $2 WHERE procedure_id = $1`,
      [id, version - 1],
    );
    expect((await failuresOf(id)).map((f) => [f.version, f.kind])).toContainEqual([
      version - 1,
      'REPLAY_DIVERGES',
    ]);
    await sql(
      `UPDATE procedure_snapshots SET version = $2, last_hash = repeat('0', 64) WHERE procedure_id = $1`,
      [id, version],
    );
    expect(await failuresOf(id)).toEqual([{ procedureId: id, version, kind: 'CHAIN_BROKEN' }]);
  });

  it('editing the read models (an item status, project readiness) is REPLAY_DIVERGES', async () => {
    const id = await procedure();
    await sql(
      `UPDATE procedure_items SET status = 'approved' WHERE procedure_id = $1 AND item_key = 'energy_review'`,
      [id],
    );
    const report = await engine.verify(id);
    expect(report.failures.map((f) => [f.kind, f.detail.includes('energy_review')])).toEqual([
      ['REPLAY_DIVERGES', true],
    ]);
    await sql(
      `UPDATE procedure_items SET status = 'in_review' WHERE procedure_id = $1 AND item_key = 'energy_review'`,
      [id],
    );
    await sql(`UPDATE projects SET ready_to_start = true WHERE procedure_id = $1`, [id]);
    const again = await engine.verify(id);
    expect(again.failures.map((f) => [f.kind, f.detail.includes('ready_to_start')])).toEqual([
      ['REPLAY_DIVERGES', true],
    ]);
  });

  it('rewriting an event and re-hashing the rest of the chain still diverges from the snapshot', async () => {
    const id = await procedure();
    const rows = await sql<{
      version: number;
      type: string;
      data: Record<string, unknown>;
      metadata: RecordedEvent['metadata'];
      prev_hash: string;
      hash: string;
    }>(
      `SELECT version, type, data, metadata, prev_hash, hash FROM events WHERE stream_id = $1 ORDER BY version`,
      [id],
    );
    // The forger changes the document number of the approval and rebuilds every hash after it.
    const approval = rows.findIndex((r) => 'documentNo' in r.data);
    let prev = rows[approval - 1].hash;
    const client = rows.slice(approval).map((r, i) => {
      const data = i === 0 ? { ...r.data, documentNo: '伪造〔2026〕1号' } : r.data;
      const hash = hashEvent({
        streamId: id,
        version: r.version,
        type: r.type,
        data,
        metadata: r.metadata,
        prevHash: prev,
      });
      const row = { version: r.version, data, prev: prev, hash };
      prev = hash;
      return row;
    });
    for (const r of client) {
      await asSuperuser(
        `UPDATE events SET data = $3::jsonb, prev_hash = $4, hash = $5 WHERE stream_id = $1 AND version = $2`,
        [id, r.version, canonicalJson(r.data), r.prev, r.hash],
      );
    }
    await sql(`UPDATE procedure_snapshots SET last_hash = $2 WHERE procedure_id = $1`, [id, prev]);
    const report = await engine.verify(id);
    expect(report.failures.map((f) => f.kind)).toEqual(['REPLAY_DIVERGES']);
    expect(report.failures[0].detail).toContain('documentNo');
  });

  it('the whole-record verification, read in small keyset batches, names the same findings', async () => {
    const tampered = await procedure();
    await asSuperuser(`UPDATE events SET type = 'StepDenied' WHERE stream_id = $1 AND version = 8`, [
      tampered,
    ]);
    const clean = await procedure();
    const store = new AuditStore(engine.app.get(DataSource));
    const ids = async () =>
      new Set(
        (await sql<{ id: string }>(`SELECT procedure_id AS id FROM procedure_snapshots`)).map((r) => r.id),
      );
    const before = await ids();
    let batches = 0;
    const report = await verifyRecord(store.streams({ batchSize: 25 }), (await runtimes()).lookup, {
      onBatch: () => (batches += 1),
    });
    // Other suites add and remove procedures meanwhile: those there all along were all seen.
    const after = await ids();
    const throughout = [...before].filter((id) => after.has(id)).length;
    expect(throughout).toBeGreaterThan(2);
    expect(report.procedures).toBeGreaterThanOrEqual(throughout);
    expect(batches).toBeGreaterThanOrEqual(Math.ceil(throughout / 25));
    const mine = report.failures.filter((f) => f.procedureId === tampered || f.procedureId === clean);
    expect(mine.map((f) => [f.procedureId, f.version, f.kind])).toEqual([[tampered, 8, 'HASH_MISMATCH']]);
  });
});
