import {
  DEFAULT_LIGHTS,
  ProcedureLogic,
  toMachineEvent,
  type Limit,
  type PersistedProcedure,
  type ProcedureDefinition,
} from '@qianqi/workflows';
import { desiredTimers, evaluateClock } from './clock-evaluation';
import { calculator, pastEndOf, sh, startOf } from './deadline.fixture';
import { itemLight, lightThresholdDays, nextLightChangeAt, thresholdsOf } from './lights';
import { itemView } from './procedure.view';

/**
 * The README's rule, for every limit: blue from the day 50 % of the committed limit is used,
 * yellow at 80 % or with 2 working days left (workingDaysLeft <= 2), red past the limit — and the
 * light timer turns the light exactly then. Conventions: the day of acceptance is day 0; an n WD
 * limit ends at 23:59:59 Asia/Shanghai of the n-th working day; ND limits count calendar days.
 */
const calc = calculator();
const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

function oneItem(committed: Limit, statutory: Limit): ProcedureDefinition {
  return {
    id: 'one',
    version: 1,
    name: '单事项',
    items: [
      {
        key: 'x',
        name: '事项',
        department: 'ndrc',
        stage: 1,
        limits: { statutory, committed },
        materials: [{ key: 'form', name: '申请表', tolerable: false }],
        prerequisites: [],
        waivable: false,
        taskForce: 'supervision',
      },
    ],
  };
}

/** What README says the light is, from the view's figures (integer arithmetic, no shares). */
function documentedLight(
  v: { workingDaysUsed: number; workingDaysLeft: number; committedDueAt: string },
  n: number,
  now: string,
) {
  if (Date.parse(now) > Date.parse(v.committedDueAt)) return 'red';
  if (v.workingDaysLeft <= 2 || v.workingDaysUsed * 5 >= n * 4) return 'yellow';
  if (v.workingDaysUsed * 2 >= n) return 'blue';
  return 'green';
}

/**
 * Runs an item from acceptance until two days past its statutory limit, as the engine does:
 * every timer fires at its due instant (the clock evaluated then), commands evaluate the clock at
 * their own instant. At each hour, and a millisecond before it, the light the timers left must be
 * the light a fresh evaluation gives (nothing changed that no timer caught) and the one README
 * states. Returns each light change with its instant.
 */
function walk(
  committed: Limit,
  acceptedAt: string,
  commands: { at: string; type: 'START_SPECIAL_PROCEDURE' | 'END_SPECIAL_PROCEDURE' }[] = [],
) {
  const statutory: Limit = { n: committed.n + 3, unit: committed.unit };
  const def = oneItem(committed, statutory);
  const logic = new ProcedureLogic(def);
  const plan = { plannedStartDate: '2030-12-31' };
  const apply = (s: PersistedProcedure, type: string, payload: object, at: string) => {
    const r = logic.apply(s, toMachineEvent('x', type as never, payload as never, at));
    expect(r.changed).toBe(true);
    return evaluateClock(logic, r.state, at, calc).state;
  };
  const accepted = Date.parse(acceptedAt);
  let state = logic.start({ procedureId: 'p', projectId: 'j', approvalMode: 'approval' });
  state = apply(state, 'SUBMIT', { materials: ['form'] }, iso(accepted - HOUR));
  state = apply(state, 'ACCEPT', {}, acceptedAt);
  let now = acceptedAt;
  let timers = desiredTimers(logic, state, plan, now, calc);
  const changes: [string, string][] = [['at acceptance', state.context.items.x.light]];
  let light = state.context.items.x.light;
  const pending = [...commands];

  const fireUntil = (until: number) => {
    for (;;) {
      const next = timers
        .filter((t) => t.dueAt !== null)
        .sort((a, b) => Date.parse(a.dueAt!) - Date.parse(b.dueAt!))[0];
      const cmd = pending[0];
      const nextAt = Math.min(next ? Date.parse(next.dueAt!) : Infinity, cmd ? Date.parse(cmd.at) : Infinity);
      if (nextAt > until) return;
      now = iso(nextAt);
      if (cmd && Date.parse(cmd.at) === nextAt) {
        pending.shift();
        state = apply(
          state,
          cmd.type,
          cmd.type === 'START_SPECIAL_PROCEDURE' ? { kind: 'expert_review', reason: '评审' } : {},
          now,
        );
      } else {
        state = evaluateClock(logic, state, now, calc).state;
      }
      for (const t of (timers = desiredTimers(logic, state, plan, now, calc)))
        if (t.dueAt !== null) expect(Date.parse(t.dueAt)).toBeGreaterThan(nextAt);
      if (state.context.items.x.light !== light) {
        light = state.context.items.x.light;
        changes.push([now, light]);
      }
    }
  };

  const end =
    Date.parse(calc.deadline({ startedAt: acceptedAt, limit: statutory, stops: [], now: acceptedAt }).dueAt) +
    12 * DAY;
  const first = accepted - (accepted % HOUR) + HOUR;
  for (let h = first; h <= end; h += HOUR) {
    for (const at of [h - 1, h]) {
      fireUntil(at);
      const moment = iso(at);
      const fresh = evaluateClock(logic, state, moment, calc);
      expect({ moment, events: fresh.events.map((e) => e.data) }).toEqual({ moment, events: [] });
      const view = itemView(logic, state, def.items[0], { now: moment, deadlines: calc });
      if (view.status === 'in_review') {
        expect({ moment, light: view.light, used: view.workingDaysUsed, left: view.workingDaysLeft }).toEqual(
          {
            moment,
            light: documentedLight(view as never, committed.n, moment),
            used: view.workingDaysUsed,
            left: view.workingDaysLeft,
          },
        );
      }
    }
  }
  return changes;
}

describe('light thresholds — the rule and its timer agree, for every limit', () => {
  it('the share thresholds are exact: 80 % of 5 is 4 used, and 2 left comes first for short limits', () => {
    const t = DEFAULT_LIGHTS;
    expect([1, 2, 3, 4, 5, 7, 10, 15, 20, 60].map((n) => [n, lightThresholdDays(n, t)])).toEqual([
      [1, { blue: 1, yellow: -1 }],
      [2, { blue: 1, yellow: 0 }],
      [3, { blue: 2, yellow: 1 }],
      [4, { blue: 2, yellow: 2 }],
      [5, { blue: 3, yellow: 3 }],
      [7, { blue: 4, yellow: 5 }],
      [10, { blue: 5, yellow: 8 }],
      [15, { blue: 8, yellow: 12 }],
      [20, { blue: 10, yellow: 16 }],
      [60, { blue: 30, yellow: 48 }],
    ]);
    // Binary fractions would put 0.28 × 25 at 7.000000000000001, i.e. 8 used.
    expect(lightThresholdDays(25, { blue: 0.28, yellow: 0.8, yellowDaysLeft: 2 }).blue).toBe(7);
  });

  // Mon 2026-03-02 10:00, a plain week: WD 3/3 1, 3/4 2, 3/5 3, 3/6 4, 3/9 5, 3/10 6, 3/11 7 …
  it('1 WD: yellow from acceptance (1 left), red the instant after the first working day ends', () => {
    expect(walk({ n: 1, unit: 'WD' }, sh('2026-03-02 10:00'))).toEqual([
      ['at acceptance', 'yellow'],
      [pastEndOf('2026-03-03'), 'red'],
    ]);
  });

  it('2 WD: yellow from acceptance (2 left)', () => {
    expect(walk({ n: 2, unit: 'WD' }, sh('2026-03-02 10:00'))).toEqual([
      ['at acceptance', 'yellow'],
      [pastEndOf('2026-03-04'), 'red'],
    ]);
  });

  it('3 WD: green on the day of acceptance, yellow on the first working day (1 used, 2 left)', () => {
    expect(walk({ n: 3, unit: 'WD' }, sh('2026-03-02 10:00'))).toEqual([
      ['at acceptance', 'green'],
      [startOf('2026-03-03'), 'yellow'],
      [pastEndOf('2026-03-05'), 'red'],
    ]);
  });

  it('3 WD accepted on a Friday: green over the weekend, yellow on Monday', () => {
    // The auditor's case: accepted Fri 2027-01-08 (weekends only, provisional), due Wed 1/13.
    expect(walk({ n: 3, unit: 'WD' }, '2027-01-08T02:00:00.000Z')).toEqual([
      ['at acceptance', 'green'],
      [startOf('2027-01-11'), 'yellow'],
      [pastEndOf('2027-01-13'), 'red'],
    ]);
  });

  it('5 WD: yellow with 2 left on the third working day (blue, at 50 % that same day, is skipped)', () => {
    expect(walk({ n: 5, unit: 'WD' }, sh('2026-03-02 10:00'))).toEqual([
      ['at acceptance', 'green'],
      [startOf('2026-03-05'), 'yellow'],
      [pastEndOf('2026-03-09'), 'red'],
    ]);
  });

  it('10 WD: blue on the 5th, yellow on the 8th working day', () => {
    expect(walk({ n: 10, unit: 'WD' }, sh('2026-03-02 10:00'))).toEqual([
      ['at acceptance', 'green'],
      [startOf('2026-03-09'), 'blue'],
      [startOf('2026-03-12'), 'yellow'],
      [pastEndOf('2026-03-16'), 'red'],
    ]);
  });

  it('5 WD across 春节 from the 调休 Saturday 2/14: the holidays count for nothing', () => {
    // Day 0 Sat 2/14 (worked); 2/15–23 off; 2/24 1, 2/25 2, 2/26 3 (2 left → yellow), 2/27 4, 2/28 (Sat, 调休) 5.
    expect(walk({ n: 5, unit: 'WD' }, sh('2026-02-14 10:00'))).toEqual([
      ['at acceptance', 'green'],
      [startOf('2026-02-26'), 'yellow'],
      [pastEndOf('2026-02-28'), 'red'],
    ]);
  });

  it('7 WD across 国庆: blue on the 4th, yellow on the 5th working day', () => {
    // Day 0 Wed 9/30; 10/1–7 off; 10/8 1, 10/9 2, 10/10 (Sat, 调休) 3, 10/12 4, 10/13 5, 10/14 6, 10/15 7.
    expect(walk({ n: 7, unit: 'WD' }, sh('2026-09-30 10:00'))).toEqual([
      ['at acceptance', 'green'],
      [startOf('2026-10-12'), 'blue'],
      [startOf('2026-10-13'), 'yellow'],
      [pastEndOf('2026-10-15'), 'red'],
    ]);
  });

  it('5 WD with a special procedure: the light holds while paused and turns later by the days stopped', () => {
    // Paused Wed 3/4 10:00 → Fri 3/6 10:00 removes 3/5 and 3/6: 3/3 1, 3/4 2, 3/9 3 (yellow), 3/10 4, 3/11 5.
    expect(
      walk({ n: 5, unit: 'WD' }, sh('2026-03-02 10:00'), [
        { at: sh('2026-03-04 10:00'), type: 'START_SPECIAL_PROCEDURE' },
        { at: sh('2026-03-06 10:00'), type: 'END_SPECIAL_PROCEDURE' },
      ]),
    ).toEqual([
      ['at acceptance', 'green'],
      [startOf('2026-03-09'), 'yellow'],
      [pastEndOf('2026-03-11'), 'red'],
    ]);
  });

  it.each([
    // n ND from Mon 3/2: day k is 3/2 + k. 1, 2: yellow at once; 3: yellow on day 1; 5: day 3;
    // 10: blue on day 5, yellow on day 8; 30: blue day 15, yellow day 24.
    [
      1,
      [
        ['at acceptance', 'yellow'],
        [pastEndOf('2026-03-03'), 'red'],
      ],
    ],
    [
      2,
      [
        ['at acceptance', 'yellow'],
        [pastEndOf('2026-03-04'), 'red'],
      ],
    ],
    [
      3,
      [
        ['at acceptance', 'green'],
        [startOf('2026-03-03'), 'yellow'],
        [pastEndOf('2026-03-05'), 'red'],
      ],
    ],
    [
      5,
      [
        ['at acceptance', 'green'],
        [startOf('2026-03-05'), 'yellow'],
        [pastEndOf('2026-03-07'), 'red'],
      ],
    ],
    [
      10,
      [
        ['at acceptance', 'green'],
        [startOf('2026-03-07'), 'blue'],
        [startOf('2026-03-10'), 'yellow'],
        [pastEndOf('2026-03-12'), 'red'],
      ],
    ],
    [
      30,
      [
        ['at acceptance', 'green'],
        [startOf('2026-03-17'), 'blue'],
        [startOf('2026-03-26'), 'yellow'],
        [pastEndOf('2026-04-01'), 'red'],
      ],
    ],
  ] as const)('%i ND: natural days, weekends and holidays included', (n, expected) => {
    expect(walk({ n, unit: 'ND' }, sh('2026-03-02 10:00'))).toEqual(expected);
  });

  it('at the yellow instant itself the light and its timer already agree (3 WD, start of day 1)', () => {
    const def = oneItem({ n: 3, unit: 'WD' }, { n: 7, unit: 'WD' });
    const x = def.items[0];
    const ctx = {
      ...new ProcedureLogic(def).start({ procedureId: 'p', projectId: 'j', approvalMode: 'approval' }).context
        .items.x,
      acceptedAt: sh('2026-03-02 10:00'),
    };
    const t = thresholdsOf(def);
    const turn = nextLightChangeAt(x, 'in_review', ctx, calc, t, sh('2026-03-02 10:00'))!;
    expect(turn).toBe(startOf('2026-03-03'));
    const at = (now: string) => {
      const committed = calc.deadline({
        startedAt: ctx.acceptedAt,
        limit: x.limits.committed,
        stops: [],
        now,
      });
      return itemLight('in_review', ctx, { committed, statutory: null }, 3, t, now).light;
    };
    expect(at(new Date(Date.parse(turn) - 1).toISOString())).toBe('green');
    expect(at(turn)).toBe('yellow');
  });
});
