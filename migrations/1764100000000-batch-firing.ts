import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Firing many timers at once, cheaply.
 *
 * A procedure's armed timers by due time: "the first due timer of this procedure" (asked for each
 * procedure a fire or a batch takes) was answered from the index of all armed timers by due time,
 * scanning every timer due by then — fine for one, quadratic for a day-end cluster of thousands.
 *
 * Rows that change on every command and every tick, updated in place where PostgreSQL can.
 *
 * An update is HOT (no index touched) only when no indexed column changes and the new version
 * fits on the same page. `projects.light` changes with every light, so its index made each such
 * update write all six indexes of the table (half the cost of a day-end batch of ticks); the
 * light filter of GET /projects scans the table instead, which stays fast at a city's scale
 * (tens of thousands of projects). Free space on each page (fillfactor) lets the new version of a
 * project or item row stay beside the old one.
 */
export class BatchFiring1764100000000 implements MigrationInterface {
  name = 'BatchFiring1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX timers_procedure_armed_idx ON timers (procedure_id, due_at, id) WHERE status = 'armed';
      DROP INDEX projects_light_idx;
      ALTER TABLE projects SET (fillfactor = 70);
      ALTER TABLE procedure_items SET (fillfactor = 80);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE procedure_items RESET (fillfactor);
      ALTER TABLE projects RESET (fillfactor);
      CREATE INDEX projects_light_idx ON projects (light);
      DROP INDEX timers_procedure_armed_idx;
    `);
  }
}
