import {
  DEFAULT_CATALOGUE,
  INDUSTRIAL_PARK_CATALOGUE,
  ProcedureLogic,
  toMachineEvent,
  type BreachPolicy,
  type PersistedProcedure,
  type ProcedureDefinition,
} from '@qianqi/workflows';
import { evaluateClock } from './clock-evaluation';
import { calculator, sh } from './deadline.fixture';
import { decideCommand } from './decide-command';
import { DomainError, ErrorCode } from './domain.errors';
import { AFTER_DUE, approved, COMMITMENT_DUE, run, toleranceAccepted, type Step } from './procedure.fixture';

/**
 * A broken 容缺 commitment under each breach policy (evaluateClock runs it through the machine, so
 * the definition's policy applies). Commitments fall due at the end of Mon 2026-03-09 (5 WD after
 * acceptance on Mon 3/2); the clock is then read on Tue 3/10.
 */
const calc = calculator();

const approve = (
  logic: ProcedureLogic,
  state: PersistedProcedure,
  item: string,
  at = sh('2026-03-10 10:00'),
) =>
  decideCommand(
    logic,
    state,
    item,
    { type: 'APPROVE', documentNo: `文号-${item}` },
    { at, commitmentDueAt: () => null },
  );

function refusalOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('evaluateClock — a broken commitment under each breach policy', () => {
  const D = new ProcedureLogic(DEFAULT_CATALOGUE);
  const P = new ProcedureLogic(INDUSTRIAL_PARK_CATALOGUE);

  it('the catalogues name the policies the scenarios rely on', () => {
    const policy = (def: ProcedureDefinition, key: string) =>
      def.items.find((i) => i.key === key)!.breachPolicy;
    expect(policy(DEFAULT_CATALOGUE, 'eia')).toBe('revoke');
    expect(policy(DEFAULT_CATALOGUE, 'construction_permit')).toBe('withhold');
    expect(policy(INDUSTRIAL_PARK_CATALOGUE, 'standard_land')).toBe('provisional');
  });

  it('nothing happens on the due day itself, up to its last second', () => {
    const state = run(D, [
      ...toleranceAccepted(DEFAULT_CATALOGUE, 'eia'),
      ['eia', 'APPROVE', { documentNo: '衢环建〔2026〕12号' }, sh('2026-03-03 10:00')],
    ]);
    const r = evaluateClock(D, state, COMMITMENT_DUE, calc);
    expect(r.breached).toEqual([]);
    expect(r.events.filter((e) => e.type === 'CommitmentBreached')).toEqual([]);
  });

  it('revoke (环评): the provisional approval is revoked and the item goes back to in_review', () => {
    const state = run(D, [
      ...toleranceAccepted(DEFAULT_CATALOGUE, 'eia'),
      ['eia', 'APPROVE', { documentNo: '衢环建〔2026〕12号' }, sh('2026-03-03 10:00')],
    ]);
    expect(D.status(state, 'eia')).toBe('provisionally_approved');
    const r = evaluateClock(D, state, AFTER_DUE, calc);
    expect(D.status(r.state, 'eia')).toBe('in_review');
    expect(r.state.context.items.eia.documentNo).toBeNull();
    expect(r.state.context.items.eia.commitments.map((c) => [c.material, c.status, c.breachedAt])).toEqual([
      ['public_participation', 'breached', AFTER_DUE],
      ['expert_opinion', 'breached', AFTER_DUE],
    ]);
    expect(r.breached).toEqual([{ itemKey: 'eia', materials: ['public_participation', 'expert_opinion'] }]);
    expect(r.events[0]).toEqual({
      type: 'CommitmentBreached',
      data: {
        itemKey: 'eia',
        materials: ['public_participation', 'expert_opinion'],
        policy: 'revoke',
        status: 'in_review',
      },
    });
    // The broken commitment turns the item red; it is not overdue (its own clock has 20 WD).
    expect(r.events[1]).toMatchObject({
      type: 'ItemLightChanged',
      data: { itemKey: 'eia', light: 'red', from: 'green', overdue: false },
    });
    expect(r.turnedRed).toEqual([]);
  });

  it('a second evaluation changes nothing: the commitment is broken once', () => {
    const state = run(D, toleranceAccepted(DEFAULT_CATALOGUE, 'eia'));
    const first = evaluateClock(D, state, AFTER_DUE, calc);
    const again = evaluateClock(D, first.state, sh('2026-03-10 11:00'), calc);
    expect(again.events).toEqual([]);
    expect(again.breached).toEqual([]);
    expect(again.state).toBe(first.state);
  });

  it('withhold (施工许可): the item stays in review and APPROVE is refused with CERTIFICATE_WITHHELD until supplied', () => {
    const prerequisites = [
      'land_pre_review',
      'land_use_permit',
      'engineering_permit',
      'drawing_review',
    ].flatMap((k) => approved(DEFAULT_CATALOGUE, k));
    const state = run(D, [...prerequisites, ...toleranceAccepted(DEFAULT_CATALOGUE, 'construction_permit')]);
    expect(D.status(state, 'construction_permit')).toBe('in_review');
    const r = evaluateClock(D, state, AFTER_DUE, calc);
    expect(r.events[0]).toEqual({
      type: 'CommitmentBreached',
      data: {
        itemKey: 'construction_permit',
        materials: ['safety_measures'],
        policy: 'withhold',
        status: 'in_review',
      },
    });
    const err = refusalOf(() => approve(D, r.state, 'construction_permit'));
    expect(err.code).toBe(ErrorCode.CERTIFICATE_WITHHELD);
    expect(err.details).toMatchObject({ itemKey: 'construction_permit', breached: ['safety_measures'] });

    const supplied = decideCommand(
      D,
      r.state,
      'construction_permit',
      { type: 'SUPPLY_MATERIALS', materials: ['safety_measures'] },
      { at: sh('2026-03-11 10:00'), commitmentDueAt: () => null },
    );
    const done = approve(D, supplied.state, 'construction_permit', sh('2026-03-11 11:00'));
    expect(D.status(done.state, 'construction_permit')).toBe('approved');
    expect(done.state.context.items.construction_permit.commitments[0].status).toBe('fulfilled');
  });

  it('withhold is the policy of an item whose definition names none (as GET /definitions reports it)', () => {
    const landUse = DEFAULT_CATALOGUE.items.find((i) => i.key === 'land_use_permit')!;
    expect(landUse.breachPolicy).toBeUndefined();
    const state = run(D, [
      ...approved(DEFAULT_CATALOGUE, 'land_pre_review'),
      ...toleranceAccepted(DEFAULT_CATALOGUE, 'land_use_permit'),
    ]);
    const r = evaluateClock(D, state, AFTER_DUE, calc);
    expect(r.events[0].data).toMatchObject({ policy: 'withhold', status: 'in_review' });
    expect(refusalOf(() => approve(D, r.state, 'land_use_permit')).code).toBe(ErrorCode.CERTIFICATE_WITHHELD);
  });

  it('provisional (标准地): a 初审意见 may still be issued, and it unlocks 容缺后置 dependents; supply converts it', () => {
    const state = run(P, [
      ...approved(INDUSTRIAL_PARK_CATALOGUE, 'filing'),
      ...toleranceAccepted(INDUSTRIAL_PARK_CATALOGUE, 'standard_land'),
    ]);
    const r = evaluateClock(P, state, AFTER_DUE, calc);
    expect(r.events[0]).toEqual({
      type: 'CommitmentBreached',
      data: {
        itemKey: 'standard_land',
        materials: ['cadastral_map'],
        policy: 'provisional',
        status: 'in_review',
      },
    });
    const decided = approve(P, r.state, 'standard_land');
    expect(decided.events[0].type).toBe('StepProvisionallyApproved');
    expect(P.status(decided.state, 'standard_land')).toBe('provisionally_approved');
    expect(P.status(decided.state, 'planning_permit')).toBe('ready');
    expect(P.readyToStart(decided.state)).toBe(false);
    const supplied = decideCommand(
      P,
      decided.state,
      'standard_land',
      { type: 'SUPPLY_MATERIALS', materials: ['cadastral_map'] },
      { at: sh('2026-03-11 10:00'), commitmentDueAt: () => null },
    );
    expect(P.status(supplied.state, 'standard_land')).toBe('approved');
  });
});

describe('容缺后置 and a withheld prerequisite', () => {
  /** A needs a commitment; B may start on a provisional A (容缺后置) but also needs C. */
  const withPolicy = (policy: BreachPolicy): ProcedureLogic =>
    new ProcedureLogic({
      id: `withheld-${policy}`,
      version: 1,
      name: '容缺后置测试目录',
      items: [
        {
          key: 'a',
          name: '甲',
          department: 'natural-resources',
          stage: 1,
          limits: { statutory: { n: 20, unit: 'WD' }, committed: { n: 10, unit: 'WD' } },
          materials: [
            { key: 'form', name: '申请表', tolerable: false },
            { key: 'map', name: '宗地图', tolerable: true },
          ],
          prerequisites: [],
          waivable: false,
          taskForce: 'land',
          breachPolicy: policy,
        },
        {
          key: 'c',
          name: '丙',
          department: 'ndrc',
          stage: 1,
          limits: { statutory: { n: 20, unit: 'WD' }, committed: { n: 10, unit: 'WD' } },
          materials: [{ key: 'form', name: '申请表', tolerable: false }],
          prerequisites: [],
          waivable: false,
          taskForce: 'supervision',
        },
        {
          key: 'b',
          name: '乙',
          department: 'natural-resources',
          stage: 2,
          limits: { statutory: { n: 20, unit: 'WD' }, committed: { n: 10, unit: 'WD' } },
          materials: [{ key: 'form', name: '申请表', tolerable: false }],
          prerequisites: [{ item: 'a', allowProvisional: true }, { item: 'c' }],
          waivable: false,
          taskForce: 'planning',
        },
      ],
    });

  const steps: Step[] = [
    ['a', 'SUBMIT', { materials: ['form'] }, sh('2026-03-02 09:00')],
    [
      'a',
      'ACCEPT_WITH_TOLERANCE',
      { dueInWorkingDays: 5, commitmentDueAt: COMMITMENT_DUE },
      sh('2026-03-02 10:00'),
    ],
    ['a', 'APPROVE', { documentNo: '甲-1' }, sh('2026-03-03 10:00')],
    ['c', 'SUBMIT', { materials: ['form'] }, sh('2026-03-02 09:00')],
    ['c', 'ACCEPT', {}, sh('2026-03-02 10:00')],
  ];

  function afterBreachThenC(policy: BreachPolicy) {
    const logic = withPolicy(policy);
    const broken = evaluateClock(logic, run(logic, steps), AFTER_DUE, calc).state;
    const cApproved = logic.apply(
      broken,
      toMachineEvent('c', 'APPROVE', { documentNo: '丙-1' }, sh('2026-03-10 10:00')),
    ).state;
    return { logic, state: cApproved };
  }

  it('withhold: a provisionally approved prerequisite with a broken commitment unlocks nothing', () => {
    const { logic, state } = afterBreachThenC('withhold');
    expect(logic.status(state, 'a')).toBe('provisionally_approved');
    expect(state.context.items.a.commitments[0].status).toBe('breached');
    expect(logic.status(state, 'c')).toBe('approved');
    expect(logic.status(state, 'b')).toBe('locked');
  });

  it('provisional: the same history unlocks the dependent', () => {
    const { logic, state } = afterBreachThenC('provisional');
    expect(logic.status(state, 'b')).toBe('ready');
  });

  it('withhold: supplying the material lifts it', () => {
    const { logic, state } = afterBreachThenC('withhold');
    const supplied = logic.apply(
      state,
      toMachineEvent('a', 'SUPPLY_MATERIALS', { materials: ['map'] }, sh('2026-03-11 10:00')),
    ).state;
    expect(logic.status(supplied, 'a')).toBe('approved');
    expect(logic.status(supplied, 'b')).toBe('ready');
  });
});

describe('容缺后置: dependents that a provisional approval had already unlocked', () => {
  // 建设用地规划许可 (withhold by default) 容缺受理 Mon 3/2, provisionally approved Tue 3/3, which
  // unlocks 建设工程规划许可 over its 容缺后置 edge; the commitment breaks after Mon 3/9.
  const D = new ProcedureLogic(DEFAULT_CATALOGUE);
  const R = new ProcedureLogic({
    ...DEFAULT_CATALOGUE,
    id: 'land-revoke',
    items: DEFAULT_CATALOGUE.items.map((i) =>
      i.key === 'land_use_permit' ? { ...i, breachPolicy: 'revoke' as const } : i,
    ),
  });
  const unlocked: Step[] = [
    ...approved(DEFAULT_CATALOGUE, 'land_pre_review'),
    ...toleranceAccepted(DEFAULT_CATALOGUE, 'land_use_permit'),
    ['land_use_permit', 'APPROVE', { documentNo: '用规1' }, sh('2026-03-03 10:00')],
  ];
  const engineeringInReview: Step[] = [
    ...unlocked,
    [
      'engineering_permit',
      'SUBMIT',
      { materials: ['application', 'design_scheme', 'engineering_drawings'] },
      sh('2026-03-04 09:00'),
    ],
    ['engineering_permit', 'ACCEPT', {}, sh('2026-03-04 10:00')],
  ];
  const cmd = (logic: ProcedureLogic, state: PersistedProcedure, item: string, c: object, at: string) =>
    decideCommand(logic, state, item, c as never, { at, commitmentDueAt: () => null });

  it('the breach locks a dependent that is still ready; supplying the material unlocks it', () => {
    const state = run(D, unlocked);
    expect(D.status(state, 'engineering_permit')).toBe('ready');
    const broken = evaluateClock(D, state, AFTER_DUE, calc);
    expect(broken.breached).toEqual([{ itemKey: 'land_use_permit', materials: ['cadastral_map'] }]);
    expect(D.status(broken.state, 'engineering_permit')).toBe('locked');
    const supplied = cmd(
      D,
      broken.state,
      'land_use_permit',
      { type: 'SUPPLY_MATERIALS', materials: ['宗地图'] },
      sh('2026-03-11 10:00'),
    );
    expect(D.status(supplied.state, 'land_use_permit')).toBe('approved');
    expect(D.status(supplied.state, 'engineering_permit')).toBe('ready');
  });

  it('withhold: APPROVE of a dependent in review is refused with PREREQUISITES_NOT_MET naming the prerequisite', () => {
    const broken = evaluateClock(D, run(D, engineeringInReview), AFTER_DUE, calc).state;
    expect(D.status(broken, 'engineering_permit')).toBe('in_review');
    const err = refusalOf(() => approve(D, broken, 'engineering_permit'));
    expect(err.code).toBe(ErrorCode.PREREQUISITES_NOT_MET);
    expect(err.details).toMatchObject({
      itemKey: 'engineering_permit',
      command: 'APPROVE',
      prerequisites: ['land_use_permit'],
    });
    expect(err.message).toContain(
      'land_use_permit (建设用地规划许可证（建设用地批准书）) is provisionally approved',
    );
    expect(err.message).toContain('cadastral_map');
    // Once supplied the same APPROVE goes through.
    const supplied = cmd(
      D,
      broken,
      'land_use_permit',
      { type: 'SUPPLY_MATERIALS', materials: ['cadastral_map'] },
      sh('2026-03-11 10:00'),
    );
    const done = approve(D, supplied.state, 'engineering_permit', sh('2026-03-11 11:00'));
    expect(D.status(done.state, 'engineering_permit')).toBe('approved');
  });

  it('revoke: the prerequisite back in review locks a ready dependent and refuses the APPROVE of one in review', () => {
    const ready = evaluateClock(R, run(R, unlocked), AFTER_DUE, calc).state;
    expect(R.status(ready, 'land_use_permit')).toBe('in_review');
    expect(R.status(ready, 'engineering_permit')).toBe('locked');
    const reviewing = evaluateClock(R, run(R, engineeringInReview), AFTER_DUE, calc).state;
    const err = refusalOf(() => approve(R, reviewing, 'engineering_permit'));
    expect(err.code).toBe(ErrorCode.PREREQUISITES_NOT_MET);
    expect(err.message).toContain('land_use_permit (建设用地规划许可证（建设用地批准书）) is in_review');
  });

  it('a new application after a denial waits too; SUBMIT on the locked item stays INVALID_TRANSITION, naming what it waits for', () => {
    const broken = evaluateClock(D, run(D, engineeringInReview), AFTER_DUE, calc).state;
    const denied = cmd(
      D,
      broken,
      'engineering_permit',
      { type: 'DENY', reason: '不符' },
      sh('2026-03-10 11:00'),
    );
    const again = { type: 'SUBMIT', materials: ['application', 'design_scheme', 'engineering_drawings'] };
    const err = refusalOf(() => cmd(D, denied.state, 'engineering_permit', again, sh('2026-03-10 12:00')));
    expect(err.code).toBe(ErrorCode.PREREQUISITES_NOT_MET);

    const locked = evaluateClock(D, run(D, unlocked), AFTER_DUE, calc).state;
    const lockedErr = refusalOf(() => cmd(D, locked, 'engineering_permit', again, sh('2026-03-10 12:00')));
    expect(lockedErr.code).toBe(ErrorCode.INVALID_TRANSITION);
    expect(lockedErr.details).toMatchObject({ itemStatus: 'locked', prerequisites: ['land_use_permit'] });
    expect(lockedErr.message).toContain('waiting for: land_use_permit');
  });
});
