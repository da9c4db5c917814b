/**
 * Public shapes of the calendar library. Plain data only, so they can travel through the
 * database, queues and HTTP unchanged.
 */

/** WD = working days (statutory calendar with 调休), ND = natural (calendar) days. */
export type LimitUnit = 'WD' | 'ND';

export interface Limit {
  n: number;
  unit: LimitUnit;
}

/**
 * One year of the statutory calendar as published by the 国务院 each November.
 * `daysOff` are holidays (weekend days inside a holiday block may be listed or not, it makes no
 * difference); `workdays` are the 调休 make-up working days that fall on a weekend.
 */
export interface CalendarYear {
  year: number;
  daysOff: string[]; // YYYY-MM-DD
  workdays: string[]; // YYYY-MM-DD
}

/** A stopped-clock span between two ISO 8601 UTC instants; no `to` means still stopped. */
export interface Span {
  from: string;
  to?: string | null;
}

export interface DeadlineInput {
  /** Instant of acceptance (受理); its Shanghai date is day 0. */
  startedAt: string;
  limit: Limit;
  /** Clock stops: 补正 corrections, 特别程序 special procedures, pauses. Any order, may overlap. */
  stops: Span[];
  /** The instant "now"; passed in so the computation is pure and replayable. */
  now: string;
}

export interface Deadline {
  /** UTC ISO instant (with milliseconds) of 23:59:59 Shanghai on the last day of the limit. */
  dueAt: string;
  /** True when a date consulted lies in a year the calendar has no statutory data for. */
  provisional: boolean;
  /** Units elapsed since day 0 up to and including today, not counting stopped days. */
  used: number;
  /** limit.n - used; negative once overdue. */
  left: number;
}
