/**
 * Coalesces calls to one async task: a call while a run is in flight gets the run queued after
 * it (so it still covers whatever made the caller ask), and every call made meanwhile shares that
 * one queued run. At most one run at a time, at most one waiting.
 */
export class SingleFlight<T> {
  private running?: Promise<T>;
  private queued?: Promise<T>;

  constructor(private readonly task: () => Promise<T>) {}

  run(): Promise<T> {
    if (!this.running) {
      this.running = this.task().finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.run();
      });
    return this.queued;
  }
}
