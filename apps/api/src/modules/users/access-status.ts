import type { AccessStatus } from '@fleet/contract';

export { ACCESS_STATUSES, TRAFFIC_RESETS } from '@fleet/contract';
export type { AccessStatus, TrafficReset } from '@fleet/contract';

/** A user's access as stored: the desired state every panel is made to agree with. */
export interface Access {
  enabled: boolean;
  /** null: never (or, with `holdDays`, not started yet). */
  expiresAt: Date | null;
  /** The plan starts on first traffic and lasts this many days; null: it started (or starts) at once. */
  holdDays: number | null;
  /** 0: unlimited. */
  trafficLimitBytes: number;
  /** Traffic counted in the current period. */
  usedBytes: number;
  /** The panel's `limitIp`; 0: off. */
  deviceLimit: number;
}

/**
 * THE status rule, in the contract's order: disabled (the admin switch) → expired → limited (the period's traffic
 * reached a non-zero limit) → on_hold (waiting for first use) → active.
 */
export function accessStatus(access: Access, now: Date): AccessStatus {
  if (!access.enabled) return 'disabled';
  if (access.expiresAt !== null && access.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (access.trafficLimitBytes > 0 && access.usedBytes >= access.trafficLimitBytes) return 'limited';
  if (access.holdDays !== null && access.expiresAt === null) return 'on_hold';
  return 'active';
}

/** Only these statuses have enabled clients on panels (and are moved by failover and rebalance). */
export function servesTraffic(status: AccessStatus): boolean {
  return status === 'active' || status === 'on_hold';
}

/** `servesTraffic(accessStatus(u, now()))` over the `vpn_users` row named `alias`; a test keeps the two in step. */
export function servingSql(alias: string): string {
  return (
    `(${alias}.enabled AND ${alias}.deleted_at IS NULL AND (${alias}.expires_at IS NULL OR ${alias}.expires_at > now())` +
    ` AND (${alias}.traffic_limit_bytes = 0 OR ${alias}.used_bytes < ${alias}.traffic_limit_bytes))`
  );
}

const DAY_MS = 86_400_000;

/** Where the client sits: the node's usage multiplier and the client's counter there (bytes, up + down). */
export interface NodeQuota {
  multiplier: number;
  counterBytes: number;
}

export const NEW_CLIENT: NodeQuota = { multiplier: 1, counterBytes: 0 };

/**
 * What the panel itself enforces, so access holds even while the control plane is down: `enable`, `expiryTime` (ms;
 * negative = hold days from first use, which the panel turns absolute on first traffic), `limitIp`, and `totalGB`:
 * the client's counter on that node plus what is left of the period's limit (÷ the node's multiplier), so the panel
 * stops the client where the fleet-wide quota ends and a move never grants a fresh quota.
 */
export function panelAccess(
  access: Access,
  now: Date,
  quota: NodeQuota = NEW_CLIENT,
): { enable: boolean; expiryTime: number; limitIp: number; totalGB: number } {
  const status = accessStatus(access, now);
  const left = Math.max(0, access.trafficLimitBytes - access.usedBytes);
  return {
    enable: servesTraffic(status),
    expiryTime:
      status === 'on_hold' ? -access.holdDays! * DAY_MS : access.expiresAt === null ? 0 : access.expiresAt.getTime(),
    limitIp: access.deviceLimit,
    // 0 means unlimited to the panel, so a spent quota is at least 1 byte (and the client is disabled anyway).
    totalGB: access.trafficLimitBytes === 0 ? 0 : Math.max(1, quota.counterBytes + Math.ceil(left / quota.multiplier)),
  };
}

/** What a new user gets: on, no expiry, no limits. */
export const OPEN_ACCESS: Access = {
  enabled: true,
  expiresAt: null,
  holdDays: null,
  trafficLimitBytes: 0,
  usedBytes: 0,
  deviceLimit: 0,
};
