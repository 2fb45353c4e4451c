import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CONFIG, DependencyRegistry, GrpcError, GrpcStatus, LOGGER, startGrpcServer } from '@runrun/common';
import type { Logger } from 'pino';
import { Repository } from 'typeorm';
import type { OrderConfig } from '../config';
import { Order, orderName, paymentAmount } from './order.entity';

/** OrderService gRPC server (port 9005) for payment. */
@Injectable()
export class OrderGrpcServer implements OnApplicationBootstrap {
  constructor(
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    private readonly dependencies: DependencyRegistry,
    @Inject(CONFIG) private readonly config: OrderConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await startGrpcServer(
      'OrderService',
      {
        GetOrder: async ({ orderId }) => {
          const order = await this.orders.findOneBy({ orderId });
          if (!order) throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, 'ORDER_NOT_FOUND');
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
}
