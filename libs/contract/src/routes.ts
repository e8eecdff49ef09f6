export const API_PREFIX = 'api/v1';

export const Routes = {
  login: 'auth/login',
  tokens: 'tokens',
  nodes: 'nodes',
  events: 'events',
} as const;
