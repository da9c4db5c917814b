import 'reflect-metadata';
import cluster, { type Worker } from 'node:cluster';
import { loadConfig, type AppConfig } from '@qianqi/config';

/* eslint-disable no-console */

async function serve(config: AppConfig): Promise<void> {
  // Loaded here, so a cluster's supervising process does not load the whole application.
  const { createApi } = await import('./bootstrap');
  const app = await createApi();
  await app.listen(config.PORT, '0.0.0.0');
}

/**
 * API_WORKERS > 1: this process only supervises a node `cluster` of HTTP workers sharing the port
 * (each a full API with its own DB pool; the API is stateless, so any worker serves any request).
 * A worker that fails before it listens stops the whole API, as a single process would; one that
 * dies later is replaced. SIGTERM/SIGINT stop the workers (graceful Nest shutdown) and then this.
 */
function supervise(workers: number): void {
  const listening = new Set<number>();
  let stopping = false;
  let exitCode = 0;

  const alive = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
  const stop = (code: number) => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    const left = alive();
    if (!left.length) process.exit(exitCode);
    for (const w of left) w.process.kill('SIGTERM');
    setTimeout(() => {
      for (const w of alive()) w.process.kill('SIGKILL');
      process.exit(exitCode);
    }, 10_000).unref();
  };

  cluster.on('listening', (w) => listening.add(w.id));
  cluster.on('exit', (w, code, signal) => {
    const wasListening = listening.delete(w.id);
    if (stopping) {
      if (!alive().length) process.exit(exitCode);
    } else if (!wasListening) {
      console.error(
        `qianqi api: worker ${w.process.pid} exited before listening (${signal ?? code}); stopping`,
      );
      stop(1);
    } else {
      console.error(`qianqi api: worker ${w.process.pid} died (${signal ?? code}); starting another`);
      cluster.fork();
    }
  });
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  for (let i = 0; i < workers; i++) cluster.fork();
}

function main(): void {
  const config = loadConfig();
  if (config.API_WORKERS > 1 && cluster.isPrimary) {
    supervise(config.API_WORKERS);
    return;
  }
  serve(config).catch((err) => {
    console.error(`qianqi api failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}

try {
  main();
} catch (err) {
  console.error(`qianqi api failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
