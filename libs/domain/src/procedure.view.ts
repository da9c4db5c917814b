import {
  DEPARTMENTS,
  isOutstanding,
  type ItemDefinition,
  type ItemStatus,
  type Light,
  type PersistedProcedure,
  ProcedureLogic,
} from '@qianqi/workflows';
import type { ComputedDeadline, DeadlineCalculator } from './deadline.port';
import { commitmentDue } from './lights';

export interface ItemView {
  key: string;
  name: string;
  department: string;
  departmentName: string;
  stage: number;
  status: ItemStatus;
  light: Light;
  overdue: boolean;
  statutoryBreach: boolean;
  submittedAt: string | null;
  acceptedAt: string | null;
  decidedAt: string | null;
  committedDueAt: string | null;
  statutoryDueAt: string | null;
  workingDaysUsed: number | null;
  workingDaysLeft: number | null;
  provisional: boolean;
  documentNo: string | null;
  reason: string | null;
  materials: string[];
  missingMaterials: string[];
  /** The commitments with their due dates as the calendar now counts them, `provisional` as deadlines are. */
  commitments: (PersistedProcedure['context']['items'][string]['commitments'][number] & {
    provisional: boolean;
  })[];
  correction: { reason: string; missing: string[] } | null;
  waiver: { basis: string; reason: string } | null;
  clock: {
    running: boolean;
    paused: boolean;
    pausedSpans: PersistedProcedure['context']['items'][string]['stops'];
  };
  commands: string[];
}

export interface ProcedureView {
  id: string;
  projectId: string;
  definition: string;
  version: number;
  readyToStart: boolean;
  items: ItemView[];
}

const CLOCK_STOPPED: ItemStatus[] = ['correcting', 'paused'];
const CLOCK_RUNNING: ItemStatus[] = ['in_review'];

export interface ViewOptions {
  now: string;
  deadlines?: DeadlineCalculator;
}

export function itemDeadlines(
  item: ItemDefinition,
  ctx: PersistedProcedure['context']['items'][string],
  status: ItemStatus,
  opts: ViewOptions,
): { committed: ComputedDeadline | null; statutory: ComputedDeadline | null } {
  if (!opts.deadlines || !ctx.acceptedAt) return { committed: null, statutory: null };
  // After a decision the clock is frozen at the decision.
  const open = CLOCK_RUNNING.includes(status) || CLOCK_STOPPED.includes(status);
  const now = open ? opts.now : (ctx.decidedAt ?? opts.now);
  const stops = ctx.stops.filter((s) => s.to === null || s.to > ctx.acceptedAt!);
  const calc = (limit: ItemDefinition['limits']['committed']) =>
    opts.deadlines!.deadline({ startedAt: ctx.acceptedAt!, limit, stops, now });
  return { committed: calc(item.limits.committed), statutory: calc(item.limits.statutory) };
}

export function itemView(
  logic: ProcedureLogic,
  state: PersistedProcedure,
  item: ItemDefinition,
  opts: ViewOptions,
): ItemView {
  const status = logic.status(state, item.key);
  const ctx = state.context.items[item.key];
  const { committed, statutory } = itemDeadlines(item, ctx, status, opts);
  // An open commitment's due date on the calendar as it stands (a year loaded since moves it). A
  // broken one shows the date it was broken on: the later of the recorded and the recounted date
  // that lies before its breach (a year loaded after the breach does not move it). A supplied or
  // cancelled one keeps the date recorded when it was made.
  const commitments = ctx.commitments.map((c) => {
    if (c.status === 'open') return { ...c, ...commitmentDue(c, opts.deadlines) };
    if (c.status === 'breached' && c.breachedAt) {
      const recounted = commitmentDue(c, opts.deadlines).dueAt;
      const before = [c.dueAt, recounted].filter(
        (d): d is string => d !== null && Date.parse(d) < Date.parse(c.breachedAt!),
      );
      const judged = before.sort().pop() ?? c.dueAt;
      return { ...c, dueAt: judged, provisional: false };
    }
    return { ...c, provisional: false };
  });
  const unsubmitted = ['submitted', 'correcting'].includes(status);
  return {
    key: item.key,
    name: item.name,
    department: item.department,
    departmentName: DEPARTMENTS[item.department],
    stage: item.stage,
    status,
    light: ctx.light,
    overdue: ctx.overdue ?? false,
    statutoryBreach: ctx.statutoryBreach,
    submittedAt: ctx.submittedAt,
    acceptedAt: ctx.acceptedAt,
    decidedAt: ctx.decidedAt,
    committedDueAt: committed?.dueAt ?? null,
    statutoryDueAt: statutory?.dueAt ?? null,
    workingDaysUsed: committed?.used ?? null,
    workingDaysLeft: committed?.left ?? null,
    provisional: Boolean(
      committed?.provisional || statutory?.provisional || commitments.some((c) => c.provisional),
    ),
    documentNo: ctx.documentNo,
    reason: ctx.reason,
    materials: ctx.materials,
    missingMaterials: unsubmitted
      ? item.materials.filter((m) => !ctx.materials.includes(m.key)).map((m) => m.key)
      : ctx.commitments.filter(isOutstanding).map((c) => c.material),
    commitments,
    correction: ctx.correction,
    waiver: ctx.waiver,
    clock: {
      running: CLOCK_RUNNING.includes(status),
      paused: CLOCK_STOPPED.includes(status),
      pausedSpans: ctx.stops,
    },
    commands: logic.commandsAccepted(status, item.key),
  };
}

/** The shape of GET /procedures/:id, from a state and (optionally) a calendar. */
export function procedureView(
  logic: ProcedureLogic,
  state: PersistedProcedure,
  meta: { id: string; projectId: string; version: number },
  opts: ViewOptions,
): ProcedureView {
  return {
    id: meta.id,
    projectId: meta.projectId,
    definition: logic.ref,
    version: meta.version,
    readyToStart: logic.readyToStart(state),
    items: logic.applicableItems(state).map((item) => itemView(logic, state, item, opts)),
  };
}
