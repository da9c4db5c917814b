import { assign, setup } from 'xstate';
import {
  COMMAND_TYPES,
  DEFAULT_CATALOGUE,
  INDUSTRIAL_PARK_CATALOGUE,
  ProcedureLogic,
  toMachineEvent,
  type ApprovalMode,
  type ItemEventType,
  type PersistedProcedure,
  type ProcedureDefinition,
} from '@qianqi/workflows';
import { TransitionTable } from './transition.table';
import { prng } from '../../../test/support/prng';

/**
 * Random walks: at each step a command the item's state has a transition for (mostly) or any
 * event (sometimes, to be refused), with random materials and payloads, fed to both the real
 * XState transition (ProcedureLogic.apply) and the table. Every state must be the same.
 */
function walk(
  def: ProcedureDefinition,
  seed: number,
  procedures: number,
  steps: number,
  itemCount: number,
  /** Share of steps on a provisionally approved item that break its commitments. */
  breachShare = 0,
) {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const logic = new ProcedureLogic(def);
  const table = new TransitionTable(logic);
  let accepted = 0;
  let refused = 0;
  /** Steps that sent an item back from ready to locked (a 容缺后置 prerequisite lost). */
  let relocked = 0;
  let t = Date.UTC(2026, 0, 5);
  const visited: PersistedProcedure[] = [];
  for (let p = 0; p < procedures; p++) {
    const input = {
      procedureId: `p-${p}`,
      projectId: `j-${p}`,
      approvalMode: pick(['approval', 'verification', 'filing'] as const),
    };
    let viaXState: PersistedProcedure = logic.start(input);
    let viaTable = table.start(input);
    expect(viaTable).toEqual(viaXState);
    for (let i = 0; i < steps; i++) {
      const item = pick(def.items.slice(0, itemCount));
      const offered = logic.commandsAccepted(logic.status(viaXState, item.key), item.key);
      // Aimed where a breach matters most: a provisional approval that may have unlocked others.
      const breach = logic.status(viaXState, item.key) === 'provisionally_approved' && rnd() < breachShare;
      const type: ItemEventType = breach
        ? 'BREACH_COMMITMENTS'
        : offered.length && rnd() < 0.8
          ? pick(offered)
          : pick([...COMMAND_TYPES, 'SET_LIGHT', 'BREACH_COMMITMENTS'] as const);
      const materials = item.materials.filter((m) => (breach ? m.tolerable : rnd() < 0.6)).map((m) => m.key);
      const payload = {
        materials,
        missing: materials,
        reason: '理由',
        kind: pick(['expert_review', 'hearing', 'public_notice'] as const),
        basis: 'regional_assessment',
        documentNo: `D-${i}`,
        dueInWorkingDays: 1 + Math.floor(rnd() * 10),
        commitmentDueAt: rnd() < 0.5 ? null : new Date(t + 86_400_000 * 7).toISOString(),
        light: pick(['green', 'blue', 'yellow', 'red'] as const),
        statutoryBreach: rnd() < 0.2,
        overdue: rnd() < 0.2,
      };
      t += Math.floor(rnd() * 86_400_000);
      const event = toMachineEvent(item.key, type, payload as never, new Date(t).toISOString());
      const x = logic.apply(viaXState, event);
      const y = table.apply(viaTable, event);
      expect({ step: i, type: event.type, state: y.state }).toEqual({
        step: i,
        type: event.type,
        state: x.state,
      });
      if (x.changed) accepted += 1;
      else refused += 1;
      if (
        Object.keys(x.state.value).some(
          (k) => viaXState.value[k] === 'ready' && x.state.value[k] === 'locked',
        )
      )
        relocked += 1;
      viaXState = x.state;
      viaTable = y.state;
      if (i % 4 === 0) visited.push(x.state);
    }
  }
  return { accepted, refused, relocked, visited, stats: table.stats() };
}

describe('TransitionTable', () => {
  const catalogues: Record<string, ProcedureDefinition> = {
    default: DEFAULT_CATALOGUE,
    'industrial-park': INDUSTRIAL_PARK_CATALOGUE,
  };
  // Walks over the first items (prerequisite edges among them) revisit states often enough for
  // the table's own path to answer; walks over all items reach rarer corners.
  it.each([
    ['default', 1, 4],
    ['default', 2, 10],
    ['industrial-park', 3, 3],
  ])('gives the states XState gives on random walks through %s (seed %i, %i items)', (name, seed, items) => {
    const { accepted, refused, stats } = walk(catalogues[name], seed, 60, 80, items);
    expect(stats.cacheable).toBe(true);
    expect(stats.regionKeys).toBe(true);
    // The walks must exercise both kinds of event and the table's own path to mean anything.
    expect(accepted).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(100);
    expect(stats.hits).toBeGreaterThan(stats.misses);
  });

  it.each(['withhold', 'revoke', 'provisional'] as const)(
    'gives the states XState gives where a broken commitment locks 容缺后置 dependents again (%s)',
    (breachPolicy) => {
      // The chain 建设用地规划许可 → 建设工程规划许可 → 施工图审查, both edges 容缺后置, on its own.
      const chain = ['land_use_permit', 'engineering_permit', 'drawing_review'];
      const def: ProcedureDefinition = {
        ...DEFAULT_CATALOGUE,
        id: 'chain',
        items: DEFAULT_CATALOGUE.items
          .filter((i) => chain.includes(i.key))
          .map((i) => ({
            ...i,
            breachPolicy,
            prerequisites: i.prerequisites.filter((e) => chain.includes(e.item)),
            // Mostly tolerable, so random submissions often lead to 容缺 and provisional approvals.
            materials: [
              { key: 'application', name: '申请表', tolerable: false },
              ...['a', 'b', 'c'].map((k) => ({ key: k, name: k, tolerable: true })),
            ],
          })),
      };
      const { accepted, relocked, stats } = walk(def, 7, 100, 80, 3, 0.3);
      expect(stats.regionKeys).toBe(true);
      expect(accepted).toBeGreaterThan(1000);
      expect(stats.hits).toBeGreaterThan(stats.misses);
      // The walks reached the edge (a dependent locked again behind a broken commitment) where
      // the policy takes the prerequisite away; under `provisional` the approval stands.
      if (breachPolicy === 'provisional') expect(relocked).toBe(0);
      else expect(relocked).toBeGreaterThanOrEqual(3);
    },
  );

  it.each(Object.keys(catalogues))(
    '%s: the guards the table asks only once per approval mode answer alike in every state of that mode',
    (name) => {
      const def = catalogues[name];
      const logic = new ProcedureLogic(def);
      const guards = (
        logic.machine.implementations as {
          guards: Record<string, (args: unknown, params: unknown) => unknown>;
        }
      ).guards;
      const { visited } = walk(def, 11, 30, 80, def.items.length);
      const params = def.items.flatMap((i) => [
        { item: i.key },
        ...i.prerequisites.map((e) => ({ item: i.key, prerequisite: e.item })),
      ]);
      expect(logic.modeGuards.size).toBeGreaterThan(0);
      for (const guard of logic.modeGuards) {
        expect(typeof guards[guard]).toBe('function');
        for (const p of params) {
          const answers = new Map<string, Set<boolean>>();
          for (const state of visited) {
            const event = { type: 'x', at: '2026-01-05T00:00:00.000Z', materials: ['a'] };
            const answer = Boolean(guards[guard]({ context: state.context, event }, p));
            const mode = state.context.approvalMode;
            answers.set(mode, (answers.get(mode) ?? new Set()).add(answer));
          }
          expect(answers.size).toBeGreaterThan(1);
          for (const [mode, seen] of answers)
            expect({ guard, p, mode, answers: seen.size }).toEqual({ guard, p, mode, answers: 1 });
        }
      }
    },
  );

  it('never takes the answers it keeps for one approval mode for another, however a tampered mode is spelt', () => {
    const logic = new ProcedureLogic(DEFAULT_CATALOGUE);
    const forged = [
      ['approval'],
      '["approval"]',
      'approval|x',
      '8:approval',
      'appro',
    ] as unknown as ApprovalMode[];
    for (const order of [forged, [...forged].reverse()]) {
      const table = new TransitionTable(logic);
      for (const mode of ['approval', ...order, 'approval', 'filing'] as ApprovalMode[]) {
        const input = { procedureId: 'p', projectId: 'j', approvalMode: mode };
        let viaXState = logic.start(input);
        let viaTable = table.start(input);
        expect(viaTable).toEqual(viaXState);
        const submit = toMachineEvent(
          'project_approval',
          'SUBMIT',
          { materials: ['application', 'feasibility_study', 'funding_plan'] } as never,
          '2026-01-05T01:00:00.000Z',
        );
        viaXState = logic.apply(viaXState, submit).state;
        viaTable = table.apply(viaTable, submit).state;
        expect(viaTable).toEqual(viaXState);
      }
    }
  });

  it('answers a repeated history from the table, not from XState', () => {
    const logic = new ProcedureLogic(DEFAULT_CATALOGUE);
    const table = new TransitionTable(logic);
    const history = (n: number) => {
      let s = table.start({ procedureId: `p${n}`, projectId: `j${n}`, approvalMode: 'verification' });
      s = table.apply(
        s,
        toMachineEvent('eia', 'SUBMIT', { materials: ['eia_report'] }, `2026-03-0${n}T01:00:00Z`),
      ).state;
      s = table.apply(
        s,
        toMachineEvent(
          'eia',
          'ACCEPT_WITH_TOLERANCE',
          { dueInWorkingDays: 5, commitmentDueAt: null },
          `2026-03-0${n}T02:00:00Z`,
        ),
      ).state;
      return s;
    };
    const first = history(1);
    const before = table.stats();
    const second = history(2);
    expect(table.stats().misses).toBe(before.misses);
    expect(second.context.items.eia.acceptedAt).toBe('2026-03-02T02:00:00Z');
    expect(second.context.procedureId).toBe('p2');
    expect(second.value).toBe(first.value);
  });

  it('reports a refused event as not accepted and leaves the state alone', () => {
    const logic = new ProcedureLogic(DEFAULT_CATALOGUE);
    const table = new TransitionTable(logic);
    const s = table.start({ procedureId: 'p', projectId: 'j', approvalMode: 'verification' });
    for (let i = 0; i < 2; i++) {
      const r = table.apply(s, toMachineEvent('eia', 'APPROVE', { documentNo: 'x' }, '2026-03-02T01:00:00Z'));
      expect(r.accepted).toBe(false);
      expect(r.state).toBe(s);
    }
  });

  it('falls back to XState for every event when a machine has an inline guard', () => {
    const machine = setup({ types: {} as { context: { n: number }; events: { type: 'inc' } } }).createMachine(
      {
        context: { n: 0 },
        initial: 'a',
        states: {
          a: {
            on: {
              inc: {
                guard: ({ context }) => context.n < 2,
                actions: assign({ n: ({ context }) => context.n + 1 }),
              },
            },
          },
        },
      },
    );
    const logic = { machine } as unknown as ProcedureLogic;
    const table = new TransitionTable(logic);
    expect(table.cacheable).toBe(false);
    let s = table.start({} as never);
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = table.apply(s, { type: 'inc', at: '' });
      s = r.state;
      seen.push((s.context as unknown as { n: number }).n);
    }
    expect(seen).toEqual([1, 2, 2, 2]);
  });
});
