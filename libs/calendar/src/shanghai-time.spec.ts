import { addCalendarDays, endOfShanghaiDay, shanghaiDate } from '@qianqi/calendar';
import { civilFromDay, dayFromCivil, formatCivilDate, parseCivilDate, weekdayOfDay } from './civil-date';

describe('shanghaiDate', () => {
  it.each([
    ['2026-02-11T16:00:00.000Z', '2026-02-12'], // 00:00 Shanghai
    ['2026-02-12T03:00:00.000Z', '2026-02-12'],
    ['2026-02-12T15:59:59.999Z', '2026-02-12'], // last instant of the Shanghai day
    ['2026-02-12T16:00:00.000Z', '2026-02-13'],
    ['2026-02-12T09:00:00+08:00', '2026-02-12'],
    ['2026-12-31T16:00:00Z', '2027-01-01'],
    ['2028-02-28T16:00Z', '2028-02-29'],
  ])('%s is %s in Shanghai', (instant, date) => {
    expect(shanghaiDate(instant)).toBe(date);
  });

  it('refuses instants without a zone or on impossible days', () => {
    expect(() => shanghaiDate('2026-02-12T03:00:00')).toThrow(RangeError); // would be host-local
    expect(() => shanghaiDate('2026-02-12')).toThrow(RangeError);
    expect(() => shanghaiDate('2026-02-30T03:00:00Z')).toThrow(RangeError);
  });
});

describe('endOfShanghaiDay', () => {
  it('is 23:59:59 Shanghai as a UTC ISO string with milliseconds', () => {
    expect(endOfShanghaiDay('2026-01-05')).toBe('2026-01-05T15:59:59.000Z');
    expect(endOfShanghaiDay('2026-02-26')).toBe('2026-02-26T15:59:59.000Z');
    expect(shanghaiDate(endOfShanghaiDay('2026-12-31'))).toBe('2026-12-31');
  });
});

describe('civil dates', () => {
  it('day numbers round-trip and match the epoch', () => {
    expect(dayFromCivil(1970, 1, 1)).toBe(0);
    expect(weekdayOfDay(parseCivilDate('2026-01-01'))).toBe(4); // Thursday
    expect(weekdayOfDay(parseCivilDate('2026-02-14'))).toBe(6); // Saturday
    for (let d = parseCivilDate('1999-12-01'); d < parseCivilDate('2101-03-01'); d += 17) {
      const { year, month, day } = civilFromDay(d);
      expect(dayFromCivil(year, month, day)).toBe(d);
      expect(parseCivilDate(formatCivilDate(d))).toBe(d);
    }
  });

  it('addCalendarDays crosses months and leap days', () => {
    expect(addCalendarDays('2026-02-12', 10)).toBe('2026-02-22');
    expect(addCalendarDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addCalendarDays('2026-12-25', 10)).toBe('2027-01-04');
    expect(addCalendarDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});
