import type { ProcedureDefinition } from '@qianqi/workflows';
import type { StoredEvent } from './audit.types';
import { canonicalJson, sha256Hex } from '@qianqi/domain';

/**
 * The export of one procedure: a JSON Lines file whose first line is a header (the procedure,
 * the definition version it ran on with its content and hash, the stream's length and head hash)
 * and whose other lines are the events as GET /procedures/:id/events shows them. Every line is
 * canonical JSON (RFC 8785), so a copy can be checked byte for byte: any edit that is not caught
 * by a hash is caught because the line is no longer canonical.
 */
export const EXPORT_FORMAT = 'qianqi.procedure-export';
export const EXPORT_FORMAT_VERSION = 1;

export interface ExportHeader {
  format: typeof EXPORT_FORMAT;
  formatVersion: typeof EXPORT_FORMAT_VERSION;
  procedureId: string;
  projectId: string;
  project: { code: string; name: string; ownerOrg: string };
  definition: { ref: string; hash: string; content: ProcedureDefinition };
  events: number;
  headHash: string;
  exportedAt: string;
  exportedBy: { id: string; name: string; role: string };
  /** SHA-256 of the canonical JSON of every other header field. */
  headerHash: string;
}

export type ExportHeaderFields = Omit<
  ExportHeader,
  'format' | 'formatVersion' | 'events' | 'headHash' | 'headerHash'
>;

export function headerHashOf(header: Omit<ExportHeader, 'headerHash'>): string {
  return sha256Hex(canonicalJson(header));
}

export function exportHeader(fields: ExportHeaderFields, events: readonly StoredEvent[]): ExportHeader {
  const header: Omit<ExportHeader, 'headerHash'> = {
    format: EXPORT_FORMAT,
    formatVersion: EXPORT_FORMAT_VERSION,
    ...fields,
    events: events.length,
    headHash: events.length ? events[events.length - 1].hash : '',
  };
  return { ...header, headerHash: headerHashOf(header) };
}

/** The event line: exactly the fields of GET /procedures/:id/events. */
export function eventLine(e: StoredEvent): string {
  return canonicalJson({
    version: e.version,
    type: e.type,
    data: e.data,
    metadata: e.metadata,
    prevHash: e.prevHash,
    hash: e.hash,
  });
}

export function toJsonl(header: ExportHeader, events: readonly StoredEvent[]): string {
  return [canonicalJson(header), ...events.map(eventLine)].join('\n') + '\n';
}

export const CSV_COLUMNS = [
  'procedureId',
  'version',
  'type',
  'itemKey',
  'occurredAt',
  'actorId',
  'actorName',
  'actorRole',
  'actorDepartment',
  'definition',
  'definitionHash',
  'data',
  'metadata',
  'prevHash',
  'hash',
] as const;

function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV with a header row; data and metadata as canonical JSON cells. */
export function toCsv(
  procedureId: string,
  definition: { ref: string; hash: string },
  events: readonly StoredEvent[],
): string {
  const rows = events.map((e) => {
    const actor = e.metadata.actor ?? ({} as StoredEvent['metadata']['actor']);
    const cells: Record<(typeof CSV_COLUMNS)[number], unknown> = {
      procedureId,
      version: e.version,
      type: e.type,
      itemKey: (e.data as { itemKey?: string }).itemKey ?? '',
      occurredAt: e.metadata.occurredAt,
      actorId: actor.id,
      actorName: actor.name,
      actorRole: actor.role,
      actorDepartment: actor.department ?? '',
      definition: e.metadata.definition,
      definitionHash: e.metadata.definition === definition.ref ? definition.hash : '',
      data: canonicalJson(e.data),
      metadata: canonicalJson(e.metadata),
      prevHash: e.prevHash,
      hash: e.hash,
    };
    return CSV_COLUMNS.map((c) => csvField(cells[c])).join(',');
  });
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}
