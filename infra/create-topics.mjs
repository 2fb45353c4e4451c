// Creates the Kafka topics named in libs/contracts (idempotent). Run by infra/local.sh start.
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';

const topics = Object.values(JSON.parse(readFileSync(new URL('../libs/contracts/src/topics.json', import.meta.url))));
const kafka = new Kafka({
  clientId: 'runrun-infra',
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  logLevel: logLevel.ERROR,
  retry: { retries: 10 },
});
const admin = kafka.admin();
await admin.connect();
const existing = new Set(await admin.listTopics());
const missing = topics.filter((t) => !existing.has(t));
if (missing.length) {
  await admin.createTopics({
    topics: missing.map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })),
    waitForLeaders: true,
  });
}
console.log(`topics ready: ${topics.join(', ')}${missing.length ? ` (created ${missing.join(', ')})` : ''}`);
await admin.disconnect();
