import { Inject, Injectable } from '@nestjs/common';
import { GrpcClient, grpcCommunicationError, InjectGrpcClient, LOGGER } from '@runrun/common';
import { OrderFailedEvent, PaymentFinalizedEvent, Topics } from '@runrun/contracts';
import { enqueueEvent, isDuplicateKey, transaction } from '@runrun/mysql';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PaymentErrors } from '../errors';
import { PG_CLIENT, PgClient, PgConfirmation, PgUnavailable } from '../pg/pg-client';
import { RefundReason } from '../refund/refund.entity';
import { Refunds } from '../refund/refunds';
import { Payment, PaymentStatus } from './payment.entity';
import { PaymentRepository } from './payment.repository';

export interface CheckoutView {
  orderId: string;
  orderName: string;
  amount: number;
  userId: number;
  isBlocked: boolean;
}

@Injectable()
export class PaymentService {
  constructor(
    private readonly payments: PaymentRepository,
    private readonly dataSource: DataSource,
    @InjectGrpcClient('OrderService') private readonly orders: GrpcClient<'OrderService'>,
    @InjectGrpcClient('ProductService') private readonly products: GrpcClient<'ProductService'>,
    @Inject(PG_CLIENT) private readonly pg: PgClient,
    private readonly refunds: Refunds,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * The checkout of the caller's own order, which must still await payment (D28, D29). The
   * payment row is created once, even when the page is opened twice at once (D33).
   */
  async checkout(userId: number, orderId: string): Promise<CheckoutView> {
    let payment = await this.payments.byOrderId(orderId);
    if (!payment) {
      const order = await this.orders
        .GetOrder({ orderId })
        .catch((e: unknown) => Promise.reject(grpcCommunicationError(e)));
      if (order.userId !== userId) throw PaymentErrors.notUsersPayment();
      if (order.status !== 'PAYMENT_PENDING') throw PaymentErrors.notPayable();
      await this.payments.insertPendingIfAbsent({
        orderId,
        orderName: order.orderName,
        amount: order.paymentAmount,
        userId: String(order.userId),
        products: Object.fromEntries(order.productQuantity.map((p) => [p.productId, p.quantity])),
      });
      payment = (await this.payments.byOrderId(orderId))!;
    }
    if (payment.userId !== String(userId)) throw PaymentErrors.notUsersPayment();
    return {
      orderId,
      orderName: payment.orderName,
      amount: payment.amount,
      userId,
      isBlocked: payment.status === PaymentStatus.BLOCK,
    };
  }

  /**
   * Confirms a payment: only the order's owner, only the order's amount, only once (concurrent
   * confirms: one goes on, the others are refused), only while the order awaits payment. Then the
   * product service takes the stock and the PG charges; every failure after the stock was taken
   * gives it back (order-failed) and tells order (payment-finalized), through the outbox. When the
   * order ends while this runs (its payment window closed, the shopper cancelled it), order-cancelled
   * settles the payment under it: the confirm then finds it no longer TRYING, charges nothing or
   * cancels its charge at the PG, and gives the stock it took back.
   */
  async confirm(userId: number, orderId: string, amount: number, paymentKey: string): Promise<void> {
    const payment = await this.payments.byOrderId(orderId);
    if (!payment) throw PaymentErrors.notFoundPayment();
    if (payment.userId !== String(userId)) throw PaymentErrors.notUsersPayment();
    if (payment.amount !== amount) throw PaymentErrors.amountMismatch();
    await this.claim(payment, paymentKey);

    const order = await this.orders.GetOrder({ orderId }).catch(async (e: unknown) => {
      await this.setStatus(orderId, PaymentStatus.PENDING);
      throw grpcCommunicationError(e);
    });
    if (order.status !== 'PAYMENT_PENDING') {
      await this.setStatus(orderId, PaymentStatus.CANCEL);
      throw PaymentErrors.notPayable();
    }

    const items = Object.entries(payment.products).map(([productId, quantity]) => ({ productId, quantity }));
    let inStock: boolean;
    try {
      ({ isSuccess: inStock } = await this.products.CheckAndUpdateProductStock({ orderId, productQuantity: items }));
    } catch (e) {
      // the decrease is idempotent per order: the payment may simply be tried again
      if (!(await this.setStatus(orderId, PaymentStatus.PENDING))) await this.giveStockBack(payment);
      throw grpcCommunicationError(e);
    }
    if (!inStock) {
      await this.setStatus(orderId, PaymentStatus.BLOCK); // product tells order (stock-check-failed)
      throw PaymentErrors.stockShortage();
    }
    if (!(await this.stillTrying(orderId))) {
      // the order ended while the stock was taken: nothing is charged
      await this.giveStockBack(payment);
      throw PaymentErrors.cancelledOrder();
    }

    let confirmation: PgConfirmation | undefined;
    const refund = { paymentKey, orderId, amount: payment.amount };
    try {
      confirmation = await this.pg.confirm({ paymentKey, orderId, amount: payment.amount });
    } catch (error) {
      if (!(error instanceof PgUnavailable)) throw error;
      // it may have charged: the refund is owed (recorded before the payment is settled, so a
      // failing cancel leaves it to the retry rather than a shopper charged with no record)
      this.logger.error({ err: error, orderId }, 'PG did not answer: cancelling to be safe');
      await this.refunds.owe({ ...refund, reason: RefundReason.CONFIRM_TIMEOUT });
      await this.refunds.attempt(paymentKey);
    }
    if (confirmation?.status === 'DONE') {
      if (await this.complete(payment, confirmation)) return;
      // settled meanwhile (the order ended during the charge): the charge must not stay
      await this.refunds.owe({ ...refund, reason: RefundReason.LATE_CHARGE }, { again: true });
      await this.refunds.attempt(paymentKey);
      await this.giveStockBack(payment);
      this.logger.warn({ orderId }, 'the order ended while it was being paid: charge cancelled at the PG');
      throw PaymentErrors.cancelledOrder();
    }
    if (!(await this.fail(payment, confirmation))) await this.giveStockBack(payment);
    throw PaymentErrors.paymentFailed();
  }

  /**
   * order-cancelled: refund a completed payment; an unpaid one can no longer be paid. A payment in
   * TRYING is settled as failed (cancelled at the PG, its stock given back): either its confirm is
   * still running while the order ended (payment window closed, shopper cancelled), and finds the
   * payment settled when it gets its answer (see confirm), or it died half-way. A refund is recorded
   * with the payment's change, then asked of the PG: a PG that is down or refuses never holds the
   * events behind this one (the refund is retried, or waits for an operator).
   */
  async orderCancelled(orderId: string): Promise<void> {
    const payment = await this.payments.byOrderId(orderId);
    if (!payment) return;
    const refund = (reason: RefundReason) => ({
      paymentKey: payment.paymentKey!,
      orderId,
      amount: payment.amount,
      reason,
    });
    if (payment.status === PaymentStatus.PENDING) {
      await this.payments.transition(orderId, PaymentStatus.PENDING, { status: PaymentStatus.CANCEL });
    } else if (payment.status === PaymentStatus.COMPLETE) {
      const cancelled = await transaction(this.dataSource, async (tx) => {
        const done = await this.payments.transition(
          orderId,
          PaymentStatus.COMPLETE,
          { status: PaymentStatus.CANCEL },
          tx,
        );
        if (done) await this.refunds.owe(refund(RefundReason.ORDER_CANCELLED), { tx });
        return done;
      });
      if (cancelled) await this.refunds.attempt(payment.paymentKey!);
    } else if (payment.status === PaymentStatus.TRYING) {
      if (await this.fail(payment, undefined)) {
        if (payment.paymentKey) {
          await this.refunds.owe(refund(RefundReason.SETTLED_TRYING));
          await this.refunds.attempt(payment.paymentKey);
        }
        this.logger.warn({ orderId }, 'settled a payment in TRYING as failed: its order ended');
      }
    }
  }

  /** PENDING → TRYING as one conditional update: of concurrent confirms exactly one gets on. */
  private async claim(payment: Payment, paymentKey: string): Promise<void> {
    let claimed: boolean;
    try {
      claimed = await this.payments.claim(payment.orderId, paymentKey);
    } catch (error) {
      if (isDuplicateKey(error)) {
        throw PaymentErrors.invalidConcurrentAccess(); // that payment key belongs to another payment
      }
      throw error;
    }
    if (claimed) return;
    const current = (await this.payments.byOrderId(payment.orderId))!;
    switch (current.status) {
      case PaymentStatus.COMPLETE:
        throw PaymentErrors.alreadyPaidOrder();
      case PaymentStatus.CANCEL:
        throw PaymentErrors.cancelledOrder();
      case PaymentStatus.BLOCK:
        throw PaymentErrors.blockedOrder();
      default:
        throw PaymentErrors.invalidConcurrentAccess();
    }
  }

  /** TRYING → status; false when the payment was no longer TRYING (someone else settled it). */
  private async setStatus(orderId: string, status: PaymentStatus): Promise<boolean> {
    return this.payments.transition(orderId, PaymentStatus.TRYING, { status });
  }

  private async stillTrying(orderId: string): Promise<boolean> {
    return (await this.payments.byOrderId(orderId))?.status === PaymentStatus.TRYING;
  }

  /**
   * The payment was settled by someone else after this confirm took the stock: order-failed again
   * (product gives back what the order's decrease took, once per order), in case the settler's
   * order-failed reached product before the decrease was applied.
   */
  private async giveStockBack(payment: Payment): Promise<void> {
    await transaction(this.dataSource, async (tx) => {
      const failed: OrderFailedEvent = { orderId: payment.orderId, productQuantity: payment.products };
      await enqueueEvent(tx, Topics.ORDER_FAILED, failed, payment.orderId);
    });
  }

  /** TRYING → COMPLETE with payment-finalized; false when the payment was no longer TRYING. */
  private async complete(payment: Payment, c: PgConfirmation): Promise<boolean> {
    return transaction(this.dataSource, async (tx) => {
      const completed = await this.payments.transition(
        payment.orderId,
        PaymentStatus.TRYING,
        {
          status: PaymentStatus.COMPLETE,
          method: c.method,
          methodDetail: c.methodDetail,
          requestedAt: c.requestedAt,
          approvedAt: c.approvedAt ?? null,
        },
        tx,
      );
      if (!completed) return false;
      const event: PaymentFinalizedEvent = { orderId: payment.orderId, isSuccess: true };
      await enqueueEvent(tx, Topics.PAYMENT_FINALIZED, event, payment.orderId);
      return true;
    });
  }

  /**
   * Declined or unknown: the payment is cancelled, the stock comes back, order learns it failed.
   * False when the payment was no longer TRYING (someone else settled it).
   */
  private async fail(payment: Payment, c: PgConfirmation | undefined): Promise<boolean> {
    return transaction(this.dataSource, async (tx) => {
      const cancelled = await this.payments.transition(
        payment.orderId,
        PaymentStatus.TRYING,
        { status: PaymentStatus.CANCEL, requestedAt: c?.requestedAt ?? new Date(), method: c?.method ?? null },
        tx,
      );
      if (!cancelled) return false;
      const finalized: PaymentFinalizedEvent = { orderId: payment.orderId, isSuccess: false };
      await enqueueEvent(tx, Topics.PAYMENT_FINALIZED, finalized, payment.orderId);
      const failed: OrderFailedEvent = { orderId: payment.orderId, productQuantity: payment.products };
      await enqueueEvent(tx, Topics.ORDER_FAILED, failed, payment.orderId);
      return true;
    });
  }
}
