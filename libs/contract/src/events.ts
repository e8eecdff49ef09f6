import type { AccessStatus } from './placement';

export const EventType = {
  NodeCreated: 'node.created',
  NodeUpdated: 'node.updated',
  NodeDeleted: 'node.deleted',
  GroupCreated: 'group.created',
  GroupUpdated: 'group.updated',
  GroupDeleted: 'group.deleted',
  LoginFailed: 'auth.login_failed',
  LoginSucceeded: 'auth.login_succeeded',
  LoggedOutEverywhere: 'auth.logged_out_everywhere',
  PasswordChanged: 'auth.password_changed',
  TokenCreated: 'token.created',
  TokenDeleted: 'token.deleted',
  AdminCreated: 'admin.created',
  AdminUpdated: 'admin.updated',
  AdminDeleted: 'admin.deleted',
  UserCreated: 'user.created',
  UserMigrated: 'user.migrated',
  UserEnabled: 'user.enabled',
  UserDisabled: 'user.disabled',
  UserExpired: 'user.expired',
  UserLimited: 'user.limited',
  UserAccessChanged: 'user.access_changed',
  UserExtended: 'user.extended',
  UserExpiring: 'user.expiring',
  UserFirstConnected: 'user.first_connected',
  UserTrafficReset: 'user.traffic_reset',
  UserRotated: 'user.rotated',
  UserDeviceAdded: 'user.device_added',
  UserDeleted: 'user.deleted',
  UsersAdopted: 'users.adopted',
  NodeChecked: 'node.checked',
  NodeDown: 'node.down',
  NodeUp: 'node.up',
  JobStarted: 'job.started',
  JobFinished: 'job.finished',
  PlacementFailed: 'placement.failed',
  FailoverCompleted: 'failover.completed',
  FailoverStalled: 'failover.stalled',
  ReconcileCorrected: 'reconcile.corrected',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/**
 * The `data` of every user webhook (`user.expiring`, `user.expired`, `user.limited`, `user.enabled`, `user.disabled`,
 * `user.traffic_reset`, `user.rotated`, `user.deleted`, `user.first_connected`, …); change events add `changed`.
 */
export type UserEventData = {
  telegramId: number | null;
  userId: number;
  status: AccessStatus | 'deleted';
  expiresAt: string | null;
  usedBytes: number;
  trafficLimitBytes: number;
};

export interface EventView {
  id: number;
  type: string;
  nodeId: number | null;
  userId: number | null;
  actor: string;
  payload: Record<string, unknown>;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  limit: number;
  /** Set where a list counts only up to a bound: `total` is then an estimate. */
  totalEstimated?: boolean;
  /** Where a list pages by key: pass as `?after=` for the next page; null on the last page. */
  nextCursor?: string | null;
}
