import 'reflect-metadata';
import { AppException, validationPipe } from '@runrun/common';
import fc from 'fast-check';
import { bodyHash } from '../idempotency/idempotency';
import { createOrderFormPipe, textLength } from './create-order.schema';
import { OrderController } from './order.controller';
import { CreateOrderForm } from './order.dto';

type Outcome = { accepted: unknown } | { status: number; code: string; message: unknown };

const outcomeOf = async (run: () => unknown): Promise<Outcome> => {
  try {
    return { accepted: JSON.parse(JSON.stringify(await run())) };
  } catch (error) {
    if (!(error instanceof AppException)) throw error;
    return { status: error.status, code: error.code, message: error.details };
  }
};
const copy = <T>(body: T): T => (body === undefined ? body : structuredClone(body));
/** The compiled path POST /orders takes. */
const compiled = (body: unknown) => outcomeOf(() => createOrderFormPipe.transform(copy(body), { type: 'body' }));
/** The reflective path it replaces: the global ValidationPipe on the DTO. */
const dtoPipe = validationPipe();
const reflective = (body: unknown) =>
  outcomeOf(() => dtoPipe.transform(copy(body), { type: 'body', metatype: CreateOrderForm }));

const ID = '0123456789abcdef01234567';
const receiver = { isDefault: true, name: 'Kim', address: 'Seoul Gangnam 1', zipCode: '12345', phone: '010-1234-5678' };
const valid = {
  products: [{ id: ID, quantity: 1 }],
  shouldSaveNewAddress: false,
  shouldDeleteCartItem: true,
  receiver,
};
const withLine = (line: object) => ({ ...valid, products: [line] });
const withReceiver = (fields: object) => ({ ...valid, receiver: { ...receiver, ...fields } });
const lines = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: i.toString(16).padStart(24, '0'), quantity: 1 }));
const refused = (message: Record<string, string>): Outcome => ({
  status: 400,
  code: 'REQUEST_ARGUMENT_NOT_VALID',
  message,
});
const EVERY_FIELD_MISSING = {
  products: 'products must contain no more than 50 elements',
  shouldSaveNewAddress: 'shouldSaveNewAddress must be a boolean value',
  shouldDeleteCartItem: 'shouldDeleteCartItem must be a boolean value',
  receiver: 'receiver is required',
};

const ACCEPTED: [string, unknown][] = [
  ['a minimal order', valid],
  ['50 lines', { ...valid, products: lines(50) }],
  ['quantities 1 and 1000', { ...valid, products: [lines(1)[0], { ...lines(2)[1], quantity: 1000 }] }],
  ['a quantity written 1.0 or 1e3 (JSON numbers)', withLine({ id: ID, quantity: 1e3 })],
  ['a name of 2 and of 30 characters', withReceiver({ name: 'ab' })],
  ['a name of 30 characters', withReceiver({ name: 'a'.repeat(30) })],
  ['a name of 30 emoji (surrogate pairs count once)', withReceiver({ name: '😀'.repeat(30) })],
  ['a name whose variation selectors do not count', withReceiver({ name: 'a\uFE0F'.repeat(30) })],
  ['an address of 8 characters', withReceiver({ address: 'abcdefgh' })],
  ['an address of 53 Korean syllables (159 bytes)', withReceiver({ address: '가'.repeat(53) })],
  ['an address of 100 ASCII characters', withReceiver({ address: 'a'.repeat(100) })],
  ['a two-digit area code', withReceiver({ phone: '02-123-4567' })],
];

const REFUSED: [string, unknown, Record<string, string>][] = [
  ['no body', undefined, EVERY_FIELD_MISSING],
  ['null', null, EVERY_FIELD_MISSING],
  ['a number', 5, EVERY_FIELD_MISSING],
  ['a string', 'order', EVERY_FIELD_MISSING],
  ['an empty object', {}, EVERY_FIELD_MISSING],
  ['an array', [valid], { 0: 'property 0 should not exist', ...EVERY_FIELD_MISSING }],
  ['an unknown field', { ...valid, extra: 1 }, { extra: 'property extra should not exist' }],
  [
    'an unknown field in a line',
    withLine({ id: ID, quantity: 1, price: 5 }),
    { 'products.0.price': 'property price should not exist' },
  ],
  [
    'an unknown field in the receiver',
    withReceiver({ email: 'a@b.c' }),
    { 'receiver.email': 'property email should not exist' },
  ],
  [
    'products missing',
    { ...valid, products: undefined },
    { products: 'products must contain no more than 50 elements' },
  ],
  ['products null', { ...valid, products: null }, { products: 'products must contain no more than 50 elements' }],
  [
    'products an object',
    { ...valid, products: { id: ID, quantity: 1 } },
    { products: 'products must contain no more than 50 elements' },
  ],
  ['products empty', { ...valid, products: [] }, { products: 'products should not be empty' }],
  ['51 lines', { ...valid, products: lines(51) }, { products: 'products must contain no more than 50 elements' }],
  [
    '10,000 lines',
    { ...valid, products: lines(10_000) },
    { products: 'products must contain no more than 50 elements' },
  ],
  [
    'a line that is a number',
    { ...valid, products: [5] },
    { 'products.0': 'each value in nested property products must be either object or array' },
  ],
  [
    'a line that is null',
    { ...valid, products: [null] },
    { 'products.0': 'each value in nested property products must be either object or array' },
  ],
  ['a line without id', withLine({ quantity: 1 }), { 'products.0.id': 'id must be an id of 24 lower-case hex digits' }],
  [
    'an upper-case id',
    withLine({ id: ID.toUpperCase(), quantity: 1 }),
    { 'products.0.id': 'id must be an id of 24 lower-case hex digits' },
  ],
  [
    'an id of 23 digits',
    withLine({ id: ID.slice(1), quantity: 1 }),
    { 'products.0.id': 'id must be an id of 24 lower-case hex digits' },
  ],
  [
    'an id with a newline after it',
    withLine({ id: `${ID}\n`, quantity: 1 }),
    { 'products.0.id': 'id must be an id of 24 lower-case hex digits' },
  ],
  [
    'a numeric id',
    withLine({ id: 123, quantity: 1 }),
    { 'products.0.id': 'id must be an id of 24 lower-case hex digits' },
  ],
  [
    'a line without quantity',
    withLine({ id: ID }),
    { 'products.0.quantity': 'quantity must not be greater than 1000' },
  ],
  ['quantity 0', withLine({ id: ID, quantity: 0 }), { 'products.0.quantity': 'quantity must not be less than 1' }],
  ['quantity -1', withLine({ id: ID, quantity: -1 }), { 'products.0.quantity': 'quantity must not be less than 1' }],
  [
    'quantity 1001',
    withLine({ id: ID, quantity: 1001 }),
    { 'products.0.quantity': 'quantity must not be greater than 1000' },
  ],
  [
    'quantity 1.5',
    withLine({ id: ID, quantity: 1.5 }),
    { 'products.0.quantity': 'quantity must be an integer number' },
  ],
  [
    'quantity as a string (no coercion)',
    withLine({ id: ID, quantity: '1' }),
    { 'products.0.quantity': 'quantity must not be greater than 1000' },
  ],
  [
    'quantity true',
    withLine({ id: ID, quantity: true }),
    { 'products.0.quantity': 'quantity must not be greater than 1000' },
  ],
  [
    'shouldSaveNewAddress missing',
    { ...valid, shouldSaveNewAddress: undefined },
    { shouldSaveNewAddress: 'shouldSaveNewAddress must be a boolean value' },
  ],
  [
    'shouldSaveNewAddress "true" (no coercion)',
    { ...valid, shouldSaveNewAddress: 'true' },
    { shouldSaveNewAddress: 'shouldSaveNewAddress must be a boolean value' },
  ],
  [
    'shouldDeleteCartItem 1',
    { ...valid, shouldDeleteCartItem: 1 },
    { shouldDeleteCartItem: 'shouldDeleteCartItem must be a boolean value' },
  ],
  ['receiver missing', { ...valid, receiver: undefined }, { receiver: 'receiver is required' }],
  ['receiver a string', { ...valid, receiver: 'home' }, { receiver: 'receiver is required' }],
  ['receiver an array', { ...valid, receiver: [receiver] }, { receiver: 'receiver is required' }],
  [
    'receiver empty',
    { ...valid, receiver: {} },
    {
      'receiver.isDefault': 'isDefault must be a boolean value',
      'receiver.name': 'name must be longer than or equal to 2 characters',
      'receiver.address': 'address must be longer than or equal to 8 characters',
      'receiver.zipCode': 'zipCode must be 5 digits',
      'receiver.phone': 'phone must look like 010-1234-5678',
    },
  ],
  [
    'isDefault "yes"',
    withReceiver({ isDefault: 'yes' }),
    { 'receiver.isDefault': 'isDefault must be a boolean value' },
  ],
  [
    'a name of 1 character',
    withReceiver({ name: 'a' }),
    { 'receiver.name': 'name must be longer than or equal to 2 characters' },
  ],
  [
    'a name of 31 characters',
    withReceiver({ name: 'a'.repeat(31) }),
    { 'receiver.name': 'name must be shorter than or equal to 30 characters' },
  ],
  [
    'a name of 31 emoji',
    withReceiver({ name: '😀'.repeat(31) }),
    { 'receiver.name': 'name must be shorter than or equal to 30 characters' },
  ],
  [
    'a numeric name',
    withReceiver({ name: 12 }),
    { 'receiver.name': 'name must be longer than or equal to 2 and shorter than or equal to 30 characters' },
  ],
  [
    'an address of 7 characters',
    withReceiver({ address: 'abcdefg' }),
    { 'receiver.address': 'address must be longer than or equal to 8 characters' },
  ],
  [
    'an address of 101 characters',
    withReceiver({ address: 'a'.repeat(101) }),
    { 'receiver.address': 'address must be shorter than or equal to 100 characters' },
  ],
  [
    'an address of 54 Korean syllables (162 bytes)',
    withReceiver({ address: '가'.repeat(54) }),
    { 'receiver.address': 'address must be at most 161 bytes in UTF-8' },
  ],
  [
    'an address too long both ways',
    withReceiver({ address: '가'.repeat(101) }),
    { 'receiver.address': 'address must be at most 161 bytes in UTF-8' },
  ],
  ['a zip code of 4 digits', withReceiver({ zipCode: '1234' }), { 'receiver.zipCode': 'zipCode must be 5 digits' }],
  ['a numeric zip code', withReceiver({ zipCode: 12345 }), { 'receiver.zipCode': 'zipCode must be 5 digits' }],
  [
    'a zip code of full-width digits',
    withReceiver({ zipCode: '１２３４５' }),
    { 'receiver.zipCode': 'zipCode must be 5 digits' },
  ],
  [
    'a phone without dashes',
    withReceiver({ phone: '01012345678' }),
    { 'receiver.phone': 'phone must look like 010-1234-5678' },
  ],
  [
    'a phone not starting with 0',
    withReceiver({ phone: '110-1234-5678' }),
    { 'receiver.phone': 'phone must look like 010-1234-5678' },
  ],
  [
    'two rules broken',
    { ...withLine({ id: ID, quantity: 0 }), extra: true, shouldDeleteCartItem: null },
    {
      extra: 'property extra should not exist',
      'products.0.quantity': 'quantity must not be less than 1',
      shouldDeleteCartItem: 'shouldDeleteCartItem must be a boolean value',
    },
  ],
];

describe('the compiled validation of POST /orders', () => {
  it.each(ACCEPTED)('accepts %s, as the DTO does', async (_, body) => {
    const outcome = await compiled(body);
    expect(outcome).toEqual({ accepted: body });
    expect(outcome).toEqual(await reflective(body));
  });

  it.each(REFUSED)('refuses %s with 400 REQUEST_ARGUMENT_NOT_VALID, as the DTO does', async (_, body, message) => {
    const outcome = await compiled(body);
    expect(outcome).toEqual(refused(message));
    expect(JSON.stringify(outcome)).toBe(JSON.stringify(await reflective(body))); // the fields in the same order too
  });

  it('drops a field named like a method of every object, as the DTO did, so the idempotency hash is unchanged', async () => {
    const body = { ...valid, toString: 1, constructor: 'x', products: [{ id: ID, quantity: 1, valueOf: [] }] };
    const outcome = await compiled(body);
    expect(outcome).toEqual({ accepted: valid });
    expect(outcome).toEqual(await reflective(body));
  });

  it('refuses a line that is an array, which the DTO let through to the service', async () => {
    const body = { ...valid, products: [[{ id: ID, quantity: 1 }]] };
    expect(await reflective(body)).toEqual({ accepted: body });
    expect(await compiled(body)).toEqual(refused({ 'products.0': 'products.0 must be object' }));
  });

  it('counts characters as the DTO does', () => {
    expect(textLength('abc')).toBe(3);
    expect(textLength('😀😀')).toBe(2);
    expect(textLength('a\uFE0Fb\uFE0E')).toBe(2);
    expect(textLength('\uFE0F\uFE0F')).toBe(2);
    expect(textLength('\uD800a')).toBe(2);
  });

  it('is not run again by the global ValidationPipe: the handler takes the body as a plain object', () => {
    const types = Reflect.getMetadata('design:paramtypes', OrderController.prototype, 'receive') as unknown[];
    expect(types[1]).toBe(Object);
  });

  it('accepts and refuses every body as the DTO does, with the same answer (fuzzed)', async () => {
    // mostly bodies close to valid, so that every rule is met and broken often
    const text = (chars: string, minLength: number, maxLength: number) =>
      fc.string({ unit: fc.constantFrom(...chars), minLength, maxLength });
    const maybe = <T>(good: fc.Arbitrary<T>, ...odd: unknown[]) =>
      fc.oneof(
        { weight: 12, arbitrary: good },
        { weight: 1, arbitrary: fc.constantFrom(undefined, null, 1, 'x', true, {}, [], ...odd) },
      );
    const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) =>
      fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: bad });
    const line = fc.record({
      id: maybe(
        mostly(
          fc.constant(ID),
          fc.oneof(fc.constantFrom(ID.toUpperCase(), ID.slice(1), `${ID}0`), text('0123456789abcdefA', 0, 25)),
        ),
      ),
      quantity: maybe(
        mostly<unknown>(
          fc.integer({ min: 1, max: 1000 }),
          fc.oneof(fc.integer({ min: -2, max: 1003 }), fc.double(), fc.constant('1')),
        ),
      ),
    });
    const body = fc.record({
      products: maybe(
        mostly(fc.array(maybe(line, 5), { minLength: 1, maxLength: 3 }), fc.array(maybe(line, 5), { maxLength: 52 })),
        { id: ID, quantity: 1 },
      ),
      shouldSaveNewAddress: maybe(fc.boolean(), 'true', 0),
      shouldDeleteCartItem: maybe(fc.boolean(), 'false', 1),
      receiver: maybe(
        fc.record({
          isDefault: maybe(fc.boolean()),
          name: maybe(mostly(text('ab가😀\uFE0F', 2, 30), text('ab가😀\uFE0F\uD800 ', 0, 40))),
          address: maybe(mostly(text('a가😀\uFE0E', 8, 40), text('a가😀\uFE0E\uDC00-', 0, 110))),
          zipCode: maybe(mostly(fc.constant('12345'), text('0123456789a１\n', 0, 6))),
          phone: maybe(mostly(fc.constant('010-1234-5678'), text('0123456789-\n', 0, 15))),
        }),
        [receiver],
      ),
    });
    const extra = fc.dictionary(
      fc.constantFrom('extra', 'toString', 'constructor', 'hasOwnProperty', 'x-y', '0'),
      fc.jsonValue(),
      { minKeys: 1, maxKeys: 2 },
    );
    // as JSON carries it: a field set to undefined is a missing field
    const anyBody = fc
      .oneof(
        { weight: 8, arbitrary: body },
        { weight: 1, arbitrary: fc.tuple(body, extra).map(([b, e]) => ({ ...b, ...e })) },
        { weight: 1, arbitrary: fc.jsonValue() },
      )
      .map((b) => JSON.parse(JSON.stringify(b)) as unknown);
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(anyBody, async (b) => {
        const [mine, theirs] = [await compiled(b), await reflective(b)];
        const arrayLine = (o: Outcome) =>
          'accepted' in o && (o.accepted as CreateOrderForm).products.some((p) => Array.isArray(p));
        if (arrayLine(theirs)) return expect(mine).toMatchObject({ status: 400, code: 'REQUEST_ARGUMENT_NOT_VALID' });
        expect(JSON.stringify(mine)).toBe(JSON.stringify(theirs));
        if ('accepted' in mine && 'accepted' in theirs) {
          accepted++;
          expect(bodyHash(mine.accepted)).toBe(bodyHash(theirs.accepted));
        }
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(0);
  });
});
