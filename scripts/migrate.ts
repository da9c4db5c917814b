import { loadConfig } from '@qianqi/config';
import { migrate } from '@qianqi/persistence';

async function main() {
  const config = loadConfig();
  const ran = await migrate(config.DATABASE_URL);
  console.log(ran.length ? `migrations applied: ${ran.join(', ')}` : 'database is up to date');
}

main().catch((err) => {
  console.error(`migrate failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
