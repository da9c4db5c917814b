import {
  applyRecorded,
  itemView,
  PROJECT_REGISTERED,
  ROLES,
  startState,
  type DeadlineCalculator,
  type EventMetadata,
  type ReplayEvent,
} from '@qianqi/domain';
import {
  isOutstanding,
  TASK_FORCES,
  type ApprovalMode,
  type ItemDefinition,
  type ItemStatus,
  type PersistedProcedure,
  type ProcedureLogic,
} from '@qianqi/workflows';
import {
  AGENCY,
  EFFECT,
  EFFECT_SEPARATOR,
  PROJECT_LIGHT_REASONS,
  ROLE_NAMES,
  SYSTEM_ACTOR,
  WHAT,
} from './timeline.messages';

export interface TimelineEntry {
  version: number;
  at: string;
  type: string;
  itemKey: string | null;
  actor: { id: string; name: string; role: string; department: string | null };
  text: string;
}

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
/** China keeps UTC+8 all year, so a fixed offset gives the local wall time. */
const local = (iso: string) => new Date(Date.parse(iso) + SHANGHAI_OFFSET_MS).toISOString();
const minute = (iso: string) => local(iso).slice(0, 16).replace('T', ' ');
const day = (iso: string | null | undefined) => (iso ? local(iso).slice(0, 10) : null);

const OPEN: ItemStatus[] = ['in_review', 'paused', 'correcting'];
const CLOSED: ItemStatus[] = ['approved', 'provisionally_approved', 'denied', 'withdrawn'];

function who(actor: EventMetadata['actor'] | undefined): string {
  if (!actor || !(ROLES as readonly string[]).includes(actor.role)) {
    return actor?.name && actor.name !== SYSTEM_ACTOR ? `${SYSTEM_ACTOR} ${actor.name}` : SYSTEM_ACTOR;
  }
  switch (actor.role) {
    case 'department':
      return `${AGENCY[actor.department as keyof typeof AGENCY] ?? actor.department ?? ROLE_NAMES.department} ${actor.name}`;
    case 'taskforce':
      return `${TASK_FORCES[actor.taskForce as keyof typeof TASK_FORCES] ?? ROLE_NAMES.taskforce} ${actor.name}`;
    default:
      return `${ROLE_NAMES[actor.role as keyof typeof ROLE_NAMES]} ${actor.name}`;
  }
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

function materialNames(item: ItemDefinition | undefined, keys: unknown): string[] {
  return strings(keys).map((k) => item?.materials.find((m) => m.key === k)?.name ?? k);
}

/** One readable line per event: when, who, what on which item, and what it did to the clock. */
export function timeline(
  logic: ProcedureLogic,
  events: readonly ReplayEvent[],
  opts: {
    /** The calendar the lines count working days on: one, or each event's own (as it stood then). */
    deadlines?: DeadlineCalculator | ((e: ReplayEvent) => DeadlineCalculator | undefined);
  } = {},
): TimelineEntry[] {
  const calendarOf =
    typeof opts.deadlines === 'function'
      ? opts.deadlines
      : (_e: ReplayEvent) => opts.deadlines as DeadlineCalculator | undefined;
  const entries: TimelineEntry[] = [];
  let state: PersistedProcedure | null = null;
  for (const e of events) {
    const before: PersistedProcedure | null = state;
    if (state === null) {
      if (e.type !== PROJECT_REGISTERED) break;
      state = startState(logic, e);
    } else {
      state = applyRecorded(logic, state, e);
    }
    const itemKey = typeof e.data.itemKey === 'string' ? e.data.itemKey : null;
    const what = before ? describe(logic, e, before, state, calendarOf(e)) : registration(logic, e);
    const actor = e.metadata.actor;
    entries.push({
      version: e.version,
      at: e.metadata.occurredAt,
      type: e.type,
      itemKey,
      actor: {
        id: actor?.id ?? '',
        name: actor?.name ?? '',
        role: actor?.role ?? '',
        department: actor?.department ?? null,
      },
      text: `${minute(e.metadata.occurredAt)} ${who(actor)} ${what}`,
    });
  }
  return entries;
}

function registration(logic: ProcedureLogic, e: ReplayEvent): string {
  const d = e.data as { name?: string; code?: string; approvalMode?: ApprovalMode };
  return WHAT.ProjectRegistered({
    name: d.name ?? '',
    code: d.code ?? '',
    mode: d.approvalMode ?? 'approval',
    definition: logic.definition.name,
    ref: logic.ref,
  });
}

function describe(
  logic: ProcedureLogic,
  e: ReplayEvent,
  before: PersistedProcedure,
  after: PersistedProcedure,
  deadlines: DeadlineCalculator | undefined,
): string {
  const key = typeof e.data.itemKey === 'string' ? e.data.itemKey : null;
  const def = key ? logic.item(key) : undefined;
  if (e.type === 'ProjectLightChanged') return projectLight(logic, e.data);
  if (!key || !def) return WHAT.other({ type: e.type, item: def?.name ?? key });
  const item = def.name;
  const d = e.data;
  const ctxBefore = before.context.items[key];
  const ctxAfter = after.context.items[key];
  const open = materialNames(
    def,
    ctxAfter.commitments.filter(isOutstanding).map((c) => c.material),
  );

  let what: string;
  switch (e.type) {
    case 'StepSubmitted':
      what = WHAT.StepSubmitted({
        item,
        materials: materialNames(def, d.materials),
        attempt: ctxAfter.attempt,
      });
      break;
    case 'StepAccepted':
      what = WHAT.StepAccepted({ item });
      break;
    case 'StepAcceptedWithTolerance':
      what = WHAT.StepAcceptedWithTolerance({
        item,
        missing: materialNames(def, d.missing ?? ctxAfter.commitments.map((c) => c.material)),
        days: Number(d.dueInWorkingDays),
        due: day(d.commitmentDueAt as string | null),
      });
      break;
    case 'StepReturnedForCorrection':
      what = WHAT.StepReturnedForCorrection({
        item,
        reason: d.reason,
        missing: materialNames(def, d.missing),
      });
      break;
    case 'StepResubmitted':
      what = WHAT.StepResubmitted({ item, materials: materialNames(def, d.materials) });
      break;
    case 'StepRefused':
      what = WHAT.StepRefused({ item, reason: d.reason });
      break;
    case 'SpecialProcedureStarted':
      what = WHAT.SpecialProcedureStarted({ item, kind: d.kind as never, reason: d.reason });
      break;
    case 'SpecialProcedureEnded': {
      const stop = [...ctxBefore.stops].reverse().find((s) => s.to === null && s.kind !== 'correction');
      what = WHAT.SpecialProcedureEnded({ item, kind: (stop?.kind as never) ?? null });
      break;
    }
    case 'StepApproved':
      what = WHAT.StepApproved({ item, documentNo: d.documentNo });
      break;
    case 'StepProvisionallyApproved':
      what = WHAT.StepProvisionallyApproved({ item, documentNo: d.documentNo, open });
      break;
    case 'StepDenied':
      what = WHAT.StepDenied({ item, reason: d.reason });
      break;
    case 'MaterialsSupplied':
      what = WHAT.MaterialsSupplied({ item, materials: materialNames(def, d.materials) });
      break;
    case 'StepWithdrawn':
      what = WHAT.StepWithdrawn({ item, reason: d.reason });
      break;
    case 'StepWaived':
      what = WHAT.StepWaived({ item, basis: d.basis as never, reason: d.reason });
      break;
    case 'CommitmentBreached':
      what = WHAT.CommitmentBreached({ item, materials: materialNames(def, d.materials) });
      break;
    case 'EscalationOpened':
      what = WHAT.EscalationOpened({
        item,
        reason: String(d.reason),
        taskForce: String(d.taskForce),
        due: day(d.dueAt as string | null),
      });
      break;
    case 'EscalationClimbed':
      what = WHAT.EscalationClimbed({ item, level: Number(d.level), due: day(d.dueAt as string | null) });
      break;
    case 'EscalationAcknowledged':
      what = WHAT.EscalationAcknowledged({ item });
      break;
    case 'EscalationNoteAdded':
      what = WHAT.EscalationNoteAdded({ item, text: d.text });
      break;
    case 'EscalationClosed':
      what = WHAT.EscalationClosed({ item, resolution: d.resolution });
      break;
    case 'EscalationReopened':
      what = WHAT.EscalationReopened({ item, reason: d.reason });
      break;
    case 'ItemLightChanged':
      what = WHAT.ItemLightChanged({ item, from: ctxBefore.light, to: ctxAfter.light });
      break;
    default:
      what = WHAT.other({ type: e.type, item });
  }
  const effects = effectsOf(logic, e, def, before, after, deadlines, open);
  return effects.length ? `${what}${EFFECT_SEPARATOR}${effects.join(EFFECT_SEPARATOR)}` : what;
}

function projectLight(logic: ProcedureLogic, d: Record<string, unknown>): string {
  const reasons = strings(d.reasons).map((r) =>
    r.startsWith('ITEM:') ? (logic.item(r.slice(5))?.name ?? r.slice(5)) : (PROJECT_LIGHT_REASONS[r] ?? r),
  );
  return WHAT.ProjectLightChanged({ from: d.from as never, to: d.light as never, reasons });
}

function effectsOf(
  logic: ProcedureLogic,
  e: ReplayEvent,
  def: ItemDefinition,
  before: PersistedProcedure,
  after: PersistedProcedure,
  deadlines: DeadlineCalculator | undefined,
  open: string[],
): string[] {
  const effects: string[] = [];
  const s0 = logic.status(before, def.key);
  const s1 = logic.status(after, def.key);
  const view = () => itemView(logic, after, def, { now: e.metadata.occurredAt, deadlines });
  if (s0 !== s1) {
    if (s0 === 'submitted' && s1 === 'in_review') {
      effects.push(
        EFFECT.clockStarted({
          committed: def.limits.committed,
          statutory: def.limits.statutory,
          due: day(view().committedDueAt),
        }),
      );
    } else if (s1 === 'correcting') {
      effects.push(s0 === 'in_review' ? EFFECT.clockPausedCorrection : EFFECT.clockNotStartedCorrection);
    } else if (s1 === 'paused') {
      effects.push(EFFECT.clockPausedSpecial);
    } else if (s1 === 'in_review' && (s0 === 'paused' || s0 === 'correcting')) {
      effects.push(EFFECT.clockResumed({ left: view().workingDaysLeft }));
    } else if (s1 === 'in_review' && s0 === 'provisionally_approved') {
      effects.push(EFFECT.provisionalRevoked);
    } else if (s1 === 'submitted' && s0 === 'correcting') {
      effects.push(EFFECT.awaitingAcceptance);
    } else if (s1 === 'approved' && s0 === 'provisionally_approved') {
      effects.push(EFFECT.provisionalBecameFinal);
    } else if (CLOSED.includes(s1) && OPEN.includes(s0)) {
      const v = view();
      effects.push(
        EFFECT.clockStopped({
          used: v.workingDaysUsed,
          overCommitted: v.workingDaysLeft !== null && v.workingDaysLeft < 0,
        }),
      );
    }
  }
  if (e.type === 'MaterialsSupplied')
    effects.push(open.length ? EFFECT.commitmentsOpen(open) : EFFECT.commitmentsFulfilled);
  // A denial or a withdrawal cancels the commitments still owed.
  const wasOpen = new Set(
    before.context.items[def.key].commitments.filter(isOutstanding).map((c) => c.material),
  );
  const cancelled = after.context.items[def.key].commitments
    .filter((c) => c.status === 'cancelled' && wasOpen.has(c.material))
    .map((c) => c.material);
  if (cancelled.length) effects.push(EFFECT.commitmentsCancelled(materialNames(def, cancelled)));
  if (e.type === 'CommitmentBreached' && s0 === s1 && s1 === 'provisionally_approved')
    effects.push(EFFECT.certificateWithheld);
  if (
    e.type === 'ItemLightChanged' &&
    after.context.items[def.key].statutoryBreach &&
    !before.context.items[def.key].statutoryBreach
  ) {
    effects.push(EFFECT.statutoryBreach);
  }
  const unlocked = logic.definition.items
    .filter((i) => i.key !== def.key && before.value[i.key] === 'locked' && after.value[i.key] === 'ready')
    .map((i) => i.name);
  if (unlocked.length) effects.push(EFFECT.unlocked(unlocked));
  const wasReady = logic.readyToStart(before);
  const isReady = logic.readyToStart(after);
  if (isReady !== wasReady) effects.push(isReady ? EFFECT.readyToStart : EFFECT.noLongerReady);
  return effects;
}
