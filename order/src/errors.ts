import { appError, invalidArgument } from '@runrun/common';
import { REFUSALS } from '@runrun/contracts';

/**
 * Amounts are INT columns (orders.total_amount, payments.amount: at most 2,147,483,647). Products
 * are capped below that so the delivery fees (at most 100,000 per brand, 50 lines) always fit too.
 */
export const MAX_ORDER_AMOUNT = 2_000_000_000;

/** The sold-out answers, shared with the gateway, which gives them at the door (libs/contracts). */
const refusal = (state: keyof typeof REFUSALS) =>
  appError(REFUSALS[state].code, REFUSALS[state].status, REFUSALS[state].message);

/** The order service's error codes, as the original. */
export const OrderErrors = {
  orderReturnNotAllowed: appError('ORDER_RETURN_NOT_ALLOWED', 404, 'No returnable order'),
  orderInPreparationNotFound: appError('ORDER_IN_PREPARATION_NOT_FOUND', 404, 'No order that can be cancelled'),
  stockShortage: refusal('sold-out'),
  closingProduct: appError('ORDER_CONTAIN_CLOSING_PRODUCT', 400, 'The order contains a product not yet open for sale'),
  notUsersOrder: appError('NOT_USERS_ORDER', 400, "Not the user's order"),
  itemDoesNotExist: appError('ITEM_DOES_NOT_EXIST', 400, 'The item is not in the cart'),
  serviceUnavailable: refusal('unavailable'),
  amountTooLarge: () =>
    invalidArgument(
      'products',
      `the products of one order may total at most ${MAX_ORDER_AMOUNT.toLocaleString('en')} won`,
    ),
  duplicateProducts: () => invalidArgument('products', 'a product may appear once'),
  purchaseLimitExceeded: appError(
    'PURCHASE_LIMIT_EXCEEDED',
    409,
    'The order would take more units of a product than one shopper may hold',
  ),
  tooManyUnpaidOrders: appError(
    'TOO_MANY_UNPAID_ORDERS',
    409,
    'Too many orders await payment: pay or cancel one before ordering again',
  ),
  idempotencyKeyInProgress: appError(
    'IDEMPOTENCY_KEY_IN_PROGRESS',
    409,
    'The first request with this Idempotency-Key is still running',
  ),
  idempotencyKeyReused: appError(
    'IDEMPOTENCY_KEY_REUSED',
    422,
    'This Idempotency-Key was used with a different request body',
  ),
};

/** The codes POST /orders may answer, per status, for the OpenAPI document. */
export const ORDER_REFUSAL_CODES: Record<number, string[]> = {
  400: ['REQUEST_ARGUMENT_NOT_VALID', 'ORDER_CONTAIN_CLOSING_PRODUCT', 'GRPC_COMMUNICATION_ERROR'],
  404: ['GRPC_COMMUNICATION_ERROR'],
  409: ['STOCK_SHORTAGE', 'PURCHASE_LIMIT_EXCEEDED', 'TOO_MANY_UNPAID_ORDERS', 'IDEMPOTENCY_KEY_IN_PROGRESS'],
  422: ['IDEMPOTENCY_KEY_REUSED'],
  503: ['SERVICE_UNAVAILABLE', 'GRPC_COMMUNICATION_ERROR'],
};

/** What POST /orders may answer besides 200, for the OpenAPI document. */
export const ORDER_REFUSALS: { status: number; description: string }[] = [
  { status: 400, description: 'REQUEST_ARGUMENT_NOT_VALID, ORDER_CONTAIN_CLOSING_PRODUCT, GRPC_COMMUNICATION_ERROR' },
  {
    status: 409,
    description:
      'STOCK_SHORTAGE; PURCHASE_LIMIT_EXCEEDED (the shopper would hold more units of a product than its ' +
      'purchaseLimit); TOO_MANY_UNPAID_ORDERS (MAX_UNPAID_ORDERS orders already await payment); ' +
      'IDEMPOTENCY_KEY_IN_PROGRESS (the first request with this key is still running)',
  },
  { status: 422, description: 'IDEMPOTENCY_KEY_REUSED: the key was first used with another body' },
  { status: 503, description: 'SERVICE_UNAVAILABLE: the breaker of a product is open' },
];
