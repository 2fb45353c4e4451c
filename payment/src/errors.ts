import { appError } from '@runrun/common';

/** The payment service's error codes: the original's, and the checks it lacked (D29). */
export const PaymentErrors = {
  invalidConcurrentAccess: appError('INVALID_CONCURRENT_ACCESS', 400, 'This payment is already being processed'),
  cancelledOrder: appError('CANCELLED_ORDER', 400, 'Cancelled order'),
  blockedOrder: appError('BLOCKED_ORDER', 400, 'Blocked order'),
  alreadyPaidOrder: appError('ALREADY_PAID_ORDER', 400, 'Already paid order'),
  paymentFailed: appError('PAYMENT_FAILED', 412, 'Payment failed'),
  notFoundPayment: appError('NOT_FOUND_PAYMENT', 400, 'No payment for this order: open its checkout page first'),
  stockShortage: appError('STOCK_SHORTAGE', 409, 'Order failed due to insufficient stock'),
  notUsersPayment: appError('NOT_USERS_PAYMENT', 403, "Not the user's order"),
  amountMismatch: appError('PAYMENT_AMOUNT_MISMATCH', 400, "The amount differs from the order's amount"),
  notPayable: appError('CANCELLED_ORDER', 400, 'The order can no longer be paid'),
};
