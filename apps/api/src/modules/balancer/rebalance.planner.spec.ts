import { flowSlices, PlanNode, movesOf, planRebalance, planRebalanceByGroup, targetShares } from './rebalance.planner';

const node = (id: number, users: number, fields: Partial<PlanNode> = {}): PlanNode => ({
  id,
  users,
  maxUsers: 1000,
  priority: 100,
  weight: 1,
  ...fields,
});
/** Users of node n are numbered n*100000 + k. */
const usersOf = (nodes: PlanNode[]) =>
  new Map(nodes.map((n) => [n.id, Array.from({ length: n.users }, (_, k) => n.id * 100_000 + k)]));
const plan = (nodes: PlanNode[], maxMoves?: number, window: [number?, number?] = []) => {
  const result = planRebalance(nodes, maxMoves);
  const slices = flowSlices(result.flows, ...window);
  const users = slices.map(({ flow, skip, take }) =>
    usersOf(nodes)
      .get(flow.fromNodeId)!
      .slice(skip, skip + take),
  );
  return { ...result, moves: movesOf(slices, users) };
};
const targetsOf = (nodes: PlanNode[]) => [...targetShares(nodes).values()];

describe('rebalance planner', () => {
  it.each([
    ['equal nodes share equally', [node(1, 90), node(2, 0), node(3, 0)], [30, 30, 30]],
    ['weights count', [node(1, 40), node(2, 20, { weight: 3 })], [15, 45]],
    ['priority counts', [node(1, 0), node(2, 90, { priority: 200 })], [30, 60]],
    ['capacity counts (load ratio)', [node(1, 0, { maxUsers: 100 }), node(2, 30, { maxUsers: 200 })], [10, 20]],
    ['caps at maxUsers and hands the overflow on', [node(1, 0, { maxUsers: 10, weight: 100 }), node(2, 100)], [10, 90]],
    [
      'standby only takes what others cannot hold',
      [node(1, 50, { maxUsers: 40 }), node(2, 0, { priority: 0 })],
      [40, 10],
    ],
    ['largest remainder keeps the total', [node(1, 10), node(2, 0), node(3, 0)], [4, 3, 3]],
    ['already balanced', [node(1, 5), node(2, 5)], [5, 5]],
  ])('%s', (_, nodes, expected) => {
    expect(targetsOf(nodes)).toEqual(expected);
  });

  it('a window of the moves is that part of the whole plan, whatever the window', () => {
    const nodes = [node(1, 90), node(2, 60), node(3, 0), node(4, 0), node(5, 10)];
    const whole = plan(nodes).moves;
    expect(whole.length).toBeGreaterThan(20);
    for (const [start, end] of [
      [0, 7],
      [7, 19],
      [19, 1000],
      [3, 4],
      [whole.length, whole.length + 5],
    ]) {
      expect(plan(nodes, undefined, [start, end]).moves).toEqual(whole.slice(start, end));
    }
  });

  it('moves exactly the surplus (the minimum), each user once, to nodes below target', () => {
    const nodes = [node(1, 70), node(2, 20), node(3, 0, { weight: 2 })];
    const result = plan(nodes);
    expect(result.minimumMoves).toBe(47); // targets 23, 22, 45
    expect(result.moves).toHaveLength(result.minimumMoves);
    expect(new Set(result.moves.map((m) => m.userId)).size).toBe(result.moves.length);
    const after = new Map(nodes.map((n) => [n.id, n.users]));
    for (const move of result.moves) {
      after.set(move.fromNodeId, after.get(move.fromNodeId)! - 1);
      after.set(move.toNodeId, after.get(move.toNodeId)! + 1);
    }
    expect([...after.entries()]).toEqual([...result.targets.entries()]);
  });

  it('respects maxMoves, taking from the surplus nodes in proportion', () => {
    const capped = plan([node(1, 60), node(2, 30), node(3, 0)], 10);
    expect(capped.minimumMoves).toBe(30);
    expect(capped.moves).toHaveLength(10);
    expect(capped.moves.filter((m) => m.fromNodeId === 1)).toHaveLength(10);
    expect(plan([node(1, 60), node(2, 30), node(3, 0)], 0).moves).toEqual([]);
  });

  it('plans nothing for an empty or balanced fleet', () => {
    expect(plan([]).moves).toEqual([]);
    expect(plan([node(1, 0), node(2, 0)]).moves).toEqual([]);
    expect(plan([node(1, 7), node(2, 7)]).minimumMoves).toBe(0);
  });

  it('plans each group on its own: no flow crosses groups, and a capped budget goes where the need is', () => {
    const nodes = [
      { id: 1, users: 90, maxUsers: 100, priority: 100, weight: 1, groupId: 1 },
      { id: 2, users: 10, maxUsers: 100, priority: 100, weight: 1, groupId: 1 },
      { id: 3, users: 0, maxUsers: 100, priority: 100, weight: 1, groupId: 2 },
      { id: 4, users: 20, maxUsers: 100, priority: 100, weight: 1, groupId: 2 },
    ];
    const group = new Map(nodes.map((node) => [node.id, node.groupId]));
    const plan = planRebalanceByGroup(nodes);
    expect(plan.minimumMoves).toBe(50);
    expect(plan.flows.every((flow) => group.get(flow.fromNodeId) === group.get(flow.toNodeId))).toBe(true);
    expect(plan.flows).toEqual([
      { fromNodeId: 1, toNodeId: 2, count: 40 },
      { fromNodeId: 4, toNodeId: 3, count: 10 },
    ]);
    const capped = planRebalanceByGroup(nodes, 10);
    expect(capped.flows).toEqual([
      { fromNodeId: 1, toNodeId: 2, count: 8 },
      { fromNodeId: 4, toNodeId: 3, count: 2 },
    ]);
    expect(capped.minimumMoves).toBe(50);
  });
});
