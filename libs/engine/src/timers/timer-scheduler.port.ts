import type { ArmedTimer } from '@qianqi/persistence';

/**
 * Hands armed timers to the queue. PostgreSQL is the truth; the queue gets the ones due within
 * its horizon (the rest are moved there by the scheduler job later).
 */
export abstract class TimerScheduler {
  abstract deliver(timers: ArmedTimer[]): Promise<void>;
}

/** For processes without a queue (scripts): timers stay in PostgreSQL until a worker schedules them. */
export class NoQueueScheduler extends TimerScheduler {
  async deliver(): Promise<void> {}
}
