import { alignedStart, recentHealth, sweepFigures } from './recent-health';

describe('recent health', () => {
  it('aligns the window to the step', () => {
    expect(alignedStart(95_000, 30_000)).toBe(90_000);
    expect(alignedStart(90_000, 30_000)).toBe(90_000);
  });

  it('gives the fleet and every node one slot per step up to now, null where nothing was measured', () => {
    const step = { checked: 3, failed: 1, medianMs: 20, p95Ms: 40, slowestMs: 40 };
    const view = recentHealth(
      { from: 90_000, stepMs: 30_000, now: 185_000 },
      [{ step: 1, ...step }],
      [
        {
          nodeId: 1,
          steps: [
            [0, 20],
            [3, 25],
          ],
        },
        { nodeId: 2, steps: [[1, null]] },
      ],
    );
    expect(view).toEqual({
      from: 90_000,
      stepMs: 30_000,
      fleet: [null, step, null, null],
      nodes: [
        { nodeId: 1, ms: [20, null, null, 25] },
        { nodeId: 2, ms: [null, null, null, null] },
      ],
    });
  });

  it('drops steps outside the window (a check stamped after now by another clock)', () => {
    const view = recentHealth(
      { from: 0, stepMs: 10, now: 15 },
      [],
      [
        {
          nodeId: 1,
          steps: [
            [-1, 5],
            [2, 7],
            [1, 9],
          ],
        },
      ],
    );
    expect(view.nodes[0].ms).toEqual([null, 9]);
  });

  it('sums a sweep up: failures counted, percentiles of the successful checks', () => {
    const outcomes = Array.from({ length: 20 }, (_, i) => ({
      nodeId: i + 1,
      ok: i !== 4,
      responseTimeMs: (i + 1) * 10,
    }));
    expect(sweepFigures(outcomes)).toEqual({
      checked: 20,
      failed: 1,
      medianMs: 110,
      p95Ms: 200,
      slowestMs: 200,
      slowestNodeId: 20,
    });
    expect(sweepFigures([{ nodeId: 1, ok: false, responseTimeMs: 5 }])).toEqual({
      checked: 1,
      failed: 1,
      medianMs: null,
      p95Ms: null,
      slowestMs: null,
      slowestNodeId: null,
    });
  });
});
