import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CONFIG, DependencyRegistry, GrpcError, GrpcStatus, LOGGER, startGrpcServer } from '@runrun/common';
import type { Logger } from 'pino';
import type { OrderConfig } from '../config';
import { OrderLifecycle } from './order-lifecycle';
import { Order, orderName, OrderStatus, paymentAmount, paymentDeadlineOf } from './order.entity';
import { OrderRepository } from './order.repository';

/** OrderService gRPC server (port 9005) for payment. */
@Injectable()
export class OrderGrpcServer implements OnApplicationBootstrap {
  constructor(
    private readonly orders: OrderRepository,
    private readonly lifecycle: OrderLifecycle,
    private readonly dependencies: DependencyRegistry,
    @Inject(CONFIG) private readonly config: OrderConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await startGrpcServer(
      'OrderService',
      {
        GetOrder: async ({ orderId }) => {
          let order = await this.orders.byOrderId(orderId);
          if (!order) throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, 'ORDER_NOT_FOUND');
          if (this.pastDeadline(order)) order = await this.expire(order);
          return {
            orderId: order.orderId,
            orderName: orderName(order),
            paymentAmount: paymentAmount(order),
            userId: Number(order.userId),
            productQuantity: Object.entries(order.products).map(([productId, p]) => ({
              productId,
              quantity: p.quantity,
            })),
            status: order.status,
          };
        },
      },
      {
        address: `${this.config.http.host}:${this.config.grpcPort}`,
        logger: this.logger,
        dependencies: this.dependencies,
      },
    );
  }

  private pastDeadline(order: Order): boolean {
    return (
      order.status === OrderStatus.PAYMENT_PENDING &&
      Date.now() >= paymentDeadlineOf(order, this.config.payment.windowMs)
    );
  }

  /**
   * An unpaid order asked for past its payment deadline (payment opening a checkout or confirming)
   * ends now, as the sweep would end it, so it is never paid late whatever the sweep's delay.
   */
  private async expire(order: Order): Promise<Order> {
    const expired = await this.lifecycle.transition(order.orderId, [OrderStatus.PAYMENT_PENDING], OrderStatus.CANCEL, {
      release: true,
      cancelledEvent: true,
    });
    if (expired) this.logger.info({ orderId: order.orderId }, 'unpaid order past its payment deadline cancelled');
    return expired ?? (await this.orders.byOrderId(order.orderId)) ?? order;
  }
}
