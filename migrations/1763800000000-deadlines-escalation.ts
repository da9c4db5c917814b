import { MigrationInterface, QueryRunner } from 'typeorm';

/** Timers (PostgreSQL is their truth), escalation tickets, calendar years, the manual clock, routing. */
export class DeadlinesEscalation1763800000000 implements MigrationInterface {
  name = 'DeadlinesEscalation1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE timers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('ITEM_LIGHT', 'COMMITMENT_DUE', 'PROJECT_START', 'ESCALATION_LEVEL')),
        procedure_id uuid NOT NULL,
        target text NOT NULL,
        due_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        status text NOT NULL CHECK (status IN ('armed', 'fired', 'cancelled')),
        enqueued_version integer,
        provisional boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT timers_target_key UNIQUE (procedure_id, target, kind)
      );
      CREATE INDEX timers_armed_due_idx ON timers (due_at) WHERE status = 'armed';
      CREATE INDEX timers_provisional_idx ON timers (procedure_id) WHERE provisional AND status = 'armed';

      CREATE TABLE escalations (
        id uuid PRIMARY KEY,
        project_id uuid NOT NULL,
        procedure_id uuid NOT NULL,
        item_key text NOT NULL,
        reason text NOT NULL CHECK (reason IN ('OVERDUE', 'COMMITMENT_BREACHED')),
        task_force text NOT NULL,
        level smallint NOT NULL CHECK (level BETWEEN 1 AND 4),
        status text NOT NULL CHECK (status IN ('open', 'acknowledged', 'closed')),
        opened_at timestamptz NOT NULL,
        due_at timestamptz,
        acknowledged_at timestamptz,
        closed_at timestamptz,
        resolution text,
        notes jsonb NOT NULL DEFAULT '[]',
        history jsonb NOT NULL DEFAULT '[]',
        updated_at timestamptz NOT NULL
      );
      -- At most one open ticket per item and reason: a handler that runs twice cannot open two.
      CREATE UNIQUE INDEX escalations_one_open_idx ON escalations (procedure_id, item_key, reason) WHERE status <> 'closed';
      CREATE INDEX escalations_task_force_idx ON escalations (task_force, status);
      CREATE INDEX escalations_opened_idx ON escalations (opened_at);

      CREATE TABLE escalation_routes (
        department text NOT NULL,
        region text NOT NULL DEFAULT '*',
        task_force text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (department, region)
      );

      CREATE TABLE calendar_years (
        year integer PRIMARY KEY,
        days_off jsonb NOT NULL,
        workdays jsonb NOT NULL,
        loaded_by text NOT NULL,
        loaded_at timestamptz NOT NULL
      );

      CREATE TABLE clock_state (
        id smallint PRIMARY KEY CHECK (id = 1),
        now timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE clock_state;
      DROP TABLE calendar_years;
      DROP TABLE escalation_routes;
      DROP TABLE escalations;
      DROP TABLE timers;
    `);
  }
}
