import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { verifyToken } from '../libs/auth/src';

/**
 * The command-line entry points refuse bad input the way the API does: one clear line naming
 * what is wrong, a non-zero exit, and nothing half-done (no token printed, no stack trace).
 */
jest.setTimeout(120_000);
const ROOT = join(__dirname, '..');
const SECRET = 'cli-test-secret';

function run(script: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', script, ...args],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
        JWT_SECRET: SECRET,
        ...env,
      },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run token', () => {
  // It used to print these tokens, which every API call then refused with a 401.
  it.each([
    [['--role', 'department', '--department', 'bogus'], 'claim department must be one of'],
    [['--role', 'department'], 'claim department must be one of'],
    [['--role', 'taskforce', '--task-force', 'nope'], 'claim taskForce must be one of'],
    [['--role', 'superuser'], 'claim role must be one of'],
  ])('refuses %j', (args, message) => {
    const r = run('scripts/token.ts', args);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^token: the API would refuse this token: /),
    ]);
    expect(r.stderr).toContain(message);
  });

  it('prints a token the API accepts', () => {
    const r = run('scripts/token.ts', ['--role', 'department', '--department', 'natural-resources']);
    expect(r.code).toBe(0);
    expect(verifyToken(r.stdout.trim(), SECRET)).toMatchObject({
      role: 'department',
      department: 'natural-resources',
    });
  });
});

describe('the worker on a configuration error', () => {
  // The module read the configuration while loading, so the ConfigError escaped as a stack trace.
  it('prints one line naming the variable and exits 1', () => {
    const r = run('apps/worker/src/main.ts', [], { NODE_ENV: 'production', JWT_SECRET: '' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^qianqi worker failed to start: invalid configuration: .*JWT_SECRET/),
    ]);
  });
});
