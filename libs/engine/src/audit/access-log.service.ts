import { Injectable } from '@nestjs/common';
import type { Actor } from '@qianqi/domain';
import { AccessLogStore, type AccessLogFilter, type AccessRecord } from '@qianqi/persistence';
import { Clock } from '../clock';

/** What the access log records: the audit's reads and the commands auditors were refused. */
export const ACCESS_ACTIONS = {
  replay: 'REPLAY',
  timeline: 'TIMELINE',
  export: 'EXPORT',
  verify: 'VERIFY',
  commandRefused: (type: string) => `COMMAND_REFUSED:${type}`,
} as const;

export type AccessLogEntry = Pick<
  AccessRecord,
  'at' | 'actorId' | 'actorName' | 'actorRole' | 'action' | 'procedureId' | 'detail'
>;

/** Who looked: auditors' reads of the record, and their refused commands, never in the events. */
@Injectable()
export class AccessLog {
  constructor(
    private readonly store: AccessLogStore,
    private readonly clock: Clock,
  ) {}

  /** Records an auditor's read; other roles' reads are not the audit's to watch. */
  async read(
    actor: Actor,
    action: string,
    procedureId: string | null,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    if (actor.role !== 'auditor') return;
    await this.record(actor, action, procedureId, detail);
  }

  async record(
    actor: Actor,
    action: string,
    procedureId: string | null,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    await this.store.record({
      at: this.clock.now(),
      actorId: actor.id,
      actorName: actor.name,
      actorRole: actor.role,
      action,
      procedureId,
      detail: detail ?? null,
    });
  }

  list(filter: AccessLogFilter): Promise<AccessLogEntry[]> {
    return this.store.list(filter);
  }
}
