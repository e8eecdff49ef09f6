import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from '../errors/domain-error';

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

/** Whitelist, reject unknown fields, and report every violation as 400 VALIDATION_FAILED. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new DomainError(ErrorCode.ValidationFailed, validationMessages(errors)),
  });
}
