import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CalendarStore } from '@qianqi/persistence';
import { CalendarDeadlines } from '../calendar-deadlines';
import { Clock, ManualClock } from '../clock';

const EVERY_MS = 1000;

/**
 * Keeps every process on the same calendar and (manual mode) the same clock: loaded at boot, then
 * re-read when the database says another process changed them.
 */
@Injectable()
export class CalendarSync implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('CalendarSync');
  private fingerprint = '';
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly calendars: CalendarStore,
    private readonly deadlines: CalendarDeadlines,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(
      () => this.refresh().catch((err) => this.logger.warn(`calendar refresh failed: ${err.message}`)),
      EVERY_MS,
    );
    this.timer.unref();
  }

  async refresh(): Promise<void> {
    if (this.clock instanceof ManualClock) await this.clock.sync();
    const fp = await this.calendars.fingerprint();
    if (fp === this.fingerprint) return;
    const years = await this.calendars.years();
    this.deadlines.load(years.map((y) => ({ year: y.year, daysOff: y.daysOff, workdays: y.workdays })));
    this.fingerprint = fp;
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
