import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, LOGGER } from '@runrun/common';
import { AddressSaveEvent, ProductItemResponse, Topics } from '@runrun/contracts';
import { enqueueEvent, transaction } from '@runrun/mysql';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ProductBreakers } from '../breaker/breakers';
import { CartService } from '../cart/cart.service';
import { Catalog, openingTime } from '../catalog/catalog';
import type { OrderConfig } from '../config';
import { MAX_ORDER_AMOUNT, OrderErrors } from '../errors';
import { Refusal, ReservedItem, Reservations } from '../reservation/reservations';
import type { CreateOrderForm, OrderItem, Slice } from './order.dto';
import { newOrderId } from './order-id';
import { OrderLifecycle } from './order-lifecycle';
import { Order, OrderProduct, OrderStatus } from './order.entity';
import { NewOrder, OrderRepository } from './order.repository';
import { OrderWriter } from './order-writer';
import { ProductAvailability } from '../availability/product-availability';

const RETURN_WINDOW_MS = 24 * 3600_000;

@Injectable()
export class OrderService {
  constructor(
    private readonly orders: OrderRepository,
    private readonly writer: OrderWriter,
    private readonly dataSource: DataSource,
    private readonly catalog: Catalog,
    private readonly breakers: ProductBreakers,
    private readonly availability: ProductAvailability,
    private readonly reservations: Reservations,
    private readonly lifecycle: OrderLifecycle,
    private readonly carts: CartService,
    @Inject(CONFIG) private readonly config: OrderConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * The hot path (orders for a product with an open breaker were already refused, see
   * breaker-gate.ts): product data, the opening time, the reservation of every product (stock,
   * the shopper's purchase limits and unpaid-order cap; all or none, see reservations.ts), and
   * the order row with its payment deadline: with its events in one transaction, or, without
   * events, in one INSERT with other requests' rows (order-writer.ts). An accepted order always
   * holds its reservation; a failure after the reservation gives it back.
   */
  async receive(userId: number, form: CreateOrderForm, orderId = newOrderId()): Promise<{ orderId: string }> {
    const ids = form.products.map((p) => p.id);
    if (new Set(ids).size !== ids.length) throw OrderErrors.duplicateProducts();

    const products = await this.catalog.productItems(ids);
    const now = Date.now();
    const closed = ids.find((id) => openingTime(products.get(id)!) > now);
    // not a failure of the product: counted, a rush before the opening would open the breaker
    // and the sale would start with 503s
    if (closed) throw OrderErrors.closingProduct();

    // totals are INT columns (order, payment): refused here, before anything is reserved or written
    const total = form.products.reduce((sum, p) => sum + products.get(p.id)!.discountedPrice * p.quantity, 0);
    if (total > MAX_ORDER_AMOUNT) throw OrderErrors.amountTooLarge();

    const limitOf = (id: string) => products.get(id)!.purchaseLimit ?? 0; // cached items may predate the field
    const items: ReservedItem[] = form.products.map((p) => ({
      productId: p.id,
      quantity: p.quantity,
      ...(limitOf(p.id) > 0 ? { perShopper: true } : {}),
    }));
    const paymentDeadline = now + this.config.payment.windowMs;
    const refusal = await this.reservations.reserve(
      { orderId, userId, items, now, paymentDeadline, maxUnpaid: this.config.maxUnpaidOrders },
      (id) => products.get(id)!.quantity,
      limitOf,
    );
    if (refusal) throw this.refused(refusal);

    try {
      const brands = await this.catalog.brandInfos([...products.values()].map((p) => p.brandId));
      const order: NewOrder = {
        ...buildOrder(orderId, userId, form, products, (brandId) => brands.get(brandId)),
        paymentDeadline: new Date(paymentDeadline),
      };
      if (form.shouldSaveNewAddress) {
        await transaction(this.dataSource, async (tx) => {
          await this.orders.insert(order, tx);
          const { isDefault, name, address, zipCode, phone } = form.receiver;
          const event: AddressSaveEvent = { userId, isDefault, name, address, zipCode, phone };
          await enqueueEvent(tx, Topics.ADDRESS, event, String(userId)); // sent only if the order is saved (D10)
        });
      } else {
        await this.writer.write(order); // with the orders of other requests, in one INSERT
      }
    } catch (error) {
      await this.reservations.release(orderId, items, userId);
      throw error;
    }
    for (const id of ids) this.breakers.record(id, false);
    if (form.shouldDeleteCartItem) {
      void this.carts
        .removeOrdered(userId, items)
        .catch((err) => this.logger.warn({ err }, 'cart not updated after order'));
    }
    return { orderId };
  }

  /** The answer `receive` gave for an order already written (its request died before answering). */
  async placed(userId: number, orderId: string): Promise<{ orderId: string } | undefined> {
    const order = await this.orders.byOrderId(orderId);
    return order?.userId === String(userId) ? { orderId } : undefined;
  }

  /** The shopper's orders, newest first, as the original's Slice. */
  async mine(userId: number, page: number, size: number): Promise<Slice<OrderItem>> {
    const rows = await this.orders.ofUser(String(userId), page * size, size + 1);
    const content = rows.slice(0, size).map(toOrderItem);
    const sort = { empty: false, sorted: true, unsorted: false };
    return {
      content,
      pageable: { pageNumber: page, pageSize: size, sort, offset: page * size, paged: true, unpaged: false },
      size,
      number: page,
      sort,
      first: page === 0,
      last: rows.length <= size,
      numberOfElements: content.length,
      empty: content.length === 0,
    };
  }

  /**
   * Owner first (the original answered 404 for another user's order: D24), then the status: a
   * placed order (refunded, stock restored) or one still awaiting payment, whose units go back on
   * sale at once; order-cancelled makes payment settle its payment so it can no longer be paid.
   */
  async cancel(userId: number, id: number): Promise<void> {
    const order = await this.owned(userId, id, OrderErrors.orderInPreparationNotFound);
    const done = await this.lifecycle.transition(
      order.orderId,
      [OrderStatus.ORDER_PLACED, OrderStatus.PAYMENT_PENDING],
      OrderStatus.CANCEL,
      { release: true, cancelledEvent: true },
    );
    if (!done) throw OrderErrors.orderInPreparationNotFound();
  }

  /**
   * Sold out counts against the product's breaker; a shopper's own limits do not (one account
   * hammering a product must not close it for everyone).
   */
  private refused(refusal: Refusal): Error {
    switch (refusal.reason) {
      case 'stock':
        this.breakers.record(refusal.productId, true);
        if (refusal.left === 0) this.availability.soldOut(refusal.productId);
        return OrderErrors.stockShortage();
      case 'limit':
        return OrderErrors.purchaseLimitExceeded();
      case 'unpaid':
        return OrderErrors.tooManyUnpaidOrders();
    }
  }

  /** Within a day of delivery. The reservation and stock come back when the return completes (cron). */
  async return(userId: number, id: number): Promise<void> {
    const order = await this.owned(userId, id, OrderErrors.orderReturnNotAllowed);
    if (order.status !== OrderStatus.DELIVERED || Date.now() >= order.updatedAt.getTime() + RETURN_WINDOW_MS) {
      throw OrderErrors.orderReturnNotAllowed();
    }
    const done = await this.lifecycle.transition(order.orderId, [OrderStatus.DELIVERED], OrderStatus.BEING_RETURNED);
    if (!done) throw OrderErrors.orderReturnNotAllowed();
  }

  private async owned(userId: number, id: number, notFound: () => Error): Promise<Order> {
    const order = await this.orders.byId(String(id));
    if (!order) throw notFound();
    if (order.userId !== String(userId)) throw OrderErrors.notUsersOrder();
    return order;
  }
}

/** Amounts from discounted prices; delivery fee per brand, free from the brand's threshold. */
export function buildOrder(
  orderId: string,
  userId: number,
  form: CreateOrderForm,
  products: Map<string, ProductItemResponse>,
  brandOf: (brandId: number) => { freeDeliveryInfimum: number; deliveryFee: number } | undefined,
): Omit<NewOrder, 'paymentDeadline'> {
  const lines: Record<string, OrderProduct> = {};
  const perBrand = new Map<number, number>();
  for (const { id, quantity } of form.products) {
    const p = products.get(id)!;
    const amount = p.discountedPrice * quantity;
    lines[id] = {
      name: p.name,
      quantity,
      thumbnail: p.thumbnail,
      brandId: p.brandId,
      brandName: p.brandName,
      amount,
      status: 'ORDER_PLACED',
      ...((p.purchaseLimit ?? 0) > 0 ? { perShopper: true } : {}),
    };
    perBrand.set(p.brandId, (perBrand.get(p.brandId) ?? 0) + amount);
  }
  const deliveryFees: Record<string, number> = {};
  for (const [brandId, subtotal] of perBrand) {
    const brand = brandOf(brandId);
    deliveryFees[brandId] = !brand || subtotal >= brand.freeDeliveryInfimum ? 0 : brand.deliveryFee;
  }
  const { name, address, zipCode, phone } = form.receiver;
  return {
    orderId,
    userId: String(userId),
    status: OrderStatus.PAYMENT_PENDING,
    products: lines,
    deliveryFees,
    totalAmount: Object.values(lines).reduce((sum, l) => sum + l.amount, 0),
    totalDeliveryFee: Object.values(deliveryFees).reduce((sum, f) => sum + f, 0),
    receiver: { name, address, zipCode, phone },
  };
}

export function toOrderItem(order: Order): OrderItem {
  const brands = new Map<number, OrderItem['brands'][number]>();
  for (const [productId, p] of Object.entries(order.products)) {
    const brand = brands.get(p.brandId) ?? {
      brandId: p.brandId,
      deliveryFee: order.deliveryFees[p.brandId] ?? 0,
      products: [],
    };
    brand.products.push({
      productId,
      name: p.name,
      thumbnail: p.thumbnail,
      quantity: p.quantity,
      amount: p.amount,
      brandId: p.brandId,
      brandName: p.brandName,
      deliveryFee: null,
    });
    brands.set(p.brandId, brand);
  }
  return {
    id: Number(order.id),
    orderNumber: order.orderId,
    orderingAt: order.createdAt.toISOString(),
    status: order.status,
    brands: [...brands.values()],
  };
}
