import { eventHash, GENESIS_HASH } from '@qianqi/domain';
import { STORED_TEXT_COLUMNS, storedTextDefinitions } from '@qianqi/persistence';
import { TemplateRecord } from './support/template-record';

/**
 * The texts PostgreSQL keeps for the verifier (libs/persistence/src/stored-texts.ts): made by a
 * fresh migration, byte for byte what the verifier would otherwise compose, and trusted only
 * while the catalog shows them generated as the migration made them. A superuser who changes
 * their definition to make them lie gets a verifier that composes the texts again, and still
 * names the change to the record. (A database of its own: these tests alter its schema.)
 */
describe('stored texts', () => {
  const db = new TemplateRecord('qianqi_texts');
  let events: number;
  const first = TemplateRecord.procedureId(0);
  const second = TemplateRecord.procedureId(1);

  /** The text the verifier composes when it cannot read the stored one (audit.store.ts). */
  const COMPOSED = `'{"data": ' || e.data::text || ', "type": ' || to_json(e.type) || ', "version": ' || e.version ||
    ', "metadata": ' || e.metadata::text || ', "streamId": "' || e.stream_id || '"}' || e.prev_hash`;

  /** One statement with the append-only trigger off, as a superuser can. */
  const asSuperuser = async (text: string, params: unknown[] = []) => {
    await db.sql(`ALTER TABLE events DISABLE TRIGGER events_no_update_delete`);
    try {
      return await db.sql(text, params);
    } finally {
      await db.sql(`ALTER TABLE events ENABLE TRIGGER events_no_update_delete`);
    }
  };

  /** The stored texts as the migration makes them, whatever a test did to them. */
  const restore = async () => {
    for (const table of ['events', 'procedure_snapshots'] as const) {
      const columns = STORED_TEXT_COLUMNS.filter((c) => c.table === table);
      await db.sql(
        `ALTER TABLE ${table} ${columns.map((c) => `DROP COLUMN IF EXISTS ${c.column}`).join(', ')}`,
      );
      await db.sql(
        `ALTER TABLE ${table} ${storedTextDefinitions(table)
          .map((d) => `ADD COLUMN ${d}`)
          .join(', ')}`,
      );
    }
    expect(await db.withStore((s) => s.readsStoredTexts())).toEqual({ events: true, snapshots: true });
  };

  const kindsAt = async () =>
    (await db.verify()).failures.map(({ procedureId, version, kind }) => ({ procedureId, version, kind }));

  beforeAll(async () => {
    await db.create();
    events = await db.load(3);
  }, 60_000);
  afterAll(() => db.drop());

  it('a migrated database keeps, for every event, the text its hash is of', async () => {
    expect(await db.withStore((s) => s.readsStoredTexts())).toEqual({ events: true, snapshots: true });
    const { rows } = await db.sql(
      `SELECT count(*)::int AS n,
              count(*) FILTER (WHERE e.hashed_text = ${COMPOSED}
                                 AND e.hashed_data_bytes = octet_length(convert_to(e.data::text, 'UTF8'))
                                 AND e.meta_occurred_at = e.metadata->>'occurredAt'
                                 AND e.meta_definition = e.metadata->>'definition')::int AS same
         FROM events e`,
    );
    expect(rows[0]).toEqual({ n: events, same: events });
    const { rows: snapshots } = await db.sql(
      `SELECT count(*) FILTER (WHERE state_text <> state::text)::int AS differ FROM procedure_snapshots`,
    );
    expect(snapshots[0].differ).toBe(0);
    const report = await db.verify();
    expect(report.failures).toEqual([]);
    expect(report).toMatchObject({ procedures: 3, ok: true, events });
  });

  it('quotes any type as the domain does, and the verifier reads it back', async () => {
    // Not types of any definition: the quoting of the stored text, and the verifier's reading of
    // it, for what JSON escapes (quote, backslash, controls, a line separator) and what it does not.
    const types = [
      'Plain',
      'with "quotes"',
      'back\\slash',
      'tab\tnew\nline\u0001',
      'line\u2028sep',
      '中文',
      '',
    ];
    const streamId = '0000000f-0001-4000-8000-000000000000';
    const metadata = { occurredAt: '2026-03-02T01:00:00.000Z', definition: 'default@1' };
    let prevHash = GENESIS_HASH;
    for (const [i, type] of types.entries()) {
      const e = { version: i + 1, type, data: { n: i }, metadata, prevHash };
      const hash = eventHash(streamId, e);
      await db.sql(
        `INSERT INTO events (stream_id, version, type, data, metadata, occurred_at, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [streamId, e.version, type, e.data, metadata, metadata.occurredAt, prevHash, hash],
      );
      prevHash = hash;
    }
    const { rows } = await db.sql(
      `SELECT count(*) FILTER (WHERE e.hashed_text <> ${COMPOSED})::int AS differ FROM events e WHERE stream_id = $1`,
      [streamId],
    );
    expect(rows[0].differ).toBe(0);
    const read = await db.withStore(async (store) => {
      const out = [];
      for await (const batch of store.streams({ procedureId: streamId })) out.push(...batch);
      return out;
    });
    expect(read.map((s) => s.procedureId)).toEqual([streamId]);
    const stored = read[0].events;
    expect(stored.map((e) => e.type)).toEqual(types);
    expect(stored.map((e) => e.data)).toEqual(types.map((_, n) => ({ n })));
    // Each read hash and link is the one written.
    expect(stored.map((e) => e.prevHash)).toEqual([GENESIS_HASH, ...stored.slice(0, -1).map((e) => e.hash)]);
    await asSuperuser(`DELETE FROM events WHERE stream_id = $1`, [streamId]);
  });

  it('the application role uses them, and a role that may not make temporary tables composes', async () => {
    expect(await db.withStore((s) => s.readsStoredTexts(), { user: 'qianqi_app' })).toEqual({
      events: true,
      snapshots: true,
    });
    await db.sql(`REVOKE TEMPORARY ON DATABASE "${db.name}" FROM PUBLIC`);
    try {
      expect(await db.withStore((s) => s.readsStoredTexts(), { user: 'qianqi_app' })).toEqual({
        events: false,
        snapshots: false,
      });
      expect(await db.verify('qianqi_app')).toMatchObject({ procedures: 3, ok: true, events, failures: [] });
    } finally {
      await db.sql(`GRANT TEMPORARY ON DATABASE "${db.name}" TO PUBLIC`);
    }
  });

  it('an event text whose generation was dropped is not trusted: the change to the data is still named', async () => {
    await restore();
    // The text left as it was while the data changes under it.
    await db.sql(`ALTER TABLE events ALTER COLUMN hashed_text DROP EXPRESSION`);
    expect(await db.withStore((s) => s.readsStoredTexts())).toEqual({ events: false, snapshots: true });
    await asSuperuser(
      `UPDATE events SET data = jsonb_set(data, '{materials}', '["forged"]') WHERE stream_id = $1 AND version = 2`,
      [first],
    );
    const { rows } = await db.sql(
      `SELECT hashed_text LIKE '%forged%' AS follows FROM events WHERE stream_id = $1 AND version = 2`,
      [first],
    );
    expect(rows[0].follows).toBe(false);
    expect(await kindsAt()).toContainEqual({ procedureId: first, version: 2, kind: 'HASH_MISMATCH' });
  });

  it('a text generated by another expression is not trusted either', async () => {
    await restore();
    // Generated again, but keeping to the first definition whatever the metadata says.
    await db.sql(
      `ALTER TABLE events DROP COLUMN meta_definition,
         ADD COLUMN meta_definition text GENERATED ALWAYS AS ('default@1'::text) STORED`,
    );
    expect(await db.withStore((s) => s.readsStoredTexts())).toEqual({ events: false, snapshots: true });
  });

  it('a snapshot text left behind by an edited state is not trusted: the edit is REPLAY_DIVERGES', async () => {
    await restore();
    await db.sql(`ALTER TABLE procedure_snapshots ALTER COLUMN state_text DROP EXPRESSION`);
    expect(await db.withStore((s) => s.readsStoredTexts())).toEqual({ events: true, snapshots: false });
    const { rows } = await db.sql(
      `UPDATE procedure_snapshots SET state = jsonb_set(state, '{context,items,eia,documentNo}', '"伪造"')
        WHERE procedure_id = $1 RETURNING version`,
      [second],
    );
    expect(await kindsAt()).toContainEqual({
      procedureId: second,
      version: rows[0].version,
      kind: 'REPLAY_DIVERGES',
    });
  });

  it('an expression that prints the same but leans on a function of its own is not trusted', async () => {
    await restore();
    // PostgreSQL has no jsonb-to-text cast of its own (it prints jsonb through its output function),
    // so a superuser can add one, re-make the column through it, and drop the cast again: the
    // catalog then prints the column's expression as the migration's, letter for letter.
    await db.sql(
      `CREATE FUNCTION forged_text(jsonb) RETURNS text IMMUTABLE LANGUAGE sql AS $$ SELECT '{}' $$`,
    );
    let composed: unknown;
    try {
      await db.sql(`CREATE CAST (jsonb AS text) WITH FUNCTION forged_text(jsonb)`);
      const text = STORED_TEXT_COLUMNS.find((c) => c.column === 'hashed_text')!;
      await db.sql(
        `ALTER TABLE events DROP COLUMN hashed_text, ADD COLUMN hashed_text text GENERATED ALWAYS AS (${text.expression}) STORED`,
      );
      await db.sql(`DROP CAST (jsonb AS text)`);
      const { rows } = await db.sql(
        `SELECT pg_get_expr(d.adbin, d.adrelid) AS expression, count(*) FILTER (WHERE e.hashed_text LIKE '{"data": {}%') AS forged
           FROM pg_attrdef d JOIN pg_attribute a ON (a.attrelid, a.attnum) = (d.adrelid, d.adnum), events e
          WHERE d.adrelid = 'events'::regclass AND a.attname = 'hashed_text' GROUP BY 1`,
      );
      expect(Number(rows[0].forged)).toBe(events);
      expect(await db.withStore((s) => s.readsStoredTexts())).toEqual({ events: false, snapshots: true });
      // The texts composed instead: the findings (of the tests before) are those of the true texts,
      // where reading the forged ones would have made every event a HASH_MISMATCH.
      composed = await kindsAt();
    } finally {
      await db.sql(`DROP CAST IF EXISTS (jsonb AS text)`);
      await db.sql(`DROP FUNCTION forged_text(jsonb) CASCADE`);
    }
    await restore();
    expect(composed).toEqual(await kindsAt());
  });

  it('a previous hash cut short is named at its own event, the stream read whole', async () => {
    await restore();
    const { rows } = await db.sql(`SELECT prev_hash FROM events WHERE stream_id = $1 AND version = 3`, [
      second,
    ]);
    await asSuperuser(`UPDATE events SET prev_hash = 'abc' WHERE stream_id = $1 AND version = 3`, [second]);
    try {
      const kinds = (await kindsAt()).filter((f) => f.procedureId !== first);
      expect(kinds).toEqual([
        { procedureId: second, version: 3, kind: 'CHAIN_BROKEN' },
        { procedureId: second, version: 3, kind: 'HASH_MISMATCH' },
      ]);
    } finally {
      await asSuperuser(`UPDATE events SET prev_hash = $2 WHERE stream_id = $1 AND version = 3`, [
        second,
        rows[0].prev_hash,
      ]);
    }
  });

  it('a table inheriting from the events is read with them, its texts composed', async () => {
    await restore();
    // (Last: the flag that a table has heirs outlives them until the next VACUUM.)
    await db.sql(`CREATE TABLE events_more () INHERITS (events)`);
    expect(await db.withStore((s) => s.readsStoredTexts())).toEqual({ events: false, snapshots: true });
    const { rows } = await db.sql(
      `SELECT stream_id, version + 100 AS version, type, data, metadata, occurred_at, prev_hash, hash
         FROM events WHERE stream_id = $1 AND version = 1`,
      [TemplateRecord.procedureId(2)],
    );
    const r = rows[0];
    await db.sql(
      `INSERT INTO events_more (stream_id, version, type, data, metadata, occurred_at, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [r.stream_id, r.version, r.type, r.data, r.metadata, r.occurred_at, r.prev_hash, r.hash],
    );
    const third = (await kindsAt()).filter((f) => f.procedureId === TemplateRecord.procedureId(2));
    expect(third.length).toBeGreaterThan(0);
  });
});

/**
 * A superuser can redefine a built-in function in SQL (generated columns then run it inlined),
 * update a row, and put the function back: the catalog prints everything as before, but the
 * function's row is no longer the one initdb wrote. (A database of its own: this one stays so.)
 */
describe('stored texts made while a built-in function was redefined', () => {
  const db = new TemplateRecord('qianqi_texts_fn');

  beforeAll(async () => {
    await db.create();
    await db.load(2);
  }, 60_000);
  afterAll(() => db.drop());

  it('are not trusted once the function is back', async () => {
    expect(await db.withStore((s) => s.readsStoredTexts())).toEqual({ events: true, snapshots: true });
    const { rows } = await db.sql(
      `SELECT pg_get_functiondef('pg_catalog.octet_length(text)'::regprocedure) AS definition`,
    );
    // The data's length as 1 byte: the verifier, trusting it, would parse the wrong data.
    await db.sql(`CREATE OR REPLACE FUNCTION pg_catalog.octet_length(text) RETURNS integer
                    LANGUAGE sql IMMUTABLE AS $$ SELECT 1 $$`);
    await db.sql(`ALTER TABLE events DISABLE TRIGGER events_no_update_delete`);
    await db.sql(`UPDATE events SET metadata = metadata WHERE stream_id = $1 AND version = 2`, [
      TemplateRecord.procedureId(0),
    ]);
    await db.sql(`ALTER TABLE events ENABLE TRIGGER events_no_update_delete`);
    await db.sql(rows[0].definition);
    const { rows: lengths } = await db.sql(
      `SELECT hashed_data_bytes AS stored, octet_length(data::text) AS now FROM events WHERE stream_id = $1 AND version = 2`,
      [TemplateRecord.procedureId(0)],
    );
    expect(lengths[0].stored).toBe(1);
    expect(lengths[0].now).toBeGreaterThan(1);
    expect(await db.withStore((s) => s.readsStoredTexts())).toEqual({ events: false, snapshots: true });
    const report = await db.verify();
    expect(report.failures).toEqual([]);
    expect(report).toMatchObject({ procedures: 2, ok: true });
  });
});
