import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { AppException, ENCRYPTED_FIELD_MAX_BYTES, OBJECT_ID, validationPipe } from '@runrun/common';
import Ajv, { ErrorObject, JSONSchemaType } from 'ajv';
import {
  CreateOrderForm,
  MAX_LINE_QUANTITY,
  MAX_ORDER_LINES,
  OrderProductForm,
  PHONE,
  RECEIVER_ADDRESS_LENGTH,
  RECEIVER_NAME_LENGTH,
  ReceiverForm,
  ZIP_CODE,
} from './order.dto';

/*
 * POST /orders' body is checked by a JSON schema compiled once at start, not by the reflective
 * ValidationPipe (class-transformer + class-validator) the other endpoints keep: in a flash sale
 * an accepted order costs one compiled function call. The schema holds exactly the rules of
 * CreateOrderForm's decorators under the pipe's options (whitelist + forbidNonWhitelisted:
 * unknown fields refused; transform without implicit conversion: no coercion):
 *
 * - the body is an object with exactly products, shouldSaveNewAddress, shouldDeleteCartItem and
 *   receiver, all required;
 * - products: an array of 1 to MAX_ORDER_LINES objects, each with exactly id (24 lower-case hex
 *   digits) and quantity (an integer from 1 to MAX_LINE_QUANTITY);
 * - shouldSaveNewAddress, shouldDeleteCartItem: booleans;
 * - receiver: an object with exactly isDefault (boolean), name (a string of 2 to 30 characters),
 *   address (8 to 100 characters and at most ENCRYPTED_FIELD_MAX_BYTES bytes in UTF-8), zipCode
 *   (5 digits) and phone (010-1234-5678);
 * - a field named like a method of every object (toString, constructor, …) is dropped, not
 *   refused, in every object of the body: class-transformer skips such a key.
 *
 * A refused body is explained by the DTO itself, through the same pipe the other endpoints use, so
 * the answer (400 REQUEST_ARGUMENT_NOT_VALID with field → message) is the one it always was.
 * create-order.schema.spec.ts runs both on the same bodies.
 */

/** Keys class-transformer skips in a DTO: those naming a function an object inherits. */
const INHERITED_METHODS = Object.getOwnPropertyNames(Object.prototype).filter(
  (key) => typeof (Object.prototype as Record<string, unknown>)[key] === 'function',
);
const anyValue = {} as JSONSchemaType<unknown>;
const ignoredKeys = { [`^(${INHERITED_METHODS.join('|')})$`]: anyValue };

/** Characters as class-validator's @Length counts them: a surrogate pair or a variation selector after a character is one. */
export function textLength(text: string): number {
  const presentationSequences = text.match(/[^\uFE0F\uFE0E][\uFE0F\uFE0E]/g)?.length ?? 0;
  const surrogatePairs = text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0;
  return text.length - presentationSequences - surrogatePairs;
}

const ajv = new Ajv({ allErrors: false });
ajv.addKeyword({
  keyword: 'textLength',
  type: 'string',
  schemaType: 'array',
  validate: ([min, max]: readonly [number, number], text: string) => {
    const length = textLength(text);
    return length >= min && length <= max;
  },
});
ajv.addKeyword({
  keyword: 'maxUtf8Bytes',
  type: 'string',
  schemaType: 'number',
  validate: (max: number, text: string) => Buffer.byteLength(text) <= max,
});

const productLine: JSONSchemaType<OrderProductForm> = {
  type: 'object',
  required: ['id', 'quantity'],
  additionalProperties: false,
  patternProperties: ignoredKeys,
  properties: {
    id: { type: 'string', pattern: OBJECT_ID.source },
    quantity: { type: 'integer', minimum: 1, maximum: MAX_LINE_QUANTITY },
  },
};

const receiver: JSONSchemaType<ReceiverForm> = {
  type: 'object',
  required: ['isDefault', 'name', 'address', 'zipCode', 'phone'],
  additionalProperties: false,
  patternProperties: ignoredKeys,
  properties: {
    isDefault: { type: 'boolean' },
    name: { type: 'string', textLength: RECEIVER_NAME_LENGTH },
    address: { type: 'string', textLength: RECEIVER_ADDRESS_LENGTH, maxUtf8Bytes: ENCRYPTED_FIELD_MAX_BYTES },
    zipCode: { type: 'string', pattern: ZIP_CODE.source },
    phone: { type: 'string', pattern: PHONE.source },
  },
};

export const CREATE_ORDER_SCHEMA: JSONSchemaType<CreateOrderForm> = {
  type: 'object',
  required: ['products', 'shouldSaveNewAddress', 'shouldDeleteCartItem', 'receiver'],
  additionalProperties: false,
  patternProperties: ignoredKeys,
  properties: {
    products: { type: 'array', minItems: 1, maxItems: MAX_ORDER_LINES, items: productLine },
    shouldSaveNewAddress: { type: 'boolean' },
    shouldDeleteCartItem: { type: 'boolean' },
    receiver,
  },
};

const isCreateOrderForm = ajv.compile(CREATE_ORDER_SCHEMA);

/** The body's known fields only (what the pipe's class instances held: ignored keys dropped). */
const formOf = (body: CreateOrderForm): CreateOrderForm => ({
  products: body.products.map(({ id, quantity }) => ({ id, quantity })),
  shouldSaveNewAddress: body.shouldSaveNewAddress,
  shouldDeleteCartItem: body.shouldDeleteCartItem,
  receiver: {
    isDefault: body.receiver.isDefault,
    name: body.receiver.name,
    address: body.receiver.address,
    zipCode: body.receiver.zipCode,
    phone: body.receiver.phone,
  },
});

const explainingPipe = validationPipe();
const asDto: ArgumentMetadata = { type: 'body', metatype: CreateOrderForm };

/** A refusal the DTO does not explain: an array where a product line belongs (the pipe let it through). */
const refusalOf = (error: ErrorObject | undefined): AppException => {
  const field = error?.instancePath.slice(1).replaceAll('/', '.') || 'body';
  return new AppException('REQUEST_ARGUMENT_NOT_VALID', 400, {
    [field]: `${field} ${error?.message ?? 'is not valid'}`,
  });
};

async function refuse(body: unknown, firstError: ErrorObject | undefined): Promise<never> {
  await explainingPipe.transform(body, asDto); // throws the answer the DTO gives
  throw refusalOf(firstError);
}

/**
 * `@Body(createOrderFormPipe)` on a parameter typed `CreateOrderBody`: the compiled schema accepts
 * or refuses, the DTO's pipe words a refusal.
 */
export const createOrderFormPipe: PipeTransform<unknown, CreateOrderForm | Promise<never>> = {
  transform: (body) => (isCreateOrderForm(body) ? formOf(body) : refuse(body, isCreateOrderForm.errors?.[0])),
};

/**
 * What the handler receives. A type alias, not the class: its parameter's design type is Object,
 * which the global ValidationPipe leaves alone.
 */
export type CreateOrderBody = CreateOrderForm;
