import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit's own record (who read replays, timelines and exports, which commands auditors were
 * refused) and the database role the API should run as: `qianqi_app` may read and append events
 * but neither UPDATE nor DELETE them, so even a bug or an injected statement in the application
 * cannot rewrite the record; only a superuser can, and verification names what they changed.
 *
 * Roles belong to the cluster, not the database: several databases (dev, test, bench) share one
 * `qianqi_app`, so creating it tolerates an existing one and `down` drops it only when no other
 * database still grants it anything.
 */
export class AuditAccess1763900000000 implements MigrationInterface {
  name = 'AuditAccess1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_access_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        actor_id text NOT NULL,
        actor_name text NOT NULL,
        actor_role text NOT NULL,
        action text NOT NULL,
        procedure_id uuid,
        detail jsonb
      );
      CREATE INDEX audit_access_log_procedure_idx ON audit_access_log (procedure_id, id);
      CREATE INDEX audit_access_log_actor_idx ON audit_access_log (actor_id, id);

      CREATE FUNCTION audit_access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the access log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER audit_access_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_access_log
        FOR EACH ROW EXECUTE FUNCTION audit_access_log_append_only();
      CREATE TRIGGER audit_access_log_no_truncate BEFORE TRUNCATE ON audit_access_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_access_log_append_only();

      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'qianqi_app') THEN
          CREATE ROLE qianqi_app LOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL; -- created meanwhile by the migration of another database of the cluster
      END $$;
      DO $$
      BEGIN
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO qianqi_app', current_database());
      END $$;
      GRANT USAGE ON SCHEMA public TO qianqi_app;
      GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO qianqi_app;
      GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO qianqi_app;
      ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL PRIVILEGES ON TABLES TO qianqi_app;
      ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO qianqi_app;

      -- The record: read and append, nothing else.
      REVOKE ALL PRIVILEGES ON events, audit_access_log FROM qianqi_app;
      GRANT SELECT, INSERT ON events, audit_access_log TO qianqi_app;
      -- The application never migrates.
      REVOKE ALL PRIVILEGES ON migrations FROM qianqi_app;
      GRANT SELECT ON migrations TO qianqi_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'qianqi_app') THEN
          ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL PRIVILEGES ON TABLES FROM qianqi_app;
          ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL PRIVILEGES ON SEQUENCES FROM qianqi_app;
          REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA public FROM qianqi_app;
          REVOKE ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA public FROM qianqi_app;
          REVOKE USAGE ON SCHEMA public FROM qianqi_app;
          EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM qianqi_app', current_database());
          BEGIN
            DROP ROLE qianqi_app;
          EXCEPTION WHEN dependent_objects_still_exist THEN
            RAISE NOTICE 'role qianqi_app kept: another database of the cluster still grants it rights';
          END;
        END IF;
      END $$;
      DROP TABLE audit_access_log;
      DROP FUNCTION audit_access_log_append_only();
    `);
  }
}
