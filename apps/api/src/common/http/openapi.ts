import type { OpenAPIObject } from '@nestjs/swagger';
import { ErrorCode } from '@fleet/contract';
import { PUBLIC_EXTENSION } from './roles.decorator';

type Responses = Record<string, unknown>;
type Operation = Record<string, unknown> & {
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

const header = (description: string) => ({ description, schema: { type: 'string' } });

/** `GET /sub/:token`: served outside Nest (the route every VPN app polls), described here. */
const SUBSCRIPTION_PATH: OpenAPIObject['paths'][string] = {
  get: {
    operationId: 'subscription',
    summary: 'Subscription (for VPN apps)',
    description:
      'The user’s share links, one per server in group order, base64 of the lines. No credentials: the token is ' +
      'the secret. A user who may not use the service gets no link, and the headers say why.',
    tags: ['subscription'],
    security: [],
    parameters: [
      { name: 'token', in: 'path' as const, required: true, schema: { type: 'string', pattern: '^[\\w-]{16,64}$' } },
    ],
    responses: {
      '200': {
        description: 'the links',
        headers: {
          'subscription-userinfo': header('upload=…; download=…; total=… (0: unlimited); expire=… (unix seconds)'),
          'profile-update-interval': header('hours between the app’s refreshes'),
          'profile-title': header('base64: of SUB_PROFILE_TITLE, when set'),
          'support-url': header('SUB_SUPPORT_URL, when set'),
          'profile-web-page-url': header('SUB_WEB_PAGE_URL, when set'),
        },
        content: { 'text/plain': { schema: { type: 'string', format: 'byte' } } },
      },
      '404': { description: 'no such token (a rotated or deleted user’s)' },
    },
  },
};

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/**
 * Finishes the generated document: every operation secured by the bearer scheme unless it is public (then
 * `security: []`, said explicitly); a summary on every operation (from its handler's name where none was written:
 * `getOrCreate` → "Get or create"); and the error answers every operation can give, with the one error schema —
 * 400 for bad input, 401 and 403 where credentials are needed, 404 where the path names something.
 */
export function describeApi(document: OpenAPIObject, extra: { webhooks: Record<string, unknown> }): OpenAPIObject {
  document.security = [{ bearer: [] }];
  document.paths['/sub/{token}'] = SUBSCRIPTION_PATH;
  document.components = { ...document.components, schemas: { ...document.components?.schemas, Error: ERROR_SCHEMA } };
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const operation of Object.values(methods as Record<string, Operation>)) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      const open = Boolean(operation[PUBLIC_EXTENSION]);
      if (open) {
        operation.security = [];
        delete operation[PUBLIC_EXTENSION];
      }
      operation.summary ??= summaryOf(operation.operationId ?? '');
      const add = (status: string, description: string) => {
        operation.responses[status] ??= error(description);
      };
      if (operation.parameters?.length || operation.requestBody)
        add('400', 'the input is invalid (`VALIDATION_FAILED`)');
      if (!open) {
        add('401', 'no or bad credentials (`UNAUTHENTICATED`)');
        add('403', 'the role may not do this (`FORBIDDEN`)');
      }
      if (path.includes('{')) add('404', 'what the path names does not exist');
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

/** `KeysController_getOrCreate` → "Get or create". */
export function summaryOf(operationId: string): string {
  const handler = operationId.split('_').pop() ?? operationId;
  const words = handler.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
