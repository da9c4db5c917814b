import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { AppConfig } from '@qianqi/config';
import { Clock, TimerScheduler } from '@qianqi/engine';
import { TimerStore, type ArmedTimer } from '@qianqi/persistence';
import { JobName, TIMER_QUEUE, timerJobId } from './job-catalogue';

/**
 * Jobs are delivered this much before their timer falls due, and the worker waits out the rest
 * itself: a delayed job reaches a worker some 100–250 ms after its instant here, which is a
 * quarter of a second's lateness for every timer of a day-end cluster; a timer of the worker's own
 * fires on the millisecond.
 */
export const EARLY_MS = 500;

export function redisConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/**
 * The queue side of timers. PostgreSQL holds them all; Redis only the ones due within the horizon,
 * as delayed jobs `<timerId>-<version>`. The scheduler moves newly due-soon timers in; the
 * reconciler re-adds any that Redis lost (a flush, a restart).
 */
@Injectable()
export class TimerQueue extends TimerScheduler implements OnApplicationShutdown {
  private readonly logger = new Logger('TimerQueue');
  readonly connection: Redis;
  readonly queue: Queue;

  constructor(
    private readonly config: AppConfig,
    private readonly timers: TimerStore,
    private readonly clock: Clock,
  ) {
    super();
    this.connection = redisConnection(config.REDIS_URL);
    this.connection.on('error', (err) => this.logger.warn(`redis: ${err.message}`));
    this.queue = new Queue(TIMER_QUEUE, { connection: this.connection, prefix: config.QUEUE_PREFIX });
    // BullMQ re-emits its connection's errors on the queue (one closed while it still initialises,
    // at shutdown): without a listener that is an unhandled 'error' event, thrown.
    this.queue.on('error', (err) => this.logger.warn(`queue: ${err.message}`));
  }

  private horizonEnd(): string {
    return new Date(Date.parse(this.clock.now()) + this.config.TIMER_HORIZON_SECONDS * 1000).toISOString();
  }

  /** Adds the timers due within the horizon; the others wait in PostgreSQL for the scheduler. */
  async deliver(timers: ArmedTimer[]): Promise<void> {
    if (!timers.length) return; // most commands arm nothing: no clock, no date arithmetic
    const until = this.horizonEnd();
    const soon = timers.filter((t) => t.dueAt < until);
    if (!soon.length) return;
    const now = Date.parse(this.clock.now());
    await this.queue.addBulk(
      soon.map((t) => ({
        name: JobName.FireTimer,
        data: { timerId: t.id, version: t.version, dueAt: t.dueAt },
        opts: {
          jobId: timerJobId(t.id, t.version),
          delay: Math.max(0, Date.parse(t.dueAt) - now - EARLY_MS),
          removeOnComplete: true,
          removeOnFail: 1000,
          attempts: 5,
          backoff: { type: 'exponential', delay: 1000 },
        },
      })),
    );
    await this.timers.markEnqueued(soon);
  }

  /** Scheduler job: timers that came within the horizon since the last run. */
  async schedule(batch = 5000): Promise<number> {
    let moved = 0;
    for (;;) {
      const due = await this.timers.unscheduled(this.horizonEnd(), batch);
      if (!due.length) return moved;
      await this.deliver(due);
      moved += due.length;
      if (due.length < batch) return moved;
    }
  }

  /** Reconciler job: every armed timer within the horizon that Redis does not hold is added again. */
  async reconcile(batch = 2000): Promise<number> {
    const until = this.horizonEnd();
    let cursor: { dueAt: string; id: string } | undefined;
    let rearmed = 0;
    for (;;) {
      const armed = await this.timers.armedBefore(until, batch, cursor);
      if (!armed.length) return rearmed;
      const pipeline = this.connection.pipeline();
      const base = `${this.config.QUEUE_PREFIX}:${TIMER_QUEUE}:`;
      for (const t of armed) pipeline.exists(`${base}${timerJobId(t.id, t.version)}`);
      const results = (await pipeline.exec()) ?? [];
      const missing = armed.filter((_, i) => results[i]?.[1] === 0);
      if (missing.length) {
        await this.deliver(missing);
        rearmed += missing.length;
      }
      const last = armed[armed.length - 1];
      cursor = { dueAt: last.dueAt, id: last.id };
      if (armed.length < batch) return rearmed;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // BullMQ's close() drops the queue's listeners at once; an initialisation still running that
    // fails afterwards (on the connection ended below) emits 'error' to nobody: an unhandled
    // error that ends the process. So the connection ends first, while the queue still forwards
    // that error to the listener above; then the initialisation settles (bounded) and it closes.
    const settled = this.queue.waitUntilReady().then(
      () => undefined,
      () => undefined,
    );
    this.connection.disconnect();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([settled, new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000)))]);
    clearTimeout(timer);
    await this.queue.close();
  }
}
