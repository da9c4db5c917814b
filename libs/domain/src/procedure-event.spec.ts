import {
  chainEvents,
  GENESIS_HASH,
  hashEvent,
  type EventMetadata,
  type RecordedEvent,
} from './procedure-event';

const metadata: EventMetadata = {
  actor: { id: 'u1', name: '审批科员', role: 'department', department: 'ecology' },
  requestId: 'req-1',
  idempotencyKey: null,
  occurredAt: '2026-03-02T01:00:00.000Z',
  definition: 'default@1',
};
const STREAM = '6f1c1e9a-1b7e-4b43-9a53-5d3f1f3e0a01';

const decided = [
  { type: 'StepSubmitted', data: { itemKey: 'eia', materials: ['eia_report'] } },
  { type: 'StepAccepted', data: { itemKey: 'eia' } },
  { type: 'StepApproved', data: { itemKey: 'eia', documentNo: '环审〔2026〕1号' } },
];

const unhashed = (e: RecordedEvent): Omit<RecordedEvent, 'hash'> => {
  const { hash: _hash, ...rest } = e;
  return rest;
};

describe('event hash chain', () => {
  it('places events after the given version and links each to the one before', () => {
    const prev = 'a'.repeat(64);
    const events = chainEvents(STREAM, 4, prev, decided, metadata);
    expect(events.map((e) => e.version)).toEqual([5, 6, 7]);
    expect(events[0].prevHash).toBe(prev);
    expect(events[1].prevHash).toBe(events[0].hash);
    expect(events[2].prevHash).toBe(events[1].hash);
    expect(new Set(events.map((e) => e.hash)).size).toBe(3);
    for (const e of events) {
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(e.hash).toBe(hashEvent(unhashed(e)));
      expect(e.streamId).toBe(STREAM);
      expect(e.metadata).toEqual(metadata);
    }
  });

  it('chains one call after another exactly as one call with all events', () => {
    const together = chainEvents(STREAM, 0, GENESIS_HASH, decided, metadata);
    const first = chainEvents(STREAM, 0, GENESIS_HASH, decided.slice(0, 1), metadata);
    const rest = chainEvents(STREAM, 1, first[0].hash, decided.slice(1), metadata);
    expect([...first, ...rest]).toEqual(together);
  });

  it('changes the hash when the data, the type, the metadata, the version or the previous hash changes', () => {
    const [e] = chainEvents(STREAM, 0, GENESIS_HASH, decided.slice(0, 1), metadata);
    const base = unhashed(e);
    const variants: Omit<RecordedEvent, 'hash'>[] = [
      { ...base, data: { itemKey: 'eia', materials: ['eia_report', 'expert_opinion'] } },
      { ...base, type: 'StepResubmitted' },
      { ...base, metadata: { ...metadata, actor: { ...metadata.actor, id: 'u2' } } },
      { ...base, metadata: { ...metadata, occurredAt: '2026-03-02T01:00:00.001Z' } },
      { ...base, version: 2 },
      { ...base, streamId: '00000000-0000-4000-8000-000000000000' },
      { ...base, prevHash: 'f'.repeat(64) },
    ];
    const hashes = variants.map(hashEvent);
    for (const h of hashes) expect(h).not.toBe(e.hash);
    expect(new Set(hashes).size).toBe(variants.length);
  });

  it('hashes the canonical JSON: key order does not matter', () => {
    const [e] = chainEvents(STREAM, 0, GENESIS_HASH, decided.slice(0, 1), metadata);
    const reordered = {
      prevHash: e.prevHash,
      metadata: {
        definition: metadata.definition,
        occurredAt: metadata.occurredAt,
        idempotencyKey: null,
        requestId: 'req-1',
        actor: { department: 'ecology', role: 'department', name: '审批科员', id: 'u1' },
      },
      data: { materials: ['eia_report'], itemKey: 'eia' },
      type: e.type,
      version: e.version,
      streamId: e.streamId,
    } as Omit<RecordedEvent, 'hash'>;
    expect(hashEvent(reordered)).toBe(e.hash);
  });

  it('detects a tampered event anywhere in a chain', () => {
    const events = chainEvents(STREAM, 0, GENESIS_HASH, decided, metadata);
    const tampered = events.map((e, i) => (i === 1 ? { ...e, data: { itemKey: 'energy_review' } } : e));
    const broken = tampered.findIndex(
      (e, i) => e.hash !== hashEvent(unhashed(e)) || (i > 0 && e.prevHash !== tampered[i - 1].hash),
    );
    expect(broken).toBe(1);
  });
});
