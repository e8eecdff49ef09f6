import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import pino, { Logger, LevelWithSilent } from 'pino';

/** Paths never written to logs, whatever object they appear in. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.panelPassword',
  '*.panelApiToken',
  '*.token',
  '*.accessToken',
  '*.secretKey',
];

export function createLogger(level: LevelWithSilent): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: undefined });
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Reuses a caller's well-formed X-Request-Id, otherwise makes one. */
export function requestId(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
