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
  /** What still differs from the database after the last reconcile (null: never reconciled): clients missing,
   * changed, extra; the inbound's own fields (`inbound`). */
  drift: { checkedAt: string; missing: number; changed: number; extra: number; inbound: string[] } | null;
  createdAt: string;
  updatedAt: string;
}

/** Fleets up to this many nodes get each node's own series in `GET /health/recent`; larger ones the fleet's only. */
export const RECENT_HEALTH_PER_NODE_UP_TO = 8;

/** One step of the fleet's health sweeps: checks made and failed, response times of the successful ones. */
export interface FleetHealthStep {
  checked: number;
  failed: number;
  medianMs: number | null;
  p95Ms: number | null;
  slowestMs: number | null;
}

/**
 * `GET /api/v1/health/recent`: the fleet's recent health per step of `stepMs` (aligned to multiples of it, so polls
 * with a later `since` return the same steps). Entry `i` of each array is the step starting at `from + i × stepMs`,
 * up to now. `fleet`: the health sweeps of that step (`null` where none ran). `nodes`: each node's mean response
 * time of its successful checks (`null` when none succeeded), for fleets of up to RECENT_HEALTH_PER_NODE_UP_TO nodes
 * (a node's own page has its history); nodes without checks in the window are left out.
 */
export interface RecentHealth {
  from: number;
  stepMs: number;
  fleet: Array<FleetHealthStep | null>;
  nodes: Array<{ nodeId: number; ms: Array<number | null> }>;
}
