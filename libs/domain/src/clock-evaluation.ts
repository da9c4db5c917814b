import { toMachineEvent, type Light, type PersistedProcedure, type ProcedureLogic } from '@qianqi/workflows';
import type { DeadlineCalculator } from './deadline.port';
import {
  dueCommitments,
  itemLight,
  nextCommitmentDueAt,
  nextLightChangeAt,
  openCommitmentDues,
  thresholdsOf,
} from './lights';
import { EVENT_OF_COMMAND, type NewEvent } from './procedure-event';
import { itemDeadlines } from './procedure.view';

export const PROJECT_LIGHT_CHANGED = 'ProjectLightChanged';
export type ProjectLightReason = 'NOT_STARTED_ON_PLAN' | 'COMMITMENT_BREACHED' | `ITEM:${string}`;

export interface ClockEvaluation {
  state: PersistedProcedure;
  events: NewEvent[];
  /** Items that went past their committed limit now (an OVERDUE ticket opens) and broken commitments. */
  turnedRed: string[];
  breached: { itemKey: string; materials: string[] }[];
}

/**
 * What time alone changes in a procedure at `now`: commitments past due are broken (through the
 * machine, so the definition's breach policy applies) and item lights follow their deadlines.
 * Each change is an event, so replay shows when it happened. Pure: `now` and the calendar come in.
 */
export function evaluateClock(
  logic: ProcedureLogic,
  start: PersistedProcedure,
  now: string,
  calc: DeadlineCalculator | undefined,
): ClockEvaluation {
  let state = start;
  const events: NewEvent[] = [];
  const turnedRed: string[] = [];
  const breached: ClockEvaluation['breached'] = [];
  const t = thresholdsOf(logic.definition);
  for (const item of logic.applicableItems(state)) {
    const materials = dueCommitments(state.context.items[item.key], now, calc);
    if (materials.length) {
      const r = logic.apply(state, toMachineEvent(item.key, 'BREACH_COMMITMENTS', { materials }, now));
      if (r.changed) {
        state = r.state;
        events.push({
          type: EVENT_OF_COMMAND.BREACH_COMMITMENTS,
          data: {
            itemKey: item.key,
            materials,
            policy: item.breachPolicy ?? 'withhold',
            status: logic.status(state, item.key),
          },
        });
        breached.push({ itemKey: item.key, materials });
      }
    }
    if (!calc) continue;
    const status = logic.status(state, item.key);
    const ctx = state.context.items[item.key];
    const d = itemDeadlines(item, ctx, status, { now, deadlines: calc });
    const next = itemLight(status, ctx, d, item.limits.committed.n, t, now);
    if (
      next.light !== ctx.light ||
      next.statutoryBreach !== ctx.statutoryBreach ||
      next.overdue !== ctx.overdue
    ) {
      const r = logic.apply(state, toMachineEvent(item.key, 'SET_LIGHT', next, now));
      if (r.changed) {
        events.push({
          type: EVENT_OF_COMMAND.SET_LIGHT,
          data: {
            itemKey: item.key,
            ...next,
            from: ctx.light,
            committedDueAt: d.committed?.dueAt ?? null,
            workingDaysLeft: d.committed?.left ?? null,
          },
        });
        if (next.overdue && !ctx.overdue) turnedRed.push(item.key);
        state = r.state;
      }
    }
  }
  return { state, events, turnedRed, breached };
}

const SEVERITY: Light[] = ['green', 'blue', 'yellow', 'red'];

export function shanghaiToday(now: string): string {
  return new Date(Date.parse(now) + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** What a project's light is made of, however it is read. */
export interface ProjectLightInputs {
  /** The applicable items, in definition order, with their lights. */
  items: { key: string; light: Light }[];
  /** Some commitment is broken and not made good. */
  breached: boolean;
  readyToStart: boolean;
}

/** The project's light: the worst of its items, red when it should have started and has not. */
export function projectLightOf(
  inputs: ProjectLightInputs,
  plannedStartDate: string,
  now: string,
): { light: Light; reasons: ProjectLightReason[] } {
  let light: Light = inputs.items.reduce<Light>(
    (w, i) => (SEVERITY.indexOf(i.light) > SEVERITY.indexOf(w) ? i.light : w),
    'green',
  );
  const reasons: ProjectLightReason[] = [];
  // The same instant the PROJECT_START timer fires at, so the timer finds the project late.
  if (Date.parse(now) >= Date.parse(plannedStartPassesAt(plannedStartDate)) && !inputs.readyToStart) {
    light = 'red';
    reasons.push('NOT_STARTED_ON_PLAN');
  }
  if (inputs.breached) reasons.push('COMMITMENT_BREACHED');
  if (light !== 'green') {
    for (const i of inputs.items) if (i.light === light) reasons.push(`ITEM:${i.key}`);
  }
  return { light, reasons };
}

/** The project's light, read from a procedure's state. */
export function projectLight(
  logic: ProcedureLogic,
  state: PersistedProcedure,
  project: { plannedStartDate: string },
  now: string,
): { light: Light; reasons: ProjectLightReason[] } {
  const items = logic.applicableItems(state).map((i) => ({ key: i.key, ctx: state.context.items[i.key] }));
  return projectLightOf(
    {
      items: items.map((i) => ({ key: i.key, light: i.ctx.light })),
      breached: items.some((i) => i.ctx.commitments.some((c) => c.status === 'breached')),
      readyToStart: logic.readyToStart(state),
    },
    project.plannedStartDate,
    now,
  );
}

/**
 * A quiet procedure — no item on the clock (in review, paused, correcting) and no commitment
 * unfulfilled — is one time cannot change: evaluateClock finds nothing (every item's light is
 * green, no commitment can fall due) and the only timer it wants is the plan's. So its tick needs
 * the project alone: its light as `projectLightOf` gives it with every item green, and this.
 */
export function quietTimers(
  readyToStart: boolean,
  project: { plannedStartDate: string },
  now: string,
): DesiredTimer {
  return projectStartTimer(readyToStart, project.plannedStartDate, now);
}

const plannedStartCache = new Map<string, string>();

/** The instant after the planned start day ends (Asia/Shanghai), when 应开工未开工 can begin. */
export function plannedStartPassesAt(plannedStartDate: string): string {
  let at = plannedStartCache.get(plannedStartDate);
  if (at === undefined) {
    at = new Date(Date.parse(`${plannedStartDate}T23:59:59.000+08:00`) + 1).toISOString();
    if (plannedStartCache.size < 10_000) plannedStartCache.set(plannedStartDate, at);
  }
  return at;
}

/** The plan's timer: the end of the planned start day, while the procedure is not ready for it. */
function projectStartTimer(readyToStart: boolean, plannedStartDate: string, now: string): DesiredTimer {
  return {
    kind: 'PROJECT_START',
    target: 'project',
    dueAt: readyToStart ? null : future(plannedStartPassesAt(plannedStartDate), now),
    provisional: false,
  };
}

function future(at: string | null, now: string): string | null {
  return at !== null && Date.parse(at) > Date.parse(now) ? at : null;
}

export type TimerKind = 'ITEM_LIGHT' | 'COMMITMENT_DUE' | 'PROJECT_START' | 'ESCALATION_LEVEL';

export interface DesiredTimer {
  kind: TimerKind;
  target: string;
  dueAt: string | null;
  provisional: boolean;
}

/**
 * The timers a procedure wants at `now`: one light timer and one commitment timer per item, one for
 * the plan. Each is due strictly after `now`, or null: the state passed in is the one time's
 * consequences at `now` were already evaluated on, so a timer due at or before `now` would fire,
 * change nothing and be armed again at the same instant, for ever.
 */
export function desiredTimers(
  logic: ProcedureLogic,
  state: PersistedProcedure,
  project: { plannedStartDate: string },
  now: string,
  calc: DeadlineCalculator | undefined,
  onlyItems?: Set<string>,
): DesiredTimer[] {
  const t = thresholdsOf(logic.definition);
  const out: DesiredTimer[] = [];
  for (const item of logic.applicableItems(state)) {
    if (onlyItems && !onlyItems.has(item.key)) continue;
    const ctx = state.context.items[item.key];
    const status = logic.status(state, item.key);
    let provisional = false;
    let lightAt: string | null = null;
    if (calc) {
      lightAt = nextLightChangeAt(item, status, ctx, calc, t, now);
      if (lightAt)
        provisional =
          itemDeadlines(item, ctx, status, { now, deadlines: calc }).committed?.provisional ?? false;
    }
    out.push({ kind: 'ITEM_LIGHT', target: `item:${item.key}`, dueAt: future(lightAt, now), provisional });
    const dues = openCommitmentDues(ctx, calc);
    out.push({
      kind: 'COMMITMENT_DUE',
      target: `item:${item.key}`,
      dueAt: nextCommitmentDueAt(dues, now),
      provisional: dues.some((d) => d.provisional),
    });
  }
  out.push(projectStartTimer(logic.readyToStart(state), project.plannedStartDate, now));
  return out;
}
