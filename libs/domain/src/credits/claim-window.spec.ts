import {
  assertTimeZone,
  calendarDate,
  claimDeadline,
  claimWindowEnd,
  earnedYear,
  isClaimable,
  startOfYear,
} from './claim-window';

const at = (iso: string): Date => new Date(iso);

describe('R5: the claim window, read in a configured time zone', () => {
  describe('the FAQ example: credit earned in September 2024', () => {
    it('R5: is claimable until 31 December 2026 and refused from 1 January 2027 (UTC)', () => {
      const year = earnedYear(at('2024-09-15T10:00:00Z'), 'UTC');
      expect(year).toBe(2024);
      expect(claimDeadline(year)).toBe('2026-12-31');
      expect(isClaimable(year, at('2026-12-31T23:59:59.999Z'), 'UTC')).toBe(true);
      expect(isClaimable(year, at('2027-01-01T00:00:00.000Z'), 'UTC')).toBe(false);
    });
  });

  describe('the earned year at a year boundary', () => {
    it('R5: 23:30 on 31 December 2024 in New York is 2024 there, though UTC says 2025', () => {
      const instant = at('2025-01-01T04:30:00Z'); // 2024-12-31T23:30-05:00
      expect(earnedYear(instant, 'America/New_York')).toBe(2024);
      expect(earnedYear(instant, 'UTC')).toBe(2025);
      expect(calendarDate(instant, 'America/New_York')).toBe('2024-12-31');
    });

    it('R5: 00:30 on 1 January 2025 in Tokyo is 2025 there, though UTC says 2024', () => {
      const instant = at('2024-12-31T15:30:00Z'); // 2025-01-01T00:30+09:00
      expect(earnedYear(instant, 'Asia/Tokyo')).toBe(2025);
      expect(earnedYear(instant, 'UTC')).toBe(2024);
      expect(calendarDate(instant, 'Asia/Tokyo')).toBe('2025-01-01');
    });
  });

  describe('the window closes at the end of 31 December Y+2 in the zone', () => {
    it.each([
      ['UTC', '2027-01-01T00:00:00.000Z'],
      ['America/New_York', '2027-01-01T05:00:00.000Z'],
      ['Asia/Tokyo', '2026-12-31T15:00:00.000Z'],
      ['Asia/Kolkata', '2026-12-31T18:30:00.000Z'],
      ['Pacific/Kiritimati', '2026-12-31T10:00:00.000Z'],
    ])('R5: in %s credit earned in 2024 can be claimed until just before %s', (zone, end) => {
      expect(claimWindowEnd(2024, zone).toISOString()).toBe(end);
      const endMs = new Date(end).getTime();
      expect(isClaimable(2024, new Date(endMs - 1), zone)).toBe(true);
      expect(isClaimable(2024, new Date(endMs), zone)).toBe(false);
    });

    it('R5: the start of a year is found even in a zone observing daylight saving time in January', () => {
      // Sydney is on daylight time (UTC+11) on 1 January.
      expect(startOfYear(2025, 'Australia/Sydney').toISOString()).toBe('2024-12-31T13:00:00.000Z');
    });
  });

  it('refuses a time zone the runtime does not know', () => {
    expect(() => assertTimeZone('Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => assertTimeZone('Europe/Berlin')).not.toThrow();
  });
});
