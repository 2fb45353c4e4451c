// Creates the Kafka topics named in libs/contracts, and the dead-letter topic `<topic>.dlq` of each
// (idempotent). Run by infra/local.sh start and by the integration tests' set-up.
//   KAFKA_REPLICATION_FACTOR   copies of each partition (default 1: the single local broker; 3 on a cluster)
//   KAFKA_MIN_INSYNC_REPLICAS  copies a write needs before it is acknowledged (default 1; 2 on three brokers,
//                              so an acknowledged event survives the loss of any one broker)
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';

function positiveInt(name, fallback) {
  const value = process.env[name] ?? String(fallback);
  if (!/^[1-9]\d*$/.test(value)) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return Number(value);
}
const replicationFactor = positiveInt('KAFKA_REPLICATION_FACTOR', 1);
const minInsyncReplicas = positiveInt('KAFKA_MIN_INSYNC_REPLICAS', 1);
if (minInsyncReplicas > replicationFactor)
  throw new Error(
    `KAFKA_MIN_INSYNC_REPLICAS (${minInsyncReplicas}) exceeds KAFKA_REPLICATION_FACTOR (${replicationFactor}): no write could be acknowledged`,
  );

const topics = Object.values(JSON.parse(readFileSync(new URL('../libs/contracts/src/topics.json', import.meta.url))));
const deadLetters = topics.map((t) => `${t}.dlq`);
// parked messages wait for an operator: kept 30 days rather than the broker's default 7
const DLQ_RETENTION_MS = String(30 * 24 * 3600 * 1000);
const kafka = new Kafka({
  clientId: 'runrun-infra',
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  logLevel: logLevel.ERROR,
  retry: { retries: 10 },
});
const admin = kafka.admin();
await admin.connect();
const existing = new Set(await admin.listTopics());
const missing = [...topics, ...deadLetters].filter((t) => !existing.has(t));
if (missing.length) {
  await admin.createTopics({
    topics: missing.map((topic) => ({
      topic,
      numPartitions: 3,
      replicationFactor,
      configEntries: [
        { name: 'min.insync.replicas', value: String(minInsyncReplicas) },
        ...(topic.endsWith('.dlq') ? [{ name: 'retention.ms', value: DLQ_RETENTION_MS }] : []),
      ],
    })),
    waitForLeaders: true,
  });
}
console.log(
  `topics ready (replication factor ${replicationFactor}, min.insync.replicas ${minInsyncReplicas}): ` +
    `${[...topics, ...deadLetters].join(', ')}${missing.length ? ` (created ${missing.join(', ')})` : ''}`,
);
await admin.disconnect();
