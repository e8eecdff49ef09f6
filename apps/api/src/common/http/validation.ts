import { applyDecorators, ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, ValidateBy, ValidateIf } from 'class-validator';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from '../errors/domain-error';
import { inputShapeProblem } from './input-shape';
import { findUnstorableString, INT4_MAX } from './strict-input';

/** Each field's messages, each naming the field, e.g. "maxUsers must not be greater than 1000000". */
function fieldProblems(errors: ValidationError[], parent = ''): Array<{ field: string; messages: string[] }> {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      parent ? message.replace(error.property, path) : message,
    );
    return [...(own.length ? [{ field: path, messages: own }] : []), ...fieldProblems(error.children ?? [], path)];
  });
}

export function validationMessages(errors: ValidationError[]): string[] {
  return fieldProblems(errors).flatMap((problem) => problem.messages);
}

/** A 400 lists at most this many lines. */
export const MAX_MESSAGES = 6;

/**
 * At most MAX_MESSAGES lines that still name every field at fault: every message when they fit, else the first
 * message of each field, and past the limit one line naming the remaining fields.
 */
export function summarizedMessages(errors: ValidationError[]): string[] {
  const problems = fieldProblems(errors);
  const all = problems.flatMap((problem) => problem.messages);
  if (all.length <= MAX_MESSAGES) return all;
  const firsts = problems.map((problem) => problem.messages[0]);
  if (firsts.length <= MAX_MESSAGES) return firsts;
  const rest = problems.slice(MAX_MESSAGES - 1).map((problem) => problem.field);
  return [...firsts.slice(0, MAX_MESSAGES - 1), `… and ${rest.length} more fields at fault: ${rest.join(', ')}`];
}

/**
 * Whitelist, reject unknown fields, report violations as 400 VALIDATION_FAILED (a few messages at most), refuse a body
 * or query that cannot be what its DTO describes by its shape alone, and strings PostgreSQL cannot store (NUL,
 * unpaired surrogates) in any body, query or path value, before the DTO rules run.
 */
@Injectable()
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
      exceptionFactory: (errors) => new DomainError(ErrorCode.ValidationFailed, summarizedMessages(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // A request without a body (undefined) is read as `{}`, as the validation below does.
    if ((metadata.type === 'body' || metadata.type === 'query') && metadata.metatype && value != null) {
      const problem = inputShapeProblem(value, metadata.metatype as new () => unknown, metadata.type);
      if (problem) throw new DomainError(ErrorCode.ValidationFailed, [problem]);
    }
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

/** A field that may be left out; when present (null too) it must pass its rules. */
export const unlessAbsent = () => ValidateIf((_, value) => value !== undefined);

/** A field that may be left out or null (where null means "none"); otherwise it must pass its rules. */
export const unlessNull = () => ValidateIf((_, value) => value !== undefined && value !== null);

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

/**
 * A text field parsed once, while the DTO is built, into the value the handler receives (a date, a cursor): `parse`
 * answers null for text it refuses, and anything that did not parse is 400 naming the field, "<field> must be
 * <expected>". Put `IsOptional()`/`ValidateIf()` next to it for optional or nullable fields.
 */
export function ParsedInput<T>(
  parse: (text: string) => T | null,
  isParsed: (value: unknown) => boolean,
  expected: string,
): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? (parse(value) ?? value) : value)),
    ValidateBy({
      name: 'parsedInput',
      validator: { validate: isParsed, defaultMessage: (args) => `${args?.property} must be ${expected}` },
    }),
  );
}
