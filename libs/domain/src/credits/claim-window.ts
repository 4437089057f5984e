/**
 * R5: credit earned in calendar year Y may be claimed until the end of 31 December Y+2.
 * The calendar is read in one configured IANA time zone (default UTC) with Intl: pure, no
 * system clock, no host time zone.
 */

export const DEFAULT_TIME_ZONE = 'UTC';
/** R5: how many calendar years after the earned year a claim stays open. */
export const CLAIM_WINDOW_EXTRA_YEARS = 2;

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function assertTimeZone(timeZone: string): void {
  if (!isValidTimeZone(timeZone)) {
    throw new RangeError(`"${timeZone}" is not an IANA time zone this runtime knows`);
  }
}

function assertValidDate(at: Date): void {
  if (Number.isNaN(at.getTime())) throw new RangeError('invalid date');
}

function wallClock(epochMs: number, timeZone: string): WallClock {
  const parts = formatterFor(timeZone).formatToParts(new Date(epochMs));
  const part = (type: Intl.DateTimeFormatPartTypes): number => {
    const found = parts.find((p) => p.type === type);
    if (found === undefined) throw new RangeError(`no ${type} in the ${timeZone} calendar`);
    return Number.parseInt(found.value, 10);
  };
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
  };
}

/** The zone's offset from UTC at an instant, in milliseconds (New York in winter: -5 h). */
function offsetMs(epochMs: number, timeZone: string): number {
  const wall = wallClock(epochMs, timeZone);
  const wallAsUtc = Date.UTC(
    wall.year,
    wall.month - 1,
    wall.day,
    wall.hour,
    wall.minute,
    wall.second,
  );
  return wallAsUtc - Math.floor(epochMs / 1000) * 1000;
}

/** The first instant of a local calendar day in the zone. */
export function startOfLocalDay(year: number, month: number, day: number, timeZone: string): Date {
  const wallAsUtc = Date.UTC(year, month - 1, day);
  const firstGuess = wallAsUtc - offsetMs(wallAsUtc, timeZone);
  // A second pass settles days where the offset at the guess differs (a DST change near it).
  return new Date(wallAsUtc - offsetMs(firstGuess, timeZone));
}

const yearStarts = new Map<string, number>();

/** The first instant of 1 January of `year` in the zone (memoized: zone rules are fixed data). */
export function startOfYear(year: number, timeZone: string): Date {
  const key = `${timeZone}|${year}`;
  let start = yearStarts.get(key);
  if (start === undefined) {
    start = startOfLocalDay(year, 1, 1, timeZone).getTime();
    yearStarts.set(key, start);
  }
  return new Date(start);
}

/** The calendar year an instant falls in, in the zone (R5: the earned year). */
export function earnedYear(at: Date, timeZone: string): number {
  assertValidDate(at);
  return wallClock(at.getTime(), timeZone).year;
}

/** The local calendar date of an instant in the zone, as `YYYY-MM-DD`. */
export function calendarDate(at: Date, timeZone: string): string {
  assertValidDate(at);
  const wall = wallClock(at.getTime(), timeZone);
  const pad = (n: number, width: number): string => n.toString().padStart(width, '0');
  return `${pad(wall.year, 4)}-${pad(wall.month, 2)}-${pad(wall.day, 2)}`;
}

/** R5: the last day credit earned in `year` may be claimed, as a date: 2024 → "2026-12-31". */
export const claimDeadline = (year: number): string => `${year + CLAIM_WINDOW_EXTRA_YEARS}-12-31`;

/**
 * R5: the instant the claim window of `year` closes (exclusive): the first instant of
 * 1 January Y+3 in the zone, i.e. just after the end of 31 December Y+2 there.
 */
export const claimWindowEnd = (year: number, timeZone: string): Date =>
  startOfYear(year + CLAIM_WINDOW_EXTRA_YEARS + 1, timeZone);

/** R5: whether credit earned in `year` can still be claimed at `at`. */
export function isClaimable(year: number, at: Date, timeZone: string): boolean {
  assertValidDate(at);
  return at.getTime() < claimWindowEnd(year, timeZone).getTime();
}
