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
          const stocks = await stockOf(catalog, [...left.keys()]);
          // the product's stock as order sees it (reused ~1 s): the units not yet paid are the difference
          for (const [product, units] of left) {
            const stock = stocks.get(product);
            if (stock !== undefined) this.set({ product }, Math.max(0, stock - units));
          }
        } catch (err) {
          logger.debug({ err }, 'hot product stock not read for the metrics');
        }
      },
    });
  }
}

/**
 * The stock of each product, in one call; when that call fails because one of them is gone (a
 * deleted product still has its breaker), one call each, so the others are still shown.
 */
async function stockOf(catalog: Catalog, ids: string[]): Promise<Map<string, number>> {
  const stocks = new Map<string, number>();
  try {
    for (const [id, item] of await catalog.productItems(ids)) stocks.set(id, item.quantity);
  } catch {
    const each = await Promise.allSettled(ids.map((id) => catalog.productItems([id])));
    each.forEach((result, i) => {
      const item = result.status === 'fulfilled' ? result.value.get(ids[i]) : undefined;
      if (item) stocks.set(ids[i], item.quantity);
    });
  }
  return stocks;
}
