export const NODE_STATUSES = ['active', 'inactive', 'maintenance'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

export const HEALTH_STATUSES = ['healthy', 'unhealthy', 'unknown'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export const NODE_DEFAULTS = {
  maxUsers: 1000,
  priority: 100,
  weight: 1.0,
  usageMultiplier: 1.0,
  status: 'active' as NodeStatus,
  tlsVerify: true,
};

export const NODE_LIMITS = {
  nameMaxLength: 64,
  locationMaxLength: 64,
  maxUsersMax: 1_000_000,
  priorityMax: 1000,
  weightMax: 100,
  usageMultiplierMin: 0.001,
  usageMultiplierMax: 100,
};

export interface NodeView {
  id: number;
  name: string;
  description: string | null;
  location: string | null;
  panelUrl: string;
  panelUsername: string;
  hasPanelApiToken: boolean;
  inboundId: number | null;
  publicHost: string | null;
  tlsVerify: boolean;
  maxUsers: number;
  currentUsers: number;
  loadRatio: number;
  priority: number;
  weight: number;
  /** Traffic through this node counts × this against quotas. */
  usageMultiplier: number;
  status: NodeStatus;
  healthStatus: HealthStatus;
  /** Whether new users may be placed here now; when not, `ineligibleReason` says why in words. */
  eligible: boolean;
  ineligibleReason: string | null;
  lastHealthCheck: string | null;
  responseTimeMs: number | null;
  lastError: string | null;
  /** The last reconcile: what differed from the database then (null: never reconciled). */
  /** The last reconcile: clients missing, changed, extra; the inbound's own fields that differed (`inbound`). */
  drift: { checkedAt: string; missing: number; changed: number; extra: number; inbound: string[] } | null;
  createdAt: string;
  updatedAt: string;
}
