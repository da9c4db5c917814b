import {
  createActor,
  initialTransition,
  type AnyActorScope,
  type AnyMachineSnapshot,
  type AnyStateMachine,
} from 'xstate';
import { definitionRef, type ItemDefinition, type ProcedureDefinition } from './definition.types';
import { MACHINE_ID, MODE_GUARDS, buildProcedureMachine } from './machine.builder';
import { edgeMet, isOutstanding } from './prerequisite.rules';
import type { ItemStatus, ProcedureContext, ProcedureInput } from './procedure.context';
import { COMMAND_TYPES, type CommandType, type ProcedureEvent } from './procedure.events';

/** A prerequisite an item waits for, with what keeps it from counting. */
export interface UnmetPrerequisite {
  item: string;
  name: string;
  status: ItemStatus;
  /** Its broken commitments: under `withhold` these keep a provisional approval from counting. */
  breached: string[];
}

/** The persisted form of a procedure's state: what the snapshots table stores. */
export interface PersistedProcedure {
  value: Record<string, string>;
  context: ProcedureContext;
}

/**
 * Everything the engine asks of one definition version, computed by its machine through the
 * pure `initialTransition()` / `transition()`: no clock, no I/O.
 */
export class ProcedureLogic {
  readonly machine: AnyStateMachine;
  readonly ref: string;
  /** The machine's guards whose answer depends on nothing but the procedure's approval mode. */
  readonly modeGuards: ReadonlySet<string> = MODE_GUARDS;
  private readonly items: Map<string, ItemDefinition>;

  constructor(readonly definition: ProcedureDefinition) {
    this.machine = buildProcedureMachine(definition);
    this.ref = definitionRef(definition);
    this.items = new Map(definition.items.map((i) => [i.key, i]));
  }

  item(key: string): ItemDefinition | undefined {
    return this.items.get(key);
  }

  start(input: ProcedureInput): PersistedProcedure {
    const [snapshot] = initialTransition(this.machine, input);
    return this.persist(snapshot);
  }

  /** Applies one event; `changed` is false when the machine did not accept it. */
  apply(state: PersistedProcedure, event: ProcedureEvent): { state: PersistedProcedure; changed: boolean } {
    const snapshot = this.restore(state);
    // What xstate's `transition(machine, snapshot, event)` does, on a scope built once.
    const next = this.machine.transition(snapshot, event as never, this.inertScope());
    if (next === snapshot) return { state, changed: false };
    const persisted = this.persist(next);
    const changed = !sameState(persisted, state);
    return { state: changed ? persisted : state, changed };
  }

  /**
   * The inert actor scope a pure transition runs in. xstate's `transition()` builds a new one per
   * call — a whole actor computing the machine's initial snapshot, most of the cost of a command's
   * transition. These machines only assign (no spawn, no invoke, no raise), and an inert scope
   * executes nothing, so one scope per machine serves every call and keeps no trace of them.
   */
  private scope: AnyActorScope | null = null;

  private inertScope(): AnyActorScope {
    if (!this.scope) {
      const input: ProcedureInput = { procedureId: '', projectId: '', approvalMode: 'approval' };
      const self = createActor(this.machine, { input });
      const nothing = () => undefined;
      this.scope = {
        self,
        id: '',
        sessionId: '',
        system: self.system,
        logger: nothing,
        defer: nothing,
        emit: nothing,
        stopChild: nothing,
        actionExecutor: nothing,
      } as unknown as AnyActorScope;
    }
    return this.scope;
  }

  /**
   * The machine snapshot of a persisted state. A state this logic persisted itself maps back to the
   * snapshot it came from (resolving a ten-region value afresh is a good part of a command's
   * transition, and the next command on a procedure usually starts from the state the last one
   * left); any other is resolved from its value and context.
   */
  restore(state: PersistedProcedure): AnyMachineSnapshot {
    return (
      this.snapshots.get(state) ?? this.machine.resolveState({ value: state.value, context: state.context })
    );
  }

  persist(snapshot: AnyMachineSnapshot): PersistedProcedure {
    const persisted = {
      value: snapshot.value as Record<string, string>,
      context: snapshot.context as ProcedureContext,
    };
    this.snapshots.set(persisted, snapshot);
    return persisted;
  }

  /** Snapshots by the persisted states made of them (persisted states are never mutated). */
  private readonly snapshots = new WeakMap<PersistedProcedure, AnyMachineSnapshot>();

  status(state: PersistedProcedure, itemKey: string): ItemStatus {
    return state.value[itemKey] as ItemStatus;
  }

  applicableItems(state: PersistedProcedure): ItemDefinition[] {
    return this.definition.items.filter((i) => state.value[i.key] !== 'not_applicable');
  }

  /** 具备开工条件: every applicable item approved or waived, no tolerance commitment open. */
  readyToStart(state: PersistedProcedure): boolean {
    return this.applicableItems(state).every((i) => {
      const status = state.value[i.key];
      const ctx = state.context.items[i.key];
      return (status === 'approved' || status === 'waived') && !ctx.commitments.some(isOutstanding);
    });
  }

  /**
   * The prerequisites of an item that are not met in `state`, by the same rules the machine's
   * guards apply: what a locked item waits for, or why its APPROVE is refused.
   */
  unmetPrerequisites(state: PersistedProcedure, itemKey: string): UnmetPrerequisite[] {
    const item = this.items.get(itemKey);
    if (!item) return [];
    return item.prerequisites
      .filter((edge) => {
        const definition = this.items.get(edge.item)!;
        const status = this.status(state, edge.item);
        const ctx = state.context.items[edge.item];
        return !edgeMet(edge, state.context.approvalMode, { definition, status, ctx });
      })
      .map((edge) => {
        const ctx = state.context.items[edge.item];
        return {
          item: edge.item,
          name: this.items.get(edge.item)!.name,
          status: this.status(state, edge.item),
          breached: ctx.commitments.filter((c) => c.status === 'breached').map((c) => c.material),
        };
      });
  }

  /**
   * The commands an item's current state has transitions for. Guards that depend on the moment
   * (materials, commitments) are not evaluated; the definition's own rule — waivable — is, so a
   * refusal never offers a WAIVE the item can never take.
   */
  commandsAccepted(status: ItemStatus, itemKey: string): CommandType[] {
    const key = `${itemKey}.${status}`;
    let accepted = this.accepted.get(key);
    if (!accepted) {
      accepted = this.computeCommandsAccepted(status, itemKey);
      this.accepted.set(key, accepted);
    }
    return [...accepted];
  }

  /** Per item and status: a property of the machine's structure, asked for every item of every view. */
  private readonly accepted = new Map<string, CommandType[]>();

  private computeCommandsAccepted(status: ItemStatus, itemKey: string): CommandType[] {
    const node = this.machine.getStateNodeById(`${MACHINE_ID}.${itemKey}.${status}`);
    const prefix = `${itemKey}.`;
    const waivable = this.items.get(itemKey)?.waivable ?? false;
    return node.ownEvents
      .filter((e: string) => e.startsWith(prefix))
      .map((e: string) => e.slice(prefix.length))
      .filter((t: string): t is CommandType => (COMMAND_TYPES as readonly string[]).includes(t))
      .filter((t) => t !== 'WAIVE' || waivable);
  }
}

/**
 * Whether two states are equal as JSON. A transition the machine takes that ends in the same
 * state changes nothing: `apply` counts it as refused. The machine's assigns replace only what
 * they change, so untouched items are the same objects and are not walked.
 */
export function sameState(a: PersistedProcedure, b: PersistedProcedure): boolean {
  return a === b || (sameJson(a.value, b.value) && sameJson(a.context, b.context));
}

/**
 * Deep equality as JSON sees values (an undefined member is no member; objects are unordered),
 * without serializing: it stops at the first difference.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let members = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    members += 1;
    if (!sameJson(x[k], y[k])) return false;
  }
  for (const k in y) if (y[k] !== undefined) members -= 1;
  return members === 0;
}
