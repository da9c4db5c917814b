import { MigrationInterface, QueryRunner } from 'typeorm';

/** The record: events (append-only), snapshots, read models, idempotency, definitions. */
export class CoreRecord1763700000000 implements MigrationInterface {
  name = 'CoreRecord1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE definitions (
        ref text PRIMARY KEY,
        id text NOT NULL,
        version integer NOT NULL,
        hash char(64) NOT NULL,
        content jsonb NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE projects (
        id uuid PRIMARY KEY,
        code text NOT NULL UNIQUE,
        name text NOT NULL,
        approval_mode text NOT NULL CHECK (approval_mode IN ('approval', 'verification', 'filing')),
        region text NOT NULL,
        owner_org text NOT NULL,
        planned_start_date date NOT NULL,
        leader text,
        procedure_id uuid NOT NULL UNIQUE,
        definition text NOT NULL REFERENCES definitions(ref),
        ready_to_start boolean NOT NULL DEFAULT false,
        light text NOT NULL DEFAULT 'green',
        light_reasons jsonb NOT NULL DEFAULT '[]',
        version integer NOT NULL,
        registered_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX projects_region_idx ON projects (region);
      CREATE INDEX projects_owner_org_idx ON projects (owner_org);
      CREATE INDEX projects_light_idx ON projects (light);

      CREATE TABLE events (
        position bigserial PRIMARY KEY,
        stream_id uuid NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        occurred_at timestamptz NOT NULL,
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL,
        CONSTRAINT events_stream_version_key UNIQUE (stream_id, version)
      );

      CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION events_append_only();
      CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

      CREATE TABLE procedure_snapshots (
        procedure_id uuid PRIMARY KEY,
        project_id uuid NOT NULL REFERENCES projects(id),
        definition text NOT NULL REFERENCES definitions(ref),
        version integer NOT NULL,
        last_hash char(64) NOT NULL,
        state jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      );

      CREATE TABLE procedure_items (
        procedure_id uuid NOT NULL,
        item_key text NOT NULL,
        project_id uuid NOT NULL,
        department text NOT NULL,
        task_force text NOT NULL,
        stage smallint NOT NULL,
        status text NOT NULL,
        light text NOT NULL DEFAULT 'green',
        statutory_breach boolean NOT NULL DEFAULT false,
        accepted_at timestamptz,
        committed_due_at timestamptz,
        statutory_due_at timestamptz,
        provisional boolean NOT NULL DEFAULT false,
        open_commitments integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (procedure_id, item_key)
      );
      CREATE INDEX procedure_items_department_idx ON procedure_items (department, status);

      CREATE TABLE idempotency_keys (
        actor_id text NOT NULL,
        key text NOT NULL,
        procedure_id uuid NOT NULL,
        request_hash char(64) NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (actor_id, key)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE idempotency_keys;
      DROP TABLE procedure_items;
      DROP TABLE procedure_snapshots;
      DROP TABLE events;
      DROP FUNCTION events_append_only();
      DROP TABLE projects;
      DROP TABLE definitions;
    `);
  }
}
