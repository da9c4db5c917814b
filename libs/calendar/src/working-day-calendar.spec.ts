import { WorkingDayCalendar } from '@qianqi/calendar';
import { DESIGN_2026 } from './calendar-2026.fixture';

// Independent of the package: only the DESIGN.md list for 2026 is known.
const cal = WorkingDayCalendar.fromYears([DESIGN_2026]);

describe('WorkingDayCalendar — individual 2026 dates', () => {
  it.each([
    ['2026-01-04', true, 'Sunday, 元旦 make-up working day'],
    ['2026-01-02', false, 'Friday, 元旦'],
    ['2026-02-14', true, 'Saturday, 春节 make-up working day'],
    ['2026-02-16', false, 'Monday, 春节'],
    ['2026-02-23', false, 'Monday, last day of 春节'],
    ['2026-02-24', true, 'Tuesday after 春节'],
    ['2026-02-28', true, 'Saturday, 春节 make-up working day'],
    ['2026-05-09', true, 'Saturday, 劳动节 make-up working day'],
    ['2026-09-20', true, 'Sunday, 国庆 make-up working day'],
    ['2026-10-07', false, 'Wednesday, 国庆'],
    ['2026-10-10', true, 'Saturday, 国庆 make-up working day'],
    ['2026-03-07', false, 'an ordinary Saturday'],
    ['2026-03-08', false, 'an ordinary Sunday'],
    ['2026-03-09', true, 'an ordinary Monday'],
  ])('%s working=%s (%s)', (date, working) => {
    expect(cal.isWorkingDay(date)).toEqual({ working, provisional: false });
  });

  it('rejects malformed dates instead of rolling them over', () => {
    expect(() => cal.isWorkingDay('2026-02-30')).toThrow(RangeError);
    expect(() => cal.isWorkingDay('2026-2-3')).toThrow(RangeError);
  });
});

describe('WorkingDayCalendar — counting across holidays', () => {
  it('春节: accepted Thu 2026-02-12, 5 WD', () => {
    // Hand count: 2/13 Fri = 1, 2/14 Sat (make-up) = 2, 2/15–2/23 off, 2/24 Tue = 3,
    // 2/25 Wed = 4, 2/26 Thu = 5.
    expect(cal.addWorkingDays('2026-02-12', 5)).toEqual({ date: '2026-02-26', provisional: false });
    expect(cal.workingDaysBetween('2026-02-12', '2026-02-26')).toEqual({ days: 5, provisional: false });
    expect(cal.workingDaysBetween('2026-02-14', '2026-02-23')).toEqual({ days: 0, provisional: false });
  });

  it('国庆 with the 10/10 make-up day: accepted Tue 2026-09-29, 5 WD', () => {
    // Hand count: 9/30 Wed = 1, 10/1–10/7 off, 10/8 Thu = 2, 10/9 Fri = 3, 10/10 Sat (make-up) = 4,
    // 10/11 Sun off, 10/12 Mon = 5.
    expect(cal.addWorkingDays('2026-09-29', 5)).toEqual({ date: '2026-10-12', provisional: false });
  });

  it('the 9/20 Sunday make-up day counts: accepted Fri 2026-09-18, 2 WD', () => {
    // Hand count: 9/19 Sat off, 9/20 Sun (make-up) = 1, 9/21 Mon = 2.
    expect(cal.addWorkingDays('2026-09-18', 2).date).toBe('2026-09-21');
  });

  it('counts a whole year', () => {
    // Hand count: 365 days, 1/1 is a Thursday → 104 weekend days, 261 weekdays; days off on a
    // weekday: 1/1, 1/2; 2/16–2/20, 2/23; 5/1, 5/4, 5/5; 10/1, 10/2, 10/5, 10/6, 10/7 = 16;
    // make-up days (all on weekends) = 6 → 261 − 16 + 6 = 251.
    expect(cal.workingDaysBetween('2025-12-31', '2026-12-31')).toEqual({ days: 251, provisional: false });
  });

  it('n = 0 is the day itself, and an empty or reversed range counts 0', () => {
    expect(cal.addWorkingDays('2026-02-16', 0)).toEqual({ date: '2026-02-16', provisional: false });
    expect(cal.workingDaysBetween('2026-02-26', '2026-02-26').days).toBe(0);
    expect(cal.workingDaysBetween('2026-02-26', '2026-02-12').days).toBe(0);
    expect(() => cal.addWorkingDays('2026-02-12', -1)).toThrow(RangeError);
  });

  it('addWorkingDays and workingDaysBetween agree day by day over a year', () => {
    for (let n = 1; n <= 260; n++) {
      const { date } = cal.addWorkingDays('2026-01-01', n);
      expect(cal.isWorkingDay(date).working).toBe(true);
      expect(cal.workingDaysBetween('2026-01-01', date).days).toBe(n);
    }
  });
});

describe('WorkingDayCalendar — unknown years', () => {
  it('a year the calendar does not know is weekends-only and provisional', () => {
    expect(cal.knowsYear(2031)).toBe(false);
    // 2031-10-01 is a Wednesday; a real 国庆 would be off, but the calendar cannot know that yet.
    expect(cal.isWorkingDay('2031-10-01')).toEqual({ working: true, provisional: true });
    expect(cal.isWorkingDay('2031-10-04')).toEqual({ working: false, provisional: true });
    // Hand count (weekends only): 10/1 Wed = 1, 10/2 Thu = 2, 10/3 Fri = 3, 10/6 Mon = 4, 10/7 Tue = 5.
    expect(cal.addWorkingDays('2031-09-30', 5)).toEqual({ date: '2031-10-07', provisional: true });
  });

  it('a span leaving a known year becomes provisional only when it enters the unknown one', () => {
    // 12/31 Thu is in 2026 (known); 2027-01-01 Fri counts as working on weekends alone.
    expect(cal.addWorkingDays('2026-12-30', 1)).toEqual({ date: '2026-12-31', provisional: false });
    // Hand count: 12/31 Thu = 1, 2027-01-01 Fri = 2, 1/2–1/3 weekend, 1/4 Mon = 3.
    expect(cal.addWorkingDays('2026-12-30', 3)).toEqual({ date: '2027-01-04', provisional: true });
    expect(cal.addWorkingDays('2026-12-31', 1)).toEqual({ date: '2027-01-01', provisional: true });
    expect(cal.workingDaysBetween('2026-12-30', '2027-01-04')).toEqual({ days: 3, provisional: true });
  });

  it('loading the year with withYears makes it known and moves dates onto the real holidays', () => {
    // A hypothetical 2031 notice: 国庆 10/1–10/7 off, make-up days Sun 9/28 and Sat 10/11.
    const cal2031 = cal.withYears([
      {
        year: 2031,
        daysOff: ['2031-10-01', '2031-10-02', '2031-10-03', '2031-10-06', '2031-10-07'],
        workdays: ['2031-09-28', '2031-10-11'],
      },
    ]);
    expect(cal2031.knowsYear(2031)).toBe(true);
    expect(cal2031.knownYears()).toEqual([2026, 2031]);
    // Hand count: 10/1–10/7 off, 10/8 Wed = 1, 10/9 Thu = 2, 10/10 Fri = 3, 10/11 Sat (make-up) = 4,
    // 10/12 Sun off, 10/13 Mon = 5.
    expect(cal2031.addWorkingDays('2031-09-30', 5)).toEqual({ date: '2031-10-13', provisional: false });
    // The original calendar is untouched (calendars are immutable).
    expect(cal.knowsYear(2031)).toBe(false);
    expect(cal.addWorkingDays('2031-09-30', 5).date).toBe('2031-10-07');
  });

  it('refuses malformed year data', () => {
    const bad =
      (daysOff: string[], workdays: string[] = []) =>
      () =>
        cal.withYears([{ year: 2031, daysOff, workdays }]);
    expect(bad(['2030-12-31'])).toThrow(/another year/);
    expect(bad(['2031-02-29'])).toThrow(RangeError);
    expect(bad(['2031-10-11'], ['2031-10-11'])).toThrow(/both/);
    const y = { year: 2031, daysOff: [], workdays: [] };
    expect(() => cal.withYears([y, y])).toThrow(/twice/);
  });
});

describe('WorkingDayCalendar — bundled chinese-days data', () => {
  const bundled = WorkingDayCalendar.bundled();

  it('is built once', () => {
    expect(WorkingDayCalendar.bundled()).toBe(bundled);
  });

  it('covers 2004–2026 and not 2031', () => {
    const years = bundled.knownYears();
    expect(years[0]).toBe(2004);
    for (let y = 2004; y <= 2026; y++) expect(bundled.knowsYear(y)).toBe(true);
    expect(bundled.knowsYear(2003)).toBe(false);
    expect(bundled.knowsYear(2031)).toBe(false);
    expect(bundled.isWorkingDay('2031-10-01').provisional).toBe(true);
  });

  it('has the DESIGN.md 2026 days, plus 清明, 端午 and 中秋 which DESIGN.md omits', () => {
    for (const d of DESIGN_2026.daysOff)
      expect(bundled.isWorkingDay(d)).toEqual({ working: false, provisional: false });
    for (const d of DESIGN_2026.workdays)
      expect(bundled.isWorkingDay(d)).toEqual({ working: true, provisional: false });
    // Weekday holidays of the official notice that the DESIGN.md list leaves out.
    for (const d of ['2026-04-06', '2026-06-19', '2026-09-25'])
      expect(bundled.isWorkingDay(d).working).toBe(false);
    // So the bundled year has 3 working days fewer than the hand count of 251.
    expect(bundled.workingDaysBetween('2025-12-31', '2026-12-31').days).toBe(248);
  });

  it('agrees with the hand-worked spans that avoid those three days', () => {
    expect(bundled.addWorkingDays('2026-02-12', 5).date).toBe('2026-02-26');
    expect(bundled.addWorkingDays('2026-09-29', 5).date).toBe('2026-10-12');
    expect(bundled.addWorkingDays('2026-09-18', 2).date).toBe('2026-09-21');
  });

  it('loaded data overrides a bundled year', () => {
    // A made-up replacement for 2026 with a single day off, to make the override visible.
    const overridden = bundled.withYears([{ year: 2026, daysOff: ['2026-03-02'], workdays: [] }]);
    expect(overridden.isWorkingDay('2026-02-16')).toEqual({ working: true, provisional: false }); // 春节 gone
    expect(overridden.isWorkingDay('2026-02-14').working).toBe(false); // make-up day gone
    expect(overridden.isWorkingDay('2026-03-02').working).toBe(false);
    // Other bundled years are kept.
    expect(overridden.isWorkingDay('2025-10-01')).toEqual({ working: false, provisional: false });
    // Hand count: 2/13 Fri = 1, 2/16 Mon = 2, 2/17 = 3, 2/18 = 4, 2/19 = 5.
    expect(overridden.addWorkingDays('2026-02-12', 5).date).toBe('2026-02-19');
    expect(bundled.isWorkingDay('2026-02-16').working).toBe(false);
  });
});
