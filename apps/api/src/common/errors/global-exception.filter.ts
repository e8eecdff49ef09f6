import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ErrorBody, ErrorCode } from '@fleet/contract';
import { DomainError, STATUS_BY_CODE } from './domain-error';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.Unauthenticated,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  413: ErrorCode.PayloadTooLarge,
  429: ErrorCode.TooManyLoginAttempts,
};

/** The one place where failures become HTTP responses. Unknown errors never leak their details. */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const body = this.toBody(exception, request);
    if (body.statusCode >= 500) {
      this.logger.error({ err: exception, correlationId: body.correlationId }, 'unhandled error');
    }
    if (exception instanceof DomainError && exception.options.retryAfterSeconds !== undefined) {
      response.setHeader('Retry-After', String(exception.options.retryAfterSeconds));
    }
    response.status(body.statusCode).json(body);
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
      if (status < 500) return build(status, message, CODE_BY_STATUS[status] ?? ErrorCode.ValidationFailed);
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

function build(statusCode: number, message: string | string[], code: ErrorCode): ErrorBody {
  const error = (HttpStatus[statusCode] ?? 'Error')
    .toLowerCase()
    .split('_')
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(' ');
  return { statusCode, error, message, code };
}
