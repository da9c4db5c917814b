/**
 * npm run bench:commands — the command throughput of the API against the raw rate of PostgreSQL.
 *
 * 1. A database of its own (qianqi_bench_commands, dropped and migrated each run) and the compiled
 *    API as a child process (API_WORKERS cluster workers, its own process group, killed at the end).
 * 2. Registers procedures over HTTP; each client owns some of them and sends only valid commands:
 *    the applicant SUBMITs a ready item with all its materials, the item's department REFUSEs it
 *    (不予受理) and it is ready again — a loop that never ends and never conflicts.
 * 3. Rounds of: a closed loop (CONNECTIONS clients, each sending its next command when the last is
 *    answered) → commands/s, p50/p99; then the raw transaction → tx/s. Alternating rounds let both
 *    see the same machine, whose other load comes and goes; the ratio is of the totals.
 *    The raw transaction is what a command writes, in plain SQL from Node `pg` on the same database:
 *    BEGIN; INSERT the event; UPDATE the snapshot (a driven procedure's jsonb state); COMMIT —
 *    RAW_CLIENTS clients on procedures the API never touches.
 * 4. An open loop at a fixed rate (1,000 commands/s): latency counted from each command's scheduled
 *    instant, so a stall is not hidden by sending less (no coordinated omission).
 * Every phase prints where the CPU went (API, PostgreSQL backends of this database, this client,
 * everything else on the machine), then a summary block. Bounded: the bench stops itself at 170 s.
 *
 * Knobs (env): API_WORKERS (1, as `npm start`; 2 measured slower on this machine), DB_POOL_SIZE per worker (8), LOG_LEVEL (warn),
 * BENCH_API_NODE_OPTIONS (--max-semi-space-size=64), BENCH_PORT (3400), BENCH_DATABASE_URL,
 * BENCH_CONNECTIONS (64), BENCH_PROCEDURES (256), BENCH_ROUNDS (4), BENCH_DURATION (6 s per round),
 * BENCH_RAW_DURATION (4 s per round), BENCH_RAW_CLIENTS (8), BENCH_RATE (1000),
 * BENCH_RATE_DURATION (10 s), BENCH_WARMUP (10 s: JIT and pools at steady state), BENCH_EXTERNAL_API=1 (drive an API already
 * listening on BENCH_PORT, e.g. under a profiler, with its JWT_SECRET; no raw phase).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { signToken } from '@qianqi/auth';
import { migrate } from '@qianqi/persistence';

const env = process.env;
const num = (name: string, dflt: number) => (env[name] ? Number(env[name]) : dflt);

/** Set to drive an API started by hand (e.g. under a profiler) instead of starting one: no raw phase. */
const EXTERNAL = env.BENCH_EXTERNAL_API === '1';
const PORT = num('BENCH_PORT', 3400);
const DATABASE_URL = env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/qianqi_bench_commands';
const CONNECTIONS = num('BENCH_CONNECTIONS', 64);
const PROCEDURES = Math.max(num('BENCH_PROCEDURES', 256), CONNECTIONS);
const WARMUP_S = num('BENCH_WARMUP', 10);
/** Rounds of closed loop (BENCH_DURATION s) each followed by the raw transaction (BENCH_RAW_DURATION s). */
const ROUNDS = num('BENCH_ROUNDS', 4);
const DURATION_S = num('BENCH_DURATION', 6);
const RATE = num('BENCH_RATE', 1000);
const RATE_DURATION_S = num('BENCH_RATE_DURATION', 10);
const RATE_GRACE_S = 5;
const RAW_DURATION_S = num('BENCH_RAW_DURATION', 4);
const RAW_CLIENTS = num('BENCH_RAW_CLIENTS', 8);
const API_WORKERS = num('API_WORKERS', 1);
const DB_POOL_SIZE = num('DB_POOL_SIZE', 8);
/** Node flags of the API processes: a larger young generation (fewer scavenges of short-lived JSON). */
const API_NODE_OPTIONS = env.BENCH_API_NODE_OPTIONS ?? '--max-semi-space-size=64';
const LOG_LEVEL = env.LOG_LEVEL ?? 'warn';
const JWT_SECRET = env.JWT_SECRET ?? `bench-${randomUUID()}`;
const ORG = 'bench-org';
/** The repository root: the nearest folder with package.json above this file (bench/ or dist/bench/). */
const ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

/* ------------------------------------------------------------------ output */

const t0 = Date.now();
function log(msg: string): void {
  console.log(`[bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}`);
}

function percentile(sorted: Float64Array, p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summarize(latencies: number[]): { p50: number; p99: number; max: number } {
  const sorted = Float64Array.from(latencies).sort();
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
}

const ms = (v: number) => `${v.toFixed(1)} ms`;

/* ------------------------------------------------------------------ machine CPU accounting */

/** Busy and total jiffies of the whole machine, to show how saturated it was during a phase. */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = line[3] + (line[4] ?? 0);
  const total = line.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

interface ProcStat {
  ppid: number;
  ticks: number;
  cmdline: string;
}

/** utime + stime of every process, and the command line of the PostgreSQL ones. */
function processTable(): Map<number, ProcStat> {
  const table = new Map<number, ProcStat>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
      const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
      const cmdline = comm === 'postgres' ? readFileSync(`/proc/${d}/cmdline`, 'utf8') : '';
      table.set(Number(d), { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]), cmdline });
    } catch {
      /* gone */
    }
  }
  return table;
}

const TICKS_PER_SECOND = 100;

/** CPU seconds so far of a process and its live descendants. */
function treeCpuSeconds(table: Map<number, ProcStat>, rootPid: number): number {
  let ticks = 0;
  const walk = (pid: number) => {
    const s = table.get(pid);
    if (!s) return;
    ticks += s.ticks;
    for (const [child, c] of table) if (c.ppid === pid) walk(child);
  };
  walk(rootPid);
  return ticks / TICKS_PER_SECOND;
}

/** CPU seconds so far of the PostgreSQL backends serving the bench database. */
function postgresCpuSeconds(table: Map<number, ProcStat>): number {
  const name = ` ${decodeURIComponent(new URL(DATABASE_URL).pathname.slice(1))} `;
  let ticks = 0;
  for (const s of table.values()) if (s.cmdline.includes(name)) ticks += s.ticks;
  return ticks / TICKS_PER_SECOND;
}

interface CpuSample {
  at: number;
  machine: { busy: number; total: number };
  client: NodeJS.CpuUsage;
  api: number;
  postgres: number;
}

function cpuSample(api: ChildProcess | null): CpuSample {
  const table = processTable();
  return {
    at: performance.now(),
    machine: machineTicks(),
    client: process.cpuUsage(),
    api: api?.pid ? treeCpuSeconds(table, api.pid) : 0,
    postgres: postgresCpuSeconds(table),
  };
}

function cpuReport(a: CpuSample, b: CpuSample, commands: number): string {
  const wall = (b.at - a.at) / 1000;
  const machine = (b.machine.busy - a.machine.busy) / Math.max(1, b.machine.total - a.machine.total);
  const client = (b.client.user - a.client.user + b.client.system - a.client.system) / 1e6;
  const part = (name: string, s: number) =>
    `${name} ${((s / wall) * 100).toFixed(0)}% (${((s / Math.max(1, commands)) * 1e6).toFixed(0)} µs/op)`;
  const ours = (b.api - a.api + b.postgres - a.postgres + client) / wall;
  const others = Math.max(0, machine * cpus().length - ours);
  return [
    `cpu: machine ${(machine * 100).toFixed(0)}% of ${cpus().length} cores busy`,
    ...(b.api ? [part('api', b.api - a.api)] : []),
    part('postgres backends', b.postgres - a.postgres),
    part('bench client', client),
    `everything else ${(others * 100).toFixed(0)}% of a core`,
  ].join(', ');
}

/* ------------------------------------------------------------------ HTTP */

/** An answer; its body is decoded only when read (a command's 6 KB view is not). */
class Reply {
  constructor(
    readonly status: number,
    private readonly raw: Buffer,
  ) {}

  get body(): string {
    return this.raw.toString('utf8');
  }
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * A lean HTTP/1.1 keep-alive connection: one request at a time, each written as one string, the
 * answer framed by Content-Length (or chunked). node:http costs several times more CPU per request,
 * and here the client shares the two cores with the server it measures.
 */
class Connection {
  private socket: Socket | null = null;
  private buf: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void } | null = null;

  send(text: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.buf = Buffer.alloc(0);
      this.open().write(text);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private open(): Socket {
    if (this.socket) return this.socket;
    const socket = connect({ host: '127.0.0.1', port: PORT });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
      this.parse();
    });
    const fail = (err: Error) => {
      if (this.socket === socket) this.socket = null;
      const w = this.waiting;
      this.waiting = null;
      w?.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed by the server')));
    this.socket = socket;
    return socket;
  }

  private parse(): void {
    const end = this.buf.indexOf(HEADER_END);
    if (end < 0 || !this.waiting) return;
    const head = this.buf.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const start = end + 4;
    let body: Buffer | null = null;
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (length) {
      const n = Number(length[1]);
      if (this.buf.length < start + n) return;
      body = this.buf.subarray(start, start + n);
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      body = this.dechunk(start);
      if (body === null) return;
    } else {
      body = Buffer.alloc(0);
    }
    const w = this.waiting;
    this.waiting = null;
    this.buf = Buffer.alloc(0);
    if (/\r\nconnection:\s*close/i.test(head)) this.close();
    w.resolve(new Reply(status, body));
  }

  /** The body of a complete chunked answer, or null while chunks are still missing. */
  private dechunk(from: number): Buffer | null {
    const parts: Buffer[] = [];
    let pos = from;
    for (;;) {
      const eol = this.buf.indexOf('\r\n', pos);
      if (eol < 0) return null;
      const size = parseInt(this.buf.toString('latin1', pos, eol), 16);
      if (size === 0) return Buffer.concat(parts);
      if (this.buf.length < eol + 2 + size + 2) return null;
      parts.push(this.buf.subarray(eol + 2, eol + 2 + size));
      pos = eol + 2 + size + 2;
    }
  }
}

/** CONNECTIONS keep-alive connections; a request waits for an idle one. */
const idleConnections: Connection[] = [];
const connectionWaiters: ((c: Connection) => void)[] = [];
let openConnections = 0;

function acquire(): Promise<Connection> {
  const idle = idleConnections.pop();
  if (idle) return Promise.resolve(idle);
  if (openConnections < CONNECTIONS) {
    openConnections++;
    return Promise.resolve(new Connection());
  }
  return new Promise((resolve) => connectionWaiters.push(resolve));
}

function release(c: Connection): void {
  const waiter = connectionWaiters.shift();
  if (waiter) waiter(c);
  else idleConnections.push(c);
}

function closeConnections(): void {
  for (const c of idleConnections) c.close();
}

async function request(method: string, path: string, token: string | null, body?: unknown): Promise<Reply> {
  const payload = body === undefined ? '' : JSON.stringify(body);
  const text =
    `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${PORT}\r\n` +
    (token ? `Authorization: Bearer ${token}\r\n` : '') +
    (body === undefined
      ? ''
      : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n`) +
    `\r\n${payload}`;
  const c = await acquire();
  try {
    return await c.send(text);
  } finally {
    release(c);
  }
}

/* ------------------------------------------------------------------ database and API process */

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
}

function apiEntry(): string {
  const candidates = [join(ROOT, 'dist/apps/api/src/main.js'), join(ROOT, 'dist/apps/api/main.js')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`compiled API not found (${candidates.join(', ')}): run npm run build`);
  return found;
}

let api: ChildProcess | null = null;
let apiOutput = '';

function startApi(): ChildProcess {
  const child = spawn(process.execPath, [apiEntry()], {
    cwd: ROOT,
    detached: true, // its own process group, so the workers die with it
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...env,
      NODE_ENV: 'production',
      PORT: String(PORT),
      DATABASE_URL,
      JWT_SECRET,
      LOG_LEVEL,
      API_WORKERS: String(API_WORKERS),
      DB_POOL_SIZE: String(DB_POOL_SIZE),
      NODE_OPTIONS: [env.NODE_OPTIONS, API_NODE_OPTIONS].filter(Boolean).join(' '),
    },
  });
  const keep = (b: Buffer) => {
    apiOutput = (apiOutput + b.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('exit', (code, signal) => {
    if (api === child) {
      api = null;
      if (!stopping) {
        log(`API exited unexpectedly (code ${code}, signal ${signal}); its output:\n${apiOutput}`);
        process.exit(1);
      }
    }
  });
  return child;
}

let stopping = false;

async function stopApi(): Promise<void> {
  const child = api;
  if (!child?.pid) return;
  stopping = true;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
  api = null;
}

function killApiNow(): void {
  if (api?.pid) {
    try {
      process.kill(-api.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
process.on('exit', killApiNow);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    killApiNow();
    process.exit(130);
  });
}

async function waitForApi(timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const r = await request('GET', '/health', null);
      if (r.status === 200 || r.status === 503) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `API did not answer on port ${PORT} within ${timeoutMs / 1000}s; its output:\n${apiOutput}`,
  );
}

/* ------------------------------------------------------------------ the workload */

interface Slot {
  procedureId: string;
  itemKey: string;
  department: string;
  materials: string[];
  next: 'SUBMIT' | 'REFUSE';
}

interface Workload {
  /** One list of slots per procedure; a procedure is owned by one client at a time. */
  procedures: Slot[][];
  applicantToken: string;
  departmentTokens: Record<string, string>;
}

async function parallel<T>(n: number, count: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

async function registerProcedures(count: number): Promise<Workload> {
  const applicantToken = signToken(
    { sub: 'bench-applicant', name: '压测项目单位', role: 'applicant', org: ORG },
    JWT_SECRET,
  );
  const defs = await request('GET', '/definitions/default', applicantToken);
  if (defs.status !== 200) throw new Error(`GET /definitions/default: ${defs.status} ${defs.body}`);
  const definition = JSON.parse(defs.body) as {
    items: { key: string; department: string; materials: { key: string }[]; prerequisites: string[] }[];
  };

  const ids = await parallel(16, count, async (i) => {
    const code = `2026-${String(i).padStart(6, '0')}-00-00-${String(process.pid % 1_000_000).padStart(6, '0')}`;
    const r = await request('POST', '/projects', applicantToken, {
      code,
      name: `压测项目 ${i}`,
      approvalMode: 'approval',
      region: '330800',
      ownerOrg: ORG,
      plannedStartDate: '2027-06-30',
    });
    if (r.status !== 201) throw new Error(`POST /projects: ${r.status} ${r.body}`);
    return (JSON.parse(r.body) as { procedureId: string }).procedureId;
  });

  const first = await request('GET', `/procedures/${ids[0]}`, applicantToken);
  const view = JSON.parse(first.body) as { items: { key: string; status: string }[] };
  const ready = new Set(view.items.filter((i) => i.status === 'ready').map((i) => i.key));
  const items = definition.items.filter((i) => ready.has(i.key));
  if (!items.length) throw new Error('no ready item in a fresh procedure');

  const departmentTokens: Record<string, string> = {};
  for (const d of new Set(items.map((i) => i.department))) {
    departmentTokens[d] = signToken(
      { sub: `bench-${d}`, name: '压测审批科员', role: 'department', department: d },
      JWT_SECRET,
    );
  }
  const procedures = ids.map((procedureId) =>
    items.map<Slot>((i) => ({
      procedureId,
      itemKey: i.key,
      department: i.department,
      materials: i.materials.map((m) => m.key),
      next: 'SUBMIT',
    })),
  );
  return { procedures, applicantToken, departmentTokens };
}

/** Sends the slot's next command; the slot then expects the other one (SUBMIT ⇄ REFUSE). */
async function sendCommand(w: Workload, slot: Slot): Promise<number> {
  const submit = slot.next === 'SUBMIT';
  const r = await request(
    'POST',
    `/procedures/${slot.procedureId}/items/${slot.itemKey}/commands`,
    submit ? w.applicantToken : w.departmentTokens[slot.department],
    submit
      ? { type: 'SUBMIT', materials: slot.materials }
      : { type: 'REFUSE', reason: '压测：材料不符合受理条件' },
  );
  if (r.status === 200) slot.next = submit ? 'REFUSE' : 'SUBMIT';
  else if (errorsOpen && errorSamples.length < 5) errorSamples.push(`${r.status} ${r.body.slice(0, 300)}`);
  return r.status;
}

const errorSamples: string[] = [];
/** Answers after the last phase (the API stopping) are not the bench's errors. */
let errorsOpen = true;

interface PhaseResult {
  commands: number;
  errors: number;
  seconds: number;
  latencies: number[];
  cpu: string;
}

/**
 * Closed loop: CONNECTIONS clients, each owning PROCEDURES / CONNECTIONS procedures, each sending its
 * next command as soon as the previous one is answered.
 */
async function closedLoop(w: Workload, seconds: number): Promise<PhaseResult> {
  const owned: Slot[][] = Array.from({ length: CONNECTIONS }, () => []);
  w.procedures.forEach((slots, i) => owned[i % CONNECTIONS].push(...slots));
  const latencies: number[] = [];
  let errors = 0;
  const before = cpuSample(api);
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    owned.map(async (slots) => {
      let k = 0;
      while (performance.now() < end) {
        const slot = slots[k++ % slots.length];
        const sent = performance.now();
        const status = await sendCommand(w, slot);
        if (status === 200) latencies.push(performance.now() - sent);
        else errors++;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const cpu = cpuReport(before, cpuSample(api), latencies.length);
  return { commands: latencies.length, errors, seconds: elapsed, latencies, cpu };
}

/**
 * Open loop at a fixed rate: command n is due at start + n / rate whatever happened before, and its
 * latency counts from that instant (so a stall is not hidden by sending less). A command is sent
 * on an idle procedure (one command in flight per procedure). After the schedule, answers are
 * awaited RATE_GRACE_S at most; a command still unanswered then counts with the time it waited.
 */
async function fixedRate(
  w: Workload,
  rate: number,
  seconds: number,
): Promise<PhaseResult & { unanswered: number }> {
  const idle: Slot[][] = [...w.procedures];
  const queue: number[] = []; // due times waiting for an idle procedure
  const inflight = new Map<Promise<void>, number>(); // → due time
  const latencies: number[] = [];
  let errors = 0;
  const total = Math.round(rate * seconds);
  const before = cpuSample(api);
  const start = performance.now();
  let scheduled = 0;

  const dispatch = () => {
    while (queue.length && idle.length) {
      const due = queue.shift()!;
      const slots = idle.shift()!;
      const slot = slots.find((s) => s.next === 'REFUSE') ?? slots[(Math.random() * slots.length) | 0];
      const p: Promise<void> = sendCommand(w, slot)
        .then(
          (status) => {
            if (status === 200) latencies.push(performance.now() - due);
            else errors++;
          },
          () => {
            errors++;
          },
        )
        .finally(() => {
          inflight.delete(p);
          idle.push(slots);
          dispatch();
        });
      inflight.set(p, due);
    }
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - start) / 1000) * rate) + 1);
      for (; scheduled < due; scheduled++) queue.push(start + (scheduled / rate) * 1000);
      dispatch();
      if (scheduled >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const cutoff = performance.now() + RATE_GRACE_S * 1000;
  while ((queue.length || inflight.size) && performance.now() < cutoff) {
    await Promise.race([...inflight.keys(), new Promise((r) => setTimeout(r, 5))]);
    dispatch();
  }
  const now = performance.now();
  const unanswered = queue.length + inflight.size;
  for (const due of [...queue, ...inflight.values()]) latencies.push(now - due);
  queue.length = 0;
  const elapsed = (now - start) / 1000;
  const answered = latencies.length - unanswered;
  const cpu = cpuReport(before, cpuSample(api), answered);
  return { commands: answered, errors, seconds: elapsed, latencies, cpu, unanswered };
}

/* ------------------------------------------------------------------ raw PostgreSQL */

/**
 * The write a command makes, as plain SQL from Node `pg`: BEGIN; INSERT the event; UPDATE the
 * snapshot (the jsonb state of a bench procedure, so the same size); COMMIT — four round trips.
 * RAW_CLIENTS clients, each on procedures of its own that the API never touches.
 */
class RawPostgres {
  private clients: Client[] = [];
  private versions = new Map<string, number>();
  private stateText = '';
  private dataText = '';
  private metadataText = '';
  private type = '';

  constructor(private readonly procedureIds: string[]) {}

  async open(): Promise<void> {
    const c = new Client({ connectionString: DATABASE_URL });
    await c.connect();
    try {
      // A real command event and a driven procedure's state: what a command writes.
      const { rows: events } = await c.query(
        `SELECT e.stream_id, e.type, e.data, e.metadata, s.state::text AS state
           FROM events e JOIN procedure_snapshots s ON s.procedure_id = e.stream_id
          WHERE e.type <> 'ProjectRegistered' ORDER BY e.position DESC LIMIT 1`,
      );
      if (!events.length) throw new Error('no command event to copy for the raw transaction');
      this.type = events[0].type;
      this.dataText = JSON.stringify(events[0].data);
      this.metadataText = JSON.stringify(events[0].metadata);
      this.stateText = events[0].state;
      const { rows } = await c.query(
        `SELECT procedure_id, version FROM procedure_snapshots WHERE procedure_id = ANY($1::uuid[])`,
        [this.procedureIds],
      );
      for (const r of rows) this.versions.set(r.procedure_id, r.version);
    } finally {
      await c.end();
    }
    this.clients = await Promise.all(
      Array.from({ length: RAW_CLIENTS }, async () => {
        const client = new Client({ connectionString: DATABASE_URL, application_name: 'qianqi-bench-raw' });
        await client.connect();
        return client;
      }),
    );
  }

  get stateBytes(): number {
    return Buffer.byteLength(this.stateText);
  }

  async run(seconds: number): Promise<{ tx: number; seconds: number; latencies: number[]; cpu: string }> {
    const hash = (n: number) => n.toString(16).padStart(64, '0');
    const latencies: number[] = [];
    const before = cpuSample(api);
    const start = performance.now();
    const end = start + seconds * 1000;
    await Promise.all(
      this.clients.map(async (c, ci) => {
        const mine = this.procedureIds.filter((_, i) => i % this.clients.length === ci);
        let k = 0;
        while (performance.now() < end) {
          const id = mine[k++ % mine.length];
          const version = this.versions.get(id)! + 1;
          const at = new Date().toISOString();
          const t = performance.now();
          await c.query('BEGIN');
          await c.query(
            `INSERT INTO events (stream_id, version, type, data, metadata, occurred_at, prev_hash, hash)
             VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8)`,
            [id, version, this.type, this.dataText, this.metadataText, at, hash(version - 1), hash(version)],
          );
          await c.query(
            `UPDATE procedure_snapshots SET version = $2, last_hash = $3, state = $4::jsonb, updated_at = $5
              WHERE procedure_id = $1`,
            [id, version, hash(version), this.stateText, at],
          );
          await c.query('COMMIT');
          this.versions.set(id, version);
          latencies.push(performance.now() - t);
        }
      }),
    );
    const elapsed = (performance.now() - start) / 1000;
    return {
      tx: latencies.length,
      seconds: elapsed,
      latencies,
      cpu: cpuReport(before, cpuSample(api), latencies.length),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.end()));
  }
}

/* ------------------------------------------------------------------ main */

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    log('bench exceeded 170 s; stopping');
    killApiNow();
    process.exit(2);
  }, 170_000);
  deadline.unref();

  if (EXTERNAL) {
    log(`driving the API already listening on port ${PORT}`);
  } else {
    log(`database ${DATABASE_URL.replace(/\/\/[^@]*@/, '//')} (dropped and migrated)`);
    await prepareDatabase();
    log(
      `starting the API: API_WORKERS=${API_WORKERS} DB_POOL_SIZE=${DB_POOL_SIZE} LOG_LEVEL=${LOG_LEVEL} ` +
        `NODE_OPTIONS=${API_NODE_OPTIONS || '(none)'} port ${PORT}`,
    );
    api = startApi();
  }
  await waitForApi();

  const rawProcedures = EXTERNAL ? 0 : RAW_CLIENTS * 4;
  log(
    `registering ${PROCEDURES} procedures for the API${rawProcedures ? ` and ${rawProcedures} for the raw transaction` : ''}`,
  );
  const registered = await registerProcedures(PROCEDURES + rawProcedures);
  const rawIds = registered.procedures.splice(PROCEDURES).map((s) => s[0].procedureId);
  const w = registered;
  const slots = w.procedures.reduce((n, s) => n + s.length, 0);
  log(
    `${PROCEDURES} procedures × ${w.procedures[0].length} ready items = ${slots} item slots, ${CONNECTIONS} clients`,
  );

  log(`warm-up ${WARMUP_S}s`);
  await closedLoop(w, WARMUP_S);
  const raw = EXTERNAL ? null : new RawPostgres(rawIds);
  await raw?.open();

  // Rounds of API closed loop then raw transaction, so both see the same machine (other work on
  // it comes and goes); the ratio is of the totals.
  const closed: PhaseResult[] = [];
  const raws: Awaited<ReturnType<RawPostgres['run']>>[] = [];
  errorSamples.length = 0;
  for (let r = 1; r <= ROUNDS; r++) {
    const c = await closedLoop(w, DURATION_S);
    const cs = summarize(c.latencies);
    closed.push(c);
    log(
      `round ${r}/${ROUNDS} API: ${(c.commands / c.seconds).toFixed(0)} commands/s, p50 ${ms(cs.p50)}, p99 ${ms(cs.p99)}, errors ${c.errors}`,
    );
    log(`  ${c.cpu}`);
    if (raw) {
      const x = await raw.run(RAW_DURATION_S);
      raws.push(x);
      log(
        `round ${r}/${ROUNDS} raw: ${(x.tx / x.seconds).toFixed(0)} tx/s; ratio ${(c.commands / c.seconds / (x.tx / x.seconds)).toFixed(2)}`,
      );
      log(`  ${x.cpu}`);
    }
  }
  await raw?.close();
  const commands = closed.reduce((n, c) => n + c.commands, 0);
  const closedSeconds = closed.reduce((n, c) => n + c.seconds, 0);
  const closedRate = commands / closedSeconds;
  const cl = summarize(closed.flatMap((c) => c.latencies));

  log(`fixed rate: ${RATE} commands/s for ${RATE_DURATION_S}s`);
  const fixed = await fixedRate(w, RATE, RATE_DURATION_S);
  const fx = summarize(fixed.latencies);
  log(
    `  ${(fixed.commands / fixed.seconds).toFixed(0)} commands/s answered, p50 ${ms(fx.p50)}, p99 ${ms(fx.p99)}, ` +
      `max ${ms(fx.max)}, errors ${fixed.errors}, unanswered after ${RATE_GRACE_S}s grace ${fixed.unanswered}`,
  );
  log(`  ${fixed.cpu}`);
  errorsOpen = false;
  closeConnections();
  if (!raw) return;

  const rawTx = raws.reduce((n, x) => n + x.tx, 0);
  const rawRate = rawTx / raws.reduce((n, x) => n + x.seconds, 0);
  const rl = summarize(raws.flatMap((x) => x.latencies));
  const ratio = closedRate / rawRate;
  const roundRatios = closed.map((c, i) => c.commands / c.seconds / (raws[i].tx / raws[i].seconds));
  const errors = closed.reduce((n, c) => n + c.errors, 0) + fixed.errors;
  const ok = ratio >= 0.5 && fx.p99 <= 50 && errors === 0 && fixed.unanswered === 0;
  const lines = [
    '',
    '==================== qianqi bench:commands ====================',
    `machine          ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version} (client, API and PostgreSQL share it)`,
    `API              API_WORKERS=${API_WORKERS}, DB_POOL_SIZE=${DB_POOL_SIZE} per worker, LOG_LEVEL=${LOG_LEVEL}, NODE_OPTIONS=${API_NODE_OPTIONS || '(none)'}`,
    `workload         ${PROCEDURES} procedures, ${CONNECTIONS} clients, SUBMIT ⇄ REFUSE on ready items`,
    `commands/s       ${closedRate.toFixed(0)}  (${commands} in ${ROUNDS} × ${DURATION_S} s)`,
    `latency          p50 ${ms(cl.p50)}  p99 ${ms(cl.p99)}`,
    `at ${RATE}/s        p50 ${ms(fx.p50)}  p99 ${ms(fx.p99)}  (target p99 ≤ 50 ms)${fixed.unanswered ? `, ${fixed.unanswered} unanswered` : ''}`,
    `raw PostgreSQL   ${rawRate.toFixed(0)} tx/s, p50 ${ms(rl.p50)}  (${RAW_CLIENTS} clients, BEGIN/INSERT/UPDATE/COMMIT, ${raw.stateBytes} B snapshot)`,
    `ratio            ${ratio.toFixed(2)}  (commands/s ÷ raw tx/s, target ≥ 0.50; rounds ${roundRatios.map((x) => x.toFixed(2)).join(' ')}, median ${median(roundRatios).toFixed(2)})`,
    `errors           ${errors}${errorSamples.length ? `  e.g. ${errorSamples[0]}` : ''}`,
    `result           ${ok ? 'PASS' : 'BELOW TARGET'}`,
    '===============================================================',
  ];
  console.log(lines.join('\n'));
}

main()
  .catch(async (err) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    closeConnections();
    await stopApi().catch(() => undefined);
    killApiNow();
  });
