import {
  createOwnDatabase,
  deleteQueueKeys,
  dropOwnDatabase,
  OWN_QUEUE_PREFIX,
} from './support/own-database';
import { ManualClock } from '../libs/engine/src';
import { timerJobId } from '../libs/queue/src';
import { applicant, officer, startTimerEngine, type TimerEngine } from './support/timer-engine';

process.env.CLOCK_MODE = 'manual';
// Redis gets every timer due within 31 days of the clock, so the ones below are all in the queue.
process.env.TIMER_HORIZON_SECONDS = String(31 * 86_400);

/**
 * The timer handler on the real PostgreSQL and Redis, in-process (no worker): delivered or run
 * twice it changes nothing twice, and the reconciler puts back what Redis lost. The manual clock
 * of this file's own database starts Mon 2026-03-02 08:00 Shanghai.
 *
 * 立项 (project_approval) accepted Mon 3/2 10:00, committed 5 WD: 3/3 1, 3/4 2, 3/5 3 (2 left →
 * yellow), 3/6 4, 3/9 5 → due 3/9 23:59:59 Shanghai = 2026-03-09T15:59:59.000Z.
 */
describe('timers: one firing however often delivered, and a reconciler for a lost queue', () => {
  let engine: TimerEngine;
  let procedureId: string;
  const RED_AT = '2026-03-09T15:59:59.001Z';

  const timerRow = async (kind: string, target: string) =>
    (
      await engine.ds.query(
        `SELECT id, version, status, due_at FROM timers WHERE procedure_id = $1 AND kind = $2 AND target = $3`,
        [procedureId, kind, target],
      )
    )[0] as { id: string; version: number; status: string; due_at: Date };
  const eventTypes = async () => (await engine.store.events(procedureId)).map((e) => e.type);
  const ticketsOf = async () =>
    (await engine.ds.query(`SELECT id, reason, level, status FROM escalations WHERE procedure_id = $1`, [
      procedureId,
    ])) as {
      id: string;
      reason: string;
    }[];

  beforeAll(async () => {
    await createOwnDatabase({ manualClockAt: '2026-03-02T08:00:00+08:00' });
    engine = await startTimerEngine();
  }, 120_000);

  afterAll(async () => {
    await engine?.close();
    await deleteQueueKeys(OWN_QUEUE_PREFIX);
    await dropOwnDatabase();
  });

  it('the red-light timer run twice at once, then again: one firing, one ticket, one event each', async () => {
    const p = await engine.register();
    procedureId = p.procedureId;
    await engine.advance.execute('2026-03-02T10:00:00+08:00');
    await engine.command(
      procedureId,
      'project_approval',
      { type: 'SUBMIT', materials: ['application', 'feasibility_study', 'funding_plan'] },
      applicant(p.org),
    );
    await engine.command(procedureId, 'project_approval', { type: 'ACCEPT' }, officer('ndrc'));
    // Up to 3/9 noon the yellow timer fires; the next one waits for the end of 3/9.
    await engine.advance.execute('2026-03-09T12:00:00+08:00');
    const red = await timerRow('ITEM_LIGHT', 'item:project_approval');
    expect(red).toMatchObject({ status: 'armed', due_at: new Date(RED_AT) });

    // The clock moves past it without running timers (ManualClock.set): the queue's job is due.
    expect(await (engine.clock as ManualClock).set(new Date('2026-03-10T09:00:00+08:00').toISOString())).toBe(
      true,
    );
    const outcomes = await Promise.all([
      engine.fire.execute(red.id, red.version),
      engine.fire.execute(red.id, red.version),
    ]);
    expect(outcomes.sort()).toEqual(['fired', 'stale']);
    expect(await engine.fire.execute(red.id, red.version)).toBe('stale');

    const tickets = await ticketsOf();
    expect(tickets).toEqual([expect.objectContaining({ reason: 'OVERDUE', level: 1, status: 'open' })]);
    const types = await eventTypes();
    expect(types.filter((t) => t === 'EscalationOpened')).toHaveLength(1);
    const lights = (await engine.store.events(procedureId))
      .filter((e) => e.type === 'ItemLightChanged')
      .map((e) => [e.data.light, e.metadata.occurredAt]);
    expect(lights).toEqual([
      ['yellow', '2026-03-04T16:00:00.000Z'],
      ['red', RED_AT],
    ]);
    // The timer moved on to its next change (the statutory limit), as a new version.
    const next = await timerRow('ITEM_LIGHT', 'item:project_approval');
    expect(next.id).toBe(red.id);
    expect(next.version).toBe(red.version + 1);
    expect(next.status).toBe('armed');

    // Running every due timer again (what a second clock move does) finds nothing left to do.
    const before = await eventTypes();
    expect(await engine.fire.runDue()).toBe(0);
    expect(await eventTypes()).toEqual(before);
  });

  it('a ticket level timer fired twice climbs once', async () => {
    const [ticket] = await ticketsOf();
    const level = await timerRow('ESCALATION_LEVEL', `ticket:${ticket.id}`);
    // Opened at 3/9 23:59:59.001 (day 0 = 3/9): 3 WD are 3/10, 3/11, 3/12.
    expect(level).toMatchObject({ status: 'armed', due_at: new Date('2026-03-12T15:59:59.001Z') });
    expect(await (engine.clock as ManualClock).set(new Date('2026-03-13T09:00:00+08:00').toISOString())).toBe(
      true,
    );
    const outcomes = await Promise.all([
      engine.fire.execute(level.id, level.version),
      engine.fire.execute(level.id, level.version),
    ]);
    expect(outcomes.sort()).toEqual(['fired', 'stale']);
    expect(await ticketsOf()).toEqual([expect.objectContaining({ level: 2 })]);
    expect((await eventTypes()).filter((t) => t === 'EscalationClimbed')).toHaveLength(1);
  });

  it('delivering a timer version twice makes one BullMQ job (jobId <timerId>-<version>)', async () => {
    const light = await timerRow('ITEM_LIGHT', 'item:project_approval');
    const armed = { id: light.id, version: light.version, dueAt: light.due_at.toISOString() };
    await engine.queue.deliver([armed]);
    await engine.queue.deliver([armed, armed]);
    const job = await engine.queue.queue.getJob(timerJobId(light.id, light.version));
    expect(job?.data).toEqual({ timerId: light.id, version: light.version, dueAt: armed.dueAt });
    expect(await job?.getState()).toBe('delayed');
    // (Jobs of its earlier versions may still wait in Redis: they find a newer version and do nothing.)
    const jobs = await engine.queue.queue.getJobs(['delayed', 'waiting']);
    expect(jobs.filter((j) => j.data.timerId === light.id && j.data.version === light.version)).toHaveLength(
      1,
    );
  });

  it('after the prefix keys are flushed, the reconciler re-arms every armed timer within the horizon, once', async () => {
    const [ticket] = await ticketsOf();
    const level = await timerRow('ESCALATION_LEVEL', `ticket:${ticket.id}`);
    const light = await timerRow('ITEM_LIGHT', 'item:project_approval');
    const jobIds = [timerJobId(level.id, level.version), timerJobId(light.id, light.version)];
    await engine.queue.reconcile();
    for (const id of jobIds) expect(await engine.queue.queue.getJob(id)).toBeDefined();

    // Simulated FLUSHALL: only this file's prefix (other runs share this Redis).
    expect(await deleteQueueKeys(OWN_QUEUE_PREFIX)).toBeGreaterThan(0);
    for (const id of jobIds) expect(await engine.queue.queue.getJob(id)).toBeUndefined();

    expect(await engine.queue.reconcile()).toBe(2);
    for (const id of jobIds) {
      const job = await engine.queue.queue.getJob(id);
      expect(await job?.getState()).toBe('delayed');
    }
    expect(await engine.queue.reconcile()).toBe(0);
  });
});
