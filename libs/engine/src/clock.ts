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
}

export class SystemClock extends Clock {
  now(): string {
    return new Date().toISOString();
  }
}

/**
 * CLOCK_MODE=manual: one clock shared by every process through PostgreSQL, frozen between moves
 * and moved only forward (POST /admin/clock). For demos and tests; refused in production.
 */
export class ManualClock extends Clock {
  private current: string;

  constructor(
    private readonly read: () => Promise<string | null>,
    private readonly write: (now: string) => Promise<boolean>,
    initial: string,
  ) {
    super();
    this.current = initial;
  }

  static async create(
    read: () => Promise<string | null>,
    write: (now: string) => Promise<boolean>,
    fallback: string,
  ) {
    let stored = await read();
    if (!stored) {
      await write(fallback);
      stored = (await read()) ?? fallback;
    }
    return new ManualClock(read, write, stored);
  }

  now(): string {
    return this.current;
  }

  override get manual(): boolean {
    return true;
  }

  override async sync(): Promise<string> {
    const stored = await this.read();
    if (stored && stored > this.current) this.current = stored;
    return this.current;
  }

  /** Returns false when `now` is behind the shared clock. */
  async set(now: string): Promise<boolean> {
    const ok = await this.write(now);
    await this.sync();
    return ok;
  }
}
