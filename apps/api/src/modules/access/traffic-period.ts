import { DateTime } from 'luxon';
import type { TrafficReset } from '../users/access-status';

/**
 * When the traffic period that started at `periodStart` ends, by the user's `trafficReset`, in time zone `zone`
 * (IANA name, `ACCESS_TIMEZONE`): `day` next local midnight, `week` next Monday 00:00, `month` the 1st at 00:00,
 * `month_rolling` the same day and time a month after the start (the 31st becomes the month's last day). Null for
 * `none`. Daylight-saving changes follow the zone (luxon).
 */
export function nextResetAt(reset: TrafficReset, periodStart: Date, zone: string): Date | null {
  const start = DateTime.fromJSDate(periodStart, { zone });
  switch (reset) {
    case 'none':
      return null;
    case 'day':
      return start.plus({ days: 1 }).startOf('day').toJSDate();
    case 'week':
      return start.startOf('week').plus({ weeks: 1 }).toJSDate();
    case 'month':
      return start.startOf('month').plus({ months: 1 }).toJSDate();
    case 'month_rolling':
      return start.plus({ months: 1 }).toJSDate();
  }
}

/** Whether `zone` is an IANA time zone luxon (Intl) knows. */
export function isTimeZone(zone: string): boolean {
  return DateTime.now().setZone(zone).isValid;
}
