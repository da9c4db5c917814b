/** The one source of "now" for services; the domain and workflows receive time as arguments. */
export abstract class Clock {
  abstract now(): string;
  /** Re-reads a shared clock (manual mode); the system clock has nothing to read. */
  async sync(): Promise<string> {
    return this.now();
  }
  get manual(): boolean {
    return false;
  }
  /** False only for a manual clock nobody has set yet (it reads the system time until then). */
  get isSet(): boolean {
    return true;
  }
}

export class SystemClock extends Clock {
  now(): string {
    return new Date().toISOString();
  }
}

/**
 * CLOCK_MODE=manual: one clock shared by every process through PostgreSQL, frozen between moves
 * and moved only forward (POST /admin/clock). For demos and tests; refused in production.
 *
 * A fresh database has no clock yet: until the first POST /admin/clock it reads the system time,
 * and that first move may set any instant (a scenario in February on a machine whose date is
 * December). Nothing is written at boot, so booting never decides the starting day.
 */
export class ManualClock extends Clock {
  private current: string | null;

  constructor(
    private readonly read: () => Promise<string | null>,
    private readonly write: (now: string) => Promise<boolean>,
    initial: string | null,
  ) {
    super();
    this.current = initial;
  }

  static async create(read: () => Promise<string | null>, write: (now: string) => Promise<boolean>) {
    return new ManualClock(read, write, await read());
  }

  now(): string {
    return this.current ?? new Date().toISOString();
  }

  override get manual(): boolean {
    return true;
  }

  override get isSet(): boolean {
    return this.current !== null;
  }

  override async sync(): Promise<string> {
    const stored = await this.read();
    if (stored && (this.current === null || stored > this.current)) this.current = stored;
    return this.now();
  }

  /**
   * Returns false when `now` is behind the shared clock. While the clock is unset any instant is
   * taken (the stored row is created); from then on it only moves forward.
   */
  async set(now: string): Promise<boolean> {
    const ok = await this.write(now);
    await this.sync();
    return ok;
  }
}
