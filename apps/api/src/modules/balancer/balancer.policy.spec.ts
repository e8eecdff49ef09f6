import type { NodeCandidate } from '../nodes/node-candidate';
import { score, weightedLoadStrategy } from './balancer.policy';

const node = (id: number, fields: Partial<NodeCandidate> = {}): NodeCandidate => ({
  id,
  location: null,
  status: 'active',
  healthStatus: 'healthy',
  currentUsers: 0,
  maxUsers: 100,
  priority: 100,
  weight: 1,
  inboundId: 1,
  inboundRead: true,
  groupId: 1,
  cpuPercent: null,
  cpuBusyAbove: null,
  cpuBusyUntil: null,
  ...fields,
});
const rank = (nodes: NodeCandidate[], request = {}) => weightedLoadStrategy.rank(nodes, request).map((n) => n.id);

describe('balancer policy', () => {
  it('never ranks an ineligible node', () => {
    expect(rank([node(1, { healthStatus: 'unhealthy' }), node(2, { inboundId: null }), node(3)])).toEqual([3]);
  });

  it('never ranks a node whose CPU is busy; ranks it again once that has expired', () => {
    const busy = { cpuPercent: 97, cpuBusyAbove: 90 };
    const later = new Date(Date.now() + 60_000);
    const earlier = new Date(Date.now() - 1);
    expect(rank([node(1, { ...busy, cpuBusyUntil: later }), node(2, { currentUsers: 90 })])).toEqual([2]);
    expect(rank([node(1, { ...busy, cpuBusyUntil: earlier }), node(2, { currentUsers: 90 })])).toEqual([1, 2]);
  });

  it.each([
    [{ currentUsers: 50, maxUsers: 100, priority: 100, weight: 1 }, 0.5],
    [{ currentUsers: 50, maxUsers: 100, priority: 200, weight: 1 }, 0.25],
    [{ currentUsers: 50, maxUsers: 100, priority: 100, weight: 2.5 }, 0.2],
    [{ currentUsers: 10, maxUsers: 1000, priority: 50, weight: 1 }, 0.02],
    [{ currentUsers: 10, maxUsers: 100, priority: 0, weight: 1 }, null],
  ])('score %p = %p', (fields, expected) => {
    expect(score(fields)).toBe(expected);
  });

  it('lowest score first; ties by priority × weight, then fewer users, then lower id', () => {
    expect(rank([node(1, { currentUsers: 50 }), node(2, { currentUsers: 10 }), node(3, { currentUsers: 30 })])).toEqual(
      [2, 3, 1],
    );
    expect(rank([node(1), node(2, { weight: 2 }), node(3, { priority: 300 })])).toEqual([3, 2, 1]);
    expect(rank([node(2, { maxUsers: 200 }), node(1)])).toEqual([1, 2]);
  });

  it('skips ineligible and excluded nodes', () => {
    const nodes = [node(1, { healthStatus: 'unhealthy' }), node(2, { currentUsers: 100 }), node(3), node(4)];
    expect(rank(nodes, { exclude: new Set([3]) })).toEqual([4]);
  });

  it('uses standby nodes (priority 0) only when no other eligible node remains', () => {
    expect(rank([node(1, { priority: 0 }), node(2, { currentUsers: 99 })])).toEqual([2]);
    expect(
      rank([node(1, { priority: 0, currentUsers: 5 }), node(3, { priority: 0 }), node(2, { currentUsers: 100 })]),
    ).toEqual([3, 1]);
  });

  it('prefers the requested location, case-insensitively, and falls back to every node', () => {
    const nodes = [node(1, { location: 'Amsterdam' }), node(2, { location: 'Frankfurt', currentUsers: 90 })];
    expect(rank(nodes, { location: 'frankfurt' })).toEqual([2]);
    expect(rank(nodes, { location: 'Tokyo' })).toEqual([1, 2]);
  });

  it('converges to load ratios proportional to priority × weight (placing one user at a time)', () => {
    const nodes = [
      node(1, { priority: 100, weight: 1, maxUsers: 1000 }),
      node(2, { priority: 100, weight: 2, maxUsers: 1000 }),
      node(3, { priority: 200, weight: 1.5, maxUsers: 1000 }),
      node(4, { priority: 50, weight: 1, maxUsers: 2000 }),
    ];
    for (let i = 0; i < 1400; i++) weightedLoadStrategy.rank(nodes)[0].currentUsers++;
    const ratios = nodes.map((n) => n.currentUsers / n.maxUsers / ((n.priority / 100) * n.weight));
    for (const ratio of ratios) expect(ratio).toBeCloseTo(ratios[0], 2);
    expect(nodes.map((n) => n.currentUsers)).toEqual([200, 400, 600, 200]);
  });

  it('best() is the first of rank(), for pools of every mix (standby, tied, excluded, located, ineligible)', () => {
    let seed = 7;
    const random = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    for (let round = 0; round < 500; round++) {
      const nodes = Array.from({ length: 1 + random(12) }, (_, i) =>
        node(i + 1, {
          currentUsers: random(5) * 10,
          maxUsers: 50 + random(3) * 50,
          priority: [0, 50, 100, 100][random(4)],
          weight: 1 + random(3),
          location: ['de', 'nl', null][random(3)],
          healthStatus: random(8) === 0 ? 'unhealthy' : 'healthy',
        }),
      );
      const request = {
        exclude: new Set([random(14)]),
        location: [undefined, 'DE', 'fr'][random(3)],
      };
      expect(weightedLoadStrategy.best(nodes, request)?.id).toBe(weightedLoadStrategy.rank(nodes, request)[0]?.id);
    }
  });
});
