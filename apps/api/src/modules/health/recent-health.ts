import type { FleetHealthStep, RecentHealth } from '@fleet/contract';
import type { SweepFigures } from './health.repository';

/** Steps a window may span at most: a day of 2-minute steps, or an hour of 5-second ones. */
export const MAX_STEPS = 720;

/** The first step of a window starting at `since`, aligned to a multiple of the step. */
export const alignedStart = (since: number, stepMs: number) => Math.floor(since / stepMs) * stepMs;

/** A slot per step from `from` up to `now`, filled from `[index, value]` pairs; indexes outside are dropped. */
function spread<T>(length: number, pairs: Iterable<[number, T]>): Array<T | null> {
  const slots: Array<T | null> = new Array(length).fill(null);
  for (const [index, value] of pairs) if (index >= 0 && index < length) slots[index] = value;
  return slots;
}

export function recentHealth(
  window: { from: number; stepMs: number; now: number },
  sweeps: Array<FleetHealthStep & { step: number }>,
  perNode: Array<{ nodeId: number; steps: Array<[number, number | null]> }>,
): RecentHealth {
  const length = Math.floor((window.now - window.from) / window.stepMs) + 1;
  return {
    from: window.from,
    stepMs: window.stepMs,
    fleet: spread(
      length,
      sweeps.map(({ step, ...figures }): [number, FleetHealthStep] => [step, figures]),
    ),
    nodes: perNode.map(({ nodeId, steps }) => ({ nodeId, ms: spread(length, steps) })),
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

/** A sweep's figures from its checks' outcomes. */
export function sweepFigures(outcomes: Array<{ nodeId: number; ok: boolean; responseTimeMs: number }>): SweepFigures {
  const ok = outcomes.filter((outcome) => outcome.ok).sort((a, b) => a.responseTimeMs - b.responseTimeMs);
  const times = ok.map((outcome) => outcome.responseTimeMs);
  return {
    checked: outcomes.length,
    failed: outcomes.length - ok.length,
    medianMs: times.length ? percentile(times, 0.5) : null,
    p95Ms: times.length ? percentile(times, 0.95) : null,
    slowestMs: times.at(-1) ?? null,
    slowestNodeId: ok.at(-1)?.nodeId ?? null,
  };
}
