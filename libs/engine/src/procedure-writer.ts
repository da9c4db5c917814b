import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  chainEvents,
  desiredTimers,
  evaluateClock,
  itemView,
  PROJECT_LIGHT_CHANGED,
  procedureView,
  projectLight,
  projectLightOf,
  quietTimers,
  type DeadlineCalculator,
  type DesiredTimer,
  type EventMetadata,
  type NewEvent,
  type ProcedureView,
  type RecordedEvent,
} from '@qianqi/domain';
import {
  ProcedureStore,
  type AppendInput,
  type ArmedTimer,
  type EntityManager,
  type LoadedProcedure,
  type TimerRow,
} from '@qianqi/persistence';
import type { PersistedProcedure } from '@qianqi/workflows';
import { DefinitionsService } from './definitions.service';
import { itemRow, itemRows, sameFields } from './read-model';
import { DEADLINES } from './tokens';

export interface QuietPlan {
  events: RecordedEvent[];
  project: { readyToStart: boolean; light: string; lightReasons: unknown[] };
  /** What becomes of the fired timer's slot. */
  slot: { dueAt: string | null; provisional: boolean };
}

export interface WritePlan {
  procedureId: string;
  events: RecordedEvent[];
  /** The procedure after the write, as GET /procedures/:id shows it (computed on first use). */
  readonly after: ProcedureView;
  /** The state, version and head hash the procedure is at once the write commits. */
  next: { state: PersistedProcedure; version: number; lastHash: string; project: LoadedProcedure['project'] };
  append: Omit<AppendInput, 'idempotency'>;
  /** Items that turned red and commitments that broke in this write: tickets to open. */
  turnedRed: string[];
  breached: { itemKey: string; materials: string[] }[];
}

function timerRows(t: DesiredTimer[]): TimerRow[] {
  return t.map((x) => ({ kind: x.kind, target: x.target, due_at: x.dueAt, provisional: x.provisional }));
}

function changedTimers(before: DesiredTimer[], after: DesiredTimer[]): DesiredTimer[] {
  // Both lists come from desiredTimers over the same items, so they are almost always aligned:
  // compare pairwise then, and match by kind and target only when they are not.
  const aligned =
    before.length === after.length &&
    after.every((t, i) => before[i].kind === t.kind && before[i].target === t.target);
  if (aligned) return after.filter((t, i) => !sameFields(before[i], t));
  const key = (t: DesiredTimer) => `${t.kind}|${t.target}`;
  const old = new Map(before.map((t) => [key(t), t]));
  return after.filter((t) => !sameFields(old.get(key(t)), t));
}

/**
 * The items a write can have changed: those whose status or context object differs. The machine's
 * assigns replace only the item they touch (the others keep their object), and every read-model
 * field and timer of an item is a function of its status, its context, the calendar and the
 * instant — so an item that is the same object in the same status has the same rows and timers
 * at the same instant, and need not be computed twice.
 */
function changedItems(before: PersistedProcedure, after: PersistedProcedure): Set<string> {
  const keys = new Set<string>();
  for (const key of Object.keys(after.context.items)) {
    if (before.value[key] !== after.value[key] || before.context.items[key] !== after.context.items[key])
      keys.add(key);
  }
  return keys;
}

/**
 * Turns a decision into one write: time's consequences (lights, broken commitments), the project
 * light, the read-model rows and timers that changed, and the hash-chained events.
 */
@Injectable()
export class ProcedureWriter {
  constructor(
    private readonly store: ProcedureStore,
    private readonly definitions: DefinitionsService,
    @Optional() @Inject(DEADLINES) private readonly deadlines?: DeadlineCalculator,
  ) {}

  /** Whether this deployment decides procedures of `definition` (`DefinitionsService.ships`). */
  decides(definition: string): boolean {
    return this.definitions.ships(definition);
  }

  /** The definition versions this deployment decides (`DefinitionsService.shipped`). */
  shipped(): string[] {
    return this.definitions.shipped();
  }

  plan(
    loaded: LoadedProcedure,
    decided: { state: PersistedProcedure; events: NewEvent[] },
    at: string,
    metadata: Omit<EventMetadata, 'occurredAt' | 'definition'>,
    opts: { allTimers?: boolean; refire?: { kind: string; target: string } } = {},
  ): WritePlan {
    const { logic, definition } = this.definitions.get(loaded.definition);
    const calc = this.deadlines;
    const clock = evaluateClock(logic, decided.state, at, calc);
    const state = clock.state;
    const newEvents = [...decided.events, ...clock.events];
    const light = projectLight(logic, state, loaded.project, at);
    if (light.light !== loaded.project.light || !sameReasons(light.reasons, loaded.project.lightReasons)) {
      newEvents.push({
        type: PROJECT_LIGHT_CHANGED,
        data: { light: light.light, reasons: light.reasons, from: loaded.project.light },
      });
    }
    const events = newEvents.length
      ? chainEvents(loaded.procedureId, loaded.version, loaded.lastHash, newEvents, {
          ...metadata,
          occurredAt: at,
          definition: logic.ref,
        })
      : [];
    const last = events[events.length - 1];
    const version = last ? last.version : loaded.version;
    const viewOpts = { now: at, deadlines: calc };
    const changed = changedItems(loaded.state, state);
    const items = logic
      .applicableItems(state)
      .filter((i) => changed.has(i.key))
      .map((i) => itemRow(definition, itemView(logic, state, i, viewOpts)));
    // A timer that fired must be re-armed (or cancelled) even when nothing else about it changed.
    const refired = opts.refire?.target.startsWith('item:') ? opts.refire.target.slice(5) : null;
    const timerItems = refired && !changed.has(refired) ? new Set([...changed, refired]) : changed;
    const wanted = desiredTimers(
      logic,
      state,
      loaded.project,
      at,
      calc,
      opts.allTimers ? undefined : timerItems,
    );
    const timers = opts.allTimers
      ? wanted
      : changedTimers(desiredTimers(logic, loaded.state, loaded.project, at, calc, timerItems), wanted);
    const slot =
      opts.refire && wanted.find((t) => t.kind === opts.refire!.kind && t.target === opts.refire!.target);
    if (slot && !timers.includes(slot)) timers.push(slot);
    let view: ProcedureView | null = null;
    return {
      procedureId: loaded.procedureId,
      events,
      get after() {
        view ??= procedureView(
          logic,
          state,
          { id: loaded.procedureId, projectId: loaded.projectId, version },
          viewOpts,
        );
        return view;
      },
      next: {
        state,
        version,
        lastHash: last ? last.hash : loaded.lastHash,
        project: { ...loaded.project, light: light.light, lightReasons: light.reasons },
      },
      turnedRed: clock.turnedRed,
      breached: clock.breached,
      append: {
        procedureId: loaded.procedureId,
        expectedVersion: loaded.version,
        state,
        events,
        items,
        project: { readyToStart: logic.readyToStart(state), light: light.light, lightReasons: light.reasons },
        at,
        timers: timerRows(timers),
      },
    };
  }

  /**
   * The tick of a quiet procedure (see `quietTimers`): what `plan` decides for it, from the
   * project row alone — its light with every item green, and the fired timer's slot (the plan's
   * timer, or nothing for an item's). No state is read or written.
   */
  planQuiet(
    loaded: Omit<LoadedProcedure, 'state'>,
    readyToStart: boolean,
    at: string,
    metadata: Omit<EventMetadata, 'occurredAt' | 'definition'>,
    fired: { kind: string; target: string },
  ): QuietPlan {
    const { logic } = this.definitions.get(loaded.definition);
    const light = projectLightOf(
      { items: [], breached: false, readyToStart },
      loaded.project.plannedStartDate,
      at,
    );
    const events: NewEvent[] = [];
    if (light.light !== loaded.project.light || !sameReasons(light.reasons, loaded.project.lightReasons)) {
      events.push({
        type: PROJECT_LIGHT_CHANGED,
        data: { light: light.light, reasons: light.reasons, from: loaded.project.light },
      });
    }
    const slot =
      fired.kind === 'PROJECT_START'
        ? quietTimers(readyToStart, loaded.project, at)
        : { kind: fired.kind, target: fired.target, dueAt: null, provisional: false };
    return {
      events: events.length
        ? chainEvents(loaded.procedureId, loaded.version, loaded.lastHash, events, {
            ...metadata,
            occurredAt: at,
            definition: logic.ref,
          })
        : [],
      project: { readyToStart, light: light.light, lightReasons: light.reasons },
      slot: { dueAt: slot.dueAt, provisional: slot.provisional },
    };
  }

  /** All timers of a procedure as they should stand at `at` (after a calendar year is loaded). */
  allTimers(loaded: LoadedProcedure, at: string): TimerRow[] {
    const { logic } = this.definitions.get(loaded.definition);
    return timerRows(desiredTimers(logic, loaded.state, loaded.project, at, this.deadlines));
  }

  itemRowsOf(loaded: LoadedProcedure, at: string) {
    const { logic, definition } = this.definitions.get(loaded.definition);
    const view = procedureView(
      logic,
      loaded.state,
      { id: loaded.procedureId, projectId: loaded.projectId, version: loaded.version },
      { now: at, deadlines: this.deadlines },
    );
    return itemRows(definition, view);
  }

  /** Null when the procedure moved on (optimistic path); inside a locked transaction it cannot. */
  async write(
    plan: WritePlan,
    manager?: EntityManager,
    idempotency?: AppendInput['idempotency'],
  ): Promise<ArmedTimer[] | null> {
    if (!plan.events.length) {
      if (!manager) return [];
      return this.store.refresh(plan.procedureId, plan.append.items, plan.append.timers ?? [], manager);
    }
    return this.store.append({ ...plan.append, idempotency: idempotency ?? null }, manager);
  }
}

function sameReasons(a: readonly unknown[], b: readonly unknown[] | null | undefined): boolean {
  if (!b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
