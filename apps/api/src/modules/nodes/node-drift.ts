import type { DriftSample } from '../reconcile/reconcile-diff';

/** How many clients differ from the database, by kind, and the inbound's fields that differ. */
export interface DriftCounts {
  missing: number;
  extra: number;
  changed: number;
  foreign: number;
  /** The inbound's fields that differed from what we had: `missing`, `enable`, `protocol` (it cannot serve), or
   * `port`, `remark`, `settings`, `streamSettings` (refreshed: links follow). */
  inbound: string[];
}

/** What a reconcile corrected, by kind (the operator's own clients are never touched). */
export type Corrections = Omit<DriftCounts, 'foreign'>;

/** The last reconcile of a node: what remains after it (the counts and `sample`), what it found and corrected. */
export interface DriftRecord extends DriftCounts {
  nodeId: number;
  checkedAt: Date;
  found: DriftCounts;
  corrected: Corrections;
  dryRun: boolean;
  sample: DriftSample[];
}

export const NO_DRIFT: DriftCounts = { missing: 0, extra: 0, changed: 0, foreign: 0, inbound: [] };

/** Corrections of every kind, counted together. */
export function correctionsMade(corrected: Corrections): number {
  return corrected.missing + corrected.extra + corrected.changed + corrected.inbound.length;
}
