import {
  DEFAULT_CATALOGUE,
  ProcedureLogic,
  toMachineEvent,
  type PersistedProcedure,
} from '@qianqi/workflows';
import { desiredTimers, evaluateClock, plannedStartPassesAt, projectLight } from './clock-evaluation';
import { calculator, endOf, pastEndOf, sh } from './deadline.fixture';
import { AFTER_DUE, approved, run, toleranceAccepted } from './procedure.fixture';

/**
 * What time alone does to a procedure besides breaking commitments (see breach-policy.spec.ts):
 * item lights recorded as events, the project light (应开工未开工), and the timers it wants.
 */
const calc = calculator();

describe('evaluateClock — item lights as events', () => {
  const D = new ProcedureLogic(DEFAULT_CATALOGUE);
  // 环评 accepted Mon 2/9: blue on Sat 2/28 (make-up, 10 used), yellow on 3/9 (16), due 3/13.
  const state = run(D, [
    [
      'eia',
      'SUBMIT',
      { materials: ['eia_report', 'public_participation', 'expert_opinion'] },
      sh('2026-02-09 09:00'),
    ],
    ['eia', 'ACCEPT', {}, sh('2026-02-09 10:00')],
  ]);

  it('records each change once, with the light it came from and the days left', () => {
    const blue = evaluateClock(D, state, sh('2026-02-28 00:00'), calc);
    expect(blue.events).toEqual([
      {
        type: 'ItemLightChanged',
        data: {
          itemKey: 'eia',
          light: 'blue',
          overdue: false,
          statutoryBreach: false,
          from: 'green',
          committedDueAt: endOf('2026-03-13'),
          workingDaysLeft: 10,
        },
      },
    ]);
    expect(evaluateClock(D, blue.state, sh('2026-03-06 18:00'), calc).events).toEqual([]);
    const red = evaluateClock(D, blue.state, pastEndOf('2026-03-13'), calc);
    expect(red.events.map((e) => e.data)).toEqual([
      expect.objectContaining({
        light: 'red',
        from: 'blue',
        overdue: true,
        statutoryBreach: false,
        workingDaysLeft: 0,
      }),
    ]);
    expect(red.turnedRed).toEqual(['eia']);
  });

  it('without a calendar it leaves lights alone', () => {
    expect(evaluateClock(D, state, sh('2026-04-01 10:00'), undefined).events).toEqual([]);
  });
});

describe('projectLight', () => {
  const D = new ProcedureLogic(DEFAULT_CATALOGUE);
  const fresh = run(D, []);
  const plan = { plannedStartDate: '2026-03-01' };

  it('应开工未开工: red with NOT_STARTED_ON_PLAN from the first instant after the planned start day', () => {
    expect(plannedStartPassesAt('2026-03-01')).toBe(pastEndOf('2026-03-01'));
    expect(projectLight(D, fresh, plan, endOf('2026-03-01'))).toEqual({ light: 'green', reasons: [] });
    expect(projectLight(D, fresh, plan, pastEndOf('2026-03-01'))).toEqual({
      light: 'red',
      reasons: ['NOT_STARTED_ON_PLAN'],
    });
  });

  it('is the worst of its items, naming them', () => {
    const yellow = D.apply(
      fresh,
      toMachineEvent(
        'eia',
        'SET_LIGHT',
        { light: 'yellow', overdue: false, statutoryBreach: false },
        sh('2026-02-01 10:00'),
      ),
    ).state;
    const blue = D.apply(
      yellow,
      toMachineEvent(
        'soil_water',
        'SET_LIGHT',
        { light: 'blue', overdue: false, statutoryBreach: false },
        sh('2026-02-01 10:00'),
      ),
    ).state;
    expect(projectLight(D, blue, plan, sh('2026-02-01 10:00'))).toEqual({
      light: 'yellow',
      reasons: ['ITEM:eia'],
    });
    expect(projectLight(D, blue, plan, sh('2026-03-02 10:00'))).toEqual({
      light: 'red',
      reasons: ['NOT_STARTED_ON_PLAN'],
    });
  });

  it('a project ready to start is not late, whatever its plan said', () => {
    const keys = DEFAULT_CATALOGUE.items.map((i) => i.key);
    const order = [
      'project_approval',
      'land_pre_review',
      'land_use_permit',
      'engineering_permit',
      'drawing_review',
      'eia',
      'energy_review',
      'soil_water',
      'heritage_survey',
      'construction_permit',
    ];
    expect(order.slice().sort()).toEqual(keys.sort());
    const ready = run(
      D,
      order.flatMap((k) => approved(DEFAULT_CATALOGUE, k)),
    );
    expect(D.readyToStart(ready)).toBe(true);
    expect(projectLight(D, ready, plan, sh('2026-04-01 10:00'))).toEqual({ light: 'green', reasons: [] });
  });

  it('names a broken commitment', () => {
    const broken = evaluateClock(
      D,
      run(D, toleranceAccepted(DEFAULT_CATALOGUE, 'eia')),
      AFTER_DUE,
      calc,
    ).state;
    expect(projectLight(D, broken, { plannedStartDate: '2027-06-30' }, AFTER_DUE)).toEqual({
      light: 'red',
      reasons: ['COMMITMENT_BREACHED', 'ITEM:eia'],
    });
  });
});

describe('desiredTimers', () => {
  const D = new ProcedureLogic(DEFAULT_CATALOGUE);

  it('arms the plan date until the project is ready, one light and one commitment timer per item', () => {
    const state = run(D, toleranceAccepted(DEFAULT_CATALOGUE, 'eia'));
    const timers = desiredTimers(D, state, { plannedStartDate: '2026-06-30' }, sh('2026-03-02 10:00'), calc);
    const byKey = Object.fromEntries(timers.map((t) => [`${t.kind} ${t.target}`, t.dueAt]));
    // 环评 accepted Mon 3/2: 50 % of 20 WD is 10 used: 3/3–3/6 1–4, 3/9–3/13 5–9, Mon 3/16 10.
    expect(byKey['ITEM_LIGHT item:eia']).toBe('2026-03-15T16:00:00.000Z');
    expect(byKey['COMMITMENT_DUE item:eia']).toBe(pastEndOf('2026-03-09'));
    expect(byKey['ITEM_LIGHT item:soil_water']).toBeNull();
    expect(byKey['PROJECT_START project']).toBe(plannedStartPassesAt('2026-06-30'));
    expect(timers.filter((t) => t.kind === 'ITEM_LIGHT')).toHaveLength(DEFAULT_CATALOGUE.items.length);
  });

  it('marks a light timer provisional when the deadline reaches an unknown year', () => {
    const state = run(D, [
      [
        'eia',
        'SUBMIT',
        { materials: ['eia_report', 'public_participation', 'expert_opinion'] },
        sh('2026-12-14 09:00'),
      ],
      ['eia', 'ACCEPT', {}, sh('2026-12-14 10:00')],
    ]);
    const light = desiredTimers(
      D,
      state,
      { plannedStartDate: '2027-06-30' },
      sh('2026-12-14 10:00'),
      calc,
    ).find((t) => t.target === 'item:eia' && t.kind === 'ITEM_LIGHT')!;
    expect(light.provisional).toBe(true);
    const known = calculator([{ year: 2027, daysOff: ['2027-01-01'], workdays: [] }]);
    expect(
      desiredTimers(D, state, { plannedStartDate: '2027-06-30' }, sh('2026-12-14 10:00'), known).find(
        (t) => t.target === 'item:eia' && t.kind === 'ITEM_LIGHT',
      )!.provisional,
    ).toBe(false);
  });
});

/**
 * What the engine does with the timers a procedure wants: fire the earliest, evaluate the clock as
 * of its due instant, ask again. Returns the instants fired at, up to `max`.
 */
function fireTimers(
  logic: ProcedureLogic,
  start: PersistedProcedure,
  project: { plannedStartDate: string },
  from: string,
  max = 50,
) {
  let state = start;
  let now = from;
  const fired: { at: string; kind: string; target: string }[] = [];
  for (let i = 0; i < max; i++) {
    const wanted = desiredTimers(logic, state, project, now, calc);
    for (const t of wanted) {
      if (t.dueAt !== null) expect({ ...t, after: now, later: t.dueAt > now }).toMatchObject({ later: true });
    }
    const next = wanted.filter((t) => t.dueAt !== null).sort((a, b) => a.dueAt!.localeCompare(b.dueAt!))[0];
    if (!next) break;
    now = next.dueAt!;
    fired.push({ at: now, kind: next.kind, target: next.target });
    state = evaluateClock(logic, state, now, calc).state;
  }
  return { fired, state };
}

describe('desiredTimers — never at or before the instant that computed them', () => {
  const D = new ProcedureLogic(DEFAULT_CATALOGUE);
  const plan = { plannedStartDate: '2026-12-31' };
  const withdrawn = run(D, [
    ...toleranceAccepted(DEFAULT_CATALOGUE, 'eia'),
    ['eia', 'WITHDRAW', { reason: '撤回' }, sh('2026-03-03 10:00')],
  ]);

  it('a withdrawn item wants no commitment timer: its commitments are cancelled', () => {
    expect(withdrawn.context.items.eia.commitments.map((c) => c.status)).toEqual(['cancelled', 'cancelled']);
    const at = (now: string) =>
      desiredTimers(D, withdrawn, plan, now, calc).find(
        (t) => t.kind === 'COMMITMENT_DUE' && t.target === 'item:eia',
      )!.dueAt;
    expect(at(sh('2026-03-03 10:00'))).toBeNull();
  });

  it('a commitment left open where no breach can happen (a record from before cancellation) is not re-armed at its past due instant', () => {
    // The withdrawn item as it was recorded before commitments were cancelled: still `open`.
    const legacy: PersistedProcedure = {
      ...withdrawn,
      context: {
        ...withdrawn.context,
        items: {
          ...withdrawn.context.items,
          eia: {
            ...withdrawn.context.items.eia,
            commitments: withdrawn.context.items.eia.commitments.map((c) => {
              const { cancelledAt: _gone, ...rest } = c;
              return { ...rest, status: 'open' as const };
            }),
          },
        },
      },
    };
    const commitmentTimer = (now: string) =>
      desiredTimers(D, legacy, plan, now, calc).find(
        (t) => t.kind === 'COMMITMENT_DUE' && t.target === 'item:eia',
      )!.dueAt;
    expect(commitmentTimer(sh('2026-03-03 10:00'))).toBe(pastEndOf('2026-03-09'));
    // It fires and nothing changes (BREACH_COMMITMENTS is not taken when withdrawn) …
    const fired = evaluateClock(D, legacy, pastEndOf('2026-03-09'), calc);
    expect(fired.events).toEqual([]);
    // … so asking again at that instant must not give that instant back (the old loop).
    expect(commitmentTimer(pastEndOf('2026-03-09'))).toBeNull();
    const { fired: all } = fireTimers(D, legacy, plan, sh('2026-03-03 10:00'));
    expect(all.filter((f) => f.kind === 'COMMITMENT_DUE')).toEqual([
      { at: pastEndOf('2026-03-09'), kind: 'COMMITMENT_DUE', target: 'item:eia' },
    ]);
  });

  it('a commitment falling due during 补正 is broken when its timer fires, which then stops', () => {
    const correcting = run(D, [
      ...toleranceAccepted(DEFAULT_CATALOGUE, 'eia'),
      ['eia', 'RETURN_FOR_CORRECTION', { reason: '补正', missing: [] }, sh('2026-03-03 10:00')],
    ]);
    const r = evaluateClock(D, correcting, pastEndOf('2026-03-09'), calc);
    expect(r.breached).toEqual([{ itemKey: 'eia', materials: ['public_participation', 'expert_opinion'] }]);
    expect(D.status(r.state, 'eia')).toBe('correcting');
    const { fired } = fireTimers(D, correcting, plan, sh('2026-03-03 10:00'));
    expect(fired.filter((f) => f.kind === 'COMMITMENT_DUE')).toHaveLength(1);
  });

  it('walks a running item through all its timers, each strictly later than the one before, then stops', () => {
    const state = run(D, toleranceAccepted(DEFAULT_CATALOGUE, 'eia'));
    const { fired } = fireTimers(D, state, plan, sh('2026-03-02 10:00'));
    const instants = fired.map((f) => f.at);
    expect(instants).toEqual([...instants].sort());
    expect(new Set(instants.map((a, i) => `${a}|${fired[i].kind}|${fired[i].target}`)).size).toBe(
      fired.length,
    );
    expect(fired.length).toBeLessThan(50);
    // The commitment (broken: 环评 is revoke, red from then on), the light's candidates (blue, yellow,
    // past the committed limit, past the statutory one; no change while red) and the plan date.
    expect(fired.map((f) => f.kind)).toEqual([
      'COMMITMENT_DUE',
      'ITEM_LIGHT',
      'ITEM_LIGHT',
      'ITEM_LIGHT',
      'ITEM_LIGHT',
      'PROJECT_START',
    ]);
  });
});
