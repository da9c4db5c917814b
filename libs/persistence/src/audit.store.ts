import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import type { StoredEvent, StoredStream } from '@qianqi/audit';
import { copyOut, CopyBufferPool, CopyTuples, type CopyBuffers, type CopyPosition } from './copy-binary';
import { STORED_TEXT_COLUMNS, storedTextDefinitions, type StoredTextColumn } from './stored-texts';

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

  /** Batches read so far by this store, by whether they read the stored texts or composed them. */
  readonly texts = { events: { stored: 0, composed: 0 }, snapshots: { stored: 0, composed: 0 } };

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
   *
   * Over every stream, a batch's streams are valid until the caller asks for the next batch: the
   * memory they are read from is then handed to a batch still to come (reading `events` of such a
   * stream afterwards throws). `keep`: every batch stays readable (each reads into memory of its own).
   */
  async *streams(
    opts: { procedureId?: string; batchSize?: number; compose?: boolean; keep?: boolean } = {},
  ): AsyncGenerator<StoredStream[]> {
    const compose = opts.compose ?? false;
    if (opts.procedureId) {
      const one = await this.batch({ only: opts.procedureId }, compose);
      if (one.streams.length) yield one.streams;
      return;
    }
    const size = opts.batchSize ?? 1000;
    const pool = opts.keep ? undefined : new CopyBufferPool();
    const ahead: Promise<ReadBatch>[] = [];
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
          const batch = this.batch({ lower, upper }, compose, pool);
          // Its failure is met when it is awaited; until then it must not count as unhandled.
          batch.catch(() => undefined);
          ahead.push(batch);
          lower = upper;
          planned = upper === null;
        }
        const batch = ahead.shift();
        if (!batch) return;
        const read = await batch;
        if (read.streams.length) yield read.streams;
        if (pool) recycle(read, pool);
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

  /** `compose`: the stored texts are not read at all, whatever the catalog says. */
  private async batch(range: Range, compose: boolean, buffers?: CopyBuffers): Promise<ReadBatch> {
    const expected = compose ? null : await this.expectedTexts();
    const runner = this.ds.createQueryRunner();
    // The pg connection itself, for COPY (see copy-binary.ts).
    const client = (await runner.connect()) as PoolClient;
    try {
      // One transaction: a command committing meanwhile cannot put a snapshot and its stream out of step.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      // A batch's events are sorted by stream in memory, not in temporary files.
      await client.query(`SET LOCAL work_mem = '64MB'`);
      const stored = await storedTextsOf(client, expected);
      this.texts.events[stored.events ? 'stored' : 'composed'] += 1;
      this.texts.snapshots[stored.snapshots ? 'stored' : 'composed'] += 1;
      const result = await readBatch(client, range, stored, buffers);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  /**
   * Which stored texts (stored-texts.ts) a batch read now would use: those whose column the
   * catalog shows generated by exactly the expected expression. (The others it composes.)
   */
  async readsStoredTexts(): Promise<StoredTexts> {
    const expected = await this.expectedTexts();
    return this.rolledBack('BEGIN READ ONLY', (client) => storedTextsOf(client, expected));
  }

  /** `fn` in a transaction of its own on a connection of its own, rolled back whatever it did. */
  private async rolledBack<T>(begin: string, fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const runner = this.ds.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      await client.query(begin);
      return await fn(client);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      await runner.release();
    }
  }

  /**
   * How this server writes each expected expression back (`pg_get_expr`), learnt once from
   * temporary tables made with them, so the catalog's own can be compared as text whatever the
   * PostgreSQL version. Null if this server cannot say just now (no temporary tables allowed to
   * this role, a standby, a connection lost): then the batch composes its texts, and the next one
   * asks again.
   */
  private expectedTexts(): Promise<Map<string, string> | null> {
    return (this.expected ??= this.learnExpectedTexts().catch(() => {
      this.expected = undefined;
      return null;
    }));
  }

  private expected?: Promise<Map<string, string> | null>;

  private learnExpectedTexts(): Promise<Map<string, string>> {
    return this.rolledBack('BEGIN', async (client) => {
      const probes: string[] = [];
      for (const [table, columns] of Object.entries(PROBE_COLUMNS) as [StoredTextColumn['table'], string][]) {
        const probe = `${PROBE}${table}`;
        await client.query(
          `CREATE TEMPORARY TABLE ${probe} (${[columns, ...storedTextDefinitions(table)].join(', ')}) ON COMMIT DROP`,
        );
        probes.push(probe);
      }
      const { rows } = await client.query<GeneratedColumnRow>(
        `${GENERATED_COLUMNS} AND a.attrelid = ANY($1::regclass[])`,
        [probes.map((p) => `pg_temp.${p}`)],
      );
      return new Map(rows.map((r) => generatedEntry(r.relname.slice(PROBE.length), r)));
    });
  }
}

/** Which stored texts a batch reads (the others it composes from the columns). */
export interface StoredTexts {
  events: boolean;
  snapshots: boolean;
}

const PROBE = 'qianqi_probe_';

/** The columns the stored texts are made of, for the probe tables (types as in the migrations). */
const PROBE_COLUMNS: Record<StoredTextColumn['table'], string> = {
  events: 'stream_id uuid, version integer, type text, data jsonb, metadata jsonb, prev_hash char(64)',
  procedure_snapshots: 'state jsonb',
};

/** A generated column as compared: `table.column`, and its type and expression as printed. */
const generatedEntry = (table: string, r: GeneratedColumnRow): [string, string] => [
  `${table}.${r.column}`,
  `${r.type} ${r.expression}`,
];

type GeneratedColumnRow = {
  relname: string;
  column: string;
  type: string;
  expression: string;
  own: boolean;
  altered: boolean;
  inherited: boolean;
  utf8: boolean;
};

/**
 * Generated columns with their type and expression as the catalog prints them, and whether that
 * expression leans on any object not built into PostgreSQL (`own`): pg_get_expr prints a cast
 * done by a function of one's own (CREATE CAST … WITH FUNCTION, for a pair of types with no
 * built-in cast, such as jsonb to text) exactly as it prints a built-in cast, but such a function
 * could answer anything, and the column keeps depending on it even after the cast is dropped.
 * Built-in objects have ids below 16384 (FirstNormalObjectId); the table itself is the one
 * dependency of its own a column's expression has. Whether a built-in function or operator it
 * calls was redefined since initdb (`altered`: CREATE OR REPLACE FUNCTION pg_catalog.… in SQL,
 * which generated columns then run inlined, and back again; what is left is the row's xmin, 1 for
 * every row initdb loads). Whether the table has tables inheriting from it (`inherited`):
 * reading the table reads theirs too (as the application's reads do), whose columns are their
 * own. And whether the database is in UTF-8 (`utf8`, the same on every row).
 */
const GENERATED_COLUMNS = `SELECT c.relname, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
         current_setting('server_encoding') = 'UTF8' AS utf8,
         c.relhassubclass AS inherited,
         pg_get_expr(d.adbin, d.adrelid) AS expression,
         EXISTS (SELECT 1 FROM pg_depend dep
                  WHERE dep.classid = 'pg_attrdef'::regclass AND dep.objid = d.oid AND dep.refobjid >= 16384
                    AND NOT (dep.refclassid = 'pg_class'::regclass AND dep.refobjid = d.adrelid)) AS own,
         EXISTS (SELECT 1 FROM regexp_matches(d.adbin::text, ':(funcid|opfuncid|opno) ([0-9]+)', 'g') m
                  WHERE m[2] <> '0'
                    AND NOT EXISTS (SELECT 1 FROM pg_proc p WHERE m[1] <> 'opno' AND p.oid = m[2]::oid AND p.xmin = '1'::xid)
                    AND NOT EXISTS (SELECT 1 FROM pg_operator o WHERE m[1] = 'opno' AND o.oid = m[2]::oid AND o.xmin = '1'::xid))
           AS altered
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attgenerated = 's' AND NOT a.attisdropped`;

/**
 * Which stored texts this transaction may read: those whose columns are generated by exactly the
 * expected expressions, from built-in objects alone, in a table no other inherits from. The
 * tables are locked first (ACCESS SHARE, what any read takes): no one can change a column's
 * definition between this look and the reads. Event texts also need a UTF-8 database, as their
 * data's length is counted in its bytes.
 */
async function storedTextsOf(client: PoolClient, expected: Map<string, string> | null): Promise<StoredTexts> {
  if (!expected) return { events: false, snapshots: false };
  await client.query('LOCK TABLE events, procedure_snapshots IN ACCESS SHARE MODE');
  const { rows } = await client.query<GeneratedColumnRow>(
    `${GENERATED_COLUMNS} AND a.attrelid IN ('events'::regclass, 'procedure_snapshots'::regclass)`,
  );
  const found = new Map(
    rows.filter((r) => !r.own && !r.altered && !r.inherited).map((r) => generatedEntry(r.relname, r)),
  );
  const intact = (table: StoredTextColumn['table']) =>
    STORED_TEXT_COLUMNS.filter((c) => c.table === table).every((c) => {
      const key = `${table}.${c.column}`;
      return expected.has(key) && found.get(key) === expected.get(key);
    });
  const utf8 = rows.length > 0 && rows[0].utf8;
  return { events: utf8 && intact('events'), snapshots: intact('procedure_snapshots') };
}

/** Batches fetched while the one before is checked. */
const BATCHES_AHEAD = 2;

/** Procedures in the first batch; each next batch doubles, up to the batch size. */
const FIRST_BATCH = 50;

/** One procedure, or the ids in (lower, upper] (from the first when lower is null, to the last when upper is). */
type Range = { only: string } | { lower: string | null; upper: string | null };

const NIL = '00000000-0000-0000-0000-000000000000';

/**
 * Each event's stream, version, type, previous hash and hash, then its hashed text with the
 * previous hash after it: the verifier hashes these bytes as they arrive, never decoding metadata
 * at all. (A stored field altered in any way changes the bytes, so the hash.) The text begins
 * with `{"data": ` (9 bytes) and the data's jsonb text, whose length in UTF-8 comes beside it: the
 * data replay reads is parsed from there.
 *
 * Kept by PostgreSQL as a stored column (stored-texts.ts), or else composed here from the columns
 * exactly as `eventBody()` of libs/domain composes it from the same values (COPY sends text in
 * the client encoding, UTF-8, whatever the database's own; hence the length of its conversion).
 */
const EVENT_COLUMNS = {
  stored: `e.stream_id, e.version, e.type, e.prev_hash, e.hash, e.meta_occurred_at, e.meta_definition, e.hashed_data_bytes,
              e.hashed_text
         FROM events e`,
  composed: `e.stream_id, e.version, e.type, e.prev_hash, e.hash, e.metadata->>'occurredAt', e.metadata->>'definition',
              octet_length(convert_to(t.data, 'UTF8')),
              '{"data": ' || t.data || ', "type": ' || to_json(e.type) || ', "version": ' || e.version ||
                ', "metadata": ' || e.metadata::text || ', "streamId": "' || e.stream_id || '"}' || e.prev_hash
         FROM events e, LATERAL (SELECT e.data::text AS data) t`,
};
const DATA_AT = '{"data": '.length;

/** A batch's streams, and the COPY data they are read from. */
interface ReadBatch {
  streams: CopiedStream[];
  data: Buffer[];
}

/** A batch the caller is done with: its memory goes back to the pool, its streams can no longer be read. */
function recycle(read: ReadBatch, pool: CopyBuffers): void {
  for (const s of read.streams) s.recycled();
  if (parsing.stream?.isRecycled) {
    parsing.stream = null;
    parsing.events = [];
  }
  for (const d of read.data) pool.give(d);
  read.data.length = 0;
}

async function readBatch(
  client: PoolClient,
  range: Range,
  stored: StoredTexts,
  buffers?: CopyBuffers,
): Promise<ReadBatch> {
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
  const data: Buffer[] = [];
  const copied = async (query: string) => {
    const buf = await copyOut(client, query, buffers);
    data.push(buf);
    return buf;
  };
  readSnapshots(
    await copied(
      // (readiness looked up per snapshot: a merge join would walk projects from its first row)
      `SELECT s.procedure_id::text, s.definition, s.version, s.last_hash, ${stored.snapshots ? 's.state_text' : 's.state::text'},
              (SELECT p.ready_to_start FROM projects p WHERE p.procedure_id = s.procedure_id)
         FROM procedure_snapshots s WHERE ${where('s.procedure_id')}`,
    ),
    stream,
  );
  indexEvents(
    await copied(
      `SELECT ${stored.events ? EVENT_COLUMNS.stored : EVENT_COLUMNS.composed}
        WHERE ${where('e.stream_id')} ORDER BY e.stream_id, e.version`,
    ),
    stream,
  );
  readItems(
    await copied(
      `SELECT procedure_id::text, json_object_agg(item_key, status)::text FROM procedure_items
        WHERE ${where('procedure_id')} GROUP BY procedure_id`,
    ),
    stream,
  );
  const streams = [...byId.values()].sort((a, b) =>
    a.procedureId < b.procedureId ? -1 : a.procedureId > b.procedureId ? 1 : 0,
  );
  return { streams, data };
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
  items: Record<string, string> = {};
  readyToStart: boolean | null = null;
  /** Each read of `events` by another stream's check parses them again; they are hashed over their bodies. */
  readonly eventDataIsScratch = true;
  private source: { buf: Buffer; from: CopyPosition; count: number } | null = null;
  private stored: StoredStream['snapshot'] = null;
  /** Set once its batch's memory went back to the pool: its events and snapshot can no longer be read. */
  isRecycled = false;

  constructor(readonly procedureId: string) {}

  located(buf: Buffer, from: CopyPosition, count: number): void {
    this.source = { buf, from, count };
  }

  recycled(): void {
    this.isRecycled = true;
    this.source = null;
    this.stored = null;
  }

  /** The snapshot (its state's bytes are a view of the batch's data). */
  get snapshot(): StoredStream['snapshot'] {
    this.readable();
    return this.stored;
  }

  set snapshot(s: StoredStream['snapshot']) {
    this.stored = s;
  }

  get events(): StoredEvent[] {
    if (parsing.stream !== this) {
      this.readable();
      parsing.events = this.source ? readEvents(this.source.buf, this.source.from, this.source.count) : [];
      parsing.stream = this;
    }
    return parsing.events;
  }

  private readable(): void {
    if (this.isRecycled)
      throw new Error(`the batch of stream ${this.procedureId} was read past: its data is reused`);
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

/** Whether the `n` bytes of `buf` at `at` are all ASCII. */
function isAscii(buf: Buffer, at: number, n: number): boolean {
  for (let i = at; i < at + n; i++) if (buf[i] > 0x7f) return false;
  return true;
}

/** A uuid sent in binary (16 bytes) as its text. */
function uuidText(buf: Buffer, at: number): string {
  const h = buf.toString('hex', at, at + 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
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
    if (t.length() !== 16) throw new Error('an event row does not start with its stream id');
    if (!current || !sameBytes(buf, idAt, buf, t.at, 16)) {
      current?.located(buf, from, count);
      current = stream(uuidText(buf, t.at));
      idAt = t.at;
      from = { at: tupleAt, end: messageEnd };
      count = 0;
    }
    t.at += 16;
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
    let occurredAt: string;
    // Both hashes and the time in one decoding when each hash is 64 bytes (a char(64) of 64 bytes
    // is ASCII) and the time is ASCII (an ISO instant always is): latin1 reads ASCII as UTF-8 does.
    const p = t.at;
    const timeLength =
      buf.readInt32BE(p) === 64 && buf.readInt32BE(p + 68) === 64 ? buf.readInt32BE(p + 136) : -1;
    if (timeLength > 0 && isAscii(buf, p + 140, timeLength)) {
      const all = buf.toString('latin1', p + 4, p + 140 + timeLength);
      prevHash = all.slice(0, 64);
      hash = all.slice(68, 132);
      occurredAt = all.slice(136);
      t.at = p + 140 + timeLength;
    } else {
      prevHash = t.text();
      hash = t.text();
      occurredAt = t.text();
    }
    const definition = repeated.text(t);
    const dataLength = t.int4();
    const bodyLength = t.length();
    if (DATA_AT + dataLength > bodyLength)
      throw new Error(`event ${version} of a stream: its hashed text is cut short`);
    const bodyAt = t.at;
    const dataEnd = bodyAt + DATA_AT + dataLength;
    t.at += bodyLength;
    events[i] = {
      version,
      type,
      prevHash,
      hash,
      data: JSON.parse(buf.toString('utf8', bodyAt + DATA_AT, dataEnd)),
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
    // The slot by the length and three bytes (the texts are few and differ there; the bytes are
    // compared whole anyway).
    const slot = (n * 31 + buf[at + (n >> 2)] * 3 + buf[at + (n >> 1)] * 7 + buf[at + n - 1]) & 255;
    const known = this.slots[slot];
    if (known && known.bytes.length === n && sameBytes(known.bytes, 0, buf, at, n)) return known.text;
    const text = buf.toString('utf8', at, at + n);
    this.slots[slot] = { bytes: Uint8Array.prototype.slice.call(buf, at, at + n), text };
    return text;
  }
}

const repeated = new RepeatedTexts();
