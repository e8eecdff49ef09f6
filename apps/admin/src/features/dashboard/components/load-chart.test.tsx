import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { sampleNode } from '../../../testing/sample-node';
import { summarise, toLoadBars, toResponseSeries } from '../api/fleet';
import { LoadChart } from './load-chart';

const nodes = [
  sampleNode({}),
  sampleNode({ id: 2, name: 'fra-1', currentUsers: 90, maxUsers: 100, healthStatus: 'unhealthy' }),
  sampleNode({ id: 3, name: 'waw-1', currentUsers: 0, maxUsers: 50, status: 'maintenance' }),
];

describe('fleet data for the dashboard', () => {
  it('shapes nodes into chart bars (users and free seats) and summary cards', () => {
    expect(toLoadBars(nodes)).toEqual([
      { name: 'ams-1', users: 25, free: 75, health: 'healthy' },
      { name: 'fra-1', users: 90, free: 10, health: 'unhealthy' },
      { name: 'waw-1', users: 0, free: 50, health: 'healthy' },
    ]);
    expect(
      summarise({
        nodes: { total: 3, healthy: 2, unhealthy: 1, unknown: 0, maintenance: 1, inactive: 0 },
        users: { total: 120, placed: 115 },
        access: { active: 100, on_hold: 5, disabled: 3, expired: 10, limited: 2, expiringSoon: 7 },
        capacity: { max: 200, free: 75 },
        jobs: { running: 0, queuedMoves: 0 },
        alerts: { nodeDownLast24h: 1 },
        usage: { last24h: { up: 1e9, down: 4e9 } },
      }),
    ).toEqual({
      healthy: 2,
      unhealthy: 1,
      maintenance: 1,
      users: 115,
      freeCapacity: 75,
      access: { active: 100, on_hold: 5, disabled: 3, expired: 10, limited: 2, expiringSoon: 7 },
      traffic: { up: 1e9, down: 4e9 },
    });
  });

  it('merges each node’s checks into one response-time series, gaps for failed checks', () => {
    const row = (checkedAt: string, ok: boolean, responseTimeMs: number | null) => ({
      checkedAt,
      ok,
      healthStatus: 'healthy',
      responseTimeMs,
      error: null,
    });
    expect(
      toResponseSeries([
        { name: 'ams-1', rows: [row('2026-11-22T00:00:10.000Z', true, 12), row('2026-11-22T00:00:00.000Z', true, 10)] },
        { name: 'fra-1', rows: [row('2026-11-22T00:00:10.200Z', false, 900)] },
      ]),
    ).toEqual([
      { time: Date.parse('2026-11-22T00:00:00.000Z'), 'ams-1': 10 },
      { time: Date.parse('2026-11-22T00:00:10.000Z'), 'ams-1': 12, 'fra-1': null },
    ]);
  });

  it('draws one bar group per node and describes it in text', () => {
    const { container } = render(<LoadChart bars={toLoadBars(nodes)} />);
    expect(screen.getByRole('figure', { name: 'Load per node' })).toBeInTheDocument();
    expect(screen.getByText(/fra-1: 90 users, 10 free \(unhealthy\)/)).toBeInTheDocument();
    expect(container.querySelectorAll('.recharts-bar-rectangle').length).toBeGreaterThanOrEqual(3);
  });
});
