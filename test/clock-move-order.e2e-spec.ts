import {
  createOwnDatabase,
  deleteQueueKeys,
  dropOwnDatabase,
  OWN_DATABASE_URL,
  OWN_QUEUE_PREFIX,
} from './support/own-database';
import { ClockApi, endOf, pastEndOf, sh, startOf, type Project } from './support/clock-api';
import { TEST_JWT_SECRET, TEST_REDIS_URL } from './support/test-env';
import { startTestApi, type TestApi } from './support/test-app';
import { WorkerProcess } from './support/worker-process';

const SETTINGS = {
  CLOCK_MODE: 'manual',
  // Redis gets every timer due within 31 days of the clock, and the worker's scheduler and
  // reconciler run every second: while the API runs the move, the worker is handed jobs for
  // timers that are already due. It must neither fire them alongside the move nor out of order.
  TIMER_HORIZON_SECONDS: String(31 * 86_400),
  TIMER_SCHEDULE_EVERY_MS: '500',
  TIMER_RECONCILE_EVERY_MS: '1000',
};
Object.assign(process.env, SETTINGS);

/**
 * One POST /admin/clock of three weeks, with the worker process running: every timer that fell
 * due runs in due order, each as of its own due instant — including the light and ticket-level
 * timers the move itself arms on the way — so lights are dated when their threshold was crossed
 * and tickets climb after exactly 3/3/5 working days. The audit's scenario: four items of one
 * project accepted Tue 2026-03-10 10:00 (Shanghai), then one move to Thu 2026-04-02 09:00.
 *
 * Working days after 3/10 (day 0): 3/11 1, 3/12 2, 3/13 3, 3/16 4, 3/17 5, 3/18 6, 3/19 7,
 * 3/20 8, 3/23 9, 3/24 10, 3/25 11, 3/26 12, 3/27 13, 3/30 14, 3/31 15, 4/1 16, 4/2 17, 4/3 18,
 * (清明 4/4–6 off) 4/7 19, 4/8 20. A light turns at the start of the working day a threshold is
 * reached (blue 50 %, yellow 80 % or 2 days left), red just after the committed limit's last day.
 */
describe('one large manual clock move: timers in due order, as of their own instants, worker running', () => {
  let api: TestApi;
  let clock: ClockApi;
  let worker: WorkerProcess;
  let p: Project;
  let moveAnswer: { now: string; timersFired: number };

  beforeAll(async () => {
    await createOwnDatabase();
    worker = WorkerProcess.start({
      NODE_ENV: 'test',
      DATABASE_URL: OWN_DATABASE_URL,
      REDIS_URL: TEST_REDIS_URL,
      JWT_SECRET: TEST_JWT_SECRET,
      QUEUE_PREFIX: OWN_QUEUE_PREFIX,
      DB_POOL_SIZE: '4',
      ...SETTINGS,
    });
    api = await startTestApi();
    clock = new ClockApi(api);
    await worker.ready();
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await api?.close();
    await deleteQueueKeys(OWN_QUEUE_PREFIX);
    await dropOwnDatabase();
  });

  it('Tue 3/10 10:00: four items accepted; then one move to Thu 4/2 09:00 answers 200', async () => {
    await clock.moveTo(sh('2026-03-10 08:00')); // the first move of a fresh database
    p = await clock.register({ leader: 'leader-order' });
    await clock.moveTo(sh('2026-03-10 10:00'));
    for (const item of ['project_approval', 'energy_review', 'heritage_survey', 'land_pre_review']) {
      await clock.accept(p, item);
    }
    expect(await clock.item(p, 'heritage_survey')).toMatchObject({ committedDueAt: endOf('2026-03-31') });
    // Let the worker's scheduler hand Redis the timers the acceptances armed.
    await new Promise((r) => setTimeout(r, 1500));
    moveAnswer = await clock.moveTo(sh('2026-04-02 09:00'));
  });

  it('every light change is dated at the instant its threshold was crossed', async () => {
    // 立项, 5 WD: yellow on day 3 (2 left; 50 % is day 3 too), red past 3/17.
    expect(await clock.lightChanges(p, 'project_approval')).toEqual([
      ['yellow', 'green', startOf('2026-03-13')],
      ['red', 'yellow', pastEndOf('2026-03-17')],
    ]);
    // 节能审查 and 用地预审, 10 WD: blue on day 5, yellow on day 8, red past 3/24.
    for (const item of ['energy_review', 'land_pre_review']) {
      expect(await clock.lightChanges(p, item)).toEqual([
        ['blue', 'green', startOf('2026-03-17')],
        ['yellow', 'blue', startOf('2026-03-20')],
        ['red', 'yellow', pastEndOf('2026-03-24')],
      ]);
    }
    // 文物勘探, 15 WD: blue on day 8, yellow on day 12, red past 3/31.
    expect(await clock.lightChanges(p, 'heritage_survey')).toEqual([
      ['blue', 'green', startOf('2026-03-20')],
      ['yellow', 'blue', startOf('2026-03-26')],
      ['red', 'yellow', pastEndOf('2026-03-31')],
    ]);
  });

  it('tickets opened as the items went red and climbed after exactly 3, 3 and 5 working days', async () => {
    const { items } = await clock.tickets(`projectId=${p.projectId}`);
    const of = (item: string) => items.find((t) => t.itemKey === item)!;
    const climbs = (item: string) =>
      (of(item).history as { action: string; level: number; at: string }[])
        .filter((h) => h.action === 'climbed')
        .map((h) => [h.level, h.at]);
    expect(items).toHaveLength(4);

    // 立项: opened 3/17; level 2 after 3/18–20, level 3 after 3/23–25, level 4 after 3/26–4/1.
    expect(of('project_approval')).toMatchObject({
      reason: 'OVERDUE',
      taskForce: 'supervision',
      openedAt: pastEndOf('2026-03-17'),
      level: 4,
      dueAt: null,
    });
    expect(climbs('project_approval')).toEqual([
      [2, pastEndOf('2026-03-20')],
      [3, pastEndOf('2026-03-25')],
      [4, pastEndOf('2026-04-01')],
    ]);
    // 节能审查 (督导服务专班) and 用地预审 (用地专班): opened 3/24; level 2 after 3/25–27,
    // level 3 after 3/30–4/1, due in 5 WD: 4/2, 4/3, 4/7, 4/8, 4/9.
    for (const [item, taskForce] of [
      ['energy_review', 'supervision'],
      ['land_pre_review', 'land'],
    ]) {
      expect(of(item)).toMatchObject({
        taskForce,
        openedAt: pastEndOf('2026-03-24'),
        level: 3,
        status: 'open',
        dueAt: endOf('2026-04-09'),
      });
      expect(climbs(item)).toEqual([
        [2, pastEndOf('2026-03-27')],
        [3, pastEndOf('2026-04-01')],
      ]);
    }
    // 文物勘探 (用地专班): opened 3/31, 3 WD to respond: 4/1, 4/2, 4/3.
    expect(of('heritage_survey')).toMatchObject({
      taskForce: 'land',
      openedAt: pastEndOf('2026-03-31'),
      level: 1,
      dueAt: endOf('2026-04-03'),
    });
    expect(climbs('heritage_survey')).toEqual([]);
  });

  it('the stream never goes back in time, and nothing was fired twice, worker included', async () => {
    const count = async () => {
      const events = await clock.events(p);
      return {
        opened: events.filter((e) => e.type === 'EscalationOpened').length,
        climbed: events.filter((e) => e.type === 'EscalationClimbed').length,
        lights: events.filter((e) => e.type === 'ItemLightChanged').length,
        total: events.length,
        instants: events.map((e) => e.metadata.occurredAt),
      };
    };
    const first = await count();
    expect(first).toMatchObject({ opened: 4, climbed: 7, lights: 11 });
    expect(first.instants).toEqual([...first.instants].sort());
    // 7 clock ticks (items whose lights turn at the same instant turn in one tick) and 7 climbs.
    expect(moveAnswer.timersFired).toBe(14);
    // The worker was handed jobs for due timers meanwhile; once they ran, nothing changed.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await count()).toEqual(first);
    expect(worker.output).not.toMatch(/failed|deadlock/i);
  });
});
