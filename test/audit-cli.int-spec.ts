import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentHash, DEFAULT_CATALOGUE } from '../workflows/src';
import { exportHeader, toJsonl } from '../libs/audit/src';
import { auditScenario, buildStream } from './support/audit-stream';
import { asSuperuser, auditActors, removeProcedures, startAuditEngine } from './support/audit-engine';
import { TEST_DATABASE_URL } from './support/test-env';

/** The two command-line verifiers, run as an outside auditor and an operator would run them. */
jest.setTimeout(120_000);
const ROOT = join(__dirname, '..');
function run(script: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(
    'node',
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', script, ...args],
    {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('npm run verify:file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qianqi-export-'));
  const s = buildStream(DEFAULT_CATALOGUE, auditScenario(), { seed: 'cli' });
  const text = toJsonl(
    exportHeader(
      {
        procedureId: s.procedureId,
        projectId: s.projectId,
        project: { code: '2026-330800-48-01-100231', name: '常山江航电枢纽', ownerOrg: 'org-quzhou' },
        definition: { ref: 'default@1', hash: contentHash(DEFAULT_CATALOGUE), content: DEFAULT_CATALOGUE },
        exportedAt: '2026-04-01T00:00:00.000Z',
        exportedBy: { id: 'aud-1', name: '审计员', role: 'auditor' },
      },
      s.stored.events,
    ),
    s.stored.events,
  );

  it('accepts an intact export (exit 0) and refuses it with one byte changed (exit 1)', () => {
    const good = join(dir, 'good.jsonl');
    writeFileSync(good, text);
    const ok = run('scripts/verify-file.ts', [good]);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(`OK: ${good} is a complete, unaltered export of procedure ${s.procedureId}`);

    const bytes = Buffer.from(text);
    bytes[Math.floor(bytes.length * 0.7)] ^= 0x02;
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, bytes);
    const refused = run('scripts/verify-file.ts', [bad]);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('REFUSED');
  });

  it('refuses a missing file or no argument (exit 1)', () => {
    expect(run('scripts/verify-file.ts', [join(dir, 'nope.jsonl')]).code).toBe(1);
    expect(run('scripts/verify-file.ts', []).code).toBe(1);
  });
});

describe('npm run verify', () => {
  it('exits 0 on an intact procedure and 1 naming the finding on an altered one', async () => {
    const engine = await startAuditEngine();
    const { procedureId, applicant } = await engine.register();
    try {
      await engine.run(
        procedureId,
        'eia',
        { type: 'SUBMIT', materials: ['eia_report', 'public_participation', 'expert_opinion'] },
        applicant,
      );
      await engine.run(procedureId, 'eia', { type: 'ACCEPT' }, auditActors.officer('ecology'));
      const env = { DATABASE_URL: TEST_DATABASE_URL };
      const ok = run('scripts/verify.ts', ['--procedure', procedureId], env);
      expect(ok.out).toMatch(/^OK: 1 procedures, 3 events verified/m);
      expect(ok.code).toBe(0);
      await asSuperuser(
        `UPDATE events SET metadata = jsonb_set(metadata, '{occurredAt}', '"2020-01-01T00:00:00.000Z"') WHERE stream_id = $1 AND version = 2`,
        [procedureId],
      );
      const bad = run('scripts/verify.ts', ['--procedure', procedureId, '--json'], env);
      expect(bad.code).toBe(1);
      const report = JSON.parse(bad.out.trim().split('\n').pop()!);
      const kinds = (r: { failures: { version: number; kind: string }[] }) =>
        r.failures.map((f) => [f.version, f.kind]);
      expect(kinds(report)).toEqual([[2, 'HASH_MISMATCH']]);
      // Read from the texts PostgreSQL keeps; with --compose, from texts composed of the columns.
      expect(report.stats.texts.events).toEqual({ stored: 1, composed: 0 });
      const composed = run('scripts/verify.ts', ['--procedure', procedureId, '--json', '--compose'], env);
      expect(composed.code).toBe(1);
      const again = JSON.parse(composed.out.trim().split('\n').pop()!);
      expect(kinds(again)).toEqual([[2, 'HASH_MISMATCH']]);
      expect(again.stats.texts).toEqual({
        events: { stored: 0, composed: 1 },
        snapshots: { stored: 0, composed: 1 },
      });
    } finally {
      await removeProcedures([procedureId]);
      await engine.close();
    }
  });
});
