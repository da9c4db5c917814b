import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfig } from '@qianqi/config';
import { migrate } from '@qianqi/persistence';
import { loadDemo } from './demo/load-demo';

/**
 * npm run seed:demo [-- --force]: migrates DATABASE_URL and loads the demo projects through the
 * engine. Only into a database without projects, unless --force (then the demo projects that
 * are missing are added; those already there are left as they are).
 */
async function main() {
  const { values } = parseArgs({ options: { force: { type: 'boolean', default: false } } });
  const config = loadConfig();
  await migrate(config.DATABASE_URL);
  const result = await loadDemo({ force: values.force, log: (line) => console.log(`  ${line}`) });
  if (!result.loaded) {
    console.log(
      `demo not loaded: the database already holds ${result.projectsBefore} project(s) ` +
        `(${result.demo.length} of them from the demo); use --force to add the missing demo projects`,
    );
    return;
  }
  const added = result.demo.filter((p) => p.registered).length;
  const events = result.demo.reduce((n, p) => n + p.appended, 0);
  console.log(
    `demo: ${added} project(s) registered, ${result.demo.length - added} already present, ` +
      `${events} events appended in ${(result.elapsedMs / 1000).toFixed(1)} s`,
  );
}

main().catch((err) => {
  console.error(`seed:demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
