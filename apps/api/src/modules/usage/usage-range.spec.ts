import { CalendarDay } from '../../common/http/date-input';
import { usageRange } from './usage-range';

describe('usageRange', () => {
  const now = new Date('2026-03-29T10:20:00Z');

  it('defaults to the last 24 hours by hour, rounded out to whole hours', () => {
    expect(usageRange({}, 'UTC', now)).toEqual({
      from: new Date('2026-03-28T10:00:00Z'),
      to: new Date('2026-03-29T11:00:00Z'),
      granularity: 'hour',
    });
  });

  it('days are calendar days in the zone, also across a daylight-saving change', () => {
    const range = usageRange(
      { from: new Date('2026-03-28T12:00:00Z'), to: new Date('2026-03-30T12:00:00Z'), granularity: 'day' },
      'Europe/Berlin',
    );
    // Berlin moves to summer time on 2026-03-29: that day lasts 23 hours.
    expect(range).toEqual({
      from: new Date('2026-03-27T23:00:00Z'),
      to: new Date('2026-03-30T22:00:00Z'),
      granularity: 'day',
    });
  });

  it('an instant already on a bucket edge stays where it is', () => {
    const range = usageRange(
      { from: new Date('2026-03-29T08:00:00Z'), to: new Date('2026-03-29T10:00:00Z') },
      'UTC',
      now,
    );
    expect(range).toMatchObject({ from: new Date('2026-03-29T08:00:00Z'), to: new Date('2026-03-29T10:00:00Z') });
  });

  it('refuses a backwards range and one with too many buckets', () => {
    expect(
      usageRange({ from: new Date('2026-03-29T10:00:00Z'), to: new Date('2026-03-29T09:00:00Z') }, 'UTC', now),
    ).toEqual({
      problems: ['from must be before to'],
    });
    expect(
      usageRange({ from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-03-01T00:00:00Z') }, 'UTC', now),
    ).toEqual({
      problems: ['from..to spans 1416 hours; at most 744 for granularity hour'],
    });
    expect(
      usageRange(
        { from: new Date('2024-01-01T00:00:00Z'), to: new Date('2026-03-01T00:00:00Z'), granularity: 'day' },
        'UTC',
        now,
      ),
    ).toMatchObject({
      problems: [expect.stringContaining('at most 400')],
    });
  });

  it('a plain date is the start of that calendar day in the zone', () => {
    const range = usageRange(
      { from: new CalendarDay(2026, 3, 28), to: new CalendarDay(2026, 3, 30), granularity: 'day' },
      'Europe/Berlin',
    );
    expect(range).toEqual({
      from: new Date('2026-03-27T23:00:00Z'),
      to: new Date('2026-03-29T22:00:00Z'),
      granularity: 'day',
    });
  });
});
