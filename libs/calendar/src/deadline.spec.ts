import {
  WorkingDayCalendar,
  addCalendarDays,
  computeDeadline,
  type DeadlineInput,
  type Span,
} from '@qianqi/calendar';
import { DESIGN_2026 } from './calendar-2026.fixture';

const cal = WorkingDayCalendar.fromYears([DESIGN_2026]);

/** Shanghai wall-clock time as an ISO instant, e.g. sh('2026-02-13 10:00'). */
const sh = (local: string) => `${local.replace(' ', 'T')}:00+08:00`;
const due = (date: string) => `${date}T15:59:59.000Z`;

/** Accepted Thu 2026-02-12 11:00 Shanghai, 5 WD: due 2/26 without stops (hand count below). */
const chunjie = (now: string, stops: Span[] = []): DeadlineInput => ({
  startedAt: sh('2026-02-12 11:00'),
  limit: { n: 5, unit: 'WD' },
  stops,
  now,
});

describe('computeDeadline — WD across 春节, no stops', () => {
  // Hand count: 2/13 Fri = 1, 2/14 Sat (make-up) = 2, 2/15–2/23 off, 2/24 Tue = 3, 2/25 = 4, 2/26 = 5.
  it.each([
    ['before acceptance day', sh('2026-02-11 09:00'), 0],
    ['on the acceptance day (day 0)', sh('2026-02-12 18:00'), 0],
    ['mid-holiday (2/13, 2/14 used)', sh('2026-02-20 10:00'), 2],
    ['on the due day', sh('2026-02-26 18:00'), 5],
    ['the day after the due day', sh('2026-02-27 09:00'), 6],
    ['after 2/27, 2/28 make-up, 3/2', sh('2026-03-02 10:00'), 8],
  ])('%s: used %i', (_label, now, used) => {
    expect(computeDeadline(cal, chunjie(now))).toEqual({
      dueAt: '2026-02-26T15:59:59.000Z',
      provisional: false,
      used,
      left: 5 - used,
    });
  });

  it('the bundled calendar gives the same due date', () => {
    expect(computeDeadline(WorkingDayCalendar.bundled(), chunjie(sh('2026-02-20 10:00'))).dueAt).toBe(
      due('2026-02-26'),
    );
  });

  it('day 0 is the Shanghai date of acceptance, not the UTC date', () => {
    // 2026-02-12T16:30Z is 00:30 on Fri 2/13 in Shanghai → day 0 is 2/13; hand count:
    // 2/14 Sat (make-up) = 1, 2/24 = 2, 2/25 = 3, 2/26 = 4, 2/27 = 5.
    const d = computeDeadline(cal, {
      ...chunjie(sh('2026-02-20 10:00')),
      startedAt: '2026-02-12T16:30:00.000Z',
    });
    expect(d.dueAt).toBe(due('2026-02-27'));
  });

  it('left is 0 on a weekend right after a due Friday, though dueAt has passed', () => {
    // Accepted Thu 3/5, 1 WD → due Fri 3/6; on Sat 3/7 no working day has been used past it.
    const d = computeDeadline(cal, {
      startedAt: sh('2026-03-05 10:00'),
      limit: { n: 1, unit: 'WD' },
      stops: [],
      now: sh('2026-03-07 10:00'),
    });
    expect(d).toEqual({ dueAt: due('2026-03-06'), provisional: false, used: 1, left: 0 });
  });

  it('a limit of 0 ends on day 0', () => {
    const d = computeDeadline(cal, { ...chunjie(sh('2026-02-12 18:00')), limit: { n: 0, unit: 'WD' } });
    expect(d).toEqual({ dueAt: due('2026-02-12'), provisional: false, used: 0, left: 0 });
  });

  it('refuses invalid limits', () => {
    expect(() =>
      computeDeadline(cal, { ...chunjie(sh('2026-02-12 18:00')), limit: { n: -1, unit: 'WD' } }),
    ).toThrow();
    expect(() =>
      computeDeadline(cal, { ...chunjie(sh('2026-02-12 18:00')), limit: { n: 5, unit: 'XD' as 'WD' } }),
    ).toThrow();
  });

  it('on the due instant left is 0, for many starts and limits', () => {
    for (let s = 0; s < 60; s++) {
      const start = addCalendarDays('2026-01-25', s);
      for (let n = 1; n <= 15; n++) {
        const input = {
          startedAt: sh(`${start} 10:00`),
          limit: { n, unit: 'WD' as const },
          stops: [],
          now: '',
        };
        const { dueAt } = computeDeadline(cal, { ...input, now: sh(`${start} 10:00`) });
        expect(computeDeadline(cal, { ...input, now: dueAt }).left).toBe(0);
      }
    }
  });
});

describe('computeDeadline — clock stops (WD)', () => {
  const A: Span = { from: sh('2026-02-13 10:00'), to: sh('2026-02-25 09:00') };

  it('a closed stop removes the working days after its start day up to its end day', () => {
    // A removes (2/13, 2/25]: working days 2/14 (make-up), 2/24, 2/25 = 3.
    // Hand count: 2/13 = 1, [stopped], 2/26 = 2, 2/27 Fri = 3, 2/28 Sat (make-up) = 4, 3/1 Sun off,
    // 3/2 Mon = 5. Used on 3/2: 8 elapsed working days − 3 stopped = 5.
    expect(computeDeadline(cal, chunjie(sh('2026-03-02 10:00'), [A]))).toEqual({
      dueAt: due('2026-03-02'),
      provisional: false,
      used: 5,
      left: 0,
    });
  });

  it('a stop that starts and ends on the same day removes nothing', () => {
    const sameDay: Span = { from: sh('2026-02-13 09:00'), to: sh('2026-02-13 16:00') };
    expect(computeDeadline(cal, chunjie(sh('2026-02-20 10:00'), [sameDay]))).toEqual({
      dueAt: due('2026-02-26'),
      provisional: false,
      used: 2,
      left: 3,
    });
  });

  it('an open stop runs until now, so the due date moves while paused and left is frozen', () => {
    const paused: Span = { from: sh('2026-02-24 10:00'), to: null };
    // Now Fri 2/27: removed (2/24, 2/27] = 2/25, 2/26, 2/27. Hand count: 2/13 = 1, 2/14 = 2,
    // 2/24 = 3, [stopped], 2/28 Sat (make-up) = 4, 3/2 Mon = 5. Used: 2/13, 2/14, 2/24 = 3.
    expect(computeDeadline(cal, chunjie(sh('2026-02-27 10:00'), [paused]))).toEqual({
      dueAt: due('2026-03-02'),
      provisional: false,
      used: 3,
      left: 2,
    });
    // Now Tue 3/3, still paused: removed (2/24, 3/3]; after it 3/4 Wed = 4, 3/5 Thu = 5.
    expect(computeDeadline(cal, chunjie(sh('2026-03-03 10:00'), [{ from: paused.from }]))).toEqual({
      dueAt: due('2026-03-05'),
      provisional: false,
      used: 3,
      left: 2,
    });
    // Resumed on 3/3, now Wed 3/4: 3/4 is the 4th working day used.
    const resumed: Span = { from: paused.from, to: sh('2026-03-03 15:00') };
    expect(computeDeadline(cal, chunjie(sh('2026-03-04 10:00'), [resumed]))).toEqual({
      dueAt: due('2026-03-05'),
      provisional: false,
      used: 4,
      left: 1,
    });
  });

  it('overlapping stops do not double-count', () => {
    const B: Span = { from: sh('2026-02-24 10:00'), to: sh('2026-02-26 10:00') };
    // Union (2/13, 2/26]: working 2/14, 2/24, 2/25, 2/26 = 4 removed (A 3 + B 2 would be 5).
    // Hand count: 2/13 = 1, 2/27 = 2, 2/28 (make-up) = 3, 3/2 = 4, 3/3 = 5. Used on 3/3 = 5.
    const expected = { dueAt: due('2026-03-03'), provisional: false, used: 5, left: 0 };
    expect(computeDeadline(cal, chunjie(sh('2026-03-03 10:00'), [A, B]))).toEqual(expected);
    expect(computeDeadline(cal, chunjie(sh('2026-03-03 10:00'), [B, A]))).toEqual(expected);
    // A stop nested inside A changes nothing.
    const nested: Span = { from: sh('2026-02-16 10:00'), to: sh('2026-02-24 10:00') };
    expect(computeDeadline(cal, chunjie(sh('2026-03-02 10:00'), [A, nested])).dueAt).toBe(due('2026-03-02'));
  });

  it('the part of a stop before acceptance is ignored', () => {
    // Removes (2/12, 2/13] = 2/13 only. Hand count: 2/14 = 1, 2/24 = 2, 2/25 = 3, 2/26 = 4, 2/27 = 5.
    const early: Span = { from: sh('2026-02-10 10:00'), to: sh('2026-02-13 10:00') };
    expect(computeDeadline(cal, chunjie(sh('2026-02-20 10:00'), [early]))).toMatchObject({
      dueAt: due('2026-02-27'),
      used: 1,
    });
  });

  it('a stop entirely after the due day does not extend it; left freezes while overdue', () => {
    // Due 2/26; paused from 3/2, now Thu 3/5. Used: 2/13, 2/14, 2/24–2/28, 3/2 = 8; 3/3–3/5 stopped.
    const late: Span = { from: sh('2026-03-02 10:00') };
    expect(computeDeadline(cal, chunjie(sh('2026-03-05 10:00'), [late]))).toEqual({
      dueAt: due('2026-02-26'),
      provisional: false,
      used: 8,
      left: -3,
    });
  });
});

describe('computeDeadline — ND limits', () => {
  const nd = (now: string, stops: Span[] = []): DeadlineInput => ({
    startedAt: sh('2026-02-12 11:00'),
    limit: { n: 10, unit: 'ND' },
    stops,
    now,
  });

  it('counts calendar days, holidays included', () => {
    // 2/12 + 10 = 2/22 (inside 春节, which does not matter for ND). Used on 2/20: 2/13..2/20 = 8.
    expect(computeDeadline(cal, nd(sh('2026-02-20 10:00')))).toEqual({
      dueAt: due('2026-02-22'),
      provisional: false,
      used: 8,
      left: 2,
    });
  });

  it('stops remove calendar days', () => {
    // Removes (2/14, 2/16] = 2/15, 2/16 → due 2/24; used on 2/20 = 8 − 2 = 6.
    const stop: Span = { from: sh('2026-02-14 10:00'), to: sh('2026-02-16 10:00') };
    expect(computeDeadline(cal, nd(sh('2026-02-20 10:00'), [stop]))).toEqual({
      dueAt: due('2026-02-24'),
      provisional: false,
      used: 6,
      left: 4,
    });
  });

  it('is never provisional, even in an unknown year', () => {
    const d = computeDeadline(cal, { ...nd(sh('2031-10-05 10:00')), startedAt: sh('2031-09-30 10:00') });
    expect(d).toEqual({ dueAt: due('2031-10-10'), provisional: false, used: 5, left: 5 });
  });
});

describe('computeDeadline — unknown years', () => {
  const y2031 = (c: WorkingDayCalendar) =>
    computeDeadline(c, {
      startedAt: sh('2031-09-30 10:00'),
      limit: { n: 5, unit: 'WD' },
      stops: [],
      now: sh('2031-10-02 10:00'),
    });

  it('is weekends-only and provisional until the year is loaded, then moves', () => {
    // Weekends only: 10/1 Wed = 1, 10/2 Thu = 2, 10/3 Fri = 3, 10/6 Mon = 4, 10/7 Tue = 5.
    expect(y2031(cal)).toEqual({ dueAt: due('2031-10-07'), provisional: true, used: 2, left: 3 });
    // Hypothetical 2031 notice: 10/1–10/7 off, make-up Sat 10/11. Hand count: 10/8 Wed = 1,
    // 10/9 = 2, 10/10 Fri = 3, 10/11 Sat (make-up) = 4, 10/13 Mon = 5; 10/1, 10/2 now unused.
    const loaded = cal.withYears([
      {
        year: 2031,
        daysOff: [
          '2031-10-01',
          '2031-10-02',
          '2031-10-03',
          '2031-10-04',
          '2031-10-05',
          '2031-10-06',
          '2031-10-07',
        ],
        workdays: ['2031-09-28', '2031-10-11'],
      },
    ]);
    expect(y2031(loaded)).toEqual({ dueAt: due('2031-10-13'), provisional: false, used: 0, left: 5 });
  });

  it('is provisional when only `now` has moved into an unknown year (used counts through it)', () => {
    // Accepted Tue 2026-12-01, 5 WD: 12/2 = 1, 12/3 = 2, 12/4 = 3, 12/7 Mon = 4, 12/8 = 5.
    const input = { startedAt: sh('2026-12-01 10:00'), limit: { n: 5, unit: 'WD' as const }, stops: [] };
    expect(computeDeadline(cal, { ...input, now: sh('2026-12-05 10:00') })).toEqual({
      dueAt: due('2026-12-08'),
      provisional: false,
      used: 3,
      left: 2,
    });
    // On 2027-01-05: 22 weekdays 12/2–12/31 + 2027-01-01 Fri, 1/4 Mon, 1/5 Tue (weekends only) = 25.
    expect(computeDeadline(cal, { ...input, now: sh('2027-01-05 10:00') })).toEqual({
      dueAt: due('2026-12-08'),
      provisional: true,
      used: 25,
      left: -20,
    });
  });
});
