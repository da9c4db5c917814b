/**
 * The verifier's own cost per event, with PostgreSQL and the wire taken out: the first
 * `procedures` of a loaded bench database are read once (batches kept, `keep: true`), then
 * verified again and again in this process; each pass prints the CPU time per event. The first
 * pass also learns the transition table and warms the JIT; the later ones are the steady state.
 * For comparing two revisions of the verifier side by side (run each, alternated), where whole
 * runs of `npm run bench:replay` vary more with the machine than the change under test does.
 *
 *   npm run build && node --max-semi-space-size=64 dist/bench/replay/steady-state.js [url] [procedures] [passes]
 *
 * Defaults: the bench's database, 10,000 procedures, 6 passes. Not part of `npm test`.
 */
import { DefinitionRuntimes, verifyRecord, type StoredStream } from '@qianqi/audit';
import { AuditStore, createDataSource } from '@qianqi/persistence';

async function main(url: string, procedures: number, passes: number): Promise<void> {
  const ds = createDataSource({ url, poolSize: 3, applicationName: 'qianqi-bench-steady' });
  await ds.initialize();
  const store = new AuditStore(ds);
  const runtimes = DefinitionRuntimes.builtIn(await store.pinnedDefinitions());
  const batches: StoredStream[][] = [];
  let read = 0;
  for await (const batch of store.streams({ batchSize: 1000, keep: true })) {
    batches.push(batch);
    read += batch.length;
    if (read >= procedures) break;
  }
  await ds.destroy();
  async function* again() {
    for (const b of batches) yield b;
  }
  const perEvent: number[] = [];
  for (let pass = 0; pass < passes; pass++) {
    const cpu = process.cpuUsage();
    const report = await verifyRecord(again(), runtimes.lookup);
    const used = process.cpuUsage(cpu);
    if (!report.ok)
      throw new Error(`pass ${pass}: ${report.failures.length} finding(s); a bench record is intact`);
    const us = (used.user + used.system) / report.events;
    perEvent.push(us);
    console.log(`pass ${pass}: ${report.events} events, ${us.toFixed(2)} µs of CPU per event`);
  }
  const later = perEvent.slice(1).sort((a, b) => a - b);
  if (later.length)
    console.log(
      `steady state (passes 1-${passes - 1}): min ${later[0].toFixed(2)}, median ${later[later.length >> 1].toFixed(2)} µs per event`,
    );
}

const [url, procedures, passes] = process.argv.slice(2);
main(
  url ?? 'postgres://postgres@127.0.0.1:5432/qianqi_bench',
  Number(procedures ?? 10_000),
  Number(passes ?? 6),
).catch((err) => {
  console.error(err);
  process.exit(1);
});
