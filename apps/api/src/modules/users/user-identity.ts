import type { Access } from '../access/access-status';
import type { UserIdentity } from '../assignments/panel-identity';
import type { VpnUser } from './vpn-user.entity';

/** A user as panels know them: their client's identity and the access it carries. */
export function identityOf(user: VpnUser): UserIdentity {
  return {
    id: user.id,
    uuid: user.uuid,
    telegramId: user.telegramId,
    username: user.username,
    access: accessOf(user),
    accessVersion: user.accessVersion,
  };
}

/** The `vpn_users` columns `identityOfRow` reads (a query may prefix them with a table alias through `identityColumns`). */
export const IDENTITY_COLUMNS = identityColumns('vpn_users');

export function identityColumns(alias: string): string {
  return [
    'id',
    'uuid',
    'telegram_id::text AS telegram_id',
    'username',
    'enabled',
    'expires_at',
    'hold_days',
    'traffic_limit_bytes::text AS traffic_limit_bytes',
    'used_bytes::text AS used_bytes',
    'device_limit',
    'access_version',
  ]
    .map((column) => `${alias}.${column}`)
    .join(', ');
}

/** A user's identity from a row holding `IDENTITY_COLUMNS`. */
export function identityOfRow(row: Record<string, unknown>): UserIdentity {
  return {
    id: row['id'] as number,
    uuid: row['uuid'] as string,
    telegramId: row['telegram_id'] as string | null,
    username: row['username'] as string | null,
    access: {
      enabled: row['enabled'] as boolean,
      expiresAt: row['expires_at'] === null ? null : new Date(row['expires_at'] as string),
      holdDays: row['hold_days'] as number | null,
      trafficLimitBytes: Number(row['traffic_limit_bytes']),
      usedBytes: Number(row['used_bytes']),
      deviceLimit: row['device_limit'] as number,
    },
    accessVersion: row['access_version'] as number,
  };
}

export function accessOf(user: VpnUser): Access {
  return {
    enabled: user.enabled,
    expiresAt: user.expiresAt,
    holdDays: user.holdDays,
    trafficLimitBytes: Number(user.trafficLimitBytes),
    usedBytes: Number(user.usedBytes),
    deviceLimit: user.deviceLimit,
  };
}
