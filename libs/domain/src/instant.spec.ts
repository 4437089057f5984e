import fc from 'fast-check';
import { CALENDAR_DATE, parseInstant, parseRecordedInstant } from './instant';

describe('parseInstant: the one reading of an instant', () => {
  it('reads an instant with Z or an offset, with or without seconds and fractions', () => {
    expect(parseInstant('2026-03-14T09:30:00Z')?.toISOString()).toBe('2026-03-14T09:30:00.000Z');
    expect(parseInstant('2026-03-14T09:30Z')?.toISOString()).toBe('2026-03-14T09:30:00.000Z');
    expect(parseInstant('2026-03-14T10:30:00.5+01:00')?.toISOString()).toBe(
      '2026-03-14T09:30:00.500Z',
    );
    expect(parseInstant('2026-03-14T04:00:00.123456789-05:30')?.toISOString()).toBe(
      '2026-03-14T09:30:00.123Z',
    );
    expect(parseInstant('2024-02-29T00:00:00Z')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(parseInstant('0050-01-01T00:00:00Z')?.getUTCFullYear()).toBe(50);
  });

  it('refuses days, hours and offsets that do not exist, which Date.parse would roll over', () => {
    const rolledOver = [
      '2026-02-30T00:00:00Z',
      '2026-02-29T00:00:00Z',
      '2100-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-11-01T24:00:00Z',
    ];
    for (const text of rolledOver) {
      expect(Number.isNaN(Date.parse(text))).toBe(false);
      expect(parseInstant(text)).toBeUndefined();
    }
    for (const text of [
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-01-00T00:00:00Z',
      '2026-11-01T10:60:00Z',
      '2026-06-30T23:59:60Z',
      '2026-11-01T10:00:00+24:00',
      '2026-11-01T10:00:00+01:60',
      '2026-11-01T10:00:00.1234567891Z',
      '2026-11-01T10:00:00',
      '2026-11-01 10:00:00Z',
      '2026-11-01',
      '20261101T100000Z',
      '2026-W44-1T10:00:00Z',
      '+275760-09-13T00:00:00Z',
      ' 2026-11-01T10:00:00Z',
      '2026-11-01T10:00:00Z\n',
      '２０２６-11-01T10:00:00Z',
      '',
    ]) {
      expect(parseInstant(text)).toBeUndefined();
    }
  });

  it('reads back every instant written by toISOString, to the millisecond', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z') }),
        (date) => {
          fc.pre(!Number.isNaN(date.getTime()));
          expect(parseInstant(date.toISOString())?.getTime()).toBe(date.getTime());
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('agrees with Date.parse on every well-formed text whose parts exist, and refuses the rest', () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const text = fc
      .tuple(
        fc.integer({ min: 1000, max: 9999 }),
        two(14),
        two(33),
        two(25),
        two(61),
        two(61),
        fc.constantFrom('Z', '+00:00', '-05:30', '+13:45', '+24:00', '-01:61'),
      )
      .map(([y, mo, d, h, mi, s, zone]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${zone}`);
    fc.assert(
      fc.property(text, (t) => {
        const parsed = parseInstant(t);
        const [, y, mo, d, h, mi, s] = /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)/.exec(t)!.map(Number);
        const exists =
          new Date(Date.UTC(y!, mo! - 1, d!)).getUTCDate() === d &&
          mo! >= 1 &&
          mo! <= 12 &&
          h! <= 23 &&
          mi! <= 59 &&
          s! <= 59 &&
          !/\+24:00|-01:61/.test(t);
        if (exists) expect(parsed?.getTime()).toBe(Date.parse(t));
        else expect(parsed).toBeUndefined();
      }),
      { numRuns: 5000 },
    );
  });
});

describe('parseRecordedInstant: an instant as the store records it', () => {
  it('reads what toISOString writes, and every shorter fraction of it', () => {
    expect(parseRecordedInstant('2026-03-14T09:30:00.123Z')?.toISOString()).toBe(
      '2026-03-14T09:30:00.123Z',
    );
    expect(parseRecordedInstant('2026-03-14T09:30:00Z')?.toISOString()).toBe(
      '2026-03-14T09:30:00.000Z',
    );
  });

  it('refuses the same instant spelled otherwise: an offset, no seconds, finer than a millisecond', () => {
    expect(parseRecordedInstant('2026-03-14T10:30:00+01:00')).toBeUndefined();
    expect(parseRecordedInstant('2026-03-14T09:30Z')).toBeUndefined();
    expect(parseRecordedInstant('2026-03-14T09:30:00.1234Z')).toBeUndefined();
    expect(parseRecordedInstant('2026-02-30T09:30:00Z')).toBeUndefined();
  });
});

describe('CALENDAR_DATE: a date as written', () => {
  it('matches YYYY-MM-DD with a month 01-12 and a day 01-31 only', () => {
    expect(CALENDAR_DATE.test('2026-12-31')).toBe(true);
    expect(
      ['2026-13-01', '2026-00-10', '2026-01-32', '2026-1-05', '2026-01-05T00:00Z'].some((t) =>
        CALENDAR_DATE.test(t),
      ),
    ).toBe(false);
  });
});
