/**
 * npm run bench:replay — bulk verification of the record at scale.
 *
 * 1. a database of its own (BENCH_DATABASE_URL, dropped and migrated each run);
 * 2. BENCH_PROCEDURES procedures (50,000) of about 20 events each (≈ 1 M events): BENCH_TEMPLATES
 *    histories (400) decided by the real decideCommand on the default catalogue, each written for
 *    many procedures with their own ids and times and hashed and chained by the domain's
 *    hashEvent, loaded with multi-row INSERT … unnest (snapshots and read models beside them),
 *    then VACUUM ANALYZE;
 * 3. the record read alone, as the verifier reads it, nothing checked (bench/replay/read-record.ts):
 *    PostgreSQL's floor on this machine just now;
 * 4. `scripts/verify.ts` over the whole record in a child process of its own (one Node thread;
 *    PostgreSQL serves it from two backends, a batch each): events/s, peak RSS and RSS along the run.
 *
 * BENCH_KEEP=1 reuses a database already loaded with the same number of procedures.
 * Knobs (env): BENCH_DATABASE_URL, BENCH_PROCEDURES, BENCH_TEMPLATES, BENCH_BATCH (verify batch, 1000).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { contentHash, DEFAULT_CATALOGUE, definitionRef, ProcedureLogic } from '@qianqi/workflows';
import { migrate } from '@qianqi/persistence';
import { insertBatch, type BenchProcedure } from './replay/bench-loader';
import { makeTemplate, prng } from './replay/stream-templates';

const env = process.env;
const DATABASE_URL = env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/qianqi_bench';
const PROCEDURES = Number(env.BENCH_PROCEDURES ?? 50_000);
const TEMPLATES = Number(env.BENCH_TEMPLATES ?? 400);
const BATCH = Number(env.BENCH_BATCH ?? 1000);
const KEEP = env.BENCH_KEEP === '1';
const LOAD_BATCH = 500;

const uuid = (n: number, kind: number) => {
  const h = n.toString(16).padStart(12, '0');
  // Spread over the key space, as random UUIDs are, so batches interleave with any other data.
  const spread = ((n * 2654435761) >>> 0).toString(16).padStart(8, '0');
  return `${spread}-${kind.toString(16).padStart(4, '0')}-4000-8000-${h}`;
};

async function resetDatabase(): Promise<void> {
  const admin = new URL(DATABASE_URL);
  const name = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await client.end();
  await migrate(DATABASE_URL);
}

async function load(): Promise<{ events: number; seconds: number }> {
  const started = performance.now();
  const logic = new ProcedureLogic(DEFAULT_CATALOGUE);
  const rnd = prng(42);
  const templates = Array.from({ length: TEMPLATES }, (_, t) =>
    makeTemplate(DEFAULT_CATALOGUE, logic, 1000 + t, 14 + Math.floor(rnd() * 13)),
  );
  const perTemplate = templates.reduce((n, t) => n + t.events.length, 0) / templates.length;
  console.log(
    `  ${TEMPLATES} histories decided by decideCommand, ${perTemplate.toFixed(1)} events each on average`,
  );

  const writers = await Promise.all(
    [0, 1].map(async () => {
      const c = new Client({ connectionString: DATABASE_URL });
      await c.connect();
      await c.query('SET synchronous_commit = off');
      return c;
    }),
  );
  await writers[0].query(
    `INSERT INTO definitions (ref, id, version, hash, content) VALUES ($1, $2, $3, $4, $5)`,
    [
      definitionRef(DEFAULT_CATALOGUE),
      DEFAULT_CATALOGUE.id,
      DEFAULT_CATALOGUE.version,
      contentHash(DEFAULT_CATALOGUE),
      JSON.stringify(DEFAULT_CATALOGUE),
    ],
  );
  let events = 0;
  let next = 0;
  const batchOf = (from: number): BenchProcedure[] =>
    Array.from({ length: Math.min(LOAD_BATCH, PROCEDURES - from) }, (_, k) => {
      const n = from + k;
      return {
        procedureId: uuid(n, 1),
        projectId: uuid(n, 2),
        code: `2026-330800-48-01-${String(n).padStart(6, '0')}`,
        template: templates[n % TEMPLATES],
        shift: Math.floor(rnd() * 365) * 86_400_000 + n * 1000,
      };
    });
  let done = 0;
  await Promise.all(
    writers.map(async (client) => {
      while (next < PROCEDURES) {
        const from = next;
        next += LOAD_BATCH;
        const batch = batchOf(from);
        const written = await insertBatch(client, logic, batch);
        events += written;
        const before = done;
        done += batch.length;
        if (Math.floor(done / 10_000) !== Math.floor(before / 10_000))
          process.stdout.write(`  … ${done} procedures loaded\n`);
      }
    }),
  );
  // As autovacuum would have long since: hint bits set, visibility map and statistics up to date
  // (else the first reads after a load write the pages they read).
  await writers[0].query('VACUUM ANALYZE');
  await Promise.all(writers.map((c) => c.end()));
  return { events, seconds: (performance.now() - started) / 1000 };
}

async function counts(): Promise<{ procedures: number; events: number } | null> {
  const client = new Client({ connectionString: DATABASE_URL });
  try {
    await client.connect();
  } catch {
    return null;
  }
  try {
    const { rows } = await client.query(
      `SELECT (SELECT count(*) FROM procedure_snapshots)::int AS procedures, (SELECT count(*) FROM events)::int AS events`,
    );
    return rows[0];
  } catch {
    return null;
  } finally {
    await client.end();
  }
}

/**
 * The record read as the verifier reads it, nothing checked, in a process of its own: on a
 * shared virtual machine the speed of both cores varies from hour to hour, and this floor tells
 * a slow machine from a slower verifier.
 */
function readAlone(root: string): number {
  const child = spawnSync(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      'bench/replay/read-record.ts',
      DATABASE_URL,
    ],
    { cwd: root, env: { ...env, TS_NODE_PROJECT: join(root, 'tsconfig.json') }, encoding: 'utf8' },
  );
  const line = child.stdout.trim().split('\n').pop() ?? '';
  try {
    return (JSON.parse(line) as { seconds: number }).seconds;
  } catch {
    throw new Error(`the read alone did not report (exit ${child.status}): ${child.stderr.slice(-2000)}`);
  }
}

async function main() {
  console.log(`bench:replay — ${PROCEDURES} procedures into ${DATABASE_URL.replace(/\/\/[^@]*@/, '//')}`);
  const existing = KEEP ? await counts() : null;
  if (existing && existing.procedures === PROCEDURES) {
    console.log(`  reusing ${existing.procedures} procedures, ${existing.events} events (BENCH_KEEP=1)`);
  } else {
    await resetDatabase();
    const loaded = await load();
    console.log(
      `  loaded ${loaded.events} events in ${loaded.seconds.toFixed(1)} s (${Math.round(loaded.events / loaded.seconds)} events/s)`,
    );
  }

  const root = join(__dirname, '..');
  const read = readAlone(root);
  const loadBefore = loadavg()[0];
  const child = spawnSync(
    process.execPath,
    [
      // A larger young generation: verifying allocates many short-lived objects per event.
      '--max-semi-space-size=64',
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      'scripts/verify.ts',
      '--json',
      '--batch',
      String(BATCH),
      '--database-url',
      DATABASE_URL,
    ],
    {
      cwd: root,
      env: { ...env, TS_NODE_PROJECT: join(root, 'tsconfig.json') },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const last = child.stdout.trim().split('\n').pop() ?? '';
  let report: {
    procedures: number;
    events: number;
    ok: boolean;
    failures: unknown[];
    stats: {
      seconds: number;
      eventsPerSecond: number;
      cpuSeconds: number;
      eventsPerCpuSecond: number;
      peakRssBytes: number;
      rssSamplesMb: number[];
      transitions: { definition: string; hits: number; misses: number; paths: number; values: number }[];
    };
  };
  try {
    report = JSON.parse(last);
  } catch {
    throw new Error(`verify did not report (exit ${child.status}): ${child.stderr.slice(-2000)}`);
  }
  const s = report.stats;
  const loadAverage = `${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after`;
  console.log('');
  console.log(
    `verified ${report.procedures} procedures, ${report.events} events: ${report.ok ? 'OK' : `${report.failures.length} FINDINGS`}`,
  );
  console.log(`  time            ${s.seconds.toFixed(2)} s`);
  console.log(`  events/s        ${s.eventsPerSecond}   (target ≥ 100,000 on one core)`);
  console.log(
    `  verifier CPU    ${s.cpuSeconds.toFixed(2)} s, ${s.eventsPerCpuSecond} events per CPU-second (one thread)`,
  );
  console.log(`  peak RSS        ${(s.peakRssBytes / 1_048_576).toFixed(0)} MB`);
  console.log(`  load average    ${loadAverage} (on ${cpus().length} CPUs: other processes share them)`);
  console.log(
    `  read alone      ${read.toFixed(2)} s (the same batches fetched, nothing checked: PostgreSQL's floor just now)`,
  );
  console.log(`  RSS along run   ${s.rssSamplesMb.join(' → ')} MB`);
  for (const t of s.transitions) {
    console.log(
      `  transitions     ${t.definition}: ${t.hits} from the table, ${t.misses} through XState (${t.paths} paths, ${t.values} state values)`,
    );
  }
  if (!report.ok) process.exitCode = 1;
}

main().catch((err) => {
  console.error(`bench:replay failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
