import type { DataSource } from 'typeorm';
import type { StoredEvent, StoredStream } from '@qianqi/audit';

export interface PinnedDefinitionRow {
  ref: string;
  hash: string;
  content: unknown;
}

export interface ProcedureScopeRow {
  procedureId: string;
  projectId: string;
  code: string;
  name: string;
  ownerOrg: string;
  leader: string | null;
  definition: string;
}

type EventRow = {
  stream_id: string;
  version: number;
  type: string;
  data: Record<string, unknown>;
  metadata: StoredEvent['metadata'];
  prev_hash: string;
  hash: string;
};

const toEvent = (r: EventRow): StoredEvent => ({
  version: r.version,
  type: r.type,
  data: r.data,
  metadata: r.metadata,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/**
 * The read side of the audit: streams with what is stored beside them (snapshot, item read
 * model, project readiness), in keyset-paginated batches of procedure ids. A batch is read in
 * one REPEATABLE READ transaction, so a command committing meanwhile cannot make a snapshot and
 * its stream look out of step; the next batch is fetched while the caller checks this one.
 */
export class AuditStore {
  constructor(private readonly ds: DataSource) {}

  async pinnedDefinitions(): Promise<PinnedDefinitionRow[]> {
    return this.ds.query(`SELECT ref, hash, content FROM definitions ORDER BY ref`);
  }

  /** Who may see a procedure, from the project row (never from the snapshot). */
  async scope(procedureId: string): Promise<ProcedureScopeRow | null> {
    const rows = await this.ds.query(
      `SELECT procedure_id, id, code, name, owner_org, leader, definition FROM projects WHERE procedure_id = $1`,
      [procedureId],
    );
    if (!rows.length) return null;
    const r = rows[0];
    return {
      procedureId: r.procedure_id,
      projectId: r.id,
      code: r.code,
      name: r.name,
      ownerOrg: r.owner_org,
      leader: r.leader,
      definition: r.definition,
    };
  }

  async events(streamId: string): Promise<StoredEvent[]> {
    const rows: EventRow[] = await this.ds.query(
      `SELECT stream_id, version, type, data, metadata, prev_hash, hash FROM events WHERE stream_id = $1 ORDER BY version`,
      [streamId],
    );
    return rows.map(toEvent);
  }

  /**
   * One stream, or every stream batch by batch (`batchSize` procedures a query). `textBudget`
   * (bytes; tests only) lowers the size past which a batch's events come a row per stream.
   */
  async *streams(
    opts: { procedureId?: string; batchSize?: number; textBudget?: number } = {},
  ): AsyncGenerator<StoredStream[]> {
    const budget = opts.textBudget ?? BATCH_TEXT_BUDGET;
    if (opts.procedureId) {
      const one = await this.batch({ only: opts.procedureId }, budget);
      if (one.streams.length) yield one.streams;
      return;
    }
    const size = opts.batchSize ?? 1000;
    let pending: Promise<Batch> | null = this.batch({ after: null, size }, budget);
    while (pending) {
      const batch: Batch = await pending;
      pending = batch.last ? null : this.batch({ after: batch.cursor, size }, budget);
      if (batch.streams.length) yield batch.streams;
    }
  }

  private async batch(
    q: { only: string } | { after: string | null; size: number },
    budget: number,
  ): Promise<Batch> {
    const runner = this.ds.createQueryRunner();
    // The pg connection itself: rows as arrays with JSON as text, parsed once here, is the
    // cheapest way to bring a million events into Node (no per-row objects, no type parsers).
    const client = (await runner.connect()) as RawClient;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const result = await readBatch(client, q, budget);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }
}

type RawClient = {
  query(
    q: string | { text: string; values?: unknown[]; rowMode?: 'array' },
    values?: unknown[],
  ): Promise<{ rows: unknown[][] }>;
};

interface Batch {
  streams: StoredStream[];
  cursor: string | null;
  last: boolean;
}

const NIL = '00000000-0000-0000-0000-000000000000';

async function readBatch(
  client: RawClient,
  q: { only: string } | { after: string | null; size: number },
  budget: number,
): Promise<Batch> {
  const rows = (text: string, values: unknown[]) =>
    client.query({ text, values, rowMode: 'array' }).then((r) => r.rows);
  const columns = `s.procedure_id, s.definition, s.version, s.last_hash, s.state::text, p.ready_to_start
         FROM procedure_snapshots s LEFT JOIN projects p ON p.procedure_id = s.procedure_id`;
  let snapshots: unknown[][];
  let range: { where: (column: string) => string; args: unknown[] };
  let last = true;
  let cursor: string | null = null;
  if ('only' in q) {
    snapshots = await rows(`SELECT ${columns} WHERE s.procedure_id = $1`, [q.only]);
    range = { where: (c) => `${c} = $1`, args: [q.only] };
  } else {
    const lower = q.after === null ? '>=' : '>';
    const from = q.after ?? NIL;
    snapshots = await rows(
      `SELECT ${columns} WHERE s.procedure_id ${lower} $1 ORDER BY s.procedure_id LIMIT $2`,
      [from, q.size],
    );
    last = snapshots.length < q.size;
    cursor = snapshots.length ? (snapshots[snapshots.length - 1][0] as string) : q.after;
    // The last batch is open-ended: streams past the last snapshot (or with none at all) are read too.
    range = last
      ? { where: (c) => `${c} ${lower} $1`, args: [from] }
      : { where: (c) => `${c} ${lower} $1 AND ${c} <= $2`, args: [from, cursor] };
  }
  // One row per stream, its events in one string: fields joined by US (0x1f), events by RS (0x1e).
  // PostgreSQL prints data and metadata as jsonb text, the very bytes the hash was taken over, and
  // JSON text never holds a raw control character; a stored field that does (only by tampering)
  // makes the stream split into other counts than it has, and that stream is read row by row.
  //
  // And the whole batch in one string (streams joined by FS 0x1c, a stream's id, count and events
  // by GS 0x1d): a string that large is allocated outside V8's young generation, so the garbage
  // collector does not copy the batch's megabytes of text while it is being checked (most of the
  // verifier's collection time when each stream was a string of its own). Should the batch not
  // split as it says (a tampered field holding FS or GS), it is read again a row per stream.
  const perStream = `SELECT stream_id, count(*)::int AS n,
            string_agg(concat_ws(E'\\x1f', version, type, prev_hash, hash,
                                 coalesce(metadata->>'occurredAt', ''), coalesce(metadata->>'definition', ''),
                                 data::text, metadata::text), E'\\x1e' ORDER BY version) AS joined
       FROM events WHERE ${range.where('stream_id')} GROUP BY stream_id`;
  // Past BATCH_TEXT_BUDGET bytes the one string is not sent (a JavaScript string has a length
  // limit): such a batch comes a row per stream. (Summed in the same pass as the string: a window
  // over the rows would materialise them all once more.)
  const [[streamCount, whole]] = (await rows(
    `SELECT count(*)::int,
            CASE WHEN sum(octet_length(joined)) <= $${range.args.length + 1}
                 THEN string_agg(concat_ws(E'\\x1d', stream_id, n, joined), E'\\x1c') END
       FROM (${perStream}) x`,
    [...range.args, budget],
  )) as [[number, string | null]];
  const streamRows = splitBatch(whole, streamCount) ?? (await rows(perStream, range.args));
  const itemRows = await rows(
    `SELECT procedure_id, item_key, status FROM procedure_items WHERE ${range.where('procedure_id')}`,
    range.args,
  );

  const byId = new Map<string, StoredStream>();
  const stream = (id: string): StoredStream => {
    let s = byId.get(id);
    if (!s) {
      s = { procedureId: id, snapshot: null, items: {}, readyToStart: null, events: [] };
      byId.set(id, s);
    }
    return s;
  };
  for (const [id, definition, version, lastHash, stateText, ready] of snapshots as [
    string,
    string,
    number,
    string,
    string,
    boolean | null,
  ][]) {
    let state: StoredSnapshot['state'] | undefined;
    stream(id).snapshot = {
      definition,
      version,
      lastHash,
      stateText,
      get state() {
        return (state ??= JSON.parse(stateText));
      },
    };
    stream(id).readyToStart = ready ?? null;
  }
  for (const [id, count, joined] of streamRows as [string, number, string][]) {
    const events = splitStream(joined, count);
    stream(id).events = events ?? (await rowByRow(client, id));
  }
  for (const [id, key, status] of itemRows as [string, string, string][]) stream(id).items[key] = status;
  const streams = [...byId.values()].sort((a, b) =>
    a.procedureId < b.procedureId ? -1 : a.procedureId > b.procedureId ? 1 : 0,
  );
  return { streams, cursor, last };
}

type StoredSnapshot = NonNullable<StoredStream['snapshot']>;

const RS = '\x1e';
const US = '\x1f';
const INTEGER = /^-?\d{1,10}$/;

/** The most bytes of event text a batch brings as one string (well under V8's string limit). */
const BATCH_TEXT_BUDGET = 64 * 1024 * 1024;
const FS = '\x1c';
const GS = '\x1d';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The batch's stream rows from its one string, or null when it does not split as it should. */
function splitBatch(whole: string | null, count: number): [string, number, string][] | null {
  if (whole === null) return count === 0 ? [] : null;
  const parts = whole.split(FS);
  if (parts.length !== count) return null;
  const out: [string, number, string][] = new Array(count);
  for (let i = 0; i < count; i++) {
    const f = parts[i].split(GS);
    if (f.length !== 3 || !UUID.test(f[0]) || !INTEGER.test(f[1])) return null;
    out[i] = [f[0], Number(f[1]), f[2]];
  }
  return out;
}

/** The events of one stream from its joined row, or null when it does not split as it should. */
function splitStream(joined: string, count: number): StoredEvent[] | null {
  const records = joined.split(RS);
  if (records.length !== count) return null;
  const events: StoredEvent[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const f = records[i].split(US);
    if (f.length !== 8 || !INTEGER.test(f[0])) return null;
    events[i] = {
      version: Number(f[0]),
      type: f[1],
      prevHash: f[2],
      hash: f[3],
      data: JSON.parse(f[6]),
      // Only what replay reads; the hash is checked over the whole metadata text.
      metadata: { occurredAt: f[4], definition: f[5] } as StoredEvent['metadata'],
      text: { data: f[6], metadata: f[7] },
    };
  }
  return events;
}

/** A stream whose fields hold control characters (so altered): read as rows, parsed in full. */
async function rowByRow(client: RawClient, streamId: string): Promise<StoredEvent[]> {
  const rows = await client.query({
    text: `SELECT version, type, data::text, metadata::text, prev_hash, hash FROM events WHERE stream_id = $1 ORDER BY version`,
    values: [streamId],
    rowMode: 'array',
  });
  return (rows.rows as [number, string, string, string, string, string][]).map(
    ([version, type, data, metadata, prevHash, hash]) => ({
      version,
      type,
      data: JSON.parse(data),
      metadata: JSON.parse(metadata),
      prevHash,
      hash,
    }),
  );
}
