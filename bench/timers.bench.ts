/**
 * npm run bench:timers — timers at scale: PostgreSQL holds every deadline, Redis only the horizon.
 *
 * 1. a database of its own (qianqi_bench_timers, dropped, created and migrated each run), a BullMQ
 *    prefix of its own (qbench) on the shared Redis, and BENCH_WORKERS real worker processes
 *    (apps/worker/src/main.ts, CLOCK_MODE=system) started as children;
 * 2. registers BENCH_BATCH real projects through RegisterProjectUseCase (their procedures, events,
 *    items and timers, as POST /projects does);
 * 3. arms BENCH_TIMERS deadlines spread over the next BENCH_DAYS days with the engine's own timer
 *    upsert (jsonb_to_recordset … ON CONFLICT (procedure_id, target, kind)), in batches from several
 *    connections, then runs the scheduler (TimerQueue.schedule()) that moves the due-soon ones in;
 * 4. Redis memory with them armed: INFO used_memory after minus before (the Redis is shared, so
 *    also the sum of MEMORY USAGE over this prefix's keys), and bytes per delayed job;
 * 5. lateness: the batch of real projects' PROJECT_START timers all fall due at one instant a few
 *    seconds ahead (their planned start date moved to yesterday, so each fire is a real tick: the
 *    project turns red, 应开工未开工, an event is appended); the workers fire them. Lateness = when
 *    the handler's transaction committed minus due_at, taken by two instrumentation triggers on
 *    `timers` in the bench's own database (clock_timestamp() at the "mark fired" UPDATE and, from
 *    a deferred constraint trigger, at COMMIT); with the CPU each component used per timer;
 * 6. the queue's floor: BATCH timers enqueued for one instant and then moved by "a command" (a
 *    version bump), so each handler only re-reads and finds its job stale;
 * 7. recovery: BENCH_RECOVER timers are staged within the horizon, the prefix's keys are deleted
 *    (a FLUSHALL of this prefix only: SCAN + UNLINK — never FLUSHALL, the Redis is shared), and
 *    (a) TimerQueue.reconcile() is called directly and timed, (b) after a second flush, the time is
 *    taken until the workers' own repeatable reconciler job has every armed timer within the
 *    horizon back in Redis.
 * Then it stops the workers, deletes the prefix's keys and drops the database (BENCH_KEEP_DB=1 keeps it).
 *
 * Knobs (env): BENCH_DATABASE_URL, BENCH_QUEUE_PREFIX (qbench), REDIS_URL, BENCH_TIMERS (1000000),
 * BENCH_DAYS (60), BENCH_BATCH (10000), BENCH_RECOVER (10000), BENCH_WORKERS (2),
 * BENCH_ARM_CHUNK (10000 rows per statement), BENCH_ARM_CLIENTS (3), BENCH_LEAD_MS (15000),
 * BENCH_REGISTER_CLIENTS (24), BENCH_TIMEOUT_S (260), BENCH_KEEP_DB, BENCH_DEBUG,
 * BENCH_WORKER_NODE_ARGS (node flags for the workers beyond npm start's own, e.g. "--cpu-prof"),
 * TIMER_HORIZON_SECONDS (600), TIMER_RECONCILE_EVERY_MS (30000), DB_POOL_SIZE (per worker, 20),
 * LOG_LEVEL (warn). A compiled run (npm run build; node dist/bench/timers.bench.js) starts the
 * compiled worker; the npm script runs everything through ts-node.
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { NODE_ARGS } from '../scripts/start/node-args';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Redis from 'ioredis';
import { Client, Pool } from 'pg';
import { EngineModule, RegisterProjectUseCase } from '@qianqi/engine';
import { DataSource, migrate, TimerStore } from '@qianqi/persistence';
import { QueueModule, TIMER_QUEUE, TimerQueue, timerJobId } from '@qianqi/queue';
import { BUILT_IN_DEFINITIONS } from '@qianqi/workflows';

const env = process.env;
const num = (name: string, dflt: number) => (env[name] ? Number(env[name]) : dflt);

const DATABASE_URL = env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/qianqi_bench_timers';
const REDIS_URL = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = env.BENCH_QUEUE_PREFIX ?? 'qbench';
const TIMERS = num('BENCH_TIMERS', 1_000_000);
const DAYS = num('BENCH_DAYS', 60);
const BATCH = num('BENCH_BATCH', 10_000);
const RECOVER = num('BENCH_RECOVER', 10_000);
const WORKERS = num('BENCH_WORKERS', 2);
const ARM_CHUNK = num('BENCH_ARM_CHUNK', 10_000);
const ARM_CLIENTS = num('BENCH_ARM_CLIENTS', 3);
const REGISTER_CLIENTS = num('BENCH_REGISTER_CLIENTS', 24);
const LEAD_MS = num('BENCH_LEAD_MS', 15_000);
const TIMEOUT_S = num('BENCH_TIMEOUT_S', 260);
/** Seconds left of the bench's time limit (the optional phases are skipped when it runs short). */
const remainingS = () => TIMEOUT_S - (Date.now() - t0) / 1000;
const HORIZON_S = num('TIMER_HORIZON_SECONDS', 600);
const RECONCILE_EVERY_MS = num('TIMER_RECONCILE_EVERY_MS', 30_000);
const WORKER_POOL = num('DB_POOL_SIZE', 20);
const LOG_LEVEL = env.LOG_LEVEL ?? 'warn';
const KEEP_DB = env.BENCH_KEEP_DB === '1';
const ORG = 'bench-org';

if (!/^[A-Za-z0-9_-]+$/.test(PREFIX))
  throw new Error(`BENCH_QUEUE_PREFIX must be letters, digits, - or _ (got ${PREFIX})`);
if (PREFIX === 'qianqi') throw new Error('BENCH_QUEUE_PREFIX must not be the application prefix qianqi');

// The in-process engine (registration, scheduler, reconciler) reads the same configuration as the workers.
Object.assign(env, {
  DATABASE_URL,
  REDIS_URL,
  QUEUE_PREFIX: PREFIX,
  CLOCK_MODE: 'system',
  TIMER_HORIZON_SECONDS: String(HORIZON_S),
  TIMER_RECONCILE_EVERY_MS: String(RECONCILE_EVERY_MS),
  DB_POOL_SIZE: String(REGISTER_CLIENTS),
  LOG_LEVEL,
});

/** The repository root: the nearest folder with package.json above this file (bench/ or dist/bench/). */
const ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();
const COMPILED = __filename.endsWith('.js');

/* ------------------------------------------------------------------ output */

const t0 = Date.now();
function log(msg: string): void {
  console.log(`[bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}`);
}

function percentile(sorted: Float64Array, p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const sec = (msv: number) => `${(msv / 1000).toFixed(2)} s`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const int = (n: number) => n.toLocaleString('en-US');
const sleep = (msv: number) => new Promise((r) => setTimeout(r, msv));

const results: Record<string, string> = {};
function result(key: string, value: string): void {
  results[key] = value;
  log(`=> ${key}: ${value}`);
}

/** Busy share of the whole machine between two samples of /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = line[3] + (line[4] ?? 0);
  return { busy: line.reduce((a, b) => a + b, 0) - idle, total: line.reduce((a, b) => a + b, 0) };
}
function busyShare(a: { busy: number; total: number }, b: { busy: number; total: number }): string {
  return `${(((b.busy - a.busy) / Math.max(1, b.total - a.total)) * 100).toFixed(0)}% of ${cpus().length} cores busy`;
}

/** CPU seconds (user + system) of processes, from /proc/<pid>/stat; 0 for one that is gone. */
function procCpu(pid: number): number {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** A process and its descendants that are alive now. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(root);
  return out;
}

interface CpuSnapshot {
  at: number;
  machine: { busy: number; total: number };
  workers: Map<number, number>;
  postgres: Map<number, number>;
  redis: number;
  bench: number;
}

/** Who used the CPU: the workers, this database's PostgreSQL backends, Redis (whole server), the bench. */
async function cpuSnapshot(): Promise<CpuSnapshot> {
  const pg = await pool!.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`);
  const info = await redis.info('cpu');
  const field = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  const u = process.cpuUsage();
  return {
    at: performance.now(),
    machine: machineTicks(),
    workers: new Map(
      workers.flatMap((w) => (w.child.pid ? processTree(w.child.pid) : [])).map((p) => [p, procCpu(p)]),
    ),
    postgres: new Map(pg.rows.map((r: { pid: number }) => [r.pid, procCpu(r.pid)])),
    redis: field('used_cpu_user') + field('used_cpu_sys'),
    bench: (u.user + u.system) / 1e6,
  };
}

function cpuSplit(a: CpuSnapshot, b: CpuSnapshot, n: number): string {
  const delta = (x: Map<number, number>, y: Map<number, number>) =>
    [...y].reduce((s, [pid, v]) => s + v - (x.get(pid) ?? 0), 0);
  const per = (secs: number) => `${((secs / Math.max(1, n)) * 1000).toFixed(2)} ms`;
  const wall = (b.at - a.at) / 1000;
  const machineBusy =
    ((b.machine.busy - a.machine.busy) / Math.max(1, b.machine.total - a.machine.total)) *
    cpus().length *
    wall;
  const w = delta(a.workers, b.workers);
  const pg = delta(a.postgres, b.postgres);
  const rd = b.redis - a.redis;
  const bench = b.bench - a.bench;
  return (
    `CPU per timer: workers ${per(w)}, PostgreSQL backends ${per(pg)}, Redis ${per(rd)}, bench poller ${per(bench)}; ` +
    `other processes on the box ${per(Math.max(0, machineBusy - w - pg - rd - bench))} (${busyShare(a.machine, b.machine)}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`
  );
}

/* ------------------------------------------------------------------ Redis: only this prefix */

const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: true });

/** Every key of this prefix (SCAN, never KEYS). */
async function prefixKeys(): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 5000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

/** The bench's FLUSHALL: deletes this prefix's keys only (SCAN + UNLINK); the Redis is shared. */
async function flushPrefix(): Promise<number> {
  const keys = await prefixKeys();
  for (let i = 0; i < keys.length; i += 1000) await redis.unlink(...keys.slice(i, i + 1000));
  return keys.length;
}

async function usedMemory(): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

/** Sum of MEMORY USAGE over this prefix's keys (exact for aggregates: SAMPLES 0). */
async function prefixMemory(): Promise<{ keys: number; bytes: number }> {
  const keys = await prefixKeys();
  let bytes = 0;
  for (let i = 0; i < keys.length; i += 1000) {
    const p = redis.pipeline();
    for (const k of keys.slice(i, i + 1000)) p.memory('USAGE', k, 'SAMPLES', '0');
    for (const [, v] of (await p.exec()) ?? []) bytes += Number(v ?? 0);
  }
  return { keys: keys.length, bytes };
}

/* ------------------------------------------------------------------ database */

async function prepareDatabase(): Promise<void> {
  const admin = new URL(DATABASE_URL);
  const name = decodeURIComponent(admin.pathname.slice(1));
  if (!/^qianqi_bench/.test(name))
    throw new Error(`refusing to drop ${name}: the bench database must be named qianqi_bench*`);
  admin.pathname = '/postgres';
  const c = new Client({ connectionString: admin.toString() });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await c.end();
  }
  await migrate(DATABASE_URL);
  // Instrumentation of the bench's own database (not a migration): when each timer's handler
  // marked it fired (clock_timestamp() in the statement) and when that transaction committed
  // (a deferred constraint trigger runs at COMMIT). Rolled-back attempts leave no row.
  const c2 = new Client({ connectionString: DATABASE_URL });
  await c2.connect();
  try {
    await c2.query(`
      CREATE UNLOGGED TABLE bench_fired (timer_id uuid NOT NULL, version integer NOT NULL, started_at timestamptz, committed_at timestamptz);
      CREATE FUNCTION bench_fired_start() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO bench_fired (timer_id, version, started_at) VALUES (NEW.id, NEW.version, clock_timestamp());
        RETURN NULL;
      END $$;
      CREATE FUNCTION bench_fired_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE bench_fired SET committed_at = clock_timestamp() WHERE timer_id = NEW.id AND version = NEW.version;
        RETURN NULL;
      END $$;
      CREATE TRIGGER bench_fired_start AFTER UPDATE ON timers FOR EACH ROW
        WHEN (OLD.status = 'armed' AND NEW.status = 'fired') EXECUTE FUNCTION bench_fired_start();
      CREATE CONSTRAINT TRIGGER bench_fired_commit AFTER UPDATE ON timers DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
        WHEN (OLD.status = 'armed' AND NEW.status = 'fired') EXECUTE FUNCTION bench_fired_commit();
      CREATE INDEX bench_fired_idx ON bench_fired (timer_id, version);
    `);
  } finally {
    await c2.end();
  }
}

async function dropDatabase(): Promise<void> {
  const admin = new URL(DATABASE_URL);
  const name = decodeURIComponent(admin.pathname.slice(1));
  if (!/^qianqi_bench/.test(name)) return;
  admin.pathname = '/postgres';
  const c = new Client({ connectionString: admin.toString() });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

/* ------------------------------------------------------------------ worker processes */

interface WorkerProc {
  child: ChildProcess;
  output: string;
  ready: Promise<void>;
}
const workers: WorkerProc[] = [];
let stopping = false;

function workerCommand(): string[] {
  const compiled = [join(ROOT, 'dist/apps/worker/src/main.js'), join(ROOT, 'dist/apps/worker/main.js')].find(
    (p) => existsSync(p),
  );
  if (COMPILED && compiled) return [compiled];
  return [
    '-r',
    'ts-node/register/transpile-only',
    '-r',
    'tsconfig-paths/register',
    join(ROOT, 'apps/worker/src/main.ts'),
  ];
}

function startWorker(i: number): WorkerProc {
  // The flags npm start gives the worker, then any of the bench's own.
  const nodeArgs = [
    ...NODE_ARGS,
    ...(env.BENCH_WORKER_NODE_ARGS ? env.BENCH_WORKER_NODE_ARGS.split(' ') : []),
  ];
  const child = spawn(process.execPath, [...nodeArgs, ...workerCommand()], {
    cwd: ROOT,
    detached: true, // its own process group, so nothing it starts outlives the bench
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...env,
      NODE_ENV: 'production',
      JWT_SECRET: `bench-${randomUUID()}`,
      DATABASE_URL,
      REDIS_URL,
      QUEUE_PREFIX: PREFIX,
      CLOCK_MODE: 'system',
      LOG_LEVEL: 'info',
      DB_POOL_SIZE: String(WORKER_POOL),
      TS_NODE_TRANSPILE_ONLY: '1',
    },
  });
  const w: WorkerProc = { child, output: '', ready: Promise.resolve() };
  w.ready = new Promise((resolve, reject) => {
    const keep = (b: Buffer) => {
      w.output = (w.output + b.toString()).slice(-20_000);
      if (w.output.includes('qianqi worker started')) resolve();
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.on('exit', (code, signal) => {
      reject(new Error(`worker ${i} exited (code ${code}, signal ${signal})`));
      if (!stopping) {
        log(`worker ${i} exited unexpectedly (code ${code}, signal ${signal}); its output:\n${w.output}`);
        void shutdown(1);
      }
    });
  });
  w.ready.catch(() => undefined);
  return w;
}

async function stopWorkers(): Promise<void> {
  stopping = true;
  await Promise.all(
    workers.map(async (w) => {
      const pid = w.child.pid;
      if (!pid || w.child.exitCode !== null || w.child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => w.child.once('exit', () => resolve()));
      try {
        process.kill(-pid, 'SIGTERM'); // graceful: the worker finishes the job in hand
      } catch {
        /* already gone */
      }
      const force = setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 5_000);
      await exited;
      clearTimeout(force);
    }),
  );
}

function killWorkersNow(): void {
  for (const w of workers) {
    try {
      if (w.child.pid) process.kill(-w.child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
process.on('exit', killWorkersNow);

/* ------------------------------------------------------------------ the in-process engine */

/** The engine in this process, as the API has it: registration, the scheduler and reconciler. */
@Module({ imports: [EngineModule, QueueModule] })
class BenchModule {}

type Engine = Awaited<ReturnType<typeof bootEngine>>;

async function bootEngine() {
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
  await app.init();
  return {
    app,
    register: app.get(RegisterProjectUseCase),
    timerQueue: app.get(TimerQueue),
    timerStore: app.get(TimerStore),
    ds: app.get(DataSource),
    timerJobId,
    TIMER_QUEUE,
    itemKeys: BUILT_IN_DEFINITIONS[0].items.map((i) => i.key),
  };
}

let engineRef: Engine | null = null;
let bytesPerJob = NaN;
let pool: Pool | null = null;

/* ------------------------------------------------------------------ phases */

/** Runs `fn` over `items` with `n` at a time. */
async function parallel<T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        await fn(items[i], i);
      }
    }),
  );
}

/** Registers the projects whose timers the lateness phase fires: the engine's own use case. */
async function registerProjects(e: Engine): Promise<string[]> {
  const started = performance.now();
  const actor = { id: 'bench-applicant', name: 'bench', role: 'applicant' as const, org: ORG };
  const procedureIds: string[] = new Array(BATCH);
  const modes = ['approval', 'verification', 'filing'] as const;
  await parallel(
    Array.from({ length: BATCH }, (_, i) => i),
    REGISTER_CLIENTS,
    async (i) => {
      const r = await e.register.execute(
        {
          code: `2025-330800-48-01-${String(i).padStart(6, '0')}`,
          name: `基准项目 ${i}`,
          approvalMode: modes[i % 3],
          region: '330800',
          ownerOrg: ORG,
          plannedStartDate: '2027-06-30',
          leader: 'leader-bench',
        },
        { actor, requestId: null },
      );
      procedureIds[i] = r.procedureId;
    },
  );
  const took = performance.now() - started;
  log(
    `registered ${int(BATCH)} projects through RegisterProjectUseCase in ${sec(took)} (${int(Math.round((BATCH / took) * 1000))}/s)`,
  );
  return procedureIds;
}

/** The first instant after `from` at which a working day ends in Asia/Shanghai (00:00 +08 = 16:00Z). */
function nextDayEnd(from: number): number {
  const d = new Date(from);
  let t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 16, 0, 0, 0);
  while (t <= from) t += 86_400_000;
  return t;
}

/**
 * Arms TIMERS deadlines over the next DAYS days. Shape: synthetic procedures (10 timers each,
 * like a catalogue's items): 7 ITEM_LIGHT at arbitrary instants (light thresholds fall anywhere),
 * 2 COMMITMENT_DUE and 1 PROJECT_START at the end of a day (00:00 +08), as due dates do. The
 * statement is the engine's timer upsert (ProcedureStore.refresh/append), across procedures.
 */
async function armDeadlines(e: Engine): Promise<{ took: number; armed: number }> {
  const now = Date.now();
  const span = DAYS * 86_400_000;
  // The day-end clusters start after the first hour, so the lateness batch is the only cluster the workers meet.
  const firstDayEnd = nextDayEnd(now + 3_600_000);
  const perProcedure = 10;
  const procedures = Math.ceil(TIMERS / perProcedure);
  const items = e.itemKeys;
  let seed = 42;
  const rand = () => {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const chunks: number[] = [];
  for (let p = 0; p < procedures; p += ARM_CHUNK / perProcedure) chunks.push(p);
  const sql = `
    INSERT INTO timers AS tm (kind, procedure_id, target, due_at, status, provisional, updated_at)
    SELECT x.kind, x.procedure_id, x.target, x.due_at, CASE WHEN x.due_at IS NULL THEN 'cancelled' ELSE 'armed' END, x.provisional, now()
      FROM jsonb_to_recordset($1::jsonb) AS x(kind text, procedure_id uuid, target text, due_at timestamptz, provisional boolean)
    ON CONFLICT (procedure_id, target, kind) DO UPDATE
       SET due_at = EXCLUDED.due_at, status = EXCLUDED.status, provisional = EXCLUDED.provisional,
           version = tm.version + 1, updated_at = now()
     WHERE tm.due_at IS DISTINCT FROM EXCLUDED.due_at OR tm.status <> EXCLUDED.status OR tm.provisional <> EXCLUDED.provisional
    RETURNING id, version, due_at, status`;
  let armed = 0;
  const a = machineTicks();
  const started = performance.now();
  await parallel(chunks, ARM_CLIENTS, async (first) => {
    const rows: unknown[] = [];
    for (let p = first; p < Math.min(procedures, first + ARM_CHUNK / perProcedure); p++) {
      const procedureId = randomUUID();
      for (let k = 0; k < perProcedure && p * perProcedure + k < TIMERS; k++) {
        let kind: string;
        let target: string;
        let due: number;
        if (k < 7) {
          kind = 'ITEM_LIGHT';
          target = `item:${items[k % items.length]}`;
          due = now + rand() * span;
        } else if (k < 9) {
          kind = 'COMMITMENT_DUE';
          target = `item:${items[(k + p) % items.length]}`;
          due = firstDayEnd + Math.floor(rand() * DAYS) * 86_400_000;
        } else {
          kind = 'PROJECT_START';
          target = 'project';
          due = firstDayEnd + Math.floor(rand() * DAYS) * 86_400_000;
        }
        rows.push({
          kind,
          procedure_id: procedureId,
          target,
          due_at: new Date(due).toISOString(),
          provisional: false,
        });
      }
    }
    const returned = await pool!.query(sql, [JSON.stringify(rows)]);
    armed += returned.rows.length;
  });
  const took = performance.now() - started;
  log(
    `armed ${int(armed)} timers in ${sec(took)} (${int(Math.round((armed / took) * 1000))}/s; ${ARM_CLIENTS} connections, ` +
      `${int(ARM_CHUNK)} rows per statement; ${busyShare(a, machineTicks())})`,
  );
  return { took, armed };
}

/** Armed timers within the horizon right now, and which of them Redis holds. */
async function horizonCoverage(e: Engine): Promise<{ due: number; present: number }> {
  const until = new Date(Date.now() + HORIZON_S * 1000).toISOString();
  const rows: { id: string; version: number }[] = await pool!
    .query(`SELECT id, version FROM timers WHERE status = 'armed' AND due_at < $1`, [until])
    .then((r) => r.rows);
  let present = 0;
  for (let i = 0; i < rows.length; i += 5000) {
    const p = redis.pipeline();
    for (const t of rows.slice(i, i + 5000))
      p.exists(`${PREFIX}:${e.TIMER_QUEUE}:${e.timerJobId(t.id, t.version)}`);
    for (const [, v] of (await p.exec()) ?? []) present += Number(v);
  }
  return { due: rows.length, present };
}

/** The worst window of the horizon's length over the armed timers: what Redis would hold at the peak. */
async function worstWindow(): Promise<{ count: number; at: string }> {
  const r = await pool!.query(
    `SELECT count(*)::int AS n, min(w) AS at FROM (
       SELECT date_bin(make_interval(secs => $1), due_at, timestamptz '2000-01-01') AS w FROM timers WHERE status = 'armed') b
     GROUP BY w ORDER BY n DESC LIMIT 1`,
    [HORIZON_S],
  );
  // Binned windows can split a cluster; day-end clusters sit on one instant, so the bin holds them whole.
  return { count: r.rows[0]?.n ?? 0, at: r.rows[0] ? new Date(r.rows[0].at).toISOString() : '-' };
}

/** Shanghai's calendar date of an instant, as YYYY-MM-DD. */
function shanghaiDate(at: number): string {
  return new Date(at + 8 * 3_600_000).toISOString().slice(0, 10);
}

async function lateness(e: Engine, procedureIds: string[]): Promise<void> {
  const due = Date.now() + LEAD_MS;
  const dueIso = new Date(due).toISOString();
  // The day the plan said construction would start has passed: at `due` the project turns red.
  await pool!.query(
    `UPDATE projects SET planned_start_date = $2::date WHERE procedure_id = ANY($1::uuid[])`,
    [procedureIds, shanghaiDate(Date.now() - 86_400_000)],
  );
  const moved = await pool!.query(
    `UPDATE timers SET due_at = $2, version = version + 1, updated_at = now()
      WHERE procedure_id = ANY($1::uuid[]) AND kind = 'PROJECT_START' AND status = 'armed' RETURNING id`,
    [procedureIds, dueIso],
  );
  const ids: string[] = moved.rows.map((r: { id: string }) => r.id);
  const memBefore = await usedMemory();
  const keysBefore = await prefixMemory();
  const s0 = performance.now();
  const scheduled = await e.timerQueue.schedule();
  const schedTook = performance.now() - s0;
  const memAfter = await usedMemory();
  const keysAfter = await prefixMemory();
  log(
    `batch: ${int(ids.length)} PROJECT_START timers due at ${dueIso}; scheduler run moved ${int(scheduled)} into Redis in ${sec(schedTook)}`,
  );
  bytesPerJob = (keysAfter.bytes - keysBefore.bytes) / Math.max(1, scheduled);
  result(
    `Redis bytes per delayed job (${int(scheduled)} added)`,
    `${int(Math.round((memAfter - memBefore) / Math.max(1, scheduled)))} B by INFO used_memory delta, ` +
      `${int(Math.round((keysAfter.bytes - keysBefore.bytes) / Math.max(1, scheduled)))} B by MEMORY USAGE of the prefix's keys`,
  );
  if (Date.now() > due - 500)
    log(
      `warning: the batch was in Redis only ${due - Date.now()} ms before it fell due (the machine is slow: raise BENCH_LEAD_MS)`,
    );

  // Wait for the batch, cheaply (the trigger table is small): the timings come from the triggers.
  // CPU is counted from the due instant on, so the idle lead does not count as the batch's.
  await sleep(Math.max(0, due - Date.now()));
  const a = await cpuSnapshot();
  const deadline = due + Math.min(120_000, Math.max(10_000, (remainingS() - 40) * 1000));
  let done = 0;
  while (Date.now() < deadline) {
    await sleep(250);
    const r = await pool!.query(
      `SELECT count(*)::int AS n FROM bench_fired WHERE committed_at IS NOT NULL AND timer_id = ANY($1::uuid[])`,
      [ids],
    );
    done = r.rows[0].n;
    if (done >= ids.length) break;
  }
  const cpu = cpuSplit(a, await cpuSnapshot(), ids.length);
  if (done < ids.length)
    log(`warning: only ${int(done)} of ${int(ids.length)} fired by ${sec(deadline - due)} after due`);

  // When each handler ran: the instrumentation triggers' clock_timestamp() at the handler's
  // "mark fired" statement (start) and at its COMMIT (end).
  const r = await pool!.query(
    `SELECT extract(epoch FROM (f.started_at - $2::timestamptz)) * 1000 AS started,
            extract(epoch FROM (f.committed_at - $2::timestamptz)) * 1000 AS committed
       FROM bench_fired f WHERE f.timer_id = ANY($1::uuid[])`,
    [ids, dueIso],
  );
  const started = Float64Array.from(r.rows.map((x: { started: string }) => Number(x.started))).sort();
  const late = Float64Array.from(r.rows.map((x: { committed: string }) => Number(x.committed))).sort();
  const events = await pool!.query(
    `SELECT count(*)::int AS n FROM events WHERE stream_id = ANY($1::uuid[]) AND type = 'ProjectLightChanged'`,
    [procedureIds],
  );
  const red = await pool!.query(
    `SELECT count(*)::int AS n FROM projects WHERE procedure_id = ANY($1::uuid[]) AND light = 'red'`,
    [procedureIds],
  );
  const drain = (late[late.length - 1] - Math.max(0, started[0])) / 1000;
  log(
    `fired ${int(late.length)}: ${int(events.rows[0].n)} ProjectLightChanged events appended, ${int(red.rows[0].n)} projects red; ` +
      `drained at ${int(Math.round(late.length / Math.max(0.001, drain)))} timers/s; ${cpu}`,
  );
  result(
    `lateness of ${int(ids.length)} timers due at one instant (handler committed − due_at)`,
    `p50 ${sec(percentile(late, 50))}, p99 ${sec(percentile(late, 99))}, max ${sec(late[late.length - 1])}` +
      ` (handler started: min ${sec(started[0])}, p50 ${sec(percentile(started, 50))}, p99 ${sec(percentile(started, 99))})`,
  );
}

/**
 * The queue's floor: BATCH timers enqueued for one instant, then moved by "a command" (version
 * bumped, due a month later) before they fall due — each job is delivered, its handler re-reads the
 * timer, finds the version stale and writes nothing. What BullMQ and the re-read cost alone.
 */
async function staleFloor(e: Engine): Promise<void> {
  const due = Date.now() + LEAD_MS;
  const moved = await pool!.query(
    `UPDATE timers t SET due_at = $1, version = t.version + 1, updated_at = now()
       FROM (SELECT id FROM timers WHERE status = 'armed' AND kind = 'ITEM_LIGHT' AND due_at > now() + interval '2 days' LIMIT $2) s
      WHERE t.id = s.id RETURNING t.id, t.version`,
    [new Date(due).toISOString(), BATCH],
  );
  await e.timerQueue.schedule();
  await pool!.query(
    `UPDATE timers SET due_at = due_at + interval '30 days', version = version + 1 WHERE id = ANY($1::uuid[])`,
    [moved.rows.map((r: { id: string }) => r.id)],
  );
  const total = moved.rows.length;
  // Jobs of this batch not done yet: still delayed (score = due time × 0x1000 + n), waiting or
  // active. O(1) reads, so polling every 20 ms costs next to nothing (other jobs of the prefix in
  // the wait/active lists are the few synthetic timers falling due meanwhile).
  const q = `${PREFIX}:${e.TIMER_QUEUE}`;
  const remaining = async () => {
    const r = (await redis
      .multi()
      .zcount(`${q}:delayed`, due * 0x1000, (due + 60_000) * 0x1000)
      .llen(`${q}:wait`)
      .llen(`${q}:active`)
      .zcard(`${q}:prioritized`)
      .exec())!;
    return r.reduce((sum, [, v]) => sum + Number(v), 0);
  };
  await sleep(Math.max(0, due - 100 - Date.now()));
  const a = await cpuSnapshot();
  const curve: { at: number; left: number }[] = [];
  let stableSince = Date.now();
  for (;;) {
    const left = await remaining();
    const now = Date.now();
    if (curve.length && curve[curve.length - 1].left !== left) stableSince = now;
    curve.push({ at: now, left });
    // Done when nothing is left, or what is left has not moved for 2 s after the due time
    // (then it is other jobs of the prefix, not this batch).
    if (left === 0 || now - Math.max(stableSince, due) > 2000 || now > due + 60_000) break;
    await sleep(now < due - 200 ? 100 : 20);
  }
  const residual = curve[curve.length - 1].left;
  if (env.BENCH_DEBUG) log(`curve: ${curve.map((c) => `${c.at - due}:${c.left}`).join(' ')}`);
  const doneAt = (share: number) =>
    (curve.find((c) => c.left - residual <= total - Math.ceil(share * total))?.at ?? NaN) - due;
  const cpu = cpuSplit(a, await cpuSnapshot(), total);
  const all = doneAt(1);
  log(`stale batch: ${int(total)} jobs done (${residual} other jobs of the prefix pending); ${cpu}`);
  result(
    `queue floor: ${int(total)} stale timers due at one instant (the handler re-reads, writes nothing); job done − due_at, polled every 20 ms`,
    `p50 ${sec(doneAt(0.5))}, p99 ${sec(doneAt(0.99))}, all ${sec(all)} (${int(Math.round(total / Math.max(0.001, all / 1000)))} jobs/s)`,
  );
}

/** Moves RECOVER synthetic timers to fall due between 2 and 9 minutes from now and schedules them. */
async function stageHorizon(e: Engine): Promise<void> {
  const from = Date.now() + 120_000;
  const span = Math.max(10_000, Math.min(HORIZON_S * 1000 - 180_000, 420_000));
  await pool!.query(
    `UPDATE timers t SET due_at = $1::timestamptz + (random() * $2) * interval '1 millisecond', version = version + 1, updated_at = now()
       FROM (SELECT id FROM timers WHERE status = 'armed' AND kind = 'ITEM_LIGHT' AND due_at > now() + interval '1 day' LIMIT $3) s
      WHERE t.id = s.id`,
    [new Date(from).toISOString(), span, RECOVER],
  );
  const moved = await e.timerQueue.schedule();
  log(
    `staged ${int(RECOVER)} more timers due 2–9 min from now (a day-end cluster coming into the horizon); scheduler moved ${int(moved)}`,
  );
}

async function recovery(e: Engine): Promise<void> {
  await stageHorizon(e);
  const before = await horizonCoverage(e);
  log(`within the horizon: ${int(before.due)} armed, ${int(before.present)} in Redis`);

  // (a) the reconciler's work alone: reconcile() called directly, right after the flush, with the
  //     queue paused so the workers' own reconciler (re-declared by their watchdog) does not race it.
  let deleted = await flushPrefix();
  await e.timerQueue.queue.pause();
  const a0 = performance.now();
  const rearmed = await e.timerQueue.reconcile();
  const direct = performance.now() - a0;
  await e.timerQueue.queue.resume();
  const afterDirect = await horizonCoverage(e);
  log(
    `simulated FLUSHALL: UNLINKed ${int(deleted)} keys of prefix ${PREFIX}: (SCAN + UNLINK, never FLUSHALL: the Redis is shared)`,
  );
  result(
    'recovery, reconcile() called directly after the flush (queue paused meanwhile)',
    `${sec(direct)} to re-add ${int(rearmed)} timers; ${int(afterDirect.present)} of ${int(afterDirect.due)} within the horizon back`,
  );

  // (b) end to end: nobody helps; the workers' watchdog re-declares the repeatable jobs the flush
  //     deleted, and their reconciler job re-adds what Redis lost.
  await sleep(1000);
  deleted = await flushPrefix();
  const flushedAt = Date.now();
  log(`simulated FLUSHALL again (${int(deleted)} keys UNLINKed); waiting for the workers' reconciler job`);
  let cov = await horizonCoverage(e);
  const waitUntil = flushedAt + Math.min(90_000, Math.max(10_000, (remainingS() - 15) * 1000));
  while (cov.present < cov.due && Date.now() < waitUntil) {
    await sleep(250);
    cov = await horizonCoverage(e);
  }
  const took = Date.now() - flushedAt;
  result(
    "recovery, by the workers' own repeatable reconciler job",
    cov.present >= cov.due
      ? `${sec(took)} until all ${int(cov.due)} armed timers within the horizon were back in Redis (poll every 250 ms; ` +
          `watchdog re-declares the job schedulers every 5 s, reconciler every ${RECONCILE_EVERY_MS / 1000} s)`
      : `not complete after ${sec(took)}: ${int(cov.present)} of ${int(cov.due)} back`,
  );
}

/* ------------------------------------------------------------------ main */

let finished = false;
let loadAtStart = '';

async function cleanup(): Promise<void> {
  await stopWorkers().catch(() => undefined);
  if (engineRef) await engineRef.app.close().catch(() => undefined);
  engineRef = null;
  if (redis.status === 'ready') {
    const n = await flushPrefix().catch(() => 0);
    log(`cleanup: workers stopped, ${int(n)} Redis keys of prefix ${PREFIX}: deleted`);
    redis.disconnect();
  }
  if (pool) await pool.end().catch(() => undefined);
  pool = null;
  if (!KEEP_DB)
    await dropDatabase().catch((err) => log(`cannot drop the bench database: ${(err as Error).message}`));
}

async function shutdown(code: number): Promise<void> {
  if (finished) return;
  finished = true;
  await cleanup();
  process.exit(code);
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    log(`${sig}: stopping`);
    void shutdown(130);
  });
}

async function main(): Promise<void> {
  const limit = setTimeout(() => {
    log(`time limit of ${TIMEOUT_S} s reached: stopping; measured so far:`);
    for (const [k, v] of Object.entries(results)) log(`  ${k}: ${v}`);
    void shutdown(2);
  }, TIMEOUT_S * 1000);
  limit.unref();

  loadAtStart = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  log(
    `${int(TIMERS)} deadlines over ${DAYS} days, a batch of ${int(BATCH)}, ${WORKERS} worker process(es), horizon ${HORIZON_S} s, ` +
      `prefix ${PREFIX}, ${DATABASE_URL.replace(/\/\/[^@]*@/, '//')}, ${COMPILED ? 'compiled' : 'ts-node'}`,
  );
  await redis.connect();
  const stale = await flushPrefix();
  if (stale) log(`deleted ${int(stale)} keys left under ${PREFIX}: by an earlier run`);
  await prepareDatabase();
  pool = new Pool({ connectionString: DATABASE_URL, max: Math.max(4, ARM_CLIENTS + 1) });

  const mem0 = await usedMemory();
  for (let i = 0; i < WORKERS; i++) workers.push(startWorker(i));
  const e = await bootEngine();
  engineRef = e;
  const procedureIds = await registerProjects(e);
  await Promise.all(workers.map((w) => w.ready));
  log(
    `${WORKERS} worker process(es) running (${COMPILED ? 'dist' : 'ts-node'}); Redis used_memory before the bench ${mb(mem0)}`,
  );

  const arm = await armDeadlines(e);
  const s0 = performance.now();
  const moved = await e.timerQueue.schedule();
  const schedTook = performance.now() - s0;
  const s1 = performance.now();
  await e.timerQueue.schedule();
  const idleTook = performance.now() - s1;
  const armedNow = await e.timerStore.countArmed();
  result(
    `time to arm ${int(arm.armed)} deadlines`,
    `${sec(arm.took)} (${int(Math.round((arm.armed / arm.took) * 1000))} timers/s)`,
  );
  result(
    'scheduler run (TimerQueue.schedule()) after arming',
    `${sec(schedTook)}, moved ${int(moved)} due within ${HORIZON_S} s into Redis; a run with nothing to move ${idleTook.toFixed(1)} ms`,
  );

  await sleep(500);
  const mem1 = await usedMemory();
  const keys1 = await prefixMemory();
  const cov = await horizonCoverage(e);
  const worst = await worstWindow();
  result(
    `Redis memory with ${int(armedNow)} timers armed`,
    `${mb(mem1 - mem0)} (INFO used_memory after − before, shared Redis, includes the workers' connections); ` +
      `${mb(keys1.bytes)} in ${int(keys1.keys)} keys of prefix ${PREFIX}: (MEMORY USAGE); ${int(cov.present)} delayed jobs`,
  );
  log(
    `busiest ${HORIZON_S} s window of the armed timers: ${int(worst.count)} due in the window from ${worst.at}`,
  );

  // A million deadlines are armed over weeks of commands, not in the seconds before a day ends: by
  // then autovacuum has long analysed and vacuumed the table. Do that now, so it does not run (on
  // the same two cores) in the middle of the batch being measured.
  const v0 = performance.now();
  await pool!.query('VACUUM ANALYZE');
  log(`VACUUM ANALYZE after arming (what autovacuum does in the meantime): ${sec(performance.now() - v0)}`);

  await lateness(e, procedureIds);
  result(
    `Redis at the busiest ${HORIZON_S} s window of those armed timers (estimate)`,
    `${int(worst.count)} timers due in the window from ${worst.at} × ${int(Math.round(bytesPerJob))} B ≈ ${mb(worst.count * bytesPerJob)}`,
  );
  if (remainingS() > 75) await staleFloor(e);
  else log(`queue floor phase skipped: ${remainingS().toFixed(0)} s left of the ${TIMEOUT_S} s limit`);
  await recovery(e);

  log(
    `summary (${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at the end; ${loadAtStart} at the start):`,
  );
  for (const [k, v] of Object.entries(results)) log(`  ${k}: ${v}`);
}

main()
  .then(() => shutdown(0))
  .catch(async (err) => {
    if (finished) return; // stopped by the time limit or a signal: the phase in hand lost its connections
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    for (const [i, w] of workers.entries())
      if (w.output) log(`worker ${i} output (tail):\n${w.output.slice(-3000)}`);
    await shutdown(1);
  });
