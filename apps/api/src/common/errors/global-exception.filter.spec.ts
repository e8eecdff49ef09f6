import { ArgumentsHost, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from './domain-error';
import { GlobalExceptionFilter } from './global-exception.filter';

function run(exception: unknown) {
  const sent: { status?: number; body?: Record<string, unknown>; headers: Record<string, string> } = { headers: {} };
  const response = {
    setHeader(name: string, value: string) {
      sent.headers[name] = value;
    },
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: Record<string, unknown>) {
      sent.body = body;
    },
  };
  const host = {
    switchToHttp: () => ({ getRequest: () => ({ id: 'req-123', complete: true }), getResponse: () => response }),
  } as unknown as ArgumentsHost;
  const filter = new GlobalExceptionFilter();
  (filter as unknown as { logger: { error: () => void } }).logger = { error: () => undefined };
  filter.catch(exception, host);
  return sent;
}

describe('GlobalExceptionFilter', () => {
  it('maps domain errors to their status and code', () => {
    expect(run(new DomainError(ErrorCode.NodeNameTaken, 'taken'))).toEqual({
      status: 409,
      body: { statusCode: 409, error: 'Conflict', message: ['taken'], code: 'NODE_NAME_TAKEN' },
      headers: {},
    });
  });

  it('keeps Nest HTTP errors below 500', () => {
    expect(run(new NotFoundException('Cannot GET /x')).body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });

  it('answers a dependency that does not answer with 503 UNAVAILABLE, not a 500', () => {
    expect(run(new ServiceUnavailableException('database unreachable')).body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: ['database unreachable'],
      code: 'UNAVAILABLE',
    });
  });

  it('hides unexpected errors behind a correlation id', () => {
    const sent = run(new Error('connection to 10.0.0.1 failed: password=hunter2'));
    expect(sent.status).toBe(500);
    expect(sent.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: ['internal error; quote correlation id req-123'],
      code: 'INTERNAL',
      correlationId: 'req-123',
    });
  });

  it('treats body-parser failures as the client error they are', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413 });
    expect(run(tooLarge).body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
    // A broken gzip body: body-parser wraps zlib's error with status 400 and expose, but no type.
    const brokenGzip = Object.assign(new Error('incorrect header check'), { status: 400, expose: true, errno: -3 });
    expect(run(brokenGzip)).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    // A 4xx-looking error that is neither is still ours: 500.
    expect(run(Object.assign(new Error('odd'), { status: 400 })).status).toBe(500);
  });

  /** The headers the filter sets for this error. */
  const headersFor = (error: unknown) => {
    const headers: Record<string, string> = {};
    const response = {
      setHeader: (name: string, value: string) => (headers[name] = value),
      status() {
        return this;
      },
      json: () => undefined,
    };
    const host = {
      switchToHttp: () => ({ getRequest: () => ({ id: 'r' }), getResponse: () => response }),
    } as unknown as ArgumentsHost;
    new GlobalExceptionFilter().catch(error, host);
    return headers;
  };

  it('sends Retry-After with a 429, and with every 503 (30 s unless the error says)', () => {
    const slowDown = new DomainError(ErrorCode.TooManyLoginAttempts, 'slow down', { retryAfterSeconds: 7 });
    expect(headersFor(slowDown)['Retry-After']).toBe('7');
    expect(headersFor(new DomainError(ErrorCode.NoCapacity, 'full'))['Retry-After']).toBe('30');
    expect(headersFor(new DomainError(ErrorCode.UserNotFound, 'who'))['Retry-After']).toBeUndefined();
  });
});
