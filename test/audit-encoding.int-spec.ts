import { TemplateRecord } from './support/template-record';

/**
 * The bulk verifier reads text as UTF-8 (the client encoding) whatever the database's own
 * encoding: a database in GB 2312 (EUC_CN) holds its Chinese in other bytes and other lengths,
 * and an intact record must verify there as it does in UTF-8. (There the event texts are composed
 * as they are read: the stored ones count the data's length in the database's bytes.)
 */
describe('bulk verification of a database not in UTF-8', () => {
  const db = new TemplateRecord('qianqi_euc');

  beforeAll(() => db.create(`ENCODING 'EUC_CN' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`), 60_000);
  afterAll(() => db.drop());

  it('verifies an intact record of Chinese names and reasons', async () => {
    const events = await db.load(3);
    const { rows } = await db.sql(
      `SELECT count(*)::int AS n FROM events WHERE data::text ~ '[^\\x01-\\x7f]' OR metadata::text ~ '[^\\x01-\\x7f]'`,
    );
    expect(rows[0].n).toBeGreaterThan(0);
    expect(await db.withStore((s) => s.readsStoredTexts())).toEqual({ events: false, snapshots: true });
    const report = await db.verify();
    expect(report.failures).toEqual([]);
    expect(report).toMatchObject({ procedures: 3, ok: true, events });
  }, 60_000);
});
