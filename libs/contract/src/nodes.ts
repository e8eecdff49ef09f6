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
  /** The node's group (see `GroupView`). */
  groupId: number;
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
  /** What the node's panel last reported of its server (null until a check has read it). */
  server: NodeServerFigures | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * A node's server as its panel's `server/status` last described it. Every figure is a number within what a real
 * machine can report, or null when the panel did not report it (older panels) or reported something no machine could.
 */
export interface NodeServerFigures {
  /** 0–100. */
  cpuPercent: number | null;
  /** Bytes. */
  memory: { used: number | null; total: number | null };
  /** Bytes, of the file system at `/`. */
  disk: { used: number | null; total: number | null };
  /** `state`: `running`, `stop` or `error` (later panels may add others). */
  xray: { state: string | null; version: string | null };
  /** Seconds since the host started. */
  uptimeSeconds: number | null;
  /** Load averages over 1, 5 and 15 minutes, in that order (null unless the panel reported all three). */
  load: number[] | null;
  net: { upBytesPerSecond: number | null; downBytesPerSecond: number | null };
  tcpConnections: number | null;
  udpConnections: number | null;
  /** Clients with traffic in the panel's last poll (from its online list, not from `server/status`). */
  onlineClients: number | null;
  /** When the panel reported these figures. */
  at: string;
}

/** What is used of a total (memory, disk) as a percent, 0–100 to one decimal, or null when either is unknown. */
export function usedPercent({ used, total }: { used: number | null; total: number | null }): number | null {
  if (used === null || total === null || total <= 0) return null;
  return Math.min(100, Math.round((used / total) * 1000) / 10);
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

/** `POST /api/v1/nodes/:id/test-connection`: a login to the panel and its inbounds; failures are reported here. */
export interface ConnectionTest {
  ok: boolean;
  responseTimeMs: number;
  inbounds: Array<{ id: number; protocol: string; port: number; remark: string; enable: boolean }>;
  /** Why the panel could not be used (`kind: detail`). */
  error?: string;
  /** What the panel itself said, scrubbed of the credentials sent and bounded (the route is for admins only). */
  panelText?: string;
}

/** One health check of a node (`GET /api/v1/nodes/:id/health`, newest first). */
export interface HealthCheckView {
  checkedAt: string;
  ok: boolean;
  healthStatus: HealthStatus;
  responseTimeMs: number | null;
  cpu: number | null;
  memUsed: number | null;
  memTotal: number | null;
  /** CPU the panel reported at this check, 0–100 (null: not read). */
  cpuPercent: number | null;
  /** Memory in use at this check, percent of the total, 0–100 (null: not read). */
  memoryPercent: number | null;
  onlineClients: number | null;
  xrayState: string | null;
  /** Why the check failed, in words anyone may read. */
  error: string | null;
}

/** How many clients differ from the database, by kind, and the inbound's own fields that differ. */
export interface DriftCounts {
  missing: number;
  extra: number;
  changed: number;
  /** The operator's own clients: counted, never touched. */
  foreign: number;
  /** The inbound's fields that differed from what we had: `missing`, `enable`, `protocol` (it cannot serve), or
   * `port`, `remark`, `settings`, `streamSettings` (refreshed: links follow). */
  inbound: string[];
}

/** What a reconcile corrected, by kind (the operator's own clients are never touched). */
export type DriftCorrections = Omit<DriftCounts, 'foreign'>;

export type DriftKind = 'missing' | 'changed' | 'extra' | 'foreign' | 'inbound';

/** One difference between a panel and the database, as shown to operators (a key is named, never shown). */
export interface DriftSampleView {
  kind: DriftKind;
  /** The client; empty for the inbound's own fields. */
  email: string;
  field?: string;
  panel?: unknown;
  desired?: unknown;
}

/**
 * `GET /api/v1/nodes/:id/drift` and `POST …/reconcile`: the last reconcile of a node, what remains after it (the
 * counts and `sample`; 0s when it repaired everything), what it found and what it corrected.
 */
export interface DriftView extends DriftCounts {
  /** null: never reconciled. */
  checkedAt: string | null;
  found: DriftCounts;
  corrected: DriftCorrections;
  /** Reported without writing (a dry run, or RECONCILE_MODE=report). */
  dryRun: boolean;
  sample: DriftSampleView[];
}

/** `DELETE /api/v1/nodes/:id`, 202: the job that moves the node's users away and then deletes it. */
export interface JobStarted {
  jobId: number;
}

/** `POST /api/v1/nodes/:id/drain`: the drain job (202), or null when the node had nobody to move (200). */
export interface DrainStarted {
  jobId: number | null;
}
