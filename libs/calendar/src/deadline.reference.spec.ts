import {
  WorkingDayCalendar,
  addCalendarDays,
  computeDeadline,
  type DeadlineInput,
  type Span,
} from '@qianqi/calendar';
import { DESIGN_2026 } from './calendar-2026.fixture';

// Property check of computeDeadline against the conventions of deadline.ts, written as naively as
// possible (day by day, strings, no merging) so the two share no logic.
const cal = WorkingDayCalendar.fromYears([DESIGN_2026]);
const due = (date: string) => `${date}T15:59:59.000Z`;

describe('computeDeadline — against a naive day-by-day reference', () => {
  /** Straight from the conventions: walk day by day, skipping days inside any stop. */
  function reference(input: DeadlineInput): { due: string; used: number } {
    const day = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10);
    const day0 = day(input.startedAt);
    const today = day(input.now);
    const stopped = (d: string) =>
      input.stops.some((s) => day(s.from) < d && d <= (s.to ? day(s.to) : today));
    const counts = (d: string) => !stopped(d) && (input.limit.unit === 'ND' || cal.isWorkingDay(d).working);
    let d = day0;
    let k = 0;
    while (k < input.limit.n) {
      d = addCalendarDays(d, 1);
      if (counts(d)) k++;
    }
    let used = 0;
    for (let x = addCalendarDays(day0, 1); x <= today; x = addCalendarDays(x, 1)) if (counts(x)) used++;
    return { due: d, used };
  }

  it('agrees on 2000 pseudo-random inputs', () => {
    // mulberry32: deterministic, and unlike a bare LCG its low bits are usable for small ranges.
    let seed = 42;
    const rand = (m: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (((t ^ (t >>> 14)) >>> 0) % m) as number;
    };
    let overlapping = 0;
    const instant = (offsetDays: number) => {
      const base = Date.parse('2026-01-20T00:00:00Z') + offsetDays * 86_400_000 + rand(86_400) * 1000;
      return new Date(base).toISOString();
    };
    for (let i = 0; i < 2000; i++) {
      const start = rand(300);
      const stops: Span[] = [];
      for (let s = rand(4); s > 0; s--) {
        const from = start - 3 + rand(60);
        stops.push({ from: instant(from), to: rand(5) === 0 ? null : instant(from + rand(15)) });
      }
      const input: DeadlineInput = {
        startedAt: instant(start),
        limit: { n: rand(40), unit: rand(3) === 0 ? 'ND' : 'WD' },
        stops,
        now: instant(start - 2 + rand(90)),
      };
      const days = stops.map((s) => [s.from.slice(0, 10), (s.to ?? input.now).slice(0, 10)]);
      if (days.some(([a, b], j) => days.some(([c, d], k) => j < k && a < d && c < b))) overlapping++;
      const ref = reference(input);
      const got = computeDeadline(cal, input);
      expect({ due: got.dueAt, used: got.used, left: got.left }).toEqual({
        due: due(ref.due),
        used: ref.used,
        left: input.limit.n - ref.used,
      });
    }
    expect(overlapping).toBeGreaterThan(100); // the sample really exercises overlapping stops
  });
});
