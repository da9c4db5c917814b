import {
  actorMetadata,
  decideCommand,
  DomainError,
  PROJECT_REGISTERED,
  type Actor,
  type CommandRequest,
  type NewEvent,
} from '@qianqi/domain';
import {
  ProcedureLogic,
  type ApprovalMode,
  type ItemDefinition,
  type PersistedProcedure,
  type ProcedureDefinition,
} from '@qianqi/workflows';
import { prng } from '../../test/support/prng';

/**
 * Realistic procedure histories for the replay benchmark, decided by the real `decideCommand` on
 * the real machine: every item follows one of the paths 前期手续 take (plain approval, 容缺 with a
 * later supply, a 补正 round trip, a special procedure, a denial and a new application, a waiver,
 * or still under way), the items interleaved as their prerequisites allow.
 */
export interface TemplateEvent extends NewEvent {
  actor: ReturnType<typeof actorMetadata>;
  /** Milliseconds after the registration. */
  offset: number;
}

export interface StreamTemplate {
  mode: ApprovalMode;
  events: TemplateEvent[];
  /** The final state, with the template's ids and times (rewritten per procedure). */
  state: PersistedProcedure;
}

export const TEMPLATE_PROCEDURE_ID = '11111111-1111-4111-8111-111111111111';
export const TEMPLATE_PROJECT_ID = '22222222-2222-4222-8222-222222222222';
export const TEMPLATE_EPOCH = Date.UTC(2026, 2, 2, 1, 0, 0);

export { prng };

const applicant: Actor = {
  id: 'bench-applicant',
  name: '项目单位经办人',
  role: 'applicant',
  org: 'bench-org',
};
const officer = (item: ItemDefinition): Actor => ({
  id: `bench-${item.department}`,
  name: '审批科员',
  role: 'department',
  department: item.department,
});

function path(
  item: ItemDefinition,
  rnd: () => number,
): { cmd: CommandRequest; by: 'applicant' | 'officer' }[] {
  const all = item.materials.map((m) => m.key);
  const essential = item.materials.filter((m) => !m.tolerable).map((m) => m.key);
  const tolerable = item.materials.filter((m) => m.tolerable).map((m) => m.key);
  const a = (cmd: CommandRequest) => ({ cmd, by: 'applicant' as const });
  const o = (cmd: CommandRequest) => ({ cmd, by: 'officer' as const });
  const roll = rnd();
  if (item.waivable && roll < 0.15)
    return [o({ type: 'WAIVE', basis: 'regional_assessment', reason: '区域评估覆盖' })];
  if (tolerable.length && roll < 0.35) {
    return [
      a({ type: 'SUBMIT', materials: essential }),
      o({ type: 'ACCEPT_WITH_TOLERANCE' }),
      ...(rnd() < 0.5
        ? [o({ type: 'APPROVE', documentNo: '文号' }), a({ type: 'SUPPLY_MATERIALS', materials: tolerable })]
        : [
            a({ type: 'SUPPLY_MATERIALS', materials: tolerable }),
            o({ type: 'APPROVE', documentNo: '文号' }),
          ]),
    ];
  }
  if (roll < 0.5) {
    return [
      a({ type: 'SUBMIT', materials: essential }),
      o({ type: 'RETURN_FOR_CORRECTION', reason: '材料不全', missing: tolerable }),
      a({ type: 'RESUBMIT', materials: all }),
      o({ type: 'ACCEPT' }),
      o({ type: 'APPROVE', documentNo: '文号' }),
    ];
  }
  if (roll < 0.62) {
    return [
      a({ type: 'SUBMIT', materials: all }),
      o({ type: 'ACCEPT' }),
      o({
        type: 'START_SPECIAL_PROCEDURE',
        kind: rnd() < 0.5 ? 'expert_review' : 'public_notice',
        reason: '依法需要',
      }),
      o({ type: 'END_SPECIAL_PROCEDURE' }),
      o({ type: 'APPROVE', documentNo: '文号' }),
    ];
  }
  if (roll < 0.7) {
    return [
      a({ type: 'SUBMIT', materials: all }),
      o({ type: 'ACCEPT' }),
      o({ type: 'DENY', reason: '不符合规划' }),
      a({ type: 'SUBMIT', materials: all }),
      o({ type: 'ACCEPT' }),
      o({ type: 'APPROVE', documentNo: '文号' }),
    ];
  }
  const plain = [
    a({ type: 'SUBMIT', materials: all }),
    o({ type: 'ACCEPT' }),
    o({ type: 'APPROVE', documentNo: '文号' }),
  ];
  return roll < 0.85 ? plain : plain.slice(0, 1 + Math.floor(rnd() * 2)); // still under way
}

/** One history of about `length` events (registration included). */
export function makeTemplate(
  def: ProcedureDefinition,
  logic: ProcedureLogic,
  seed: number,
  length: number,
): StreamTemplate {
  const rnd = prng(seed);
  const mode: ApprovalMode = (['approval', 'verification', 'filing'] as const)[Math.floor(rnd() * 3)];
  let state = logic.start({
    procedureId: TEMPLATE_PROCEDURE_ID,
    projectId: TEMPLATE_PROJECT_ID,
    approvalMode: mode,
  });
  const events: TemplateEvent[] = [
    {
      type: PROJECT_REGISTERED,
      data: {
        projectId: TEMPLATE_PROJECT_ID,
        procedureId: TEMPLATE_PROCEDURE_ID,
        code: '',
        name: '基准测试项目',
        approvalMode: mode,
        region: '330800',
        ownerOrg: 'bench-org',
        plannedStartDate: '2027-06-30',
        leader: null,
      },
      actor: actorMetadata(applicant),
      offset: 0,
    },
  ];
  const queues = new Map(
    def.items
      .filter((i) => logic.status(state, i.key) !== 'not_applicable')
      .map((i) => [i.key, path(i, rnd)]),
  );
  let offset = 0;
  while (events.length < length && queues.size) {
    const ready = [...queues.entries()].filter(([key]) => logic.status(state, key) !== 'locked');
    if (!ready.length) break;
    const [key, queue] = ready[Math.floor(rnd() * ready.length)];
    const step = queue.shift()!;
    if (!queue.length) queues.delete(key);
    offset += 3_600_000 * (1 + Math.floor(rnd() * 30));
    const at = new Date(TEMPLATE_EPOCH + offset).toISOString();
    const item = logic.item(key)!;
    try {
      const decision = decideCommand(logic, state, key, step.cmd, {
        at,
        commitmentDueAt: (from, days) => new Date(Date.parse(from) + days * 86_400_000).toISOString(),
      });
      state = decision.state;
      const actor = actorMetadata(step.by === 'applicant' ? applicant : officer(item));
      for (const e of decision.events) events.push({ ...e, actor, offset });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      queues.delete(key); // a path the machine refuses here ends the item's story
    }
  }
  return { mode, events, state };
}
