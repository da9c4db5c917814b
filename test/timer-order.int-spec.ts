import {
  createOwnDatabase,
  deleteQueueKeys,
  dropOwnDatabase,
  OWN_QUEUE_PREFIX,
} from './support/own-database';
import { ManualClock } from '../libs/engine/src';
import { DomainError, type Actor } from '../libs/domain/src';
import { applicant, officer, startTimerEngine, type TimerEngine } from './support/timer-engine';

process.env.CLOCK_MODE = 'manual';

const admin: Actor = { id: 'adm-order', name: '系统管理员', role: 'admin' };
const SH = (local: string) => new Date(`${local}+08:00`).toISOString();
const pastEndOf = (day: string) => new Date(Date.parse(`${day}T23:59:59.000+08:00`) + 1).toISOString();

/**
 * The per-timer path (a queue job on the system clock) against the record's order and against
 * concurrent writers, on the real PostgreSQL. Three items accepted Tue 2026-03-10 10:00 Shanghai
 * (立项 5 WD, 节能审查 10 WD, 文物勘探 15 WD); the clock then jumps to Thu 4/2 without running
 * anything, as if the workers had been down, and the due jobs arrive all at once, latest first.
 */
describe('firing one timer keeps its procedure in due order and never deadlocks', () => {
  let engine: TimerEngine;
  let procedureId: string;

  const armedDue = async (until: string) =>
    (await engine.ds.query(
      `SELECT id, version, due_at FROM timers WHERE status = 'armed' AND due_at <= $1 ORDER BY due_at DESC`,
      [until],
    )) as { id: string; version: number; due_at: Date }[];
  const lights = async (item: string) =>
    (await engine.store.events(procedureId))
      .filter((e) => e.type === 'ItemLightChanged' && e.data.itemKey === item)
      .map((e) => [e.data.light, e.metadata.occurredAt]);

  beforeAll(async () => {
    await createOwnDatabase();
    engine = await startTimerEngine();
  }, 120_000);

  afterAll(async () => {
    await engine?.close();
    await deleteQueueKeys(OWN_QUEUE_PREFIX);
    await dropOwnDatabase();
  });

  it('jobs delivered latest first, all at once: each fires its procedure’s earlier timers first', async () => {
    await engine.advance.execute(SH('2026-03-10T10:00:00'));
    const p = await engine.register({ leader: 'leader-order' });
    procedureId = p.procedureId;
    const accept = async (item: string, materials: string[], department: Actor['department']) => {
      await engine.command(procedureId, item, { type: 'SUBMIT', materials }, applicant(p.org));
      await engine.command(procedureId, item, { type: 'ACCEPT' }, officer(department));
    };
    await accept('project_approval', ['application', 'feasibility_study', 'funding_plan'], 'ndrc');
    await accept('energy_review', ['energy_report', 'energy_opinion'], 'ndrc');
    await accept('heritage_survey', ['application', 'site_plan'], 'heritage');

    const now = SH('2026-04-02T09:00:00');
    expect(await (engine.clock as ManualClock).set(now)).toBe(true);
    const jobs = await armedDue(now);
    expect(jobs).toHaveLength(3); // one light timer per item, the latest first
    const outcomes = await Promise.all(jobs.map((j) => engine.fire.execute(j.id, j.version)));
    // A job finds its version fired, or superseded by a tick of an earlier timer that did its
    // work (items whose lights turn at one instant turn in one tick): 'stale', nothing to do.
    expect(outcomes.every((o) => o === 'fired' || o === 'stale')).toBe(true);
    // What those fires armed and is due too (later light changes, ticket levels): as the
    // reconciler would hand them over, again all at once.
    for (let round = 0; round < 20; round++) {
      const more = await armedDue(now);
      if (!more.length) break;
      await Promise.all(more.map((j) => engine.fire.execute(j.id, j.version)));
    }
    expect(await armedDue(now)).toEqual([]);

    expect(await lights('project_approval')).toEqual([
      ['yellow', SH('2026-03-13T00:00:00')],
      ['red', pastEndOf('2026-03-17')],
    ]);
    expect(await lights('energy_review')).toEqual([
      ['blue', SH('2026-03-17T00:00:00')],
      ['yellow', SH('2026-03-20T00:00:00')],
      ['red', pastEndOf('2026-03-24')],
    ]);
    expect(await lights('heritage_survey')).toEqual([
      ['blue', SH('2026-03-20T00:00:00')],
      ['yellow', SH('2026-03-26T00:00:00')],
      ['red', pastEndOf('2026-03-31')],
    ]);
    const climbs = (await engine.store.events(procedureId))
      .filter((e) => e.type === 'EscalationClimbed')
      .map((e) => [e.data.itemKey, e.data.level, e.metadata.occurredAt]);
    // In due order; two due at one instant (4/1) come in either order.
    const byInstant = (a: unknown[], b: unknown[]) => `${a[2]}${a[0]}`.localeCompare(`${b[2]}${b[0]}`);
    expect(climbs.map((c) => c[2])).toEqual(climbs.map((c) => c[2]).sort());
    expect([...climbs].sort(byInstant)).toEqual([
      ['project_approval', 2, pastEndOf('2026-03-20')],
      ['project_approval', 3, pastEndOf('2026-03-25')],
      ['energy_review', 2, pastEndOf('2026-03-27')],
      ['energy_review', 3, pastEndOf('2026-04-01')],
      ['project_approval', 4, pastEndOf('2026-04-01')],
    ]);
  });

  it('fires, a clock run and ticket actions on one procedure at once: all succeed, nothing doubled', async () => {
    const tickets = (await engine.ds.query(`SELECT id FROM escalations WHERE procedure_id = $1`, [
      procedureId,
    ])) as { id: string }[];
    expect(tickets).toHaveLength(3);
    const now = SH('2026-04-30T09:00:00');
    expect(await (engine.clock as ManualClock).set(now)).toBe(true);
    const jobs = await armedDue(now);
    expect(jobs.length).toBeGreaterThan(0);
    const results = await Promise.allSettled([
      engine.fire.runDue(),
      ...jobs.map((j) => engine.fire.execute(j.id, j.version)),
      ...tickets.map((t) => engine.escalations.addNote(admin, t.id, '协调会纪要')),
      // A climb may have re-opened it or not yet: a refusal is fine, a database error is not.
      ...tickets.map((t) =>
        engine.escalations.acknowledge(admin, t.id).catch((err) => {
          if (err instanceof DomainError) return null;
          throw err;
        }),
      ),
      engine.fire.runDue(),
    ]);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    await engine.fire.runDue();
    expect(await armedDue(now)).toEqual([]);

    const levels = (await engine.ds.query(
      `SELECT e.item_key, e.level, t.status AS timer, t.due_at
         FROM escalations e
         LEFT JOIN timers t ON t.kind = 'ESCALATION_LEVEL' AND t.target = 'ticket:' || e.id
        WHERE e.procedure_id = $1 ORDER BY e.item_key`,
      [procedureId],
    )) as { item_key: string; level: number; timer: string | null; due_at: Date | null }[];
    const events = await engine.store.events(procedureId);
    expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
    // Nothing doubled: each ticket climbed once per level, 2, 3, … up to where it stands.
    const climbed = events.filter((e) => e.type === 'EscalationClimbed');
    for (const { item_key, level } of levels) {
      const mine = climbed.filter((e) => e.data.itemKey === item_key).map((e) => e.data.level);
      expect(mine).toEqual(Array.from({ length: level - 1 }, (_, i) => i + 2));
    }
    // Nothing left behind: a ticket below the top either waits for a level due after now (a note
    // recorded at the move's instant dates the climbs after it then, so the next level counts
    // from there), or it is at level 4. Without a concurrent note all three reach 4.
    for (const t of levels) {
      if (t.level === 4) continue;
      expect(t.timer).toBe('armed');
      expect(t.due_at!.getTime()).toBeGreaterThan(Date.parse(now));
    }
    expect(levels.find((t) => t.item_key === 'project_approval')!.level).toBe(4);
  });
});
