import { hashEvent, GENESIS_HASH } from '@qianqi/domain';
import { BUILT_IN_DEFINITIONS, DEFAULT_CATALOGUE, DefinitionRegistry } from '@qianqi/workflows';
import { auditScenario, buildStream } from '../../../test/support/audit-stream';
import type { StoredStream } from './audit.types';
import { checkChain } from './chain.check';
import { DefinitionRuntimes } from './definition.runtimes';
import { verifyRecord } from './record.verification';
import { verifyStream } from './stream.verification';

const runtimes = () => new DefinitionRuntimes(new DefinitionRegistry(BUILT_IN_DEFINITIONS));
const fresh = () => buildStream(DEFAULT_CATALOGUE, auditScenario()).stored;
const kinds = (s: StoredStream) => verifyStream(s, runtimes().lookup).map((f) => [f.version, f.kind]);

describe('checkChain', () => {
  it('accepts an intact stream', () => {
    const s = fresh();
    expect(checkChain(s.procedureId, s.events)).toEqual([]);
  });

  it('names an altered event once, at its version', () => {
    const s = fresh();
    s.events[4].data = { ...s.events[4].data, reason: '改过的理由' };
    expect(checkChain(s.procedureId, s.events).map((f) => [f.version, f.kind])).toEqual([
      [5, 'HASH_MISMATCH'],
    ]);
  });

  it('names a gap and the broken link after it', () => {
    const s = fresh();
    s.events.splice(3, 1);
    expect(checkChain(s.procedureId, s.events).map((f) => [f.version, f.kind])).toEqual([
      [4, 'MISSING_EVENT'],
      [5, 'CHAIN_BROKEN'],
    ]);
  });

  it('needs the stream to start at version 1 from the genesis hash', () => {
    const s = fresh();
    s.events.shift();
    expect(checkChain(s.procedureId, s.events).map((f) => [f.version, f.kind])).toEqual([
      [1, 'MISSING_EVENT'],
      [2, 'CHAIN_BROKEN'],
    ]);
  });

  it('names an event re-hashed by a forger as a broken link at the next one', () => {
    const s = fresh();
    const e = s.events[2];
    e.data = { ...e.data, dueInWorkingDays: 30 };
    e.hash = hashEvent({ streamId: s.procedureId, ...e });
    expect(checkChain(s.procedureId, s.events).map((f) => [f.version, f.kind])).toEqual([
      [4, 'CHAIN_BROKEN'],
    ]);
  });

  it('hashes the stream id: an event moved to another stream does not verify', () => {
    const s = fresh();
    expect(checkChain(s.procedureId.replace(/^./, 'f'), s.events).map((f) => f.kind)).toEqual(
      s.events.map(() => 'HASH_MISMATCH'),
    );
  });
});

describe('verifyStream', () => {
  it('accepts a stream whose replay is its snapshot and read models', () => {
    expect(kinds(fresh())).toEqual([]);
  });

  it('names a snapshot that is not the replay, with the path where they part', () => {
    const s = fresh();
    (s.snapshot!.state.context as { items: Record<string, { documentNo: string }> }).items.eia.documentNo =
      '伪造';
    const failures = verifyStream(s, runtimes().lookup);
    expect(failures.map((f) => [f.version, f.kind])).toEqual([[s.snapshot!.version, 'REPLAY_DIVERGES']]);
    expect(failures[0].detail).toContain('context.items.eia.documentNo');
    expect(failures[0].detail).toContain('伪造');
  });

  it('names a read model out of step with the replay', () => {
    const s = fresh();
    s.items.eia = 'in_review';
    s.readyToStart = true;
    expect(kinds(s)).toEqual([
      [s.snapshot!.version, 'REPLAY_DIVERGES'],
      [s.snapshot!.version, 'REPLAY_DIVERGES'],
    ]);
  });

  it('names a missing tail from the snapshot being ahead of the stream', () => {
    const s = fresh();
    s.events.pop();
    expect(kinds(s)).toEqual([[s.snapshot!.version, 'MISSING_EVENT']]);
  });

  it("names a snapshot whose last hash is not the stream's head", () => {
    const s = fresh();
    s.snapshot!.lastHash = GENESIS_HASH;
    expect(kinds(s)).toEqual([[s.snapshot!.version, 'CHAIN_BROKEN']]);
  });

  it('names an event the definition does not accept where it stands, even with a consistent chain', () => {
    const s = buildStream(DEFAULT_CATALOGUE, auditScenario().slice(0, 2)).stored;
    // A forged but well-hashed APPROVE of an item never submitted, appended with a new snapshot.
    const last = s.events[s.events.length - 1];
    const forged = {
      version: last.version + 1,
      type: 'StepApproved',
      data: { itemKey: 'heritage_survey', documentNo: 'X' },
      metadata: last.metadata,
      prevHash: last.hash,
    };
    const hash = hashEvent({ streamId: s.procedureId, ...forged });
    s.events.push({ ...forged, hash });
    s.snapshot = { ...s.snapshot!, version: forged.version, lastHash: hash };
    expect(kinds(s)).toEqual([[forged.version, 'REPLAY_DIVERGES']]);
  });

  it('names a stream whose definition is unknown', () => {
    const s = fresh();
    expect(verifyStream(s, () => undefined).map((f) => f.kind)).toEqual(['REPLAY_DIVERGES']);
  });

  it('checks only the chain of a stream that is not a procedure (the calendar)', () => {
    const streamId = '00000000-0000-4000-8000-00000000ca1e';
    const unhashed = {
      streamId,
      version: 1,
      type: 'CalendarYearLoaded',
      data: { year: 2027 },
      metadata: fresh().events[0].metadata,
      prevHash: GENESIS_HASH,
    };
    const event = { ...unhashed, hash: hashEvent(unhashed) };
    const calendar: StoredStream = {
      procedureId: streamId,
      snapshot: null,
      items: {},
      readyToStart: null,
      events: [event],
    };
    expect(kinds(calendar)).toEqual([]);
    expect(kinds({ ...calendar, events: [{ ...event, data: { year: 2028 } }] })).toEqual([
      [1, 'HASH_MISMATCH'],
    ]);
  });

  it('names a procedure stream without a snapshot', () => {
    const s = fresh();
    expect(kinds({ ...s, snapshot: null })).toEqual([[s.events.length, 'REPLAY_DIVERGES']]);
  });
});

describe('verifyRecord', () => {
  it('goes through batches and reports every finding with its procedure', async () => {
    const streams = Array.from(
      { length: 5 },
      (_, i) => buildStream(DEFAULT_CATALOGUE, auditScenario(), { seed: `s${i}` }).stored,
    );
    streams[3].events[6].metadata = {
      ...streams[3].events[6].metadata,
      occurredAt: '2026-01-01T00:00:00.000Z',
    };
    async function* batches() {
      yield streams.slice(0, 2);
      yield streams.slice(2);
    }
    const seen: number[] = [];
    const report = await verifyRecord(batches(), runtimes().lookup, {
      onBatch: (p) => seen.push(p.procedures),
    });
    expect(seen).toEqual([2, 5]);
    expect(report).toEqual({
      procedures: 5,
      events: streams.reduce((n, s) => n + s.events.length, 0),
      ok: false,
      failures: [
        {
          procedureId: streams[3].procedureId,
          version: 7,
          kind: 'HASH_MISMATCH',
          detail: expect.any(String),
        },
      ],
    });
  });

  it('names a stream whose stored values break the checking itself, and checks the rest', async () => {
    const streams = Array.from(
      { length: 3 },
      (_, i) => buildStream(DEFAULT_CATALOGUE, auditScenario(), { seed: `b${i}` }).stored,
    );
    const broken = streams[1];
    const lookup = runtimes().lookup;
    // As if a stored value made the check throw for that one stream.
    const throwing = (ref: string) => {
      if (throwing.calls++ === 1) throw new Error('unreadable value');
      return lookup(ref);
    };
    throwing.calls = 0;
    async function* batches() {
      yield streams;
    }
    const report = await verifyRecord(batches(), throwing);
    expect(report.procedures).toBe(3);
    expect(report.failures).toEqual([
      {
        procedureId: broken.procedureId,
        version: broken.events[broken.events.length - 1].version,
        kind: 'REPLAY_DIVERGES',
        detail: 'the stored record cannot be checked: unreadable value',
      },
    ]);
  });

  it('keeps at most maxFailures and counts the rest', async () => {
    const streams = Array.from({ length: 3 }, (_, i) => ({
      ...buildStream(DEFAULT_CATALOGUE, [], { seed: `m${i}` }).stored,
      readyToStart: true,
    }));
    async function* batches() {
      yield streams;
    }
    const report = await verifyRecord(batches(), runtimes().lookup, { maxFailures: 2 });
    expect(report.failures).toHaveLength(2);
    expect(report.failuresNotListed).toBe(1);
  });
});
