/**
 * What a credential may do, one permission per kind of route. Every route needs exactly one scope (or a password
 * session: an admin's own account); a role or a token is a set of scopes.
 */
export const SCOPES = [
  /** Nodes, groups, health, loads, jobs. */
  'nodes:read',
  /** Add, change, check, drain, reconcile, adopt, delete nodes and groups; rebalance. */
  'nodes:write',
  /** Users, their usage and devices. */
  'users:read',
  /** A user's access: extend, enable/disable, plan, reset traffic, rotate, forget devices. */
  'users:access',
  /** Moves and deletions of users. */
  'users:write',
  /** A user's keys and subscription URL (secrets). */
  'users:secrets',
  /** The bot's routes that read (`/keys` GET). */
  'keys:read',
  /** The bot's routes that write (`/keys` PUT, POST, PATCH, DELETE). */
  'keys:write',
  'events:read',
  /** The dashboard's figures and the Prometheus metrics. */
  'metrics:read',
  /** Admin accounts. */
  'admins:manage',
  /** API tokens. */
  'tokens:manage',
] as const;
export type Scope = (typeof SCOPES)[number];

const READ: Scope[] = ['nodes:read', 'users:read', 'events:read', 'metrics:read'];

/** An admin account's role: `owner` everything; `operator` all but admins and tokens; `support` reads and changes
 * users' access; `viewer` reads, no secrets. */
export const ADMIN_ROLES = ['owner', 'operator', 'support', 'viewer'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

export const ROLE_SCOPES: Record<AdminRole, readonly Scope[]> = {
  owner: SCOPES,
  operator: SCOPES.filter((scope) => scope !== 'admins:manage' && scope !== 'tokens:manage'),
  support: [...READ, 'users:access', 'users:secrets', 'keys:read'],
  viewer: READ,
};

/** Named sets of scopes for API tokens: the roles, and `bot` (the Telegram bot's `/keys` routes). `admin` is the
 * former name of `owner`. */
export const TOKEN_PRESETS = ['owner', 'operator', 'support', 'viewer', 'bot', 'admin'] as const;
export type TokenPreset = (typeof TOKEN_PRESETS)[number];

export function presetScopes(preset: TokenPreset): readonly Scope[] {
  if (preset === 'bot') return ['keys:read', 'keys:write'];
  return ROLE_SCOPES[preset === 'admin' ? 'owner' : preset];
}

export interface LoginRequest {
  username: string;
  password: string;
}

export interface LoginResponse {
  accessToken: string;
  expiresIn: number;
}

export interface AdminView {
  id: number;
  username: string;
  role: AdminRole;
  /** A disabled admin cannot log in; their sessions ended when they were disabled. */
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** The caller: an admin (their account) or an API token, and what it may do. */
export interface WhoAmI {
  kind: 'admin' | 'token';
  id: number;
  name: string;
  /** The admin's role, or the token's preset (null for a token with hand-picked scopes). */
  role: AdminRole | TokenPreset | null;
  scopes: Scope[];
}

export interface ApiTokenView {
  id: number;
  name: string;
  /** The preset it was made from; null when its scopes were picked one by one. */
  role: TokenPreset | null;
  scopes: Scope[];
  prefix: string;
  createdBy: string;
  createdAt: string;
  /** Null: never expires. */
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/** Returned once, at creation: the only time the secret is shown. */
export interface CreatedApiToken extends ApiTokenView {
  token: string;
}
