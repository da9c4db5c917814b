/**
 * Every job the worker runs: a name, a typed payload, and exactly one handler (checked at boot).
 * Job ids are deterministic so arming the same timer version twice is a no-op.
 */
export const TIMER_QUEUE = 'timers';

export enum JobName {
  FireTimer = 'fire-timer',
  ScheduleTimers = 'schedule-timers',
  ReconcileTimers = 'reconcile-timers',
}

export interface JobPayloads {
  /** `dueAt` (absent in jobs queued before it was added): the job is delivered a little early. */
  [JobName.FireTimer]: { timerId: string; version: number; dueAt?: string };
  [JobName.ScheduleTimers]: Record<string, never>;
  [JobName.ReconcileTimers]: Record<string, never>;
}

export type JobHandlers = { [K in JobName]: (payload: JobPayloads[K]) => Promise<unknown> };

export function timerJobId(timerId: string, version: number): string {
  return `${timerId}-${version}`;
}

/** Refuses to boot a worker whose handler map misses a job or names one the catalogue lacks. */
export function assertHandlers(handlers: Record<string, unknown>): void {
  const names = Object.values(JobName) as string[];
  const missing = names.filter((n) => typeof handlers[n] !== 'function');
  const unknown = Object.keys(handlers).filter((n) => !names.includes(n));
  if (missing.length || unknown.length) {
    throw new Error(
      `job catalogue mismatch: missing handlers ${missing.join(', ') || 'none'}; unknown ${unknown.join(', ') || 'none'}`,
    );
  }
}
