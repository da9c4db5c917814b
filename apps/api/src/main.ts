import 'reflect-metadata';
import { loadConfig } from '@qianqi/config';
import { createApi } from './bootstrap';

async function main() {
  const config = loadConfig();
  const app = await createApi();
  await app.listen(config.PORT, '0.0.0.0');
}

main().catch((err) => {
  // eslint-disable-next-line no-console
  console.error(`qianqi api failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
