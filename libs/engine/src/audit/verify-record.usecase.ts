import { Injectable } from '@nestjs/common';
import { DefinitionRuntimes, verifyRecord, type RecordReport } from '@qianqi/audit';
import { NotFoundError, type Actor } from '@qianqi/domain';
import { AuditStore } from '@qianqi/persistence';
import { DefinitionsService } from '../definitions.service';
import { ACCESS_ACTIONS, AccessLog } from './access-log.service';

/**
 * Verifies one procedure or the whole record: every hash and link, versions 1…n, and replay
 * against the stored snapshot and read models. Definition runtimes (and their transition
 * tables) are kept between calls while the pinned definitions stay the same.
 */
@Injectable()
export class VerifyRecordUseCase {
  private runtimes: { key: string; value: DefinitionRuntimes } | null = null;

  constructor(
    private readonly audit: AuditStore,
    private readonly definitions: DefinitionsService,
    private readonly accessLog: AccessLog,
  ) {}

  async execute(actor: Actor, procedureId: string | null): Promise<RecordReport> {
    const runtimes = await this.currentRuntimes();
    const report = await verifyRecord(
      this.audit.streams({ procedureId: procedureId ?? undefined }),
      runtimes.lookup,
    );
    if (procedureId && report.procedures === 0) throw new NotFoundError('procedure', procedureId);
    await this.accessLog.read(actor, ACCESS_ACTIONS.verify, procedureId, {
      procedures: report.procedures,
      events: report.events,
      ok: report.ok,
      failures: report.failures.length + (report.failuresNotListed ?? 0),
    });
    return report;
  }

  private async currentRuntimes(): Promise<DefinitionRuntimes> {
    const pinned = await this.audit.pinnedDefinitions();
    const key = pinned.map((p) => `${p.ref}=${p.hash}`).join(',');
    if (this.runtimes?.key !== key)
      this.runtimes = { key, value: new DefinitionRuntimes(this.definitions.registry, pinned) };
    return this.runtimes.value;
  }
}
