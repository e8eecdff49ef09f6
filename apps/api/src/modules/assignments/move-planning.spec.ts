import type { NodeCandidate } from '../nodes/node-candidate';
import type { Assignment } from './assignment.entity';
import type { MoveRequest } from './move.types';
import { planBatch } from './move-planning';

const node = (id: number, fields: Partial<NodeCandidate> = {}): NodeCandidate => ({
  id,
  location: null,
  status: 'active',
  healthStatus: 'healthy',
  inboundId: 1,
  inboundRead: true,
  currentUsers: 0,
  maxUsers: 10,
  priority: 100,
  weight: 1,
  groupId: 1,
  cpuPercent: null,
  cpuBusyAbove: null,
  cpuBusyUntil: null,
  ...fields,
});
const row = (userId: number, nodeId: number, state: 'active' | 'pending' = 'active', groupId = 1) =>
  ({ id: userId * 1000 + nodeId, userId, nodeId, groupId, state }) as Assignment;
const summary = (outcome: ReturnType<typeof planBatch>[number]) =>
  outcome.kind === 'pick'
    ? `pick ${outcome.nodeId}`
    : outcome.kind === 'refused'
      ? outcome.code
      : outcome.kind === 'settled'
        ? `settled ${outcome.assignment?.nodeId ?? ''}`.trim()
        : 'reserved';

describe('planning one reservation batch (pure)', () => {
  const users = new Set([1, 2, 3, 4, 5, 6]);

  it('spreads a batch of placements as one-at-a-time placement would, never past capacity', () => {
    const nodes = [node(1, { maxUsers: 2 }), node(2, { maxUsers: 2, weight: 2 })];
    const requests: MoveRequest[] = [1, 2, 3, 4, 5].map((userId) => ({ kind: 'place', userId, groupId: 1 }));
    expect(planBatch(requests, [], nodes, users).map(summary)).toEqual([
      'pick 2',
      'pick 1',
      'pick 2',
      'pick 1',
      'no-capacity',
    ]);
  });

  it.each<[string, MoveRequest, Assignment[], string]>([
    ['placement of a placed user', { kind: 'place', userId: 1, groupId: 1 }, [row(1, 2)], 'settled 2'],
    ['anything while a move is under way', { kind: 'move', userId: 1 }, [row(1, 1), row(1, 2, 'pending')], 'busy'],
    ['a move of a user with no node', { kind: 'move', userId: 1 }, [], 'no-node'],
    ['a move of an unknown user', { kind: 'move', userId: 99 }, [], 'no-node'],
    ['a move to the node it is on', { kind: 'move', userId: 1, toNodeId: 1 }, [row(1, 1)], 'same-node'],
    ['a job item whose user already left', { kind: 'move', userId: 1, fromNodeId: 3 }, [row(1, 2)], 'settled 2'],
    [
      'a job item already at its target',
      { kind: 'move', userId: 1, fromNodeId: 1, toNodeId: 1 },
      [row(1, 1)],
      'settled 1',
    ],
    ['a move to a missing node', { kind: 'move', userId: 1, toNodeId: 9 }, [row(1, 1)], 'target-missing'],
    ['a move to an unhealthy node', { kind: 'move', userId: 1, toNodeId: 3 }, [row(1, 1)], 'target-ineligible'],
    ['a move chosen by the balancer', { kind: 'move', userId: 1 }, [row(1, 1)], 'pick 2'],
    [
      'a move with the other node excluded',
      { kind: 'move', userId: 1, exclude: new Set([2]) },
      [row(1, 1)],
      'no-capacity',
    ],
  ])('%s', (_label, request, live, expected) => {
    const nodes = [node(1), node(2), node(3, { healthStatus: 'unhealthy' })];
    expect(summary(planBatch([request], live, nodes, users)[0])).toBe(expected);
  });

  it('refuses a user twice in one batch the second time', () => {
    const plan = planBatch(
      [
        { kind: 'place', userId: 1, groupId: 1 },
        { kind: 'place', userId: 1, groupId: 1 },
      ],
      [],
      [node(1)],
      users,
    );
    expect(plan.map(summary)).toEqual(['pick 1', 'busy']);
  });

  it('reserves nothing for a user deleted meanwhile, whether placed or moved', () => {
    const requests: MoveRequest[] = [
      { kind: 'place', userId: 1, groupId: 1 },
      { kind: 'move', userId: 2 },
      { kind: 'place', userId: 3, groupId: 1 },
    ];
    const plan = planBatch(requests, [row(2, 1)], [node(1), node(2)], users, new Set([1, 2]));
    expect(plan.map(summary)).toEqual(['user-gone', 'user-gone', 'pick 1']);
  });

  describe('groups', () => {
    const germany = { groupId: 2 };

    it('places a seat in the group it names, each group of a user in one batch', () => {
      const nodes = [node(1, { maxUsers: 100 }), node(2, { ...germany, maxUsers: 100 })];
      const requests: MoveRequest[] = [
        { kind: 'place', userId: 1, groupId: 2 },
        { kind: 'place', userId: 1, groupId: 1 },
        { kind: 'place', userId: 1, groupId: 2 },
        { kind: 'place', userId: 2, groupId: 3 },
      ];
      expect(planBatch(requests, [], nodes, users).map(summary)).toEqual(['pick 2', 'pick 1', 'busy', 'no-capacity']);
    });

    it('moves a seat within its group only: the group full is no capacity, another group’s node is refused', () => {
      const nodes = [node(1), node(2, { maxUsers: 0 }), node(3, germany)];
      expect(summary(planBatch([{ kind: 'move', userId: 1, fromNodeId: 1 }], [row(1, 1)], nodes, users)[0])).toBe(
        'no-capacity',
      );
      expect(summary(planBatch([{ kind: 'move', userId: 1, toNodeId: 3 }], [row(1, 1)], nodes, users)[0])).toBe(
        'target-ineligible',
      );
      const roomy = [node(1), node(2), node(3, germany)];
      expect(summary(planBatch([{ kind: 'move', userId: 1, fromNodeId: 1 }], [row(1, 1)], roomy, users)[0])).toBe(
        'pick 2',
      );
    });

    it('finds the seat a move means: by the node it leaves, the group, the target; asks when it cannot tell', () => {
      const nodes = [node(1), node(2), node(3, germany), node(4, germany)];
      const seats = [row(1, 1), row(1, 3, 'active', 2)];
      const plan = (request: Omit<MoveRequest, 'kind' | 'userId'>) =>
        summary(planBatch([{ kind: 'move', userId: 1, ...request }], seats, nodes, users)[0]);
      expect(plan({ fromNodeId: 3 })).toBe('pick 4');
      expect(plan({ groupId: 1 })).toBe('pick 2');
      expect(plan({ toNodeId: 4 })).toBe('pick 4');
      expect(plan({})).toBe('which-seat');
      const busy = [...seats, row(1, 4, 'pending', 2)];
      expect(summary(planBatch([{ kind: 'move', userId: 1, groupId: 1 }], busy, nodes, users)[0])).toBe('pick 2');
      expect(summary(planBatch([{ kind: 'move', userId: 1, groupId: 2 }], busy, nodes, users)[0])).toBe('busy');
    });

    it('never puts two seats of a user on one node (a node that changed group keeps its seat)', () => {
      const nodes = [node(1, germany), node(2, germany)];
      const seats = [row(1, 1, 'active', 1)];
      const requests: MoveRequest[] = [{ kind: 'place', userId: 1, groupId: 2 }];
      expect(planBatch(requests, seats, nodes, users).map(summary)).toEqual(['pick 2']);
      expect(summary(planBatch([{ ...requests[0], toNodeId: 1 }], seats, nodes, users)[0])).toBe('target-ineligible');
    });
  });
});
