import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { graph, runrunDashboard } from '../panels';

/** Whether events flow: consumer lag, outboxes waiting to be relayed, messages parked. */
export function kafkaOutbox(): dashboard.Dashboard {
  return runrunDashboard(
    'runrun-kafka-outbox',
    'RUNRUN / Kafka and outbox',
    'Consumer lag per group, outbox backlog and age, dead letters',
  )
    .withPanel(
      graph('Consumer lag', 'Messages not yet processed, per consumer group and topic (sampled every 10 s)', [
        { expr: 'group_topic:runrun_kafka_consumer_lag:max', legend: '{{group}} {{topic}}' },
      ]),
    )
    .withPanel(
      graph('Outbox backlog', 'Events written but not yet relayed, per service and outbox (parked rows aside)', [
        { expr: 'job_outbox:runrun_outbox_backlog:max', legend: '{{job}} {{outbox}}' },
      ]),
    )
    .withPanel(
      graph(
        'Outbox oldest event age',
        'How long the oldest event waiting in each outbox has waited: it grows when the relay is stuck',
        [{ expr: 'job_outbox:runrun_outbox_oldest_age_seconds:max', legend: '{{job}} {{outbox}}' }],
        { unit: 's' },
      ),
    )
    .withPanel(
      graph(
        'Dead letters',
        'Messages parked on <topic>.dlq in the last hour, per topic and group: they need an operator',
        [{ expr: 'sum by (topic, group) (increase(runrun_dead_letters_total[1h]))', legend: '{{group}} {{topic}}' }],
      ),
    )
    .build();
}
