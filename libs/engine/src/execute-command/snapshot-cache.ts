import type { LoadedProcedure } from '@qianqi/persistence';

/**
 * The procedures this process wrote last, as it wrote them, so the next command on one of them
 * is decided without loading it first: one round trip to PostgreSQL instead of two.
 *
 * Only ever a guess. The write that follows is conditional on the version the entry holds, so if
 * anything else wrote the procedure meanwhile (another API process, a timer, an escalation), that
 * write is lost, the entry dropped and the command decided again on a fresh load. A refusal is
 * never given on a guess either: the use case loads and decides again before it refuses.
 * Least recently used entries go first.
 */
export class SnapshotCache {
  private readonly entries = new Map<string, LoadedProcedure>();

  constructor(private readonly capacity: number) {}

  get(procedureId: string): LoadedProcedure | undefined {
    const entry = this.entries.get(procedureId);
    if (entry) {
      this.entries.delete(procedureId);
      this.entries.set(procedureId, entry);
    }
    return entry;
  }

  set(entry: LoadedProcedure): void {
    if (this.capacity <= 0) return;
    this.entries.delete(entry.procedureId);
    this.entries.set(entry.procedureId, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(procedureId: string): void {
    this.entries.delete(procedureId);
  }

  get size(): number {
    return this.entries.size;
  }
}
