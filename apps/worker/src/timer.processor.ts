import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import { AppConfig } from '@qianqi/config';
import { FireTimerUseCase } from '@qianqi/engine';
import {
  assertHandlers,
  JobName,
  redisConnection,
  TIMER_QUEUE,
  TimerQueue,
  type JobHandlers,
} from '@qianqi/queue';

/** How often the worker re-declares its repeatable jobs, so a Redis flush cannot stop them for long. */
const WATCHDOG_MS = 5000;

/**
 * The worker's one BullMQ consumer. Each job name has exactly one handler, and each handler is one
 * delegating call; the decisions are made by the use cases.
 */
@Injectable()
export class TimerProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TimerProcessor');
  private worker?: Worker;
  private connection?: ReturnType<typeof redisConnection>;
  private watchdog?: NodeJS.Timeout;
  private declared = false;

  readonly handlers: JobHandlers = {
    [JobName.FireTimer]: ({ timerId, version, dueAt }) => this.fire.onFireJob(timerId, version, dueAt),
    [JobName.ScheduleTimers]: () => this.timers.schedule(),
    [JobName.ReconcileTimers]: () => this.timers.reconcile(),
  };

  constructor(
    private readonly config: AppConfig,
    private readonly fire: FireTimerUseCase,
    private readonly timers: TimerQueue,
  ) {
    assertHandlers(this.handlers);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.declareSchedules();
    this.watchdog = setInterval(() => {
      this.declareSchedules().catch((err) => this.logger.warn(`cannot declare schedules: ${err.message}`));
    }, WATCHDOG_MS);
    this.watchdog.unref();
    this.connection = redisConnection(this.config.REDIS_URL);
    this.worker = new Worker(TIMER_QUEUE, (job: Job) => this.handle(job), {
      connection: this.connection,
      prefix: this.config.QUEUE_PREFIX,
      concurrency: 8,
      lockDuration: this.config.JOB_LOCK_MS,
      stalledInterval: this.config.JOB_LOCK_MS,
    });
    this.worker.on('failed', (job, err) =>
      this.logger.warn(`job ${job?.name} ${job?.id} failed: ${err.message}`),
    );
    this.worker.on('error', (err) => this.logger.warn(`worker: ${err.message}`));
    this.logger.log(`consuming ${TIMER_QUEUE} (${Object.keys(this.handlers).join(', ')})`);
  }

  private handle(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as JobName] as ((p: unknown) => Promise<unknown>) | undefined;
    if (!handler) throw new Error(`no handler for job ${job.name}`);
    return handler(job.data);
  }

  /**
   * Repeatable schedules live in Redis; declaring them again is idempotent. If they are gone
   * (Redis flushed or restarted empty), the delayed timer jobs are gone too: reconcile at once
   * rather than wait for the next period.
   */
  private async declareSchedules(): Promise<void> {
    const q = this.timers.queue;
    const lost = this.declared && !(await q.getJobScheduler(JobName.ReconcileTimers));
    this.declared = true;
    await q.upsertJobScheduler(
      JobName.ScheduleTimers,
      { every: this.config.TIMER_SCHEDULE_EVERY_MS },
      { name: JobName.ScheduleTimers, data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } },
    );
    await q.upsertJobScheduler(
      JobName.ReconcileTimers,
      { every: this.config.TIMER_RECONCILE_EVERY_MS },
      { name: JobName.ReconcileTimers, data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } },
    );
    if (lost) {
      const rearmed = await this.timers.reconcile();
      this.logger.warn(`queue state was lost; ${rearmed} timers re-armed from PostgreSQL`);
    }
  }

  /** Graceful: stop taking jobs and let the one in hand finish. */
  async onApplicationShutdown(): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog);
    await this.worker?.close();
    // BullMQ leaves a connection it was handed open; without this, close() does not let the process end.
    this.connection?.disconnect();
  }
}
