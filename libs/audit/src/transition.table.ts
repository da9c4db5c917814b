import type { AnyStateMachine } from 'xstate';
import {
  sameJson,
  sameState,
  type PersistedProcedure,
  type ProcedureContext,
  type ProcedureEvent,
  type ProcedureInput,
  type ProcedureLogic,
} from '@qianqi/workflows';
import { regionMap, type RegionMap } from './machine.regions';
import {
  traceMachine,
  type AssignFn,
  type GuardFn,
  type Params,
  type Recorder,
  type Step,
} from './machine.trace';

/**
 * A memo of a definition's own XState transitions, for bulk replay.
 *
 * XState's `transition()` costs tens of microseconds on a many-region machine, far too slow to
 * replay millions of events. But it is deterministic: given the state value, the event type and
 * the results of the (named) guards it evaluates, it takes the same path and runs the same named
 * actions with the same params. So the first time a (value, event type) is met, the table runs
 * the real transition on a traced copy of the machine and records, in order, every guard call
 * with its result and every assign with its params. Later, it re-evaluates the recorded guards
 * on the new context and event; if each gives the recorded result, XState would take the same
 * path, and the table applies the recorded assigns (the machine's own implementations) and the
 * recorded target value. Any difference is a miss: XState runs again and the new path is added.
 *
 * This holds for machines whose guards and actions are all named implementations or XState's
 * built-in combinators (`and`, `or`, `not`, `stateIn`) and whose actions are assigns: the
 * builder writes machines that way. Anything else (an inline guard, a non-assign action) turns
 * the table off for that machine and every event goes through XState.
 *
 * On a parallel machine (one region per item) a path is keyed not on the whole state value but on
 * the states of the regions the transition can read or move (see machine.regions.ts), and records
 * only the regions it moved: the histories of a thousand projects interleave their items in
 * countless orders, yet each item goes through a handful of states.
 */

interface Path {
  /** The recorded steps with the machine's own functions in hand, as they are taken again. */
  run: Run[];
  /** Interned id of the value after the transition; -1 when the machine refused the event. */
  next: number;
  /** With a region map: the regions the transition moved, and where to. */
  patch: Record<string, string> | undefined;
}

/** A recorded guard (with the result it gave) or assign, ready to call. */
type Run =
  | { guard: GuardFn; assign: null; params: Params; result: boolean }
  | { guard: null; assign: AssignFn; params: Params; result: false };

/** What a (value, event type) is keyed on, and the values its paths lead to from that value. */
export interface Slot {
  key: string;
  /** The paths recorded for the key (shared by the slots of every value with the same key). */
  paths: Path[];
  regions: Set<string> | null;
  next: number[];
}

/**
 * A procedure in the middle of a replay, as the table keeps it between events: its value by
 * interned id and its approval mode's slots in hand, so that each event costs one lookup (its
 * type's slot) besides the path itself.
 */
export interface Replaying {
  valueId: number;
  context: ProcedureContext;
  /** The mode the slots are for; a mode that is not a string has none (never learnt). */
  mode: unknown;
  slots: (Map<string, Slot> | undefined)[] | null;
  /** The table's generation the slots belong to (the table drops all its slots at times). */
  generation: number;
}

export interface TableStats {
  hits: number;
  misses: number;
  paths: number;
  values: number;
  cacheable: boolean;
  /** Keyed on the regions a transition can touch (else on the whole state value). */
  regionKeys: boolean;
}

const INIT = '\u0000init';

/**
 * A mode as it begins a key, prefixed by its length: whatever characters a (tampered) mode
 * holds, no other mode and rest of key can spell the same key, so the answers the table keeps
 * for one mode are never taken for another's.
 */
const modeKey = (mode: string) => `${mode.length}:${mode}`;

export class TransitionTable {
  readonly cacheable: boolean;
  private readonly traced: AnyStateMachine;
  private readonly scope: Record<string, unknown>;
  private readonly guards: Record<string, GuardFn>;
  private readonly assigns: Record<string, AssignFn>;
  private readonly recorder: Recorder = { steps: null, opaque: false };
  private readonly paths = new Map<string, Path[]>();
  /** By approval mode, per interned value id, the slot of each event type met in that state. */
  private readonly slotsByMode = new Map<string, (Map<string, Slot> | undefined)[]>();
  /** Counts the times every slot was dropped: a `Replaying` holding older ones fetches them again. */
  private generation = 0;
  /** Guards whose answer depends on nothing but the approval mode (see `advance`). */
  private readonly modeGuards: ReadonlySet<string>;
  private slotCount = 0;
  private regions: RegionMap | null;
  private readonly valueIds = new Map<string, number>();
  private readonly values: PersistedProcedure['value'][] = [];
  private readonly idOfValue = new WeakMap<object, number>();
  private hits = 0;
  private misses = 0;

  constructor(
    readonly logic: ProcedureLogic,
    private readonly maxPaths = 200_000,
  ) {
    const tracer = traceMachine(logic.machine, this.recorder);
    this.traced = tracer.traced;
    this.scope = tracer.scope;
    this.guards = tracer.guards;
    this.assigns = tracer.assigns;
    this.cacheable = tracer.cacheable;
    this.regions = tracer.cacheable ? regionMap(logic.machine) : null;
    this.modeGuards = logic.modeGuards;
  }

  stats(): TableStats {
    let paths = 0;
    for (const p of this.paths.values()) paths += p.length;
    return {
      hits: this.hits,
      misses: this.misses,
      paths,
      values: this.values.length,
      cacheable: this.cacheable,
      regionKeys: this.regions !== null,
    };
  }

  /** The initial state of a procedure, as `initialTransition()` computes it. */
  start(input: ProcedureInput): PersistedProcedure {
    const event = { type: 'xstate.init', input };
    const factory = (this.traced.config as { context?: unknown }).context;
    // A mode that is not a string (a tampered registration) is never learnt nor looked up.
    const learn = typeof factory === 'function' && typeof input.approvalMode === 'string';
    const key = learn ? `${INIT}|${modeKey(input.approvalMode)}` : '';
    if (this.cacheable && learn) {
      const context = {
        ...(factory({ input, spawn: undefined, self: undefined }) as object),
      } as ProcedureContext;
      const hit = this.follow(key, context, event);
      if (hit) return hit;
    }
    this.misses += 1;
    const steps = this.record();
    const snapshot = this.traced.getInitialSnapshot(this.scope as never, input);
    const opaque = this.stopRecording();
    const state = {
      value: this.intern(snapshot.value as PersistedProcedure['value']),
      context: snapshot.context as ProcedureContext,
    };
    if (!opaque && learn) this.remember(key, this.path(steps, this.idOf(state.value)));
    return state;
  }

  /** One event through the machine; `accepted` is false when the machine refused it. */
  apply(state: PersistedProcedure, event: ProcedureEvent): { state: PersistedProcedure; accepted: boolean } {
    const r = this.resume(state);
    return this.advance(r, event) ? { state: this.stateOf(r), accepted: true } : { state, accepted: false };
  }

  /** A replay going on from `state`, to be advanced event by event. */
  resume(state: PersistedProcedure): Replaying {
    const mode = state.context.approvalMode;
    return {
      valueId: this.idOf(state.value),
      context: state.context,
      mode,
      slots: this.modeSlots(mode),
      generation: this.generation,
    };
  }

  stateOf(r: Replaying): PersistedProcedure {
    return { value: this.values[r.valueId], context: r.context };
  }

  /**
   * One event through the machine, moving `r` on; false when the machine refused the event (and
   * `r` stays where it was).
   *
   * Paths are kept per approval mode, so the guards the definition declares to depend on the mode
   * alone (whether an item applies, whether a prerequisite is skipped: most of the guards a path
   * records) need not be asked again: under the same mode they answer as they did.
   */
  advance(r: Replaying, event: ProcedureEvent): boolean {
    const mode = r.context.approvalMode;
    if (r.generation !== this.generation || mode !== r.mode) {
      r.mode = mode;
      r.slots = this.modeSlots(mode);
      r.generation = this.generation;
    }
    if (r.slots === null) return this.advanceThroughMachine(r, event, null);
    const valueId = r.valueId;
    const slot = this.slotOf(r.slots, valueId, mode as string, event.type);
    if (this.cacheable) {
      const paths = slot.paths;
      for (let i = 0; i < paths.length; i++) {
        const path = paths[i];
        const context = this.replayPath(path, r.context, event);
        if (context === null) continue;
        this.hits += 1;
        if (path.next < 0) return false;
        let next = slot.next[i];
        if (next === undefined) {
          next = path.patch
            ? this.idOf({ ...(this.values[valueId] as object), ...path.patch } as never)
            : path.next;
          slot.next[i] = next;
        }
        // A transition ending where it began changes nothing: ProcedureLogic.apply refuses it too.
        if (next === valueId && sameJson(r.context, context)) return false;
        r.valueId = next;
        r.context = context;
        return true;
      }
    }
    return this.advanceThroughMachine(r, event, slot);
  }

  private advanceThroughMachine(r: Replaying, event: ProcedureEvent, slot: Slot | null): boolean {
    const next = this.throughMachine(this.stateOf(r), event, slot);
    if (next === null) return false;
    r.valueId = this.idOf(next.value);
    r.context = next.context;
    return true;
  }

  /** A mode's slots by value id (made when the mode is first met); none for a mode that is not a string. */
  private modeSlots(mode: unknown): (Map<string, Slot> | undefined)[] | null {
    if (typeof mode !== 'string') return null;
    let slots = this.slotsByMode.get(mode);
    if (!slots) {
      slots = [];
      this.slotsByMode.set(mode, slots);
    }
    return slots;
  }

  /** Drops every slot (and so every `Replaying`'s hold on them). */
  private dropSlots(): void {
    this.slotsByMode.clear();
    this.slotCount = 0;
    this.generation += 1;
  }

  /** The real transition, recorded for the slot (none: not learnt). */
  private throughMachine(
    state: PersistedProcedure,
    event: ProcedureEvent,
    slot: Slot | null,
  ): PersistedProcedure | null {
    this.misses += 1;
    const snapshot = this.traced.resolveState({ value: state.value, context: state.context });
    const steps = this.record();
    const next = this.traced.transition(snapshot, event as never, this.scope as never);
    const opaque = this.stopRecording();
    if (next === snapshot) {
      if (!opaque && slot) this.remember(slot.key, this.path(steps, -1));
      return null;
    }
    const value = this.intern(next.value as PersistedProcedure['value']);
    if (!opaque && slot) {
      const patch = this.patchOf(slot, state.value, value);
      this.remember(slot.key, this.path(steps, this.idOf(value), patch));
    }
    const after = { value, context: next.context as ProcedureContext };
    return sameState(state, after) ? null : after;
  }

  private slotOf(
    slots: (Map<string, Slot> | undefined)[],
    valueId: number,
    mode: string,
    type: string,
  ): Slot {
    let byType = slots[valueId];
    if (!byType) {
      byType = new Map();
      slots[valueId] = byType;
    }
    let slot = byType.get(type);
    if (!slot) {
      if (this.regions) {
        const value = this.values[valueId] as Record<string, string>;
        const regions = this.regions.relevant(type, value);
        const key = `${modeKey(mode)}|${type}|${regions.map((r) => `${r}=${value[r]}`).join(',')}`;
        slot = { key, paths: this.pathsOf(key), regions: new Set(regions), next: [] };
      } else {
        const key = `${valueId}\u0000${modeKey(mode)}\u0000${type}`;
        slot = { key, paths: this.pathsOf(key), regions: null, next: [] };
      }
      byType.set(type, slot);
      this.slotCount += 1;
    }
    return slot;
  }

  /**
   * The regions a transition moved. Should one lie outside those its key names, the region map
   * was wrong about this machine: the table goes back to keying on whole values.
   */
  private patchOf(slot: Slot, before: PersistedProcedure['value'], after: PersistedProcedure['value']) {
    if (!slot.regions || !this.regions) return undefined;
    const from = before as Record<string, string>;
    const to = after as Record<string, string>;
    const patch: Record<string, string> = {};
    for (const r of this.regions.regions) {
      if (from[r] === to[r]) continue;
      if (!slot.regions.has(r)) {
        this.regions = null;
        this.paths.clear();
        this.dropSlots();
        return undefined;
      }
      patch[r] = to[r];
    }
    return patch;
  }

  /** The list of paths of a key, made when the key is first met. */
  private pathsOf(key: string): Path[] {
    let list = this.paths.get(key);
    if (!list) {
      list = [];
      this.paths.set(key, list);
    }
    return list;
  }

  private path(steps: Step[], next: number, patch?: Record<string, string>): Path {
    // Paths are per mode: a mode-only guard answers as recorded, so it is not asked again.
    const asked = steps.filter((step) => !('guard' in step && this.modeGuards.has(step.guard)));
    const run = asked.map((step): Run =>
      'guard' in step
        ? { guard: this.guards[step.guard], assign: null, params: step.params, result: step.result }
        : { guard: null, assign: this.assigns[step.action], params: step.params, result: false },
    );
    // (Every path and every step made by the one literal: a shape each, so reading them stays cheap.)
    return { run, next, patch };
  }

  private follow(key: string, context: ProcedureContext, event: unknown): PersistedProcedure | null {
    for (const path of this.paths.get(key) ?? []) {
      const ctx = this.replayPath(path, context, event);
      if (ctx !== null && path.next >= 0) {
        this.hits += 1;
        return { value: this.values[path.next], context: ctx };
      }
    }
    return null;
  }

  /** The context after the path's steps, or null when a guard answers differently. */
  private replayPath(path: Path, start: ProcedureContext, event: unknown): ProcedureContext | null {
    // One argument object for every guard and assign of the path: they read it and keep nothing.
    const args = { context: start as unknown, event };
    const run = path.run;
    for (let i = 0; i < run.length; i++) {
      const step = run[i];
      if (step.guard !== null) {
        if (step.guard(args, step.params) !== step.result) return null;
      } else {
        args.context = Object.assign({}, args.context, step.assign(args, step.params));
      }
    }
    return args.context as ProcedureContext;
  }

  private record(): Step[] {
    this.recorder.opaque = false;
    this.recorder.steps = [];
    return this.recorder.steps;
  }

  private stopRecording(): boolean {
    this.recorder.steps = null;
    return this.recorder.opaque;
  }

  private remember(key: string, path: Path): void {
    if (!this.cacheable) return;
    if (this.paths.size >= this.maxPaths || this.slotCount >= this.maxPaths) {
      this.paths.clear();
      this.dropSlots();
    }
    const list = this.paths.get(key);
    if (list) list.push(path);
    else this.paths.set(key, [path]);
  }

  private idOf(value: PersistedProcedure['value']): number {
    if (typeof value === 'object' && value !== null) {
      const known = this.idOfValue.get(value);
      if (known !== undefined) return known;
    }
    this.intern(value);
    return this.valueIds.get(JSON.stringify(value))!;
  }

  /** One frozen object per distinct state value, so values are looked up by identity. */
  private intern(value: PersistedProcedure['value']): PersistedProcedure['value'] {
    if (typeof value === 'object' && value !== null) {
      const known = this.idOfValue.get(value);
      if (known !== undefined) return this.values[known];
    }
    const json = JSON.stringify(value);
    let id = this.valueIds.get(json);
    if (id === undefined) {
      id = this.values.length;
      const stored = typeof value === 'object' && value !== null ? Object.freeze(JSON.parse(json)) : value;
      this.values.push(stored);
      this.valueIds.set(json, id);
      if (typeof stored === 'object') this.idOfValue.set(stored, id);
    }
    return this.values[id];
  }
}
