import { AppException } from '@runrun/common';

const error = (code: string, status: number, message: string) => () => new AppException(code, status, message);

/** The order service's error codes, as the original. */
export const OrderErrors = {
  orderReturnNotAllowed: error('ORDER_RETURN_NOT_ALLOWED', 404, 'No returnable order'),
  orderInPreparationNotFound: error('ORDER_IN_PREPARATION_NOT_FOUND', 404, 'No order that can be cancelled'),
  stockShortage: error('STOCK_SHORTAGE', 409, 'Order failed due to insufficient stock'),
  closingProduct: error('ORDER_CONTAIN_CLOSING_PRODUCT', 400, 'The order contains a product not yet open for sale'),
  notUsersOrder: error('NOT_USERS_ORDER', 400, "Not the user's order"),
  itemDoesNotExist: error('ITEM_DOES_NOT_EXIST', 400, 'The item is not in the cart'),
  serviceUnavailable: error('SERVICE_UNAVAILABLE', 503, 'Service is temporarily unavailable. Please try again later.'),
  duplicateProducts: () =>
    new AppException('REQUEST_ARGUMENT_NOT_VALID', 400, { products: 'a product may appear once' }),
  requestInProgress: error('REQUEST_IN_PROGRESS', 409, 'The first request with this Idempotency-Key is still running'),
};
