import { createActor, type AnyStateMachine } from 'xstate';

/**
 * A copy of a machine whose named guards and assigns report each call (name, params, result)
 * to a recorder, for the transition table to learn the path a transition took; and the machine's
 * own guard and assign implementations, for the table to take that path again.
 */
export type Params = Record<string, unknown> | undefined;
export type AssignFn = (
  args: { context: unknown; event: unknown },
  params: Params,
) => Record<string, unknown>;
export type GuardFn = (args: { context: unknown; event: unknown }, params: Params) => boolean;

export type Step = { guard: string; params: Params; result: boolean } | { action: string; params: Params };

export interface Recorder {
  /** The steps of the transition being recorded, null when none is. */
  steps: Step[] | null;
  /** Set when the transition ran an action the table cannot repeat (not an assign). */
  opaque: boolean;
}

export interface MachineTrace {
  traced: AnyStateMachine;
  /** An inert actor scope for `traced.transition()`, made once (XState's `transition()` makes one each call). */
  scope: Record<string, unknown>;
  guards: Record<string, GuardFn>;
  assigns: Record<string, AssignFn>;
  /** False when the machine has anything but named guards, built-in combinators and assigns. */
  cacheable: boolean;
}

export function traceMachine(machine: AnyStateMachine, recorder: Recorder): MachineTrace {
  const impl = machine.implementations as {
    guards: Record<string, unknown>;
    actions: Record<string, unknown>;
  };
  const guards: Record<string, GuardFn> = {};
  const assigns: Record<string, AssignFn> = {};
  const tracedGuards: Record<string, GuardFn> = {};
  const tracedActions: Record<string, unknown> = {};
  let cacheable = onlyNamedImplementations(machine);
  for (const [name, g] of Object.entries(impl.guards)) {
    if (typeof g !== 'function' || 'check' in g) {
      cacheable = false;
      continue;
    }
    const fn = g as GuardFn;
    guards[name] = fn;
    tracedGuards[name] = (args, params) => {
      const result = fn(args, params);
      recorder.steps?.push({ guard: name, params, result });
      return result;
    };
  }
  for (const [name, a] of Object.entries(impl.actions)) {
    const assignment = (a as { assignment?: unknown }).assignment;
    if (typeof assignment !== 'function') {
      cacheable = false;
      continue;
    }
    const fn = assignment as AssignFn;
    assigns[name] = fn;
    // Same builtin object shape as xstate's assign(), with the assignment traced.
    tracedActions[name] = Object.assign(function tracedAssign() {}, a as object, {
      assignment: (args: { context: unknown; event: unknown }, params: Params) => {
        recorder.steps?.push({ action: name, params });
        return fn(args, params);
      },
    });
  }
  const traced = machine.provide({ guards: tracedGuards as never, actions: tracedActions as never });
  const self = createActor(traced);
  const scope = {
    self,
    defer: () => undefined,
    id: '',
    logger: () => undefined,
    sessionId: '',
    stopChild: () => undefined,
    system: self.system,
    emit: () => undefined,
    actionExecutor: () => {
      recorder.opaque = true;
    },
  };
  return { traced, scope, guards, assigns, cacheable };
}

/** True when every guard and action the machine's transitions name is a named implementation. */
function onlyNamedImplementations(machine: AnyStateMachine): boolean {
  const guardOk = (g: unknown): boolean => {
    if (g === undefined || typeof g === 'string') return true;
    if (typeof g === 'object' && g !== null && 'type' in g) return true;
    if (typeof g === 'function') {
      const f = g as { check?: unknown; guards?: unknown[]; stateValue?: unknown };
      if (!f.check) return false;
      if (f.stateValue !== undefined) return true;
      return Array.isArray(f.guards) && f.guards.every(guardOk);
    }
    return false;
  };
  const actionOk = (a: unknown): boolean =>
    typeof a === 'string' || (typeof a === 'object' && a !== null && 'type' in a);
  const visit = (node: {
    transitions: Map<string, { guard?: unknown; actions: unknown[] }[]>;
    always?: { guard?: unknown; actions: unknown[] }[];
    entry: unknown[];
    exit: unknown[];
    states: Record<string, unknown>;
  }): boolean => {
    const transitions = [...node.transitions.values()].flat().concat(node.always ?? []);
    if (!transitions.every((t) => guardOk(t.guard) && t.actions.every(actionOk))) return false;
    if (!node.entry.every(actionOk) || !node.exit.every(actionOk)) return false;
    return Object.values(node.states).every((child) => visit(child as never));
  };
  return visit(machine.root as never);
}
