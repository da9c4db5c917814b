import { actorMetadata, decideCommand, type CommandRequest } from '@qianqi/domain';
import type { LoadedProcedure } from '@qianqi/persistence';
import { BUILT_IN_DEFINITIONS, type PersistedProcedure } from '@qianqi/workflows';
import { CalendarDeadlines } from './calendar-deadlines';
import { DefinitionsService } from './definitions.service';
import { ProcedureWriter } from './procedure-writer';

/**
 * A quiet procedure's tick read from its project row alone (planQuiet, what a batch of timers
 * does) must decide exactly what the full tick on its state decides (plan). Procedures are driven
 * by random commands to states with nothing on the clock, then ticked at random instants around
 * their planned start, with the project's stored light random too.
 */
const definitions = new DefinitionsService({} as never, []);
const calendar = new CalendarDeadlines();
const writer = new ProcedureWriter({} as never, definitions, calendar);
const meta = {
  actor: actorMetadata({ id: 'system', name: '系统', role: 'admin' }),
  requestId: null,
  idempotencyKey: null,
};
const CLOCKED = ['in_review', 'paused', 'correcting'];

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function isQuiet(state: PersistedProcedure): boolean {
  return Object.entries(state.value).every(
    ([key, status]) =>
      status === 'not_applicable' ||
      (!CLOCKED.includes(status) &&
        state.context.items[key].commitments.every(
          (c) => c.status === 'fulfilled' || c.status === 'cancelled',
        )),
  );
}

describe('ProcedureWriter.planQuiet', () => {
  for (const def of BUILT_IN_DEFINITIONS) {
    it(`decides what plan decides, for quiet procedures of ${def.id}`, () => {
      const { logic } = definitions.get(`${def.id}@${def.version}`);
      const rnd = prng(def.id.length * 7919);
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
      let compared = 0;
      for (let n = 0; n < 300; n++) {
        let state = logic.start({
          procedureId: `p${n}`,
          projectId: `j${n}`,
          approvalMode: pick(['approval', 'verification', 'filing'] as const),
        });
        let at = Date.parse('2026-03-02T02:00:00.000Z');
        for (let step = 0; step < 30; step++) {
          at += Math.floor(rnd() * 3 * 86_400_000);
          const item = pick(def.items);
          const materials = item.materials.filter(() => rnd() < 0.8).map((m) => m.key);
          const cmd: CommandRequest = pick<CommandRequest>([
            { type: 'SUBMIT', materials },
            { type: 'ACCEPT' },
            { type: 'ACCEPT_WITH_TOLERANCE' },
            { type: 'REFUSE', reason: '不予受理' },
            { type: 'APPROVE', documentNo: '文号' },
            { type: 'DENY', reason: '不予许可' },
            { type: 'WITHDRAW', reason: '撤回' },
            { type: 'WAIVE', basis: 'regional_assessment', reason: '区域评估' },
            { type: 'SUPPLY_MATERIALS', materials: item.materials.map((m) => m.key) },
          ]);
          try {
            state = decideCommand(logic, state, item.key, cmd, {
              at: new Date(at).toISOString(),
              commitmentDueAt: (from, days) => calendar.workingDaysAfter(from, days).dueAt,
            }).state;
          } catch {
            /* refused: the state stays */
          }
        }
        if (!isQuiet(state)) continue;
        const plannedStartDate = new Date(at + (rnd() - 0.5) * 20 * 86_400_000).toISOString().slice(0, 10);
        const tickAt = new Date(at + Math.floor(rnd() * 10 * 86_400_000)).toISOString();
        const stored = pick([
          { light: 'green', lightReasons: [] },
          { light: 'red', lightReasons: ['NOT_STARTED_ON_PLAN'] },
          { light: 'yellow', lightReasons: ['ITEM:eia'] },
        ]);
        const loaded: LoadedProcedure = {
          procedureId: `p${n}`,
          projectId: `j${n}`,
          definition: logic.ref,
          version: 7,
          lastHash: 'ab'.repeat(32),
          state,
          updatedAt: new Date(at).toISOString(),
          project: {
            ownerOrg: 'o',
            leader: null,
            code: 'c',
            name: 'n',
            plannedStartDate,
            region: 'r',
            ...stored,
          },
        };
        const fired = { kind: 'PROJECT_START', target: 'project' };
        const full = writer.plan(loaded, { state, events: [] }, tickAt, meta, { refire: fired });
        const quiet = writer.planQuiet(loaded, logic.readyToStart(state), tickAt, meta, fired);
        expect(full.next.state).toBe(state);
        expect(full.append.items).toEqual([]);
        expect(quiet.events).toEqual(full.events);
        expect(quiet.project).toEqual(full.append.project);
        const slot = full.append.timers!.find((t) => t.kind === 'PROJECT_START')!;
        expect(full.append.timers!.filter((t) => t !== slot)).toEqual([]);
        expect(quiet.slot).toEqual({ dueAt: slot.due_at, provisional: slot.provisional });
        compared += 1;
      }
      expect(compared).toBeGreaterThan(30);
    });
  }
});
