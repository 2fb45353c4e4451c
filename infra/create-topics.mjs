// Creates the Kafka topics named in libs/contracts, and the dead-letter topic `<topic>.dlq` of each
// (idempotent). Run by infra/local.sh start and by the integration tests' set-up.
//   KAFKA_REPLICATION_FACTOR   copies of each partition (default 1: the single local broker; 3 on a cluster)
//   KAFKA_MIN_INSYNC_REPLICAS  copies a write needs before it is acknowledged (default 1; 2 on three brokers,
//                              so an acknowledged event survives the loss of any one broker)
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
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
  // what fails is thrown (and printed); a broker not yet knowing a new topic is only waited for
  logLevel: logLevel.NOTHING,
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
    waitForLeaders: false,
  });
}
// every partition led, on whichever broker answers: a cluster's brokers learn of a new topic one
// after the other (kafkajs's own wait gives up on a broker that does not know it yet)
for (let attempt = 1; ; attempt++) {
  try {
    const { topics: described } = await admin.fetchTopicMetadata({ topics: [...topics, ...deadLetters] });
    if (described.every((t) => t.partitions.length && t.partitions.every((p) => p.leader >= 0))) break;
  } catch (error) {
    if (attempt >= 60) throw error;
  }
  if (attempt >= 60) throw new Error('topics without a leader after 30 s');
  await sleep(500);
}
console.log(
  `topics ready (replication factor ${replicationFactor}, min.insync.replicas ${minInsyncReplicas}): ` +
    `${[...topics, ...deadLetters].join(', ')}${missing.length ? ` (created ${missing.join(', ')})` : ''}`,
);
await admin.disconnect();
