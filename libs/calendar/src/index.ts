/**
 * @qianqi/calendar — pure working-day calendar and deadline computation.
 * No clock, no I/O: every instant is an argument, so results are reproducible in tests and
 * replays and identical in the API and the worker.
 */
export type { CalendarYear, Deadline, DeadlineInput, Limit, LimitUnit, Span } from './calendar.types';
export { WorkingDayCalendar } from './working-day-calendar';
export { computeDeadline } from './deadline';
export { endOfShanghaiDay, shanghaiDate } from './shanghai-time';
export { addCalendarDays } from './civil-date';
