import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Firing many timers at once, cheaply: rows that change on every command and every tick, updated
 * in place where PostgreSQL can.
 *
 * An update is HOT (no index touched) only when no indexed column changes and the new version
 * fits on the same page. `projects.light` changes with every light, so its index made each such
 * update write all six indexes of the table (half the cost of a day-end batch of ticks); the
 * light filter of GET /projects scans the table instead, which stays fast at a city's scale
 * (tens of thousands of projects). Free space on each page (fillfactor) lets the new version of a
 * project, item or snapshot row stay beside the old one (a snapshot's only index is its key).
 */
export class BatchFiring1764100000000 implements MigrationInterface {
  name = 'BatchFiring1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX projects_light_idx;
      ALTER TABLE projects SET (fillfactor = 70);
      ALTER TABLE procedure_items SET (fillfactor = 80);
      ALTER TABLE procedure_snapshots SET (fillfactor = 70);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE procedure_snapshots RESET (fillfactor);
      ALTER TABLE procedure_items RESET (fillfactor);
      ALTER TABLE projects RESET (fillfactor);
      CREATE INDEX projects_light_idx ON projects (light);
    `);
  }
}
