import './support/own-database';
import { onOwnDatabase } from './support/own-clock-api';
import { ClockApi, endOf, sh, type Project } from './support/clock-api';
import { tokens } from './support/fixtures';
import type { TestApi } from './support/test-app';

process.env.CLOCK_MODE = 'manual';

/**
 * Replay to a moment uses the working-day calendar as it stood then: bundled data plus the years
 * loaded by events recorded up to that moment. 2027 is not bundled, so a deadline reaching into it
 * is counted on weekends alone and marked provisional until an admin loads the year; a replay to
 * a moment before the load must show what the live API showed then, not the dates recomputed
 * since. The clock is manual and only moves forward, so the tests run in order as one story.
 *
 * 环评 accepted Mon 2026-12-14 10:00, 20 WD committed, 60 WD statutory. Weekends only in 2027:
 * 12/15–18 1–4, 12/21–25 5–9, 12/28–31 10–13, 1/1 (Fri) 14, 1/4–8 15–19, 1/11 20 → 1/11; 60 → 3/8.
 * With 1/1 and 1/4 off (the first load) both move two working days: 1/13 and 3/10; with 1/5 off
 * too (a corrected notice, loaded again) three: 1/14 and 3/11.
 */
const withoutReplayFields = ({ asOf: _a, eventsApplied: _e, ...view }: Record<string, unknown>) => view;

describe('replay to a moment on the calendar of that moment (CLOCK_MODE=manual)', () => {
  let api: TestApi;
  let clock: ClockApi;
  const auditor = tokens.auditor();
  const p: Record<string, Project> = {};
  /** GET /procedures/:id as the live API answered it, by label. */
  const answered: Record<string, Record<string, unknown>> = {};

  const replay = async (project: Project, at?: string) => {
    const query = at === undefined ? '' : `?at=${encodeURIComponent(at)}`;
    const res = await api.request('GET', `/procedures/${project.procedureId}/replay${query}`, {
      token: auditor,
    });
    expect(res.status).toBe(200);
    return res.body;
  };
  const eia = (view: { items: { key: string }[] }) =>
    view.items.find((i) => i.key === 'eia') as Record<string, unknown> | undefined;
  const loadYear = async (daysOff: string[]) => {
    const res = await api.request('PUT', '/admin/calendar/2027', {
      token: clock.admin,
      body: { daysOff, workdays: [] },
    });
    expect(res.status).toBe(200);
  };

  onOwnDatabase({ manualClockAt: sh('2026-12-14 08:00') }, (a, c) => {
    api = a;
    clock = c;
  });

  it('accepted in December, the deadlines reach 2027 and are provisional', async () => {
    const cal = await api.request('GET', '/admin/calendar', { token: clock.admin });
    // If a newer chinese-days bundles 2027, this story needs a later year.
    expect(cal.body.knownYears).not.toContain(2027);
    p.first = await clock.register({ plannedStartDate: '2027-12-31' });
    await clock.moveTo(sh('2026-12-14 10:00'));
    await clock.accept(p.first, 'eia');
    answered.accepted = await clock.procedure(p.first);
    expect(eia(answered.accepted as never)).toMatchObject({
      status: 'in_review',
      committedDueAt: endOf('2027-01-11'),
      statutoryDueAt: endOf('2027-03-08'),
      provisional: true,
    });
  });

  it('loading 2027 at the same instant recomputes the live dates, but not the replay of the acceptance', async () => {
    const events = (await clock.events(p.first)).length;
    await loadYear(['2027-01-01', '2027-01-04']);
    const live = await clock.procedure(p.first);
    expect(eia(live)).toMatchObject({
      committedDueAt: endOf('2027-01-13'),
      statutoryDueAt: endOf('2027-03-10'),
      provisional: false,
    });
    // Nothing was recorded on the procedure by the load: its record still ends with the acceptance.
    expect((await clock.events(p.first)).length).toBe(events);

    const acceptedAt = eia(answered.accepted as never)!.acceptedAt as string;
    expect(acceptedAt).toBe(new Date(sh('2026-12-14 10:00')).toISOString());
    for (const at of [acceptedAt, sh('2026-12-14 10:00')]) {
      const then = await replay(p.first, at);
      expect(withoutReplayFields(then)).toEqual(answered.accepted);
      expect(eia(then)).toMatchObject({ committedDueAt: endOf('2027-01-11'), provisional: true });
    }
  });

  it('after the load, a replay shows the new dates, equal to the live view', async () => {
    await clock.moveTo(sh('2026-12-14 11:00'));
    const live = await clock.procedure(p.first);
    const later = await replay(p.first, sh('2026-12-14 11:00'));
    expect(withoutReplayFields(later)).toEqual(live);
    expect(eia(later)).toMatchObject({
      committedDueAt: endOf('2027-01-13'),
      statutoryDueAt: endOf('2027-03-10'),
      provisional: false,
    });
    expect(withoutReplayFields(await replay(p.first))).toEqual(live);
    // Any moment after the load's instant counts it, though nothing happened to the procedure since.
    expect(eia(await replay(p.first, sh('2026-12-14 10:30')))).toMatchObject({
      committedDueAt: endOf('2027-01-13'),
      provisional: false,
    });
  });

  it('a year loaded again replaces the earlier load from that moment on; each moment keeps its own', async () => {
    p.second = await clock.register({ plannedStartDate: '2027-12-31' });
    await clock.accept(p.second, 'eia');
    answered.secondAccepted = await clock.procedure(p.second);
    // Accepted on the same Monday, so the same count on the first load: 1/13 and 3/10.
    expect(eia(answered.secondAccepted as never)).toMatchObject({
      committedDueAt: endOf('2027-01-13'),
      provisional: false,
    });
    await clock.moveTo(sh('2026-12-15 09:00'));
    await loadYear(['2027-01-01', '2027-01-04', '2027-01-05']);
    const live = await clock.procedure(p.second);
    expect(eia(live)).toMatchObject({
      committedDueAt: endOf('2027-01-14'),
      statutoryDueAt: endOf('2027-03-11'),
    });
    // The load's own instant, with nothing else recorded on the procedure then: the new calendar.
    expect(withoutReplayFields(await replay(p.second, sh('2026-12-15 09:00')))).toEqual(live);
    // A moment between the two loads: the first one, as the live API answered (as of that moment).
    const between = await replay(p.second, sh('2026-12-14 11:00'));
    expect(withoutReplayFields(between)).toEqual(answered.secondAccepted);
    // Before any load: weekends only.
    expect(eia(await replay(p.first, sh('2026-12-14 10:00')))).toMatchObject({
      committedDueAt: endOf('2027-01-11'),
      provisional: true,
    });
  });

  it("the timeline's lines count on the calendar of their own moment, as replay does", async () => {
    const accepted = async (project: Project) => {
      const res = await api.request('GET', `/procedures/${project.procedureId}/timeline`, { token: auditor });
      expect(res.status).toBe(200);
      return (res.body as { type: string; itemKey: string; text: string }[]).find(
        (e) => e.type === 'StepAccepted' && e.itemKey === 'eia',
      )!.text;
    };
    // Accepted before any load (weekends only) and after the first load, whatever was loaded since.
    expect(await accepted(p.first)).toContain('2027-01-11');
    expect(await accepted(p.second)).toContain('2027-01-13');
    expect(await accepted(p.second)).not.toContain('2027-01-14');
  });
});
