import { DEFAULT_CATALOGUE, ProcedureLogic, type PersistedProcedure } from '@qianqi/workflows';
import { decideCommand, type CommandRequest } from './decide-command';
import {
  chainEvents,
  GENESIS_HASH,
  PROJECT_REGISTERED,
  type EventMetadata,
  type RecordedEvent,
} from './procedure-event';
import { replay } from './replay';

const logic = new ProcedureLogic(DEFAULT_CATALOGUE);
const STREAM = '0b6a9d0e-4a55-4c1b-9b0e-1f2d3c4b5a60';
const PROJECT = '7d1e2f30-0000-4000-8000-000000000001';
const minute = (n: number) => new Date(Date.UTC(2026, 2, 2, 1, n)).toISOString();
const meta = (occurredAt: string): EventMetadata => ({
  actor: { id: 'u', name: 'u', role: 'department' },
  requestId: null,
  idempotencyKey: null,
  occurredAt,
  definition: logic.ref,
});

const commands: [string, CommandRequest][] = [
  ['project_approval', { type: 'SUBMIT', materials: ['application', 'feasibility_study'] }],
  ['eia', { type: 'SUBMIT', materials: ['eia_report'] }],
  ['project_approval', { type: 'ACCEPT_WITH_TOLERANCE', dueInWorkingDays: 3 }],
  ['eia', { type: 'RETURN_FOR_CORRECTION', reason: '补正', missing: ['public_participation'] }],
  ['project_approval', { type: 'APPROVE', documentNo: '发改〔2026〕9号' }],
  ['eia', { type: 'RESUBMIT', materials: ['public_participation', 'expert_opinion'] }],
  ['eia', { type: 'ACCEPT' }],
  ['eia', { type: 'START_SPECIAL_PROCEDURE', kind: 'expert_review', reason: '专家评审' }],
  ['project_approval', { type: 'SUPPLY_MATERIALS', materials: ['funding_plan'] }],
  ['energy_review', { type: 'WAIVE', basis: 'regional_assessment', reason: '区域评估' }],
  ['eia', { type: 'END_SPECIAL_PROCEDURE' }],
  ['land_pre_review', { type: 'SUBMIT', materials: ['application', 'site_plan', 'land_survey'] }],
  ['land_pre_review', { type: 'ACCEPT' }],
  ['land_pre_review', { type: 'DENY', reason: '选址不符合国土空间规划' }],
  ['land_pre_review', { type: 'SUBMIT', materials: ['application', 'site_plan', 'land_survey'] }],
];

/** Decides the commands one after another, recording the stream and each intermediate state. */
function record(): { events: RecordedEvent[]; states: PersistedProcedure[] } {
  let state = logic.start({ procedureId: STREAM, projectId: PROJECT, approvalMode: 'approval' });
  const states = [state];
  let events = chainEvents(
    STREAM,
    0,
    GENESIS_HASH,
    [
      {
        type: PROJECT_REGISTERED,
        data: { projectId: PROJECT, procedureId: STREAM, approvalMode: 'approval' },
      },
    ],
    meta(minute(0)),
  );
  commands.forEach(([item, cmd], i) => {
    const at = minute(i + 1);
    const last = events[events.length - 1];
    const decision = decideCommand(logic, state, item, cmd, {
      at,
      commitmentDueAt: (from, d) => `${from}+${d}`,
    });
    events = [...events, ...chainEvents(STREAM, last.version, last.hash, decision.events, meta(at))];
    state = decision.state;
    states.push(state);
  });
  return { events, states };
}

describe('replay', () => {
  const { events, states } = record();
  const final = states[states.length - 1];

  it('reproduces exactly the state reached by deciding the same commands', () => {
    const r = replay(logic, events)!;
    expect(r.state).toEqual(final);
    expect(r.version).toBe(commands.length + 1);
    expect(r.eventsApplied).toBe(events.length);
    expect(r.rejected).toEqual([]);
    // the interesting parts really are in there
    expect(logic.status(r.state, 'project_approval')).toBe('approved');
    expect(logic.status(r.state, 'eia')).toBe('in_review');
    expect(r.state.context.items.eia.stops.map((s) => s.kind)).toEqual(['correction', 'expert_review']);
    expect(logic.status(r.state, 'land_pre_review')).toBe('submitted');
    expect(r.state.context.items.land_pre_review.attempt).toBe(2);
  });

  it('reproduces every intermediate state when stopped at that moment', () => {
    for (let k = 0; k <= commands.length; k++) {
      const r = replay(logic, events, minute(k))!;
      expect(r.version).toBe(k + 1);
      expect(r.state).toEqual(states[k]);
    }
  });

  it('stops between events at the last one before the moment', () => {
    const halfway = new Date(Date.parse(minute(5)) + 30_000).toISOString();
    expect(replay(logic, events, halfway)!.state).toEqual(states[5]);
  });

  it('reports events the machine refuses (an altered stream)', () => {
    const altered = events.map((e) =>
      e.version === 8 ? { ...e, type: 'StepApproved', data: { itemKey: 'eia', documentNo: 'x' } } : e,
    );
    const r = replay(logic, altered)!;
    expect(r.rejected.length).toBeGreaterThan(0);
    expect(r.rejected[0]).toBe(8);
    expect(r.state).not.toEqual(final);
  });

  it('refuses a stream that does not start with ProjectRegistered', () => {
    expect(replay(logic, events.slice(1))).toBeNull();
    expect(replay(logic, [])).toBeNull();
  });
});
