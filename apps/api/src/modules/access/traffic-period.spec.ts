import { isTimeZone, nextResetAt } from './traffic-period';

describe('traffic periods (pure)', () => {
  it.each<[string, Parameters<typeof nextResetAt>[0], string, string, string | null]>([
    ['never', 'none', '2026-12-01T10:00:00Z', 'UTC', null],
    ['day, UTC', 'day', '2026-12-01T10:00:00Z', 'UTC', '2026-12-02T00:00:00.000Z'],
    ['day, Moscow midnight', 'day', '2026-12-01T22:30:00Z', 'Europe/Moscow', '2026-12-02T21:00:00.000Z'],
    ['week: next Monday', 'week', '2026-12-03T10:00:00Z', 'UTC', '2026-12-07T00:00:00.000Z'],
    ['week from a Monday', 'week', '2026-12-07T00:00:00Z', 'UTC', '2026-12-14T00:00:00.000Z'],
    ['month: the 1st', 'month', '2026-12-15T10:00:00Z', 'UTC', '2027-01-01T00:00:00.000Z'],
    ['month in Berlin (CET)', 'month', '2026-12-15T10:00:00Z', 'Europe/Berlin', '2026-12-31T23:00:00.000Z'],
    ['month across a DST change', 'month', '2026-03-15T10:00:00Z', 'Europe/Berlin', '2026-03-31T22:00:00.000Z'],
    ['rolling month', 'month_rolling', '2026-12-15T10:00:00Z', 'UTC', '2027-01-15T10:00:00.000Z'],
    ['rolling from the 31st', 'month_rolling', '2027-01-31T10:00:00Z', 'UTC', '2027-02-28T10:00:00.000Z'],
  ])('%s', (_label, reset, start, zone, expected) => {
    expect(nextResetAt(reset, new Date(start), zone)?.toISOString() ?? null).toBe(expected);
  });

  it('knows time zones', () => {
    expect(isTimeZone('Europe/Moscow')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
