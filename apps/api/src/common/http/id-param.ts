import { createParamDecorator, ExecutionContext, ParamDecoratorEnhancer } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import type { Request } from 'express';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from '../errors/domain-error';
import { INT4_MAX } from './strict-input';

const ID = /^[1-9][0-9]{0,9}$/;

/** A row id: plain decimal digits, no sign, no leading zero, within PostgreSQL `integer`. */
export function parseId(name: string, raw: unknown): number {
  const id = typeof raw === 'string' && ID.test(raw) ? Number(raw) : NaN;
  if (!(id <= INT4_MAX)) {
    throw new DomainError(ErrorCode.ValidationFailed, [`${name} must be an id: digits only, from 1 to ${INT4_MAX}`]);
  }
  return id;
}

/**
 * A decorator reading the path parameter `name` as a row id from the raw, decoded path, never from a value another
 * pipe has already turned into a number (which would accept `0x10`, `+1`, ` 1`, `1e3`); it also declares the
 * parameter in the OpenAPI document, which a custom decorator would otherwise leave out.
 */
export function pathId(name: string) {
  const documented: ParamDecoratorEnhancer = (target, key) => {
    const descriptor = Object.getOwnPropertyDescriptor(target, key!)!;
    ApiParam({ name, schema: { type: 'integer', minimum: 1, maximum: INT4_MAX } })(target, key!, descriptor);
  };
  return createParamDecorator(
    (_: unknown, context: ExecutionContext): number =>
      parseId(name, context.switchToHttp().getRequest<Request>().params[name]),
    [documented],
  );
}

/** `@IdParam()`: the `:id` path parameter. */
export const IdParam = pathId('id');
