import type { EligibilityFacts } from './node-eligibility';

/** What placement needs to know about a node. */
export interface NodeCandidate extends EligibilityFacts {
  id: number;
  location: string | null;
  priority: number;
  weight: number;
  /** A seat stays in its group: it is placed and moved among the nodes of that group. */
  groupId: number;
}
