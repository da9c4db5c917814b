/**
 * The 2026 calendar as listed in DESIGN.md ("Deadlines"), used by the specs so their hand-worked
 * cases do not depend on the version of the `chinese-days` package.
 *
 * Note: the official 2026 notice (and the bundled package data) also has 清明 4/4–6, 端午 6/19–21
 * and 中秋 9/25–27 off; DESIGN.md leaves those out. The hand-worked spans below avoid those days,
 * and working-day-calendar.spec.ts checks that the bundled data agrees on those spans.
 */
import type { CalendarYear } from './calendar.types';

function range(month: number, from: number, to: number): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d++)
    out.push(`2026-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  return out;
}

export const DESIGN_2026: CalendarYear = {
  year: 2026,
  daysOff: [...range(1, 1, 3), ...range(2, 15, 23), ...range(5, 1, 5), ...range(10, 1, 7)],
  workdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
};
