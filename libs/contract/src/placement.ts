import type { HealthStatus } from './nodes';

export const ACCESS_STATUSES = ['active', 'on_hold', 'disabled', 'expired', 'limited'] as const;
export type AccessStatus = (typeof ACCESS_STATUSES)[number];
export const TRAFFIC_RESETS = ['none', 'day', 'week', 'month', 'month_rolling'] as const;
export type TrafficReset = (typeof TRAFFIC_RESETS)[number];

/** What a user may use (the desired state every panel is made to agree with) and its derived status. */
export interface AccessView {
  status: AccessStatus;
  enabled: boolean;
  expiresAt: string | null;
  holdDays: number | null;
  trafficLimitBytes: number;
  trafficReset: TrafficReset;
  periodStart: string | null;
  nextResetAt: string | null;
  usedBytes: number;
  deviceLimit: number;
  note: string | null;
  /** The node groups of the plan (ids, in group order): the user holds one seat, a server, in each. */
  groups: number[];
}

/** `PATCH …/access` (keys and users): any subset; nullable fields take null to clear. */
export interface AccessPatch {
  expiresAt?: string | null;
  holdDays?: number | null;
  trafficLimitBytes?: number;
  trafficReset?: TrafficReset;
  deviceLimit?: number;
  enabled?: boolean;
  note?: string | null;
  /** Group ids or names; at least one, each once. Seats are placed in added groups and released from removed ones. */
  groups?: Array<number | string>;
}

/** One of a user's servers: the group it stands for, the node that serves it there, its share link. */
export interface KeySeatView {
  group: { id: number; name: string; countryCode: string | null };
  node: { id: number; name: string; location: string | null };
  key: string;
  assignedAt: string;
}

/** One of a user's servers as the users API shows it. */
export interface UserServerView extends Omit<KeySeatView, 'key'> {
  clientEmail: string;
}

/** Key body for the bot (`/api/v1/keys/:telegramId`). */
export interface KeyView {
  telegramId: number;
  userId: number;
  /** The first server's share link (see `keys` for every server). */
  key: string;
  subscriptionUrl: string;
  /** The first server's node. */
  node: { id: number; name: string; location: string | null };
  assignedAt: string;
  /** Every server of the user, in group order (one per group of the plan). */
  keys: KeySeatView[];
  access: AccessView;
  /** When the usage ledger last saw the user's traffic (a pass's reading time); null: never. */
  onlineAt: string | null;
  /** When the user last got a new server (the latest assignment among `keys`). */
  lastNodeChange: string;
  /** On a `PUT` that brought a plan: whether the user was created with it (false: the user existed, plan ignored). */
  planApplied?: boolean;
}

/**
 * `GET /api/v1/users/:id/keys` (admins): what support hands a user — the subscription URL and each server's share
 * link, in group order (none while the user holds no server).
 */
export interface UserKeysView {
  userId: number;
  subscriptionUrl: string;
  keys: KeySeatView[];
}

/**
 * `GET /api/v1/keys/:telegramId/node`: where the user is, and since when: every server in group order (`servers`),
 * the first one's also as `node`/`assignedAt`.
 */
export interface KeyNodeView extends Pick<KeyView, 'node' | 'assignedAt'> {
  servers: Array<Omit<KeySeatView, 'key'>>;
}

/** Orders of the users list: by id (creation order), expiry ('never' last) or name; `-` reverses. */
export const USER_SORTS = ['id', '-id', 'expiresAt', '-expiresAt', 'name', '-name'] as const;
export type UserSort = (typeof USER_SORTS)[number];

export interface UserView {
  id: number;
  telegramId: number | null;
  username: string | null;
  /** The client UUID (the credential inside the share link): admins only, absent for viewers. */
  uuid?: string;
  source: 'bot' | 'adopted';
  /** The first server's node, client email and assignment time (see `servers` for every one). */
  node: { id: number; name: string; location: string | null } | null;
  clientEmail: string | null;
  assignedAt: string | null;
  /** Every server of the user, in group order: one per group of the plan that has a seat now. */
  servers: UserServerView[];
  /** Groups of the plan whose seat waits for capacity (tried again as it returns). */
  waiting: Array<{
    group: KeySeatView['group'];
    since: string;
    attempts: number;
    lastError: string | null;
  }>;
  createdAt: string;
  access: AccessView;
}

export interface NodeLoadView {
  nodeId: number;
  name: string;
  location: string | null;
  groupId: number;
  currentUsers: number;
  maxUsers: number;
  loadRatio: number;
  priority: number;
  weight: number;
  score: number | null;
  eligible: boolean;
  /** Why the node cannot take users now (null when eligible). */
  reason: string | null;
  healthStatus: HealthStatus;
}

export interface RebalanceMove {
  userId: number;
  fromNodeId: number;
  toNodeId: number;
}

export interface RebalancePlanView {
  /** A dry run's page of the moves (`movesPage`, `movesLimit`); every move when a job is made from the plan. */
  moves: RebalanceMove[];
  /** How many moves the plan makes, and how many users go from each node to each other. */
  movesTotal: number;
  flows: Array<{ fromNodeId: number; toNodeId: number; count: number }>;
  before: Array<{ nodeId: number; users: number }>;
  after: Array<{ nodeId: number; users: number }>;
  /** Moves the plan would need without the `maxMoves` cap. */
  minimumMoves: number;
}

/** `POST /api/v1/balancer/rebalance` without `dryRun`: the job that makes the plan's moves. */
export interface RebalanceStarted {
  jobId: number;
  moves: number;
}

export const JOB_KINDS = ['rebalance', 'failover', 'node-delete', 'drain', 'regroup'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export const JOB_STATUSES = ['pending', 'running', 'completed', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface JobView {
  id: number;
  kind: JobKind;
  status: JobStatus;
  nodeId: number | null;
  total: number;
  /** Users now where they should be, including those deleted meanwhile (`gone`: nothing left to move). */
  done: number;
  failed: number;
  gone: number;
  error: string | null;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** The replica running the job (host:pid:tag) and until when its lease holds; null once finished. */
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
}

/** One user's outcome in a bulk action (`POST /api/v1/users/bulk-*`). */
export interface BulkItemResult {
  id: number;
  ok: boolean;
  /** The error code the single-user route would answer. */
  code?: string;
  message?: string;
}

export interface BulkResult {
  done: number;
  failed: number;
  results: BulkItemResult[];
}

/**
 * `GET /api/v1/stats/attention`: what needs an operator now, counted; `total` is their sum (the dashboard's badge).
 */
export interface AttentionView {
  /** Active nodes whose health checks fail. */
  nodesDown: number;
  /** Failovers under way that found no seat for their users (`failover.stalled`). */
  failoversStalled: number;
  /** Nodes whose last reconcile left differences from their panel (missing, extra or changed clients, inbound). */
  nodesWithDrift: number;
  /** Jobs that ended failed in the last 24 hours. */
  jobsFailed: number;
  /** Users whose plan ends within ACCESS_EXPIRY_WARNING_HOURS. */
  usersExpiringSoon: number;
  /** Servers of users' plans waiting for a seat in their group. */
  seatsWaiting: number;
  total: number;
}

/** `GET /api/v1/stats/overview`: counts for the dashboard. */
export interface StatsOverview {
  nodes: { total: number; healthy: number; unhealthy: number; unknown: number; maintenance: number; inactive: number };
  users: { total: number; placed: number };
  /** Users by access status, and the serving ones whose plan ends within ACCESS_EXPIRY_WARNING_HOURS. */
  access: Record<AccessStatus, number> & { expiringSoon: number };
  /** `max`: seats on active nodes; `free`: seats free on nodes that can take users now. */
  capacity: { max: number; free: number };
  jobs: { running: number; queuedMoves: number };
  /** `seatsWaiting`: servers of users' plans that no node of their group could take yet. */
  alerts: { nodeDownLast24h: number; seatsWaiting: number };
  /** Traffic through the fleet (bytes as the panels counted them). */
  usage: { last24h: { up: number; down: number } };
}

/** A device a user's app fetched the subscription from (`x-hwid` and what the app said of itself). */
export interface DeviceView {
  id: number;
  hwid: string;
  os: string | null;
  osVersion: string | null;
  model: string | null;
  userAgent: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
}

/** Devices kept per user at most: past this the one unused longest leaves. */
export const DEVICES_KEPT_PER_USER = 100;
