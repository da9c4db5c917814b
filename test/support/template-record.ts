import { Client } from 'pg';
import { DefinitionRuntimes, verifyRecord, type RecordReport } from '@qianqi/audit';
import { AuditStore, createDataSource, migrate } from '@qianqi/persistence';
import { contentHash, DEFAULT_CATALOGUE, definitionRef, ProcedureLogic } from '@qianqi/workflows';
import { insertBatch } from '../../bench/replay/bench-loader';
import { makeTemplate } from '../../bench/replay/stream-templates';

/**
 * A database of the test's own, migrated, holding procedures of the bench's generated histories
 * (written as the bench writes them: hashed by the domain, chained, snapshots and read models
 * from the pure logic), for specs that change its schema or need its encoding.
 */
export class TemplateRecord {
  readonly url: string;
  private readonly admin: string;

  constructor(prefix: string) {
    const server = new URL(process.env.TEST_DATABASE_URL!);
    const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
    this.url = Object.assign(new URL(server.toString()), { pathname: `/${name}` }).toString();
    this.admin = Object.assign(new URL(server.toString()), { pathname: '/postgres' }).toString();
  }

  get name(): string {
    return new URL(this.url).pathname.slice(1);
  }

  /** One statement, as the superuser, in the test's database (or the server's admin one). */
  async sql(text: string, params: unknown[] = [], on: 'own' | 'admin' = 'own') {
    const c = new Client({ connectionString: on === 'own' ? this.url : this.admin });
    await c.connect();
    try {
      return await c.query(text, params);
    } finally {
      await c.end();
    }
  }

  /** Creates and migrates it (`options`: what CREATE DATABASE is told besides its name). */
  async create(options = ''): Promise<void> {
    await this.sql(`CREATE DATABASE "${this.name}" ${options}`, [], 'admin');
    await migrate(this.url);
  }

  drop() {
    return this.sql(`DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`, [], 'admin');
  }

  /** Procedures 0…n-1 of the histories of seeds 1…n; the number of events written. */
  async load(n: number): Promise<number> {
    const logic = new ProcedureLogic(DEFAULT_CATALOGUE);
    const templates = Array.from({ length: n }, (_, i) => makeTemplate(DEFAULT_CATALOGUE, logic, i + 1, 20));
    const c = new Client({ connectionString: this.url });
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
        templates.map((template, i) => ({
          procedureId: TemplateRecord.procedureId(i),
          projectId: `0000000${i}-0002-4000-8000-000000000000`,
          code: `2026-330800-48-01-00000${i}`,
          template,
          shift: i * 86_400_000,
        })),
      );
    } finally {
      await c.end();
    }
    return templates.reduce((sum, t) => sum + t.events.length, 0);
  }

  static procedureId(i: number): string {
    return `0000000${i}-0001-4000-8000-000000000000`;
  }

  /**
   * `fn` with an audit store on the database, connected as `user` (or as the superuser), with
   * `query` as the URL's query string (node-pg's options, `?query_timeout=…`).
   */
  async withStore<T>(
    fn: (store: AuditStore) => Promise<T>,
    as: { user?: string; query?: string } = {},
  ): Promise<T> {
    const url = new URL(this.url);
    if (as.user) url.username = as.user;
    if (as.query) url.search = as.query;
    const ds = createDataSource({ url: url.toString(), poolSize: 3, applicationName: 'qianqi-test' });
    await ds.initialize();
    try {
      return await fn(new AuditStore(ds));
    } finally {
      await ds.destroy();
    }
  }

  /** The bulk verifier's report over every procedure, in batches of two (as `user`, or as the superuser). */
  verify(user?: string): Promise<RecordReport> {
    return this.withStore(
      async (store) => {
        const runtimes = DefinitionRuntimes.builtIn(await store.pinnedDefinitions());
        return verifyRecord(store.streams({ batchSize: 2 }), runtimes.lookup);
      },
      { user },
    );
  }
}
