import { Client } from 'pg';
import { DefinitionRuntimes, verifyRecord } from '@qianqi/audit';
import { AuditStore, createDataSource, migrate } from '@qianqi/persistence';
import {
  BUILT_IN_DEFINITIONS,
  contentHash,
  DEFAULT_CATALOGUE,
  definitionRef,
  DefinitionRegistry,
  ProcedureLogic,
} from '@qianqi/workflows';
import { insertBatch } from '../bench/replay/bench-loader';
import { makeTemplate } from '../bench/replay/stream-templates';

/**
 * The bulk verifier reads text as UTF-8 (the client encoding) whatever the database's own
 * encoding: a database in GB 2312 (EUC_CN) holds its Chinese in other bytes and other lengths,
 * and an intact record must verify there as it does in UTF-8.
 */
describe('bulk verification of a database not in UTF-8', () => {
  const server = new URL(process.env.TEST_DATABASE_URL!);
  const name = `qianqi_euc_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const url = Object.assign(new URL(server.toString()), { pathname: `/${name}` }).toString();
  const admin = Object.assign(new URL(server.toString()), { pathname: '/postgres' }).toString();
  const sql = async (text: string, at = admin) => {
    const c = new Client({ connectionString: at });
    await c.connect();
    try {
      return await c.query(text);
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    await sql(`CREATE DATABASE "${name}" ENCODING 'EUC_CN' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
    await migrate(url);
  }, 60_000);
  afterAll(() => sql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));

  it('verifies an intact record of Chinese names and reasons', async () => {
    const logic = new ProcedureLogic(DEFAULT_CATALOGUE);
    const templates = [1, 2, 3].map((seed) => makeTemplate(DEFAULT_CATALOGUE, logic, seed, 20));
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(`INSERT INTO definitions (ref, id, version, hash, content) VALUES ($1, $2, $3, $4, $5)`, [
        definitionRef(DEFAULT_CATALOGUE),
        DEFAULT_CATALOGUE.id,
        DEFAULT_CATALOGUE.version,
        contentHash(DEFAULT_CATALOGUE),
        JSON.stringify(DEFAULT_CATALOGUE),
      ]);
      await insertBatch(
        c,
        logic,
        templates.map((template, n) => ({
          procedureId: `0000000${n}-0001-4000-8000-000000000000`,
          projectId: `0000000${n}-0002-4000-8000-000000000000`,
          code: `2026-330800-48-01-00000${n}`,
          template,
          shift: n * 86_400_000,
        })),
      );
      const { rows } = await c.query(
        `SELECT count(*)::int AS n FROM events WHERE data::text ~ '[^\\x01-\\x7f]' OR metadata::text ~ '[^\\x01-\\x7f]'`,
      );
      expect(rows[0].n).toBeGreaterThan(0);
    } finally {
      await c.end();
    }
    const ds = createDataSource({ url, poolSize: 3, applicationName: 'qianqi-test' });
    await ds.initialize();
    try {
      const store = new AuditStore(ds);
      const runtimes = new DefinitionRuntimes(
        new DefinitionRegistry(BUILT_IN_DEFINITIONS),
        await store.pinnedDefinitions(),
      );
      const report = await verifyRecord(store.streams({ batchSize: 2 }), runtimes.lookup);
      expect(report.failures).toEqual([]);
      expect(report).toMatchObject({ procedures: 3, ok: true });
      expect(report.events).toBe(templates.reduce((n, t) => n + t.events.length, 0));
    } finally {
      await ds.destroy();
    }
  }, 60_000);
});
