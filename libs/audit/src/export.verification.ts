import { replay } from '@qianqi/domain';
import { contentHash, DefinitionRegistry, definitionRef, type ProcedureDefinition } from '@qianqi/workflows';
import type { StoredEvent, VerificationFailure } from './audit.types';
import { checkChain } from './chain.check';
import { canonicalJson } from '@qianqi/domain';
import { EXPORT_FORMAT, EXPORT_FORMAT_VERSION, headerHashOf, type ExportHeader } from './export.format';

export interface ExportVerification {
  ok: boolean;
  procedureId: string | null;
  definition: string | null;
  events: number;
  headHash: string | null;
  /** What makes the file unreadable or inconsistent as a whole. */
  problems: string[];
  /** Findings at a version of the stream, as the database verifier names them. */
  failures: VerificationFailure[];
}

/**
 * Checks an export with nothing but the file: the bytes are UTF-8 and every line is canonical
 * JSON; the header is intact (its own hash) and its definition content hashes to the pinned hash;
 * the events run 1…n with every hash and link intact, n and the head hash are those the header
 * names, and the definition in the header accepts every event when the stream is replayed.
 */
export function verifyExport(file: Uint8Array | string): ExportVerification {
  const out: ExportVerification = {
    ok: false,
    procedureId: null,
    definition: null,
    events: 0,
    headHash: null,
    problems: [],
    failures: [],
  };
  const refuse = (problem: string) => {
    out.problems.push(problem);
    return out;
  };
  let text: string;
  try {
    text = typeof file === 'string' ? file : new TextDecoder('utf-8', { fatal: true }).decode(file);
  } catch {
    return refuse('the file is not valid UTF-8: it was altered or is not an export');
  }
  if (!text.endsWith('\n'))
    return refuse('the file does not end with a line break: it is truncated or was edited');
  const lines = text.slice(0, -1).split('\n');
  const parsed: unknown[] = [];
  for (let i = 0; i < lines.length; i++) {
    let value: unknown;
    try {
      value = JSON.parse(lines[i]);
    } catch {
      return refuse(`line ${i + 1} is not JSON`);
    }
    if (canonicalJson(value) !== lines[i]) {
      return refuse(`line ${i + 1} is not in the canonical form the system writes: it was edited`);
    }
    parsed.push(value);
  }

  const header = parsed[0] as ExportHeader;
  if (!header || header.format !== EXPORT_FORMAT || header.formatVersion !== EXPORT_FORMAT_VERSION) {
    return refuse(`line 1 is not a ${EXPORT_FORMAT} v${EXPORT_FORMAT_VERSION} header`);
  }
  const { headerHash, ...rest } = header;
  if (headerHashOf(rest) !== headerHash)
    return refuse('the header was altered: its content does not hash to its headerHash');
  out.procedureId = header.procedureId;
  out.definition = header.definition?.ref ?? null;
  out.headHash = header.headHash;

  const def = header.definition?.content as ProcedureDefinition;
  if (!def || contentHash(def) !== header.definition.hash) {
    return refuse(`the definition in the header does not hash to ${header.definition?.hash}`);
  }
  if (definitionRef(def) !== header.definition.ref) {
    return refuse(`the definition in the header is ${definitionRef(def)}, not ${header.definition.ref}`);
  }

  const events = parsed.slice(1) as StoredEvent[];
  out.events = events.length;
  out.failures.push(...checkChain(header.procedureId, events));
  const fail = (version: number, kind: VerificationFailure['kind'], detail: string) =>
    out.failures.push({ procedureId: header.procedureId, version, kind, detail });
  const last = events[events.length - 1];
  if (events.length < header.events) {
    fail(
      events.length + 1,
      'MISSING_EVENT',
      `the header names ${header.events} events, the file holds ${events.length}: the copy is incomplete`,
    );
  } else if (events.length > header.events) {
    fail(
      header.events + 1,
      'CHAIN_BROKEN',
      `the header names ${header.events} events, the file holds ${events.length}`,
    );
  } else if ((last?.hash ?? '') !== header.headHash) {
    fail(
      last?.version ?? 0,
      'CHAIN_BROKEN',
      `the last event's hash is not the head hash ${header.headHash} the header names`,
    );
  }
  if (out.failures.length === 0) {
    for (const e of events) {
      if (e.metadata?.definition !== header.definition.ref) {
        fail(
          e.version,
          'REPLAY_DIVERGES',
          `event ran on ${e.metadata?.definition}, the header names ${header.definition.ref}`,
        );
      }
    }
    try {
      const [runtime] = new DefinitionRegistry([def]).all();
      const result = replay(runtime.logic, events);
      if (!result) fail(1, 'REPLAY_DIVERGES', 'the stream does not start with the project registration');
      for (const v of result?.rejected ?? [])
        fail(v, 'REPLAY_DIVERGES', `${header.definition.ref} does not accept this event here`);
    } catch (err) {
      out.problems.push(`the definition in the header cannot be run: ${(err as Error).message}`);
    }
  }
  out.ok = out.problems.length === 0 && out.failures.length === 0;
  return out;
}

/** The verdict of `npm run verify:file`, in lines an outside auditor can read. */
export function describeExportVerification(
  result: ExportVerification,
  file: string,
): { ok: boolean; lines: string[] } {
  if (result.ok) {
    return {
      ok: true,
      lines: [
        `OK: ${file} is a complete, unaltered export of procedure ${result.procedureId}.`,
        `  ${result.events} events, versions 1–${result.events}, every hash and link intact from the genesis hash to ${result.headHash}.`,
        `  Definition ${result.definition}: its content matches its pinned hash and accepts every event in order.`,
      ],
    };
  }
  return {
    ok: false,
    lines: [
      `REFUSED: ${file} is not a complete, unaltered export${result.procedureId ? ` of procedure ${result.procedureId}` : ''}.`,
      ...result.problems.map((p) => `  ${p}`),
      ...result.failures.map((f) => `  ${f.kind} at version ${f.version}: ${f.detail}`),
    ],
  };
}
