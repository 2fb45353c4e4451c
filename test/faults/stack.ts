import { RunningService, ROOT, startService, wiringEnv } from '@runrun/launcher';
import { brandForm, multipart, PNG, productForm } from '@runrun/testkit';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { deadLetterTopic, Topics } from '@runrun/contracts';
import Redis from 'ioredis';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { createConnection } from 'mysql2/promise';
import { OwnMariaDb } from '../mariadb-server';
import { OwnRedis } from '../redis-servers';

/**
 * A whole RUNRUN of the fault suite's own: its own MariaDB, three Redis, FerretDB and Kafka
 * broker, and every service on ports shifted by 15000 (a second order replica by 15100). Stores
 * it restarts keep their data and port; nothing else running on the machine is disturbed.
 */
export const OFFSET = 15_000;
export const SECOND_ORDER_OFFSET = 15_100;
const PORTS = {
  mysql: 30306,
  redis: [30379, 30380, 30381],
  kafka: [30092],
  kafkaController: [30093],
  // the three-broker cluster of the broker-loss suite
  kafkaCluster: [30192, 30193, 30194],
  kafkaClusterController: [30195, 30196, 30197],
  mongo: 30017,
};
const CACHE = process.env.RUNRUN_CACHE ?? join(homedir(), '.cache', 'runrun');
const LOG_DIR = join(ROOT, '.local', 'logs', 'faults');
const MONGO_URL = `mongodb://127.0.0.1:${PORTS.mongo}/runrun_product`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function waitPort(name: string, port: number, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await portOpen(port)); await sleep(200)) {
    if (Date.now() > deadline) throw new Error(`${name} did not listen on ${port} within ${timeoutMs} ms`);
  }
}

/** A server process of the suite's own, in a data directory that outlives a restart. */
abstract class OwnServer {
  protected process?: ChildProcess;
  readonly dir: string;

  constructor(
    readonly name: string,
    readonly port: number,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), `runrun-fault-${name}-`));
  }

  protected abstract command(): [string, string[]];
  protected prepare(): void {}

  async start(): Promise<void> {
    this.prepare();
    const [bin, args] = this.command();
    const log = openSync(join(this.dir, 'server.log'), 'a');
    this.process = spawn(bin, args, { stdio: ['ignore', log, log] });
    closeSync(log);
    await waitPort(this.name, this.port, 90_000);
  }

  get running(): boolean {
    const p = this.process;
    return !!p && p.exitCode === null && p.signalCode === null;
  }

  /** Stops the process (SIGKILL: a crash); the data stays for the next start. */
  async halt(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.process;
    if (p && p.exitCode === null && p.signalCode === null) {
      await new Promise((r) => (p.once('exit', r), p.kill(signal)));
    }
  }

  async stop(): Promise<void> {
    await this.halt();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** FerretDB (the MongoDB wire protocol) on SQLite files in its directory, as infra/local.sh runs it. */
class OwnFerretDb extends OwnServer {
  protected command(): [string, string[]] {
    const bin = join(CACHE, 'ferretdb-v1.24.2', 'ferretdb');
    mkdirSync(join(this.dir, 'data'), { recursive: true });
    return [bin, ['-listen', `127.0.0.1:${this.port}`, '-sqlite-url', `file:${join(this.dir, 'data')}/`]];
  }
}

/** One KRaft node (broker and controller in one process) of a quorum of `voters`. */
interface KafkaNode {
  id: number;
  controllerPort: number;
  /** `id@host:port` of every controller, the quorum the node joins. */
  voters: string;
  /** Copies of internal topics (consumer offsets) and the default of new topics: the cluster's size. */
  replicas: number;
}

/** A KRaft node from the jars infra/local.sh cached, configured as infra/local.sh configures its broker. */
class OwnKafka extends OwnServer {
  private readonly classpath = join(CACHE, 'kafka-3.9.1', 'libs', '*');

  constructor(
    name: string,
    port: number,
    readonly node: KafkaNode,
  ) {
    super(name, port);
  }

  protected override prepare(): void {
    const properties = join(this.dir, 'server.properties');
    if (existsSync(properties)) return;
    const { id, controllerPort, voters, replicas } = this.node;
    // on three nodes a write needs two copies: any one node may die without losing what was acknowledged
    const minInsync = replicas > 1 ? 2 : 1;
    writeFileSync(
      properties,
      [
        'process.roles=broker,controller',
        `node.id=${id}`,
        `controller.quorum.voters=${voters}`,
        `listeners=PLAINTEXT://127.0.0.1:${this.port},CONTROLLER://127.0.0.1:${controllerPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${this.port}`,
        'controller.listener.names=CONTROLLER',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        `log.dirs=${join(this.dir, 'data')}`,
        'num.partitions=3',
        `default.replication.factor=${replicas}`,
        `min.insync.replicas=${minInsync}`,
        `offsets.topic.replication.factor=${replicas}`,
        `transaction.state.log.replication.factor=${replicas}`,
        `transaction.state.log.min.isr=${minInsync}`,
        'group.initial.rebalance.delay.ms=0',
        'auto.create.topics.enable=true',
      ].join('\n'),
    );
    writeFileSync(join(this.dir, 'log4j.properties'), 'log4j.rootLogger=WARN, stderr\n' + STDERR_APPENDER);
    // every node of a cluster is formatted with the same cluster id
    execFileSync(
      'java',
      [...this.jvm(), 'kafka.tools.StorageTool', 'format', '-t', 'runrun-fault-kafka-01', '-c', properties],
      {
        stdio: 'ignore',
      },
    );
  }

  private jvm(): string[] {
    return [
      '-Xms128m',
      '-Xmx384m',
      '-cp',
      this.classpath,
      `-Dlog4j.configuration=file:${join(this.dir, 'log4j.properties')}`,
    ];
  }

  protected command(): [string, string[]] {
    return ['java', [...this.jvm(), '-XX:+UseG1GC', 'kafka.Kafka', join(this.dir, 'server.properties')]];
  }
}

/**
 * `size` KRaft nodes on `ports` (client listeners) and `controllerPorts`, every node a broker
 * and a voter of the controller quorum: one node, or three that keep working without any one.
 */
function kafkaNodes(ports: number[], controllerPorts: number[]): OwnKafka[] {
  const voters = controllerPorts.map((port, i) => `${i + 1}@127.0.0.1:${port}`).join(',');
  return ports.map(
    (port, i) =>
      new OwnKafka(ports.length > 1 ? `kafka-${i + 1}` : 'kafka', port, {
        id: i + 1,
        controllerPort: controllerPorts[i],
        voters,
        replicas: ports.length,
      }),
  );
}
const STDERR_APPENDER = [
  'log4j.appender.stderr=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stderr.Target=System.err',
  'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n',
  '',
].join('\n');

/** Knobs that make a fault's consequences show within seconds rather than minutes. */
const SHORT_TIMES: Record<string, string> = {
  // 15 s to pay (longer than any outage here, so a shopper who retries gets through), swept 20 s
  // after the deadline: together longer than a Kafka consumer group takes to hand a crashed
  // replica's partitions over (its 10 s session timeout), so a payment made in time never finds
  // its order cancelled
  PAYMENT_WINDOW_SECONDS: '15',
  PAYMENT_GRACE_SECONDS: '20',
  PAYMENT_SWEEP_SECONDS: '1',
  // a reservation without its order row comes back 3 s after it was made
  RESERVATION_GRACE_SECONDS: '3',
  RESERVATION_RECONCILE_SECONDS: '1',
  // a stock movement a crash left applying is finished 5 s after it began
  STOCK_RECOVERY_GRACE_SECONDS: '5',
  // a product's breaker (opened by the sell-out) lets orders try again after 1 s
  BREAKER_OPEN_MS: '1000',
  // shoppers are all on 127.0.0.1 and each orders once
  RATE_LIMIT_PER_SECOND: '0',
  MAX_UNPAID_ORDERS: '0',
  SHUTDOWN_DRAIN_SECONDS: '2',
  LOG_LEVEL: 'info',
};

export class FaultStack {
  readonly mariadb = new OwnMariaDb(PORTS.mysql, [
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_unicode_ci',
    '--default-time-zone=+00:00',
    '--max-connections=500',
  ]);
  readonly redis = PORTS.redis.map((port) => new OwnRedis(port));
  readonly ferretdb = new OwnFerretDb('ferretdb', PORTS.mongo);
  /** One broker, or with `kafkaBrokers: 3` a cluster whose topics keep three copies, two needed for a write. */
  readonly kafka: OwnKafka[];
  services = new Map<string, RunningService>();
  private brandId?: number;

  private readonly env: Record<string, string>;

  constructor({ kafkaBrokers = 1 }: { kafkaBrokers?: 1 | 3 } = {}) {
    this.kafka =
      kafkaBrokers === 3
        ? kafkaNodes(PORTS.kafkaCluster, PORTS.kafkaClusterController)
        : kafkaNodes(PORTS.kafka, PORTS.kafkaController);
    this.env = {
      ...wiringEnv(OFFSET),
      ...SHORT_TIMES,
      DB_PORT: String(PORTS.mysql),
      MONGO_URL,
      REDIS_URL: this.redis[0].url,
      REDLOCK_URLS: this.redis.map((r) => r.url).join(','),
      KAFKA_BROKERS: this.kafka.map((k) => `127.0.0.1:${k.port}`).join(','),
      FILES_DIR: join(ROOT, '.local', 'fault-files'),
      PUBLIC_FILES_URL: `http://127.0.0.1:${8080 + OFFSET}`,
    };
  }

  async start(): Promise<void> {
    mkdirSync(LOG_DIR, { recursive: true });
    await Promise.all([
      this.mariadb.start(),
      ...this.redis.map((r) => r.start()),
      this.ferretdb.start(),
      ...this.kafka.map((k) => k.start()),
    ]);
    // the topics and their dead-letter topics, as infra does on the shared broker; on three
    // brokers as production has them, three copies, two in sync for a write, reached the way a
    // system grown from one broker gets there: made with one copy, then raised by create-topics
    await this.waitForKafkaNodes();
    const createTopics = (copies: number, inSync: number) =>
      execFileSync(process.execPath, [join(ROOT, 'infra', 'create-topics.mjs')], {
        env: {
          ...process.env,
          KAFKA_BROKERS: this.env.KAFKA_BROKERS,
          KAFKA_REPLICATION_FACTOR: String(copies),
          KAFKA_MIN_INSYNC_REPLICAS: String(inSync),
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    createTopics(1, 1);
    if (this.kafka.length > 1) createTopics(3, 2);
    // each service creates its database and schema on start
    for (const name of ['brand', 'product', 'user', 'order', 'order-2', 'payment', 'gateway'])
      await this.startService(name);
  }

  /** Starts (or starts again after a crash) one service; `order-2` is the second order replica. */
  async startService(name: string): Promise<RunningService> {
    const service = name === 'order-2' ? 'order' : name;
    const running = await startService(service, {
      portOffset: name === 'order-2' ? SECOND_ORDER_OFFSET : OFFSET,
      instance: `fault-${name}`,
      logDir: LOG_DIR,
      env: this.env,
    });
    this.services.set(name, running);
    return running;
  }

  url(name: string): string {
    return this.services.get(name)!.url;
  }

  /** kill -9 of a service: no drain, no goodbye. */
  async crash(name: string): Promise<void> {
    const { process: p } = this.services.get(name)!;
    if (p.exitCode !== null || p.signalCode !== null) return;
    await new Promise((r) => (p.once('exit', r), p.kill('SIGKILL')));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.stop()));
    await Promise.all([
      this.mariadb.stop(),
      ...this.redis.map((r) => r.stop()),
      this.ferretdb.stop(),
      ...this.kafka.map((k) => k.stop()),
    ]);
  }

  /** A brand and a product with `quantity` units, arranged through the services as a seller does. */
  async newProduct(quantity: number): Promise<string> {
    const seller = { 'x-user-id': '42', 'x-user-role': 'SELLER' };
    if (this.brandId === undefined) {
      const brand = await fetch(`${this.url('brand')}/brands`, {
        method: 'POST',
        headers: seller,
        body: multipart(brandForm(), { image: PNG }),
      });
      if (brand.status !== 200) throw new Error(`brand ${brand.status} ${await brand.text()}`);
      this.brandId = ((await brand.json()) as { id: number }).id;
    }
    const brandId = this.brandId;
    const product = await fetch(`${this.url('product')}/products`, {
      method: 'POST',
      headers: seller,
      body: multipart(productForm(brandId, { quantity, price: 10000, discount: 0 }), {
        thumbnail: PNG,
        descriptionImage: PNG,
      }),
    });
    if (product.status !== 200) throw new Error(`product ${product.status} ${await product.text()}`);
    return ((await product.json()) as { id: string }).id;
  }

  async query(database: string, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    const connection = await createConnection({
      host: '127.0.0.1',
      port: PORTS.mysql,
      user: 'runrun',
      password: 'runrun',
      database,
    });
    try {
      return (await connection.query(sql, params))[0] as Record<string, unknown>[];
    } finally {
      await connection.end();
    }
  }

  async stockOf(productId: string): Promise<number> {
    const connection = await mongoose.createConnection(MONGO_URL).asPromise();
    try {
      const product = await connection
        .db!.collection('products')
        .findOne({ _id: new mongoose.Types.ObjectId(productId) });
      return product!.quantity as number;
    } finally {
      await connection.close();
    }
  }

  /** The order service's reservation counter of a product, and the debt a stock cut left. */
  async reservation(productId: string): Promise<{ counter: number | null; debt: number }> {
    const redis = new Redis(this.redis[0].url);
    try {
      const [counter, debt] = await redis.mget(
        `RESERVED_PRODUCT_STOCK{${productId}}`,
        `RESERVED_PRODUCT_DEBT{${productId}}`,
      );
      return { counter: counter === null ? null : Number(counter), debt: Number(debt ?? 0) };
    } finally {
      redis.disconnect();
    }
  }

  private async withKafkaAdmin<T>(use: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
    // only the nodes running: a killed one would be tried first as often as not
    const kafka = new Kafka({
      clientId: 'fault-audit',
      brokers: this.kafka.filter((k) => k.running).map((k) => `127.0.0.1:${k.port}`),
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await use(admin);
    } finally {
      await admin.disconnect();
    }
  }

  /** Until every node has registered with the quorum: a topic's replicas need as many brokers. */
  private async waitForKafkaNodes(): Promise<void> {
    for (const deadline = Date.now() + 60_000; ; await sleep(500)) {
      const brokers = await this.withKafkaAdmin(async (admin) => (await admin.describeCluster()).brokers.length).catch(
        () => 0,
      );
      if (brokers === this.kafka.length) return;
      if (Date.now() > deadline) throw new Error(`${brokers} of ${this.kafka.length} Kafka nodes registered`);
    }
  }

  /** The running node that leads the most partitions of RUNRUN's topics: its loss moves the most. */
  async busiestKafkaNode(): Promise<OwnKafka> {
    const led = await this.withKafkaAdmin(async (admin) => {
      const { topics } = await admin.fetchTopicMetadata({ topics: Object.values(Topics) });
      const count = new Map<number, number>();
      for (const { partitions } of topics)
        for (const { leader } of partitions) count.set(leader, (count.get(leader) ?? 0) + 1);
      return count;
    });
    const [id] = [...led.entries()].sort((a, b) => b[1] - a[1])[0];
    return this.kafka.find((k) => k.node.id === id)!;
  }

  /** Each topic and dead-letter topic: its partitions' fewest copies, min.insync.replicas and retention. */
  async topicSettings(): Promise<{ topic: string; copies: number; minInsync?: string; retentionMs?: string }[]> {
    return this.withKafkaAdmin(async (admin) => {
      const names = Object.values(Topics).flatMap((topic) => [topic, deadLetterTopic(topic)]);
      const { topics } = await admin.fetchTopicMetadata({ topics: names });
      const { resources } = await admin.describeConfigs({
        resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
        includeSynonyms: false,
      });
      return topics.map(({ name, partitions }) => {
        const entries = resources.find((r) => r.resourceName === name)?.configEntries ?? [];
        const value = (key: string) => entries.find((e) => e.configName === key)?.configValue;
        return {
          topic: name,
          copies: Math.min(...partitions.map((p) => p.replicas.length)),
          minInsync: value('min.insync.replicas'),
          retentionMs: value('retention.ms'),
        };
      });
    });
  }

  /** Messages parked on the dead-letter topics so far: events a consumer gave up on. */
  async deadLetters(): Promise<number> {
    return this.withKafkaAdmin(async (admin) => {
      let parked = 0;
      for (const topic of Object.values(Topics).map(deadLetterTopic))
        for (const { high, low } of await admin.fetchTopicOffsets(topic)) parked += Number(high) - Number(low);
      return parked;
    });
  }

  /** Outbox rows not yet published (order's, payment's and product's outboxes), and rows parked. */
  async outboxes(): Promise<{ waiting: number; parked: number }> {
    let waiting = 0;
    let parked = 0;
    for (const database of ['runrun_order', 'runrun_payment']) {
      const [row] = await this.query(
        database,
        'SELECT COUNT(*) - COUNT(failed_at) AS waiting, COUNT(failed_at) AS parked FROM outbox_events',
      );
      waiting += Number(row.waiting);
      parked += Number(row.parked);
    }
    const connection = await mongoose.createConnection(MONGO_URL).asPromise();
    try {
      const outbox = connection.db!.collection('outbox_events');
      waiting += await outbox.countDocuments({ failedAt: { $exists: false } });
      parked += await outbox.countDocuments({ failedAt: { $exists: true } });
    } finally {
      await connection.close();
    }
    return { waiting, parked };
  }
}
