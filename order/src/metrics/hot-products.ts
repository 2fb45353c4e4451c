import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, metricsRegistry } from '@runrun/common';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import { ProductBreakers } from '../breaker/breakers';
import { Catalog } from '../catalog/catalog';
import { Reservations } from '../reservation/reservations';

const BREAKER_STATE = { closed: 0, 'half-open': 1, open: 2 } as const;

/**
 * What an operator watches during a sale, per hot product: the products that have a breaker in
 * this process (ordered in the last minutes), so the label set stays bounded by the breaker cache.
 * Read when scraped.
 */
@Injectable()
export class HotProductGauges {
  constructor(breakers: ProductBreakers, reservations: Reservations, catalog: Catalog, @Inject(LOGGER) logger: Logger) {
    new Gauge({
      name: 'runrun_order_breaker_state',
      help: "A hot product's order breaker: 0 closed, 1 half-open, 2 open (orders refused at once)",
      labelNames: ['product'] as const,
      registers: [metricsRegistry],
      collect() {
        this.reset();
        for (const [product, state] of breakers.states()) this.set({ product }, BREAKER_STATE[state]);
      },
    });
    const remaining = new Gauge({
      name: 'runrun_order_stock_remaining',
      help: "Units of a hot product still for sale (its reservation counter, less a seller's debt)",
      labelNames: ['product'] as const,
      registers: [metricsRegistry],
    });
    new Gauge({
      name: 'runrun_order_stock_reserved',
      help: 'Units of a hot product held by orders awaiting payment (its stock less what is still for sale)',
      labelNames: ['product'] as const,
      registers: [metricsRegistry],
      async collect() {
        this.reset();
        remaining.reset();
        const ids = [...breakers.states().keys()];
        try {
          const left = await reservations.remaining(ids);
          for (const [product, units] of left) remaining.set({ product }, units);
          // the product's stock as order sees it (reused ~1 s): the units not yet paid are the difference
          const products = await catalog.productItems([...left.keys()]);
          for (const [product, units] of left) {
            const stock = products.get(product)?.quantity;
            if (stock !== undefined) this.set({ product }, Math.max(0, stock - units));
          }
        } catch (err) {
          logger.debug({ err }, 'hot product stock not read for the metrics');
        }
      },
    });
  }
}
