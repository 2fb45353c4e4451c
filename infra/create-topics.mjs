// Creates the Kafka topics named in libs/contracts, and the dead-letter topic `<topic>.dlq` of each
// (idempotent). Run by infra/local.sh start and by the integration tests' set-up. Topics that exist
// with fewer copies than asked (made for one broker, the cluster grown since) get their partitions
// reassigned to as many brokers, and their min.insync.replicas set; more copies are left alone.
//   KAFKA_REPLICATION_FACTOR   copies of each partition (default 1: the single local broker; 3 on a cluster)
//   KAFKA_MIN_INSYNC_REPLICAS  copies a write needs before it is acknowledged (default 1; 2 on three brokers,
//                              so an acknowledged event survives the loss of any one broker)
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';

// a CommonJS module: its named exports only through the default one
const { ConfigResourceTypes, ConfigSource, Kafka, logLevel } = kafkajs;

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
const all = [...topics, ...deadLetters];
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
const missing = all.filter((t) => !existing.has(t));
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
await waitFor('topics without a leader', (t) => t.partitions.length && t.partitions.every((p) => p.leader >= 0));

// existing topics with fewer copies than asked: each partition keeps its replicas and gains the
// brokers it lacks, spread over the cluster by partition
const { topics: described } = await admin.fetchTopicMetadata({ topics: all });
const short = described.filter(
  (t) => existing.has(t.name) && t.partitions.some((p) => p.replicas.length < replicationFactor),
);
if (short.length) {
  const brokers = (await admin.describeCluster()).brokers.map((b) => b.nodeId).sort((a, b) => a - b);
  if (brokers.length < replicationFactor)
    throw new Error(`${replicationFactor} copies asked, but the cluster has ${brokers.length} broker(s)`);
  await admin.alterPartitionReassignments({
    topics: short.map((t) => ({
      topic: t.name,
      partitionAssignment: t.partitions.map((p) => {
        const replicas = [...p.replicas];
        for (let k = 0; replicas.length < replicationFactor; k++) {
          const broker = brokers[(p.partitionId + k) % brokers.length];
          if (!replicas.includes(broker)) replicas.push(broker);
        }
        return { partition: p.partitionId, replicas };
      }),
    })),
  });
  // copied and in sync: only then does min.insync.replicas below leave writes possible
  await waitFor('partitions not yet copied', (t) =>
    t.partitions.every((p) => p.replicas.length >= replicationFactor && p.isr.length >= replicationFactor),
  );
  console.log(`copies raised to ${replicationFactor}: ${short.map((t) => t.name).join(', ')}`);
}
// min.insync.replicas of existing topics; the call replaces a topic's own settings, so the others
// it has (a dead-letter topic's retention) are sent again
const before = all.filter((t) => existing.has(t));
const { resources } = before.length
  ? await admin.describeConfigs({
      resources: before.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
      includeSynonyms: false,
    })
  : { resources: [] };
const changed = resources.filter((r) =>
  r.configEntries.some((e) => e.configName === 'min.insync.replicas' && e.configValue !== String(minInsyncReplicas)),
);
if (changed.length) {
  await admin.alterConfigs({
    resources: changed.map((r) => ({
      type: ConfigResourceTypes.TOPIC,
      name: r.resourceName,
      configEntries: [
        ...r.configEntries
          .filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG && e.configName !== 'min.insync.replicas')
          .map((e) => ({ name: e.configName, value: e.configValue })),
        { name: 'min.insync.replicas', value: String(minInsyncReplicas) },
      ],
    })),
  });
  console.log(`min.insync.replicas set to ${minInsyncReplicas}: ${changed.map((r) => r.resourceName).join(', ')}`);
}
console.log(
  `topics ready (replication factor ${replicationFactor}, min.insync.replicas ${minInsyncReplicas}): ` +
    `${all.join(', ')}${missing.length ? ` (created ${missing.join(', ')})` : ''}`,
);
await admin.disconnect();

/** Until every topic's metadata passes `ok`, asking whichever broker answers, for at most 60 s. */
async function waitFor(what, ok) {
  for (let attempt = 1; ; attempt++) {
    try {
      const { topics: now } = await admin.fetchTopicMetadata({ topics: all });
      if (now.every(ok)) return;
    } catch (error) {
      if (attempt >= 120) throw error;
    }
    if (attempt >= 120) throw new Error(`${what} after 60 s`);
    await sleep(500);
  }
}
