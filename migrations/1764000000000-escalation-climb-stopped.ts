import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A 督办件 whose cause no longer holds when its level runs out (the item was decided, the
 * commitment made good) stays open for 销号 but stops climbing; this records when. Cleared when
 * the cause comes back or the ticket is reopened.
 */
export class EscalationClimbStopped1764000000000 implements MigrationInterface {
  name = 'EscalationClimbStopped1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE escalations ADD COLUMN climb_stopped_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE escalations DROP COLUMN climb_stopped_at`);
  }
}
