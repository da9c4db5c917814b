import './support/own-database';
import { onOwnDatabase } from './support/own-clock-api';
import { ClockApi, endOf, pastEndOf, sh, startOf, type Project } from './support/clock-api';
import { tokens } from './support/fixtures';
import type { TestApi } from './support/test-app';
import { DataSource } from '../libs/persistence/src';

process.env.CLOCK_MODE = 'manual';

/**
 * Due dates over HTTP around 中秋/国庆 and into a year the calendar does not know yet, on the
 * manual clock of a database of this file's own, seeded at Fri 2026-09-18 08:00 Shanghai. The
 * clock only moves forward: the tests run in order.
 *
 * Calendar: the bundled 2026 data — 中秋 9/25–27 off, 国庆 10/1–7 off, 调休 9/20 (Sun) and
 * 10/10 (Sat) worked. 2027 is not bundled: weekends only and provisional until an admin loads it.
 * Day 0 is the day of acceptance; a limit of n WD ends at 23:59:59 of the n-th working day.
 */
describe('deadlines around 国庆 and in a year not loaded yet (CLOCK_MODE=manual)', () => {
  let api: TestApi;
  let clock: ClockApi;
  const p: Record<string, Project> = {};

  onOwnDatabase({ manualClockAt: sh('2026-09-18 08:00') }, (a, c) => {
    api = a;
    clock = c;
  });

  it('starts on the seeded day, with the limits and the calendar the hand counts below assume', async () => {
    expect(await clock.now()).toBe(new Date(sh('2026-09-18 08:00')).toISOString());
    const def = await api.request('GET', '/definitions/default', { token: clock.admin });
    const limits = Object.fromEntries(
      def.body.items.map((i: { key: string; limits: unknown }) => [i.key, i.limits]),
    );
    expect(limits.energy_review).toEqual({
      statutory: { n: 20, unit: 'WD' },
      committed: { n: 10, unit: 'WD' },
    });
    expect(limits.eia).toEqual({ statutory: { n: 60, unit: 'WD' }, committed: { n: 20, unit: 'WD' } });
    const cal = await api.request('GET', '/admin/calendar', { token: clock.admin });
    expect(cal.body.knownYears).toContain(2026);
    // If a newer chinese-days bundles 2027, the provisional case below needs a later year.
    expect(cal.body.knownYears).not.toContain(2027);
  });

  it('国庆: accepted before 中秋/国庆, the 9/20 and 10/10 调休 days count', async () => {
    p.midAutumn = await clock.register();
    p.national = await clock.register();
    await clock.moveTo(sh('2026-09-18 10:00'));
    await clock.accept(p.midAutumn, 'energy_review');
    // Fri 9/18, 10 WD: 9/19 off, 9/20 (Sun, 调休) 1, 9/21–24 2–5, 9/25–27 中秋, 9/28–30 6–8,
    // 10/1–7 国庆, 10/8 9, 10/9 10 → 10/9; 20 WD: 10/10 (Sat, 调休) 11, 10/12–16 12–16,
    // 10/19–22 17–20 → 10/22.
    expect(await clock.item(p.midAutumn, 'energy_review')).toMatchObject({
      committedDueAt: endOf('2026-10-09'),
      statutoryDueAt: endOf('2026-10-22'),
    });
    await clock.moveTo(sh('2026-09-29 10:00'));
    await clock.accept(p.national, 'energy_review');
    // Tue 9/29, 10 WD: 9/30 1, 10/8 2, 10/9 3, 10/10 (Sat) 4, 10/12–16 5–9, 10/19 10 → 10/19;
    // 20 WD: 10/20–23 11–14, 10/26–30 15–19, 11/2 20 → 11/2.
    expect(await clock.item(p.national, 'energy_review')).toMatchObject({
      committedDueAt: endOf('2026-10-19'),
      statutoryDueAt: endOf('2026-11-02'),
      workingDaysLeft: 10,
    });
    await clock.moveTo(sh('2026-10-10 10:00'));
    expect(await clock.item(p.national, 'energy_review')).toMatchObject({
      workingDaysUsed: 4,
      workingDaysLeft: 6,
    });
    // 9/20 … 10/9 = 10 used and 10/10 is an 11th: overdue since 10/9 ended.
    expect(await clock.item(p.midAutumn, 'energy_review')).toMatchObject({
      workingDaysUsed: 11,
      workingDaysLeft: -1,
      light: 'red',
      overdue: true,
    });
    expect(await clock.lightChanges(p.midAutumn, 'energy_review')).toContainEqual([
      'red',
      'yellow',
      pastEndOf('2026-10-09'),
    ]);
  });

  it('a due date in a year with no calendar yet is provisional until the year is loaded', async () => {
    p.nextYear = await clock.register({ plannedStartDate: '2027-12-31' });
    await clock.moveTo(sh('2026-12-14 10:00'));
    await clock.accept(p.nextYear, 'eia');
    // Mon 12/14, weekends only in 2027: 12/15–18 1–4, 12/21–25 5–9, 12/28–31 10–13, 1/1 (Fri) 14,
    // 1/4–8 15–19, 1/11 20 → 1/11; 60 WD → 3/8.
    expect(await clock.item(p.nextYear, 'eia')).toMatchObject({
      committedDueAt: endOf('2027-01-11'),
      statutoryDueAt: endOf('2027-03-08'),
      provisional: true,
    });
    // Blue on 12/28 (10 used); the yellow timer (16 used) is armed on weekends alone: Tue 1/5.
    await clock.moveTo(sh('2026-12-28 10:00'));
    expect((await clock.item(p.nextYear, 'eia')).light).toBe('blue');
    const ds: DataSource = api.app.get(DataSource);
    const lightTimer = () =>
      ds.query(
        `SELECT due_at, provisional FROM timers WHERE procedure_id = $1 AND kind = 'ITEM_LIGHT' AND target = 'item:eia'`,
        [p.nextYear.procedureId],
      );
    expect(await lightTimer()).toEqual([{ due_at: new Date(startOf('2027-01-05')), provisional: true }]);

    const refused = await api.request('PUT', '/admin/calendar/2027', {
      token: tokens.department('ecology'),
      body: { daysOff: ['2027-01-01'], workdays: [] },
    });
    expect(refused.status).toBe(403);
    // A list left out is reported missing, not as the wrong type; nothing is loaded.
    const incomplete = await api.request('PUT', '/admin/calendar/2027', {
      token: clock.admin,
      body: { daysOff: ['2027-01-01'] },
    });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.errors).toEqual([
      expect.objectContaining({ field: 'workdays', rule: 'isDefined' }),
    ]);
    const loaded = await api.request('PUT', '/admin/calendar/2027', {
      token: clock.admin,
      body: { daysOff: ['2027-01-01'], workdays: [] },
    });
    expect(loaded.status).toBe(200);
    expect(loaded.body).toMatchObject({ year: 2027, daysOff: 1, workdays: 0 });
    expect(loaded.body.recomputed).toBeGreaterThanOrEqual(1);

    // 1/1 is off: 1/4–8 14–18, 1/11 19, 1/12 20 → 1/12; statutory one day later too.
    expect(await clock.item(p.nextYear, 'eia')).toMatchObject({
      committedDueAt: endOf('2027-01-12'),
      statutoryDueAt: endOf('2027-03-09'),
      provisional: false,
    });
    // The read model and the timer were recomputed: yellow now on Wed 1/6 (1/4 14, 1/5 15, 1/6 16).
    expect(await lightTimer()).toEqual([{ due_at: new Date(startOf('2027-01-06')), provisional: false }]);
    const [row] = await ds.query(
      `SELECT committed_due_at, provisional FROM procedure_items WHERE procedure_id = $1 AND item_key = 'eia'`,
      [p.nextYear.procedureId],
    );
    expect(row).toEqual({ committed_due_at: new Date(endOf('2027-01-12')), provisional: false });

    await clock.moveTo(sh('2027-01-05 12:00'));
    expect(await clock.item(p.nextYear, 'eia')).toMatchObject({ light: 'blue', workingDaysUsed: 15 });
    await clock.moveTo(sh('2027-01-06 09:00'));
    expect(await clock.item(p.nextYear, 'eia')).toMatchObject({ light: 'yellow', workingDaysUsed: 16 });
    expect(await clock.lightChanges(p.nextYear, 'eia')).toEqual([
      ['blue', 'green', startOf('2026-12-28')],
      ['yellow', 'blue', startOf('2027-01-06')],
    ]);
  });

  it('the clock never moves back, and only an admin moves it', async () => {
    const now = await clock.now();
    const back = await api.request('POST', '/admin/clock', {
      token: clock.admin,
      body: { now: sh('2026-12-01 10:00') },
    });
    expect(back.status).toBe(409);
    expect(back.body).toMatchObject({ code: 'CLOCK_BACKWARDS', current: now });
    const officer = await api.request('POST', '/admin/clock', {
      token: tokens.department('ecology'),
      body: { now: sh('2027-02-01 10:00') },
    });
    expect(officer.status).toBe(403);
    expect(await clock.now()).toBe(now);
  });
});
