import type { PoolClient } from 'pg';

/**
 * `COPY (query) TO STDOUT (FORMAT binary)`, whole, as one Buffer: the protocol messages exactly
 * as they came off the socket, for `CopyTuples` to read.
 *
 * The bulk verifier reads the record this way: each field comes as bytes (text in the client
 * encoding, UTF-8), length-prefixed, so the reader decodes only the fields it needs, when it
 * needs them, and hashes the others as bytes. node-pg's own rows decode every field to a
 * JavaScript string first.
 *
 * Each socket chunk is copied into the result as it comes, so the chunk dies young: the backend
 * sends one CopyData message per row (the protocol says so: "always one per row"), and the reader
 * steps over each row's 5-byte message header itself. (pg-copy-streams, used before, cut every
 * row out of its chunk and copied it twice.) The result is taken from `buffers`, which may hand
 * out memory a caller gave back: a batch's megabytes, allocated afresh for every batch, are what
 * made V8 run full collections (external memory) and the kernel fault in and zero new pages.
 */
export function copyOut(client: PoolClient, query: string, buffers: CopyBuffers = FRESH): Promise<Buffer> {
  const copy = new CopyOutQuery(`COPY (${query}) TO STDOUT (FORMAT binary)`, buffers);
  (client as unknown as { query(q: CopyOutQuery): unknown }).query(copy);
  return copy.result;
}

/** Where `copyOut` takes the memory its result is copied into. */
export interface CopyBuffers {
  /** A buffer of at least `size` bytes, of its own ArrayBuffer (offset 0). */
  take(size: number): Buffer;
  /** A buffer (or a view of one) `take` gave, no longer in use. */
  give(buf: Buffer): void;
}

/** New memory every time; nothing is kept. */
const FRESH: CopyBuffers = { take: (size) => Buffer.allocUnsafeSlow(size), give: () => undefined };

/**
 * Buffers given back, handed out again: a bulk read's batches are alike in size, so after the
 * first few no batch allocates. Keeps at most `max` buffers.
 */
export class CopyBufferPool implements CopyBuffers {
  private readonly free: Buffer[] = [];

  constructor(private readonly max = 12) {}

  take(size: number): Buffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      if (this.free[i].length >= size && (best < 0 || this.free[i].length < this.free[best].length)) best = i;
    }
    if (best < 0) return Buffer.allocUnsafeSlow(size);
    const [buf] = this.free.splice(best, 1);
    return buf;
  }

  give(view: Buffer): void {
    // The whole of the memory the view lies in (`take` hands out buffers of their own).
    const buf = Buffer.from(view.buffer, 0, view.buffer.byteLength);
    if (buf.length === 0 || this.free.some((b) => b.buffer === buf.buffer)) return;
    this.free.push(buf);
    if (this.free.length > this.max) {
      // Keep the largest: a smaller one serves only the smaller reads.
      this.free.sort((a, b) => b.length - a.length);
      this.free.length = this.max;
    }
  }
}

/** The first buffer of a COPY's result; it doubles as the data outgrows it. */
const FIRST_BUFFER = 256 * 1024;

const ERROR_RESPONSE = 0x45; // 'E'
const COPY_DONE = 0x63; // 'c'
const COPY_DATA = 0x64; // 'd'

export interface PgConnection {
  stream: NodeJS.EventEmitter & { destroy(err?: Error): void };
  query(text: string): void;
}

/**
 * A query node-pg runs (its "submittable" protocol, as pg-copy-streams and pg-cursor use): it
 * sends the COPY, takes the socket's data from node-pg's parser until CopyDone (or an error),
 * then hands the rest back, so node-pg reads CommandComplete, ReadyForQuery or the error itself.
 * (A notice the backend sends during the COPY stays in the data, skipped by `CopyTuples`: it
 * never reaches the client's 'notice' listeners.)
 */
export class CopyOutQuery {
  readonly result: Promise<Buffer>;
  private resolve!: (b: Buffer) => void;
  private reject!: (err: Error) => void;
  /** The result so far: `size` bytes of `out`. */
  private out: Buffer | null = null;
  private size = 0;
  /** Bytes of the current message still to come (past its header). */
  private need = 0;
  /** The start of a message whose header the last chunk cut off. */
  private carry: Buffer | null = null;
  private connection: PgConnection | null = null;
  private pgOnData: ((chunk: Buffer) => void) | null = null;
  /** The result, once CopyDone came (`out` is then handed over to it). */
  private copied: Buffer | null = null;
  private failed = false;
  /** Resolved: the result is the caller's, and nothing that happens later takes it back. */
  private settled = false;
  /** Set by node-pg when it times the query (`query_timeout`): called once the query is over, it stops the timer. */
  callback?: (err: Error | null) => void;

  constructor(
    private readonly text: string,
    private readonly buffers: CopyBuffers = FRESH,
  ) {
    this.result = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: PgConnection): Error | void {
    const listeners = connection.stream.listeners('data');
    if (listeners.length !== 1)
      return new Error(`COPY: the connection has ${listeners.length} data listeners, not 1`);
    this.connection = connection;
    this.pgOnData = listeners[0] as (chunk: Buffer) => void;
    connection.stream.removeListener('data', this.pgOnData);
    connection.stream.on('data', this.onData);
    connection.query(this.text);
  }

  private readonly onData = (chunk: Buffer): void => {
    let rest: Buffer | null;
    try {
      rest = this.take(chunk);
    } catch (err) {
      // The connection's place in the protocol is lost: end it (the pool drops it) and fail.
      this.fail(err as Error);
      this.connection?.stream.destroy(err as Error);
      return;
    }
    // (Outside the try: what node-pg does with the rest is node-pg's to report.)
    if (rest) this.detach(rest);
  };

  /** Takes the chunk in; past CopyDone or at an ErrorResponse, what node-pg is to read from there. */
  private take(incoming: Buffer): Buffer | null {
    let chunk = incoming;
    if (this.carry) {
      chunk = Buffer.concat([this.carry, incoming]);
      this.carry = null;
    }
    const n = chunk.length;
    let at = 0;
    for (;;) {
      if (this.need > 0) {
        const step = Math.min(this.need, n - at);
        at += step;
        this.need -= step;
        if (this.need > 0) break;
      }
      if (at === n) break;
      // At a message's start: its type byte and length (which counts itself, not the type).
      if (n - at < 5) {
        this.keep(chunk.subarray(0, at));
        this.carry = chunk.subarray(at);
        return null;
      }
      const code = chunk[at];
      if (code === ERROR_RESPONSE) {
        // node-pg reads the error from here and calls handleError.
        return chunk.subarray(at);
      }
      const length = chunk.readInt32BE(at + 1);
      if (length < 4) throw new Error(`COPY: a message of type ${code} claims ${length} bytes`);
      if (code === COPY_DONE) {
        this.keep(chunk.subarray(0, at));
        if (!this.failed) this.copied = this.out ? this.out.subarray(0, this.size) : Buffer.alloc(0);
        this.out = null;
        return chunk.subarray(at + 1 + length);
      }
      at += 5;
      this.need = length - 4;
    }
    this.keep(chunk);
    return null;
  }

  private keep(part: Buffer): void {
    if (part.length === 0 || this.failed) return;
    const need = this.size + part.length;
    if (!this.out || need > this.out.length) {
      const grown = this.buffers.take(Math.max(need, this.out ? this.out.length * 2 : FIRST_BUFFER));
      if (this.out) {
        this.out.copy(grown, 0, 0, this.size);
        this.buffers.give(this.out);
      }
      this.out = grown;
    }
    part.copy(this.out, this.size);
    this.size = need;
  }

  /** node-pg's parser back on the socket, reading `rest` first. */
  private detach(rest: Buffer): void {
    const { connection, pgOnData } = this;
    if (!connection || !pgOnData) return;
    connection.stream.removeListener('data', this.onData);
    connection.stream.on('data', pgOnData);
    this.pgOnData = null;
    if (rest.length) pgOnData(rest);
  }

  private fail(err: Error): void {
    if (this.failed || this.settled) return;
    this.failed = true;
    // The memory taken so far goes back (a result of no bytes was never taken).
    const taken = this.out ?? (this.copied?.length ? this.copied : null);
    if (taken) this.buffers.give(taken);
    this.out = null;
    this.copied = null;
    this.reject(err);
    this.callback?.(err);
  }

  // What node-pg calls on the query it runs.
  handleError(err: Error): void {
    // An ErrorResponse this query passed on arrives here after `detach`. Any other error while
    // the COPY still streams (node-pg's query_timeout; a dead socket) must not hand node-pg's
    // parser the middle of a message: the rest of the COPY is read and dropped, and handed back
    // at CopyDone or an ErrorResponse as usual (node-pg keeps this query active until
    // ReadyForQuery). An error after the result was handed over (node-pg's timer going off late)
    // changes nothing.
    this.fail(err);
  }

  /** Never called while the COPY is intercepted; should node-pg ever see CopyData, it is dropped, not a crash. */
  handleCopyData(): void {}

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {
    if (this.failed || this.settled) return;
    if (!this.copied) return void this.fail(new Error('COPY: the query ended without COPY data'));
    this.settled = true;
    this.resolve(this.copied);
    // (node-pg's timer would otherwise go off later and call handleError on a finished query.)
    this.callback?.(null);
  }
}

/** Where a tuple starts in `copyOut`'s data, and where the CopyData message it is read from ends. */
export interface CopyPosition {
  at: number;
  end: number;
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * A cursor over PostgreSQL's binary COPY format, as `copyOut` gives it: the protocol's messages,
 * each row in a CopyData message of its own (the first also holds the format's header). The
 * format: a header, then per tuple a 16-bit field count and each field as a 32-bit length (-1
 * for NULL) and its bytes, then a count of -1.
 * (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4,
 * https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-COPY)
 */
export class CopyTuples {
  /** Offset of the next thing to read. */
  at: number;
  /** Where the current CopyData message ends: a tuple starting there starts a new message. */
  end: number;

  /** From the start of the data (its header is checked), or from a tuple found before (`at`, `end` as they were). */
  constructor(
    readonly buf: Buffer,
    from?: CopyPosition,
  ) {
    if (from !== undefined) {
      this.at = from.at;
      this.end = from.end;
      return;
    }
    this.at = 0;
    this.end = 0;
    this.enterMessage();
    if (this.end - this.at < 19 || buf.compare(SIGNATURE, 0, 11, this.at, this.at + 11) !== 0)
      throw new Error('not PostgreSQL binary COPY data');
    this.at += 19 + buf.readInt32BE(this.at + 15);
  }

  /** Steps over the protocol's messages to the next CopyData's content (others, such as notices, pass). */
  private enterMessage(): void {
    const buf = this.buf;
    for (;;) {
      if (this.at + 5 > buf.length) throw new Error('COPY data ends before its last tuple');
      const length = buf.readInt32BE(this.at + 1);
      if (buf[this.at] === COPY_DATA) {
        this.end = this.at + 1 + length;
        this.at += 5;
        return;
      }
      this.at += 1 + length;
    }
  }

  /** Starts the next tuple: its field count, or -1 past the last one. */
  tuple(): number {
    if (this.at === this.end) this.enterMessage();
    else if (this.at > this.end) throw new Error('a COPY tuple runs past its message');
    const n = this.buf.readInt16BE(this.at);
    this.at += 2;
    return n;
  }

  /** The next field's length in bytes (-1 for NULL); its bytes start at `at`. */
  length(): number {
    const n = this.buf.readInt32BE(this.at);
    this.at += 4;
    return n;
  }

  skip(): void {
    const n = this.length();
    if (n > 0) this.at += n;
  }

  /** A text field, decoded as UTF-8 ('' for NULL). */
  text(): string {
    const n = this.length();
    if (n <= 0) return '';
    const s = this.buf.toString('utf8', this.at, this.at + n);
    this.at += n;
    return s;
  }

  int4(): number {
    this.length();
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }

  bool(): boolean | null {
    if (this.length() < 0) return null;
    return this.buf[this.at++] !== 0;
  }

  /** A field's bytes as a view of the data (empty for NULL). */
  bytes(): Buffer {
    const n = this.length();
    const from = this.at;
    if (n > 0) this.at += n;
    return this.buf.subarray(from, n > 0 ? from + n : from);
  }
}
