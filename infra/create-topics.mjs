// Creates the Kafka topics named in libs/contracts, and the dead-letter topic `<topic>.dlq` of each
// (idempotent). Run by infra/local.sh start and by the integration tests' set-up.
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';

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
      replicationFactor: 1,
      configEntries: topic.endsWith('.dlq') ? [{ name: 'retention.ms', value: DLQ_RETENTION_MS }] : [],
    })),
    waitForLeaders: true,
  });
}
console.log(
  `topics ready: ${[...topics, ...deadLetters].join(', ')}${missing.length ? ` (created ${missing.join(', ')})` : ''}`,
);
await admin.disconnect();
