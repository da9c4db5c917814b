import type { CommandType, ItemEventType } from '@qianqi/workflows';
import type { Actor } from './actor';
import { eventHash } from './event-hash';

/** Events are past tense; each item event maps back to the machine event it was decided by. */
export const EVENT_OF_COMMAND: Record<ItemEventType, string> = {
  SUBMIT: 'StepSubmitted',
  ACCEPT: 'StepAccepted',
  ACCEPT_WITH_TOLERANCE: 'StepAcceptedWithTolerance',
  RETURN_FOR_CORRECTION: 'StepReturnedForCorrection',
  RESUBMIT: 'StepResubmitted',
  REFUSE: 'StepRefused',
  START_SPECIAL_PROCEDURE: 'SpecialProcedureStarted',
  END_SPECIAL_PROCEDURE: 'SpecialProcedureEnded',
  APPROVE: 'StepApproved',
  DENY: 'StepDenied',
  SUPPLY_MATERIALS: 'MaterialsSupplied',
  WITHDRAW: 'StepWithdrawn',
  WAIVE: 'StepWaived',
  SET_LIGHT: 'ItemLightChanged',
  BREACH_COMMITMENTS: 'CommitmentBreached',
};
/** APPROVE with a commitment still open ends provisionally; the same machine event replays it. */
export const PROVISIONAL_APPROVAL_EVENT = 'StepProvisionallyApproved';
export const PROJECT_REGISTERED = 'ProjectRegistered';

const COMMAND_OF_EVENT: Record<string, ItemEventType> = Object.fromEntries([
  ...Object.entries(EVENT_OF_COMMAND).map(([cmd, evt]) => [evt, cmd]),
  [PROVISIONAL_APPROVAL_EVENT, 'APPROVE'],
]);

export function commandOfEvent(type: string): ItemEventType | undefined {
  return COMMAND_OF_EVENT[type];
}

export interface EventMetadata {
  actor: {
    id: string;
    name: string;
    role: Actor['role'] | 'system';
    department?: string;
    taskForce?: string;
    org?: string;
  };
  requestId: string | null;
  idempotencyKey: string | null;
  occurredAt: string;
  definition: string;
}

/** An event as decided, before it has a place in its stream. */
export interface NewEvent {
  type: string;
  data: Record<string, unknown>;
}

export interface RecordedEvent extends NewEvent {
  streamId: string;
  version: number;
  metadata: EventMetadata;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** SHA-256 over the canonical JSON (RFC 8785) of the event, then the previous hash. */
export function hashEvent(e: Omit<RecordedEvent, 'hash'>): string {
  return eventHash(e.streamId, e);
}

/** Places decided events after `version`, chaining each hash to the one before. */
export function chainEvents(
  streamId: string,
  fromVersion: number,
  prevHash: string,
  events: NewEvent[],
  metadata: EventMetadata,
): RecordedEvent[] {
  const out: RecordedEvent[] = [];
  let prev = prevHash;
  let version = fromVersion;
  for (const e of events) {
    version += 1;
    const unhashed = { streamId, version, type: e.type, data: e.data, metadata, prevHash: prev };
    const hash = hashEvent(unhashed);
    out.push({ ...unhashed, hash });
    prev = hash;
  }
  return out;
}

/** Deadline handlers act as the system itself. */
export const SYSTEM_ACTOR: EventMetadata['actor'] = { id: 'system', name: '系统', role: 'system' };

export function actorMetadata(actor: Actor): EventMetadata['actor'] {
  const { id, name, role, department, taskForce, org } = actor;
  // The claims that are set, in this order: what a JSON round trip of them gives, without one.
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries({ id, name, role, department, taskForce, org })) {
    if (v !== undefined) out[k] = v;
  }
  return out as EventMetadata['actor'];
}

export type { CommandType };
