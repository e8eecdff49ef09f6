/** The API's field names as an operator reads them. */
export const FIELD_LABELS: Record<string, string> = {
  telegramId: 'Telegram id',
  username: 'Username',
  location: 'Location',
  expiresAt: 'Expiry',
  holdDays: 'Hold days',
  trafficLimitBytes: 'Traffic limit',
  trafficReset: 'Traffic reset',
  deviceLimit: 'Device limit',
  note: 'Note',
  groups: 'Groups',
  days: 'Days',
  name: 'Name',
  panelUrl: 'Panel URL',
  panelUsername: 'Panel username',
  panelPassword: 'Panel password',
  inboundId: 'Inbound',
  maxUsers: 'Capacity',
  priority: 'Priority',
  weight: 'Weight',
  publicHost: 'Public host',
  countryCode: 'Country code',
  sortOrder: 'Order',
  password: 'Password',
  currentPassword: 'Current password',
  newPassword: 'New password',
  role: 'Role',
  disabled: 'Status',
  scopes: 'Scopes',
};

const BYTE_LIMIT = /must not be greater than 9007199254740991/;

/**
 * An API message in an operator's words: the field it starts with ("plan.deviceLimit must …") by its label, the
 * byte ceiling as "is too large".
 */
export function humanMessage(message: string): string {
  const match = /^([A-Za-z][\w.]*) (.*)$/.exec(message);
  if (!match) return message;
  const field = match[1].split('.').at(-1) ?? match[1];
  const label = FIELD_LABELS[field];
  if (!label) return message;
  return `${label} ${BYTE_LIMIT.test(match[2]) ? 'is too large' : match[2]}`;
}
