import type { DataSource, EntityManager } from 'typeorm';

export interface StoredCalendarYear {
  year: number;
  daysOff: string[];
  workdays: string[];
  loadedBy: string;
  loadedAt: string;
}

/** Calendar years an admin loaded (the event is in the calendar's own stream), and the manual clock. */
export class CalendarStore {
  constructor(private readonly ds: DataSource) {}

  async years(): Promise<StoredCalendarYear[]> {
    const rows = await this.ds.query(
      `SELECT year, days_off, workdays, loaded_by, loaded_at FROM calendar_years ORDER BY year`,
    );
    return rows.map((r: Record<string, any>) => ({
      year: r.year,
      daysOff: r.days_off,
      workdays: r.workdays,
      loadedBy: r.loaded_by,
      loadedAt: new Date(r.loaded_at).toISOString(),
    }));
  }

  /**
   * The years loaded as the calendar's stream records them, oldest first, each with its event's
   * global position (replay builds the calendar as it stood at a moment from these).
   */
  async recordedLoads(
    calendarStreamId: string,
  ): Promise<
    { position: number; occurredAt: string; year: number; daysOff: string[]; workdays: string[] }[]
  > {
    const rows = await this.ds.query(
      `SELECT position, data, metadata->>'occurredAt' AS occurred_at FROM events
        WHERE stream_id = $1 AND type = 'CalendarYearLoaded' ORDER BY version`,
      [calendarStreamId],
    );
    return rows.map((r: Record<string, any>) => ({
      position: Number(r.position),
      occurredAt: new Date(r.occurred_at).toISOString(),
      year: r.data.year,
      daysOff: r.data.daysOff,
      workdays: r.data.workdays,
    }));
  }

  /** The global position of each event of a stream, by version. */
  async positionsOf(streamId: string): Promise<Map<number, number>> {
    const rows = await this.ds.query(`SELECT version, position FROM events WHERE stream_id = $1`, [streamId]);
    return new Map(rows.map((r: Record<string, any>) => [Number(r.version), Number(r.position)]));
  }

  /** The global position of the last event of a stream recorded at exactly `at`, or null. */
  async lastPositionAt(streamId: string, at: string): Promise<number | null> {
    const rows = await this.ds.query(
      `SELECT max(position) AS p FROM events
        WHERE stream_id = $1 AND (metadata->>'occurredAt')::timestamptz = $2::timestamptz`,
      [streamId, at],
    );
    return rows[0].p === null ? null : Number(rows[0].p);
  }

  /** A fingerprint that changes whenever a year is loaded, so other processes know to reload. */
  async fingerprint(): Promise<string> {
    const rows = await this.ds.query(`SELECT count(*)::int AS n, max(loaded_at) AS at FROM calendar_years`);
    return `${rows[0].n}:${rows[0].at ? new Date(rows[0].at).toISOString() : ''}`;
  }

  async save(y: StoredCalendarYear, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO calendar_years (year, days_off, workdays, loaded_by, loaded_at) VALUES ($1,$2::jsonb,$3::jsonb,$4,$5)
       ON CONFLICT (year) DO UPDATE SET days_off = EXCLUDED.days_off, workdays = EXCLUDED.workdays,
              loaded_by = EXCLUDED.loaded_by, loaded_at = EXCLUDED.loaded_at`,
      [y.year, JSON.stringify(y.daysOff), JSON.stringify(y.workdays), y.loadedBy, y.loadedAt],
    );
  }

  async manualNow(): Promise<string | null> {
    const rows = await this.ds.query(`SELECT now AS t FROM clock_state WHERE id = 1`);
    return rows.length ? new Date(rows[0].t).toISOString() : null;
  }

  /** Sets the shared manual clock; never moves it back (the WHERE makes that atomic). */
  async setManualNow(now: string): Promise<boolean> {
    const rows = await this.ds.query(
      `INSERT INTO clock_state AS c (id, now, updated_at) VALUES (1, $1, now())
       ON CONFLICT (id) DO UPDATE SET now = EXCLUDED.now, updated_at = now() WHERE c.now <= EXCLUDED.now
       RETURNING now`,
      [now],
    );
    return rows.length > 0;
  }
}
