import { Client } from 'pg';
import { DataSource } from '../libs/persistence/src';
import { projectBody, tokens, uniqueOrg } from './support/fixtures';
import { startTestApi, type TestApi } from './support/test-app';
import { TEST_DATABASE_URL } from './support/test-env';

/**
 * The API runs as `qianqi_app` (created by the audit migration): everything works, and yet the
 * events table cannot be changed through its connection, trigger or no trigger.
 */
const APP_URL = (() => {
  const u = new URL(TEST_DATABASE_URL);
  u.username = 'qianqi_app';
  u.password = '';
  return u.toString();
})();

describe('the API as qianqi_app', () => {
  let api: TestApi;
  beforeAll(async () => {
    process.env.DATABASE_URL = APP_URL;
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
    process.env.DATABASE_URL = TEST_DATABASE_URL;
  });

  it('registers, runs a command, verifies and exports', async () => {
    const [{ user }] = await api.app.get(DataSource).query('SELECT current_user AS user');
    expect(user).toBe('qianqi_app');
    const org = uniqueOrg();
    const reg = await api.request('POST', '/projects', {
      token: tokens.applicant(org),
      body: projectBody(org),
    });
    expect(reg.status).toBe(201);
    const id = reg.body.procedureId;
    const submitted = await api.request('POST', `/procedures/${id}/items/eia/commands`, {
      token: tokens.applicant(org),
      body: { type: 'SUBMIT', materials: ['eia_report'] },
    });
    expect(submitted.status).toBe(200);
    const verified = await api.request('POST', '/audit/verify', {
      token: tokens.auditor(),
      body: { procedureId: id },
    });
    expect(verified.body).toMatchObject({ procedures: 1, ok: true });
    expect((await api.request('GET', `/procedures/${id}/export`, { token: tokens.auditor() })).status).toBe(
      200,
    );
    const log = await api.request('GET', `/audit/access-log?procedureId=${id}`, { token: tokens.admin() });
    expect(log.body.map((e: { action: string }) => e.action)).toEqual(['EXPORT', 'VERIFY']);
  });

  it('cannot UPDATE, DELETE or TRUNCATE events, nor rewrite the access log, through its role', async () => {
    const client = new Client({ connectionString: APP_URL });
    await client.connect();
    try {
      const [{ user }] = (await client.query('SELECT current_user AS user')).rows;
      expect(user).toBe('qianqi_app');
      for (const statement of [
        `UPDATE events SET type = type WHERE false`,
        `DELETE FROM events WHERE false`,
        `TRUNCATE events`,
        `UPDATE audit_access_log SET action = action WHERE false`,
        `ALTER TABLE events DISABLE TRIGGER events_no_update_delete`,
      ]) {
        await expect(client.query(statement)).rejects.toThrow(/permission denied|must be owner/);
      }
      const rights = await client.query(
        `SELECT has_table_privilege('events', 'SELECT') AS s, has_table_privilege('events', 'INSERT') AS i,
                has_table_privilege('procedure_snapshots', 'UPDATE') AS u, has_table_privilege('procedure_items', 'DELETE') AS d`,
      );
      expect(rights.rows[0]).toEqual({ s: true, i: true, u: true, d: true });
    } finally {
      await client.end();
    }
  });
});
