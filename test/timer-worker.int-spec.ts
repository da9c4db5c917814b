import {
  createOwnDatabase,
  deleteQueueKeys,
  dropOwnDatabase,
  OWN_DATABASE,
  OWN_DATABASE_URL,
  OWN_QUEUE_PREFIX,
} from './support/own-database';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { QueueEvents } from 'bullmq';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { AppConfig } from '../libs/config/src';
import { redisConnection, TIMER_QUEUE, TimerQueue, timerJobId } from '../libs/queue/src';
import type { ArmedTimer } from '../libs/persistence/src';
import { TEST_JWT_SECRET, TEST_REDIS_URL } from './support/test-env';
import { applicant, officer, startTimerEngine, type TimerEngine } from './support/timer-engine';
import { WorkerProcess } from './support/worker-process';

const JOB_LOCK_MS = 2000;
const EIA_MATERIALS = ['eia_report', 'public_participation', 'expert_opinion'];
/**
 * The kill case runs on a prefix of its own, so its worker can boot alongside the first one
 * without taking their jobs: it schedules and reconciles once at boot (nothing is due then) and
 * then not for an hour, so it only ever sees the job this test hands it.
 */
const KILL_PREFIX = `${OWN_QUEUE_PREFIX}-kill`;

// This process runs the engine and, in the last case, a worker of its own: the same settings.
process.env.CLOCK_MODE = 'system';
process.env.JOB_LOCK_MS = String(JOB_LOCK_MS);
process.env.TIMER_SCHEDULE_EVERY_MS = '500';
process.env.TIMER_RECONCILE_EVERY_MS = '1000';
process.env.TIMER_HORIZON_SECONDS = '60';

/** Environment of the worker processes: this file's database and prefix, the system clock, short intervals. */
const workerEnv = (extra: Record<string, string> = {}) => ({
  NODE_ENV: 'test',
  DATABASE_URL: OWN_DATABASE_URL,
  REDIS_URL: TEST_REDIS_URL,
  JWT_SECRET: TEST_JWT_SECRET,
  QUEUE_PREFIX: OWN_QUEUE_PREFIX,
  CLOCK_MODE: 'system',
  TIMER_SCHEDULE_EVERY_MS: '500',
  TIMER_RECONCILE_EVERY_MS: '1000',
  TIMER_HORIZON_SECONDS: '60',
  JOB_LOCK_MS: String(JOB_LOCK_MS),
  DB_POOL_SIZE: '4',
  ...extra,
});

/**
 * Timers delivered by BullMQ to real worker processes, on the system clock: on time, after Redis
 * lost them, and after the worker holding one was killed. Each case uses the ESCALATION_LEVEL timer
 * of a 督办件 brought forward to a few seconds from now (working-day timers cannot fall due within a
 * test on the system clock); when it fires, the ticket climbs from level 1 to 2.
 */
describe('timer jobs in worker processes (system clock)', () => {
  let engine: TimerEngine;
  let worker: WorkerProcess | undefined;
  let doomed: WorkerProcess | undefined;
  const workers: WorkerProcess[] = [];

  const startWorker = (extra: Record<string, string> = {}) => {
    const w = WorkerProcess.start(workerEnv(extra));
    workers.push(w);
    return w;
  };

  /**
   * A ticket opened directly at level 1 for an overdue 环评 in review, its level timer armed to
   * fall due `inMs` from now. A climb checks that its cause still holds; on the system clock an
   * item cannot really run out of working days within a test, so the accepted item's state is
   * marked overdue as the light timer would leave it weeks later.
   */
  async function ticketDueIn(
    inMs: number,
  ): Promise<{ ticketId: string; procedureId: string; timer: ArmedTimer }> {
    const { procedureId, org } = await engine.register();
    await engine.command(procedureId, 'eia', { type: 'SUBMIT', materials: EIA_MATERIALS }, applicant(org));
    await engine.command(procedureId, 'eia', { type: 'ACCEPT' }, officer('ecology'));
    await engine.ds.query(
      `UPDATE procedure_snapshots SET state = jsonb_set(state, '{context,items,eia,overdue}', 'true')
        WHERE procedure_id = $1`,
      [procedureId],
    );
    const now = new Date().toISOString();
    const ticketId = await engine.ds.transaction(async (m) => {
      const loaded = (await engine.store.load(procedureId, { manager: m, forUpdate: true }))!;
      const opened = await engine.escalations.openInTx(
        m,
        loaded,
        [{ itemKey: 'eia', reason: 'OVERDUE' }],
        now,
      );
      await engine.escalations.appendEvents(m, loaded, opened.events, now);
      return opened.events[0].data.ticketId as string;
    });
    const dueAt = new Date(Date.now() + inMs).toISOString();
    const timer = await engine.ds.transaction((m) =>
      engine.timers.arm({ kind: 'ESCALATION_LEVEL', procedureId, target: `ticket:${ticketId}`, dueAt }, m),
    );
    return { ticketId, procedureId, timer: timer! };
  }

  /** Polls until the ticket reaches `level`; returns the wall-clock instant it was seen there. */
  async function seenAtLevel(
    ticketId: string,
    level: number,
    timeoutMs: number,
    who: () => string,
  ): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const t = await engine.tickets.byId(ticketId);
      if (t && t.level >= level) return Date.now();
      if (Date.now() > deadline)
        throw new Error(`ticket ${ticketId} still at level ${t?.level}; worker output:\n${who()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function expectClimbedOnce(ticketId: string, procedureId: string, timer: ArmedTimer) {
    const t = (await engine.tickets.byId(ticketId))!;
    expect(t.level).toBe(2);
    expect(t.history.filter((h) => h.action === 'climbed')).toEqual([
      expect.objectContaining({ level: 2, at: timer.dueAt }),
    ]);
    const climbed = (await engine.store.events(procedureId)).filter((e) => e.type === 'EscalationClimbed');
    expect(climbed.map((e) => [e.data.ticketId, e.data.level, e.metadata.occurredAt])).toEqual([
      [ticketId, 2, timer.dueAt],
    ]);
    expect(await engine.timers.byId(timer.id)).toMatchObject({ status: 'armed', version: timer.version + 1 }); // level 3's
  }

  beforeAll(async () => {
    await createOwnDatabase();
    worker = startWorker();
    // Holds each fired timer's transaction open for 60 s after its writes (the test hook).
    doomed = startWorker({
      QUEUE_PREFIX: KILL_PREFIX,
      TEST_JOB_DELAY_MS: '60000',
      TIMER_SCHEDULE_EVERY_MS: '3600000',
      TIMER_RECONCILE_EVERY_MS: '3600000',
    });
    engine = await startTimerEngine();
    await Promise.all([worker.ready(), doomed.ready()]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await engine?.close();
    await deleteQueueKeys(OWN_QUEUE_PREFIX);
    await deleteQueueKeys(KILL_PREFIX);
    await dropOwnDatabase();
  });

  it("the worker's scheduler moves a timer due soon into Redis and the worker fires it on time", async () => {
    const { ticketId, procedureId, timer } = await ticketDueIn(4000);
    const seen = await seenAtLevel(ticketId, 2, 20_000, () => worker!.output);
    const late = seen - Date.parse(timer.dueAt);
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(1500);
    await expectClimbedOnce(ticketId, procedureId, timer);
  }, 30_000);

  it('after its Redis keys are flushed, the reconciler re-arms the timer and the escalation still happens on time', async () => {
    const { ticketId, procedureId, timer } = await ticketDueIn(10_000);
    await engine.queue.deliver([timer]);
    const jobId = timerJobId(timer.id, timer.version);
    expect(await (await engine.queue.queue.getJob(jobId))?.getState()).toBe('delayed');

    // Simulated FLUSHALL: every key of this file's prefix, the repeatable schedules included
    // (other test runs share this Redis, so never the whole of it).
    expect(await deleteQueueKeys(OWN_QUEUE_PREFIX)).toBeGreaterThan(0);
    expect(await engine.queue.queue.getJob(jobId)).toBeUndefined();

    // The scheduler skips it (PostgreSQL records it as enqueued): only the reconciler brings it back.
    const rearmedBy = Date.parse(timer.dueAt) - 500;
    while (!(await engine.queue.queue.getJob(jobId))) {
      if (Date.now() > rearmedBy)
        throw new Error(`not re-armed before it fell due; worker output:\n${worker!.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const seen = await seenAtLevel(ticketId, 2, 20_000, () => worker!.output);
    const late = seen - Date.parse(timer.dueAt);
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(1500);
    await expectClimbedOnce(ticketId, procedureId, timer);
  }, 30_000);

  // The rescuer is the worker module run in this process (booting a second ts-node child would
  // double the time); the killed one is a real child process.
  it('a worker killed in the middle of a job: another worker retries it once its lock expires, and nothing is doubled', async () => {
    // The first worker would re-arm the job on its own prefix (its reconciler scans PostgreSQL).
    await worker!.stop();
    const config = Object.assign(new AppConfig(), engine.app.get(AppConfig), { QUEUE_PREFIX: KILL_PREFIX });
    const killQueue = new TimerQueue(config, engine.timers, engine.clock);
    const connection = redisConnection(TEST_REDIS_URL);
    const events = new QueueEvents(TIMER_QUEUE, { connection, prefix: KILL_PREFIX });
    let rescuer: INestApplicationContext | undefined;
    const seen: Record<string, string[]> = {};
    for (const kind of ['active', 'stalled', 'completed', 'failed'] as const) {
      events.on(kind, ({ jobId }: { jobId: string }) => (seen[jobId] ??= []).push(kind));
    }
    await events.waitUntilReady();
    try {
      const { ticketId, procedureId, timer } = await ticketDueIn(300);
      const jobId = timerJobId(timer.id, timer.version);
      await killQueue.deliver([timer]);

      // The job is active and the worker sits inside its transaction, the climb written but not committed.
      const deadline = Date.now() + 15_000;
      for (;;) {
        const state = await (await killQueue.queue.getJob(jobId))?.getState();
        const [{ n }] = await engine.ds.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND state = 'idle in transaction'`,
          [OWN_DATABASE],
        );
        if (state === 'active' && n > 0) break;
        if (Date.now() > deadline)
          throw new Error(`job ${jobId} never got stuck (${state}); output:\n${doomed!.output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await engine.tickets.byId(ticketId))!.level).toBe(1);

      await doomed!.kill();
      process.env.QUEUE_PREFIX = KILL_PREFIX; // read when the worker module is created
      rescuer = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
      await rescuer.init();
      await seenAtLevel(ticketId, 2, 30_000, () => doomed!.output);
      await expectClimbedOnce(ticketId, procedureId, timer);
      expect(await engine.tickets.byId(ticketId)).toMatchObject({ status: 'open' });

      // BullMQ saw the job stall (its lock expired with the killed worker) and completed it after.
      const until = Date.now() + 5000;
      while (!seen[jobId]?.includes('completed') && Date.now() < until)
        await new Promise((r) => setTimeout(r, 50));
      expect(seen[jobId]).toEqual(['active', 'stalled', 'active', 'completed']);
    } finally {
      await rescuer?.close();
      await events.close();
      connection.disconnect();
      await killQueue.onApplicationShutdown();
    }
  }, 120_000);
});
