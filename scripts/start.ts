import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type AppConfig } from '@qianqi/config';
import { migrate } from '@qianqi/persistence';
import { loadDemo } from './demo/load-demo';
import { banner, redactUrl, type BannerInput } from './start/banner';
import { NODE_ARGS } from './start/node-args';
import { ProcessSupervisor, type ChildSpec } from './start/process-supervisor';
import { assertPortFree, waitForHealth } from './start/readiness';

/**
 * npm start: migrate, load the demo into an empty database, run the API and the worker, and
 * print where they are with a dev token per role. Options: --no-demo.
 */

const HEALTH_TIMEOUT_MS = 60_000;
const DIST = join(__dirname, '..');

const log = (line: string) => console.log(`[start] ${line}`);

/** The compiled entry of an app, wherever this build put it (dist/apps/x/main.js or …/src/main.js). */
function entryOf(app: 'api' | 'worker'): ChildSpec {
  const candidates = [join(DIST, 'apps', app, 'main.js'), join(DIST, 'apps', app, 'src', 'main.js')];
  const entry = candidates.find((c) => existsSync(c));
  if (!entry) throw new Error(`no compiled ${app} (looked for ${candidates.join(', ')}); run npm run build`);
  return { name: app, entry, nodeArgs: NODE_ARGS };
}

async function prepare(config: AppConfig, withDemo: boolean): Promise<BannerInput['demo']> {
  log(`migrating ${redactUrl(config.DATABASE_URL)}`);
  const ran = await migrate(config.DATABASE_URL);
  if (ran.length) log(`migrations applied: ${ran.join(', ')}`);
  if (!withDemo) return { skipped: 'not loaded (--no-demo)' };
  if (config.NODE_ENV === 'production') return { skipped: 'not loaded (NODE_ENV=production)' };
  const demo = await loadDemo({ log: (line) => log(`demo: ${line}`) });
  if (!demo.loaded) log(`database holds ${demo.projectsBefore} projects: demo not loaded again`);
  return demo;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'no-demo': { type: 'boolean', default: false } } });
  const config = loadConfig();
  const apps = [entryOf('api'), entryOf('worker')];
  await assertPortFree(config.PORT);
  const demo = await prepare(config, !values['no-demo']);

  const supervisor = new ProcessSupervisor(log);
  supervisor.handleSignals();
  supervisor.start(apps);
  try {
    await waitForHealth(`http://127.0.0.1:${config.PORT}/health`, {
      timeoutMs: HEALTH_TIMEOUT_MS,
      cancelled: () => supervisor.isStopping,
    });
    console.log(
      banner({ config, demo, pids: { api: supervisor.pid('api'), worker: supervisor.pid('worker') } }),
    );
  } catch (err) {
    if (!supervisor.isStopping) {
      log(`the API did not come up: ${(err as Error).message}`);
      supervisor.stop('SIGTERM', true);
    }
  }
  const code = await supervisor.done;
  log(code === 0 ? 'stopped' : 'failed: see the messages above');
  return code;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[start] cannot start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
