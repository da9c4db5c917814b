import { randomUUID } from 'node:crypto';
import { token, tokens, uniqueOrg } from './support/fixtures';
import { expectProblem, ProcedureClient } from './support/procedure-client';
import { startTestApi, type TestApi } from './support/test-app';

/**
 * Refusals that depend on who asks, not on what the body says: checked before the body (an
 * auditor's half-written command is a 403, recorded), and the headers and filters of the
 * contract (If-Match: *, a department's desk, literal search text).
 */
describe('refusals by role, and request headers and filters', () => {
  let api: TestApi;
  let c: ProcedureClient;
  let p: Awaited<ReturnType<ProcedureClient['register']>>;
  const auditorSub = `aud-${randomUUID().slice(0, 8)}`;
  const auditor = token({ role: 'auditor', name: '钱审计', sub: auditorSub });
  beforeAll(async () => {
    api = await startTestApi();
    c = await ProcedureClient.forDefinition(api, 'default');
    p = await c.register();
    await c.ok(
      p.procedureId,
      'project_approval',
      { type: 'SUBMIT', materials: c.materials('project_approval') },
      p.applicant,
    );
  });
  afterAll(() => api.close());

  const accessLog = async () => {
    const res = await api.request('GET', `/audit/access-log?actorId=${auditorSub}`, { token: c.admin });
    expect(res.status).toBe(200);
    return res.body as { action: string; procedureId: string | null; actorName: string }[];
  };

  describe('roles that may never command an item get 403 before their body is read', () => {
    it.each([
      [{ type: 'APPROVE' }, 'COMMAND_REFUSED:APPROVE'],
      [{ type: 'DENY' }, 'COMMAND_REFUSED:DENY'],
      [{}, 'COMMAND_REFUSED:UNKNOWN'],
    ])('an auditor sending %j: 403, recorded as %s, stream unchanged', async (body, action) => {
      const before = await c.events(p.procedureId);
      const res = await c.send(p.procedureId, 'project_approval', body, auditor);
      expectProblem(res, 403, 'FORBIDDEN');
      expect(await c.events(p.procedureId)).toEqual(before);
      expect(await accessLog()).toContainEqual(
        expect.objectContaining({ action, procedureId: p.procedureId, actorName: '钱审计' }),
      );
    });

    it('a leader and a task force member with an incomplete body', async () => {
      const before = await c.events(p.procedureId);
      for (const tok of [tokens.leader('leader-x'), tokens.taskforce('land')]) {
        expectProblem(
          await c.send(p.procedureId, 'project_approval', { type: 'REFUSE' }, tok),
          403,
          'FORBIDDEN',
        );
      }
      expect(await c.events(p.procedureId)).toEqual(before);
    });

    // A ticket's handlers are task forces, leaders and admins; the id need not even exist.
    it.each(['acknowledge', 'notes', 'close', 'reopen'])(
      'POST /escalations/:id/%s with an empty body: 403 for an auditor (recorded) and a department',
      async (action) => {
        const url = `/escalations/${randomUUID()}/${action}`;
        expectProblem(await api.request('POST', url, { token: auditor, body: {} }), 403, 'FORBIDDEN');
        expectProblem(
          await api.request('POST', url, { token: c.officerOf('eia'), body: {} }),
          403,
          'FORBIDDEN',
        );
        expect((await accessLog()).map((e) => e.action)).toContain(
          `COMMAND_REFUSED:POST /escalations/:id/${action}`,
        );
      },
    );

    it('the roles that may command still get 400 for a bad body', async () => {
      const res = await c.send(
        p.procedureId,
        'project_approval',
        { type: 'REFUSE' },
        c.officerOf('project_approval'),
      );
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors[0]).toMatchObject({ field: 'reason', rule: 'isDefined' });
    });
  });

  describe('If-Match', () => {
    it('* matches any version (RFC 9110)', async () => {
      const before = (await c.procedure(p.procedureId)).version;
      const res = await c.send(
        p.procedureId,
        'eia',
        { type: 'SUBMIT', materials: c.materials('eia') },
        p.applicant,
        { 'if-match': '*' },
      );
      expect(res.status).toBe(200);
      expect(res.body.procedure.version).toBe(before + 1);
    });

    it('* on a procedure that does not exist is still 404', async () => {
      const res = await c.send(randomUUID(), 'eia', { type: 'ACCEPT' }, c.officerOf('eia'), {
        'if-match': '*',
      });
      expectProblem(res, 404, 'NOT_FOUND');
    });

    it('anything else that is no version is 400 naming If-Match', async () => {
      const res = await c.send(p.procedureId, 'eia', { type: 'ACCEPT' }, c.officerOf('eia'), {
        'if-match': 'latest',
      });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors[0].field).toBe('If-Match');
    });
  });

  describe("GET /items: a department officer's desk", () => {
    // The filter used to be ignored silently, answering with the officer's own items.
    it("asking for another department's items is 403 naming it", async () => {
      const res = await api.request('GET', '/items?department=water', { token: tokens.department('ndrc') });
      expectProblem(res, 403, 'FORBIDDEN');
      expect(res.body).toMatchObject({ field: 'department', department: 'water' });
    });

    it('asking for their own is fine', async () => {
      const res = await api.request('GET', '/items?department=ndrc', { token: tokens.department('ndrc') });
      expect(res.status).toBe(200);
      expect(res.body.items.every((i: { department: string }) => i.department === 'ndrc')).toBe(true);
    });
  });

  describe('GET /projects?q is literal text', () => {
    const tag = randomUUID().slice(0, 6);
    beforeAll(async () => {
      await c.register({ name: `${tag} 百分之百_完成` }, uniqueOrg());
      await c.register({ name: `${tag} 普通工程` }, uniqueOrg());
    });
    const names = async (q: string) => {
      const res = await api.request('GET', `/projects?q=${encodeURIComponent(q)}&pageSize=200`, {
        token: c.auditor,
      });
      expect(res.status).toBe(200);
      return (res.body.items as { name: string }[]).map((i) => i.name);
    };

    it('% and _ match only themselves', async () => {
      expect(await names(`${tag} 百分之百_`)).toEqual([`${tag} 百分之百_完成`]);
      expect(await names(`${tag}%工程`)).toEqual([]);
      expect(await names(`${tag} _通`)).toEqual([]);
      expect(await names('%')).not.toContain(`${tag} 普通工程`);
      expect(await names('_')).not.toContain(`${tag} 普通工程`);
    });
  });
});
