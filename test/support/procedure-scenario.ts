import {
  ProcedureLogic,
  toMachineEvent,
  type ApprovalMode,
  type ItemContext,
  type ItemEventType,
  type ItemStatus,
  type PersistedProcedure,
  type ProcedureDefinition,
  type SpecialProcedureKind,
  type WaiverBasis,
} from '../../workflows/src';

/**
 * Given/when/then over the pure procedure machine (Emmett style): `given` the events a
 * procedure already went through, `when` one more arrives, `then` look at the state it reached.
 * Every step carries its own moment; by default step n (counting given and when) happens at
 * `hour(n)`, so tests can name the times they expect without a clock.
 */
export interface Step {
  item: string;
  type: ItemEventType;
  payload: Record<string, unknown>;
  at?: string;
}

const BASE = Date.UTC(2026, 2, 2, 0, 0, 0);

/** 2026-03-02T00:00Z plus n hours. */
export function hour(n: number): string {
  return new Date(BASE + n * 3_600_000).toISOString();
}

/** The same step at an explicit moment. */
export function at(s: Step, when: string): Step {
  return { ...s, at: when };
}

/** The machine steps for each command, with the payloads the engine would compute. */
export const step = {
  submit: (item: string, materials: string[]): Step => ({ item, type: 'SUBMIT', payload: { materials } }),
  accept: (item: string): Step => ({ item, type: 'ACCEPT', payload: {} }),
  acceptWithTolerance: (item: string, commitmentDueAt: string | null = null, dueInWorkingDays = 5): Step => ({
    item,
    type: 'ACCEPT_WITH_TOLERANCE',
    payload: { dueInWorkingDays, commitmentDueAt },
  }),
  returnForCorrection: (item: string, reason: string, missing: string[] = []): Step => ({
    item,
    type: 'RETURN_FOR_CORRECTION',
    payload: { reason, missing },
  }),
  resubmit: (item: string, materials: string[]): Step => ({ item, type: 'RESUBMIT', payload: { materials } }),
  refuse: (item: string, reason: string): Step => ({ item, type: 'REFUSE', payload: { reason } }),
  startSpecial: (item: string, kind: SpecialProcedureKind, reason: string): Step => ({
    item,
    type: 'START_SPECIAL_PROCEDURE',
    payload: { kind, reason },
  }),
  endSpecial: (item: string): Step => ({ item, type: 'END_SPECIAL_PROCEDURE', payload: {} }),
  approve: (item: string, documentNo = `文号-${item}`): Step => ({
    item,
    type: 'APPROVE',
    payload: { documentNo },
  }),
  deny: (item: string, reason: string): Step => ({ item, type: 'DENY', payload: { reason } }),
  supply: (item: string, materials: string[]): Step => ({
    item,
    type: 'SUPPLY_MATERIALS',
    payload: { materials },
  }),
  withdraw: (item: string, reason: string): Step => ({ item, type: 'WITHDRAW', payload: { reason } }),
  waive: (item: string, basis: WaiverBasis = 'regional_assessment', reason = '区域评估已覆盖'): Step => ({
    item,
    type: 'WAIVE',
    payload: { basis, reason },
  }),
  breach: (item: string, materials: string[]): Step => ({
    item,
    type: 'BREACH_COMMITMENTS',
    payload: { materials },
  }),
};

/** Material keys of an item, all of them or only the essential (non-tolerable) ones. */
export function materialsOf(
  def: ProcedureDefinition,
  item: string,
  which: 'all' | 'essential' | 'tolerable' = 'all',
): string[] {
  const found = def.items.find((i) => i.key === item);
  if (!found) throw new Error(`no item ${item} in ${def.id}`);
  return found.materials
    .filter((m) => which === 'all' || (which === 'essential' ? !m.tolerable : m.tolerable))
    .map((m) => m.key);
}

/** submit everything → accept → approve: the plain road to `approved`. */
export function approvedSteps(def: ProcedureDefinition, item: string): Step[] {
  return [step.submit(item, materialsOf(def, item)), step.accept(item), step.approve(item)];
}

export class Outcome {
  constructor(
    readonly logic: ProcedureLogic,
    readonly before: PersistedProcedure,
    readonly state: PersistedProcedure,
    readonly changed: boolean,
    readonly at: string,
  ) {}

  status(item: string): ItemStatus {
    return this.logic.status(this.state, item);
  }

  item(item: string): ItemContext {
    return this.state.context.items[item];
  }

  /** Status of every item, for asserting that nothing else moved. */
  statuses(): Record<string, ItemStatus> {
    return Object.fromEntries(this.logic.definition.items.map((i) => [i.key, this.status(i.key)]));
  }

  get readyToStart(): boolean {
    return this.logic.readyToStart(this.state);
  }
}

class When {
  constructor(
    private readonly logic: ProcedureLogic,
    private readonly before: PersistedProcedure,
    private readonly s: Step,
    private readonly moment: string,
  ) {}

  private run(): Outcome {
    const event = toMachineEvent(this.s.item, this.s.type, this.s.payload as never, this.moment);
    const { state, changed } = this.logic.apply(this.before, event);
    return new Outcome(this.logic, this.before, state, changed, this.moment);
  }

  /** The machine accepted the step; `assert` looks at where it led. */
  then(assert: (o: Outcome) => void): void {
    const o = this.run();
    if (!o.changed) {
      throw new Error(`${this.s.item}.${this.s.type} was not accepted in status ${o.status(this.s.item)}`);
    }
    assert(o);
  }

  /** The machine refused the step: the state is exactly the one before. */
  thenRefused(): void {
    const o = this.run();
    expect(o.changed).toBe(false);
    expect(o.state).toEqual(this.before);
    expect(o.state).toBe(this.before);
  }
}

class Given {
  constructor(
    private readonly logic: ProcedureLogic,
    readonly state: PersistedProcedure,
    private readonly count: number,
  ) {}

  when(s: Step): When {
    return new When(this.logic, this.state, s, s.at ?? hour(this.count + 1));
  }

  /** Assertions on the state the given steps reached, without a further step. */
  then(assert: (o: Outcome) => void): void {
    assert(new Outcome(this.logic, this.state, this.state, false, hour(this.count)));
  }
}

export class ProcedureScenario {
  readonly logic: ProcedureLogic;

  constructor(
    readonly definition: ProcedureDefinition,
    readonly approvalMode: ApprovalMode = 'approval',
  ) {
    this.logic = new ProcedureLogic(definition);
  }

  start(): PersistedProcedure {
    return this.logic.start({ procedureId: 'proc-1', projectId: 'proj-1', approvalMode: this.approvalMode });
  }

  /** Applies each step in order; a step the machine refuses fails the test right there. */
  given(...steps: Step[]): Given {
    let state = this.start();
    steps.forEach((s, i) => {
      const moment = s.at ?? hour(i + 1);
      const result = this.logic.apply(state, toMachineEvent(s.item, s.type, s.payload as never, moment));
      if (!result.changed) {
        throw new Error(
          `given step ${i + 1} ${s.item}.${s.type} was refused in status ${this.logic.status(state, s.item)}`,
        );
      }
      state = result.state;
    });
    return new Given(this.logic, state, steps.length);
  }
}
