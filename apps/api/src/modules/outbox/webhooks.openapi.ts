import { ACCESS_STATUSES, EventType } from '@fleet/contract';
import { MOVE_REASONS } from '../assignments/move.types';
import { WEBHOOK_EVENT_TYPES, WebhookEventType } from './webhook-outbox.service';

type Schema = Record<string, unknown>;

const integer = (description?: string): Schema => ({ type: 'integer', ...(description ? { description } : {}) });
const nullable = (type: string, description?: string): Schema => ({
  type: [type, 'null'],
  ...(description ? { description } : {}),
});
const object = (properties: Record<string, Schema>, optional: string[] = []): Schema => ({
  type: 'object',
  required: Object.keys(properties).filter((name) => !optional.includes(name)),
  properties,
});

/** The `data` of every `user.*` webhook: the user as it is after the change. */
const USER_DATA = object(
  {
    userId: integer(),
    telegramId: nullable('integer'),
    status: { type: 'string', enum: [...ACCESS_STATUSES, 'deleted'] },
    expiresAt: nullable('string', 'date-time; null: never'),
    usedBytes: integer('traffic of the current period'),
    trafficLimitBytes: integer('0: unlimited'),
    changed: {
      type: 'array',
      items: { type: 'string' },
      description: 'on user.rotated and user.first_connected: the fields that changed',
    },
  },
  ['changed'],
);

const NODE_HEALTH = object({
  nodeId: integer(),
  name: { type: 'string' },
  error: nullable('string', 'why the last check failed'),
});

const DRIFT = object({ missing: integer(), changed: integer(), extra: integer() });

const DATA: Record<WebhookEventType, { summary: string; data: Schema }> = {
  [EventType.UserMigrated]: {
    summary: 'A user’s server changed (tell them to refresh the subscription)',
    data: object(
      {
        userId: integer(),
        telegramId: nullable('integer'),
        nodeId: integer('the node the user is on now (= toNodeId)'),
        fromNodeId: integer(),
        toNodeId: integer(),
        reason: { type: 'string', enum: [...MOVE_REASONS] },
        jobId: integer('the failover, rebalance, drain or deletion job that moved the user'),
      },
      ['jobId'],
    ),
  },
  [EventType.NodeDown]: { summary: 'A node failed its health checks and stops taking users', data: NODE_HEALTH },
  [EventType.NodeUp]: { summary: 'A node passed its health checks again', data: NODE_HEALTH },
  [EventType.FailoverCompleted]: {
    summary: 'Every user of a fallen node serves elsewhere',
    data: object({
      nodeId: integer('the fallen node'),
      jobId: integer(),
      usersMoved: integer(),
      usersFailed: integer(),
      seconds: { type: 'number', description: 'from the fall to the last user moved' },
    }),
  },
  [EventType.FailoverStalled]: {
    summary: 'A failover waits: no node of the fallen node’s group has a free seat',
    data: object({ nodeId: integer(), jobId: integer(), waiting: integer('users still to move') }),
  },
  [EventType.UserEnabled]: { summary: 'A user may use the service again', data: USER_DATA },
  [EventType.UserDisabled]: { summary: 'A user was disabled', data: USER_DATA },
  [EventType.UserExpired]: { summary: 'A user’s plan ended', data: USER_DATA },
  [EventType.UserLimited]: { summary: 'A user reached their traffic limit', data: USER_DATA },
  [EventType.UserTrafficReset]: { summary: 'A user’s traffic period started again', data: USER_DATA },
  [EventType.UserExpiring]: {
    summary: 'A user’s plan ends within ACCESS_EXPIRY_WARNING_HOURS (once per expiry)',
    data: USER_DATA,
  },
  [EventType.UserFirstConnected]: { summary: 'A held plan started with the user’s first traffic', data: USER_DATA },
  [EventType.UserRotated]: { summary: 'A user’s key (and maybe subscription URL) changed', data: USER_DATA },
  [EventType.UserDeleted]: { summary: 'A user was deleted', data: USER_DATA },
  [EventType.UserDeviceAdded]: {
    summary: 'A user’s app fetched the subscription from a new device (`x-hwid`)',
    data: object({
      userId: integer(),
      telegramId: nullable('integer'),
      deviceId: integer('for DELETE /api/v1/keys/{telegramId}/devices/{deviceId}'),
      hwid: { type: 'string' },
      os: nullable('string'),
      model: nullable('string'),
      devices: integer('the user’s devices now'),
      deviceLimit: integer('0: no limit'),
    }),
  },
  [EventType.ReconcileCorrected]: {
    summary: 'A panel differed from the database and was corrected',
    data: object({
      nodeId: integer(),
      node: { type: 'string', description: 'the node’s name' },
      missing: integer('clients that were missing from the panel'),
      changed: integer('clients that differed'),
      extra: integer('clients of ours the panel should not have had'),
      inbound: { type: 'array', items: { type: 'string' }, description: 'the inbound’s own fields that differed' },
      corrected: integer(),
      remaining: DRIFT,
    }),
  },
};

const HEADERS: Record<string, { description: string; schema: Schema }> = {
  'X-Event-Type': { description: 'the event type, as in the body', schema: { type: 'string' } },
  'X-Delivery-Id': {
    description: 'the message id, as in the body: the same on every retry',
    schema: { type: 'string' },
  },
  'X-Signature-Timestamp': {
    description: 'unix seconds of this attempt (fresh on every retry)',
    schema: { type: 'string', pattern: '^\\d+$' },
  },
  'X-Signature': {
    description:
      'hex HMAC-SHA256, keyed with WEBHOOK_SECRET, of `"<X-Signature-Timestamp>.<raw body>"` (no prefix). Compare ' +
      'in constant time and refuse timestamps more than 5 minutes old.',
    schema: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  },
};

const DELIVERY =
  'POSTed to WEBHOOK_URL, at least once: any 2xx accepts it; anything else (or no answer within WEBHOOK_TIMEOUT_MS) ' +
  'is retried with back-off (2^attempts seconds, at most an hour), with the same `id`. Webhooks of one subject ' +
  '(`user:<id>`, else `node:<id>`, else `fleet`) arrive in order, numbered by `sequence`; while one is retried the ' +
  'subject’s later ones wait, other subjects flow on.';

/** OpenAPI 3.1 `webhooks`: one entry per event type sent to WEBHOOK_URL, its envelope, data and headers. */
export function webhooksDocument(): Record<string, unknown> {
  return Object.fromEntries(
    WEBHOOK_EVENT_TYPES.map((type) => {
      const { summary, data } = DATA[type];
      const envelope = object({
        id: { type: 'string', pattern: '^\\d+$', description: 'the delivery id: deduplicate on it' },
        type: { type: 'string', const: type },
        occurredAt: { type: 'string', format: 'date-time', description: 'when the change committed' },
        subject: { type: 'string', examples: ['user:42', 'node:3', 'fleet'] },
        sequence: integer('1, 2, 3, … per subject, in commit order'),
        data,
      });
      return [
        type,
        {
          post: {
            operationId: `webhook_${type.replace(/\W/g, '_')}`,
            summary,
            description: DELIVERY,
            tags: ['webhooks'],
            security: [],
            parameters: Object.entries(HEADERS).map(([name, header]) => ({
              name,
              in: 'header',
              required: true,
              ...header,
            })),
            requestBody: { required: true, content: { 'application/json': { schema: envelope } } },
            responses: { '200': { description: 'accepted (any 2xx)' } },
          },
        },
      ];
    }),
  );
}
