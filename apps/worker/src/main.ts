import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfig } from '@qianqi/config';
import { WorkerModule } from './worker.module';

/** The worker: an application context (no HTTP) running the BullMQ processors. */
async function main() {
  loadConfig();
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
