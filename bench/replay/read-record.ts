/**
 * The read alone: every batch of the record fetched as `npm run verify` fetches it (binary COPY,
 * two batches in flight), nothing checked. bench:replay runs it before the verification: how long
 * PostgreSQL and the wire take on this machine just now, the floor under the verifier's time.
 * Prints `{ seconds, streams }` as JSON.
 */
import { AuditStore, createDataSource } from '@qianqi/persistence';

async function main(url: string): Promise<void> {
  const ds = createDataSource({ url, poolSize: 3, applicationName: 'qianqi-bench-read' });
  await ds.initialize();
  try {
    const started = performance.now();
    let streams = 0;
    for await (const batch of new AuditStore(ds).streams({ batchSize: 1000 })) streams += batch.length;
    process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - started) / 1000, streams })}\n`);
  } finally {
    await ds.destroy();
  }
}

main(process.argv[2]).catch((err) => {
  console.error(err);
  process.exit(1);
});
