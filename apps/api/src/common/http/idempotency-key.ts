import { createParamDecorator, ExecutionContext, ParamDecoratorEnhancer } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from '../errors/domain-error';
import { ApiErrors } from './openapi';

/** A request that carries an `Idempotency-Key`: the key and what it names (who, which route, which body). */
export interface IdempotentRequest {
  key: string;
  /** `admin:<id>` or `token:<id>`. */
  principal: string;
  /** Method and path with its parameters, e.g. `POST /api/v1/keys/101/extend`. */
  route: string;
  /** SHA-256 (hex) of the JSON body with its object keys sorted: the same body however it was spelled. */
  bodyHash: string;
}

/** JSON with every object's keys in order, so `{"a":1,"b":2}` and `{ "b": 2, "a": 1 }` hash alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Declares the header and its refusal (422) in the OpenAPI document. */
const documented: ParamDecoratorEnhancer = (target, key) => {
  const descriptor = key === undefined ? undefined : Object.getOwnPropertyDescriptor(target, key);
  if (key === undefined || !descriptor) return;
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'up to 128 printable characters; the same request with the same key within 24 h is answered once, the ' +
      'repeats get the first answer with `Idempotent-Replayed: true`',
  })(target, key, descriptor);
  ApiErrors(ErrorCode.IdempotencyKeyReused)(target, key, descriptor);
};

/** The `Idempotency-Key` header (any printable text up to 128 characters) with the request it names, or null. */
export const IdempotencyKey = createParamDecorator(
  (_: unknown, context: ExecutionContext): IdempotentRequest | null => {
    const request = context.switchToHttp().getRequest<Request>();
    const key = request.headers['idempotency-key'];
    if (key === undefined) return null;
    if (typeof key !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(key)) {
      throw new DomainError(ErrorCode.ValidationFailed, [
        'Idempotency-Key must be 1 to 128 printable characters without spaces',
      ]);
    }
    const path = (request.route.path as string).replace(/:(\w+)/g, (_match, name: string) => request.params[name]);
    return {
      key,
      principal: request.principal ? `${request.principal.kind}:${request.principal.id}` : 'anonymous',
      route: `${request.method} ${path}`,
      bodyHash: createHash('sha256')
        .update(canonicalJson(request.body ?? {}))
        .digest('hex'),
    };
  },
  [documented],
);

/** Why a key stored for `earlier` cannot answer `request`, or null when it is the same request again. */
export function reuseProblem(
  earlier: { principal: string | null; route: string; bodyHash: string | null },
  request: IdempotentRequest,
): string | null {
  const reused = 'Idempotency-Key was already used';
  const advice = 'send a new key with a new request';
  if (earlier.principal === null) return `${reused} before an upgrade of this service; ${advice}`;
  if (earlier.principal !== request.principal) return `${reused} by another caller; ${advice}`;
  if (earlier.route !== request.route) return `${reused} for ${earlier.route}; ${advice}`;
  if (earlier.bodyHash !== request.bodyHash) return `${reused} with a different body; ${advice}`;
  return null;
}

/** A repeat answered from the first call says so. */
export function markReplayed(response: Response, replayed: boolean): void {
  if (replayed) response.setHeader('Idempotent-Replayed', 'true');
}
