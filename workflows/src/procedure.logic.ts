import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import { definitionRef, type ItemDefinition, type ProcedureDefinition } from './definition.types';
import { MACHINE_ID, buildProcedureMachine } from './machine.builder';
import type { ItemStatus, ProcedureContext, ProcedureInput } from './procedure.context';
import { COMMAND_TYPES, type CommandType, type ProcedureEvent } from './procedure.events';

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
    const [next] = transition(this.machine, snapshot, event as never);
    if (next === snapshot) return { state, changed: false };
    const persisted = this.persist(next);
    const changed =
      JSON.stringify(persisted.value) !== JSON.stringify(state.value) ||
      JSON.stringify(persisted.context) !== JSON.stringify(state.context);
    return { state: changed ? persisted : state, changed };
  }

  restore(state: PersistedProcedure): AnyMachineSnapshot {
    return this.machine.resolveState({ value: state.value, context: state.context });
  }

  persist(snapshot: AnyMachineSnapshot): PersistedProcedure {
    return { value: snapshot.value as Record<string, string>, context: snapshot.context as ProcedureContext };
  }

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
      return (
        (status === 'approved' || status === 'waived') && ctx.commitments.every((c) => c.status === 'fulfilled')
      );
    });
  }

  /** The commands an item's current state has transitions for (guards not evaluated). */
  commandsAccepted(status: ItemStatus, itemKey: string): CommandType[] {
    const node = this.machine.getStateNodeById(`${MACHINE_ID}.${itemKey}.${status}`);
    const prefix = `${itemKey}.`;
    return node.ownEvents
      .filter((e: string) => e.startsWith(prefix))
      .map((e: string) => e.slice(prefix.length))
      .filter((t: string): t is CommandType => (COMMAND_TYPES as readonly string[]).includes(t));
  }
}
