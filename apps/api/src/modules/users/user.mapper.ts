import { AccessView, UserView } from '@fleet/contract';
import type { Assignment } from '../assignments/assignment.entity';
import type { UserIdentity } from '../assignments/panel-identity';
import type { NodeGroup } from '../groups/group.entity';
import type { NodeEntity } from '../nodes/node.entity';
import { Access, accessStatus } from './access-status';
import type { VpnUser } from './vpn-user.entity';

/** A user with their seats (active assignments, in group order), each with its node and group, for the users API. */
export interface UserRow {
  user: VpnUser;
  seats: Array<{
    assignment: Assignment;
    node: Pick<NodeEntity, 'id' | 'name' | 'location'>;
    group: Pick<NodeGroup, 'id' | 'name' | 'countryCode'>;
  }>;
  /** Seats of the plan no node could take yet. */
  waiting: Array<{
    group: Pick<NodeGroup, 'id' | 'name' | 'countryCode'>;
    since: Date;
    attempts: number;
    lastError: string | null;
  }>;
}

/** The user as the caller may see it: the client UUID is a credential, shown only with `showSecrets`. */
export function mapUser({ user, seats, waiting }: UserRow, showSecrets: boolean): UserView {
  const servers = seats.map(({ assignment, node, group }) => ({
    group: { id: group.id, name: group.name, countryCode: group.countryCode },
    node: { id: node.id, name: node.name, location: node.location },
    clientEmail: assignment.clientEmail,
    assignedAt: assignment.assignedAt.toISOString(),
  }));
  const [first] = servers;
  return {
    id: user.id,
    telegramId: user.telegramId,
    username: user.username,
    ...(showSecrets ? { uuid: user.uuid } : {}),
    source: user.source,
    node: first?.node ?? null,
    clientEmail: first?.clientEmail ?? null,
    assignedAt: first?.assignedAt ?? null,
    servers,
    waiting: waiting.map(({ group, since, attempts, lastError }) => ({
      group,
      since: since.toISOString(),
      attempts,
      lastError,
    })),
    createdAt: user.createdAt.toISOString(),
    access: mapAccess(user),
  };
}

/** What panels need to know of a user: client UUID, names and the access their client enforces. */
export function mapIdentity(
  user: Pick<VpnUser, 'id' | 'uuid' | 'telegramId' | 'username' | 'accessVersion' | keyof Access>,
): UserIdentity {
  return {
    id: user.id,
    uuid: user.uuid,
    telegramId: user.telegramId,
    username: user.username,
    access: accessOf(user),
    accessVersion: user.accessVersion,
  };
}

const IDENTITY_COLUMNS = [
  'id',
  'uuid',
  'telegram_id',
  'username',
  'enabled',
  'expires_at',
  'hold_days',
  'traffic_limit_bytes',
  'used_bytes',
  'device_limit',
  'access_version',
];

/** The `vpn_users` columns an identity is made of, for raw queries (`alias`: the table's name or alias there). */
export function identityColumns(alias: string): string {
  return IDENTITY_COLUMNS.map((column) => `${alias}.${column}`).join(', ');
}

/**
 * A `vpn_users` row read by a raw query (every column, or some of them such as `identityColumns`) as the entity's
 * fields: pg answers bigint columns as strings, which the entity carries as numbers.
 */
export function userOfRow(row: Record<string, unknown>): VpnUser {
  const date = (column: string) => (row[column] == null ? null : new Date(row[column] as string));
  const stamp = (column: string) => new Date(row[column] as string);
  const number = (column: string) => (row[column] == null ? null : Number(row[column]));
  return {
    id: row['id'] as number,
    telegramId: number('telegram_id'),
    username: row['username'] as string | null,
    uuid: row['uuid'] as string,
    subscriptionToken: row['subscription_token'] as string,
    source: row['source'] as VpnUser['source'],
    enabled: row['enabled'] as boolean,
    expiresAt: date('expires_at'),
    holdDays: row['hold_days'] as number | null,
    trafficLimitBytes: number('traffic_limit_bytes') ?? 0,
    trafficReset: row['traffic_reset'] as VpnUser['trafficReset'],
    deviceLimit: row['device_limit'] as number,
    note: row['note'] as string | null,
    planGroups: (row['plan_groups'] as number[] | undefined) ?? [],
    usedBytes: number('used_bytes') ?? 0,
    usedUpBytes: number('used_up_bytes') ?? 0,
    periodStart: date('period_start'),
    accessVersion: row['access_version'] as number,
    status: row['status'] as VpnUser['status'],
    nextResetAt: date('next_reset_at'),
    onlineAt: date('online_at'),
    expiryWarnedFor: date('expiry_warned_for'),
    deletedAt: date('deleted_at'),
    createdAt: stamp('created_at'),
    updatedAt: stamp('updated_at'),
  };
}

/** What a user may use, as the status rule and panel clients read it. */
export function accessOf(user: Pick<VpnUser, keyof Access>): Access {
  return {
    enabled: user.enabled,
    expiresAt: user.expiresAt,
    holdDays: user.holdDays,
    trafficLimitBytes: user.trafficLimitBytes,
    usedBytes: user.usedBytes,
    deviceLimit: user.deviceLimit,
  };
}

/** The access part of key and user bodies. */
export function mapAccess(user: VpnUser, now = new Date()): AccessView {
  return {
    status: accessStatus(accessOf(user), now),
    enabled: user.enabled,
    expiresAt: user.expiresAt?.toISOString() ?? null,
    holdDays: user.holdDays,
    trafficLimitBytes: user.trafficLimitBytes,
    trafficReset: user.trafficReset,
    periodStart: user.periodStart?.toISOString() ?? null,
    nextResetAt: user.nextResetAt?.toISOString() ?? null,
    usedBytes: user.usedBytes,
    deviceLimit: user.deviceLimit,
    note: user.note,
    groups: user.planGroups,
  };
}
