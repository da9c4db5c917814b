import { randomUUID } from 'node:crypto';
import { verifyExport } from '../libs/audit/src';
import { projectBody, token, tokens, uniqueOrg } from './support/fixtures';
import { startTestApi, type TestApi } from './support/test-app';

/**
 * The audit over HTTP: replay to a moment against what the live API answered at that moment,
 * the timeline, verification, export, the access log, and who may do which.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const withoutReplayFields = ({ asOf: _a, eventsApplied: _e, ...view }: Record<string, unknown>) => view;

describe('audit API', () => {
  let api: TestApi;
  const org = uniqueOrg();
  const applicant = tokens.applicant(org);
  const ecologySub = `eco-${randomUUID().slice(0, 8)}`;
  const ecology = token({ role: 'department', department: 'ecology', name: '张三', sub: ecologySub });
  const ndrc = token({ role: 'department', department: 'ndrc', name: '李四' });
  const auditorSub = `aud-${randomUUID().slice(0, 8)}`;
  const auditor = token({ role: 'auditor', name: '王审计', sub: auditorSub });
  const admin = tokens.admin();
  let procedureId: string;
  /** What the live API answered after each command, with the moment of its last event. */
  const answered: { label: string; at: string; view: Record<string, unknown> }[] = [];

  const command = async (tok: string, itemKey: string, body: Record<string, unknown>, label: string) => {
    await sleep(3); // distinct milliseconds, so "at that moment" names one command's state
    const res = await api.request('POST', `/procedures/${procedureId}/items/${itemKey}/commands`, {
      token: tok,
      body,
    });
    expect(res.status).toBe(200);
    const events = res.body.events as { metadata: { occurredAt: string } }[];
    answered.push({ label, at: events[events.length - 1].metadata.occurredAt, view: res.body.procedure });
    return res.body;
  };

  beforeAll(async () => {
    api = await startTestApi();
    const reg = await api.request('POST', '/projects', {
      token: applicant,
      body: projectBody(org, { approvalMode: 'verification', name: '衢州审计测试项目' }),
    });
    expect(reg.status).toBe(201);
    procedureId = reg.body.procedureId;
    // 容缺: submitted without 公众参与说明, accepted against a commitment, supplied later.
    await command(
      applicant,
      'eia',
      { type: 'SUBMIT', materials: ['eia_report', 'expert_opinion'] },
      'submitted',
    );
    await command(ecology, 'eia', { type: 'ACCEPT_WITH_TOLERANCE', dueInWorkingDays: 5 }, 'after 容缺');
    // 补正: returned, resubmitted, accepted.
    await command(
      applicant,
      'energy_review',
      { type: 'SUBMIT', materials: ['energy_report'] },
      'energy submitted',
    );
    await command(
      ndrc,
      'energy_review',
      { type: 'RETURN_FOR_CORRECTION', reason: '缺评审意见', missing: ['energy_opinion'] },
      'after 补正',
    );
    await command(
      applicant,
      'energy_review',
      { type: 'RESUBMIT', materials: ['energy_opinion'] },
      'resubmitted',
    );
    await command(ndrc, 'energy_review', { type: 'ACCEPT' }, 'energy accepted');
    // 特别程序 on the 容缺 item, then supply and approval.
    await command(
      ecology,
      'eia',
      { type: 'START_SPECIAL_PROCEDURE', kind: 'expert_review', reason: '组织专家评审' },
      'paused',
    );
    await command(ecology, 'eia', { type: 'END_SPECIAL_PROCEDURE' }, 'resumed');
    await command(
      applicant,
      'eia',
      { type: 'SUPPLY_MATERIALS', materials: ['public_participation'] },
      'supplied',
    );
    await command(ecology, 'eia', { type: 'APPROVE', documentNo: '衢环建〔2026〕7号' }, 'approved');
  });
  afterAll(() => api.close());

  describe('GET /procedures/:id/replay', () => {
    it('at each moment equals what the live API answered then (容缺, 补正, 特别程序)', async () => {
      for (const moment of answered) {
        const res = await api.request(
          'GET',
          `/procedures/${procedureId}/replay?at=${encodeURIComponent(moment.at)}`,
          { token: auditor },
        );
        expect(res.status).toBe(200);
        expect(res.body.asOf).toBe(moment.at);
        expect({ label: moment.label, view: withoutReplayFields(res.body) }).toEqual({
          label: moment.label,
          view: moment.view,
        });
      }
    });

    it('just before a command, shows the state before it', async () => {
      const accepted = answered.find((a) => a.label === 'after 容缺')!;
      const before = new Date(Date.parse(accepted.at) - 1).toISOString();
      const res = await api.request('GET', `/procedures/${procedureId}/replay?at=${before}`, {
        token: auditor,
      });
      const eia = res.body.items.find((i: { key: string }) => i.key === 'eia');
      expect(eia.status).toBe('submitted');
      expect(eia.commitments).toEqual([]);
      expect(res.body.eventsApplied).toBe(res.body.version);
    });

    it('without at equals the live view', async () => {
      const live = await api.request('GET', `/procedures/${procedureId}`, { token: auditor });
      const replayed = await api.request('GET', `/procedures/${procedureId}/replay`, { token: auditor });
      expect(replayed.status).toBe(200);
      expect(withoutReplayFields(replayed.body)).toEqual(live.body);
      expect(replayed.body.eventsApplied).toBe(live.body.version);
    });

    it.each(['yesterday', '2026-02-30', '2026-03-05T10:00:00', '2026-13-01T00:00:00Z'])(
      'refuses at=%s naming at',
      async (at) => {
        const res = await api.request(
          'GET',
          `/procedures/${procedureId}/replay?at=${encodeURIComponent(at)}`,
          { token: auditor },
        );
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('at');
      },
    );

    it('before the registration is a 404', async () => {
      const res = await api.request('GET', `/procedures/${procedureId}/replay?at=2000-01-01T00:00:00Z`, {
        token: auditor,
      });
      expect(res.status).toBe(404);
    });

    it('is refused to an applicant of another org', async () => {
      const res = await api.request('GET', `/procedures/${procedureId}/replay`, {
        token: tokens.applicant(uniqueOrg()),
      });
      expect(res.status).toBe(403);
    });
  });

  describe('GET /procedures/:id/timeline', () => {
    it('has one readable Chinese line per event', async () => {
      const events = await api.request('GET', `/procedures/${procedureId}/events`, { token: auditor });
      const res = await api.request('GET', `/procedures/${procedureId}/timeline`, { token: auditor });
      expect(res.status).toBe(200);
      expect(res.body.map((e: { version: number }) => e.version)).toEqual(
        events.body.map((e: { version: number }) => e.version),
      );
      const tolerance = res.body.find((e: { type: string }) => e.type === 'StepAcceptedWithTolerance');
      expect(tolerance.actor).toEqual({
        id: ecologySub,
        name: '张三',
        role: 'department',
        department: 'ecology',
      });
      expect(tolerance.text).toContain(
        '生态环境局 张三 容缺受理 环评批复, 缺 公众参与说明, 承诺 5 个工作日内补齐',
      );
      expect(tolerance.text).toContain('开始计时');
      const correction = res.body.find((e: { type: string }) => e.type === 'StepReturnedForCorrection');
      expect(correction.text).toContain('退回补正 节能审查');
      const paused = res.body.find((e: { type: string }) => e.type === 'SpecialProcedureStarted');
      expect(paused.text).toContain('计时暂停');
      expect(paused.text).toContain('专家评审');
    });
  });

  describe('GET /procedures/:id/export', () => {
    it('jsonl: a header with the definition, then the events, verifiable offline', async () => {
      const res = await api.request('GET', `/procedures/${procedureId}/export?format=jsonl`, {
        token: auditor,
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
      expect(res.headers['content-disposition']).toContain(`procedure-${procedureId}.jsonl`);
      const text = res.body as string;
      const lines = text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      const events = await api.request('GET', `/procedures/${procedureId}/events`, { token: auditor });
      expect(lines[0].definition.ref).toBe('default@1');
      expect(lines[0].definition.content.items.length).toBeGreaterThan(0);
      expect(lines.slice(1)).toEqual(events.body);
      const bytes = Buffer.from(text, 'utf8');
      expect(verifyExport(bytes).ok).toBe(true);
      for (let i = 0; i < bytes.length; i += Math.ceil(bytes.length / 40)) {
        const tampered = Buffer.from(bytes);
        tampered[i] ^= 0x01;
        expect({ at: i, ok: verifyExport(tampered).ok }).toEqual({ at: i, ok: false });
      }
    });

    it('csv: a header row and one row per event', async () => {
      const res = await api.request('GET', `/procedures/${procedureId}/export?format=csv`, { token: admin });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      const rows = (res.body as string).trimEnd().split('\r\n');
      expect(rows[0].split(',').slice(0, 4)).toEqual(['procedureId', 'version', 'type', 'itemKey']);
      const events = await api.request('GET', `/procedures/${procedureId}/events`, { token: admin });
      expect(rows.length - 1).toBe(events.body.length);
      expect(rows[1].startsWith(`${procedureId},1,ProjectRegistered,`)).toBe(true);
    });

    it("is the project's own applicant's, an auditor's and an admin's only", async () => {
      const url = `/procedures/${procedureId}/export`;
      expect((await api.request('GET', url, { token: applicant })).status).toBe(200);
      expect((await api.request('GET', url, { token: tokens.applicant(uniqueOrg()) })).status).toBe(403);
      expect((await api.request('GET', url, { token: ecology })).status).toBe(403);
      expect((await api.request('GET', url, { token: tokens.leader('leader-x') })).status).toBe(403);
      expect((await api.request('GET', url, { token: tokens.taskforce('land') })).status).toBe(403);
      expect((await api.request('GET', url)).status).toBe(401);
      expect((await api.request('GET', `${url}?format=xml`, { token: auditor })).status).toBe(400);
    });
  });

  describe('POST /audit/verify', () => {
    it('verifies one procedure', async () => {
      const res = await api.request('POST', '/audit/verify', { token: auditor, body: { procedureId } });
      expect(res.status).toBe(200);
      const events = await api.request('GET', `/procedures/${procedureId}/events`, { token: auditor });
      expect(res.body).toEqual({ procedures: 1, events: events.body.length, ok: true, failures: [] });
    });

    it('verifies every procedure (this one among them, without failures)', async () => {
      const res = await api.request('POST', '/audit/verify', { token: admin, body: {} });
      expect(res.status).toBe(200);
      expect(res.body.procedures).toBeGreaterThanOrEqual(1);
      expect(res.body.failures.filter((f: { procedureId: string }) => f.procedureId === procedureId)).toEqual(
        [],
      );
    });

    it('is for auditors and admins, with a valid body', async () => {
      expect(
        (await api.request('POST', '/audit/verify', { token: applicant, body: { procedureId } })).status,
      ).toBe(403);
      expect(
        (await api.request('POST', '/audit/verify', { token: ecology, body: { procedureId } })).status,
      ).toBe(403);
      const bad = await api.request('POST', '/audit/verify', {
        token: auditor,
        body: { procedureId: 'nope' },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('procedureId');
      expect(
        (await api.request('POST', '/audit/verify', { token: auditor, body: { procedureId, extra: 1 } }))
          .status,
      ).toBe(400);
      expect(
        (await api.request('POST', '/audit/verify', { token: auditor, body: { procedureId: randomUUID() } }))
          .status,
      ).toBe(404);
    });
  });

  describe('who looked', () => {
    it("records an auditor's replay, timeline, export and verify, listed for admins", async () => {
      const reader = `aud-${randomUUID().slice(0, 8)}`;
      const tok = token({ role: 'auditor', name: '赵监察', sub: reader });
      await api.request('GET', `/procedures/${procedureId}/replay`, { token: tok });
      await api.request('GET', `/procedures/${procedureId}/timeline`, { token: tok });
      await api.request('GET', `/procedures/${procedureId}/export`, { token: tok });
      await api.request('POST', '/audit/verify', { token: tok, body: { procedureId } });
      const res = await api.request('GET', `/audit/access-log?procedureId=${procedureId}&actorId=${reader}`, {
        token: admin,
      });
      expect(res.status).toBe(200);
      expect(res.body.map((e: { action: string }) => e.action)).toEqual([
        'VERIFY',
        'EXPORT',
        'TIMELINE',
        'REPLAY',
      ]);
      for (const e of res.body) {
        expect(e).toMatchObject({ actorId: reader, actorName: '赵监察', procedureId });
        expect(Date.parse(e.at)).toBeGreaterThan(Date.now() - 60_000);
      }
      expect((await api.request('GET', '/audit/access-log', { token: auditor })).status).toBe(403);
    });

    it("refuses an auditor's commands and records the refusal naming them, outside the events", async () => {
      const before = await api.request('GET', `/procedures/${procedureId}/events`, { token: admin });
      const refused = await api.request('POST', `/procedures/${procedureId}/items/soil_water/commands`, {
        token: auditor,
        body: { type: 'WAIVE', basis: 'regional_assessment', reason: '试图豁免' },
      });
      expect(refused.status).toBe(403);
      const register = await api.request('POST', '/projects', { token: auditor, body: projectBody(org) });
      expect(register.status).toBe(403);
      const after = await api.request('GET', `/procedures/${procedureId}/events`, { token: admin });
      expect(after.body.length).toBe(before.body.length);
      const log = await api.request('GET', `/audit/access-log?actorId=${auditorSub}`, { token: admin });
      const actions = log.body.map((e: { action: string; procedureId: string | null }) => [
        e.action,
        e.procedureId,
      ]);
      expect(actions).toContainEqual(['COMMAND_REFUSED:WAIVE', procedureId]);
      expect(actions).toContainEqual(['COMMAND_REFUSED:REGISTER_PROJECT', null]);
      expect(log.body.find((e: { action: string }) => e.action === 'COMMAND_REFUSED:WAIVE').actorName).toBe(
        '王审计',
      );
    });

    it("refuses an auditor's command whose body the HTTP layer cannot take (broken JSON, another Content-Type) with 403, recorded", async () => {
      const sub = `aud-${randomUUID().slice(0, 8)}`;
      const tok = token({ role: 'auditor', name: '钱审计', sub });
      const url = `/procedures/${procedureId}/items/eia/commands`;
      const broken = await api.request('POST', url, { token: tok, body: '{"type": "APPROVE",' });
      expect(broken.status).toBe(403);
      expect(broken.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(broken.body.code).toBe('FORBIDDEN');
      const text = await api.request('POST', url, {
        token: tok,
        body: 'APPROVE',
        headers: { 'content-type': 'text/plain' },
      });
      expect(text.status).toBe(403);
      const project = await api.request('POST', '/projects', { token: tok, body: 'not json' });
      expect(project.status).toBe(403);
      const log = await api.request('GET', `/audit/access-log?actorId=${sub}`, { token: admin });
      expect(log.body.map((e: { action: string; actorName: string }) => [e.action, e.actorName])).toEqual([
        ['COMMAND_REFUSED:REGISTER_PROJECT', '钱审计'],
        ['COMMAND_REFUSED:UNKNOWN', '钱审计'],
        ['COMMAND_REFUSED:UNKNOWN', '钱审计'],
      ]);
      // What an auditor may send keeps its own answer; so does everyone else's broken body.
      const verify = await api.request('POST', '/audit/verify', { token: tok, body: '{"procedureId":' });
      expect(verify.status).toBe(400);
      expect(verify.body.code).toBe('MALFORMED_BODY');
      expect((await api.request('POST', url, { token: applicant, body: '{"type":' })).status).toBe(400);
    });

    it('does not record reads by other roles', async () => {
      await api.request('GET', `/procedures/${procedureId}/timeline`, { token: ecology });
      const log = await api.request('GET', `/audit/access-log?actorId=${ecologySub}`, { token: admin });
      expect(log.body).toEqual([]);
    });
  });
});
