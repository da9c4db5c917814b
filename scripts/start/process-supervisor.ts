import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildSpec {
  name: string;
  /** A compiled entry point, run with this same node. */
  entry: string;
  /** Flags for that node. */
  nodeArgs?: string[];
}

/** How long the children get to finish what they hold (the worker its job) before SIGKILL. */
const GRACE_MS = 15_000;
/** A second signal within this window is the same keypress seen twice (npm and the terminal). */
const SAME_SIGNAL_MS = 1_000;

const CLEAN_SIGNALS = new Set<NodeJS.Signals>(['SIGINT', 'SIGTERM']);
const CLEAN_CODES = new Set([0, 130, 143]);

/**
 * Runs the API and the worker as child processes with the inherited environment, forwards
 * SIGINT/SIGTERM to them, and ends when they have all exited; when one dies on its own, it
 * stops the others and the run fails. The children get their own process group, so a Ctrl-C
 * reaches them once, through here, and the worker can finish the job in hand.
 */
export class ProcessSupervisor {
  private readonly children = new Map<string, ChildProcess>();
  private stopping: { at: number; failed: boolean } | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private resolveDone!: (code: number) => void;
  /** The exit code for this process once every child has exited. */
  readonly done = new Promise<number>((resolve) => (this.resolveDone = resolve));

  constructor(private readonly log: (line: string) => void) {
    process.on('exit', () => this.killAll('SIGKILL'));
  }

  start(specs: ChildSpec[]): void {
    for (const spec of specs) {
      const child = spawn(process.execPath, [...(spec.nodeArgs ?? []), spec.entry], {
        stdio: 'inherit',
        env: process.env,
        detached: true,
      });
      this.children.set(spec.name, child);
      child.once('error', (err) => this.exited(spec.name, null, null, err));
      child.once('exit', (code, signal) => this.exited(spec.name, code, signal));
    }
  }

  /** Forwards SIGINT and SIGTERM (SIGHUP as SIGTERM); a signal repeated later kills at once. */
  handleSignals(): void {
    const onSignal = (received: NodeJS.Signals) => {
      const signal = received === 'SIGHUP' ? 'SIGTERM' : received;
      if (!this.stopping) {
        this.log(`${received} received: stopping ${[...this.children.keys()].join(' and ')}`);
        this.stop(signal, false);
      } else if (Date.now() - this.stopping.at > SAME_SIGNAL_MS) {
        this.log(`${received} again: killing what is still running`);
        this.killAll('SIGKILL');
      }
    };
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
  }

  pid(name: string): number | undefined {
    return this.children.get(name)?.pid;
  }

  get isStopping(): boolean {
    return this.stopping !== null;
  }

  /** Stops every child still running; `failed` makes the final exit code non-zero. */
  stop(signal: NodeJS.Signals, failed: boolean): void {
    if (this.stopping) {
      this.stopping.failed ||= failed;
      return;
    }
    this.stopping = { at: Date.now(), failed };
    this.killAll(signal);
    this.killTimer = setTimeout(() => {
      const left = [...this.children.keys()];
      if (left.length) this.log(`${left.join(' and ')} did not stop within ${GRACE_MS / 1000} s: killing`);
      this.killAll('SIGKILL');
    }, GRACE_MS);
    this.killTimer.unref();
    this.settle();
  }

  private exited(name: string, code: number | null, signal: NodeJS.Signals | null, err?: Error): void {
    if (!this.children.has(name)) return;
    this.children.delete(name);
    const how = err
      ? `could not be started (${err.message})`
      : signal
        ? `was killed by ${signal}`
        : `exited with code ${code}`;
    if (!this.stopping) {
      const others = [...this.children.keys()];
      this.log(
        `the ${name} ${how} unexpectedly${others.length ? `; stopping the ${others.join(' and ')}` : ''}`,
      );
      this.stop('SIGTERM', true);
    } else {
      const clean =
        !err && ((signal && CLEAN_SIGNALS.has(signal)) || (code !== null && CLEAN_CODES.has(code)));
      if (!clean) {
        this.log(`the ${name} ${how} while stopping`);
        this.stopping.failed = true;
      }
    }
    this.settle();
  }

  private settle(): void {
    if (!this.stopping || this.children.size) return;
    if (this.killTimer) clearTimeout(this.killTimer);
    this.resolveDone(this.stopping.failed ? 1 : 0);
  }

  private killAll(signal: NodeJS.Signals): void {
    for (const child of this.children.values()) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    }
  }
}
