import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import type { StoredEvent, StoredStream } from '@qianqi/audit';
import { copyOut, CopyTuples, type CopyPosition } from './copy-binary';

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
   * One stream, or every stream batch by batch (`batchSize` procedures a batch). Each batch's
   * range of procedure ids is planned first (an index-only look `batchSize` snapshots ahead), so
   * up to `BATCHES_AHEAD` batches are fetched at once, each on a connection of its own, while the
   * caller checks the one before: PostgreSQL then works on the next batches instead of waiting
   * for the caller to ask.
   */
  async *streams(opts: { procedureId?: string; batchSize?: number } = {}): AsyncGenerator<StoredStream[]> {
    if (opts.procedureId) {
      const one = await this.batch({ only: opts.procedureId });
      if (one.length) yield one;
      return;
    }
    const size = opts.batchSize ?? 1000;
    const ahead: Promise<StoredStream[]>[] = [];
    let lower: string | null = null;
    let planned = false;
    // The first batches are smaller, so checking starts while the larger ones are on their way.
    let next = Math.min(size, FIRST_BATCH);
    try {
      for (;;) {
        while (!planned && ahead.length < BATCHES_AHEAD) {
          const upper = await this.boundAfter(lower, next);
          next = Math.min(size, next * 2);
          // The last range is open-ended: streams past the last snapshot (or with none at all) too.
          const batch = this.batch({ lower, upper });
          // Its failure is met when it is awaited; until then it must not count as unhandled.
          batch.catch(() => undefined);
          ahead.push(batch);
          lower = upper;
          planned = upper === null;
        }
        const batch = ahead.shift();
        if (!batch) return;
        const streams = await batch;
        if (streams.length) yield streams;
      }
    } finally {
      // A caller that stops early (or a failed batch) leaves no query running unobserved.
      await Promise.allSettled(ahead);
      parsing.stream = null;
      parsing.events = [];
    }
  }

  /** The `size`-th procedure id after `lower`, or null when fewer remain. */
  private async boundAfter(lower: string | null, size: number): Promise<string | null> {
    const rows: { id: string }[] = await this.ds.query(
      `SELECT procedure_id AS id FROM procedure_snapshots WHERE procedure_id ${lower === null ? '>=' : '>'} $1
        ORDER BY procedure_id OFFSET $2 LIMIT 1`,
      [lower ?? NIL, size - 1],
    );
    return rows.length ? rows[0].id : null;
  }

  private async batch(range: Range): Promise<StoredStream[]> {
    const runner = this.ds.createQueryRunner();
    // The pg connection itself, for COPY (see copy-binary.ts).
    const client = (await runner.connect()) as PoolClient;
    try {
      // One transaction: a command committing meanwhile cannot put a snapshot and its stream out of step.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      // A batch's events are sorted by stream in memory, not in temporary files.
      await client.query(`SET LOCAL work_mem = '64MB'`);
      const result = await readBatch(client, range);
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

/** Batches fetched while the one before is checked. */
const BATCHES_AHEAD = 2;

/** Procedures in the first batch; each next batch doubles, up to the batch size. */
const FIRST_BATCH = 50;

/** One procedure, or the ids in (lower, upper] (from the first when lower is null, to the last when upper is). */
type Range = { only: string } | { lower: string | null; upper: string | null };

const NIL = '00000000-0000-0000-0000-000000000000';

/**
 * The hashed text of each event, composed by PostgreSQL from the stored columns exactly as
 * `eventBody()` of libs/domain composes it from the same values, then the previous hash: the
 * verifier hashes these bytes as they arrive, never decoding metadata at all. (A stored field
 * altered in any way changes the bytes, so the hash.) It begins with `{"data": ` (9 bytes) and
 * the data's jsonb text, whose length in UTF-8 comes beside it (COPY sends text in the client
 * encoding, UTF-8, whatever the database's own): the data replay reads is parsed from there.
 * (Plain concatenation: PostgreSQL's per-row cost bounds how fast a batch arrives.)
 */
const EVENT_BODY = `'{"data": ' || t.data || ', "type": ' || to_json(e.type) || ', "version": ' || e.version ||
                ', "metadata": ' || e.metadata::text || ', "streamId": "' || e.stream_id || '"}' || e.prev_hash`;
const DATA_AT = '{"data": '.length;

async function readBatch(client: PoolClient, range: Range): Promise<StoredStream[]> {
  // COPY takes no parameters: values go in as literals (node-pg's escaping; they are ids anyway).
  const lit = (v: string) => client.escapeLiteral(v);
  const where = (c: string) => {
    if ('only' in range) return `${c} = ${lit(range.only)}`;
    const lower = range.lower === null ? `${c} >= ${lit(NIL)}` : `${c} > ${lit(range.lower)}`;
    return range.upper === null ? lower : `${lower} AND ${c} <= ${lit(range.upper)}`;
  };
  const byId = new Map<string, CopiedStream>();
  const stream = (id: string): CopiedStream => {
    let s = byId.get(id);
    if (!s) {
      s = new CopiedStream(id);
      byId.set(id, s);
    }
    return s;
  };
  readSnapshots(
    await copyOut(
      client,
      // (readiness looked up per snapshot: a merge join would walk projects from its first row)
      `SELECT s.procedure_id::text, s.definition, s.version, s.last_hash, s.state::text,
              (SELECT p.ready_to_start FROM projects p WHERE p.procedure_id = s.procedure_id)
         FROM procedure_snapshots s WHERE ${where('s.procedure_id')}`,
    ),
    stream,
  );
  indexEvents(
    await copyOut(
      client,
      `SELECT e.stream_id::text, e.version, e.type, e.prev_hash, e.hash,
              e.metadata->>'occurredAt', e.metadata->>'definition', octet_length(convert_to(t.data, 'UTF8')), ${EVENT_BODY}
         FROM events e, LATERAL (SELECT e.data::text AS data) t
        WHERE ${where('e.stream_id')} ORDER BY e.stream_id, e.version`,
    ),
    stream,
  );
  readItems(
    await copyOut(
      client,
      `SELECT procedure_id::text, json_object_agg(item_key, status)::text FROM procedure_items
        WHERE ${where('procedure_id')} GROUP BY procedure_id`,
    ),
    stream,
  );
  return [...byId.values()].sort((a, b) =>
    a.procedureId < b.procedureId ? -1 : a.procedureId > b.procedureId ? 1 : 0,
  );
}

/**
 * A stream as the batch brought it: its events stay bytes in the batch's COPY data until they
 * are checked, and only the stream being checked holds its events as objects (`parsing`).
 *
 * Both matter to the garbage collector. A batch's streams live from its prefetch to its check,
 * long enough to be promoted to the old generation; events built ahead with them were promoted
 * too, and copying them there was most of the verifier's GC time. And events hung on such an
 * old stream, even one already checked and let go, stay reachable to the young-generation
 * collector (an old object's pointers count as live until the next full collection): so the
 * events are held by one module-level slot, which the next stream's events replace.
 */
class CopiedStream implements StoredStream {
  snapshot: StoredStream['snapshot'] = null;
  items: Record<string, string> = {};
  readyToStart: boolean | null = null;
  /** Each read of `events` by another stream's check parses them again; they are hashed over their bodies. */
  readonly eventDataIsScratch = true;
  private source: { buf: Buffer; from: CopyPosition; count: number } | null = null;

  constructor(readonly procedureId: string) {}

  located(buf: Buffer, from: CopyPosition, count: number): void {
    this.source = { buf, from, count };
  }

  get events(): StoredEvent[] {
    if (parsing.stream !== this) {
      parsing.events = this.source ? readEvents(this.source.buf, this.source.from, this.source.count) : [];
      parsing.stream = this;
    }
    return parsing.events;
  }
}

const parsing: { stream: CopiedStream | null; events: StoredEvent[] } = { stream: null, events: [] };

function readSnapshots(buf: Buffer, stream: (id: string) => CopiedStream): void {
  const t = new CopyTuples(buf);
  while (t.tuple() !== -1) {
    const s = stream(t.text());
    const definition = t.text();
    const version = t.int4();
    const lastHash = t.text();
    const state = t.bytes();
    s.readyToStart = t.bool();
    let parsed: StoredSnapshot['state'] | undefined;
    s.snapshot = {
      definition,
      version,
      lastHash,
      stateBytes: state,
      get state() {
        return (parsed ??= JSON.parse(state.toString('utf8')));
      },
    };
  }
}

/**
 * Each procedure's item rows, as one JSON object of status by item key (json, not jsonb: nothing
 * to normalize, since (procedure_id, item_key) is the key, and PostgreSQL builds it in two thirds
 * of the time).
 */
function readItems(buf: Buffer, stream: (id: string) => CopiedStream): void {
  const t = new CopyTuples(buf);
  while (t.tuple() !== -1) stream(t.text()).items = JSON.parse(t.text());
}

type StoredSnapshot = NonNullable<StoredStream['snapshot']>;

const EVENT_FIELDS = 9;

/** Whether the `n` bytes of `a` at `ai` and of `b` at `bi` are the same (in JavaScript: they are short). */
function sameBytes(a: Uint8Array, ai: number, b: Uint8Array, bi: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[ai + i] !== b[bi + i]) return false;
  return true;
}

/** Where each stream's events lie in the batch's COPY data (ordered by stream, then version). */
function indexEvents(buf: Buffer, stream: (id: string) => CopiedStream): void {
  const t = new CopyTuples(buf);
  let current: CopiedStream | null = null;
  let idAt = -1;
  let from = { at: 0, end: 0 };
  let count = 0;
  for (;;) {
    const tupleAt = t.at;
    const messageEnd = t.end;
    const fields = t.tuple();
    if (fields === -1) break;
    if (fields !== EVENT_FIELDS) throw new Error(`event rows have ${fields} fields, not ${EVENT_FIELDS}`);
    const n = t.length();
    if (!current || !sameBytes(buf, idAt, buf, t.at, n)) {
      current?.located(buf, from, count);
      current = stream(buf.toString('latin1', t.at, t.at + n));
      idAt = t.at;
      from = { at: tupleAt, end: messageEnd };
      count = 0;
    }
    t.at += n;
    for (let f = 1; f < EVENT_FIELDS; f++) t.skip();
    count += 1;
  }
  current?.located(buf, from, count);
}

function readEvents(buf: Buffer, from: CopyPosition, count: number): StoredEvent[] {
  const t = new CopyTuples(buf, from);
  const events: StoredEvent[] = new Array(count);
  for (let i = 0; i < count; i++) {
    t.tuple();
    t.skip();
    const version = t.int4();
    const type = repeated.text(t);
    let prevHash: string;
    let hash: string;
    // Both hashes in one decoding when each is 64 bytes: a char(64) of 64 bytes is ASCII.
    const p = t.at;
    if (buf.readInt32BE(p) === 64 && buf.readInt32BE(p + 68) === 64) {
      const both = buf.toString('latin1', p + 4, p + 136);
      prevHash = both.slice(0, 64);
      hash = both.slice(68);
      t.at = p + 136;
    } else {
      prevHash = t.text();
      hash = t.text();
    }
    const occurredAt = t.text();
    const definition = repeated.text(t);
    const dataLength = t.int4();
    const bodyLength = t.length();
    if (DATA_AT + dataLength > bodyLength)
      throw new Error(`event ${version} of a stream: its body is cut short`);
    const bodyAt = t.at;
    t.at += bodyLength;
    events[i] = {
      version,
      type,
      prevHash,
      hash,
      data: JSON.parse(buf.toString('utf8', bodyAt + DATA_AT, bodyAt + DATA_AT + dataLength)),
      // Only what replay reads; the hash is checked over the whole metadata, in the body.
      metadata: { occurredAt, definition } as StoredEvent['metadata'],
      // A plain view (cheaper to make than a Buffer's subarray).
      body: new Uint8Array(buf.buffer, buf.byteOffset + bodyAt, bodyLength),
    };
  }
  return events;
}

/**
 * Short texts that come again and again (event types, definition refs), decoded once and found
 * again by their bytes: no decoding and no new string for each event.
 */
class RepeatedTexts {
  private readonly slots: ({ bytes: Uint8Array; text: string } | undefined)[] = new Array(256);

  /** The next field of `t` as text. */
  text(t: CopyTuples): string {
    const n = t.length();
    if (n <= 0) return '';
    const { buf, at } = t;
    t.at += n;
    if (n > 48) return buf.toString('utf8', at, at + n);
    let h = n;
    for (let i = 0; i < n; i++) h = (h * 31 + buf[at + i]) | 0;
    const slot = (h ^ (h >>> 8)) & 255;
    const known = this.slots[slot];
    if (known && known.bytes.length === n && sameBytes(known.bytes, 0, buf, at, n)) return known.text;
    const text = buf.toString('utf8', at, at + n);
    this.slots[slot] = { bytes: Uint8Array.prototype.slice.call(buf, at, at + n), text };
    return text;
  }
}

const repeated = new RepeatedTexts();
