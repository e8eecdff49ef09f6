import { describe, expect, it } from 'vitest';
import { formatBytes, toUsageRows } from './usage';

describe('usage in the SPA', () => {
  it('shows bytes in decimal units, as quotas are sold', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.5 kB');
    expect(formatBytes(123_456_789)).toBe('123 MB');
    expect(formatBytes(2.5e12)).toBe('2.5 TB');
  });

  it('turns buckets into one chart row per time, one stacked column per node', () => {
    const names: Record<number, string> = { 1: 'ams-1', 2: 'fra-1' };
    const { rows, series } = toUsageRows(
      [
        { start: '2026-12-02T00:00:00.000Z', nodeId: 2, up: 5, down: 5 },
        { start: '2026-12-01T00:00:00.000Z', nodeId: 1, up: 1, down: 2 },
        { start: '2026-12-02T00:00:00.000Z', nodeId: 1, up: 3, down: 4 },
      ],
      (id) => names[id],
    );
    expect(series).toEqual(['fra-1', 'ams-1']);
    expect(rows).toEqual([
      { start: '2026-12-01T00:00:00.000Z', 'ams-1': 3 },
      { start: '2026-12-02T00:00:00.000Z', 'fra-1': 10, 'ams-1': 7 },
    ]);
  });
});
