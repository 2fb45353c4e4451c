import { AppException } from '@runrun/common';

const error = (code: string, status: number, message: string) => () => new AppException(code, status, message);

/** The payment service's error codes: the original's, and the checks it lacked (D29). */
export const PaymentErrors = {
  invalidConcurrentAccess: error('INVALID_CONCURRENT_ACCESS', 400, 'This payment is already being processed'),
  cancelledOrder: error('CANCELLED_ORDER', 400, 'Cancelled order'),
  blockedOrder: error('BLOCKED_ORDER', 400, 'Blocked order'),
  alreadyPaidOrder: error('ALREADY_PAID_ORDER', 400, 'Already paid order'),
  paymentFailed: error('PAYMENT_FAILED', 412, 'Payment failed'),
  notFoundPayment: error('NOT_FOUND_PAYMENT', 400, 'No payment for this order: open its checkout page first'),
  stockShortage: error('STOCK_SHORTAGE', 409, 'Order failed due to insufficient stock'),
  notUsersPayment: error('NOT_USERS_PAYMENT', 403, "Not the user's order"),
  amountMismatch: error('PAYMENT_AMOUNT_MISMATCH', 400, "The amount differs from the order's amount"),
  notPayable: error('CANCELLED_ORDER', 400, 'The order can no longer be paid'),
};
