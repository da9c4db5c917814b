import { parseArgs } from 'node:util';
import { DefinitionRuntimes, verifyRecord, type RecordReport } from '@qianqi/audit';
import { loadConfig } from '@qianqi/config';
import { AuditStore, createDataSource } from '@qianqi/persistence';

/**
 * npm run verify [-- --procedure <id>] [--json] [--batch 1000] [--compose] [--database-url postgres://…]
 *
 * Verifies the record of DATABASE_URL: every hash and link, versions 1…n, replay against the
 * stored snapshot and read models. `--compose`: the texts PostgreSQL keeps for verification
 * (libs/persistence/src/stored-texts.ts) are not read even where the catalog vouches for them;
 * every text is composed from the columns as they are read (slower, and PostgreSQL works more).
 * Without it, batches that had to compose are counted and named on stderr: a stored text the
 * catalog no longer vouches for is itself worth an auditor's look.
 * Exit 0 when all is intact, 1 on any finding, 2 when it cannot run.
 */
const { values } = parseArgs({
  options: {
    procedure: { type: 'string' },
    json: { type: 'boolean', default: false },
    batch: { type: 'string', default: '1000' },
    'database-url': { type: 'string' },
    quiet: { type: 'boolean', default: false },
    compose: { type: 'boolean', default: false },
  },
});

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(0)} MB`;

async function main(): Promise<number> {
  const url = values['database-url'] ?? loadConfig().DATABASE_URL;
  const batchSize = Number(values.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('--batch must be a positive integer');
  const ds = createDataSource({ url, poolSize: 3, applicationName: 'qianqi-verify' });
  await ds.initialize();
  try {
    const store = new AuditStore(ds);
    const runtimes = DefinitionRuntimes.builtIn(await store.pinnedDefinitions());
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const rssSamples: number[] = [];
    let lastPrint = started;
    const report: RecordReport = await verifyRecord(
      store.streams({ procedureId: values.procedure, batchSize, compose: values.compose }),
      runtimes.lookup,
      {
        onBatch: (p) => {
          rssSamples.push(process.memoryUsage.rss());
          const now = performance.now();
          if (!values.quiet && !values.json && now - lastPrint > 2000) {
            lastPrint = now;
            const rate = Math.round(p.events / ((now - started) / 1000));
            process.stderr.write(
              `  … ${p.procedures} procedures, ${p.events} events (${rate} events/s), RSS ${mb(process.memoryUsage.rss())}\n`,
            );
          }
        },
      },
    );
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const peakRss = process.resourceUsage().maxRSS * 1024;
    const stats = {
      seconds: Number(seconds.toFixed(3)),
      eventsPerSecond: Math.round(report.events / seconds),
      cpuSeconds: Number(cpuSeconds.toFixed(3)),
      eventsPerCpuSecond: Math.round(report.events / cpuSeconds),
      peakRssBytes: peakRss,
      rssSamplesMb: sample(rssSamples, 8).map((b) => Math.round(b / 1_048_576)),
      transitions: runtimes.tables().map((t) => ({ definition: t.logic.ref, ...t.stats() })),
      // Batches that read the stored texts, and those that composed them (all of them with --compose).
      texts: store.texts,
    };
    const composed = (['events', 'snapshots'] as const).filter((t) => store.texts[t].composed > 0);
    if (composed.length && !values.compose) {
      process.stderr.write(
        composed
          .map(
            (t) =>
              `note: ${store.texts[t].composed} of ${store.texts[t].composed + store.texts[t].stored} batches composed ` +
              `their ${t === 'events' ? 'event' : 'snapshot'} texts: the stored ones are not as the migration made them ` +
              `(or the database is not in UTF-8, or temporary tables are not allowed); see docs/audit.md, "Stored texts"\n`,
          )
          .join(''),
      );
    }
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ ...report, stats })}\n`);
    } else {
      for (const f of report.failures) console.log(`${f.kind}  ${f.procedureId} v${f.version}  ${f.detail}`);
      if (report.failuresNotListed) console.log(`… and ${report.failuresNotListed} more`);
      console.log(
        `${report.ok ? 'OK' : 'FAILED'}: ${report.procedures} procedures, ${report.events} events verified in ${seconds.toFixed(2)} s ` +
          `(${stats.eventsPerSecond} events/s; ${stats.eventsPerCpuSecond} per CPU-second of this process; peak RSS ${mb(peakRss)}); ` +
          `${report.failures.length + (report.failuresNotListed ?? 0)} finding(s)`,
      );
    }
    return report.ok ? 0 : 1;
  } finally {
    await ds.destroy();
  }
}

function sample<T>(xs: T[], n: number): T[] {
  if (xs.length <= n) return xs;
  return Array.from({ length: n }, (_, i) => xs[Math.round((i * (xs.length - 1)) / (n - 1))]);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`verify: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
