import { ParsedInput } from './validation';

/** Every date a client sends falls within these years (and every date we compute from one, e.g. an extension). */
export const FIRST_YEAR = 2000;
export const LAST_YEAR = 9999;
export const EARLIEST_INSTANT = Date.UTC(FIRST_YEAR, 0, 1);
export const LATEST_INSTANT = Date.UTC(LAST_YEAR, 11, 31, 23, 59, 59, 999);

/** A calendar date without a time (`2027-01-31`), placed in a time zone by whoever uses it. */
export class CalendarDay {
  constructor(
    readonly year: number,
    readonly month: number,
    readonly day: number,
  ) {}
}

/** RFC 3339 `date-time`: full date, `T`, full time with optional fraction, and `Z` or a numeric offset. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
/** RFC 3339 `full-date`. */
const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDay(year: number, month: number, day: number): boolean {
  if (year < FIRST_YEAR || year > LAST_YEAR || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * An RFC 3339 date-time as an instant, or null: every field in its range (no 24:00, no leap second, no 02-30), the
 * instant itself within the years 2000–9999. The week and ordinal forms ISO 8601 also allows (`2026-W01`,
 * `2026-100`), basic format (`20260101T000000Z`), signed or extended years and a missing offset are null.
 */
export function parseDateTime(text: string): Date | null {
  const match = DATE_TIME.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const [fraction = '', sign, offsetHours = '0', offsetMinutes = '0'] = match.slice(7);
  if (!validDay(year, month, day) || hour > 23 || minute > 59 || second > 59) return null;
  if (Number(offsetHours) > 23 || Number(offsetMinutes) > 59) return null;
  const offsetMs = (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const instant = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMs;
  return instant >= EARLIEST_INSTANT && instant <= LATEST_INSTANT ? new Date(instant) : null;
}

/** An RFC 3339 full-date (`2027-01-31`) within the years 2000–9999, or null. */
export function parseCalendarDay(text: string): CalendarDay | null {
  const match = FULL_DATE.exec(text);
  if (!match) return null;
  const [year, month, day] = match.slice(1).map(Number);
  return validDay(year, month, day) ? new CalendarDay(year, month, day) : null;
}

/**
 * The one rule for a date in a body or query string: an RFC 3339 date-time (and, with `calendarDay`, a plain date),
 * parsed once into a `Date` (or `CalendarDay`) that the handler receives; anything else is 400 naming the field.
 * Put `IsOptional()`/`ValidateIf()` next to it for optional or nullable fields.
 */
export function DateInput(options: { calendarDay?: boolean } = {}): PropertyDecorator {
  const years = `in the years ${FIRST_YEAR} to ${LAST_YEAR}`;
  return options.calendarDay
    ? ParsedInput(
        (text) => parseDateTime(text) ?? parseCalendarDay(text),
        (value) => value instanceof Date || value instanceof CalendarDay,
        `an RFC 3339 date-time such as 2027-01-31T00:00:00Z or a date such as 2027-01-31, ${years}`,
      )
    : ParsedInput(
        parseDateTime,
        (value) => value instanceof Date,
        `an RFC 3339 date-time such as 2027-01-31T00:00:00Z, ${years}`,
      );
}
