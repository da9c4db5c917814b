import './support/own-database';
import { onOwnDatabase } from './support/own-clock-api';
import { ClockApi, endOf, pastEndOf, sh, type Project } from './support/clock-api';
import { tokens } from './support/fixtures';
import type { TestApi } from './support/test-app';

process.env.CLOCK_MODE = 'manual';

interface CommitmentView {
  material: string;
  dueAt: string | null;
  provisional: boolean;
  status: string;
  breachedAt: string | null;
}

/**
 * A 容缺 commitment is a deadline too: counted into a year the calendar does not know, it is
 * provisional, and loading that year moves it (and the timer that breaks it), as it moves the
 * item's own deadlines. 2027 is not bundled.
 *
 * 立项 accepted with 容缺 Tue 2026-12-15 10:00, 15 WD to supply. Weekends only: 12/16–18 1–3,
 * 12/21–25 4–8, 12/28–31 9–12, 1/1 (Fri) 13, 1/4 14, 1/5 15 → due 2027-01-05. With 1/1 and 1/4 off
 * and Sat 1/9 a make-up working day: 1/5 13, 1/6 14, 1/7 15 → due 2027-01-07.
 */
describe('a 容缺 commitment counted into an unknown year (CLOCK_MODE=manual)', () => {
  let api: TestApi;
  let clock: ClockApi;
  let p: Project;

  const commitment = async (at?: string): Promise<CommitmentView> => {
    const view = at
      ? (
          await api.request('GET', `/procedures/${p.procedureId}/replay?at=${encodeURIComponent(at)}`, {
            token: tokens.auditor(),
          })
        ).body
      : await clock.procedure(p);
    const item = view.items.find((i: { key: string }) => i.key === 'project_approval');
    expect(item.commitments).toHaveLength(1);
    return { ...item.commitments[0], itemProvisional: item.provisional } as CommitmentView;
  };

  onOwnDatabase({ manualClockAt: sh('2026-12-15 08:00') }, (a, c) => {
    api = a;
    clock = c;
  });

  it('is provisional, counted on weekends alone', async () => {
    p = await clock.register({ plannedStartDate: '2027-12-31' });
    await clock.moveTo(sh('2026-12-15 10:00'));
    await clock.accept(p, 'project_approval', { tolerance: true, dueInWorkingDays: 15 });
    expect(await commitment()).toMatchObject({
      status: 'open',
      dueAt: endOf('2027-01-05'),
      provisional: true,
      itemProvisional: true,
    });
  });

  it('moves when the year is loaded, and breaks at its new date, not the old one', async () => {
    await clock.moveTo(sh('2026-12-16 09:00'));
    const res = await api.request('PUT', '/admin/calendar/2027', {
      token: clock.admin,
      body: { daysOff: ['2027-01-01', '2027-01-04'], workdays: ['2027-01-09'] },
    });
    expect(res.status).toBe(200);
    expect(await commitment()).toMatchObject({
      status: 'open',
      dueAt: endOf('2027-01-07'),
      provisional: false,
    });
    // Replay before the load shows what the API answered then.
    expect(await commitment(sh('2026-12-15 12:00'))).toMatchObject({
      dueAt: endOf('2027-01-05'),
      provisional: true,
    });

    await clock.moveTo(sh('2027-01-06 09:00'));
    expect(await commitment()).toMatchObject({ status: 'open', breachedAt: null });
    await clock.moveTo(sh('2027-01-08 09:00'));
    expect(await commitment()).toMatchObject({
      status: 'breached',
      breachedAt: pastEndOf('2027-01-07'),
      dueAt: endOf('2027-01-07'),
      provisional: false,
    });
    const events = await clock.events(p);
    expect(events.filter((e) => e.type === 'CommitmentBreached')).toHaveLength(1);
  });

  it("verification counts the one procedure, and the calendar's event among the events", async () => {
    const res = await api.request('POST', '/audit/verify', { token: tokens.auditor(), body: {} });
    expect(res.status).toBe(200);
    const events = (await clock.events(p)).length;
    expect(res.body).toEqual({ procedures: 1, events: events + 1, ok: true, failures: [] });
  });
});
