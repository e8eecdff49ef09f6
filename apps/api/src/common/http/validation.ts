import { applyDecorators, ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from '../errors/domain-error';
import { findUnstorableString, INT4_MAX } from './strict-input';

/** Messages that each name the field, e.g. "maxUsers must not be greater than 1000000". */
export function validationMessages(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      parent ? message.replace(error.property, path) : message,
    );
    return [...own, ...validationMessages(error.children ?? [], path)];
  });
}

/**
 * Whitelist, reject unknown fields, report every violation as 400 VALIDATION_FAILED, and refuse strings PostgreSQL
 * cannot store (NUL, unpaired surrogates) in any body, query or path value before the DTO rules run.
 */
@Injectable()
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
      exceptionFactory: (errors) => new DomainError(ErrorCode.ValidationFailed, validationMessages(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const field = findUnstorableString(value, metadata.type === 'param' ? (metadata.data ?? 'param') : '');
      if (field !== null) {
        throw new DomainError(ErrorCode.ValidationFailed, [
          `${field || metadata.type} must not contain NUL characters or unpaired UTF-16 surrogates`,
        ]);
      }
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe();
}

/**
 * A query-string integer: only plain decimal digits become a number; anything else (`0x10`, `1e3`, ` 1`) stays a
 * string and fails `@IsInt()`, so the message names the field.
 */
export const QueryInt = () =>
  Transform(({ value }) => (typeof value === 'string' && /^-?[0-9]{1,16}$/.test(value) ? Number(value) : value));

/** An optional id in the query string (`?nodeId=3`): plain digits, within PostgreSQL `integer`. */
export const OptionalIdQuery = () =>
  applyDecorators(
    ApiPropertyOptional({ minimum: 1, maximum: INT4_MAX }),
    IsOptional(),
    QueryInt(),
    IsInt(),
    Min(1),
    Max(INT4_MAX),
  );
