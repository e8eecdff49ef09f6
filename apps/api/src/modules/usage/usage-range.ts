import { DateTime } from 'luxon';
import type { UsageGranularity } from '@fleet/contract';
import { CalendarDay } from '../../common/http/date-input';

const MAX_BUCKETS: Record<UsageGranularity, number> = { hour: 31 * 24, day: 400 };
const DEFAULT_SPAN: Record<UsageGranularity, { hours?: number; days?: number }> = {
  hour: { hours: 24 },
  day: { days: 30 },
};

/** An instant where it is, a calendar day at its start in `zone`. */
function inZone(value: Date | CalendarDay, zone: string): DateTime {
  return value instanceof CalendarDay
    ? DateTime.fromObject({ year: value.year, month: value.month, day: value.day }, { zone })
    : DateTime.fromJSDate(value, { zone });
}

/**
 * The buckets a usage query covers: `from` rounded down and `to` rounded up to whole hours or whole days in `zone`
 * (calendar days, as quotas count them). Answers the problems instead when the range is backwards or too long.
 */
export function usageRange(
  query: { from?: Date | CalendarDay; to?: Date | CalendarDay; granularity?: UsageGranularity },
  zone: string,
  now = new Date(),
): { from: Date; to: Date; granularity: UsageGranularity } | { problems: string[] } {
  const granularity = query.granularity ?? 'hour';
  const unit = granularity === 'hour' ? 'hour' : 'day';
  const rawTo = inZone(query.to ?? now, zone);
  const rawFrom = query.from ? inZone(query.from, zone) : rawTo.minus(DEFAULT_SPAN[granularity]);
  if (rawFrom >= rawTo) return { problems: ['from must be before to'] };
  const from = rawFrom.startOf(unit);
  const to = rawTo.equals(rawTo.startOf(unit)) ? rawTo : rawTo.startOf(unit).plus({ [`${unit}s`]: 1 });
  const buckets = Math.round(to.diff(from, `${unit}s`).get(`${unit}s`));
  if (buckets > MAX_BUCKETS[granularity]) {
    return {
      problems: [
        `from..to spans ${buckets} ${unit}s; at most ${MAX_BUCKETS[granularity]} for granularity ${granularity}`,
      ],
    };
  }
  return { from: from.toJSDate(), to: to.toJSDate(), granularity };
}
