/**
 * The one reading of an instant that the ledger accepts, wherever one comes in (command bodies,
 * query strings, the CLI): a calendar date, a time and an explicit zone,
 * `YYYY-MM-DDThh:mm[:ss[.fraction]]` then `Z` or `±hh:mm` (RFC 3339, seconds optional).
 * Every part must exist: `2026-02-30`, `24:00`, `23:60`, a leap second or an offset of 24 hours
 * or more is refused, where JavaScript's own `Date.parse` would roll it over to another day.
 * Fractions finer than a millisecond are accepted and cut to the millisecond.
 */
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

export const INSTANT_FORMAT = 'YYYY-MM-DDThh:mm[:ss[.fff]] with Z or ±hh:mm';

/** The instant the text names, or undefined when it is not one (see INSTANT). */
export function parseInstant(text: string): Date | undefined {
  const m = INSTANT.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millisecond = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0–99 as 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offsetMinutes, second, millisecond);
  return date;
}

/**
 * An instant exactly as the event store records it (`Date#toISOString`: UTC, with seconds and
 * at most milliseconds), the text a hash chain covers; undefined for any other spelling, even
 * of the same instant.
 */
export function parseRecordedInstant(text: string): Date | undefined {
  const m = INSTANT.exec(text);
  if (!m || m[6] === undefined || (m[7] !== undefined && m[7].length > 3) || m[8] !== 'Z')
    return undefined;
  return parseInstant(text);
}

/** A calendar date as written, `YYYY-MM-DD` (month 01–12, day 01–31; not checked to exist). */
export const CALENDAR_DATE = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** True when the text is an instant parseInstant accepts. */
export const isInstant = (text: unknown): text is string =>
  typeof text === 'string' && parseInstant(text) !== undefined;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
