import { MigrationInterface, QueryRunner } from 'typeorm';
import { STORED_TEXT_COLUMNS, storedTextDefinitions } from '../libs/persistence/src/stored-texts';

/**
 * Each event's hashed text (and where its data ends, and the metadata replay reads), and each
 * snapshot's state as text, kept by PostgreSQL as stored generated columns: verification reads
 * them instead of turning jsonb into text at every run (see libs/persistence/src/stored-texts.ts).
 * Adding them rewrites both tables once; the append-only trigger is not involved (no row is
 * updated), and the record itself is unchanged.
 */
export class StoredTexts1764300000000 implements MigrationInterface {
  name = 'StoredTexts1764300000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['events', 'procedure_snapshots'] as const) {
      await q.query(
        `ALTER TABLE ${table} ${storedTextDefinitions(table)
          .map((d) => `ADD COLUMN ${d}`)
          .join(', ')}`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['events', 'procedure_snapshots'] as const) {
      const columns = STORED_TEXT_COLUMNS.filter((c) => c.table === table);
      await q.query(`ALTER TABLE ${table} ` + columns.map((c) => `DROP COLUMN ${c.column}`).join(', '));
    }
  }
}
