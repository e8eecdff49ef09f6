import { ErrorCode } from '@fleet/contract';
import { ERRORS_EXTENSION, type Operation } from '../../../common/http/openapi';
import { SUBSCRIPTION_FORMATS } from './format-choice';
import { SING_BOX_SCHEMA } from './sing-box';

const header = (description: string) => ({ description, schema: { type: 'string' } });
const text = { schema: { type: 'string' } };

const HEADERS = {
  'subscription-userinfo': header('upload=…; download=…; total=… (0: unlimited); expire=… (unix seconds, 0: never)'),
  'profile-update-interval': header('hours between the app’s refreshes (SUB_UPDATE_INTERVAL_HOURS; 1 without a link)'),
  'profile-title': header('base64: of SUB_PROFILE_TITLE'),
  'content-disposition': header('attachment (the page: inline); filename="<title>"'),
  announce: header('SUB_ANNOUNCE, or why there is no link (base64:… when not ASCII)'),
  'support-url': header('SUB_SUPPORT_URL, when set'),
  'profile-web-page-url': header('SUB_WEB_PAGE_URL, when set'),
};

const DESCRIPTION =
  'The user’s servers, one per seat in group order, named by SUB_REMARK_TEMPLATE. No credentials: the token is the ' +
  'secret. The format is the one named (`?format=` or `/sub/{token}/{format}`), else the User-Agent’s (Clash/Mihomo ' +
  `family: clash; sing-box apps: singbox (sing-box ${SING_BOX_SCHEMA} schema); Happ, Streisand, V2Box, INCY: xray), ` +
  'else the page for a browser asking for HTML, else base64. A user who may not use the service gets no link and an ' +
  '`announce` saying why.';

function operation(operationId: string, summary: string, format: 'query' | 'path'): Record<string, Operation> {
  return {
    get: {
      operationId,
      summary,
      description: DESCRIPTION,
      tags: ['subscription'],
      security: [],
      parameters: [
        { name: 'token', in: 'path' as const, required: true, schema: { type: 'string', pattern: '^[\\w-]{16,64}$' } },
        {
          name: 'format',
          in: format,
          required: format === 'path',
          schema: { type: 'string', enum: [...SUBSCRIPTION_FORMATS] },
        },
        {
          name: 'User-Agent',
          in: 'header',
          required: false,
          schema: { type: 'string' },
          description: 'picks the format when none is named',
        },
      ],
      responses: {
        '200': {
          description: 'the subscription in the chosen format',
          headers: HEADERS,
          content: {
            'text/plain': {
              schema: { type: 'string', description: 'base64 of the links, one per line (links: the lines)' },
            },
            'text/yaml': { schema: { type: 'string', description: 'Clash Meta (Mihomo) profile' } },
            'application/json': {
              schema: {
                description: 'sing-box profile (object) or Xray configs (array)',
                oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }],
              },
            },
            'text/html': text,
          },
        },
      },
      [ERRORS_EXTENSION]: [ErrorCode.ValidationFailed, ErrorCode.NotFound],
    },
  };
}

/** `GET /sub/{token}` and `GET /sub/{token}/{format}`: served outside Nest, described here. */
export function subscriptionPaths(): Record<string, Record<string, Operation>> {
  return {
    '/sub/{token}': operation('subscription', 'Subscription (for VPN apps)', 'query'),
    '/sub/{token}/{format}': operation('subscriptionInFormat', 'Subscription in a named format', 'path'),
  };
}
