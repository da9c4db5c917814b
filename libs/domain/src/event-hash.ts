import * as crypto from 'node:crypto';

/**
 * Two serializations, each a normal form of a JSON value:
 *
 * - `canonicalJson`: RFC 8785 (keys in UTF-16 order, ES number and string forms). Export files
 *   are written in it, line by line, and request fingerprints are taken over it.
 * - `jsonbText`: the text PostgreSQL gives for the value stored as `jsonb` (`data::text`): keys
 *   ordered by byte length and then bytes, `": "` and `", "` between parts, numbers in plain
 *   decimal. The event hash is taken over it, so the bytes PostgreSQL hands the verifier for an
 *   event are the bytes that were hashed when it was written: verifying a million events needs
 *   no JSON parsing and no re-serializing, only SHA-256 (see docs/audit.md). An integration test
 *   holds it equal to PostgreSQL's own output on random values.
 */
const quotedKeys = new Map<string, string>();

function quoteKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** What JSON leaves out of an object (and writes as null in an array). */
const unwritable = (v: unknown) => v === undefined || typeof v === 'symbol' || typeof v === 'function';

/** RFC 8785 canonical JSON: keys in UTF-16 order, ES number and string serialization. */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`${value} cannot be serialized as canonical JSON`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const v = value[i];
          out += (i ? ',' : '') + (unwritable(v) ? 'null' : canonicalJson(v));
        }
        return out + ']';
      }
      const toJson = (value as { toJSON?: () => unknown }).toJSON;
      if (typeof toJson === 'function') return canonicalJson(toJson.call(value));
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      if (keys.length > 1) keys.sort();
      let out = '{';
      for (const key of keys) {
        const v = obj[key];
        if (unwritable(v)) continue;
        out += (out.length > 1 ? ',' : '') + quoteKey(key) + ':' + canonicalJson(v);
      }
      return out + '}';
    }
    default:
      return 'null';
  }
}

const oneShot = (
  crypto as unknown as { hash?: (alg: string, data: string | Uint8Array, enc: 'hex') => string }
).hash;

/** SHA-256 in hex of a text (as UTF-8) or of bytes. */
export function sha256Hex(input: string | Uint8Array): string {
  return oneShot ? oneShot('sha256', input, 'hex') : crypto.createHash('sha256').update(input).digest('hex');
}

/** Object keys in jsonb's order: shorter UTF-8 first, then bytewise. */
function jsonbKeyOrder(a: string, b: string): number {
  const la = Buffer.byteLength(a);
  const lb = Buffer.byteLength(b);
  if (la !== lb) return la - lb;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * Key lists met lately, with their jsonb order. Values of one kind share their key list (an item's
 * context, a commitment, an event's metadata), and keys are interned strings, so a list is found
 * again by comparing its entries by identity, without sorting or building a lookup key.
 */
const recentKeyLists: KeyLayout[] = [];

/** An object's keys as met, in jsonb's order, and the bytes that open each of its members. */
interface KeyLayout {
  keys: string[];
  sorted: string[];
  /** `order[i]`: where `sorted[i]` stands among `keys`. */
  order: number[];
  /** The UTF-8 of `{"key": ` for the first member, `, "key": ` for each after it. */
  openers: Uint8Array[];
  /** Each opener's first bytes as little-endian 32-bit words, four bytes compared at once. */
  openerWords: Int32Array[];
}

/** The layout of an object's keys (found again by comparing key lists entry by entry). */
function keyLayout(obj: Record<string, unknown>): KeyLayout {
  const keys = Object.keys(obj);
  next: for (const entry of recentKeyLists) {
    if (entry.keys.length !== keys.length) continue;
    for (let i = 0; i < keys.length; i++) if (entry.keys[i] !== keys[i]) continue next;
    return entry;
  }
  const sorted = keys.length < 2 ? keys : keys.slice().sort(jsonbKeyOrder);
  const openers = sorted.map((k, i) => Buffer.from(`${i ? ', ' : '{'}${JSON.stringify(k)}: `));
  const layout: KeyLayout = {
    keys,
    sorted,
    order: sorted.map((k) => keys.indexOf(k)),
    openers,
    openerWords: openers.map((o) => {
      const words = new Int32Array(o.length >> 2);
      for (let i = 0; i < words.length; i++) words[i] = o.readInt32LE(i * 4);
      return words;
    }),
  };
  recentKeyLists.unshift(layout);
  if (recentKeyLists.length > 64) recentKeyLists.pop();
  return layout;
}

/** The keys of an object in jsonb's order. */
function jsonbKeys(obj: Record<string, unknown>): string[] {
  return keyLayout(obj).sorted;
}

/** A number as PostgreSQL's numeric prints it: plain decimal, never an exponent. */
function jsonbNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`${n} cannot be serialized as JSON`);
  const s = JSON.stringify(n);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const negative = s.startsWith('-');
  const mantissa = s.slice(negative ? 1 : 0, e);
  const exponent = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const point = (dot < 0 ? mantissa.length : dot) + exponent;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${out}` : out;
}

/** The text of `value` stored as PostgreSQL jsonb (`::jsonb::text`). */
export function jsonbText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return jsonbNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const v = value[i];
          out += (i ? ', ' : '') + (unwritable(v) ? 'null' : jsonbText(v));
        }
        return out + ']';
      }
      const toJson = (value as { toJSON?: () => unknown }).toJSON;
      if (typeof toJson === 'function') return jsonbText(toJson.call(value));
      const obj = value as Record<string, unknown>;
      let out = '{';
      for (const key of jsonbKeys(obj)) {
        const v = obj[key];
        if (unwritable(v)) continue;
        out += (out.length > 1 ? ', ' : '') + quoteKey(key) + ': ' + jsonbText(v);
      }
      return out + '}';
    }
    default:
      return 'null';
  }
}

/**
 * Whether `bytes` are exactly the UTF-8 of `jsonbText(value)`, found without building that text:
 * the bulk verifier compares each replayed state with the snapshot's stored bytes this way, where
 * building a state's text (strings concatenated key by key) made most of its garbage.
 */
export function isJsonbTextOf(bytes: Uint8Array, value: unknown): boolean {
  cursor.bytes = bytes;
  cursor.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  cursor.at = 0;
  const same = matchValue(value) && cursor.at === bytes.length;
  cursor.bytes = NO_BYTES;
  cursor.view = NO_VIEW;
  return same;
}

const NO_BYTES = new Uint8Array(0);
const NO_VIEW = new DataView(NO_BYTES.buffer);
/** The bytes being matched, the same as a view for reading four at once, and the place reached. */
const cursor: { bytes: Uint8Array; view: DataView; at: number } = { bytes: NO_BYTES, view: NO_VIEW, at: 0 };
/** How JSON.stringify writes each ASCII character inside a string (null: as itself). */
const ESCAPED: (string | null)[] = Array.from({ length: 128 }, (_, c) =>
  c >= 0x20 && c !== 0x22 && c !== 0x5c ? null : JSON.stringify(String.fromCharCode(c)).slice(1, -1),
);
/**
 * 1 for a character JSON.stringify writes as itself in one UTF-8 byte (printable ASCII but `"` and
 * `\`), 0 for every other UTF-16 code unit.
 */
const PLAIN = new Uint8Array(65_536).map((_, c) =>
  c >= 0x20 && c < 0x80 && c !== 0x22 && c !== 0x5c ? 1 : 0,
);
/** `null` as a little-endian 32-bit word. */
const NULL_WORD = 0x6c6c756e;
const SMALL_INTEGERS = Array.from({ length: 1024 }, (_, n) => String(n));

/** The ASCII text `s` at the cursor, stepping past it. */
function matchAscii(s: string): boolean {
  const { bytes } = cursor;
  let at = cursor.at;
  if (at + s.length > bytes.length) return false;
  for (let i = 0; i < s.length; i++) if (bytes[at++] !== s.charCodeAt(i)) return false;
  cursor.at = at;
  return true;
}

/** `JSON.stringify(s)` as UTF-8 at the cursor. */
function matchString(s: string): boolean {
  const { bytes } = cursor;
  let at = cursor.at;
  const end = bytes.length;
  if (bytes[at++] !== 0x22) return false;
  const n = s.length;
  const view = cursor.view;
  let i = 0;
  // Four characters at a time while they are written as themselves (most of a state's text).
  for (; i + 4 <= n && at + 4 <= end; i += 4, at += 4) {
    const c0 = s.charCodeAt(i);
    const c1 = s.charCodeAt(i + 1);
    const c2 = s.charCodeAt(i + 2);
    const c3 = s.charCodeAt(i + 3);
    if ((PLAIN[c0] & PLAIN[c1] & PLAIN[c2] & PLAIN[c3]) === 0) break;
    if (view.getInt32(at, true) !== (c0 | (c1 << 8) | (c2 << 16) | (c3 << 24))) return false;
  }
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      const escaped = ESCAPED[c];
      if (escaped === null) {
        if (bytes[at++] !== c) return false;
        continue;
      }
      cursor.at = at;
      if (!matchAscii(escaped)) return false;
      at = cursor.at;
    } else if (c < 0x800) {
      if (at + 2 > end || bytes[at] !== (0xc0 | (c >> 6)) || bytes[at + 1] !== (0x80 | (c & 0x3f)))
        return false;
      at += 2;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const low = s.charCodeAt(i + 1);
      if (c <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        if (
          at + 4 > end ||
          bytes[at] !== (0xf0 | (cp >> 18)) ||
          bytes[at + 1] !== (0x80 | ((cp >> 12) & 0x3f)) ||
          bytes[at + 2] !== (0x80 | ((cp >> 6) & 0x3f)) ||
          bytes[at + 3] !== (0x80 | (cp & 0x3f))
        )
          return false;
        at += 4;
        i += 1;
      } else {
        // A lone surrogate: JSON.stringify escapes it.
        cursor.at = at;
        if (!matchAscii(`\\u${c.toString(16)}`)) return false;
        at = cursor.at;
      }
    } else {
      if (
        at + 3 > end ||
        bytes[at] !== (0xe0 | (c >> 12)) ||
        bytes[at + 1] !== (0x80 | ((c >> 6) & 0x3f)) ||
        bytes[at + 2] !== (0x80 | (c & 0x3f))
      )
        return false;
      at += 3;
    }
  }
  if (bytes[at++] !== 0x22) return false;
  cursor.at = at;
  return true;
}

/** The bytes `b` at the cursor, stepping past them: `words` (its first bytes) four at a time. */
function matchBytes(b: Uint8Array, words: Int32Array): boolean {
  const { bytes, view } = cursor;
  let at = cursor.at;
  if (at + b.length > bytes.length) return false;
  for (let i = 0; i < words.length; i++, at += 4) if (view.getInt32(at, true) !== words[i]) return false;
  for (let i = words.length << 2; i < b.length; i++) if (bytes[at++] !== b[i]) return false;
  cursor.at = at;
  return true;
}

/** `null` at the cursor. */
function matchNull(): boolean {
  const at = cursor.at;
  if (at + 4 > cursor.bytes.length || cursor.view.getInt32(at, true) !== NULL_WORD) return false;
  cursor.at = at + 4;
  return true;
}

/** `jsonbText(value)` at the cursor, case for case. */
function matchValue(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      return matchString(value);
    case 'number':
      // No jsonb text holds NaN or an infinity (a tampered 1e400 parses as one): never a match.
      if (!Number.isFinite(value)) return false;
      return matchAscii(
        Number.isInteger(value) && value >= 0 && value < SMALL_INTEGERS.length
          ? SMALL_INTEGERS[value]
          : jsonbNumber(value),
      );
    case 'boolean':
      return matchAscii(value ? 'true' : 'false');
    case 'object': {
      if (value === null) return matchNull();
      if (Array.isArray(value)) {
        if (!matchAscii('[')) return false;
        for (let i = 0; i < value.length; i++) {
          if (i && !matchAscii(', ')) return false;
          const v = value[i];
          if (!(unwritable(v) ? matchAscii('null') : matchValue(v))) return false;
        }
        return matchAscii(']');
      }
      const toJson = (value as { toJSON?: () => unknown }).toJSON;
      if (typeof toJson === 'function') return matchValue(toJson.call(value));
      const obj = value as Record<string, unknown>;
      const layout = keyLayout(obj);
      const values = Object.values(obj);
      let everyWritten = values.length === layout.keys.length;
      for (let i = 0; everyWritten && i < values.length; i++) everyWritten = !unwritable(values[i]);
      if (everyWritten) {
        // Every member written: each opens with bytes known ahead, key and all.
        if (values.length === 0) return matchAscii('{}');
        const { order, openers, openerWords } = layout;
        for (let i = 0; i < order.length; i++) {
          if (!matchBytes(openers[i], openerWords[i])) return false;
          const v = values[order[i]];
          // (Strings and nulls, most members, without a call through the switch.)
          if (!(typeof v === 'string' ? matchString(v) : v === null ? matchNull() : matchValue(v)))
            return false;
        }
        return matchAscii('}');
      }
      if (!matchAscii('{')) return false;
      let first = true;
      for (const key of layout.sorted) {
        const v = obj[key];
        if (unwritable(v)) continue;
        if (!first && !matchAscii(', ')) return false;
        first = false;
        if (!matchString(key) || !matchAscii(': ') || !matchValue(v)) return false;
      }
      return matchAscii('}');
    }
    default:
      return matchAscii('null');
  }
}

export interface HashableEvent {
  version: number;
  type: string;
  data: unknown;
  metadata: unknown;
  prevHash: string;
}

/**
 * The hashed bytes of an event: the jsonb text of { streamId, version, type, data, metadata }, as
 * `jsonb_build_object(...)::text` gives it (keys in jsonb order: data, type, version, metadata,
 * streamId), from the jsonb text of data and metadata.
 */
export function eventBody(
  streamId: string,
  version: number,
  type: string,
  data: string,
  metadata: string,
): string {
  return `{"data": ${data}, "type": ${JSON.stringify(type)}, "version": ${version}, "metadata": ${metadata}, "streamId": ${JSON.stringify(streamId)}}`;
}

/** SHA-256 of the event's body and the previous hash. */
export function eventHash(streamId: string, e: HashableEvent): string {
  return sha256Hex(
    eventBody(streamId, e.version, e.type, jsonbText(e.data), jsonbText(e.metadata)) + e.prevHash,
  );
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether PostgreSQL can store the string in a text or jsonb column: no NUL, and no UTF-16
 * surrogate without its pair (which is not UTF-8 at all).
 */
export function isStorableText(s: string): boolean {
  return !s.includes('\u0000') && !LONE_SURROGATE.test(s);
}
