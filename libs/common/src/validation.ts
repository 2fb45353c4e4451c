import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
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

/** Validates a body that did not come through the pipe (e.g. the JSON part of a multipart form). */
export async function validateBody<T extends object>(type: ClassConstructor<T>, plain: unknown): Promise<T> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw new AppException('REQUEST_ARGUMENT_NOT_VALID', 400, { form: 'must be a JSON object' });
  }
  const instance = plainToInstance(type, plain);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) throw new AppException('REQUEST_ARGUMENT_NOT_VALID', 400, flattenValidationErrors(errors));
  return instance;
}
