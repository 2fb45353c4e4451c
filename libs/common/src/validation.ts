import { PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { ClassConstructor, plainToInstance, Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min, registerDecorator, validate, ValidationOptions } from 'class-validator';
import { AppException, invalidArgument } from './errors';

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
    throw invalidArgument('form', 'must be a JSON object');
  }
  const instance = plainToInstance(type, plain);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) throw new AppException('REQUEST_ARGUMENT_NOT_VALID', 400, flattenValidationErrors(errors));
  return instance;
}

/** A MongoDB ObjectId as the services write it: 24 lower-case hex digits (products, categories). */
export const OBJECT_ID = /^[0-9a-f]{24}$/;
export const OBJECT_ID_MESSAGE = 'must be an id of 24 lower-case hex digits';

/** `@IsObjectId()` on a DTO field (with `{ each: true }` on arrays). */
export const IsObjectId = (options?: ValidationOptions) =>
  Matches(OBJECT_ID, { message: ({ property }) => `${property} ${OBJECT_ID_MESSAGE}`, ...options });

/** Largest numeric id accepted in a path (MySQL BIGINT ids, kept exact as a JS number). */
export const MAX_ID = 999_999_999_999_999;
const NUMERIC_ID = /^[1-9][0-9]{0,14}$/;

/** Path parameter pipes: a malformed id is 400 REQUEST_ARGUMENT_NOT_VALID naming it, never a query. */
export const idPipe = (name: string): PipeTransform<string, number> => ({
  transform: (value) => {
    if (!NUMERIC_ID.test(value)) throw invalidArgument(name, 'must be a number');
    return Number(value);
  },
});
export const objectIdPipe = (name: string): PipeTransform<string, string> => ({
  transform: (value) => {
    if (!OBJECT_ID.test(value)) throw invalidArgument(name, OBJECT_ID_MESSAGE);
    return value;
  },
});

/**
 * Personal fields are stored AES-256-GCM encrypted (12-byte IV + 16-byte tag + text), base64, in
 * VARCHAR(255): 4·⌈(28 + n)/3⌉ ≤ 255 holds up to n = 161 bytes of UTF-8 (53 Korean syllables).
 */
export const ENCRYPTED_FIELD_MAX_BYTES = 161;

/** At most `max` bytes once UTF-8 encoded (what a column holds, whatever the script). */
export function MaxUtf8Bytes(max: number, options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'maxUtf8Bytes',
      target: object.constructor,
      propertyName,
      constraints: [max],
      options: { message: `${propertyName} must be at most ${max} bytes in UTF-8`, ...options },
      validator: { validate: (value: unknown) => typeof value !== 'string' || Buffer.byteLength(value) <= max },
    });
}

/** Pages are bounded so that page × size stays a small exact number in every store. */
export const MAX_PAGE = 1_000_000;

/** The `page` & `size` query of a paged list; `size` defaults per list. */
export function PageQuery(defaultSize: number, maxSize = 100) {
  class Page {
    @ApiPropertyOptional({ type: 'integer', default: 0, minimum: 0, maximum: MAX_PAGE })
    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(0)
    @Max(MAX_PAGE)
    page = 0;

    @ApiPropertyOptional({ type: 'integer', default: defaultSize, minimum: 1, maximum: maxSize })
    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(1)
    @Max(maxSize)
    size = defaultSize;
  }
  return Page;
}
