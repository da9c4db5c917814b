import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfig } from '@qianqi/config';

/** The worker: an application context (no HTTP) running the BullMQ processors. */
async function main() {
  loadConfig();
  // Loaded only once the configuration is known good: the module reads it as it loads, and a
  // ConfigError thrown there would escape as a stack trace rather than the one line below.
  const { WorkerModule } = await import('./worker.module');
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
  app.get(Logger).log('qianqi worker started');
}

main().catch((err) => {
  // eslint-disable-next-line no-console
  console.error(`qianqi worker failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
