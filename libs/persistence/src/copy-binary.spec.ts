import { EventEmitter } from 'node:events';
import { CopyBufferPool, CopyOutQuery, CopyTuples, type CopyBuffers, type PgConnection } from './copy-binary';
import { copyRows } from '../../../test/support/copy-rows';

/** A backend message: its type byte, its length (counting itself) and its content. */
function message(type: string, content: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(4 + content.length, 1);
  return Buffer.concat([head, content]);
}

/** A binary COPY tuple of text fields (null for NULL). */
function tuple(fields: (string | null)[]): Buffer {
  const parts = [Buffer.from([fields.length >> 8, fields.length & 255])];
  for (const f of fields) {
    const len = Buffer.alloc(4);
    if (f === null) {
      len.writeInt32BE(-1);
      parts.push(len);
    } else {
      const bytes = Buffer.from(f, 'utf8');
      len.writeInt32BE(bytes.length);
      parts.push(len, bytes);
    }
  }
  return Buffer.concat(parts);
}

const HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
const TRAILER = Buffer.from([0xff, 0xff]);

const rows: (string | null)[][] = [
  ['a', '中文字段', null],
  ['', 'x'.repeat(300), 'b'],
  ['c', null, 'd'.repeat(70_000)],
];

/** What the backend sends for a COPY of `rows`, as the protocol lays it out, and what follows it. */
function backendBytes(opts: { notice?: boolean; rows?: (string | null)[][] } = {}) {
  const data = (opts.rows ?? rows).map((r, i) =>
    message('d', i === 0 ? Buffer.concat([HEADER, tuple(r)]) : tuple(r)),
  );
  if (opts.notice) data.splice(2, 0, message('N', Buffer.from('SNOTICE\0Mhello\0\0', 'latin1')));
  const copy = Buffer.concat([
    message('H', Buffer.from([1, 0, 3, 0, 1, 0, 1, 0, 1])),
    ...data,
    message('d', TRAILER),
  ]);
  const after = Buffer.concat([message('C', Buffer.from('COPY 3\0')), message('Z', Buffer.from('I'))]);
  return { all: Buffer.concat([copy, message('c'), after]), after };
}

/** A connection whose socket is an emitter, with node-pg's parser as its one data listener. */
function fakeConnection() {
  const stream = Object.assign(new EventEmitter(), { destroyed: null as Error | null }) as EventEmitter & {
    destroy(err?: Error): void;
    destroyed: Error | null;
  };
  stream.destroy = (err?: Error) => {
    stream.destroyed = err ?? new Error('destroyed');
  };
  const toPg: Buffer[] = [];
  stream.on('data', (b: Buffer) => toPg.push(Buffer.from(b)));
  const sent: string[] = [];
  const connection: PgConnection = { stream, query: (text) => sent.push(text) };
  return { connection, stream, toPg, sent };
}

describe('CopyOutQuery', () => {
  // Every way the socket can cut the messages (a header split in two included) must read the same.
  it.each([1, 2, 3, 4, 5, 6, 7, 13, 64, 1000, 65_536, 1 << 20])(
    'reads the rows whole and hands node-pg exactly what follows CopyDone, in chunks of %i bytes',
    async (size) => {
      const { connection, stream, toPg, sent } = fakeConnection();
      const copy = new CopyOutQuery('COPY (SELECT 1) TO STDOUT (FORMAT binary)');
      expect(copy.submit(connection)).toBeUndefined();
      expect(sent).toEqual(['COPY (SELECT 1) TO STDOUT (FORMAT binary)']);
      const { all, after } = backendBytes({ notice: size % 2 === 1 });
      for (let at = 0; at < all.length; at += size) stream.emit('data', all.subarray(at, at + size));
      copy.handleCommandComplete();
      copy.handleReadyForQuery();
      expect(copyRows(await copy.result)).toEqual(rows);
      expect(Buffer.concat(toPg).equals(after)).toBe(true);
      expect(stream.listenerCount('data')).toBe(1);
    },
  );

  it('hands an ErrorResponse to node-pg and fails with the error node-pg reports', async () => {
    const { connection, stream, toPg } = fakeConnection();
    const copy = new CopyOutQuery('COPY (SELECT 1/0) TO STDOUT (FORMAT binary)');
    copy.submit(connection);
    const error = message('E', Buffer.from('SERROR\0C22012\0Mdivision by zero\0\0', 'latin1'));
    const first = message('d', Buffer.concat([HEADER, tuple(['a'])]));
    stream.emit('data', Buffer.concat([message('H', Buffer.from([1, 0, 0])), first, error.subarray(0, 3)]));
    stream.emit('data', Buffer.concat([error.subarray(3), message('Z', Buffer.from('I'))]));
    expect(Buffer.concat(toPg).equals(Buffer.concat([error, message('Z', Buffer.from('I'))]))).toBe(true);
    copy.handleError(new Error('division by zero'));
    copy.handleReadyForQuery();
    await expect(copy.result).rejects.toThrow('division by zero');
  });

  it('fails on an error node-pg reports mid-COPY (its query_timeout), handing its parser no COPY bytes', async () => {
    const { connection, stream, toPg } = fakeConnection();
    const copy = new CopyOutQuery('COPY (SELECT 1) TO STDOUT (FORMAT binary)');
    copy.submit(connection);
    const { all, after } = backendBytes();
    const cut = 40; // inside the first row's message
    stream.emit('data', all.subarray(0, cut));
    copy.handleError(new Error('Query read timeout'));
    await expect(copy.result).rejects.toThrow('Query read timeout');
    stream.emit('data', all.subarray(cut));
    copy.handleCommandComplete();
    copy.handleReadyForQuery();
    // node-pg's parser gets exactly what follows CopyDone, as on every other path.
    expect(Buffer.concat(toPg).equals(after)).toBe(true);
    expect(stream.listenerCount('data')).toBe(1);
  });

  it('ends a connection that sends what is no message, and fails', async () => {
    const { connection, stream } = fakeConnection();
    const copy = new CopyOutQuery('COPY (SELECT 1) TO STDOUT (FORMAT binary)');
    copy.submit(connection);
    stream.emit('data', Buffer.from([0x64, 0, 0, 0, 1, 0, 0]));
    await expect(copy.result).rejects.toThrow('claims 1 bytes');
    expect(stream.destroyed).toBeInstanceOf(Error);
  });
});

/** Buffers that record what was taken and given back. */
function recordingBuffers(
  inner: CopyBuffers = { take: (n) => Buffer.allocUnsafeSlow(n), give: () => undefined },
) {
  const taken: Buffer[] = [];
  const given: ArrayBufferLike[] = [];
  const buffers: CopyBuffers = {
    take: (n) => {
      const b = inner.take(n);
      taken.push(b);
      return b;
    },
    give: (b) => {
      given.push(b.buffer);
      inner.give(b);
    },
  };
  return { buffers, taken, given };
}

/** One COPY of `rows` through `buffers`, the socket cutting it every `size` bytes. */
async function copyThrough(buffers: CopyBuffers, data: (string | null)[][], size = 65_536): Promise<Buffer> {
  const { connection, stream } = fakeConnection();
  const copy = new CopyOutQuery('COPY (SELECT 1) TO STDOUT (FORMAT binary)', buffers);
  copy.submit(connection);
  const { all } = backendBytes({ rows: data });
  for (let at = 0; at < all.length; at += size) stream.emit('data', all.subarray(at, at + size));
  copy.handleCommandComplete();
  copy.handleReadyForQuery();
  return copy.result;
}

describe('CopyOutQuery memory', () => {
  const large: (string | null)[][] = [
    ['a', 'b'.repeat(200_000)],
    ['中文', 'c'.repeat(300_000)],
    ['d', null],
  ];

  it('copies each chunk into its result as it comes, growing it, and gives back what it outgrew', async () => {
    const { buffers, taken, given } = recordingBuffers();
    const result = await copyThrough(buffers, large, 4096);
    expect(copyRows(result)).toEqual(large);
    // 256 KiB first, then doubled once: the first given back, the result a view of the second.
    expect(taken.map((b) => b.length)).toEqual([262_144, 524_288]);
    expect(given).toEqual([taken[0].buffer]);
    expect(result.buffer).toBe(taken[1].buffer);
  });

  it('reads into memory given back to its pool, and the data read before it is overwritten', async () => {
    const pool = new CopyBufferPool();
    const first = await copyThrough(pool, rows);
    pool.give(first);
    const second = await copyThrough(pool, rows.slice(1));
    expect(second.buffer).toBe(first.buffer);
    expect(copyRows(second)).toEqual(rows.slice(1));
  });

  it('keeps its result once handed over: a late error (node-pg timing the query) gives nothing back', async () => {
    const { buffers, given } = recordingBuffers();
    const { connection, stream } = fakeConnection();
    const copy = new CopyOutQuery('COPY (SELECT 1) TO STDOUT (FORMAT binary)', buffers);
    const settled: (Error | null)[] = [];
    copy.callback = (err) => settled.push(err);
    copy.submit(connection);
    stream.emit('data', backendBytes({ rows: large }).all);
    copy.handleCommandComplete();
    copy.handleReadyForQuery();
    const result = await copy.result;
    // node-pg is told the query is over (which stops its timer), once.
    expect(settled).toEqual([null]);
    const before = given.length;
    copy.handleError(new Error('Query read timeout'));
    expect(given.length).toBe(before);
    expect(given).not.toContain(result.buffer);
    expect(settled).toEqual([null]);
    expect(copyRows(result)).toEqual(large);
  });

  it('gives back a result not yet handed over when an error comes between CopyDone and ReadyForQuery', async () => {
    const { buffers, given } = recordingBuffers();
    const { connection, stream } = fakeConnection();
    const copy = new CopyOutQuery('COPY (SELECT 1) TO STDOUT (FORMAT binary)', buffers);
    copy.submit(connection);
    stream.emit('data', backendBytes({ rows }).all);
    copy.handleError(new Error('connection terminated'));
    copy.handleReadyForQuery();
    await expect(copy.result).rejects.toThrow('connection terminated');
    expect(given).toHaveLength(1);
  });

  it('gives its memory back when the COPY fails', async () => {
    const { buffers, taken, given } = recordingBuffers();
    const { connection, stream } = fakeConnection();
    const copy = new CopyOutQuery('COPY (SELECT 1) TO STDOUT (FORMAT binary)', buffers);
    copy.submit(connection);
    stream.emit('data', backendBytes({ rows: large }).all.subarray(0, 100_000));
    copy.handleError(new Error('Query read timeout'));
    await expect(copy.result).rejects.toThrow('Query read timeout');
    expect(given).toEqual(taken.map((b) => b.buffer));
  });
});

describe('CopyBufferPool', () => {
  it('hands out the smallest free buffer large enough, a new one when none is, each buffer once', () => {
    const pool = new CopyBufferPool(2);
    const a = pool.take(100);
    const b = pool.take(1000);
    expect(a.length).toBe(100);
    pool.give(b.subarray(10, 20));
    pool.give(b);
    pool.give(a);
    expect(pool.take(50).buffer).toBe(a.buffer);
    expect(pool.take(50).buffer).toBe(b.buffer);
    expect(pool.take(50).buffer).not.toBe(a.buffer);
  });

  it('keeps at most its limit, the largest', () => {
    const pool = new CopyBufferPool(1);
    const small = pool.take(10);
    const big = pool.take(20);
    pool.give(small);
    pool.give(big);
    expect(pool.take(5).buffer).toBe(big.buffer);
    expect(pool.take(5).buffer).not.toBe(small.buffer);
  });
});

describe('CopyTuples', () => {
  it('refuses data that is not binary COPY', () => {
    expect(() => new CopyTuples(message('d', Buffer.from('id\tname\n')))).toThrow(
      'not PostgreSQL binary COPY data',
    );
  });

  it('refuses a tuple that runs past its message', () => {
    const row = tuple(['abc']);
    // The message claims fewer bytes than its tuple holds.
    const cut = message('d', Buffer.concat([HEADER, row]));
    cut.writeInt32BE(cut.readInt32BE(1) - 2, 1);
    const buf = Buffer.concat([cut, message('d', TRAILER)]);
    const t = new CopyTuples(buf);
    expect(t.tuple()).toBe(1);
    t.skip();
    expect(() => t.tuple()).toThrow('runs past its message');
  });
});
