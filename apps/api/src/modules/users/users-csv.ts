import type { UserView } from '@fleet/contract';

/** The export's columns, in order: what the users table shows, never a credential. */
export const CSV_COLUMNS = [
  'id',
  'telegram_id',
  'username',
  'status',
  'enabled',
  'expires_at',
  'traffic_limit_bytes',
  'used_bytes',
  'device_limit',
  'servers',
  'waiting_groups',
  'created_at',
  'note',
] as const;

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a formula; usernames and notes
 * come from strangers, so such a cell is written as text.
 */
export function inertCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function csvRecord(user: UserView): string[] {
  const { access } = user;
  return [
    String(user.id),
    user.telegramId === null ? '' : String(user.telegramId),
    user.username ?? '',
    access.status,
    String(access.enabled),
    access.expiresAt ?? '',
    String(access.trafficLimitBytes),
    String(access.usedBytes),
    String(access.deviceLimit),
    user.servers.map((server) => `${server.group.name}:${server.node.name}`).join(' '),
    user.waiting.map((seat) => seat.group.name).join(' '),
    user.createdAt,
    access.note ?? '',
  ].map(inertCell);
}
