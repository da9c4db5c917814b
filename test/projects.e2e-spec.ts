import { randomUUID } from 'node:crypto';
import { tokens, uniqueOrg } from './support/fixtures';
import { expectProblem, ProcedureClient } from './support/procedure-client';
import { startTestApi, type TestApi } from './support/test-app';

interface ProjectSummary {
  id: string;
  code: string;
  name: string;
  region: string;
  ownerOrg: string;
  readyToStart: boolean;
  procedureId: string;
  definition: string;
}

/**
 * GET /projects: filters, pagination and scoping. Every project here lives in a region of its own
 * run, so the filters are checked against exactly the projects this test registered.
 */
describe('GET /projects', () => {
  let api: TestApi;
  let park: ProcedureClient;
  const region = `R${randomUUID().slice(0, 8)}`;
  const tag = `滨江${randomUUID().slice(0, 6)}`;
  const orgA = uniqueOrg();
  const orgB = uniqueOrg();
  const registered: Record<string, { projectId: string; procedureId: string; code: string }> = {};

  const list = async (query: string, token = tokens.auditor()) => {
    const res = await api.request('GET', `/projects?${query}`, { token });
    expect(res.status).toBe(200);
    return res.body as { items: ProjectSummary[]; total: number; page: number; pageSize: number };
  };
  const ids = (items: ProjectSummary[]) => items.map((p) => p.id).sort();
  const idsOf = (...names: string[]) => names.map((n) => registered[n].projectId).sort();

  beforeAll(async () => {
    api = await startTestApi();
    park = await ProcedureClient.forDefinition(api, 'industrial-park');
    const projects: [string, string, string][] = [
      ['a1', orgA, `${tag} 新能源电池及材料产业园一期`],
      ['a2', orgA, `${tag} 新能源电池及材料产业园二期`],
      ['a3', orgA, '索通770MW光伏发电'],
      ['b1', orgB, `${tag} 航电枢纽`],
    ];
    for (const [key, org, name] of projects) {
      registered[key] = await park.register(
        { name, region, approvalMode: 'filing', definition: 'industrial-park@1' },
        org,
      );
    }
    // a1 runs to readyToStart: 备案, 标准地, 环评 waived, 规划许可, 施工许可
    const a1 = registered.a1.procedureId;
    const applicant = tokens.applicant(orgA);
    for (const item of ['filing', 'standard_land', 'planning_permit', 'construction_permit']) {
      await park.ok(a1, item, { type: 'SUBMIT', materials: park.materials(item) }, applicant);
      await park.ok(a1, item, { type: 'ACCEPT' }, park.officerOf(item));
      await park.ok(a1, item, { type: 'APPROVE', documentNo: `${item}-1` }, park.officerOf(item));
      if (item === 'standard_land') {
        await park.ok(
          a1,
          'eia_filing',
          { type: 'WAIVE', basis: 'regional_assessment', reason: '园区区域评估' },
          park.admin,
        );
      }
    }
    expect((await park.procedure(a1)).readyToStart).toBe(true);
  });
  afterAll(() => api.close());

  it('filters by region', async () => {
    const r = await list(`region=${region}`);
    expect(r.total).toBe(4);
    expect(ids(r.items)).toEqual(idsOf('a1', 'a2', 'a3', 'b1'));
    expect(r.items.every((p) => p.region === region)).toBe(true);
    expect((await list(`region=${region}x`)).total).toBe(0);
  });

  it('filters by q, in the name or the code', async () => {
    expect(ids((await list(`region=${region}&q=${encodeURIComponent(tag)}`)).items)).toEqual(
      idsOf('a1', 'a2', 'b1'),
    );
    expect(ids((await list(`q=${encodeURIComponent(`${tag} 新能源`)}`)).items)).toEqual(idsOf('a1', 'a2'));
    const byCode = await list(`q=${registered.a3.code}`);
    expect(ids(byCode.items)).toEqual(idsOf('a3'));
    expect(byCode.items[0].name).toBe('索通770MW光伏发电');
  });

  it('filters by readyToStart', async () => {
    const ready = await list(`region=${region}&readyToStart=true`);
    expect(ids(ready.items)).toEqual(idsOf('a1'));
    expect(ready.items[0].readyToStart).toBe(true);
    const notReady = await list(`region=${region}&readyToStart=false`);
    expect(ids(notReady.items)).toEqual(idsOf('a2', 'a3', 'b1'));
    expect(notReady.items.every((p) => !p.readyToStart)).toBe(true);
  });

  it('paginates without overlap or loss', async () => {
    const page1 = await list(`region=${region}&pageSize=3&page=1`);
    const page2 = await list(`region=${region}&pageSize=3&page=2`);
    const page3 = await list(`region=${region}&pageSize=3&page=3`);
    expect([page1.total, page2.total, page3.total]).toEqual([4, 4, 4]);
    expect([page1.items.length, page2.items.length, page3.items.length]).toEqual([3, 1, 0]);
    expect(page2).toMatchObject({ page: 2, pageSize: 3 });
    expect([...ids(page1.items), ...ids(page2.items)].sort()).toEqual(idsOf('a1', 'a2', 'a3', 'b1'));
  });

  it('shows an applicant only its own org’s projects', async () => {
    const a = await list(`region=${region}`, tokens.applicant(orgA));
    expect(a.total).toBe(3);
    expect(ids(a.items)).toEqual(idsOf('a1', 'a2', 'a3'));
    const b = await list(`region=${region}`, tokens.applicant(orgB));
    expect(ids(b.items)).toEqual(idsOf('b1'));
    // without filters too: nothing of another org leaks through
    const everything = await list('pageSize=200', tokens.applicant(orgB));
    expect(everything.items.every((p) => p.ownerOrg === orgB)).toBe(true);
    expect(everything.total).toBe(1);
  });

  it('gives a project with its procedure summary, to its own applicant and to any other role', async () => {
    const { projectId, procedureId } = registered.a1;
    const own = await api.request('GET', `/projects/${projectId}`, { token: tokens.applicant(orgA) });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      id: projectId,
      procedureId,
      readyToStart: true,
      definition: 'industrial-park@1',
      region,
    });
    expect(own.body.procedure.items.map((i: { key: string }) => i.key)).toEqual([...park.items.keys()]);
    const leader = await api.request('GET', `/projects/${projectId}`, { token: tokens.leader('someone') });
    expect(leader.status).toBe(200);
    expectProblem(
      await api.request('GET', `/projects/${projectId}`, { token: tokens.applicant(orgB) }),
      403,
      'FORBIDDEN',
    );
  });

  it('refuses bad query parameters with 400', async () => {
    for (const q of ['pageSize=0', 'page=0', 'readyToStart=maybe', 'pageSize=abc', 'color=red']) {
      const res = await api.request('GET', `/projects?${q}`, { token: tokens.auditor() });
      expectProblem(res, 400, 'VALIDATION_FAILED');
    }
  });
});
