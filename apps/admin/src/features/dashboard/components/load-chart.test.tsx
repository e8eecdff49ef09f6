import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { NodeLoadView, RecentHealth } from '@fleet/contract';
import { MAX_BARS, mergeRecent, summarise, toLoadBars, toResponseSeries } from '../api/fleet';
import { LoadChart } from './load-chart';

const load = (fields: Partial<NodeLoadView>): NodeLoadView => ({
  nodeId: 1,
  name: 'ams-1',
  location: null,
  groupId: 1,
  currentUsers: 25,
  maxUsers: 100,
  loadRatio: 0.25,
  priority: 100,
  weight: 1,
  score: 1,
  eligible: true,
  reason: null,
  healthStatus: 'healthy',
  ...fields,
});

const loads = [
  load({}),
  load({ nodeId: 2, name: 'fra-1', currentUsers: 90, loadRatio: 0.9, healthStatus: 'unhealthy' }),
  load({ nodeId: 3, name: 'waw-1', currentUsers: 0, maxUsers: 50, loadRatio: 0 }),
];

describe('fleet data for the dashboard', () => {
  it('shapes loads into chart bars (users and free seats) and summary cards', () => {
    expect(toLoadBars(loads)).toEqual([
      { group: '', name: 'ams-1', users: 25, free: 75, loadPercent: 25, freePercent: 75, health: 'healthy' },
      { group: '', name: 'fra-1', users: 90, free: 10, loadPercent: 90, freePercent: 10, health: 'unhealthy' },
      { group: '', name: 'waw-1', users: 0, free: 50, loadPercent: 0, freePercent: 100, health: 'healthy' },
    ]);
    expect(
      summarise({
        nodes: { total: 3, healthy: 2, unhealthy: 1, unknown: 0, maintenance: 1, inactive: 0 },
        users: { total: 120, placed: 115 },
        access: { active: 100, on_hold: 5, disabled: 3, expired: 10, limited: 2, expiringSoon: 7 },
        capacity: { max: 200, free: 75 },
        jobs: { running: 0, queuedMoves: 0 },
        alerts: { nodeDownLast24h: 1, seatsWaiting: 2 },
        usage: { last24h: { up: 1e9, down: 4e9 } },
      }),
    ).toEqual({
      healthy: 2,
      unhealthy: 1,
      maintenance: 1,
      users: 115,
      freeCapacity: 75,
      seatsWaiting: 2,
      access: { active: 100, on_hold: 5, disabled: 3, expired: 10, limited: 2, expiringSoon: 7 },
      traffic: { up: 1e9, down: 4e9 },
    });
  });

  it('puts the nodes of a group side by side, in the groups’ order, named after their group', () => {
    const groups = [
      { id: 2, name: 'Germany', countryCode: 'DE', sortOrder: 0, defaultForNewUsers: false, nodeCount: 1 },
      { id: 1, name: 'default', countryCode: null, sortOrder: 10, defaultForNewUsers: true, nodeCount: 2 },
    ].map((group) => ({ ...group, createdAt: '', updatedAt: '' }));
    const grouped = [load({}), load({ nodeId: 2, name: 'fra-1', groupId: 2 }), load({ nodeId: 3, name: 'waw-1' })];
    expect(toLoadBars(grouped, groups).map((bar) => `${bar.group}/${bar.name}`)).toEqual([
      '🇩🇪 Germany/fra-1',
      'default/ams-1',
      'default/waw-1',
    ]);
    render(<LoadChart bars={toLoadBars(grouped, groups)} />);
    expect(screen.getByText(/🇩🇪 Germany · fra-1: 25 users, 75 free \(healthy\)/)).toBeInTheDocument();
  });

  it('draws the busiest nodes only when the fleet has more than the chart can show', () => {
    const many = Array.from({ length: 500 }, (_, i) => load({ nodeId: i + 1, name: `n${i + 1}`, loadRatio: i / 500 }));
    const bars = toLoadBars(many);
    expect(bars).toHaveLength(MAX_BARS);
    expect(bars[0].name).toBe('n500');
    expect(bars.at(-1)!.name).toBe(`n${500 - MAX_BARS + 1}`);
  });

  it('joins a poll onto the known steps and drops what left the window', () => {
    const step = (checked: number) => ({ checked, failed: 0, medianMs: 1, p95Ms: 2, slowestMs: 3 });
    const known: RecentHealth = {
      from: 0,
      stepMs: 10,
      fleet: [step(1), step(2), step(3)],
      nodes: [{ nodeId: 1, ms: [5, 6, 7] }],
    };
    const poll: RecentHealth = {
      from: 20,
      stepMs: 10,
      fleet: [step(4), null],
      nodes: [
        { nodeId: 1, ms: [8, 9] },
        { nodeId: 2, ms: [null, 4] },
      ],
    };
    expect(mergeRecent(known, poll, 10)).toEqual({
      from: 10,
      stepMs: 10,
      fleet: [step(2), step(4), null],
      nodes: [
        { nodeId: 1, ms: [6, 8, 9] },
        { nodeId: 2, ms: [null, null, 4] },
      ],
    });
    expect(mergeRecent(undefined, poll, 0)).toEqual(poll);
  });

  it('draws a line per node when the API sends them, else the fleet’s median, p95 and slowest', () => {
    const names = new Map([
      [1, 'ams-1'],
      [2, 'fra-1'],
    ]);
    const small: RecentHealth = {
      from: 1000,
      stepMs: 30_000,
      fleet: [null, null],
      nodes: [
        { nodeId: 1, ms: [10, 12] },
        { nodeId: 2, ms: [null, 30] },
      ],
    };
    expect(toResponseSeries(small, names)).toEqual({
      lines: ['ams-1', 'fra-1'],
      rows: [
        { time: 1000, 'ams-1': 10, 'fra-1': null },
        { time: 31_000, 'ams-1': 12, 'fra-1': 30 },
      ],
    });
    const large: RecentHealth = {
      from: 0,
      stepMs: 30_000,
      fleet: [{ checked: 500, failed: 3, medianMs: 51, p95Ms: 96, slowestMs: 100 }, null],
      nodes: [],
    };
    expect(toResponseSeries(large, names)).toEqual({
      lines: ['median', 'p95', 'slowest'],
      rows: [
        { time: 0, median: 51, p95: 96, slowest: 100 },
        { time: 30_000, median: null, p95: null, slowest: null },
      ],
    });
  });

  it('draws one bar group per node and describes it in text', () => {
    const { container } = render(<LoadChart bars={toLoadBars(loads)} />);
    expect(screen.getByRole('figure', { name: 'Load per node' })).toBeInTheDocument();
    expect(screen.getByText(/fra-1: 90 users, 10 free \(unhealthy\), 90 % load/)).toBeInTheDocument();
    expect(container.querySelectorAll('.recharts-bar-rectangle').length).toBeGreaterThanOrEqual(3);
  });
});
