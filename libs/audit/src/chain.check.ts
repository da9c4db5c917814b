import { eventHash, GENESIS_HASH, sha256Hex } from '@qianqi/domain';
import type { StoredEvent, VerificationFailure } from './audit.types';

/**
 * The stream's own evidence, without the database or a definition: versions run 1, 2, 3… with no
 * gap, each event's hash is the SHA-256 of its content and the previous hash, and each event
 * links to the stored hash of the one before. A changed event is named once (HASH_MISMATCH at
 * its version): its successor still links to the hash stored beside it. A deleted event leaves a
 * gap (MISSING_EVENT) and a successor that links to nothing stored (CHAIN_BROKEN).
 */
export function checkChain(procedureId: string, events: readonly StoredEvent[]): VerificationFailure[] {
  const failures: VerificationFailure[] = [];
  const fail = (version: number, kind: VerificationFailure['kind'], detail: string) =>
    failures.push({ procedureId, version, kind, detail });
  let expected = 1;
  let prev = GENESIS_HASH;
  for (const e of events) {
    if (e.version > expected) {
      const range =
        e.version - 1 > expected ? `versions ${expected}–${e.version - 1} are` : `version ${expected} is`;
      fail(
        expected,
        'MISSING_EVENT',
        `${range} missing: the stream jumps from ${expected - 1} to ${e.version}`,
      );
    } else if (e.version < expected) {
      fail(e.version, 'CHAIN_BROKEN', `version ${e.version} appears again after version ${expected - 1}`);
    }
    if (e.prevHash !== prev) {
      fail(
        e.version,
        'CHAIN_BROKEN',
        expected === 1 && e.version === 1
          ? `the first event must link to the genesis hash, it links to ${e.prevHash}`
          : `prevHash ${e.prevHash} is not the hash of the event stored before it (${prev})`,
      );
    }
    const actual = e.body ? sha256Hex(e.body) : eventHash(procedureId, e);
    if (actual !== e.hash) {
      fail(
        e.version,
        'HASH_MISMATCH',
        `stored hash ${e.hash}, content hashes to ${actual}: the event was altered`,
      );
    }
    prev = e.hash;
    expected = Math.max(expected, e.version + 1);
  }
  return failures;
}
