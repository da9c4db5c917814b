import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  exportHeader,
  parseAsOf,
  replayView,
  timeline,
  toCsv,
  toJsonl,
  type ReplayView,
  type StoredEvent,
  type TimelineEntry,
} from '@qianqi/audit';
import {
  assertCanRead,
  DomainError,
  ErrorCode,
  ForbiddenError,
  NotFoundError,
  type Actor,
  type DeadlineCalculator,
} from '@qianqi/domain';
import { AuditStore, type ProcedureScopeRow } from '@qianqi/persistence';
import { CalendarHistory } from '../calendar/calendar-history.service';
import { Clock } from '../clock';
import { DefinitionsService } from '../definitions.service';
import { DEADLINES } from '../tokens';
import { ACCESS_ACTIONS, AccessLog } from './access-log.service';

export type ExportFormat = 'jsonl' | 'csv';

export interface ExportFile {
  contentType: string;
  filename: string;
  body: string;
}

const CONTENT_TYPES: Record<ExportFormat, string> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/**
 * The history of one procedure, always from its events (never from the snapshot): the view at a
 * moment, the timeline, the export. Auditors' reads are recorded in the access log.
 */
@Injectable()
export class ProcedureHistory {
  constructor(
    private readonly audit: AuditStore,
    private readonly definitions: DefinitionsService,
    private readonly accessLog: AccessLog,
    private readonly clock: Clock,
    private readonly calendarHistory: CalendarHistory,
    @Optional() @Inject(DEADLINES) private readonly deadlines?: DeadlineCalculator,
  ) {}

  async replay(actor: Actor, procedureId: string, at: string | null): Promise<ReplayView> {
    const asOf = at === null ? await this.clock.sync() : parseAsOf(at);
    const { scope, events } = await this.readable(actor, procedureId);
    const { logic } = await this.definitions.version(this.definitionOf(scope, events));
    // To a moment: deadlines on the calendar as it stood then (a year loaded later was not known).
    const deadlines =
      at === null || !this.deadlines
        ? this.deadlines
        : await this.calendarHistory.deadlinesAsOf(procedureId, asOf);
    const view = replayView(logic, events, {
      procedureId,
      asOf,
      until: at === null ? null : asOf,
      deadlines,
    });
    if (!view) {
      throw new DomainError(
        ErrorCode.NOT_FOUND,
        `procedure ${procedureId} did not exist yet at ${asOf}; it was registered at ${events[0]?.metadata.occurredAt}`,
        {
          procedureId,
          asOf,
          registeredAt: events[0]?.metadata.occurredAt ?? null,
        },
      );
    }
    await this.accessLog.read(actor, ACCESS_ACTIONS.replay, procedureId, { at: asOf });
    return view;
  }

  async timeline(actor: Actor, procedureId: string): Promise<TimelineEntry[]> {
    const { scope, events } = await this.readable(actor, procedureId);
    const { logic } = await this.definitions.version(this.definitionOf(scope, events));
    // Each line on the calendar as it stood when its event was recorded, as replay does.
    const deadlines = this.deadlines ? await this.calendarHistory.deadlinesAlong(procedureId) : undefined;
    const entries = timeline(logic, events, { deadlines });
    await this.accessLog.read(actor, ACCESS_ACTIONS.timeline, procedureId);
    return entries;
  }

  /** Auditors, admins and the project's own applicant. */
  async export(actor: Actor, procedureId: string, format: ExportFormat): Promise<ExportFile> {
    const { scope, events } = await this.readable(actor, procedureId);
    if (!['auditor', 'admin', 'applicant'].includes(actor.role)) {
      throw new ForbiddenError(
        `role ${actor.role} may not export a procedure (allowed: auditor, admin, the project's applicant)`,
      );
    }
    const def = await this.definitions.version(this.definitionOf(scope, events));
    const body =
      format === 'csv'
        ? toCsv(procedureId, { ref: def.ref, hash: def.hash }, events)
        : toJsonl(
            exportHeader(
              {
                procedureId,
                projectId: scope.projectId,
                project: { code: scope.code, name: scope.name, ownerOrg: scope.ownerOrg },
                definition: { ref: def.ref, hash: def.hash, content: def.definition },
                exportedAt: this.clock.now(),
                exportedBy: { id: actor.id, name: actor.name, role: actor.role },
              },
              events,
            ),
            events,
          );
    await this.accessLog.read(actor, ACCESS_ACTIONS.export, procedureId, { format, events: events.length });
    return { contentType: CONTENT_TYPES[format], filename: `procedure-${procedureId}.${format}`, body };
  }

  private async readable(
    actor: Actor,
    procedureId: string,
  ): Promise<{ scope: ProcedureScopeRow; events: StoredEvent[] }> {
    const scope = await this.audit.scope(procedureId);
    if (!scope) throw new NotFoundError('procedure', procedureId);
    assertCanRead(actor, scope);
    const events = await this.audit.events(procedureId);
    if (!events.length) throw new NotFoundError('procedure', procedureId);
    return { scope, events };
  }

  /** The version the stream ran on, as its (hashed) first event names it. */
  private definitionOf(scope: ProcedureScopeRow, events: StoredEvent[]): string {
    return events[0].metadata?.definition ?? scope.definition;
  }
}
