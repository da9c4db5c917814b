import {
  procedureView,
  replay,
  ValidationError,
  type DeadlineCalculator,
  type ProcedureView,
  type ReplayEvent,
} from '@qianqi/domain';
import type { ProcedureLogic } from '@qianqi/workflows';

export interface ReplayView extends ProcedureView {
  /** The moment replayed to (ISO 8601 UTC). */
  asOf: string;
  eventsApplied: number;
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/**
 * The moment of `?at=`: an ISO 8601 instant with its zone (Z or ±hh:mm), or a date alone, which
 * means the end of that day in China (UTC+8, no DST): "as the record stood on 2026-03-05".
 * A local time without a zone is refused: the server's zone would silently move it.
 */
export function parseAsOf(at: string): string {
  const m = INSTANT.exec(at);
  const invalid = (message: string) => new ValidationError([{ field: 'at', rule: 'isInstant', message }]);
  if (!m)
    throw invalid(
      'at must be an ISO 8601 instant with Z or an offset (2026-03-05T10:00:00+08:00) or a date (2026-03-05)',
    );
  const [, y, mo, d, h, mi, s] = m;
  const day = new Date(Date.UTC(+y, +mo - 1, +d));
  if (day.getUTCFullYear() !== +y || day.getUTCMonth() !== +mo - 1 || day.getUTCDate() !== +d) {
    throw invalid(`at names a day that does not exist: ${y}-${mo}-${d}`);
  }
  if (h === undefined) return new Date(day.getTime() + 86_400_000 - 1 - SHANGHAI_OFFSET_MS).toISOString();
  if (+h > 23 || +mi > 59 || (s !== undefined && +s > 59))
    throw invalid(`at names a time that does not exist: ${at}`);
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) throw invalid(`at is not a valid instant: ${at}`);
  return new Date(ms).toISOString();
}

/**
 * The procedure as it stood at `asOf`, folded from its events through the definition version it
 * ran on (never from the snapshot), in the shape of GET /procedures/:id. Deadline figures are as
 * of that moment too. Null when the procedure did not exist yet.
 */
export function replayView(
  logic: ProcedureLogic,
  events: readonly ReplayEvent[],
  opts: { procedureId: string; asOf: string; until: string | null; deadlines?: DeadlineCalculator },
): ReplayView | null {
  const result = replay(logic, events, opts.until ?? undefined);
  if (!result) return null;
  const view = procedureView(
    logic,
    result.state,
    { id: opts.procedureId, projectId: result.state.context.projectId, version: result.version },
    { now: opts.asOf, deadlines: opts.deadlines },
  );
  return { ...view, asOf: opts.asOf, eventsApplied: result.eventsApplied };
}
