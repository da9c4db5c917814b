import { createHash } from 'node:crypto';
import {
  actorMetadata,
  chainEvents,
  decideCommand,
  GENESIS_HASH,
  PROJECT_REGISTERED,
  type Actor,
  type CommandRequest,
  type RecordedEvent,
} from '../../libs/domain/src';
import type { StoredStream } from '../../libs/audit/src';
import {
  ProcedureLogic,
  type ApprovalMode,
  type PersistedProcedure,
  type ProcedureDefinition,
} from '../../workflows/src';

/**
 * Pure streams for the audit's unit tests: the real decideCommand and chainEvents, no database,
 * times given by the test. Ids are derived from a seed so a test names its own.
 */
export const streamActors = {
  applicant: { id: 'app-1', name: '李四', role: 'applicant', org: 'org-quzhou' } as Actor,
  ecology: { id: 'eco-1', name: '张三', role: 'department', department: 'ecology' } as Actor,
  ndrc: { id: 'ndrc-1', name: '王五', role: 'department', department: 'ndrc' } as Actor,
  housing: { id: 'hou-1', name: '赵六', role: 'department', department: 'housing' } as Actor,
};

export interface StreamStep {
  item: string;
  cmd: CommandRequest;
  actor: Actor;
  at: string;
}

export interface BuiltStream {
  procedureId: string;
  projectId: string;
  events: RecordedEvent[];
  state: PersistedProcedure;
  /** The stream as the database would hold it: snapshot and read models in step with it. */
  stored: StoredStream;
}

export function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function buildStream(
  def: ProcedureDefinition,
  steps: StreamStep[],
  opts: {
    seed?: string;
    mode?: ApprovalMode;
    registeredAt?: string;
    commitmentDueAt?: (at: string, days: number) => string | null;
  } = {},
): BuiltStream {
  const logic = new ProcedureLogic(def);
  const seed = opts.seed ?? 'stream';
  const procedureId = uuidFrom(`${seed}/procedure`);
  const projectId = uuidFrom(`${seed}/project`);
  const mode = opts.mode ?? 'verification';
  const registeredAt = opts.registeredAt ?? '2026-03-02T01:00:00.000Z';
  const meta = (actor: Actor, at: string) => ({
    actor: actorMetadata(actor),
    requestId: `req-${at}`,
    idempotencyKey: null,
    occurredAt: at,
    definition: logic.ref,
  });
  let state = logic.start({ procedureId, projectId, approvalMode: mode });
  const events: RecordedEvent[] = chainEvents(
    procedureId,
    0,
    GENESIS_HASH,
    [
      {
        type: PROJECT_REGISTERED,
        data: {
          projectId,
          procedureId,
          code: '2026-330800-48-01-100231',
          name: '常山江航电枢纽',
          approvalMode: mode,
          region: '330800',
          ownerOrg: 'org-quzhou',
          plannedStartDate: '2027-06-30',
          leader: null,
        },
      },
    ],
    meta(streamActors.applicant, registeredAt),
  );
  for (const s of steps) {
    const decision = decideCommand(logic, state, s.item, s.cmd, {
      at: s.at,
      commitmentDueAt: opts.commitmentDueAt ?? (() => null),
    });
    state = decision.state;
    const last = events[events.length - 1];
    events.push(...chainEvents(procedureId, last.version, last.hash, decision.events, meta(s.actor, s.at)));
  }
  const last = events[events.length - 1];
  const items = Object.fromEntries(
    logic.applicableItems(state).map((i) => [i.key, logic.status(state, i.key)]),
  );
  return {
    procedureId,
    projectId,
    events,
    state,
    stored: {
      procedureId,
      snapshot: {
        definition: logic.ref,
        version: last.version,
        lastHash: last.hash,
        state: JSON.parse(JSON.stringify(state)),
      },
      items,
      readyToStart: logic.readyToStart(state),
      events: events.map(({ version, type, data, metadata, prevHash, hash }) =>
        JSON.parse(JSON.stringify({ version, type, data, metadata, prevHash, hash })),
      ),
    },
  };
}

/** 2026-03-02 (a Monday) 09:00 China time plus n hours. */
export function hour(n: number): string {
  return new Date(Date.UTC(2026, 2, 2, 1) + n * 3_600_000).toISOString();
}

/** The steps of one 环评 with 容缺, a 补正 round trip on 节能审查 and a special procedure. */
export function auditScenario(): StreamStep[] {
  const { applicant, ecology, ndrc } = streamActors;
  return [
    {
      item: 'eia',
      cmd: { type: 'SUBMIT', materials: ['eia_report', 'expert_opinion'] },
      actor: applicant,
      at: hour(1),
    },
    { item: 'eia', cmd: { type: 'ACCEPT_WITH_TOLERANCE', dueInWorkingDays: 5 }, actor: ecology, at: hour(2) },
    {
      item: 'energy_review',
      cmd: { type: 'SUBMIT', materials: ['energy_report'] },
      actor: applicant,
      at: hour(3),
    },
    {
      item: 'energy_review',
      cmd: { type: 'RETURN_FOR_CORRECTION', reason: '缺评审意见', missing: ['energy_opinion'] },
      actor: ndrc,
      at: hour(4),
    },
    {
      item: 'energy_review',
      cmd: { type: 'RESUBMIT', materials: ['energy_opinion'] },
      actor: applicant,
      at: hour(24 + 1),
    },
    { item: 'energy_review', cmd: { type: 'ACCEPT' }, actor: ndrc, at: hour(24 + 2) },
    {
      item: 'eia',
      cmd: { type: 'START_SPECIAL_PROCEDURE', kind: 'expert_review', reason: '组织专家评审' },
      actor: ecology,
      at: hour(48 + 1),
    },
    { item: 'eia', cmd: { type: 'END_SPECIAL_PROCEDURE' }, actor: ecology, at: hour(7 * 24 + 1) },
    {
      item: 'eia',
      cmd: { type: 'SUPPLY_MATERIALS', materials: ['public_participation'] },
      actor: applicant,
      at: hour(7 * 24 + 2),
    },
    {
      item: 'eia',
      cmd: { type: 'APPROVE', documentNo: '衢环建〔2026〕7号' },
      actor: ecology,
      at: hour(8 * 24 + 1),
    },
  ];
}
