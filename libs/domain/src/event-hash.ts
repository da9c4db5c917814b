import * as crypto from 'node:crypto';

/**
 * The event hash: SHA-256 over the RFC 8785 canonical JSON of { data, metadata, streamId, type,
 * version }, then the previous hash. One serializer builds one string (keys sorted, ES number and
 * string forms) and one-shot SHA-256 hashes it: every command hashes its events, and bulk
 * verification hashes millions. A unit test holds the serializer equal to the `canonicalize`
 * package (the RFC's reference behaviour).
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
          out +=
            (i ? ',' : '') +
            (v === undefined || typeof v === 'symbol' || typeof v === 'function' ? 'null' : canonicalJson(v));
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
        if (v === undefined || typeof v === 'symbol' || typeof v === 'function') continue;
        out += (out.length > 1 ? ',' : '') + quoteKey(key) + ':' + canonicalJson(v);
      }
      return out + '}';
    }
    default:
      return 'null';
  }
}

const oneShot = (crypto as unknown as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;

export function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');
}

export interface HashableEvent {
  version: number;
  type: string;
  data: unknown;
  metadata: unknown;
  prevHash: string;
}

export function eventHash(streamId: string, e: HashableEvent): string {
  const body =
    '{"data":' +
    canonicalJson(e.data) +
    ',"metadata":' +
    canonicalJson(e.metadata) +
    ',"streamId":' +
    JSON.stringify(streamId) +
    ',"type":' +
    JSON.stringify(e.type) +
    ',"version":' +
    canonicalJson(e.version) +
    '}';
  return sha256Hex(body + e.prevHash);
}
