/** A named set of nodes (a country, a tier): every node belongs to exactly one. */
export interface GroupView {
  id: number;
  name: string;
  /** ISO 3166-1 alpha-2, upper case (the flag in link names); null when the group is not a country. */
  countryCode: string | null;
  /** Groups are listed (and a user's servers shown) by this, then by id. */
  sortOrder: number;
  /** New users' plans include this group unless they name their groups. */
  defaultForNewUsers: boolean;
  /** Nodes in the group. */
  nodeCount: number;
  createdAt: string;
  updatedAt: string;
}

export const GROUP_LIMITS = {
  /** Groups in a fleet at most: a few dozen countries and tiers is the expected size. */
  maxGroups: 200,
  nameMaxLength: 64,
  sortOrderMin: 0,
  sortOrderMax: 1_000_000,
};

/** The flag emoji of an ISO 3166-1 alpha-2 code ('' without one). */
export function flagOf(countryCode: string | null): string {
  if (!countryCode) return '';
  return String.fromCodePoint(...[...countryCode.toUpperCase()].map((c) => 0x1f1e6 + c.charCodeAt(0) - 65));
}

/** What a user's server in a group is called in their VPN app: the flag and the group's name. */
export function serverName(group: Pick<GroupView, 'name' | 'countryCode'>): string {
  return group.countryCode ? `${flagOf(group.countryCode)} ${group.name}` : group.name;
}
