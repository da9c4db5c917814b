import { setTimeout as sleep } from 'node:timers/promises';

/** deadlock_detected and serialization_failure: PostgreSQL rolled the transaction back; running it again is safe. */
const TRANSIENT = new Set(['40P01', '40001']);

export function isTransient(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } } | null;
  return !!e && (TRANSIENT.has(e.code ?? '') || TRANSIENT.has(e.driverError?.code ?? ''));
}

/**
 * Runs a whole transaction again when PostgreSQL aborted it as a deadlock victim or for a
 * serialization failure. Lock order is kept consistent (snapshot, ticket, timers), so this is a
 * guard, not the mechanism: a caller never sees a 500 for a lost lock race.
 */
export async function retryTransient<T>(
  run: () => Promise<T>,
  attempts = 6,
  alsoRetry: (err: unknown) => boolean = () => false,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= attempts || !(isTransient(err) || alsoRetry(err))) throw err;
      await sleep(Math.random() * 10 * attempt);
    }
  }
}
