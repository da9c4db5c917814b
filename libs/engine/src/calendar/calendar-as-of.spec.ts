import { calendarYearsAsOf, loadedAtInstant, type RecordedCalendarLoad } from './calendar-as-of';

describe('calendarYearsAsOf — the loaded years as the calendar stood at a moment', () => {
  const y2027a = { year: 2027, daysOff: ['2027-01-01'], workdays: [] };
  const y2027b = { year: 2027, daysOff: ['2027-01-01', '2027-01-04'], workdays: [] };
  const y2028 = { year: 2028, daysOff: ['2028-01-03'], workdays: [] };
  const loads: RecordedCalendarLoad[] = [
    { position: 10, occurredAt: '2026-12-14T02:00:00.000Z', year: y2027a },
    { position: 20, occurredAt: '2026-12-15T02:00:00.000Z', year: y2028 },
    { position: 30, occurredAt: '2026-12-16T02:00:00.000Z', year: y2027b },
  ];

  it('counts the loads recorded before the moment, a later load of a year replacing the earlier', () => {
    expect(calendarYearsAsOf(loads, '2026-12-13T00:00:00.000Z', null)).toEqual([]);
    expect(calendarYearsAsOf(loads, '2026-12-14T03:00:00.000Z', null)).toEqual([y2027a]);
    expect(calendarYearsAsOf(loads, '2026-12-15T03:00:00.000Z', null)).toEqual([y2027a, y2028]);
    expect(calendarYearsAsOf(loads, '2026-12-17T00:00:00.000Z', null)).toEqual([y2027b, y2028]);
  });

  it('compares instants, not strings (any zone the moment is written in)', () => {
    expect(calendarYearsAsOf(loads, '2026-12-14T10:30:00+08:00', null)).toEqual([y2027a]);
    expect(calendarYearsAsOf(loads, '2026-12-14T09:59:59+08:00', null)).toEqual([]);
  });

  it('at the very instant of a load: counted, unless the procedure was last written to before it then', () => {
    const at = '2026-12-14T02:00:00.000Z';
    expect(loadedAtInstant(loads, at)).toBe(true);
    expect(loadedAtInstant(loads, '2026-12-14T02:00:00.001Z')).toBe(false);
    // Nothing happened to the procedure at that instant: the instant taken whole.
    expect(calendarYearsAsOf(loads, at, null)).toEqual([y2027a]);
    // Its acceptance (position 5) came before the load: the acceptance's calendar.
    expect(calendarYearsAsOf(loads, at, 5)).toEqual([]);
    // Something written after the load at that instant already saw it.
    expect(calendarYearsAsOf(loads, at, 11)).toEqual([y2027a]);
  });

  it('does not depend on the order the loads are given in', () => {
    expect(calendarYearsAsOf([...loads].reverse(), '2026-12-17T00:00:00.000Z', null)).toEqual([
      y2027b,
      y2028,
    ]);
  });
});
