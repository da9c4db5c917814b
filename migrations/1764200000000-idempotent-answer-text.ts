import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The answer kept for an Idempotency-Key is returned byte for byte as first given: `json` keeps
 * the text (and so the key order) it was written with, where `jsonb` reorders keys.
 */
export class IdempotentAnswerText1764200000000 implements MigrationInterface {
  name = 'IdempotentAnswerText1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys ALTER COLUMN response TYPE json USING response::json`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys ALTER COLUMN response TYPE jsonb USING response::jsonb`);
  }
}
