import { checkChain, DefinitionRuntimes, verifyRecord, type StoredStream } from '@qianqi/audit';
import { TemplateRecord } from './support/template-record';

/**
 * The bulk reader hands each batch's memory to a batch still to come once the caller asks for
 * the next: a batch's streams are read while they are checked, and refused once read past,
 * rather than read from memory another batch has written over. `keep` keeps them all.
 */
describe('bulk reading in batches', () => {
  const db = new TemplateRecord('qianqi_batches');
  const PROCEDURES = 7;

  beforeAll(async () => {
    await db.create();
    await db.load(PROCEDURES);
  }, 60_000);
  afterAll(() => db.drop());

  /** Every batch of two, with what each stream's chain check says as it arrives. */
  const readAll = (keep: boolean) =>
    db.withStore(async (store) => {
      const batches: StoredStream[][] = [];
      const findings: number[] = [];
      for await (const batch of store.streams({ batchSize: 2, keep })) {
        for (const s of batch) findings.push(checkChain(s.procedureId, s.events).length);
        batches.push(batch);
      }
      return { batches, findings };
    });

  it('reads each batch whole while it is checked, and refuses a stream of a batch read past', async () => {
    const { batches, findings } = await readAll(false);
    expect(batches.flat().map((s) => s.procedureId)).toHaveLength(PROCEDURES);
    expect(findings).toEqual(new Array(PROCEDURES).fill(0));
    // (The last one too: the caller asked past it when the iteration ended.)
    for (const s of batches.flat()) {
      expect(() => s.events).toThrow('its data is reused');
      expect(() => s.snapshot).toThrow('its data is reused');
    }
  }, 60_000);

  it('keeps every batch readable when asked to', async () => {
    const { batches } = await readAll(true);
    const streams = batches.flat();
    expect(streams).toHaveLength(PROCEDURES);
    for (const s of streams) {
      expect(s.events.length).toBeGreaterThan(0);
      expect(checkChain(s.procedureId, s.events)).toEqual([]);
    }
  }, 60_000);

  it('names the same findings when node-pg times each query and the checking is slower than the timeout', async () => {
    // node-pg's query_timeout (from the URL) arms a timer per query that goes off after it unless
    // the query says it is over; a COPY's memory, once handed to a batch, must stay that batch's.
    await db.sql(`ALTER TABLE events DISABLE TRIGGER USER`);
    try {
      for (const i of [1, 4]) {
        await db.sql(
          `UPDATE events SET data = jsonb_set(data, '{tampered}', 'true') WHERE stream_id = $1 AND version = 3`,
          [TemplateRecord.procedureId(i)],
        );
      }
    } finally {
      await db.sql(`ALTER TABLE events ENABLE TRIGGER USER`);
    }
    const report = await db.withStore(
      async (store) => {
        const runtimes = DefinitionRuntimes.builtIn(await store.pinnedDefinitions());
        async function* slowly() {
          for await (const batch of store.streams({ batchSize: 2 })) {
            await new Promise((resolve) => setTimeout(resolve, 250));
            yield batch;
          }
        }
        return verifyRecord(slowly(), runtimes.lookup);
      },
      { query: '?query_timeout=150' },
    );
    expect(report.failures.map(({ procedureId, version, kind }) => ({ procedureId, version, kind }))).toEqual(
      [1, 4].map((i) => ({ procedureId: TemplateRecord.procedureId(i), version: 3, kind: 'HASH_MISMATCH' })),
    );
    expect(report.procedures).toBe(PROCEDURES);
  }, 60_000);
});
