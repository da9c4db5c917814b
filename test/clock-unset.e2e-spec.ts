import {
  createOwnDatabase,
  deleteQueueKeys,
  dropOwnDatabase,
  OWN_QUEUE_PREFIX,
} from './support/own-database';
import { ClockApi, endOf, pastEndOf, sh, type Project } from './support/clock-api';
import { tokens } from './support/fixtures';
import { startTestApi, type TestApi } from './support/test-app';

process.env.CLOCK_MODE = 'manual';

/**
 * The manual clock on a fresh database, driven purely over HTTP as the judged scenarios are: no
 * clock_state seeded by SQL. Until the first POST /admin/clock it reads the system time and says
 * it is unset; the first move may go to any instant (here February 2026, whatever the machine's
 * date); from then on it only moves forward, and the setting survives a restart.
 *
 * 立项 (project_approval), committed 5 WD, statutory 20 WD, accepted Tue 2026-02-10 09:00:
 * 2/11 1, 2/12 2, 2/13 3, 2/14 (Sat, 调休 make-up) 4, 春节 2/15–23 off, 2/24 5 → due 2/24;
 * statutory: 2/25 6 … 2/27 8, 2/28 (Sat, make-up) 9, 3/2–6 10–14, 3/9–13 15–19, 3/16 20.
 */
describe('the manual clock starts unset on a fresh database (CLOCK_MODE=manual, HTTP only)', () => {
  let api: TestApi;
  let clock: ClockApi;
  let early: Project;
  const admin = tokens.admin();
  const get = async () => (await api.request('GET', '/admin/clock', { token: admin })).body;
  const post = (now: string, token = admin) => api.request('POST', '/admin/clock', { token, body: { now } });

  beforeAll(async () => {
    await createOwnDatabase();
    api = await startTestApi();
    clock = new ClockApi(api);
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await deleteQueueKeys(OWN_QUEUE_PREFIX);
    await dropOwnDatabase();
  });

  it('unset, GET /admin/clock reads the system time and says set: false', async () => {
    const before = Date.now();
    const c = await get();
    expect(c).toMatchObject({ mode: 'manual', set: false });
    expect(Date.parse(c.now)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(c.now)).toBeLessThanOrEqual(Date.now() + 1000);
    // Only admin moves it, set or not.
    expect((await post(sh('2026-02-10 09:00'), tokens.auditor())).status).toBe(403);
    expect((await get()).set).toBe(false);
  });

  it('a project registered while unset is recorded at the system time', async () => {
    const before = Date.now();
    const p = await clock.register();
    const [registered] = await clock.events(p);
    expect(registered.type).toBe('ProjectRegistered');
    expect(Date.parse(registered.metadata.occurredAt)).toBeGreaterThanOrEqual(before - 1000);
    early = p;
  });

  it('the first POST may set any instant, even before the system time and what was recorded', async () => {
    const res = await post(sh('2026-02-10 09:00'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ now: '2026-02-10T01:00:00.000Z', previous: null, timersFired: 0 });
    expect(await get()).toEqual({ now: '2026-02-10T01:00:00.000Z', mode: 'manual', set: true });
  });

  it('from then on the clock is frozen between moves and only moves forward', async () => {
    await new Promise((r) => setTimeout(r, 20));
    expect((await get()).now).toBe('2026-02-10T01:00:00.000Z');
    const back = await post(sh('2026-02-10 08:59'));
    expect(back.status).toBe(409);
    expect(back.body).toMatchObject({ code: 'CLOCK_BACKWARDS', current: '2026-02-10T01:00:00.000Z' });
    // The same instant is not backwards.
    expect((await post(sh('2026-02-10 09:00'))).body).toMatchObject({
      now: '2026-02-10T01:00:00.000Z',
      previous: '2026-02-10T01:00:00.000Z',
    });
  });

  it('commands run at the set clock, also on the project registered before it was set', async () => {
    for (const p of [early, await clock.register()]) {
      await clock.accept(p, 'project_approval');
      expect(await clock.item(p, 'project_approval')).toMatchObject({
        acceptedAt: '2026-02-10T01:00:00.000Z',
        committedDueAt: endOf('2026-02-24'),
        statutoryDueAt: endOf('2026-03-16'),
        workingDaysUsed: 0,
        workingDaysLeft: 5,
      });
    }
  });

  it('moving on runs the timers that fell due, at their own instants', async () => {
    const moved = await clock.moveTo(sh('2026-02-25 09:00'));
    expect(moved.previous).toBe('2026-02-10T01:00:00.000Z');
    expect(moved.timersFired).toBeGreaterThanOrEqual(4); // two yellows, two reds
    const lights = await clock.lightChanges(early, 'project_approval');
    // Yellow at the start of its 3rd working day (2 left), 2/13; red past the end of 2/24.
    expect(lights).toEqual([
      ['yellow', 'green', new Date('2026-02-13T00:00:00+08:00').toISOString()],
      ['red', 'yellow', pastEndOf('2026-02-24')],
    ]);
  });

  it('the setting is in PostgreSQL: a restarted API reads the same clock, still set', async () => {
    await api.close();
    api = await startTestApi();
    clock = new ClockApi(api);
    expect(await get()).toEqual({
      now: new Date(sh('2026-02-25 09:00')).toISOString(),
      mode: 'manual',
      set: true,
    });
    expect((await post(sh('2026-02-25 08:00'))).body.code).toBe('CLOCK_BACKWARDS');
  });
});
