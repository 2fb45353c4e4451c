import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { grpcCommunicationError, LOGGER } from '@runrun/common';
import { OrderFailedEvent, PaymentFinalizedEvent, Topics } from '@runrun/contracts';
import { enqueueEvent, transaction } from '@runrun/mysql';
import type { Logger } from 'pino';
import { DataSource, QueryFailedError, Repository } from 'typeorm';
import { ORDER_CLIENT, OrderClient, PRODUCT_CLIENT, ProductClient } from '../clients/clients';
import { PaymentErrors } from '../errors';
import { CUSTOMER_DECISION, PG_CLIENT, PgClient, PgConfirmation, PgUnavailable } from '../pg/pg-client';
import { Payment, PaymentStatus } from './payment.entity';

/** A confirm takes seconds (PG timeout 10 s); one still TRYING after this died half-way. */
const STUCK_TRYING_MS = 10 * 60_000;

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
    @InjectRepository(Payment) private readonly payments: Repository<Payment>,
    private readonly dataSource: DataSource,
    @Inject(ORDER_CLIENT) private readonly orders: OrderClient,
    @Inject(PRODUCT_CLIENT) private readonly products: ProductClient,
    @Inject(PG_CLIENT) private readonly pg: PgClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * The checkout of the caller's own order, which must still await payment (D28, D29). The
   * payment row is created once, even when the page is opened twice at once (D33).
   */
  async checkout(userId: number, orderId: string): Promise<CheckoutView> {
    let payment = await this.payments.findOneBy({ orderId });
    if (!payment) {
      const order = await this.orders
        .GetOrder({ orderId })
        .catch((e: unknown) => Promise.reject(grpcCommunicationError(e)));
      if (order.userId !== userId) throw PaymentErrors.notUsersPayment();
      if (order.status !== 'PAYMENT_PENDING') throw PaymentErrors.notPayable();
      await this.payments
        .createQueryBuilder()
        .insert()
        .into(Payment)
        .orIgnore()
        .values({
          orderId,
          orderName: order.orderName,
          amount: order.paymentAmount,
          userId: String(order.userId),
          products: Object.fromEntries(order.productQuantity.map((p) => [p.productId, p.quantity])),
          status: PaymentStatus.PENDING,
        })
        .execute();
      payment = (await this.payments.findOneBy({ orderId }))!;
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
   * gives it back (order-failed) and tells order (payment-finalized), through the outbox.
   */
  async confirm(userId: number, orderId: string, amount: number, paymentKey: string): Promise<void> {
    const payment = await this.payments.findOneBy({ orderId });
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
      await this.setStatus(orderId, PaymentStatus.PENDING);
      throw grpcCommunicationError(e);
    }
    if (!inStock) {
      await this.setStatus(orderId, PaymentStatus.BLOCK); // product tells order (stock-check-failed)
      throw PaymentErrors.stockShortage();
    }

    let confirmation: PgConfirmation | undefined;
    try {
      confirmation = await this.pg.confirm({ paymentKey, orderId, amount: payment.amount });
    } catch (error) {
      if (!(error instanceof PgUnavailable)) throw error;
      this.logger.error({ err: error, orderId }, 'PG did not answer: cancelling to be safe');
      await this.pg
        .cancel(paymentKey, CUSTOMER_DECISION)
        .catch((err) => this.logger.error({ err, orderId }, 'PG cancel failed'));
    }
    if (confirmation?.status === 'DONE') {
      if (await this.complete(payment, confirmation)) return;
      // settled meanwhile as stuck (only after STUCK_TRYING_MS): the charge must not stay
      await this.pg
        .cancel(paymentKey, CUSTOMER_DECISION)
        .catch((err) => this.logger.error({ err, orderId }, 'PG cancel failed'));
      throw PaymentErrors.cancelledOrder();
    }
    await this.fail(payment, confirmation);
    throw PaymentErrors.paymentFailed();
  }

  /**
   * order-cancelled: refund a completed payment; an unpaid one can no longer be paid. A payment
   * stuck in TRYING (its confirm died between taking the stock and recording the outcome) is
   * settled as failed: cancelled at the PG, its stock given back.
   */
  async orderCancelled(orderId: string): Promise<void> {
    const payment = await this.payments.findOneBy({ orderId });
    if (!payment) return;
    if (payment.status === PaymentStatus.PENDING) {
      await this.payments.update({ orderId, status: PaymentStatus.PENDING }, { status: PaymentStatus.CANCEL });
    } else if (payment.status === PaymentStatus.COMPLETE) {
      await this.pg.cancel(payment.paymentKey!, CUSTOMER_DECISION);
      await this.payments.update({ orderId, status: PaymentStatus.COMPLETE }, { status: PaymentStatus.CANCEL });
    } else if (payment.status === PaymentStatus.TRYING && Date.now() - payment.updatedAt.getTime() > STUCK_TRYING_MS) {
      if (await this.fail(payment, undefined)) {
        if (payment.paymentKey) await this.pg.cancel(payment.paymentKey, CUSTOMER_DECISION).catch(() => undefined);
        this.logger.warn({ orderId }, 'settled a payment stuck in TRYING as failed');
      }
    }
  }

  /** PENDING → TRYING as one conditional update: of concurrent confirms exactly one gets on. */
  private async claim(payment: Payment, paymentKey: string): Promise<void> {
    let claimed = 0;
    try {
      const result = await this.payments
        .createQueryBuilder()
        .update(Payment)
        .set({ status: PaymentStatus.TRYING, paymentKey, version: () => 'version + 1' })
        .where('order_id = :orderId AND status = :pending', {
          orderId: payment.orderId,
          pending: PaymentStatus.PENDING,
        })
        .execute();
      claimed = result.affected ?? 0;
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === 'ER_DUP_ENTRY') {
        throw PaymentErrors.invalidConcurrentAccess(); // that payment key belongs to another payment
      }
      throw error;
    }
    if (claimed === 1) return;
    const current = (await this.payments.findOneBy({ orderId: payment.orderId }))!;
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

  private async setStatus(orderId: string, status: PaymentStatus): Promise<void> {
    await this.payments.update({ orderId, status: PaymentStatus.TRYING }, { status });
  }

  /** TRYING → COMPLETE with payment-finalized; false when the payment was no longer TRYING. */
  private async complete(payment: Payment, c: PgConfirmation): Promise<boolean> {
    return transaction(this.dataSource, async (tx) => {
      const { affected } = await tx.update(
        Payment,
        { orderId: payment.orderId, status: PaymentStatus.TRYING },
        {
          status: PaymentStatus.COMPLETE,
          method: c.method,
          methodDetail: c.methodDetail,
          requestedAt: c.requestedAt,
          approvedAt: c.approvedAt ?? null,
        },
      );
      if (affected !== 1) return false;
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
      const { affected } = await tx.update(
        Payment,
        { orderId: payment.orderId, status: PaymentStatus.TRYING },
        { status: PaymentStatus.CANCEL, requestedAt: c?.requestedAt ?? new Date(), method: c?.method ?? null },
      );
      if (affected !== 1) return false;
      const finalized: PaymentFinalizedEvent = { orderId: payment.orderId, isSuccess: false };
      await enqueueEvent(tx, Topics.PAYMENT_FINALIZED, finalized, payment.orderId);
      const failed: OrderFailedEvent = { orderId: payment.orderId, productQuantity: payment.products };
      await enqueueEvent(tx, Topics.ORDER_FAILED, failed, payment.orderId);
      return true;
    });
  }
}
