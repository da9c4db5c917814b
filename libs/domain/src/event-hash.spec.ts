import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { DEFAULT_CATALOGUE } from '@qianqi/workflows';
import { auditScenario, buildStream } from '../../../test/support/audit-stream';
import { canonicalJson, eventBody, eventHash, isJsonbTextOf, jsonbText } from './event-hash';

/** `value` matches the UTF-8 of its jsonb text, and not those bytes with any byte changed, one dropped or one more. */
function expectOnlyItsOwnText(value: unknown): void {
  const bytes = Buffer.from(jsonbText(value));
  expect(isJsonbTextOf(bytes, value)).toBe(true);
  for (let i = 0; i < bytes.length; i++) {
    const changed = Buffer.from(bytes);
    changed[i] ^= 0x01;
    expect(isJsonbTextOf(changed, value)).toBe(false);
  }
  expect(isJsonbTextOf(bytes.subarray(0, bytes.length - 1), value)).toBe(false);
  expect(isJsonbTextOf(Buffer.concat([bytes, Buffer.from(' ')]), value)).toBe(false);
}

describe('canonicalJson, jsonbText and the event hash', () => {
  const samples: unknown[] = [
    { b: 1, a: [3, 'x', null, true], c: { z: '张三', y: 'e\u0301', x: '\u2028' } },
    { '10': 'ten', '9': 'nine', a: 1, A: 2, é: 3, '\u{1F600}': 4, '': 5 },
    [1.5, -0, 1e21, 1e-7, 0.1 + 0.2, -123456789.125],
    { quote: '"\\\n\t\u0001', nested: [[[]], {}, [{ k: [{}] }]] },
    '纯字符串',
    null,
  ];

  it.each(samples.map((s) => [JSON.stringify(s), s]))('serializes %s as RFC 8785 does', (_, value) => {
    expect(canonicalJson(value)).toBe(canonicalize(value));
  });

  it('skips undefined properties as JSON does', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('refuses numbers JSON cannot hold', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow();
    expect(() => canonicalJson([Infinity])).toThrow();
  });

  it('writes values as PostgreSQL prints them back from jsonb', () => {
    // Literals from PostgreSQL 15: SELECT '<value>'::jsonb::text (and the int test compares live).
    expect(
      jsonbText([1e21, 1.5e-7, -0, 0.1, 1e300, 123.456e5, -2.5e-3, 100, 'a\u0001\n\u001f"\\/é😀\u2028']),
    ).toBe(
      `[1000000000000000000000, 0.00000015, 0, 0.1, 1${'0'.repeat(300)}, 12345600, -0.0025, 100, "a\\u0001\\n\\u001f\\"\\\\/é😀\u2028"]`,
    );
    expect(jsonbText({ bb: 1, a: { y: [], x: {} }, ccc: null, é: true, z: undefined })).toBe(
      '{"a": {"x": {}, "y": []}, "bb": 1, "é": true, "ccc": null}',
    );
  });

  it("tells the UTF-8 of a value's jsonb text from any other bytes without building the text", () => {
    const values: unknown[] = [
      ...samples,
      { bb: 1, a: { y: [], x: {} }, ccc: null, é: true, z: undefined },
      [undefined, () => 1, 1e21, 1.5e-7, 1023, 1024, -1, 'a\u0001\n\u001f"\\/é😀\u2028'],
      { at: new Date(Date.UTC(2026, 2, 2, 3)), lone: 'x\ud800y', low: '\udc00', pair: '\ud83d\ude00' },
      undefined,
    ];
    for (const value of values) expectOnlyItsOwnText(value);
    // A number no jsonb text can hold is no match, not an error.
    expect(isJsonbTextOf(Buffer.from('{"n": 1}'), { n: Infinity })).toBe(false);
    expect(isJsonbTextOf(Buffer.from('[null]'), [Number.NaN])).toBe(false);
    // Key order is jsonb's, not the object's.
    expect(isJsonbTextOf(Buffer.from('{"bb": 1, "a": 2}'), { bb: 1, a: 2 })).toBe(false);
    expect(isJsonbTextOf(Buffer.from('{"a": 2, "bb": 1}'), { bb: 1, a: 2 })).toBe(true);
  });

  it('matches strings four characters at a time and one by one wherever an escaped or wider one falls', () => {
    const specials = ['"', '\\', '\n', '\u0001', '\u007f', 'é', '张', '😀', '\ud800'];
    for (let length = 0; length <= 9; length++) {
      for (let at = 0; at <= length; at++) {
        for (const special of specials) {
          const s = 'abcdefghij'.slice(0, at) + special + 'klmnopqrst'.slice(0, length - at);
          expectOnlyItsOwnText({ s, n: null, [s]: s });
        }
      }
    }
  });

  it('hashes the jsonb text of { streamId, version, type, data, metadata }, then the previous hash', () => {
    const e = {
      version: 7,
      type: 'StepAcceptedWithTolerance',
      data: {
        itemKey: 'eia',
        missing: ['public_participation'],
        dueInWorkingDays: 5,
        commitmentDueAt: '2026-03-09T15:59:59.000Z',
      },
      metadata: {
        actor: { id: 'u1', name: '张三', role: 'department', department: 'ecology' },
        requestId: null,
        idempotencyKey: null,
        occurredAt: '2026-03-02T03:00:00.000Z',
        definition: 'default@1',
      },
      prevHash: 'ab'.repeat(32),
    };
    const streamId = '00000000-0000-4000-8000-000000000001';
    // What PostgreSQL prints for jsonb_build_object('streamId', …, 'version', …, 'type', …, 'data', …, 'metadata', …)::text.
    const body =
      '{"data": {"itemKey": "eia", "missing": ["public_participation"], "commitmentDueAt": "2026-03-09T15:59:59.000Z", "dueInWorkingDays": 5}, ' +
      '"type": "StepAcceptedWithTolerance", "version": 7, ' +
      '"metadata": {"actor": {"id": "u1", "name": "张三", "role": "department", "department": "ecology"}, "requestId": null, "definition": "default@1", "occurredAt": "2026-03-02T03:00:00.000Z", "idempotencyKey": null}, ' +
      '"streamId": "00000000-0000-4000-8000-000000000001"}';
    expect(eventBody(streamId, e.version, e.type, jsonbText(e.data), jsonbText(e.metadata))).toBe(body);
    expect(eventHash(streamId, e)).toBe(
      createHash('sha256')
        .update(body + e.prevHash)
        .digest('hex'),
    );
  });

  it('every event of a real stream carries the hash of its body', () => {
    const { events } = buildStream(DEFAULT_CATALOGUE, auditScenario());
    for (const e of events) {
      const body = eventBody(e.streamId, e.version, e.type, jsonbText(e.data), jsonbText(e.metadata));
      expect(e.hash).toBe(createHash('sha256').update(body).update(e.prevHash).digest('hex'));
    }
  });

  it('gives another hash for another stream, version, type, data, metadata or previous hash', () => {
    const { events } = buildStream(DEFAULT_CATALOGUE, auditScenario());
    const e = events[2];
    const base = eventHash(e.streamId, e);
    expect(eventHash(e.streamId.replace(/^./, '0'), e)).not.toBe(base);
    expect(eventHash(e.streamId, { ...e, version: e.version + 1 })).not.toBe(base);
    expect(eventHash(e.streamId, { ...e, type: 'StepAccepted' })).not.toBe(base);
    expect(eventHash(e.streamId, { ...e, data: { ...e.data, dueInWorkingDays: 6 } })).not.toBe(base);
    expect(
      eventHash(e.streamId, { ...e, metadata: { ...e.metadata, occurredAt: '2026-03-02T03:00:00.001Z' } }),
    ).not.toBe(base);
    expect(eventHash(e.streamId, { ...e, prevHash: '1'.repeat(64) })).not.toBe(base);
  });
});
