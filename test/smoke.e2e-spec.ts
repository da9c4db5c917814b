import { projectBody, tokens, uniqueOrg } from './support/fixtures';
import { startTestApi, type TestApi } from './support/test-app';

describe('API smoke', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('registers a project whose stream starts at version 1', async () => {
    const org = uniqueOrg();
    const res = await api.request('POST', '/projects', {
      token: tokens.applicant(org),
      body: projectBody(org),
    });
    expect(res.status).toBe(201);
    const events = await api.request('GET', `/procedures/${res.body.procedureId}/events`, {
      token: tokens.auditor(),
    });
    expect(events.body.map((e: { version: number; type: string }) => [e.version, e.type])).toEqual([
      [1, 'ProjectRegistered'],
    ]);
  });
});
