import { isJsonbTextOf, PROJECT_REGISTERED } from '@qianqi/domain';
import type { ProcedureLogic } from '@qianqi/workflows';
import type { StoredStream, VerificationFailure } from './audit.types';
import { checkChain } from './chain.check';
import { firstDifference, valueAt } from './state.diff';
import { replayWithTable } from './table.replay';
import type { TransitionTable } from './transition.table';

/** A definition version as the verifier runs it: its logic and the table memoizing it. */
export interface DefinitionRuntime {
  ref: string;
  logic: ProcedureLogic;
  table: TransitionTable;
}
export type DefinitionLookup = (ref: string) => DefinitionRuntime | undefined;

const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

/**
 * Everything one stream can be checked for. The chain first; only an intact chain is replayed,
 * since replaying an altered or incomplete stream would only restate the same finding. Then the
 * replay through the definition version the stream ran on must be accepted event by event and
 * end exactly at the stored snapshot and read models.
 */
export function verifyStream(stream: StoredStream, lookup: DefinitionLookup): VerificationFailure[] {
  const { procedureId, events, snapshot } = stream;
  const failures = checkChain(procedureId, events);
  const fail = (version: number, kind: VerificationFailure['kind'], detail: string) =>
    failures.push({ procedureId, version, kind, detail });
  const last = events[events.length - 1];

  if (!snapshot) {
    // Streams that are not procedures (the calendar's) have no snapshot: their chain is all there is.
    if (events.length && events[0].version === 1 && events[0].type !== PROJECT_REGISTERED) return failures;
    fail(
      last?.version ?? 0,
      'REPLAY_DIVERGES',
      `procedure stream has ${events.length} event(s) but no snapshot is stored`,
    );
    return failures;
  }
  if (!last) {
    fail(1, 'MISSING_EVENT', `snapshot is at version ${snapshot.version} but the stream has no events`);
    return failures;
  }
  if (snapshot.version > last.version) {
    const range =
      snapshot.version - last.version > 1
        ? `versions ${last.version + 1}–${snapshot.version} are`
        : `version ${snapshot.version} is`;
    fail(
      last.version + 1,
      'MISSING_EVENT',
      `snapshot is at version ${snapshot.version} but the stream ends at ${last.version}: ${range} missing`,
    );
  } else if (snapshot.version === last.version && snapshot.lastHash !== last.hash) {
    fail(
      last.version,
      'CHAIN_BROKEN',
      `snapshot's last hash ${snapshot.lastHash} is not the hash of the stream's head (${last.hash})`,
    );
  }
  if (failures.length) return failures;

  const ref = events[0].metadata?.definition;
  const runtime = ref ? lookup(ref) : undefined;
  if (!runtime) {
    fail(
      1,
      'REPLAY_DIVERGES',
      `definition ${ref ?? '(none)'} the stream ran on is not known (or its stored content does not match its pinned hash)`,
    );
    return failures;
  }
  if (events[0].type !== PROJECT_REGISTERED) {
    fail(1, 'REPLAY_DIVERGES', `the stream starts with ${events[0].type}, not ${PROJECT_REGISTERED}`);
    return failures;
  }
  const foreign = events.find((e) => e.metadata?.definition !== ref);
  if (foreign) {
    fail(
      foreign.version,
      'REPLAY_DIVERGES',
      `event ran on ${foreign.metadata?.definition}, the stream on ${ref}`,
    );
  }
  if (snapshot.definition !== ref) {
    fail(
      snapshot.version,
      'REPLAY_DIVERGES',
      `snapshot names definition ${snapshot.definition}, the stream ran on ${ref}`,
    );
  }

  let replayed: NonNullable<ReturnType<typeof replayWithTable>>;
  try {
    replayed = replayWithTable(runtime.table, events, { dataIsScratch: stream.eventDataIsScratch })!;
  } catch (err) {
    fail(last.version, 'REPLAY_DIVERGES', `${ref} cannot replay the stream: ${(err as Error).message}`);
    return failures;
  }
  for (const version of replayed.rejected) {
    const e = events.find((x) => x.version === version)!;
    fail(
      version,
      'REPLAY_DIVERGES',
      `${ref} does not accept ${e.type} on ${String(e.data.itemKey)} at this point of the stream`,
    );
  }
  if (snapshot.version < last.version) {
    fail(
      snapshot.version,
      'REPLAY_DIVERGES',
      `snapshot is at version ${snapshot.version}, the stream at ${last.version}`,
    );
  }
  // Equal jsonb text is equal state; only a difference is worth walking for its path.
  const diff =
    snapshot.stateBytes !== undefined && isJsonbTextOf(snapshot.stateBytes, replayed.state)
      ? null
      : firstDifference(replayed.state, snapshot.state);
  if (diff) {
    fail(
      snapshot.version,
      'REPLAY_DIVERGES',
      `snapshot differs from the replay at ${diff}: stored ${show(valueAt(snapshot.state, diff))}, replay gives ${show(valueAt(replayed.state, diff))}`,
    );
  }
  const logic = runtime.logic;
  const applicable = new Set(logic.applicableItems(replayed.state).map((i) => i.key));
  for (const key of new Set([...applicable, ...Object.keys(stream.items)])) {
    const expected = applicable.has(key) ? logic.status(replayed.state, key) : undefined;
    if (stream.items[key] !== expected) {
      fail(
        snapshot.version,
        'REPLAY_DIVERGES',
        `read model procedure_items ${key} says ${stream.items[key] ?? 'nothing'}, replay gives ${expected ?? 'no such item'}`,
      );
    }
  }
  const ready = logic.readyToStart(replayed.state);
  if (stream.readyToStart !== ready) {
    fail(
      snapshot.version,
      'REPLAY_DIVERGES',
      `read model projects.ready_to_start is ${stream.readyToStart}, replay gives ${ready}`,
    );
  }
  return failures;
}
