import { randomUUID } from 'node:crypto';
import { DefinitionsService, ProcedureQueries } from '../libs/engine/src';
import { DefinitionStore, DataSource } from '../libs/persistence/src';
import { DEFAULT_CATALOGUE, contentHash, type ProcedureDefinition } from '../workflows/src';
import { auditActors, removeProcedures, startAuditEngine, type AuditEngine } from './support/audit-engine';

/**
 * Two versions of one definition live side by side: new procedures start on the newest, running
 * ones stay on theirs, and both replay and verify. A published version cannot change content.
 * Each run uses its own definition id, since a published version is pinned in the database forever.
 */
describe('definition versions', () => {
  const id = `audit-v-${randomUUID().slice(0, 8)}`;
  const v1: ProcedureDefinition = { ...DEFAULT_CATALOGUE, id, version: 1, name: '审计测试目录' };
  // Version 2: 环评 gets a shorter committed limit and one more tolerable material.
  const v2: ProcedureDefinition = {
    ...v1,
    version: 2,
    items: v1.items.map((i) =>
      i.key === 'eia'
        ? {
            ...i,
            limits: { ...i.limits, committed: { n: 15, unit: 'WD' as const } },
            materials: [...i.materials, { key: 'risk_assessment', name: '环境风险评估', tolerable: true }],
          }
        : i,
    ),
  };
  const eco = auditActors.officer('ecology');
  const created: string[] = [];
  let engine: AuditEngine | null = null;

  afterEach(async () => {
    await engine?.close();
    engine = null;
  });
  afterAll(() => removeProcedures(created));

  it('runs new procedures on the new version while the old one still runs, replays and verifies', async () => {
    engine = await startAuditEngine([v1]);
    const old = await engine.register({ definition: id });
    created.push(old.procedureId);
    await engine.run(
      old.procedureId,
      'eia',
      { type: 'SUBMIT', materials: ['eia_report', 'public_participation'] },
      old.applicant,
    );
    await engine.close();

    engine = await startAuditEngine([v1, v2]);
    const fresh = await engine.register({ definition: id });
    created.push(fresh.procedureId);
    // The old procedure goes on under version 1: 容缺 misses only 技术评估意见 there.
    await engine.run(old.procedureId, 'eia', { type: 'ACCEPT_WITH_TOLERANCE' }, eco);
    // The new one runs version 2, which knows 环境风险评估.
    await engine.run(
      fresh.procedureId,
      'eia',
      { type: 'SUBMIT', materials: ['eia_report', 'public_participation', 'risk_assessment'] },
      fresh.applicant,
    );
    await engine.run(fresh.procedureId, 'eia', { type: 'ACCEPT_WITH_TOLERANCE' }, eco);

    const auditor = auditActors.auditor();
    const oldView = await engine.history.replay(auditor, old.procedureId, null);
    const freshView = await engine.history.replay(auditor, fresh.procedureId, null);
    expect(oldView.definition).toBe(`${id}@1`);
    expect(freshView.definition).toBe(`${id}@2`);
    expect(oldView.items.find((i) => i.key === 'eia')!.missingMaterials).toEqual(['expert_opinion']);
    expect(freshView.items.find((i) => i.key === 'eia')!.missingMaterials).toEqual(['expert_opinion']);
    const exported = await engine.history.export(auditor, old.procedureId, 'jsonl');
    expect(JSON.parse(exported.body.split('\n')[0]).definition.hash).toBe(contentHash(v1));

    for (const p of [old, fresh]) {
      expect(await engine.verify(p.procedureId)).toEqual({
        procedures: 1,
        events: expect.any(Number),
        ok: true,
        failures: [],
      });
    }
  });

  it('still replays, verifies and shows a version the code no longer ships, from the content pinned in the database', async () => {
    engine = await startAuditEngine([v1]);
    const p = await engine.register({ definition: `${id}@1` });
    created.push(p.procedureId);
    await engine.run(p.procedureId, 'eia', { type: 'SUBMIT', materials: ['eia_report'] }, p.applicant);
    await engine.close();

    engine = await startAuditEngine([v2]);
    // Said at boot: procedures run a version this deployment does not ship.
    expect(await engine.app.get(DefinitionsService).unshipped()).toContainEqual({
      definition: `${id}@1`,
      procedures: expect.any(Number),
    });
    expect(await engine.verify(p.procedureId)).toEqual({ procedures: 1, events: 2, ok: true, failures: [] });
    const view = await engine.history.replay(auditActors.auditor(), p.procedureId, null);
    expect(view.definition).toBe(`${id}@1`);
    expect(view.items.find((i) => i.key === 'eia')!.status).toBe('submitted');
    // The live view (GET /procedures/:id) too, where the snapshot is read with that version.
    const live = await engine.app.get(ProcedureQueries).procedure(p.applicant, p.procedureId);
    expect(live.definition).toBe(`${id}@1`);
    expect(live.items.find((i) => i.key === 'eia')!.status).toBe('submitted');
    // Commands are decided by the running code alone, which no longer has that version.
    await expect(
      engine.run(p.procedureId, 'eia', { type: 'ACCEPT' }, auditActors.officer('ecology')),
    ).rejects.toMatchObject({ code: 'DEFINITION_RETIRED', details: { definition: `${id}@1` } });
  });

  it('refuses to boot when a published version changed content without a new version number', async () => {
    engine = await startAuditEngine([v1]);
    await engine.close();
    engine = null;
    const changed = { ...v1, name: '审计测试目录（改）' };
    await expect(startAuditEngine([changed])).rejects.toThrow(
      new RegExp(`definition ${id}@1 was published with content hash ${contentHash(v1)}`),
    );
  });

  it('pins a version on first publication only', async () => {
    engine = await startAuditEngine([v1]);
    const store = new DefinitionStore(engine.app.get(DataSource));
    await expect(
      store.publish([{ ref: `${id}@1`, id, version: 1, hash: contentHash(v1), content: v1 }]),
    ).resolves.toBeUndefined();
    await expect(
      store.publish([{ ref: `${id}@1`, id, version: 1, hash: contentHash(v2), content: v2 }]),
    ).rejects.toThrow(/must not change/);
  });
});
