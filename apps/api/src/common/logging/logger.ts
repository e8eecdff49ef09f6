import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import pino, { DestinationStream, Logger, LevelWithSilent, stdSerializers } from 'pino';
import type { Options } from 'pino-http';

/** Paths never written to logs, whatever object they appear in. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.panelPassword',
  '*.panelApiToken',
  '*.token',
  '*.accessToken',
  '*.secretKey',
];

const SUBSCRIPTION_PATH = /\/sub\/[^/?#\s"]+/g;

/** `/sub/<token>` → `/sub/[redacted]`: a subscription token is a credential, wherever a URL is written. */
export function redactSubscriptionTokens(text: string): string {
  return text.replace(SUBSCRIPTION_PATH, '/sub/[redacted]');
}

type Serialized = Record<string, unknown>;

/** A serialized request as logged: no subscription token in the URL, no path parameters (they repeat the URL). */
function scrubRequest(request: Serialized): Serialized {
  const rest = { ...request };
  delete rest['params'];
  return typeof rest['url'] === 'string' ? { ...rest, url: redactSubscriptionTokens(rest['url']) } : rest;
}

/**
 * A serialized error as logged: a failed query keeps its SQL text but never its parameters (tokens, hashes, user
 * data), and a URL in the message or stack loses its subscription token.
 */
function scrubError(error: Serialized): Serialized {
  const rest = { ...error };
  delete rest['parameters'];
  delete rest['driverError'];
  for (const key of ['message', 'stack']) {
    if (typeof rest[key] === 'string') rest[key] = redactSubscriptionTokens(rest[key] as string);
  }
  return rest;
}

/** For pino-http, which applies the standard serializers first and hands their result to these. */
export const HTTP_LOG_SERIALIZERS = { req: scrubRequest, err: scrubError };

/** How every HTTP request is logged (pino-http): request id, redacted URLs, level by status. */
export function httpLogOptions(logger: Logger): Options {
  return {
    logger,
    serializers: HTTP_LOG_SERIALIZERS,
    genReqId: (request, response) => {
      const id = requestId(request);
      response.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel: (_, response, error) =>
      error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
    autoLogging: { ignore: (request) => ['/healthz', '/readyz'].includes(request.url ?? '') },
  };
}

export function createLogger(level: LevelWithSilent, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: undefined,
      serializers: {
        req: (request: IncomingMessage) => scrubRequest(stdSerializers.req(request) as unknown as Serialized),
        err: (error: Error) => scrubError(stdSerializers.err(error) as unknown as Serialized),
      },
    },
    destination,
  );
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Reuses a caller's well-formed X-Request-Id, otherwise makes one. */
export function requestId(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
