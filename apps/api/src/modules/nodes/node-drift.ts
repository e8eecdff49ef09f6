import type { DriftCorrections, DriftCounts, DriftSampleView } from '@fleet/contract';

export type { DriftCounts };
export type Corrections = DriftCorrections;

/** The last reconcile of a node: what remains after it (the counts and `sample`), what it found and corrected. */
export interface DriftRecord extends DriftCounts {
  nodeId: number;
  checkedAt: Date;
  found: DriftCounts;
  corrected: Corrections;
  dryRun: boolean;
  sample: DriftSampleView[];
}

export const NO_DRIFT: DriftCounts = { missing: 0, extra: 0, changed: 0, foreign: 0, inbound: [] };

/** Corrections of every kind, counted together. */
export function correctionsMade(corrected: Corrections): number {
  return corrected.missing + corrected.extra + corrected.changed + corrected.inbound.length;
}
