import { randomUUID } from 'node:crypto';
import {
  DomainError,
  ErrorCode,
  GENESIS_HASH,
  hashEvent,
  replay,
  type Actor,
  type CommandRequest,
  type RecordedEvent,
} from '../libs/domain/src';
import { DEFAULT_CATALOGUE, ProcedureLogic } from '../workflows/src';
import { STATUS_OF } from '../apps/api/src/http/problem.filter';
import { actors, refusal, startEngine, type EngineContext } from './support/engine-context';

type Cmd = [item: string, cmd: CommandRequest, actor: Actor];

const logic = new ProcedureLogic(DEFAULT_CATALOGUE);

/** Every version exactly once, 1..n, each event linked to the one before by its hash. */
function expectIntactStream(events: RecordedEvent[]): void {
  expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
  events.forEach((e, i) => {
    const { hash, ...unhashed } = e;
    expect(e.prevHash).toBe(i === 0 ? GENESIS_HASH : events[i - 1].hash);
    expect(hashEvent(unhashed)).toBe(hash);
  });
}

describe('the record on PostgreSQL', () => {
  let engine: EngineContext;
  beforeAll(async () => {
    engine = await startEngine();
  });
  afterAll(() => engine.close());

  const runAll = async (procedureId: string, commands: Cmd[]) => {
    for (const [item, cmd, actor] of commands) await engine.run(procedureId, item, cmd, actor);
  };

  describe('concurrency', () => {
    it('20 simultaneous commands on one procedure: versions 1..n without gaps or duplicates, every command that fits wins', async () => {
      const { procedureId, org } = await engine.register('verification');
      const applicant = actors.applicant(org);
      const ndrc = actors.officer('ndrc');
      const nr = actors.officer('natural-resources');
      const ecology = actors.officer('ecology');
      const water = actors.officer('water');
      const housing = actors.officer('housing');
      const admin = actors.admin();
      const awt: CommandRequest = { type: 'ACCEPT_WITH_TOLERANCE' };
      const approve: CommandRequest = { type: 'APPROVE', documentNo: '批复〔2026〕1号' };
      const submit = (materials: string[]): CommandRequest => ({ type: 'SUBMIT', materials });
      const supply = (...materials: string[]): CommandRequest => ({ type: 'SUPPLY_MATERIALS', materials });

      // Bring each item to a state where its commands of the batch commute.
      const setup: Cmd[] = [
        ['project_approval', submit(['application', 'feasibility_study']), applicant],
        ['project_approval', awt, ndrc],
        ['land_pre_review', submit(['application', 'site_plan', 'land_survey']), applicant],
        ['land_pre_review', { type: 'ACCEPT' }, nr],
        ['land_pre_review', approve, nr],
        ['eia', submit(['eia_report']), applicant],
        ['eia', awt, ecology],
        ['eia', { type: 'START_SPECIAL_PROCEDURE', kind: 'expert_review', reason: '专家评审' }, ecology],
        ['energy_review', submit(['energy_report']), applicant],
        ['energy_review', awt, ndrc],
        ['soil_water', submit(['swc_plan']), applicant],
        ['soil_water', awt, water],
        ['land_use_permit', submit(['application', 'land_contract']), applicant],
        ['land_use_permit', awt, nr],
        ['land_use_permit', approve, nr],
        ['engineering_permit', submit(['application', 'design_scheme']), applicant],
        ['engineering_permit', awt, nr],
        ['engineering_permit', approve, nr],
        ['drawing_review', submit(['construction_drawings', 'survey_report']), applicant],
        ['drawing_review', awt, housing],
      ];
      await runAll(procedureId, setup);
      const before = setup.length + 1;

      // 14 commands that fit in any order, 6 of them sent twice: 20 at once.
      const groups: { cmd: Cmd; copies: number }[] = [
        {
          cmd: [
            'project_approval',
            { type: 'START_SPECIAL_PROCEDURE', kind: 'hearing', reason: '听证' },
            ndrc,
          ],
          copies: 2,
        },
        { cmd: ['project_approval', supply('funding_plan'), applicant], copies: 1 },
        { cmd: ['eia', { type: 'END_SPECIAL_PROCEDURE' }, ecology], copies: 2 },
        { cmd: ['eia', supply('public_participation'), applicant], copies: 2 },
        { cmd: ['eia', supply('expert_opinion'), applicant], copies: 1 },
        { cmd: ['energy_review', approve, ndrc], copies: 1 },
        { cmd: ['energy_review', supply('energy_opinion'), applicant], copies: 1 },
        { cmd: ['soil_water', approve, water], copies: 1 },
        { cmd: ['soil_water', supply('swc_commitment'), applicant], copies: 2 },
        {
          cmd: [
            'heritage_survey',
            { type: 'WAIVE', basis: 'regional_assessment', reason: '区域评估' },
            admin,
          ],
          copies: 2,
        },
        { cmd: ['land_use_permit', supply('cadastral_map'), applicant], copies: 1 },
        { cmd: ['engineering_permit', supply('engineering_drawings'), applicant], copies: 1 },
        { cmd: ['drawing_review', approve, housing], copies: 1 },
        { cmd: ['drawing_review', supply('energy_calc'), applicant], copies: 2 },
      ];
      const batch = groups.flatMap((g, group) =>
        Array.from({ length: g.copies }, () => ({ group, cmd: g.cmd })),
      );
      expect(batch).toHaveLength(20);

      const results = await Promise.allSettled(
        batch.map(({ cmd: [item, cmd, actor] }) => engine.run(procedureId, item, cmd, actor)),
      );

      const winners = results.flatMap((r, i) =>
        r.status === 'fulfilled' ? [{ group: batch[i].group, result: r.value }] : [],
      );
      const losers = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      // every distinct command won exactly once; each repeat was refused as a conflict
      expect(winners.map((w) => w.group).sort((a, b) => a - b)).toEqual(groups.map((_, i) => i));
      expect(losers).toHaveLength(6);
      for (const err of losers) {
        expect(err).toBeInstanceOf(DomainError);
        expect([ErrorCode.INVALID_TRANSITION, ErrorCode.NOTHING_TO_SUPPLY]).toContain(err.code);
        expect(STATUS_OF[err.code as ErrorCode]).toBe(409);
      }

      const events = await engine.store.events(procedureId);
      expectIntactStream(events);
      expect(events).toHaveLength(before + groups.length);
      const won = winners.flatMap((w) => w.result.events.map((e) => e.version)).sort((a, b) => a - b);
      expect(won).toEqual(events.slice(before).map((e) => e.version));

      // snapshot, read models and a replay of the stream all agree
      const loaded = (await engine.store.load(procedureId))!;
      expect(loaded.version).toBe(events.length);
      expect(loaded.lastHash).toBe(events[events.length - 1].hash);
      const replayed = replay(logic, events)!;
      expect(replayed.rejected).toEqual([]);
      expect(replayed.state).toEqual(loaded.state);
      expect(loaded.state.value).toMatchObject({
        project_approval: 'paused',
        land_pre_review: 'approved',
        eia: 'in_review',
        energy_review: 'approved',
        soil_water: 'approved',
        heritage_survey: 'waived',
        land_use_permit: 'approved',
        engineering_permit: 'approved',
        drawing_review: 'approved',
        construction_permit: 'ready',
      });
      const rows: { item_key: string; status: string; open_commitments: number }[] = await engine.ds.query(
        `SELECT item_key, status, open_commitments FROM procedure_items WHERE procedure_id = $1`,
        [procedureId],
      );
      expect(Object.fromEntries(rows.map((r) => [r.item_key, r.status]))).toEqual(loaded.state.value);
      expect(rows.every((r) => r.open_commitments === 0)).toBe(true);
      const [project] = await engine.ds.query(
        `SELECT version, ready_to_start FROM projects WHERE procedure_id = $1`,
        [procedureId],
      );
      expect(project).toEqual({ version: events.length, ready_to_start: false });
    });

    it('identical commands racing: exactly one wins, the others get INVALID_TRANSITION', async () => {
      const { procedureId, org } = await engine.register();
      await engine.run(
        procedureId,
        'eia',
        { type: 'SUBMIT', materials: ['eia_report', 'public_participation', 'expert_opinion'] },
        actors.applicant(org),
      );
      const ecology = actors.officer('ecology');

      const results = await Promise.allSettled(
        Array.from({ length: 10 }, () => engine.run(procedureId, 'eia', { type: 'ACCEPT' }, ecology)),
      );

      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as DomainError] : []));
      expect(refused).toHaveLength(9);
      for (const err of refused) {
        expect(err.code).toBe(ErrorCode.INVALID_TRANSITION);
        expect(err.details).toMatchObject({ itemKey: 'eia', itemStatus: 'in_review', command: 'ACCEPT' });
      }
      const events = await engine.store.events(procedureId);
      expectIntactStream(events);
      expect(events.map((e) => e.type)).toEqual(['ProjectRegistered', 'StepSubmitted', 'StepAccepted']);
    });

    it('concurrent commands on different procedures do not interfere', async () => {
      const procedures = await Promise.all(Array.from({ length: 5 }, () => engine.register()));
      await Promise.all(
        procedures.flatMap(({ procedureId, org }) =>
          ['eia', 'energy_review', 'soil_water'].map((item) =>
            engine.run(
              procedureId,
              item,
              { type: 'SUBMIT', materials: logic.item(item)!.materials.map((m) => m.key) },
              actors.applicant(org),
            ),
          ),
        ),
      );
      for (const { procedureId } of procedures) {
        const events = await engine.store.events(procedureId);
        expectIntactStream(events);
        expect(events).toHaveLength(4);
      }
    });
  });

  describe('idempotency', () => {
    const submitEia: CommandRequest = {
      type: 'SUBMIT',
      materials: ['eia_report', 'public_participation', 'expert_opinion'],
    };

    it('answers a retry with the same Idempotency-Key with the first answer and appends nothing', async () => {
      const { procedureId, org } = await engine.register();
      const applicant = actors.applicant(org);
      const key = randomUUID();
      const first = await engine.run(procedureId, 'eia', submitEia, applicant, { idempotencyKey: key });
      // the procedure moves on in between: the retry still gets the first answer
      await engine.run(procedureId, 'eia', { type: 'ACCEPT' }, actors.officer('ecology'));
      const retry = await engine.run(procedureId, 'eia', { ...submitEia }, applicant, {
        idempotencyKey: key,
      });

      expect(retry).toEqual(first);
      // Byte for byte, keys in the order first given (jsonb would have reordered them).
      expect(JSON.stringify(retry)).toBe(JSON.stringify(first));
      expect(first.events.map((e) => e.version)).toEqual([2]);
      const events = await engine.store.events(procedureId);
      expect(events.map((e) => e.type)).toEqual(['ProjectRegistered', 'StepSubmitted', 'StepAccepted']);
      expect(events[1].metadata.idempotencyKey).toBe(key);
    });

    it('answers simultaneous retries of one key once', async () => {
      const { procedureId, org } = await engine.register();
      const applicant = actors.applicant(org);
      const key = randomUUID();
      const answers = await Promise.all(
        Array.from({ length: 6 }, () =>
          engine.run(procedureId, 'eia', submitEia, applicant, { idempotencyKey: key }),
        ),
      );
      for (const a of answers) expect(a).toEqual(answers[0]);
      expect((await engine.store.events(procedureId)).map((e) => e.type)).toEqual([
        'ProjectRegistered',
        'StepSubmitted',
      ]);
    });

    it('refuses the same key with a different body: IDEMPOTENCY_KEY_REUSED, nothing written', async () => {
      const { procedureId, org } = await engine.register();
      const applicant = actors.applicant(org);
      const key = randomUUID();
      await engine.run(procedureId, 'eia', submitEia, applicant, { idempotencyKey: key });
      const before = await engine.store.events(procedureId);

      const otherBody = await refusal(
        engine.run(procedureId, 'eia', { type: 'SUBMIT', materials: ['eia_report'] }, applicant, {
          idempotencyKey: key,
        }),
      );
      const otherItem = await refusal(
        engine.run(procedureId, 'soil_water', { type: 'SUBMIT', materials: ['swc_plan'] }, applicant, {
          idempotencyKey: key,
        }),
      );
      const other = await engine.register('verification', applicant.org);
      const otherProcedure = await refusal(
        engine.run(other.procedureId, 'eia', submitEia, applicant, { idempotencyKey: key }),
      );

      for (const err of [otherBody, otherItem, otherProcedure]) {
        expect(err.code).toBe(ErrorCode.IDEMPOTENCY_KEY_REUSED);
        expect(STATUS_OF[err.code]).toBe(409);
      }
      expect(await engine.store.events(procedureId)).toEqual(before);
      expect(await engine.store.events(other.procedureId)).toHaveLength(1);
    });

    it('refuses one key raced on two procedures: one wins, the other gets IDEMPOTENCY_KEY_REUSED and writes nothing', async () => {
      for (let round = 0; round < 4; round++) {
        const org = `org-${randomUUID().slice(0, 8)}`;
        const applicant = actors.applicant(org);
        const pair = await Promise.all([
          engine.register('verification', org),
          engine.register('verification', org),
        ]);
        const key = randomUUID();
        const results = await Promise.allSettled(
          pair.map((p) => engine.run(p.procedureId, 'eia', submitEia, applicant, { idempotencyKey: key })),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
        expect(refused).toHaveLength(1);
        expect(refused[0]).toBeInstanceOf(DomainError);
        expect(refused[0].code).toBe(ErrorCode.IDEMPOTENCY_KEY_REUSED);
        const lengths = await Promise.all(
          pair.map(async (p) => (await engine.store.events(p.procedureId)).length),
        );
        expect(lengths.sort()).toEqual([1, 2]);
      }
    });

    it('keeps keys per actor: another actor’s identical key is its own request', async () => {
      const { procedureId, org } = await engine.register();
      const key = randomUUID();
      await engine.run(procedureId, 'eia', submitEia, actors.applicant(org), { idempotencyKey: key });
      const second = await engine.run(
        procedureId,
        'soil_water',
        { type: 'SUBMIT', materials: ['swc_plan'] },
        actors.applicant(org),
        {
          idempotencyKey: key,
        },
      );
      expect(second.events[0]).toMatchObject({
        version: 3,
        type: 'StepSubmitted',
        data: { itemKey: 'soil_water' },
      });
    });

    it('does not remember a refused command: the same key may be used again once it fits', async () => {
      const { procedureId, org } = await engine.register();
      const ecology = actors.officer('ecology');
      const key = randomUUID();
      expect(
        (await refusal(engine.run(procedureId, 'eia', { type: 'ACCEPT' }, ecology, { idempotencyKey: key })))
          .code,
      ).toBe(ErrorCode.INVALID_TRANSITION);
      await engine.run(procedureId, 'eia', submitEia, actors.applicant(org));
      const accepted = await engine.run(procedureId, 'eia', { type: 'ACCEPT' }, ecology, {
        idempotencyKey: key,
      });
      expect(accepted.events[0].type).toBe('StepAccepted');
    });
  });

  describe('If-Match', () => {
    it('refuses a stale version with PRECONDITION_FAILED (412) and writes nothing; the current one passes', async () => {
      const { procedureId, org } = await engine.register();
      const applicant = actors.applicant(org);
      await engine.run(procedureId, 'eia', { type: 'SUBMIT', materials: ['eia_report'] }, applicant);
      const before = await engine.store.events(procedureId);

      const stale = await refusal(
        engine.run(procedureId, 'soil_water', { type: 'SUBMIT', materials: ['swc_plan'] }, applicant, {
          ifMatch: 1,
        }),
      );
      expect(stale.code).toBe(ErrorCode.PRECONDITION_FAILED);
      expect(STATUS_OF[stale.code]).toBe(412);
      expect(stale.details).toEqual({ expected: 1, actual: 2 });
      expect(await engine.store.events(procedureId)).toEqual(before);

      const ok = await engine.run(
        procedureId,
        'soil_water',
        { type: 'SUBMIT', materials: ['swc_plan'] },
        applicant,
        { ifMatch: 2 },
      );
      expect(ok.procedure.version).toBe(3);
    });
  });

  describe('the events table', () => {
    /** Runs a statement in a transaction that is always rolled back, returning its error. */
    async function refusedInTransaction(
      sql: string,
      params: unknown[],
    ): Promise<{ code?: string; message: string }> {
      const runner = engine.ds.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        await runner.query(sql, params);
        return { message: 'the statement was not refused' };
      } catch (err) {
        return err as { code?: string; message: string };
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    }

    it('refuses UPDATE and DELETE in the database itself', async () => {
      const { procedureId, org } = await engine.register();
      await engine.run(
        procedureId,
        'eia',
        { type: 'SUBMIT', materials: ['eia_report'] },
        actors.applicant(org),
      );
      const before = await engine.store.events(procedureId);

      const update = await refusedInTransaction(
        `UPDATE events SET type = 'StepApproved' WHERE stream_id = $1 AND version = 2`,
        [procedureId],
      );
      const updateData = await refusedInTransaction(
        `UPDATE events SET data = '{}'::jsonb WHERE stream_id = $1`,
        [procedureId],
      );
      const del = await refusedInTransaction(`DELETE FROM events WHERE stream_id = $1`, [procedureId]);
      for (const err of [update, updateData, del]) {
        expect(err.code).toBe('42501');
        expect(err.message).toMatch(/events are append-only: (UPDATE|DELETE) refused/);
      }
      expect(del.message).toContain('DELETE');
      expect(await engine.store.events(procedureId)).toEqual(before);
    });

    it('refuses a second event with the same stream and version', async () => {
      const { procedureId } = await engine.register();
      const [first] = await engine.store.events(procedureId);
      const err = await refusedInTransaction(
        `INSERT INTO events (stream_id, version, type, data, metadata, occurred_at, prev_hash, hash)
         VALUES ($1, 1, 'ProjectRegistered', '{}', '{}', now(), $2, $2)`,
        [procedureId, first.hash],
      );
      expect(err.code).toBe('23505');
    });
  });

  describe('the hash chain of a stored stream', () => {
    it('verifies: every stored hash recomputes from the stored event, each linked to the one before', async () => {
      const { procedureId, org } = await engine.register('approval');
      const applicant = actors.applicant(org);
      const ndrc = actors.officer('ndrc');
      await runAll(procedureId, [
        ['project_approval', { type: 'SUBMIT', materials: ['项目申请文件', 'feasibility_study'] }, applicant],
        ['project_approval', { type: 'ACCEPT_WITH_TOLERANCE', dueInWorkingDays: 3 }, ndrc],
        [
          'project_approval',
          {
            type: 'START_SPECIAL_PROCEDURE',
            kind: 'public_notice',
            reason: '批前公示（含“引号”与 emoji 🏗️）',
          },
          ndrc,
        ],
        ['project_approval', { type: 'END_SPECIAL_PROCEDURE' }, ndrc],
        ['project_approval', { type: 'APPROVE', documentNo: '衢发改审〔2026〕8号' }, ndrc],
        ['project_approval', { type: 'SUPPLY_MATERIALS', materials: ['funding_plan'] }, applicant],
        ['energy_review', { type: 'WAIVE', basis: 'notice_commitment', reason: '告知承诺' }, actors.admin()],
      ]);

      const events = await engine.store.events(procedureId);
      expect(events).toHaveLength(8);
      expectIntactStream(events);
      expect(events.map((e) => e.type)).toEqual([
        'ProjectRegistered',
        'StepSubmitted',
        'StepAcceptedWithTolerance',
        'SpecialProcedureStarted',
        'SpecialProcedureEnded',
        'StepProvisionallyApproved',
        'MaterialsSupplied',
        'StepWaived',
      ]);
      expect(events[2].data).toMatchObject({ dueInWorkingDays: 3, missing: ['funding_plan'] });
      expect(events[2].metadata).toMatchObject({
        actor: { id: ndrc.id, role: 'department', department: 'ndrc' },
        definition: 'default@1',
      });

      const loaded = (await engine.store.load(procedureId))!;
      expect(loaded.lastHash).toBe(events[7].hash);
      expect(replay(logic, events)!.state).toEqual(loaded.state);
    });
  });
});
