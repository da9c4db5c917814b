import {
  createOwnDatabase,
  deleteQueueKeys,
  dropOwnDatabase,
  OWN_QUEUE_PREFIX,
} from './support/own-database';
import { hashEvent } from '../libs/domain/src';
import { TimerBatchStore } from '../libs/persistence/src';
import { applicant, officer, startTimerEngine, type TimerEngine } from './support/timer-engine';

process.env.CLOCK_MODE = 'manual';

/**
 * BatchFiring: what a day-end cluster of timers does, many procedures a statement. The clock is
 * moved in the database alone (no clock move runs the timers), then swept as a queue job would on
 * the system clock. 2026: Mon 3/2 accepted; 3/5 is a Thursday.
 */
describe('timers fired in batches', () => {
  let a: TimerEngine;
  let b: TimerEngine;
  /** planned start 2026-03-05 passes at the end of that day in Shanghai. */
  const PLAN_PASSES = '2026-03-05T15:59:59.001Z';

  const setClock = (now: string) =>
    a.ds.query(`UPDATE clock_state SET now = $1 WHERE id = 1`, [new Date(now).toISOString()]);
  const events = (procedureId: string) => a.store.events(procedureId);

  beforeAll(async () => {
    await createOwnDatabase({ manualClockAt: '2026-03-02T08:00:00+08:00' });
    [a, b] = await Promise.all([startTimerEngine(), startTimerEngine()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await deleteQueueKeys(OWN_QUEUE_PREFIX);
    await dropOwnDatabase();
  });

  it('a cluster due at one instant: two sweepers at once fire each timer once, as of its due instant', async () => {
    const projects = await Promise.all(
      Array.from({ length: 40 }, () => a.register({ plannedStartDate: '2026-03-05' })),
    );
    // One of them also has 立项 under review: its light timer falls due before the plan passes.
    const busy = projects[0];
    await a.command(
      busy.procedureId,
      'project_approval',
      { type: 'SUBMIT', materials: ['application', 'feasibility_study', 'funding_plan'] },
      applicant(busy.org),
    );
    await a.command(busy.procedureId, 'project_approval', { type: 'ACCEPT' }, officer('ndrc'));

    await setClock('2026-03-06T09:00:00+08:00');
    const [x, y] = await Promise.all([a.fire.sweepDue(), b.fire.sweepDue()]);
    // 40 plan dates, and 立项's light: 5 WD from Mon 3/2, used 3 on Thu 3/5 = 50 % and 2 left, so
    // green → yellow at once, as 3/5 begins in Shanghai.
    expect(x + y).toBe(40 + 1);

    for (const p of projects) {
      const stream = await events(p.procedureId);
      expect(stream.map((e) => e.version)).toEqual(stream.map((_, i) => i + 1));
      stream.forEach((e, i) => {
        const { hash, ...unhashed } = e;
        expect(hashEvent(unhashed)).toBe(hash);
        if (i) expect(e.prevHash).toBe(stream[i - 1].hash);
      });
      const lights = stream.filter((e) => e.type === 'ProjectLightChanged');
      expect(lights.at(-1)!.data).toMatchObject({ light: 'red', reasons: ['NOT_STARTED_ON_PLAN'] });
      expect(lights.at(-1)!.metadata.occurredAt).toBe(PLAN_PASSES);
    }
    const busyStream = await events(busy.procedureId);
    const times = busyStream.slice(3).map((e) => [e.type, e.metadata.occurredAt]);
    // In due order, each as of its own instant: the item's yellow, then the plan date.
    expect(times).toEqual([
      ['ItemLightChanged', '2026-03-04T16:00:00.000Z'],
      ['ProjectLightChanged', '2026-03-04T16:00:00.000Z'],
      ['ProjectLightChanged', PLAN_PASSES],
    ]);

    const rows = await a.ds.query(
      `SELECT p.light, p.version, s.version AS snapshot FROM projects p JOIN procedure_snapshots s ON s.procedure_id = p.procedure_id
        WHERE p.procedure_id = ANY($1::uuid[])`,
      [projects.map((p) => p.procedureId)],
    );
    expect(rows.every((r: { light: string }) => r.light === 'red')).toBe(true);
    expect(rows.every((r: { version: number; snapshot: number }) => r.version === r.snapshot)).toBe(true);
    const armed = await a.ds.query(
      `SELECT count(*)::int AS n FROM timers WHERE procedure_id = ANY($1::uuid[]) AND status = 'armed' AND due_at <= $2`,
      [projects.map((p) => p.procedureId), new Date('2026-03-06T09:00:00+08:00').toISOString()],
    );
    expect(armed[0].n).toBe(0);
    // Swept again: nothing left to do.
    expect(await a.fire.sweepDue()).toBe(0);
  });

  it('timers whose procedure is gone are fired with nothing to do, and do not hold up the rest', async () => {
    const p = await a.register({ plannedStartDate: '2026-03-06' });
    // Hundreds of due timers of procedures that no longer exist, due before the real one.
    await a.ds.query(
      `INSERT INTO timers (kind, procedure_id, target, due_at, status, updated_at)
       SELECT 'PROJECT_START', gen_random_uuid(), 'project', $1, 'armed', now() FROM generate_series(1, 1200)`,
      ['2026-03-06T00:00:00+08:00'],
    );
    await setClock('2026-03-07T09:00:00+08:00');
    await a.fire.sweepDue();
    const left = await a.ds.query(
      `SELECT count(*)::int AS n FROM timers WHERE status = 'armed' AND due_at <= $1`,
      [new Date('2026-03-07T09:00:00+08:00').toISOString()],
    );
    expect(left[0].n).toBe(0);
    const lights = (await events(p.procedureId)).filter((e) => e.type === 'ProjectLightChanged');
    expect(lights.map((e) => e.metadata.occurredAt)).toEqual(['2026-03-06T15:59:59.001Z']);
  });

  it('a tick that opens a ticket goes through the one-procedure path: one ticket, then the item light', async () => {
    const p = await a.register({ plannedStartDate: '2027-06-30' });
    await a.command(
      p.procedureId,
      'project_approval',
      { type: 'SUBMIT', materials: ['application', 'feasibility_study', 'funding_plan'] },
      applicant(p.org),
    );
    await a.command(p.procedureId, 'project_approval', { type: 'ACCEPT' }, officer('ndrc'));
    // Accepted Sat 3/7 09:00 (the clock of the test above); 5 WD: 3/9…3/13, red after 3/13 23:59:59.
    await setClock('2026-03-16T09:00:00+08:00');
    await Promise.all([a.fire.sweepDue(), b.fire.sweepDue()]);
    const tickets = await a.ds.query(`SELECT reason, level FROM escalations WHERE procedure_id = $1`, [
      p.procedureId,
    ]);
    expect(tickets).toEqual([{ reason: 'OVERDUE', level: 1 }]);
    const reds = (await events(p.procedureId)).filter(
      (e) => e.type === 'ItemLightChanged' && (e.data as { light: string }).light === 'red',
    );
    expect(reds.map((e) => e.metadata.occurredAt)).toEqual(['2026-03-13T15:59:59.001Z']);
  });

  it('a procedure on a version this deployment no longer ships is passed over, and the others fire', async () => {
    const [stuck, fine] = await Promise.all([
      a.register({ plannedStartDate: '2026-03-18' }),
      a.register({ plannedStartDate: '2026-03-18' }),
    ]);
    // As if a later deployment had dropped the version the first one runs.
    await a.ds.query(
      `INSERT INTO definitions (ref, id, version, hash, content)
       SELECT 'default@99', id, 99, hash, content FROM definitions WHERE ref = 'default@1' ON CONFLICT DO NOTHING`,
    );
    await a.ds.query(`UPDATE procedure_snapshots SET definition = 'default@99' WHERE procedure_id = $1`, [
      stuck.procedureId,
    ]);
    const before = (await events(stuck.procedureId)).length;
    await setClock('2026-03-19T09:00:00+08:00');
    await a.fire.sweepDue();
    expect((await events(fine.procedureId)).map((e) => e.type)).toContain('ProjectLightChanged');
    expect(await events(stuck.procedureId)).toHaveLength(before);
    const waiting = await a.ds.query(
      `SELECT id, version FROM timers WHERE procedure_id = $1 AND status = 'armed' AND due_at <= now()`,
      [stuck.procedureId],
    );
    expect(waiting.length).toBeGreaterThan(0);
    // Its own job (the one-procedure path) leaves it waiting too, rather than failing.
    expect(await a.fire.execute(waiting[0].id, waiting[0].version)).toBe('stale');
    expect(await events(stuck.procedureId)).toHaveLength(before);
    // A manual clock move fires in due order: past the waiting timer, on to those due after it.
    const later = await a.register({ plannedStartDate: '2026-03-25' });
    await a.advance.execute('2026-03-27T09:00:00+08:00');
    expect((await events(later.procedureId)).map((e) => e.type)).toContain('ProjectLightChanged');
    expect(await events(stuck.procedureId)).toHaveLength(before);
    // And they never take a place in a batch's candidates (they would fill it, being due first).
    const last = await a.register({ plannedStartDate: '2026-03-30' });
    await setClock('2026-04-01T09:00:00+08:00');
    const candidates = (shipped: string[]) =>
      a.ds.transaction(async (m) =>
        (
          await new TimerBatchStore().dueProcedures(
            new Date('2026-04-01T09:00:00+08:00').toISOString(),
            100,
            m,
            shipped,
          )
        ).map((d) => d.procedureId),
      );
    const due = await candidates(['default@1']);
    expect(due).toContain(last.procedureId);
    expect(due).not.toContain(stuck.procedureId);
    expect(await candidates(['default@1', 'default@99'])).toContain(stuck.procedureId);
  });
});
