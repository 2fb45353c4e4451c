import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { graph, runrunDashboard } from '../panels';

const BREAKER_STATES: dashboard.ValueMapping[] = [
  {
    type: dashboard.MappingType.ValueToText,
    options: {
      '0': { text: 'closed', color: 'green', index: 0 },
      '1': { text: 'half-open', color: 'orange', index: 1 },
      '2': { text: 'open', color: 'red', index: 2 },
    },
  },
];

/** What happens to the orders of a sale, the hot products' stock and the payments behind them. */
export function flashSale(): dashboard.Dashboard {
  return runrunDashboard(
    'runrun-flash-sale',
    'RUNRUN / Flash sale',
    'Orders accepted and refused, breakers, stock of the hot products, locks and payments',
  )
    .withPanel(
      graph(
        'Orders accepted and refused',
        'Answers of POST /orders per second: accepted, and refused by error code (STOCK_SHORTAGE: sold out; ' +
          'SERVICE_UNAVAILABLE: the breaker of a sold-out product refuses at once; at the gateway: refused at the ' +
          'door for a flagged product, never forwarded)',
        [
          { expr: 'sum(rate(runrun_orders_accepted_total[$__rate_interval]))', legend: 'accepted' },
          { expr: 'sum by (reason) (rate(runrun_orders_refused_total[$__rate_interval]))', legend: '{{reason}}' },
          {
            expr: 'sum by (reason) (rate(runrun_gateway_sold_out_refused_total[$__rate_interval]))',
            legend: 'at the gateway: {{reason}}',
          },
        ],
        { unit: 'reqps' },
      ),
    )
    .withPanel(
      graph(
        'Breaker per hot product',
        'Open: orders for the product are refused without touching Redis (sold out, or failing); half-open: one ' +
          'order tries again',
        [{ expr: 'product:runrun_order_breaker_state:max', legend: '{{product}}' }],
        { mappings: BREAKER_STATES },
      ).max(2),
    )
    .withPanel(
      graph(
        'Stock of the hot products',
        'Remaining: units still for sale (the reservation counter); reserved: units held by orders awaiting payment',
        [
          { expr: 'product:runrun_order_stock_remaining:max', legend: 'remaining {{product}}' },
          { expr: 'max by (product) (runrun_order_stock_reserved)', legend: 'reserved {{product}}' },
        ],
      ),
    )
    .withPanel(
      graph(
        'p99 of POST /orders',
        'The slowest 1% of order requests (the order service, refusals included)',
        [
          {
            expr:
              'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket' +
              '{namespace="runrun", job="order", method="POST", route="/orders"}[$__rate_interval])))',
            legend: 'p99',
          },
        ],
        { unit: 's' },
      ),
    )
    .withPanel(
      graph(
        'Stock lock waits',
        'How long a stock change (payment, cancellation) waited for its product locks (Redlock), p50 and p99',
        [
          {
            expr: 'histogram_quantile(0.5, sum by (le) (rate(runrun_redlock_wait_seconds_bucket[$__rate_interval])))',
            legend: 'p50',
          },
          {
            expr: 'histogram_quantile(0.99, sum by (le) (rate(runrun_redlock_wait_seconds_bucket[$__rate_interval])))',
            legend: 'p99',
          },
        ],
        { unit: 's' },
      ),
    )
    .withPanel(
      graph(
        'Stock lock failures',
        'Stock changes per second that got no lock (no Redis quorum, or held too long): the payment fails',
        [{ expr: 'sum(rate(runrun_redlock_failures_total[$__rate_interval]))', legend: 'failures' }],
        { unit: 'ops' },
      ),
    )
    .withPanel(
      graph(
        'Payments by outcome',
        'Payment confirmations per second: COMPLETED, or the error answered',
        [{ expr: 'sum by (outcome) (rate(runrun_payments_total[$__rate_interval]))', legend: '{{outcome}}' }],
        { unit: 'ops' },
      ),
    )
    .withPanel(
      graph(
        'Payment gateway latency p99',
        'Calls to the PG by operation: a slow PG makes every payment slow',
        [
          {
            expr:
              'histogram_quantile(0.99, sum by (le, operation) ' +
              '(rate(runrun_pg_request_duration_seconds_bucket[$__rate_interval])))',
            legend: '{{operation}}',
          },
        ],
        { unit: 's' },
      ),
    )
    .build();
}
