import { randomBytes } from 'node:crypto';
import { tokens } from './support/fixtures';
import { deleteQueueKeys } from './support/queue-keys';
import { startTestApi, type TestApi } from './support/test-app';

// The system clock (the default): nothing here writes, so the shared test database will do.
process.env.CLOCK_MODE = 'system';
process.env.QUEUE_PREFIX = `qt-${randomBytes(4).toString('hex')}`;

describe('POST /admin/clock with CLOCK_MODE=system', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await deleteQueueKeys(process.env.QUEUE_PREFIX!);
  });

  it('reports the system clock and refuses to move it with 409 CLOCK_NOT_MANUAL', async () => {
    const before = Date.now();
    const now = await api.request('GET', '/admin/clock', { token: tokens.admin() });
    expect(now.body.mode).toBe('system');
    expect(Date.parse(now.body.now)).toBeGreaterThanOrEqual(before - 1000);

    const res = await api.request('POST', '/admin/clock', {
      token: tokens.admin(),
      body: { now: '2030-01-01T00:00:00Z' },
    });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('CLOCK_NOT_MANUAL');
  });
});
