import { projectBody, tokens, uniqueOrg } from './support/fixtures';
import { expectProblem, ProcedureClient } from './support/procedure-client';
import { startTestApi, type TestApi } from './support/test-app';

/**
 * Bodies and queries the audit found getting past validation (a 500, or a command executed):
 * each is a 400 VALIDATION_FAILED naming the field and rule, and nothing is written.
 */
describe('request validation over HTTP', () => {
  let api: TestApi;
  let c: ProcedureClient;
  let p: Awaited<ReturnType<ProcedureClient['register']>>;
  /** project_approval submitted in full (REFUSE/ACCEPT fit), eia in review (APPROVE fits). */
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
    await c.ok(p.procedureId, 'eia', { type: 'SUBMIT', materials: c.materials('eia') }, p.applicant);
    await c.ok(p.procedureId, 'eia', { type: 'ACCEPT' }, c.officerOf('eia'));
  });
  afterAll(() => api.close());

  /** Sends a command that must be refused with 400 naming `field` by `rule`; the stream must not move. */
  async function refused(item: string, body: unknown, token: string, field: string, rule: string) {
    const before = await c.events(p.procedureId);
    const res = await c.send(p.procedureId, item, body, token);
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors[0]).toMatchObject({ field, rule });
    expect(await c.events(p.procedureId)).toEqual(before);
    return res.body;
  }

  describe('command bodies', () => {
    it.each(['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf'])(
      'type %s is an unknown command type (was a 500)',
      async (type) => {
        await refused('project_approval', { type }, c.officerOf('project_approval'), 'type', 'isIn');
      },
    );

    // class-transformer dropped `constructor` before whitelist saw it, and the command ran.
    it('an unknown field named constructor is refused, naming it', async () => {
      await refused(
        'project_approval',
        { type: 'ACCEPT', constructor: 'x' },
        c.officerOf('project_approval'),
        'constructor',
        'whitelistValidation',
      );
      await refused(
        'project_approval',
        { type: 'ACCEPT_WITH_TOLERANCE', constructor: { evil: 1 } },
        c.officerOf('project_approval'),
        'constructor',
        'whitelistValidation',
      );
    });

    it('a missing field reports only that it is required', async () => {
      const body = await refused('eia', { type: 'APPROVE' }, c.officerOf('eia'), 'documentNo', 'isDefined');
      expect(body.errors).toHaveLength(1);
      const submit = await refused(
        'heritage_survey',
        { type: 'SUBMIT' },
        p.applicant,
        'materials',
        'isDefined',
      );
      expect(submit.errors).toHaveLength(1);
    });

    it('blank reasons and document numbers are refused', async () => {
      await refused(
        'project_approval',
        { type: 'REFUSE', reason: '   ' },
        c.officerOf('project_approval'),
        'reason',
        'isNotBlank',
      );
      await refused(
        'eia',
        { type: 'APPROVE', documentNo: '\u3000' },
        c.officerOf('eia'),
        'documentNo',
        'isNotBlank',
      );
    });
  });

  describe('special procedure kinds by their Chinese names', () => {
    it('现场勘验 is accepted and recorded as site_inspection', async () => {
      const { res } = await c.ok(
        p.procedureId,
        'eia',
        { type: 'START_SPECIAL_PROCEDURE', kind: '现场勘验', reason: '需现场勘探' },
        c.officerOf('eia'),
      );
      expect(res.body.events[0].data).toMatchObject({ kind: 'site_inspection' });
      await c.ok(p.procedureId, 'eia', { type: 'END_SPECIAL_PROCEDURE' }, c.officerOf('eia'));
    });

    it('a name that is no kind is refused naming kind', async () => {
      await refused(
        'eia',
        { type: 'START_SPECIAL_PROCEDURE', kind: '会商', reason: 'x' },
        c.officerOf('eia'),
        'kind',
        'isIn',
      );
    });
  });

  describe('POST /projects', () => {
    /** Registers with the overrides, expects 400 naming `field`, and that no project came of it. */
    async function refusedRegistration(overrides: Record<string, unknown>, field: string, rule?: string) {
      const org = uniqueOrg();
      const body = projectBody(org, overrides);
      const res = await api.request('POST', '/projects', { token: tokens.applicant(org), body });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors[0].field).toBe(field);
      if (rule) expect(res.body.errors[0].rule).toBe(rule);
      const list = await api.request('GET', `/projects?q=${encodeURIComponent(String(body.code))}`, {
        token: c.auditor,
      });
      expect(list.body.total).toBe(0);
    }

    it.each(['2027-02-29', '2027-04-31', '1900-01-01', '9999-12-31'])(
      'plannedStartDate %s is no date it takes (2027-02-29 was a database 500)',
      async (plannedStartDate) => {
        await refusedRegistration({ plannedStartDate }, 'plannedStartDate', 'isCalendarDate');
      },
    );

    it.each(['name', 'region', 'ownerOrg'])('a blank %s is refused', async (field) => {
      await refusedRegistration({ [field]: '   ' }, field, 'isNotBlank');
    });

    it('an extra constructor field is refused', async () => {
      await refusedRegistration({ constructor: 'x' }, 'constructor', 'whitelistValidation');
    });
  });

  describe('list paging', () => {
    // The OFFSET overflowed PostgreSQL's bigint: a 500.
    it.each(['/projects', '/items', '/escalations'])(
      'GET %s with a huge page is 400 naming page',
      async (path) => {
        const res = await api.request('GET', `${path}?page=99999999999999999999`, { token: c.admin });
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect(res.body.errors[0]).toMatchObject({ field: 'page', rule: 'max' });
        const size = await api.request('GET', `${path}?pageSize=1000`, { token: c.admin });
        expectProblem(size, 400, 'VALIDATION_FAILED');
        expect(size.body.errors[0].field).toBe('pageSize');
      },
    );

    it('an unknown query field does not hide the other offending ones', async () => {
      const res = await api.request('GET', '/projects?pageSize=500&foo=1', { token: c.admin });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors.map((e: { field: string; rule: string }) => [e.field, e.rule])).toEqual([
        ['foo', 'whitelistValidation'],
        ['pageSize', 'max'],
      ]);
    });

    it('the last allowed page answers, empty', async () => {
      const res = await api.request('GET', '/projects?page=100000&pageSize=200', { token: c.admin });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ items: [], page: 100000, pageSize: 200 });
    });
  });
});
