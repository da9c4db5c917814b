import { PROJECT_REGISTERED } from '@qianqi/domain';
import type { StoredStream, VerificationFailure, VerificationReport } from './audit.types';
import { verifyStream, type DefinitionLookup } from './stream.verification';

export interface VerifyProgress {
  procedures: number;
  events: number;
  failures: number;
}

export interface VerifyRecordOptions {
  /** Failures kept in the report; the count goes on past it. */
  maxFailures?: number;
  onBatch?: (progress: VerifyProgress) => void;
}

export interface RecordReport extends VerificationReport {
  /** Failures found beyond `maxFailures`, not listed. */
  failuresNotListed?: number;
}

/**
 * Streams checked between two turns of the event loop (about a millisecond of work). The batches
 * being fetched meanwhile arrive on sockets only those turns read: while the thread checks, their
 * buffers fill and PostgreSQL waits to send. (16 streams a turn made the whole run 3-5 % slower.)
 */
const YIELD_EVERY = 4;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Verifies streams as they arrive in batches: nothing is kept of a batch once it is checked but
 * its failures, so memory stays flat however large the record.
 */
export async function verifyRecord(
  batches: AsyncIterable<StoredStream[]>,
  lookup: DefinitionLookup,
  opts: VerifyRecordOptions = {},
): Promise<RecordReport> {
  const max = opts.maxFailures ?? 10_000;
  const failures: VerificationFailure[] = [];
  let extra = 0;
  let procedures = 0;
  let events = 0;
  for await (const batch of batches) {
    for (let i = 0; i < batch.length; i++) {
      // Let I/O run now and then: the next batch is being fetched meanwhile (its queries go out
      // one after another, each on an event-loop turn), and an API process keeps answering.
      if (i > 0 && i % YIELD_EVERY === 0) await nextTurn();
      const stream = batch[i];
      // The calendar's stream is checked too, but it is no procedure.
      if (stream.snapshot !== null || stream.events[0]?.type === PROJECT_REGISTERED) procedures += 1;
      events += stream.events.length;
      for (const f of checked(stream, lookup)) {
        if (failures.length < max) failures.push(f);
        else extra += 1;
      }
    }
    opts.onBatch?.({ procedures, events, failures: failures.length + extra });
  }
  const report: RecordReport = { procedures, events, ok: failures.length === 0, failures };
  if (extra) report.failuresNotListed = extra;
  return report;
}

/**
 * A stream's findings; a stream that cannot be checked at all (its stored values break the
 * checking itself) is a finding of its own, and the rest of the record is still checked.
 */
function checked(stream: StoredStream, lookup: DefinitionLookup): VerificationFailure[] {
  try {
    return verifyStream(stream, lookup);
  } catch (err) {
    const last = stream.events[stream.events.length - 1];
    return [
      {
        procedureId: stream.procedureId,
        version: last?.version ?? stream.snapshot?.version ?? 0,
        kind: 'REPLAY_DIVERGES',
        detail: `the stored record cannot be checked: ${(err as Error).message}`,
      },
    ];
  }
}
