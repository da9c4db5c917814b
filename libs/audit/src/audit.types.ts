import type { EventMetadata } from '@qianqi/domain';

/** What verification can find wrong with a stream, each at one procedure and version. */
export const FAILURE_KINDS = ['HASH_MISMATCH', 'CHAIN_BROKEN', 'REPLAY_DIVERGES', 'MISSING_EVENT'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export interface VerificationFailure {
  procedureId: string;
  version: number;
  kind: FailureKind;
  detail: string;
}

export interface VerificationReport {
  procedures: number;
  events: number;
  ok: boolean;
  failures: VerificationFailure[];
}

/** An event as stored and as GET /procedures/:id/events shows it. */
export interface StoredEvent {
  version: number;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  prevHash: string;
  hash: string;
  /**
   * The bytes the hash is taken over (the event's body, then the previous hash) exactly as the
   * database composed them from the stored columns, when read for bulk verification: they are
   * hashed as they came, with no re-serializing. (Such an event's metadata then holds only what
   * replay reads: occurredAt and definition.)
   */
  body?: Uint8Array;
}

/** What the database says a procedure is now: the snapshot and the read models beside it. */
export interface StoredProcedure {
  procedureId: string;
  snapshot: {
    definition: string;
    version: number;
    lastHash: string;
    state: { value: Record<string, string>; context: unknown };
    /** The state's jsonb text as the database printed it (UTF-8), when read for bulk verification. */
    stateBytes?: Uint8Array;
  } | null;
  /** procedure_items: status per item key. */
  items: Record<string, string>;
  /** projects.ready_to_start, null when the project row is missing. */
  readyToStart: boolean | null;
}

/** One procedure's stream and what is stored beside it, as the verifier reads them in batches. */
export interface StoredStream extends StoredProcedure {
  events: StoredEvent[];
  /**
   * The events' data objects were parsed for this check alone and are parsed again for any other
   * use; replay may then take them as its machine events. (Their hashes are taken over `body`.)
   */
  eventDataIsScratch?: boolean;
}
