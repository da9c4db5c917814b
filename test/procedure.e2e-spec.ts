import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { token, tokens, uniqueOrg } from './support/fixtures';
import { expectProblem, ProcedureClient, type ItemViewDto } from './support/procedure-client';
import { startTestApi, type TestApi } from './support/test-app';
import { TEST_JWT_SECRET } from './support/test-env';

const GENESIS = '0'.repeat(64);

describe('a procedure over HTTP', () => {
  let api: TestApi;
  let c: ProcedureClient;
  beforeAll(async () => {
    api = await startTestApi();
    c = await ProcedureClient.forDefinition(api, 'default');
  });
  afterAll(() => api.close());

  describe('from registration to readyToStart (default catalogue, 审批 project)', () => {
    it('drives every applicable item with the owning department, through 容缺, 补正, 特别程序, a denial and a waiver', async () => {
      const { procedureId, projectId, applicant } = await c.register({ approvalMode: 'approval' });
      const start = await c.procedure(procedureId);
      expect(start.version).toBe(1);
      expect(start.readyToStart).toBe(false);
      expect(start.items.map((i) => i.key).sort()).toEqual([...c.items.keys()].sort());

      let version = 1;
      /** One accepted command: exactly one new event, at the next version. */
      const step = async (item: string, body: Record<string, unknown>, tok: string): Promise<ItemViewDto> => {
        const { item: view, res } = await c.ok(procedureId, item, body, tok);
        version += 1;
        expect(res.body.events.map((e: { version: number }) => e.version)).toEqual([version]);
        expect(res.body.procedure.version).toBe(version);
        return view;
      };
      const submitAll = (item: string) =>
        step(item, { type: 'SUBMIT', materials: c.materials(item) }, applicant);
      const accept = (item: string) => step(item, { type: 'ACCEPT' }, c.officerOf(item));
      const approve = (item: string) =>
        step(item, { type: 'APPROVE', documentNo: `${item}〔2026〕1号` }, c.officerOf(item));
      const plainApproval = async (item: string) => {
        expect((await submitAll(item)).status).toBe('submitted');
        expect((await accept(item)).status).toBe('in_review');
        expect((await approve(item)).status).toBe('approved');
      };

      // 立项 with 容缺: accepted with the tolerable material missing, approved provisionally,
      // approved once supplied; only then does 用地预审 open (its edge allows no 容缺后置).
      const pa = 'project_approval';
      const submitted = await step(
        pa,
        { type: 'SUBMIT', materials: c.materials(pa, 'essential') },
        applicant,
      );
      expect(submitted.missingMaterials).toEqual(c.materials(pa, 'tolerable'));
      const tolerated = await step(
        pa,
        { type: 'ACCEPT_WITH_TOLERANCE', dueInWorkingDays: 5 },
        c.officerOf(pa),
      );
      expect(tolerated.status).toBe('in_review');
      expect(tolerated.commitments.map((x) => [x.material, x.status])).toEqual(
        c.materials(pa, 'tolerable').map((m) => [m, 'open']),
      );
      expect((await approve(pa)).status).toBe('provisionally_approved');
      expect((await c.statuses(procedureId)).land_pre_review).toBe('locked');
      const supplied = await step(
        pa,
        { type: 'SUPPLY_MATERIALS', materials: c.materials(pa, 'tolerable') },
        applicant,
      );
      expect(supplied.status).toBe('approved');
      expect(supplied.commitments.every((x) => x.status === 'fulfilled')).toBe(true);
      expect((await c.statuses(procedureId)).land_pre_review).toBe('ready');

      // 环评 with a 补正 round trip and a 特别程序 (expert review): the clock stops twice.
      const eia = 'eia';
      await step(eia, { type: 'SUBMIT', materials: c.materials(eia, 'essential') }, applicant);
      const returned = await step(
        eia,
        {
          type: 'RETURN_FOR_CORRECTION',
          reason: '请补充公众参与说明和技术评估意见',
          missing: c.materials(eia, 'tolerable'),
        },
        c.officerOf(eia),
      );
      expect(returned.status).toBe('correcting');
      expect(returned.clock.paused).toBe(true);
      expect(returned.clock.pausedSpans).toEqual([expect.objectContaining({ kind: 'correction', to: null })]);
      const resubmitted = await step(
        eia,
        { type: 'RESUBMIT', materials: c.materials(eia, 'tolerable') },
        applicant,
      );
      expect(resubmitted.status).toBe('submitted');
      expect(resubmitted.missingMaterials).toEqual([]);
      expect(resubmitted.clock.pausedSpans[0].to).not.toBeNull();
      await accept(eia);
      const paused = await step(
        eia,
        { type: 'START_SPECIAL_PROCEDURE', kind: 'expert_review', reason: '组织专家评审' },
        c.officerOf(eia),
      );
      expect(paused.status).toBe('paused');
      expect(paused.clock.paused).toBe(true);
      const resumed = await step(eia, { type: 'END_SPECIAL_PROCEDURE' }, c.officerOf(eia));
      expect(resumed.status).toBe('in_review');
      expect(resumed.clock.pausedSpans.map((s) => [s.kind, s.to !== null])).toEqual([
        ['correction', true],
        ['expert_review', true],
      ]);
      expect((await approve(eia)).status).toBe('approved');

      // 节能审查 waived by 区域评估.
      const waived = await step(
        'energy_review',
        { type: 'WAIVE', basis: 'regional_assessment', reason: '园区区域评估已覆盖' },
        c.admin,
      );
      expect(waived.status).toBe('waived');

      // 水土保持 denied, then a new application approved.
      const sw = 'soil_water';
      await submitAll(sw);
      await accept(sw);
      const denied = await step(sw, { type: 'DENY', reason: '方案深度不足' }, c.officerOf(sw));
      expect(denied.status).toBe('denied');
      await plainApproval(sw);

      await plainApproval('heritage_survey');
      await plainApproval('land_pre_review');
      expect((await c.statuses(procedureId)).land_use_permit).toBe('ready');
      await plainApproval('land_use_permit');
      await plainApproval('engineering_permit');
      expect((await c.statuses(procedureId)).construction_permit).toBe('locked');
      await plainApproval('drawing_review');
      expect((await c.statuses(procedureId)).construction_permit).toBe('ready');

      await submitAll('construction_permit');
      await accept('construction_permit');
      expect((await c.procedure(procedureId)).readyToStart).toBe(false);
      await approve('construction_permit');

      const done = await c.procedure(procedureId);
      expect(done.readyToStart).toBe(true);
      expect(done.version).toBe(version);
      expect(Object.fromEntries(done.items.map((i) => [i.key, i.status]))).toEqual(
        Object.fromEntries(
          [...c.items.keys()].map((k) => [k, k === 'energy_review' ? 'waived' : 'approved']),
        ),
      );
      const project = await api.request('GET', `/projects/${projectId}`, { token: applicant });
      expect(project.status).toBe(200);
      expect(project.body.readyToStart).toBe(true);

      // the stream: 1..n, hash-linked, the story told in past tense
      const events = await c.events(procedureId);
      expect(events.map((e) => e.version)).toEqual(Array.from({ length: version }, (_, i) => i + 1));
      events.forEach((e, i) => expect(e.prevHash).toBe(i === 0 ? GENESIS : events[i - 1].hash));
      const types = events.map((e) => e.type);
      expect(types[0]).toBe('ProjectRegistered');
      for (const t of [
        'StepAcceptedWithTolerance',
        'StepProvisionallyApproved',
        'MaterialsSupplied',
        'StepReturnedForCorrection',
        'StepResubmitted',
        'SpecialProcedureStarted',
        'SpecialProcedureEnded',
        'StepDenied',
        'StepWaived',
      ]) {
        expect(types).toContain(t);
      }
      const acceptedWithTolerance = events.find((e) => e.type === 'StepAcceptedWithTolerance')!;
      expect(acceptedWithTolerance.metadata.actor).toMatchObject({ role: 'department', department: 'ndrc' });
      expect(acceptedWithTolerance.data).toMatchObject({
        itemKey: pa,
        missing: c.materials(pa, 'tolerable'),
      });
    });
  });

  describe('refusals leave the stream unchanged', () => {
    /** Runs the request, asserts the problem, and that the procedure's stream did not move. */
    async function refused(
      procedureId: string,
      status: number,
      code: string,
      request: () => ReturnType<TestApi['request']>,
    ) {
      const before = await c.events(procedureId);
      const res = await request();
      expectProblem(res, status, code);
      expect(await c.events(procedureId)).toEqual(before);
      return res.body;
    }

    let p: Awaited<ReturnType<ProcedureClient['register']>>;
    /** project_approval submitted in full (ACCEPT would succeed), eia submitted without its essential material. */
    beforeAll(async () => {
      p = await c.register({ approvalMode: 'approval' });
      await c.ok(
        p.procedureId,
        'project_approval',
        { type: 'SUBMIT', materials: c.materials('project_approval') },
        p.applicant,
      );
      await c.ok(
        p.procedureId,
        'eia',
        { type: 'SUBMIT', materials: c.materials('eia', 'tolerable') },
        p.applicant,
      );
      await c.ok(
        p.procedureId,
        'soil_water',
        { type: 'SUBMIT', materials: c.materials('soil_water', 'essential') },
        p.applicant,
      );
    });
    const accept = { type: 'ACCEPT' };

    describe('401', () => {
      it('without a token', async () => {
        await refused(p.procedureId, 401, 'UNAUTHENTICATED', () =>
          c.send(p.procedureId, 'project_approval', accept, undefined),
        );
      });

      it('with a token signed by another secret', async () => {
        const forged = token({ role: 'department', department: 'ndrc' }, 'not-the-secret');
        await refused(p.procedureId, 401, 'UNAUTHENTICATED', () =>
          c.send(p.procedureId, 'project_approval', accept, forged),
        );
      });

      it('with an expired token', async () => {
        const expired = jwt.sign(
          {
            sub: 'u-expired',
            name: '过期',
            role: 'department',
            department: 'ndrc',
            exp: Math.floor(Date.now() / 1000) - 60,
          },
          TEST_JWT_SECRET,
          { algorithm: 'HS256' },
        );
        const body = await refused(p.procedureId, 401, 'UNAUTHENTICATED', () =>
          c.send(p.procedureId, 'project_approval', accept, expired),
        );
        expect(body.detail).toMatch(/expired/);
      });

      it('with a claim the record could not store (a NUL in the name), nothing written', async () => {
        const nul = token({ role: 'department', department: 'ndrc', name: '张\u0000三' });
        const body = await refused(p.procedureId, 401, 'UNAUTHENTICATED', () =>
          c.send(p.procedureId, 'project_approval', accept, nul),
        );
        expect(body.detail).toMatch(/claim name/);
      });

      it('with a malformed Authorization header, and on reads too', async () => {
        const basic = await api.request('GET', `/procedures/${p.procedureId}`, {
          headers: { authorization: 'Basic dXNlcjpwYXNz' },
        });
        expectProblem(basic, 401, 'UNAUTHENTICATED');
        expectProblem(await api.request('GET', '/projects'), 401, 'UNAUTHENTICATED');
      });
    });

    describe('403', () => {
      it('an officer of another department', async () => {
        const body = await refused(p.procedureId, 403, 'FORBIDDEN', () =>
          c.send(p.procedureId, 'project_approval', accept, tokens.department('ecology')),
        );
        expect(body.itemDepartment).toBe('ndrc');
      });

      it('an applicant of another org, even with an applicant command', async () => {
        const q = await c.register();
        await refused(q.procedureId, 403, 'FORBIDDEN', () =>
          c.send(
            q.procedureId,
            'eia',
            { type: 'SUBMIT', materials: c.materials('eia') },
            tokens.applicant(uniqueOrg()),
          ),
        );
        // …and it cannot read the project either
        const other = tokens.applicant(uniqueOrg());
        expectProblem(
          await api.request('GET', `/procedures/${q.procedureId}`, { token: other }),
          403,
          'FORBIDDEN',
        );
        expectProblem(
          await api.request('GET', `/procedures/${q.procedureId}/events`, { token: other }),
          403,
          'FORBIDDEN',
        );
        expectProblem(
          await api.request('GET', `/projects/${q.projectId}`, { token: other }),
          403,
          'FORBIDDEN',
        );
      });

      it('an applicant sending ACCEPT on its own project', async () => {
        await refused(p.procedureId, 403, 'FORBIDDEN', () =>
          c.send(p.procedureId, 'project_approval', accept, p.applicant),
        );
      });

      it.each([
        ['auditor', () => tokens.auditor()],
        ['taskforce', () => tokens.taskforce('land')],
        ['leader', () => tokens.leader('leader-1')],
      ])('a %s sending any command', async (_role, make) => {
        const t = make();
        await refused(p.procedureId, 403, 'FORBIDDEN', () =>
          c.send(p.procedureId, 'project_approval', accept, t),
        );
        await refused(p.procedureId, 403, 'FORBIDDEN', () =>
          c.send(
            p.procedureId,
            'heritage_survey',
            { type: 'SUBMIT', materials: c.materials('heritage_survey') },
            t,
          ),
        );
        await refused(p.procedureId, 403, 'FORBIDDEN', () =>
          c.send(
            p.procedureId,
            'energy_review',
            { type: 'WAIVE', basis: 'regional_assessment', reason: '区域评估' },
            t,
          ),
        );
      });

      it('an admin doing anything but WAIVE', async () => {
        await refused(p.procedureId, 403, 'FORBIDDEN', () =>
          c.send(p.procedureId, 'project_approval', accept, c.admin),
        );
      });

      it('a department officer registering a project', async () => {
        const org = uniqueOrg();
        const res = await api.request('POST', '/projects', {
          token: tokens.department('ndrc'),
          body: {
            code: '2026-330800-48-01-000001',
            name: '越权登记',
            approvalMode: 'filing',
            region: '330800',
            ownerOrg: org,
            plannedStartDate: '2027-01-01',
          },
        });
        expectProblem(res, 403, 'FORBIDDEN');
        const list = await api.request('GET', `/projects?q=${encodeURIComponent(org)}`, { token: c.auditor });
        expect(list.body.total).toBe(0);
      });

      it('and the command the refused actors tried is still open to the right one', async () => {
        const q = await c.register();
        await c.ok(
          q.procedureId,
          'project_approval',
          { type: 'SUBMIT', materials: c.materials('project_approval') },
          q.applicant,
        );
        await refused(q.procedureId, 403, 'FORBIDDEN', () =>
          c.send(q.procedureId, 'project_approval', accept, tokens.department('housing')),
        );
        const { item } = await c.ok(
          q.procedureId,
          'project_approval',
          accept,
          c.officerOf('project_approval'),
        );
        expect(item.status).toBe('in_review');
      });
    });

    describe('404', () => {
      it('an unknown procedure id', async () => {
        const res = await c.send(randomUUID(), 'eia', accept, tokens.department('ecology'));
        expectProblem(res, 404, 'NOT_FOUND');
        expectProblem(
          await api.request('GET', `/procedures/${randomUUID()}`, { token: c.auditor }),
          404,
          'NOT_FOUND',
        );
        expectProblem(
          await api.request('GET', `/projects/${randomUUID()}`, { token: c.auditor }),
          404,
          'NOT_FOUND',
        );
      });

      it('a procedure id that is not a uuid', async () => {
        expectProblem(
          await c.send('not-a-uuid', 'eia', accept, tokens.department('ecology')),
          404,
          'NOT_FOUND',
        );
        expectProblem(
          await api.request('GET', `/procedures/1%27%20OR%201=1`, { token: c.auditor }),
          404,
          'NOT_FOUND',
        );
      });

      it('an unknown item', async () => {
        await refused(p.procedureId, 404, 'NOT_FOUND', () =>
          c.send(p.procedureId, 'moon_landing', accept, tokens.department('ecology')),
        );
      });
    });

    describe('409', () => {
      it('INVALID_TRANSITION, naming the status and the commands the item accepts', async () => {
        const body = await refused(p.procedureId, 409, 'INVALID_TRANSITION', () =>
          c.send(
            p.procedureId,
            'heritage_survey',
            { type: 'APPROVE', documentNo: 'x' },
            c.officerOf('heritage_survey'),
          ),
        );
        expect(body).toMatchObject({ itemKey: 'heritage_survey', itemStatus: 'ready', command: 'APPROVE' });
        expect([...body.accepted].sort()).toEqual(['SUBMIT', 'WAIVE']);
        expect(body.detail).toContain('ready');
      });

      it('MATERIALS_INCOMPLETE for ACCEPT with a material missing', async () => {
        const body = await refused(p.procedureId, 409, 'MATERIALS_INCOMPLETE', () =>
          c.send(p.procedureId, 'soil_water', accept, c.officerOf('soil_water')),
        );
        expect(body.missing).toEqual(c.materials('soil_water', 'tolerable'));
      });

      it('TOLERANCE_NOT_ALLOWED naming the essential material missing', async () => {
        const body = await refused(p.procedureId, 409, 'TOLERANCE_NOT_ALLOWED', () =>
          c.send(p.procedureId, 'eia', { type: 'ACCEPT_WITH_TOLERANCE' }, c.officerOf('eia')),
        );
        expect(body.essentialMissing).toEqual(c.materials('eia', 'essential'));
        expect(body.detail).toContain(c.materials('eia', 'essential')[0]);
      });

      it('NOT_WAIVABLE for an item the definition does not let be waived', async () => {
        await refused(p.procedureId, 409, 'NOT_WAIVABLE', () =>
          c.send(
            p.procedureId,
            'land_pre_review',
            { type: 'WAIVE', basis: 'regional_assessment', reason: 'x' },
            c.admin,
          ),
        );
      });

      it('PROJECT_CODE_TAKEN for a code already registered', async () => {
        const again = await api.request('POST', '/projects', {
          token: tokens.applicant(p.org),
          body: {
            code: p.code,
            name: '重复登记',
            approvalMode: 'filing',
            region: '330800',
            ownerOrg: p.org,
            plannedStartDate: '2027-01-01',
          },
        });
        expectProblem(again, 409, 'PROJECT_CODE_TAKEN');
        const list = await api.request('GET', `/projects?q=${p.code}`, { token: c.auditor });
        expect(list.body.total).toBe(1);
        expect(list.body.items[0].id).toBe(p.projectId);
      });
    });

    describe('412', () => {
      it('a stale If-Match', async () => {
        const { version } = await c.procedure(p.procedureId);
        await refused(p.procedureId, 412, 'PRECONDITION_FAILED', () =>
          c.send(
            p.procedureId,
            'heritage_survey',
            { type: 'SUBMIT', materials: c.materials('heritage_survey') },
            p.applicant,
            {
              'if-match': String(version - 1),
            },
          ),
        );
      });
    });

    describe('400', () => {
      it('malformed JSON', async () => {
        await refused(p.procedureId, 400, 'MALFORMED_BODY', () =>
          c.send(p.procedureId, 'project_approval', '{"type": "ACCEPT", ', c.officerOf('project_approval')),
        );
      });

      it('an unknown field, naming it', async () => {
        const body = await refused(p.procedureId, 400, 'VALIDATION_FAILED', () =>
          c.send(
            p.procedureId,
            'project_approval',
            { type: 'ACCEPT', fastTrack: true },
            c.officerOf('project_approval'),
          ),
        );
        expect(body.errors).toEqual([expect.objectContaining({ field: 'fastTrack' })]);
      });

      it('an unknown command type', async () => {
        const body = await refused(p.procedureId, 400, 'VALIDATION_FAILED', () =>
          c.send(p.procedureId, 'project_approval', { type: 'BRIBE' }, c.officerOf('project_approval')),
        );
        expect(body.errors).toEqual([expect.objectContaining({ field: 'type' })]);
      });

      it('a missing required field, and a body that is not an object', async () => {
        const body = await refused(p.procedureId, 400, 'VALIDATION_FAILED', () =>
          c.send(p.procedureId, 'heritage_survey', { type: 'SUBMIT' }, p.applicant),
        );
        expect(body.errors.map((e: { field: string }) => e.field)).toContain('materials');
        await refused(p.procedureId, 400, 'VALIDATION_FAILED', () =>
          c.send(p.procedureId, 'heritage_survey', [{ type: 'SUBMIT' }], p.applicant),
        );
      });

      it('an unknown material', async () => {
        const body = await refused(p.procedureId, 400, 'UNKNOWN_MATERIAL', () =>
          c.send(
            p.procedureId,
            'heritage_survey',
            { type: 'SUBMIT', materials: ['application', 'gold_bars'] },
            p.applicant,
          ),
        );
        expect(body.errors[0].message).toContain('gold_bars');
      });

      it('a project code not matching the pattern', async () => {
        const org = uniqueOrg();
        const res = await api.request('POST', '/projects', {
          token: tokens.applicant(org),
          body: {
            code: '2022-3308-48-01-100231',
            name: '代码错误',
            approvalMode: 'filing',
            region: '330800',
            ownerOrg: org,
            plannedStartDate: '2027-01-01',
          },
        });
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect(res.body.errors).toEqual([expect.objectContaining({ field: 'code' })]);
        const list = await api.request('GET', `/projects?q=${encodeURIComponent('2022-3308-48-01-100231')}`, {
          token: c.auditor,
        });
        expect(list.body.total).toBe(0);
      });
    });
  });
});
