import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@qianqi/config';
import {
  DataSource,
  ProcedureStore,
  TimerStore,
  type ArmedTimer,
  type EntityManager,
} from '@qianqi/persistence';
import { Clock } from '../clock';
import { EscalationService } from '../escalation/escalation.service';
import { ProcedureWriter } from '../procedure-writer';
import { BatchFiring } from './batch-firing';
import { SingleFlight } from './single-flight';
import { TimerFiring } from './timer-firing';
import { TimerScheduler } from './timer-scheduler.port';

export type FireOutcome = 'fired' | 'stale' | 'not_due';

/** A job never holds its worker longer than this waiting for its instant (it is delivered ~0.5 s early). */
const MAX_EARLY_WAIT_MS = 5_000;

/**
 * Timers falling due. Every path re-reads the database under the procedure's lock and acts only
 * on a timer still armed at the version read, so a job delivered twice (or retried after a
 * crash) changes nothing twice.
 *
 * Three ways in:
 * - `onFireJob` on the system clock — a queue job says timers are falling due: BatchFiring
 *   fires everything due by now, many procedures a statement, each tick as of its own timer's
 *   due instant and each procedure's timers in due order; what a batch cannot write alone
 *   (ticket levels, ticks that open tickets) goes through TimerFiring one procedure at a time.
 * - `execute` — one timer, through TimerFiring: any earlier timer of the same procedure still
 *   armed is fired first, so a procedure's record keeps its order.
 * - `runInOrder` — every timer due by an instant, strictly in due order, each as of its own due
 *   instant, re-selecting after every fire. This is what a manual clock move runs.
 *
 * On the manual clock nothing falls due except by POST /admin/clock, so the move is the one thing
 * that fires timers, and all manual-mode firing is serialised under one PostgreSQL advisory lock
 * (`serialised`). The worker's fire jobs do not fire "their" timer there: they run the same
 * in-order runner under the same lock (`onFireJob`). While a move runs they wait, then find
 * nothing left; if the process that moved the clock died mid-move, they finish its work in
 * order. So the worker can never fire concurrently with a move, nor out of its order, and a
 * Redis flush or a killed worker cannot lose a timer either: PostgreSQL holds them all.
 */
@Injectable()
export class FireTimerUseCase {
  private readonly logger = new Logger('FireTimer');
  private readonly firing: TimerFiring;
  /** Manual clock: the fire jobs arriving together share one run of the in-order runner. */
  private readonly manualJobs = new SingleFlight(() => this.runDue());
  private readonly batches: BatchFiring;
  /** System clock: the fire jobs arriving together share one batched sweep of what is due. */
  private readonly sweeps = new SingleFlight(() => this.sweepDue());
  /**
   * The latest instant a sweep of this process found no armed timer due by at all. A job for a
   * timer due by then was for one already fired, moved or cancelled (timers are only ever armed
   * for after the instant that arms them), so it is done without asking the database: the tail of
   * a day-end cluster's ten thousand jobs costs the queue, not PostgreSQL.
   */
  private clearUpTo = '';

  constructor(
    private readonly ds: DataSource,
    private readonly timers: TimerStore,
    store: ProcedureStore,
    private readonly writer: ProcedureWriter,
    escalations: EscalationService,
    private readonly clock: Clock,
    private readonly scheduler: TimerScheduler,
    private readonly config: AppConfig,
  ) {
    this.firing = new TimerFiring(timers, store, writer, escalations);
    this.batches = new BatchFiring(ds, writer, this.firing);
  }

  /** One timer, as its job carried it: fired if still armed at that version and due. */
  async execute(timerId: string, version: number): Promise<FireOutcome> {
    const now = await this.clock.sync();
    const timer = await this.timers.byId(timerId);
    if (!timer || timer.version !== version || timer.status !== 'armed' || !timer.dueAt) return 'stale';
    if (timer.dueAt > now) return 'not_due';
    const result = await this.firing.bringUpTo(
      this.ds.manager,
      timer.procedureId,
      timer.dueAt,
      this.testDelay(),
    );
    await this.scheduler.deliver(result.armed);
    return result.fired.some((t) => t.id === timerId && t.version === version) ? 'fired' : 'stale';
  }

  /**
   * A fire-timer job from the queue. On the system clock the job is the signal that timers are
   * falling due: it fires everything due by now in batches (its own timer among them, if still
   * armed), shared with the jobs that arrive meanwhile, so ten thousand timers due at one
   * instant are ten thousand jobs but some forty statements. See the class comment for the
   * manual clock.
   */
  async onFireJob(_timerId: string, _version: number, dueAt?: string): Promise<number> {
    if (this.clock.manual) return this.manualJobs.run();
    if (dueAt && dueAt <= this.clearUpTo) return 0;
    // Delivered a little early (see EARLY_MS in the queue): wait for the instant, then sweep. A
    // timer may wake a millisecond before the wall clock reaches it, and a sweep a moment early
    // would find nothing due and let the job complete with its timer still armed (left to the
    // reconciler): so wait until the clock has reached it, however the sleeps round.
    if (dueAt) {
      const until = Date.now() + MAX_EARLY_WAIT_MS;
      for (;;) {
        const wait = Date.parse(dueAt) - Date.parse(this.clock.now());
        if (wait <= 0 || Date.now() >= until) break;
        await sleep(Math.min(wait + 1, MAX_EARLY_WAIT_MS));
      }
    }
    return this.sweeps.run();
  }

  /** System clock: every timer due by now, in batches; hands the queue what the fires armed. */
  async sweepDue(): Promise<number> {
    const now = await this.clock.sync();
    const result = await this.batches.sweep(now, this.testDelay());
    if (result.clear && now > this.clearUpTo) this.clearUpTo = now;
    await this.scheduler.deliver(result.armed);
    return result.fired;
  }

  /** Test hook (NODE_ENV=test only): a job that is slow in the middle, its writes not committed. */
  private testDelay(): (() => Promise<void>) | undefined {
    return this.config.NODE_ENV === 'test' && this.config.TEST_JOB_DELAY_MS
      ? () => sleep(this.config.TEST_JOB_DELAY_MS!)
      : undefined;
  }

  /** Every armed timer due at the clock's now, in due order (manual clock: under the firing lock). */
  async runDue(): Promise<number> {
    if (!this.clock.manual) return this.runInOrder(this.ds.manager, await this.clock.sync());
    return this.serialised(async (m) => this.runInOrder(m, await this.clock.sync()));
  }

  /** Manual clock: runs `fn` as the only firer of timers across every process of this database. */
  serialised<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.timers.exclusively(fn);
  }

  /**
   * Fires every timer due at or before `until`, strictly in due order: the earliest armed timer
   * of all, each time afresh, so one armed by an earlier fire and due before `until` runs in its
   * place. Each fire runs as of the timer's own due instant. Returns how many fired.
   */
  async runInOrder(on: EntityManager, until: string, limit = 1_000_000): Promise<number> {
    let fired = 0;
    let idle = 0;
    // Procedures on a version this deployment does not ship are not chosen: their timers wait.
    const shipped = this.writer.shipped();
    for (let n = 0; n < limit; n++) {
      const next = await this.timers.earliestArmed(until, { manager: on, shipped });
      if (!next) break;
      const result = await this.firing.bringUpTo(on, next.procedureId, next.dueAt!);
      fired += result.fired.length;
      await this.deliverLater(result.armed, until);
      // Fired by someone else meanwhile (only possible outside the manual lock): look again, a few times.
      idle = result.fired.length ? 0 : idle + 1;
      if (idle > 3) break;
    }
    return fired;
  }

  /**
   * Hands the queue what a run armed for after `until` (what is due by then the run fires itself).
   * A queue that is down fails nothing here: PostgreSQL holds the timers and the reconciler
   * re-adds them.
   */
  private async deliverLater(armed: ArmedTimer[], until: string): Promise<void> {
    const later = armed.filter((t) => t.dueAt > until);
    if (!later.length) return;
    await this.scheduler
      .deliver(later)
      .catch((err: Error) => this.logger.warn(`timers not handed to the queue: ${err.message}`));
  }

  /** A tick of one procedure as of `dueAt`, in the caller's transaction (the procedure locked). */
  tickInTx(m: EntityManager, procedureId: string, dueAt: string): Promise<ArmedTimer[]> {
    return this.firing.tickInTx(m, procedureId, dueAt);
  }

  rowsOf(loaded: Parameters<ProcedureWriter['itemRowsOf']>[0], at: string) {
    return this.writer.itemRowsOf(loaded, at);
  }
}
