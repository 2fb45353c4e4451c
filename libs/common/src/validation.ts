import { ValidationError, ValidationPipe } from '@nestjs/common';
import { AppException } from './errors';

/** field path → first failed rule's message, e.g. { "receiver.zipCode": "zip code must be 5 digits" } */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const messages = Object.values(error.constraints ?? {});
    if (messages.length) out[path] = messages[0];
    if (error.children?.length) Object.assign(out, flattenValidationErrors(error.children, path));
  }
  return out;
}

/**
 * Request bodies, queries and params validated against their DTO classes: unknown fields are
 * refused, and a failure answers 400 REQUEST_ARGUMENT_NOT_VALID with the field → message map.
 */
export const validationPipe = (): ValidationPipe =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new AppException('REQUEST_ARGUMENT_NOT_VALID', 400, flattenValidationErrors(errors)),
  });
