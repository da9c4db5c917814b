import './support/own-database';
import { onOwnDatabase } from './support/own-clock-api';
import { ClockApi, endOf, pastEndOf, sh, startOf, type Project } from './support/clock-api';
import { tokens } from './support/fixtures';
import type { TestApi } from './support/test-app';

process.env.CLOCK_MODE = 'manual';

/**
 * Item clocks, due dates and lights over HTTP, on the manual clock of a database of this file's
 * own, seeded at Mon 2026-02-09 08:00 Shanghai: 春节, clock stops, each light in turn, a legal
 * breach (国庆 and a year not loaded yet: deadlines-autumn.e2e-spec.ts). The clock only moves
 * forward, so the tests below form one story and run in order: each moves it on from where the
 * previous one left it.
 *
 * Calendar: the bundled 2026 data — 春节 2/15–23 off with 调休 2/14 (Sat) and 2/28 (Sat) worked;
 * 清明 4/4–6, 劳动节 5/1–5 (调休 5/9), 端午 6/19–21, 中秋 9/25–27, 国庆 10/1–7 (调休 9/20, 10/10).
 * 2027 is not bundled: weekends only and provisional until an admin loads it.
 * Day 0 is the day of acceptance; a limit of n WD ends at 23:59:59 of the n-th working day.
 */
describe('deadlines in working days and warning lights (CLOCK_MODE=manual)', () => {
  let api: TestApi;
  let clock: ClockApi;
  const p: Record<string, Project> = {};

  onOwnDatabase({ manualClockAt: sh('2026-02-09 08:00') }, (a, c) => {
    api = a;
    clock = c;
  });

  it('starts on the seeded day, with the limits and the calendar the hand counts below assume', async () => {
    expect(await clock.now()).toBe(new Date(sh('2026-02-09 08:00')).toISOString());
    const def = await api.request('GET', '/definitions/default', { token: clock.admin });
    const limits = Object.fromEntries(
      def.body.items.map((i: { key: string; limits: unknown }) => [i.key, i.limits]),
    );
    const wd = (n: number) => ({ n, unit: 'WD' });
    expect(limits.eia).toEqual({ statutory: wd(60), committed: wd(20) });
    expect(limits.soil_water).toEqual({ statutory: wd(20), committed: wd(10) });
    expect(limits.project_approval).toEqual({ statutory: wd(20), committed: wd(5) });
    // The thresholds the lights below are counted with.
    expect(def.body.lights).toEqual({ blue: 0.5, yellow: 0.8, yellowDaysLeft: 2 });
    const cal = await api.request('GET', '/admin/calendar', { token: clock.admin });
    expect(cal.body.knownYears).toContain(2026);
  });

  it('Mon 2/9: accepted before 春节, the due dates skip the holiday and count the 调休 Saturdays', async () => {
    p.eia = await clock.register();
    p.stop = await clock.register();
    p.plan = await clock.register({ plannedStartDate: '2026-02-27' });
    await clock.moveTo(sh('2026-02-09 10:00'));
    await clock.accept(p.eia, 'eia');
    await clock.accept(p.stop, 'soil_water');

    // 环评, 20 WD: 2/10 1, 2/11 2, 2/12 3, 2/13 4, 2/14 (Sat, 调休) 5, 2/15–23 off, 2/24 6, 2/25 7,
    // 2/26 8, 2/27 9, 2/28 (Sat, 调休) 10, 3/2–6 11–15, 3/9–13 16–20 → 3/13 (weekends only: 3/9).
    // 60 WD: 3/16–20 21–25, 3/23–27 26–30, 3/30–4/3 31–35, 清明 4/4–6, 4/7–10 36–39, 4/13–17 40–44,
    // 4/20–24 45–49, 4/27–30 50–53, 5/1–5 off, 5/6–8 54–56, 5/9 (Sat, 调休) 57, 5/11–13 58–60 → 5/13.
    expect(await clock.item(p.eia, 'eia')).toMatchObject({
      status: 'in_review',
      light: 'green',
      acceptedAt: new Date(sh('2026-02-09 10:00')).toISOString(),
      committedDueAt: endOf('2026-03-13'),
      statutoryDueAt: endOf('2026-05-13'),
      workingDaysUsed: 0,
      workingDaysLeft: 20,
      provisional: false,
    });
    // 水土保持, 10 WD: 2/10–2/14 1–5, 2/24–2/28 6–10 → 2/28 (a 调休 Saturday); 20 WD: 3/2–13 → 3/13.
    expect(await clock.item(p.stop, 'soil_water')).toMatchObject({
      committedDueAt: endOf('2026-02-28'),
      statutoryDueAt: endOf('2026-03-13'),
      workingDaysLeft: 10,
    });
  });

  it('Thu 2/12: a special procedure stops the clock; the day it starts still counts', async () => {
    await clock.moveTo(sh('2026-02-12 10:00'));
    await clock.command(p.stop, 'soil_water', {
      type: 'START_SPECIAL_PROCEDURE',
      kind: 'expert_review',
      reason: '组织专家评审',
    });
    await clock.moveTo(sh('2026-02-13 10:00'));
    // Used 2/10, 2/11, 2/12 = 3; 2/13 is stopped. Seen now, the 7 left run 2/14, 2/24–28, 3/2.
    const item = await clock.item(p.stop, 'soil_water');
    expect(item).toMatchObject({
      status: 'paused',
      workingDaysUsed: 3,
      workingDaysLeft: 7,
      committedDueAt: endOf('2026-03-02'),
    });
    expect(item.clock).toMatchObject({ running: false, paused: true });
    // 环评 runs on: 2/10–2/13 = 4 used.
    expect(await clock.item(p.eia, 'eia')).toMatchObject({ workingDaysUsed: 4, workingDaysLeft: 16 });
  });

  it('Sat 2/14, a 调休 working day: 立项 accepted on it is due on the next 调休 Saturday', async () => {
    p.approval = await clock.register();
    await clock.moveTo(sh('2026-02-14 10:00'));
    await clock.accept(p.approval, 'project_approval');
    // 5 WD: 2/15–23 off, 2/24 1, 2/25 2, 2/26 3, 2/27 4, 2/28 (Sat, 调休) 5; 20 WD: 3/2–20 → 3/20.
    expect(await clock.item(p.approval, 'project_approval')).toMatchObject({
      committedDueAt: endOf('2026-02-28'),
      statutoryDueAt: endOf('2026-03-20'),
      workingDaysUsed: 0,
      workingDaysLeft: 5,
    });
    // Mid-holiday nothing is used: 环评 has 2/10–2/14 = 5.
    await clock.moveTo(sh('2026-02-20 10:00'));
    expect(await clock.item(p.eia, 'eia')).toMatchObject({ workingDaysUsed: 5, workingDaysLeft: 15 });
  });

  it('Tue 2/24 – Wed 2/25: the paused due date moved through the holiday; ending the pause fixes it', async () => {
    await clock.moveTo(sh('2026-02-24 10:00'));
    // Stopped since 2/12: 2/13, 2/14, 2/24 removed; 2/25 4 … 3/4 10.
    expect(await clock.item(p.stop, 'soil_water')).toMatchObject({
      committedDueAt: endOf('2026-03-04'),
      workingDaysUsed: 3,
    });
    await clock.moveTo(sh('2026-02-25 10:00'));
    await clock.command(p.stop, 'soil_water', { type: 'END_SPECIAL_PROCEDURE' });
    // Removed 2/13, 2/14, 2/24, 2/25 (the restart day does not count): 2/26 4, 2/27 5, 2/28 6,
    // 3/2 7, 3/3 8, 3/4 9, 3/5 10 → 3/5; statutory 3/6 11, 3/9–13 12–16, 3/16–19 17–20 → 3/19.
    const item = await clock.item(p.stop, 'soil_water');
    expect(item).toMatchObject({
      status: 'in_review',
      committedDueAt: endOf('2026-03-05'),
      statutoryDueAt: endOf('2026-03-19'),
      workingDaysUsed: 3,
      workingDaysLeft: 7,
    });
    expect(item.clock).toMatchObject({
      running: true,
      pausedSpans: [
        {
          kind: 'expert_review',
          reason: '组织专家评审',
          from: new Date(sh('2026-02-12 10:00')).toISOString(),
          to: new Date(sh('2026-02-25 10:00')).toISOString(),
        },
      ],
    });
  });

  it('Thu 2/26: 立项 (5 WD) turns yellow with 2 days left, skipping blue', async () => {
    await clock.moveTo(sh('2026-02-25 23:00'));
    expect((await clock.item(p.approval, 'project_approval')).light).toBe('green');
    await clock.moveTo(sh('2026-02-26 09:00'));
    expect(await clock.item(p.approval, 'project_approval')).toMatchObject({
      light: 'yellow',
      workingDaysUsed: 3,
      workingDaysLeft: 2,
    });
    expect(await clock.lightChanges(p.approval, 'project_approval')).toEqual([
      ['yellow', 'green', startOf('2026-02-26')],
    ]);
    expect(await clock.projectsWithLight('yellow')).toContain(p.approval.projectId);
  });

  it('Sat 2/28: 环评 turns blue at 50 % on the 调休 Saturday; the plan date has passed (应开工未开工)', async () => {
    await clock.moveTo(sh('2026-02-27 12:00'));
    expect(await clock.item(p.eia, 'eia')).toMatchObject({ light: 'green', workingDaysUsed: 9 });
    expect((await clock.project(p.plan)).light).toBe('green');

    await clock.moveTo(sh('2026-02-28 09:00'));
    expect(await clock.item(p.eia, 'eia')).toMatchObject({
      light: 'blue',
      workingDaysUsed: 10,
      workingDaysLeft: 10,
    });
    // The officer who holds the item sees the same.
    expect(await clock.item(p.eia, 'eia', tokens.department('ecology'))).toMatchObject({
      light: 'blue',
      committedDueAt: endOf('2026-03-13'),
      workingDaysLeft: 10,
    });
    expect(await clock.lightChanges(p.eia, 'eia')).toEqual([['blue', 'green', startOf('2026-02-28')]]);
    expect(await clock.projectsWithLight('blue')).toContain(p.eia.projectId);
    expect(await clock.projectsWithLight('yellow')).not.toContain(p.eia.projectId);

    const late = await clock.project(p.plan);
    expect(late).toMatchObject({ light: 'red', lightReasons: ['NOT_STARTED_ON_PLAN'] });
    const changed = (await clock.events(p.plan)).filter((e) => e.type === 'ProjectLightChanged');
    expect(changed.map((e) => [e.data.light, e.data.reasons, e.metadata.occurredAt])).toEqual([
      ['red', ['NOT_STARTED_ON_PLAN'], pastEndOf('2026-02-27')],
    ]);
    expect(await clock.projectsWithLight('red')).toContain(p.plan.projectId);

    // 立项 is on its last day (the 调休 Saturday): still yellow until 23:59:59.
    await clock.moveTo(sh('2026-02-28 23:59'));
    expect(await clock.item(p.approval, 'project_approval')).toMatchObject({
      light: 'yellow',
      workingDaysLeft: 0,
      overdue: false,
    });
  });

  it('Sun 3/1: 立项 is overdue — red, and a 督办件 for its task force', async () => {
    await clock.moveTo(sh('2026-03-01 09:00'));
    expect(await clock.item(p.approval, 'project_approval')).toMatchObject({
      light: 'red',
      overdue: true,
      statutoryBreach: false,
    });
    expect(await clock.lightChanges(p.approval, 'project_approval')).toEqual([
      ['yellow', 'green', startOf('2026-02-26')],
      ['red', 'yellow', pastEndOf('2026-02-28')],
    ]);
    const { items } = await clock.tickets(`projectId=${p.approval.projectId}`);
    expect(items).toEqual([
      expect.objectContaining({
        itemKey: 'project_approval',
        reason: 'OVERDUE',
        taskForce: 'supervision',
        level: 1,
        openedAt: pastEndOf('2026-02-28'),
      }),
    ]);
    const red = await clock.projectsWithLight('red');
    expect(red).toEqual(expect.arrayContaining([p.approval.projectId, p.plan.projectId]));
    expect(red).not.toContain(p.eia.projectId);
  });

  it('Mon 3/9 – Sat 3/14: 环评 turns yellow at 80 %, then red after its last day', async () => {
    await clock.moveTo(sh('2026-03-08 22:00'));
    expect((await clock.item(p.eia, 'eia')).light).toBe('blue');
    await clock.moveTo(sh('2026-03-09 10:00'));
    expect(await clock.item(p.eia, 'eia')).toMatchObject({
      light: 'yellow',
      workingDaysUsed: 16,
      workingDaysLeft: 4,
    });
    expect(await clock.projectsWithLight('yellow')).toContain(p.eia.projectId);

    await clock.moveTo(sh('2026-03-13 23:00'));
    expect(await clock.item(p.eia, 'eia')).toMatchObject({
      light: 'yellow',
      workingDaysLeft: 0,
      overdue: false,
    });
    await clock.moveTo(sh('2026-03-14 00:30'));
    expect(await clock.item(p.eia, 'eia')).toMatchObject({
      light: 'red',
      overdue: true,
      statutoryBreach: false,
    });
    expect(await clock.lightChanges(p.eia, 'eia')).toEqual([
      ['blue', 'green', startOf('2026-02-28')],
      ['yellow', 'blue', startOf('2026-03-09')],
      ['red', 'yellow', pastEndOf('2026-03-13')],
    ]);
    expect(await clock.projectsWithLight('red')).toContain(p.eia.projectId);
    const { items } = await clock.tickets(`projectId=${p.eia.projectId}`);
    expect(items.map((t) => [t.itemKey, t.reason, t.taskForce, t.openedAt])).toEqual([
      ['eia', 'OVERDUE', 'ecology', pastEndOf('2026-03-13')],
    ]);
    // The item whose pause moved its due date to 3/5 went red after 3/5, not after 2/28.
    expect(await clock.lightChanges(p.stop, 'soil_water')).toContainEqual([
      'red',
      'yellow',
      pastEndOf('2026-03-05'),
    ]);
  });

  it('Thu 5/14: past the statutory limit the item is flagged as a legal breach', async () => {
    await clock.moveTo(sh('2026-05-13 23:00'));
    expect((await clock.item(p.eia, 'eia')).statutoryBreach).toBe(false);
    await clock.moveTo(sh('2026-05-14 09:00'));
    expect(await clock.item(p.eia, 'eia')).toMatchObject({ light: 'red', statutoryBreach: true });
    const flagged = (await clock.events(p.eia)).filter(
      (e) => e.type === 'ItemLightChanged' && e.data.statutoryBreach,
    );
    expect(flagged.map((e) => e.metadata.occurredAt)).toEqual([pastEndOf('2026-05-13')]);
  });
});
