import type { Limit } from '@qianqi/workflows';

export interface DeadlineSpan {
  from: string;
  to?: string | null;
}

export interface ComputedDeadline {
  dueAt: string;
  provisional: boolean;
  used: number;
  left: number;
}

/** How the view asks for deadlines: the calendar library implements it, tests may too. */
export interface DeadlineCalculator {
  deadline(input: { startedAt: string; limit: Limit; stops: DeadlineSpan[]; now: string }): ComputedDeadline;
  /** The instant `days` working days after `at` ends (for commitments). */
  workingDaysAfter(at: string, days: number): { dueAt: string; provisional: boolean };
}
