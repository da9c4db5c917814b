import { connect } from 'node:net';
import { tokens } from './support/fixtures';
import { expectProblem, ProcedureClient } from './support/procedure-client';
import { startTestApi, type TestApi } from './support/test-app';

/**
 * What the HTTP layer refuses before any use case runs (media types, JSON, sizes, URLs, routes,
 * broken requests): always application/problem+json with a stable code, and nothing written.
 */
describe('HTTP transport errors', () => {
  let api: TestApi;
  let c: ProcedureClient;
  let p: Awaited<ReturnType<ProcedureClient['register']>>;
  const url = (item = 'project_approval') => `/procedures/${p.procedureId}/items/${item}/commands`;
  /** project_approval submitted in full: a form-encoded ACCEPT that got through would be applied. */
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

  /** Sends a raw body with the given content type; asserts the problem and an unchanged stream. */
  async function refusedRaw(status: number, code: string, payload: string, contentType?: string) {
    const before = await c.events(p.procedureId);
    const res = await api.request('POST', url(), {
      token: c.officerOf('project_approval'),
      body: payload,
      headers: contentType === undefined ? {} : { 'content-type': contentType },
    });
    expectProblem(res, status, code);
    expect(await c.events(p.procedureId)).toEqual(before);
    return res.body;
  }

  describe('415 UNSUPPORTED_MEDIA_TYPE for bodies that are not application/json', () => {
    // Nest's urlencoded parser used to turn type=ACCEPT into a command and execute it.
    it('form-encoded', async () => {
      const body = await refusedRaw(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'type=ACCEPT',
        'application/x-www-form-urlencoded',
      );
      expect(body.detail).toContain('application/x-www-form-urlencoded');
    });

    it('JSON sent as text/plain', async () => {
      await refusedRaw(415, 'UNSUPPORTED_MEDIA_TYPE', '{"type":"ACCEPT"}', 'text/plain');
    });

    it('multipart and xml', async () => {
      await refusedRaw(415, 'UNSUPPORTED_MEDIA_TYPE', '--x\r\n\r\n--x--', 'multipart/form-data; boundary=x');
      await refusedRaw(415, 'UNSUPPORTED_MEDIA_TYPE', '<type>ACCEPT</type>', 'application/xml');
    });

    it('application/json with a charset is JSON', async () => {
      const res = await api.request('POST', url('eia'), {
        token: p.applicant,
        body: JSON.stringify({ type: 'SUBMIT' }),
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors[0]).toMatchObject({ field: 'materials', rule: 'isDefined' });
    });
  });

  describe('text PostgreSQL cannot store (NUL, unpaired surrogates) is 400 naming the field', () => {
    // jsonb and text columns refuse them: these were 500s at the write, or in a query filter.
    it.each([
      ['NUL in a reason', '{"type":"REFUSE","reason":"a\\u0000b"}', 'reason'],
      ['an unpaired surrogate', '{"type":"REFUSE","reason":"a\\ud800b"}', 'reason'],
      [
        'NUL in a list element',
        '{"type":"RETURN_FOR_CORRECTION","reason":"缺件","missing":["x\\u0000"]}',
        'missing',
      ],
    ])('%s', async (_what, payload, field) => {
      const body = await refusedRaw(400, 'VALIDATION_FAILED', payload, 'application/json');
      expect(body.errors).toEqual([expect.objectContaining({ field, rule: 'isStorableText' })]);
    });

    it('in a query string', async () => {
      const res = await api.request('GET', '/projects?q=a%00', { token: tokens.admin() });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors[0]).toMatchObject({ field: 'q', rule: 'isStorableText' });
    });
  });

  describe('a route that takes no query or no body refuses them by name', () => {
    it.each(['', '/events', '/timeline'])('GET /procedures/:id%s?x=1', async (tail) => {
      const res = await api.request('GET', `/procedures/${p.procedureId}${tail}?x=1`, {
        token: tokens.admin(),
      });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'x', rule: 'whitelistValidation' })]);
    });

    it('GET /definitions?x=1 and /admin/clock?x=1', async () => {
      for (const path of ['/definitions?x=1', '/admin/clock?x=1', '/projects/' + p.projectId + '?x=1']) {
        const res = await api.request('GET', path, { token: tokens.admin() });
        expectProblem(res, 400, 'VALIDATION_FAILED');
      }
    });

    it('a command refuses a query string too, and nothing is written', async () => {
      const before = await c.events(p.procedureId);
      const res = await api.request('POST', `${url()}?fast=1`, {
        token: c.officerOf('project_approval'),
        body: { type: 'ACCEPT' },
      });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors[0]).toMatchObject({ field: 'fast', rule: 'whitelistValidation' });
      expect(await c.events(p.procedureId)).toEqual(before);
    });

    it('a ticket action that takes no body refuses one with fields (before looking the ticket up)', async () => {
      const res = await api.request('POST', '/escalations/00000000-0000-4000-8000-000000000000/acknowledge', {
        token: tokens.admin(),
        body: { x: 1 },
      });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors[0]).toMatchObject({ field: 'x', rule: 'whitelistValidation' });
    });

    it('401 and 403 still come first', async () => {
      expect((await api.request('GET', `/procedures/${p.procedureId}?x=1`)).status).toBe(401);
      const res = await api.request('POST', `${url()}?x=1`, {
        token: tokens.auditor(),
        body: { type: 'ACCEPT' },
      });
      expectProblem(res, 403, 'FORBIDDEN');
    });

    it('the same routes answer without them; /health takes any query', async () => {
      expect((await api.request('GET', '/health?probe=1')).status).not.toBe(400);
      const res = await api.request('GET', `/procedures/${p.procedureId}`, { token: tokens.admin() });
      expect(res.status).toBe(200);
    });
  });

  describe('an instant whose + was not URL-encoded', () => {
    it('replay and stats read the space before the offset as +', async () => {
      const replay = await api.request(
        'GET',
        `/procedures/${p.procedureId}/replay?at=2099-03-05T10:00:00+08:00`,
        {
          token: tokens.auditor(),
        },
      );
      expect(replay.status).toBe(200);
      expect(replay.body.asOf).toBe('2099-03-05T02:00:00.000Z');
      const stats = await api.request(
        'GET',
        '/stats/escalations?from=2026-01-01T00:00:00+08:00&to=2027-01-01T00:00:00+08:00',
        { token: tokens.admin() },
      );
      expect(stats.status).toBe(200);
      // A space anywhere else is still refused.
      const bad = await api.request('GET', `/procedures/${p.procedureId}/replay?at=2026-03-05 10:00:00Z`, {
        token: tokens.auditor(),
      });
      expectProblem(bad, 400, 'VALIDATION_FAILED');
    });
  });

  describe('400 and 413 for the body itself', () => {
    it('malformed JSON is MALFORMED_BODY naming the body', async () => {
      const body = await refusedRaw(400, 'MALFORMED_BODY', '{"type": "ACCEPT", ', 'application/json');
      expect(body.errors[0]).toMatchObject({ field: 'body', rule: 'json' });
    });

    it('a key __proto__ is refused, naming it', async () => {
      const body = await refusedRaw(
        400,
        'VALIDATION_FAILED',
        '{"type":"ACCEPT","__proto__":{"x":1}}',
        'application/json',
      );
      expect(body.errors[0]).toMatchObject({ field: '__proto__', rule: 'whitelistValidation' });
    });

    it('a body over 1 MiB is PAYLOAD_TOO_LARGE', async () => {
      const body = await refusedRaw(
        413,
        'PAYLOAD_TOO_LARGE',
        JSON.stringify({ type: 'ACCEPT', pad: 'x'.repeat(1_100_000) }),
        'application/json',
      );
      expect(body.errors[0]).toMatchObject({ field: 'body' });
    });

    it('an empty JSON body is no body: a command needs one, POST /audit/verify does not', async () => {
      const body = await refusedRaw(400, 'VALIDATION_FAILED', '', 'application/json');
      expect(body.errors[0]).toMatchObject({ field: 'body', rule: 'isObject' });
      const verify = await api.request('POST', '/audit/verify', {
        token: tokens.admin(),
        body: '',
        headers: { 'content-type': 'application/json' },
      });
      expect(verify.status).toBe(200);
    });
  });

  describe('URLs and routes', () => {
    // Fastify's router answered these itself, in its own JSON.
    it('a path parameter over 100 characters is 414 URI_TOO_LONG', async () => {
      const before = await c.events(p.procedureId);
      const res = await c.send(
        p.procedureId,
        'x'.repeat(101),
        { type: 'ACCEPT' },
        c.officerOf('project_approval'),
      );
      expectProblem(res, 414, 'URI_TOO_LONG');
      expect(res.body.errors[0]).toMatchObject({ field: 'path', rule: 'maxLength' });
      expect(await c.events(p.procedureId)).toEqual(before);
      expectProblem(
        await api.request('GET', `/definitions/${'d'.repeat(101)}`, { token: c.auditor }),
        414,
        'URI_TOO_LONG',
      );
    });

    it('a URL that does not decode is 400 MALFORMED_URL', async () => {
      const res = await api.request('GET', '/procedures/%E0%A4%A', { token: c.auditor });
      expectProblem(res, 400, 'MALFORMED_URL');
      expect(res.body.errors[0].field).toBe('path');
    });

    it('an unknown route or method is 404 NOT_FOUND', async () => {
      expectProblem(await api.request('GET', '/nowhere', { token: c.auditor }), 404, 'NOT_FOUND');
      expectProblem(
        await api.request('DELETE', `/procedures/${p.procedureId}`, { token: c.admin }),
        404,
        'NOT_FOUND',
      );
    });

    it('a calendar year that is no integer is VALIDATION_FAILED naming year', async () => {
      const res = await api.request('PUT', '/admin/calendar/next', {
        token: c.admin,
        body: { daysOff: [], workdays: [] },
      });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors[0]).toMatchObject({ field: 'year', rule: 'isInt' });
    });
  });

  describe('a request that is not HTTP', () => {
    // Node's parser fails before Fastify has a request; the answer is written to the socket.
    it('gets a 400 problem+json on the socket', async () => {
      await api.app.listen(0, '127.0.0.1');
      const { port } = api.app.getHttpServer().address() as { port: number };
      const answer = await new Promise<string>((resolve, reject) => {
        let text = '';
        const socket = connect(Number(port), '127.0.0.1', () => socket.write('NOT A REQUEST\r\n\r\n'));
        socket.on('data', (d) => (text += d.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
      const [head, body] = answer.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 400 /);
      expect(head).toMatch(/content-type: application\/problem\+json/i);
      expect(JSON.parse(body)).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' });
    });
  });
});
