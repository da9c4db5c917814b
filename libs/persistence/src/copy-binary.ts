import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/**
 * `COPY (query) TO STDOUT (FORMAT binary)`, whole, as one Buffer.
 *
 * The bulk verifier reads the record this way (pg-copy-streams forwards the COPY data as it
 * arrives): each field comes as bytes (text in the client encoding, UTF-8), length-prefixed, so the reader
 * decodes only the fields it needs, when it needs them, and hashes the others as bytes. node-pg's
 * own rows decode every field to a JavaScript string first.
 */
export async function copyOut(client: PoolClient, query: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of client.query(copyTo(`COPY (${query}) TO STDOUT (FORMAT binary)`)))
    chunks.push(chunk as Buffer);
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * A cursor over PostgreSQL's binary COPY format: a header, then per tuple a 16-bit field count
 * and each field as a 32-bit length (-1 for NULL) and its bytes, then a count of -1.
 * (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4)
 */
export class CopyTuples {
  /** Offset of the next thing to read. */
  at: number;

  /** From the start of the data (its header is checked), or from a tuple found before. */
  constructor(
    readonly buf: Buffer,
    at?: number,
  ) {
    if (at !== undefined) {
      this.at = at;
      return;
    }
    if (buf.length < 19 || buf.compare(SIGNATURE, 0, 11, 0, 11) !== 0)
      throw new Error('not PostgreSQL binary COPY data');
    this.at = 19 + buf.readInt32BE(15);
  }

  /** Starts the next tuple: its field count, or -1 past the last one. */
  tuple(): number {
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
