import { ApiExtension, type OpenAPIObject } from '@nestjs/swagger';
import { ErrorCode } from '@fleet/contract';
import { STATUS_BY_CODE } from '../errors/domain-error';
import { ANY_CREDENTIAL, PERMISSION_EXTENSION, PUBLIC_EXTENSION, SESSION } from './roles.decorator';

/** On an operation: the error codes it answers beyond those of its kind (see `describeApi`). */
export const ERRORS_EXTENSION = 'x-error-codes';

/**
 * The error codes a route answers beyond those every route of its kind gives (400 for bad input, 401/403 for
 * credentials, 404 for what its path names, 413/415 for a body): each becomes a documented answer under its status.
 */
export const ApiErrors = (...codes: ErrorCode[]) => ApiExtension(ERRORS_EXTENSION, codes);

/** How a move the caller asked for may be refused (a user's migration, refresh or relocation). */
export const MOVE_REFUSALS = [
  ErrorCode.NodeNotFound,
  ErrorCode.NodeNotEligible,
  ErrorCode.MoveInProgress,
  ErrorCode.NoCapacity,
  ErrorCode.NodeUnreachable,
];

/** What the code of a 404 is, by the resource its path names last. */
const NOT_FOUND_BY_RESOURCE: Record<string, ErrorCode> = {
  nodes: ErrorCode.NodeNotFound,
  users: ErrorCode.UserNotFound,
  keys: ErrorCode.UserNotFound,
  groups: ErrorCode.GroupNotFound,
  jobs: ErrorCode.JobNotFound,
  tokens: ErrorCode.TokenNotFound,
  admins: ErrorCode.AdminNotFound,
};

/** Refusals that say when to ask again. */
const RETRY_AFTER = new Set<ErrorCode>([ErrorCode.NoCapacity, ErrorCode.TooManyLoginAttempts, ErrorCode.Unavailable]);

/** What each code means, as the document says it. */
const MEANINGS: Record<ErrorCode, string> = {
  [ErrorCode.ValidationFailed]: 'the input is invalid; each message names its field',
  [ErrorCode.Unauthenticated]: 'no or bad credentials',
  [ErrorCode.InvalidCredentials]: 'wrong username or password',
  [ErrorCode.Forbidden]: 'the credential lacks the scope this route needs',
  [ErrorCode.NotFound]: 'no such thing',
  [ErrorCode.NodeNotFound]: 'no such node',
  [ErrorCode.TokenNotFound]: 'no such API token',
  [ErrorCode.AdminNotFound]: 'no such admin',
  [ErrorCode.AdminNameTaken]: 'an admin with this username exists',
  [ErrorCode.LastOwner]: 'the change would leave no active owner',
  [ErrorCode.UserNotFound]: 'no such user (or deleted)',
  [ErrorCode.JobNotFound]: 'no such job',
  [ErrorCode.DeviceNotFound]: 'no such device of this user',
  [ErrorCode.GroupNotFound]: 'no such group',
  [ErrorCode.NodeNotEligible]: 'the node cannot take or serve users now (the message says why)',
  [ErrorCode.MoveInProgress]: 'a move of this user or onto this node is under way; try again in a moment',
  [ErrorCode.NodeUnreachable]: 'the node’s panel did not answer or refused',
  [ErrorCode.NoCapacity]: 'no healthy node has a free seat (Retry-After)',
  [ErrorCode.NodeNameTaken]: 'a node with this name exists',
  [ErrorCode.NodeHasUsers]: 'the other nodes of its group lack the seats for its users; nothing changed',
  [ErrorCode.GroupNameTaken]: 'a group with this name exists',
  [ErrorCode.GroupHasNodes]: 'the group still has nodes, or users whose plans name it',
  [ErrorCode.PayloadTooLarge]: 'the body is over 64 kB',
  [ErrorCode.UnsupportedMediaType]: 'the body is not application/json',
  [ErrorCode.IdempotencyKeyReused]: 'the Idempotency-Key was used for another request (body, route or caller)',
  [ErrorCode.TooManyLoginAttempts]: 'too many logins (Retry-After)',
  [ErrorCode.Unavailable]: 'the database does not answer (Retry-After)',
  [ErrorCode.Internal]: 'an unexpected failure; quote the correlation id',
};

type Responses = Record<string, unknown>;
export type Operation = Record<string, unknown> & {
  operationId?: string;
  summary?: string;
  security?: unknown[];
  responses: Responses;
  parameters?: unknown[];
  requestBody?: unknown;
};

/** The one body of every error answer (`ErrorBody` in the contract). */
const ERROR_SCHEMA = {
  type: 'object',
  required: ['statusCode', 'error', 'message', 'code'],
  properties: {
    statusCode: { type: 'integer', example: 400 },
    error: { type: 'string', example: 'Bad Request' },
    message: {
      description: 'what went wrong, always a list: one sentence per field at fault on a 400, else one sentence',
      type: 'array',
      items: { type: 'string' },
      example: ['user 42 not found'],
    },
    code: { type: 'string', enum: Object.values(ErrorCode), description: 'stable, machine-readable' },
    correlationId: { type: 'string', description: 'on a 500 only: the id of its log line' },
  },
};

/** The error answer with these codes: the one error body, its `code` narrowed to them. */
function errorAnswer(codes: ErrorCode[]) {
  const retry = codes.some((code) => RETRY_AFTER.has(code));
  return {
    description: codes.map((code) => `\`${code}\`: ${MEANINGS[code]}`).join('; '),
    ...(retry
      ? {
          headers: {
            'Retry-After': { description: 'seconds to wait before asking again', schema: { type: 'integer' } },
          },
        }
      : {}),
    content: {
      'application/json': {
        schema: { allOf: [{ $ref: '#/components/schemas/Error' }, { properties: { code: { enum: codes } } }] },
      },
    },
  };
}

/** Every error code an operation answers: those of its kind, and those it names (`ApiErrors`). */
function errorCodesOf(path: string, method: string, operation: Operation, open: boolean): ErrorCode[] {
  const codes = new Set<ErrorCode>((operation[ERRORS_EXTENSION] as ErrorCode[] | undefined) ?? []);
  delete operation[ERRORS_EXTENSION];
  if (operation.parameters?.length || operation.requestBody) codes.add(ErrorCode.ValidationFailed);
  if (operation.requestBody) {
    codes.add(ErrorCode.PayloadTooLarge);
    codes.add(ErrorCode.UnsupportedMediaType);
  }
  if (!open) {
    codes.add(ErrorCode.Unauthenticated);
    codes.add(ErrorCode.Forbidden);
  }
  const named = /\/api\/v1\/([a-z-]+)\/\{[^}]+\}/.exec(path)?.[1];
  // PUT /keys/{telegramId} finds or creates: there is nothing it cannot find.
  if (named && NOT_FOUND_BY_RESOURCE[named] && method !== 'put') codes.add(NOT_FOUND_BY_RESOURCE[named]);
  return [...codes];
}

/**
 * Finishes the generated document: every operation secured by the bearer scheme unless it is public (then
 * `security: []`, said explicitly); a summary on every operation (from its handler's name where none was written:
 * `getOrCreate` → "Get or create"); and the error answers every operation can give, with the one error schema —
 * 400 for bad input, 401 and 403 where credentials are needed, 404 where the path names something.
 */
export function describeApi(
  document: OpenAPIObject,
  /** What is served outside Nest (paths) or sent by us (webhooks). */
  extra: { webhooks: Record<string, unknown>; paths: Record<string, Record<string, Operation>> },
): OpenAPIObject {
  document.security = [{ bearer: [] }];
  Object.assign(document.paths, extra.paths);
  document.components = { ...document.components, schemas: { ...document.components?.schemas, Error: ERROR_SCHEMA } };
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods as Record<string, Operation>)) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      const open = Boolean(operation[PUBLIC_EXTENSION]) || operation.security?.length === 0;
      if (open) {
        operation.security = [];
        delete operation[PUBLIC_EXTENSION];
      }
      operation.summary ??= summaryOf(operation.operationId ?? '');
      const permission = operation[PERMISSION_EXTENSION];
      if (typeof permission === 'string') {
        operation['description'] = [operation['description'], permissionSentence(permission)]
          .filter(Boolean)
          .join('\n\n');
      }
      const byStatus = new Map<string, ErrorCode[]>();
      for (const code of errorCodesOf(path, method, operation, open)) {
        const status = String(STATUS_BY_CODE[code]);
        byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
      }
      for (const [status, codes] of byStatus) operation.responses[status] = errorAnswer(codes);
    }
  }
  Object.assign(document, { webhooks: extra.webhooks });
  return asOpenApi31(document);
}

/**
 * The generator writes OpenAPI 3.0 schemas; webhooks need 3.1, whose schemas are JSON Schema: `nullable` becomes a
 * `null` type (or a `oneOf` with one, beside a `$ref`), and a boolean `exclusiveMinimum` the bound itself.
 */
export function asOpenApi31(document: OpenAPIObject): OpenAPIObject {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const schema = node as Record<string, unknown>;
    if (typeof schema['nullable'] === 'boolean') {
      const nullable = schema['nullable'];
      delete schema['nullable'];
      if (nullable) allowNull(schema);
    }
    for (const [bound, limit] of [
      ['exclusiveMinimum', 'minimum'],
      ['exclusiveMaximum', 'maximum'],
    ] as const) {
      if (typeof schema[bound] !== 'boolean') continue;
      if (schema[bound]) schema[bound] = schema[limit];
      else delete schema[bound];
      if (schema[bound] !== undefined) delete schema[limit];
    }
    Object.values(schema).forEach(visit);
  };
  visit(document);
  document.openapi = '3.1.0';
  return document;
}

function allowNull(schema: Record<string, unknown>): void {
  const refs = (schema['allOf'] as unknown[] | undefined) ?? (schema['$ref'] ? [{ $ref: schema['$ref'] }] : null);
  if (refs) {
    delete schema['allOf'];
    delete schema['$ref'];
    delete schema['type'];
    schema['oneOf'] = [...refs, { type: 'null' }];
  } else if (typeof schema['type'] === 'string') {
    schema['type'] = [schema['type'], 'null'];
    if (Array.isArray(schema['enum'])) schema['enum'] = [...schema['enum'], null];
  }
}

/** What a credential needs for an operation, in words (`x-required-scope` says it for machines). */
function permissionSentence(permission: string): string {
  if (permission === SESSION) return 'Needs an admin logged in with a password (any role); API tokens get 403.';
  if (permission === ANY_CREDENTIAL) return 'Open to every valid credential.';
  return `Needs the \`${permission}\` scope.`;
}

/** `KeysController_getOrCreate` → "Get or create". */
export function summaryOf(operationId: string): string {
  const handler = operationId.split('_').pop() ?? operationId;
  const words = handler.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
