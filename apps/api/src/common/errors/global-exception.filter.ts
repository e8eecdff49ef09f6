import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Inject,
  Logger,
  Optional,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { ErrorBody, ErrorCode } from '@fleet/contract';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { DomainError, STATUS_BY_CODE } from './domain-error';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.Unauthenticated,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  429: ErrorCode.TooManyLoginAttempts,
  503: ErrorCode.Unavailable,
};

const UNREAD_BODY = new Set([413, 415]);
/** Refusals held back at once; beyond this they are answered immediately (a timer and a socket each). */
const MAX_DELAYED = 2000;

/** When a refusal for want of capacity is worth asking again (a seat frees, a node rises, the retry loop runs). */
const RETRY_UNAVAILABLE_SECONDS = 30;

/**
 * The one place where failures become HTTP responses. Unknown errors never leak their details. A request refused
 * before anyone was authenticated (a failed or malformed login, no or bad credentials, a body refused unread) is
 * answered after LOGIN_REJECT_DELAY_MS: a stranger who waits for each answer — as flooding and brute-force tools do —
 * then sends one request per delay instead of as many as the event loop can answer.
 */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');
  private delayed = 0;

  constructor(@Optional() @Inject(APP_CONFIG) private readonly config?: AppConfig) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const body = this.toBody(exception, request);
    if (body.statusCode >= 500) {
      this.logger.error({ err: exception, correlationId: body.correlationId }, 'unhandled error');
    }
    const retryAfter =
      exception instanceof DomainError
        ? (exception.options.retryAfterSeconds ?? (body.statusCode === 503 ? RETRY_UNAVAILABLE_SECONDS : undefined))
        : undefined;
    if (retryAfter !== undefined) response.setHeader('Retry-After', String(retryAfter));
    // A body refused unread (too large, not JSON) would otherwise be read to its end to keep the connection.
    if (UNREAD_BODY.has(body.statusCode) && !request.complete) response.setHeader('Connection', 'close');
    const delayMs = this.config?.loginRejectDelayMs ?? 0;
    const stranger = body.statusCode >= 400 && body.statusCode < 500 && !request.principal;
    if (!stranger || delayMs === 0 || this.delayed >= MAX_DELAYED) {
      response.status(body.statusCode).json(body);
      return;
    }
    this.delayed++;
    setTimeout(() => {
      this.delayed--;
      response.status(body.statusCode).json(body);
    }, delayMs);
  }

  private toBody(exception: unknown, request: Request): ErrorBody {
    if (exception instanceof DomainError) {
      return build(STATUS_BY_CODE[exception.code], exception.detail, exception.code);
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const payload = exception.getResponse();
      const message =
        typeof payload === 'string'
          ? payload
          : ((payload as { message?: string | string[] }).message ?? exception.message);
      if (status < 500 || status === 503)
        return build(status, message, CODE_BY_STATUS[status] ?? ErrorCode.ValidationFailed);
    }
    // Body-parser failures (too large, too deep, bad JSON, broken compression) are http-errors with a 4xx status;
    // a zlib error wrapped by body-parser carries the status but no `type`.
    const bodyError = exception as { type?: unknown; status?: unknown; expose?: unknown; message?: string };
    if (
      (typeof bodyError?.type === 'string' || bodyError?.expose === true) &&
      typeof bodyError.status === 'number' &&
      bodyError.status >= 400 &&
      bodyError.status < 500
    ) {
      return build(
        bodyError.status,
        `request body: ${String(bodyError.message ?? 'unreadable').slice(0, 200)}`,
        CODE_BY_STATUS[bodyError.status] ?? ErrorCode.ValidationFailed,
      );
    }
    const correlationId = String(request.id ?? 'unknown');
    return {
      ...build(500, `internal error; quote correlation id ${correlationId}`, ErrorCode.Internal),
      correlationId,
    };
  }
}

/** `message` is always a list: one sentence, or one per field at fault on a 400. */
function build(statusCode: number, message: string | string[], code: ErrorCode): ErrorBody {
  const error = (HttpStatus[statusCode] ?? 'Error')
    .toLowerCase()
    .split('_')
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(' ');
  return { statusCode, error, message: Array.isArray(message) ? message : [message], code };
}
