import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { DEFAULT_CATALOGUE } from '@qianqi/workflows';
import { auditScenario, buildStream } from '../../../test/support/audit-stream';
import { canonicalJson, eventHash } from './event-hash';

describe('canonicalJson / eventHash', () => {
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

  it('hashes every event of a real stream as the reference canonicalization and SHA-256 do', () => {
    const { events } = buildStream(DEFAULT_CATALOGUE, auditScenario());
    for (const e of events) {
      const { streamId, version, type, data, metadata, prevHash } = e;
      const reference = createHash('sha256')
        .update(canonicalize({ streamId, version, type, data, metadata }) as string)
        .update(prevHash)
        .digest('hex');
      expect(eventHash(e.streamId, e)).toBe(reference);
      expect(e.hash).toBe(reference);
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
