import type { NodeView } from '@fleet/contract';

/** A node as the API returns it, for component tests. */
export const sampleNode = (fields: Partial<NodeView>): NodeView => ({
  id: 1,
  name: 'ams-1',
  description: null,
  location: 'Amsterdam',
  groupId: 1,
  panelUrl: 'https://ams:2053/x/',
  panelUsername: 'admin',
  hasPanelApiToken: false,
  inboundId: 1,
  publicHost: null,
  tlsVerify: true,
  maxUsers: 100,
  currentUsers: 25,
  loadRatio: 0.25,
  priority: 100,
  weight: 1,
  usageMultiplier: 1,
  status: 'active',
  healthStatus: 'healthy',
  eligible: true,
  ineligibleReason: null,
  lastHealthCheck: '2026-11-22T00:00:00.000Z',
  responseTimeMs: 42,
  lastError: null,
  drift: null,
  server: null,
  createdAt: '2026-11-21T00:00:00.000Z',
  updatedAt: '2026-11-21T00:00:00.000Z',
  ...fields,
});

/** `GET /nodes` as the API answers it when no page is asked for: every node, in one `Page`. */
export const everyNode = <T>(items: T[]) => ({
  items,
  total: items.length,
  page: 1,
  limit: items.length,
  nextCursor: null,
});
