import { EVENT_OF_COMMAND, PROJECT_REGISTERED, replay, type ReplayEvent } from '@qianqi/domain';
import {
  COMMAND_TYPES,
  DEFAULT_CATALOGUE,
  ProcedureLogic,
  type ApprovalMode,
  type ItemEventType,
} from '@qianqi/workflows';
import { replayWithTable } from './table.replay';
import { TransitionTable } from './transition.table';
import { prng } from '../../../test/support/prng';

const logic = new ProcedureLogic(DEFAULT_CATALOGUE);

/**
 * A recorded stream as the store reads it: a registration, then item events the live engine
 * mostly would have accepted (aimed by the real machine's state) and some it would have refused,
 * with fresh data objects each time it is read.
 */
function randomStream(seed: number, length: number): () => ReplayEvent[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const mode = pick(['approval', 'verification', 'filing'] as const satisfies readonly ApprovalMode[]);
  const meta = (at: number) => ({ occurredAt: new Date(at).toISOString(), definition: logic.ref }) as never;
  let t = Date.UTC(2026, 2, 2);
  const events: ReplayEvent[] = [
    {
      version: 1,
      type: PROJECT_REGISTERED,
      data: { procedureId: `p-${seed}`, projectId: `j-${seed}`, approvalMode: mode },
      metadata: meta(t),
    },
  ];
  let state = logic.start({ procedureId: `p-${seed}`, projectId: `j-${seed}`, approvalMode: mode });
  for (let v = 2; v <= length; v++) {
    const item = pick(DEFAULT_CATALOGUE.items.slice(0, 5));
    const offered = logic.commandsAccepted(logic.status(state, item.key), item.key);
    const command: ItemEventType =
      offered.length && rnd() < 0.85 ? pick(offered) : pick([...COMMAND_TYPES, 'SET_LIGHT'] as const);
    const materials = item.materials.filter(() => rnd() < 0.6).map((m) => m.key);
    const data = {
      itemKey: item.key,
      materials,
      missing: materials,
      reason: '理由',
      documentNo: `D-${v}`,
      dueInWorkingDays: 1 + Math.floor(rnd() * 10),
      light: pick(['green', 'yellow', 'red'] as const),
      // A stored field by the name of a machine event's own: replay's type and time win over it.
      ...(rnd() < 0.1 ? { type: 'forged', at: '1999-01-01T00:00:00.000Z' } : {}),
    };
    t += Math.floor(rnd() * 86_400_000);
    events.push({ version: v, type: EVENT_OF_COMMAND[command], data, metadata: meta(t) });
    state = logic.apply(state, {
      ...data,
      type: `${item.key}.${command}`,
      at: new Date(t).toISOString(),
    } as never).state;
  }
  return () => JSON.parse(JSON.stringify(events)) as ReplayEvent[];
}

describe('replayWithTable', () => {
  it('folds streams as replay() does, taking scratch data as machine events in place or copying it', () => {
    const table = new TransitionTable(logic);
    let rejected = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const read = randomStream(seed, 60);
      const expected = replay(logic, read())!;
      const copied = read();
      const untouched = JSON.stringify(copied.map((e) => e.data));
      expect(replayWithTable(table, copied)).toEqual(expected);
      // Without the option, the caller's data stays as it was.
      expect(JSON.stringify(copied.map((e) => e.data))).toBe(untouched);
      const scratch = read();
      expect(replayWithTable(table, scratch, { dataIsScratch: true })).toEqual(expected);
      rejected += expected.rejected.length;
    }
    // The streams must hold refused events and reach the table's own paths to mean anything.
    expect(rejected).toBeGreaterThan(20);
    expect(table.stats().hits).toBeGreaterThan(table.stats().misses);
  });
});
