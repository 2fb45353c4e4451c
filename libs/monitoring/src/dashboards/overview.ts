import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { graph, runrunDashboard } from '../panels';

/** RED per service (from the recording rules), the pods behind them and their Node.js runtime. */
export function overview(): dashboard.Dashboard {
  return runrunDashboard('runrun-overview', 'RUNRUN / Overview', 'Rate, errors and duration of every service')
    .withPanel(
      graph('Requests per second', 'HTTP requests answered, per service (5 min rate)', [
        { expr: 'job:http_requests:rate5m', legend: '{{job}}' },
      ]).unit('reqps'),
    )
    .withPanel(
      graph(
        'Server error ratio',
        '5xx answers per request, per service; the 503 of a sold-out product (POST /orders, breaker open) is not an error',
        [{ expr: 'job:http_server_errors:ratio_rate5m', legend: '{{job}}' }],
        { unit: 'percentunit' },
      ),
    )
    .withPanel(
      graph('p99 latency', 'The slowest 1% of requests took at least this long, per service (5 min)', [
        { expr: 'job:http_request_duration_seconds:p99_5m', legend: '{{job}}' },
      ]).unit('s'),
    )
    .withPanel(
      graph('Pods scraped', 'Pods of each service Prometheus knows, and how many of them answer', [
        { expr: 'count by (job) (up{namespace="runrun"})', legend: '{{job}} pods' },
        { expr: 'sum by (job) (up{namespace="runrun"})', legend: '{{job}} answering' },
      ]),
    )
    .withPanel(
      graph(
        'Replicas and HPA maximum',
        'Replicas per HPA against its maximum (kube-state-metrics): at the maximum, more load is not absorbed',
        [
          {
            expr: 'kube_horizontalpodautoscaler_status_current_replicas{namespace="runrun"}',
            legend: '{{horizontalpodautoscaler}} replicas',
          },
          {
            expr: 'kube_horizontalpodautoscaler_spec_max_replicas{namespace="runrun"}',
            legend: '{{horizontalpodautoscaler}} maximum',
          },
        ],
      ),
    )
    .withPanel(
      graph('Event-loop lag p99', 'How late the busiest pod of each service runs its callbacks', [
        { expr: 'max by (job) (nodejs_eventloop_lag_p99_seconds{namespace="runrun"})', legend: '{{job}}' },
      ]).unit('s'),
    )
    .withPanel(
      graph('Heap used', 'JavaScript heap in use, the largest pod of each service', [
        { expr: 'max by (job) (nodejs_heap_size_used_bytes{namespace="runrun"})', legend: '{{job}}' },
      ]).unit('bytes'),
    )
    .build();
}
