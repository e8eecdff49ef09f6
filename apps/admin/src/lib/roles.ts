import type { AdminRole, Scope, TokenPreset } from '@fleet/contract';

/** What each admin role may do, in a line. */
export const ROLE_SUMMARY: Record<AdminRole, string> = {
  owner: 'Everything, admins and API tokens included',
  operator: 'Everything but admins and API tokens',
  support: 'Reads everything; changes users’ access and hands out their keys',
  viewer: 'Reads nodes, users and events; changes nothing, sees no keys',
};

/** What a token made from each preset may do, in a line. */
export const PRESET_SUMMARY: Record<TokenPreset, string> = {
  ...ROLE_SUMMARY,
  bot: 'The Telegram bot: reads and changes users’ keys, nothing else',
  admin: 'The former name of owner',
};

/** The presets offered for a new token (`admin` is only the former name of `owner`). */
export const OFFERED_PRESETS = ['bot', 'viewer', 'support', 'operator', 'owner'] as const satisfies TokenPreset[];

/** What each scope allows, in a few words. */
export const SCOPE_SUMMARY: Record<Scope, string> = {
  'nodes:read': 'See nodes, groups, health and jobs',
  'nodes:write': 'Add, change and remove nodes and groups; rebalance',
  'users:read': 'See users, their usage and devices',
  'users:access': 'Change users’ access: extend, enable, plan, rotate',
  'users:write': 'Move and delete users',
  'users:secrets': 'See users’ keys and subscription URLs',
  'keys:read': 'The bot’s reads',
  'keys:write': 'The bot’s changes, creating users included',
  'events:read': 'Read the event log',
  'metrics:read': 'Dashboard figures and Prometheus metrics',
  'admins:manage': 'Add, change and remove admins',
  'tokens:manage': 'Create and revoke API tokens',
};
