import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from '../errors/domain-error';

/** A request carries a body when it announces bytes or a chunked stream; an empty request is read as `{}`. */
function carriesBody(request: Request): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length']) > 0;
}

/**
 * Every body is JSON: any other type, or a body without one, is 415 before a byte of it is read. Forms and
 * `text/plain` are what a foreign page can post without a CORS preflight, so refusing them keeps other sites from
 * making an admin's browser send requests (a login flood that locks their address, for one).
 */
export function jsonBodiesOnly(): RequestHandler {
  return (request: Request, _response: Response, next: NextFunction) => {
    if (!carriesBody(request) || request.is('application/json')) return next();
    next(
      new DomainError(
        ErrorCode.UnsupportedMediaType,
        'request bodies must be JSON: send Content-Type: application/json',
      ),
    );
  };
}
