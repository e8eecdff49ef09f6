import type { EligibilityFacts } from './node-eligibility';

/** What placement needs to know about a node. */
export interface NodeCandidate extends EligibilityFacts {
  id: number;
  location: string | null;
  priority: number;
  weight: number;
  /** A user's seat stays in its node's group: moves go to nodes of the same group. */
  groupId: number;
  /** New users are placed in groups marked for them (in every group when none is). */
  groupTakesNewUsers: boolean;
}
