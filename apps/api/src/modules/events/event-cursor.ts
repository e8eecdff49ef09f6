import { LATEST_INSTANT } from '../../common/http/date-input';

const INT8_MAX = 2n ** 63n - 1n;
const LATEST_MICROS = BigInt(LATEST_INSTANT) * 1000n + 999n;

/** Where a page of events ends: the last event's `created_at` in µs since the epoch, and its id. */
export class EventCursor {
  constructor(
    readonly micros: bigint,
    readonly id: bigint,
  ) {}
}

/**
 * A page's `nextCursor` (`<micros>.<id>`), or null when it is not one this API could have written: both parts plain
 * digits, the time at most 9999-12-31 and the id within PostgreSQL `bigint`, so nothing overflows in the query.
 */
export function parseEventCursor(text: string): EventCursor | null {
  const match = /^(\d{1,18})\.(\d{1,19})$/.exec(text);
  if (!match) return null;
  const [micros, id] = [BigInt(match[1]), BigInt(match[2])];
  return micros <= LATEST_MICROS && id <= INT8_MAX ? new EventCursor(micros, id) : null;
}
