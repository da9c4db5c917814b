import {
  DEFAULT_CATALOGUE,
  DEFAULT_LIGHTS,
  emptyItemContext,
  INDUSTRIAL_PARK_CATALOGUE,
  type ItemContext,
  type ItemDefinition,
  type ItemStatus,
  type ProcedureDefinition,
} from '@qianqi/workflows';
import { calculator, endOf, pastEndOf, sh, startOf } from './deadline.fixture';
import type { ComputedDeadline } from './deadline.port';
import {
  itemLight,
  nextCommitmentDueAt,
  nextLightChangeAt,
  openCommitmentDues,
  thresholdsOf,
} from './lights';

const calc = calculator();
const item = (def: ProcedureDefinition, key: string): ItemDefinition => def.items.find((i) => i.key === key)!;

/** A deadline of `n` units with `used` of them gone, due at `dueAt`. */
const deadline = (n: number, used: number, dueAt: string): ComputedDeadline => ({
  dueAt,
  provisional: false,
  used,
  left: n - used,
});

describe('itemLight — thresholds of the default catalogue (blue 50 %, yellow 80 % or 2 WD left)', () => {
  const t = thresholdsOf(DEFAULT_CATALOGUE);
  const ctx = emptyItemContext();
  const due = endOf('2026-03-13');
  const statutoryDue = endOf('2026-05-13');
  const light = (n: number, used: number, now = sh('2026-03-02 10:00'), status: ItemStatus = 'in_review') =>
    itemLight(
      status,
      ctx,
      { committed: deadline(n, used, due), statutory: deadline(60, used, statutoryDue) },
      n,
      t,
      now,
    );

  it('uses the documented defaults when the definition sets none', () => {
    expect(DEFAULT_CATALOGUE.lights).toBeUndefined();
    expect(t).toEqual({ blue: 0.5, yellow: 0.8, yellowDaysLeft: 2 });
  });

  it.each([
    // n = 20 (环评 committed): blue from 10 used, yellow from 16 used (80 %) — 4 days left then.
    [20, 0, 'green'],
    [20, 9, 'green'],
    [20, 10, 'blue'],
    [20, 15, 'blue'],
    [20, 16, 'yellow'],
    [20, 20, 'yellow'],
    // n = 10: blue from 5; yellow from 8, where 80 % and "2 left" coincide.
    [10, 4, 'green'],
    [10, 5, 'blue'],
    [10, 7, 'blue'],
    [10, 8, 'yellow'],
    // n = 5 (立项 committed): "2 left" comes at 3 used, the same day as 50 %: blue is skipped.
    [5, 2, 'green'],
    [5, 3, 'yellow'],
    // n = 3 (施工许可 committed): 2 left after the first day already.
    [3, 0, 'green'],
    [3, 1, 'yellow'],
  ])('limit %i WD, %i used → %s', (n, used, expected) => {
    expect(light(n, used)).toEqual({ light: expected, overdue: false, statutoryBreach: false });
  });

  it('red only once the committed limit has ended: on its last second still yellow', () => {
    expect(light(20, 20, due).light).toBe('yellow');
    expect(light(20, 20, pastEndOf('2026-03-13'))).toEqual({
      light: 'red',
      overdue: true,
      statutoryBreach: false,
    });
  });

  it('flags a legal breach past the statutory limit, and only then', () => {
    expect(light(20, 59, statutoryDue)).toEqual({ light: 'red', overdue: true, statutoryBreach: false });
    expect(light(20, 60, pastEndOf('2026-05-13'))).toEqual({
      light: 'red',
      overdue: true,
      statutoryBreach: true,
    });
  });

  it('keeps its light while the clock is stopped (paused, correcting)', () => {
    expect(light(20, 16, sh('2026-03-02 10:00'), 'paused').light).toBe('yellow');
    expect(light(20, 20, pastEndOf('2026-03-13'), 'correcting')).toMatchObject({
      light: 'red',
      overdue: true,
    });
  });

  it('a decided item shows green, however late it was decided', () => {
    expect(light(20, 25, pastEndOf('2026-05-13'), 'approved')).toEqual({
      light: 'green',
      overdue: false,
      statutoryBreach: false,
    });
  });

  it('a broken commitment turns the item red without it being overdue', () => {
    const broken: ItemContext = {
      ...ctx,
      commitments: [
        {
          material: 'public_participation',
          openedAt: sh('2026-03-02 10:00'),
          dueAt: endOf('2026-03-09'),
          dueInWorkingDays: 5,
          status: 'breached',
          fulfilledAt: null,
          breachedAt: pastEndOf('2026-03-09'),
        },
      ],
    };
    const r = itemLight(
      'provisionally_approved',
      broken,
      { committed: null, statutory: null },
      20,
      t,
      sh('2026-03-10 10:00'),
    );
    expect(r).toEqual({ light: 'red', overdue: false, statutoryBreach: false });
  });
});

describe('itemLight — a definition may override the thresholds (yellow at 75 % or 1 WD left)', () => {
  const override: ProcedureDefinition = {
    ...INDUSTRIAL_PARK_CATALOGUE,
    lights: { blue: 0.5, yellow: 0.75, yellowDaysLeft: 1 },
  };
  const t = thresholdsOf(override);
  const n = item(override, 'standard_land').limits.committed.n;
  const light = (used: number, thresholds = t) =>
    itemLight(
      'in_review',
      emptyItemContext(),
      { committed: deadline(n, used, endOf('2026-03-09')), statutory: null },
      n,
      thresholds,
      sh('2026-03-02 10:00'),
    ).light;

  it('the shipped catalogues use the documented defaults', () => {
    expect(thresholdsOf(INDUSTRIAL_PARK_CATALOGUE)).toEqual(DEFAULT_LIGHTS);
    expect(thresholdsOf(DEFAULT_CATALOGUE)).toEqual(DEFAULT_LIGHTS);
  });

  it('merges the override over the defaults', () => {
    expect(t).toEqual({ blue: 0.5, yellow: 0.75, yellowDaysLeft: 1 });
    expect(thresholdsOf({ ...override, lights: { yellowDaysLeft: 3 } })).toEqual({
      ...DEFAULT_LIGHTS,
      yellowDaysLeft: 3,
    });
    expect(n).toBe(5);
  });

  it('with 3 of 5 used the override shows blue where the defaults show yellow', () => {
    expect(light(2)).toBe('green');
    expect(light(3)).toBe('blue');
    expect(light(3, DEFAULT_LIGHTS)).toBe('yellow');
    expect(light(4)).toBe('yellow');
  });
});

describe('nextLightChangeAt — the instants a running item changes light', () => {
  const eia = item(DEFAULT_CATALOGUE, 'eia');
  const t = thresholdsOf(DEFAULT_CATALOGUE);
  // 环评 accepted Mon 2026-02-09 10:00 (day 0), committed 20 WD, statutory 60 WD. Working days:
  // 2/10 1, 2/11 2, 2/12 3, 2/13 4, 2/14 (Sat, 调休) 5, 2/15–2/23 春节 off, 2/24 6, 2/25 7, 2/26 8,
  // 2/27 9, 2/28 (Sat, 调休) 10 → blue that day; 3/2 11 … 3/6 15, 3/9 16 → yellow; 3/13 20 → due.
  // Statutory: 3/16–3/20 21–25, 3/23–27 26–30, 3/30–4/3 31–35, 4/4–6 清明 off, 4/7–10 36–39,
  // 4/13–17 40–44, 4/20–24 45–49, 4/27–30 50–53, 5/1–5 off, 5/6–8 54–56, 5/9 (Sat, 调休) 57,
  // 5/11 58, 5/12 59, 5/13 60.
  const ctx: ItemContext = { ...emptyItemContext(), acceptedAt: sh('2026-02-09 10:00') };
  const next = (now: string, c: ItemContext = ctx, status: ItemStatus = 'in_review') =>
    nextLightChangeAt(eia, status, c, calc, t, now);

  it('walks blue → yellow → red → statutory breach → nothing', () => {
    expect(next(sh('2026-02-09 10:00'))).toBe(startOf('2026-02-28'));
    expect(startOf('2026-02-28')).toBe('2026-02-27T16:00:00.000Z');
    expect(next(startOf('2026-02-28'))).toBe(startOf('2026-03-09'));
    expect(next(startOf('2026-03-09'))).toBe(pastEndOf('2026-03-13'));
    expect(pastEndOf('2026-03-13')).toBe('2026-03-13T15:59:59.001Z');
    expect(next(pastEndOf('2026-03-13'))).toBe(pastEndOf('2026-05-13'));
    expect(next(pastEndOf('2026-05-13'))).toBeNull();
  });

  it('moves with a closed clock stop (专家评审 Thu 2/12 → Wed 2/25 removes 2/13, 2/14, 2/24, 2/25)', () => {
    const stopped: ItemContext = {
      ...ctx,
      stops: [
        {
          kind: 'expert_review',
          reason: '专家评审',
          from: sh('2026-02-12 10:00'),
          to: sh('2026-02-25 10:00'),
        },
      ],
    };
    // 2/10 1, 2/11 2, 2/12 3, [2/13, 2/14, 2/24, 2/25 stopped], 2/26 4, 2/27 5, 2/28 6, 3/2 7, 3/3 8,
    // 3/4 9, 3/5 10 → blue on 3/5; 3/6 11 … 3/13 16 → yellow; 3/16 17 … 3/19 20 → due 3/19.
    expect(next(sh('2026-02-25 10:00'), stopped)).toBe(startOf('2026-03-05'));
    expect(next(startOf('2026-03-05'), stopped)).toBe(startOf('2026-03-13'));
    expect(next(startOf('2026-03-13'), stopped)).toBe(pastEndOf('2026-03-19'));
  });

  it('is null while the clock is stopped or before acceptance', () => {
    expect(next(sh('2026-02-12 11:00'), ctx, 'paused')).toBeNull();
    expect(next(sh('2026-02-12 11:00'), ctx, 'correcting')).toBeNull();
    expect(next(sh('2026-02-12 11:00'), emptyItemContext(), 'submitted')).toBeNull();
  });

  it('follows an override: 标准地 (5 WD, yellow at 75 % or 1 left) accepted Mon 3/2 is blue on 3/5, yellow on 3/6', () => {
    // 3/3 1, 3/4 2, 3/5 3 (50 % → blue), 3/6 4 (75 %, and 1 left → yellow), 3/9 5 → due.
    const land = item(INDUSTRIAL_PARK_CATALOGUE, 'standard_land');
    const park = { blue: 0.5, yellow: 0.75, yellowDaysLeft: 1 };
    const c: ItemContext = { ...emptyItemContext(), acceptedAt: sh('2026-03-02 10:00') };
    expect(nextLightChangeAt(land, 'in_review', c, calc, park, sh('2026-03-02 10:00'))).toBe(
      startOf('2026-03-05'),
    );
    expect(nextLightChangeAt(land, 'in_review', c, calc, park, startOf('2026-03-05'))).toBe(
      startOf('2026-03-06'),
    );
    expect(nextLightChangeAt(land, 'in_review', c, calc, park, startOf('2026-03-06'))).toBe(
      pastEndOf('2026-03-09'),
    );
  });
});

describe('nextCommitmentDueAt', () => {
  it('is the instant after the earliest open commitment ends; fulfilled ones do not count', () => {
    const base = {
      openedAt: sh('2026-03-02 10:00'),
      dueInWorkingDays: 5,
      fulfilledAt: null,
      breachedAt: null,
    };
    const ctx: ItemContext = {
      ...emptyItemContext(),
      commitments: [
        { ...base, material: 'a', dueAt: endOf('2026-03-06'), status: 'fulfilled' },
        { ...base, material: 'b', dueAt: endOf('2026-03-10'), status: 'open' },
        { ...base, material: 'c', dueAt: endOf('2026-03-09'), status: 'open' },
      ],
    };
    expect(nextCommitmentDueAt(openCommitmentDues(ctx, undefined), undefined)).toBe(pastEndOf('2026-03-09'));
    expect(nextCommitmentDueAt(openCommitmentDues(emptyItemContext(), undefined), undefined)).toBeNull();
  });
});
