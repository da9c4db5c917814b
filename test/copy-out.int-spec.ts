import { Pool, type PoolClient } from 'pg';
import { copyOut } from '../libs/persistence/src/copy-binary';
import { TEST_DATABASE_URL } from './support/test-env';
import { copyRows } from './support/copy-rows';

describe('copyOut against PostgreSQL', () => {
  let pool: Pool;
  let client: PoolClient;
  beforeAll(async () => {
    pool = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    client = await pool.connect();
  });
  afterAll(async () => {
    client?.release();
    await pool?.end();
  });

  it('reads many rows of every size, rows far larger than a socket read among them', async () => {
    const sql = `SELECT g::text, CASE WHEN g % 7 = 0 THEN NULL ELSE repeat('字', (g * 37) % 400) END,
                        CASE WHEN g % 1000 = 0 THEN repeat('x', 150000) ELSE '' END
                   FROM generate_series(1, 20000) g ORDER BY g`;
    const rows = copyRows(await copyOut(client, sql));
    expect(rows).toHaveLength(20000);
    const { rows: expected } = await client.query({ text: sql, rowMode: 'array' });
    expect(rows).toEqual(expected);
  });

  it('reads no rows', async () => {
    expect(copyRows(await copyOut(client, 'SELECT 1 WHERE false'))).toEqual([]);
  });

  it('steps over notices sent between the rows', async () => {
    await client.query(`CREATE OR REPLACE FUNCTION pg_temp.noisy(i int) RETURNS int LANGUAGE plpgsql AS
      $$ BEGIN RAISE NOTICE 'row %', i; RETURN i; END $$`);
    const rows = copyRows(
      await copyOut(client, 'SELECT pg_temp.noisy(g)::text FROM generate_series(1, 300) g'),
    );
    expect(rows.map((r) => Number(r[0]))).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });

  it("fails on node-pg's query_timeout midway, and the connection serves the next query", async () => {
    const timed = new Pool({ connectionString: TEST_DATABASE_URL, max: 1, query_timeout: 200 });
    const c = await timed.connect();
    try {
      await expect(
        // Rows of 1000 bytes: what has arrived when the timeout fires ends inside a row (the
        // backend sends its output buffer when full, 8 kB, not row by row).
        copyOut(
          c,
          `SELECT repeat('x', 1000), pg_sleep(CASE WHEN g = 100 THEN 0.5 ELSE 0 END) FROM generate_series(1, 400) g`,
        ),
      ).rejects.toThrow('Query read timeout');
      // The rest of the COPY still streams in; the connection is back in step once it has.
      await new Promise((resolve) => setTimeout(resolve, 800));
      const { rows } = await c.query('SELECT 41 + 1 AS answer');
      expect(rows).toEqual([{ answer: 42 }]);
    } finally {
      c.release();
      await timed.end();
    }
  });

  it('fails with the server error raised midway, and the connection serves the next query', async () => {
    await expect(
      copyOut(client, 'SELECT 1 / (g - 5000) FROM generate_series(1, 10000) g'),
    ).rejects.toMatchObject({ code: '22012' });
    const { rows } = await client.query('SELECT 41 + 1 AS answer');
    expect(rows).toEqual([{ answer: 42 }]);
    expect(copyRows(await copyOut(client, "SELECT 'after'"))).toEqual([['after']]);
  });
});
