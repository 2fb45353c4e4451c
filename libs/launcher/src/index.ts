import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';

/** Root of the repository (libs/launcher/dist → ../../..). */
export const ROOT = resolve(__dirname, '..', '..', '..');

export interface ServiceSpec {
  name: string;
  httpPort: number;
  grpcPort?: number;
}

/** Every HTTP service, in start order (servers before their gRPC clients, the gateway last). */
export const SERVICES: ServiceSpec[] = [
  { name: 'brand', httpPort: 8082, grpcPort: 9002 },
  { name: 'product', httpPort: 8083, grpcPort: 9001 },
  { name: 'user', httpPort: 8081 },
  { name: 'order', httpPort: 8084, grpcPort: 9005 },
  { name: 'payment', httpPort: 8085 },
  { name: 'gateway', httpPort: 8080 },
];

const spec = (name: string): ServiceSpec => {
  const found = SERVICES.find((s) => s.name === name);
  if (!found) throw new Error(`unknown service ${name}`);
  return found;
};

/**
 * The environment that wires the services to each other, every port shifted by `portOffset`.
 * Offsets in use, all ports below the ephemeral range (see `refuseEphemeral`): 0 the running
 * system; 10000 the integration tests' system; 11000 the gateway-overhead benchmark; 12000-13200
 * and 20000, 22000 integration tests that start services of their own; 15000, 15100 the fault
 * suite; 16000 and up the flash-sale benchmark (+100 per order replica, +1000 per gateway).
 * The fault suite's own stores sit beside them: FerretDB 30017, Kafka 30092-30093 (its
 * three-broker cluster 30192-30197), MariaDB 30306, Redis 30379-30381.
 */
export function wiringEnv(portOffset = 0): Record<string, string> {
  const http = (name: string) => `http://127.0.0.1:${spec(name).httpPort + portOffset}`;
  const grpc = (name: string) => `127.0.0.1:${(spec(name).grpcPort ?? 0) + portOffset}`;
  return {
    USER_SERVICE_URL: http('user'),
    BRAND_SERVICE_URL: http('brand'),
    PRODUCT_SERVICE_URL: http('product'),
    ORDER_SERVICE_URL: http('order'),
    PAYMENT_SERVICE_URL: http('payment'),
    PRODUCT_GRPC_URL: grpc('product'),
    BRAND_GRPC_URL: grpc('brand'),
    ORDER_GRPC_URL: grpc('order'),
  };
}

/**
 * V8 grows its heap lazily on a large machine (the order service reached 1.1 GB under load with
 * the defaults); a cap keeps each service near 250 MB resident at the same throughput.
 */
export const SERVICE_NODE_OPTIONS = '--max-old-space-size=128 --max-semi-space-size=8';

export interface RunningService {
  name: string;
  url: string;
  process: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Environment on top of process.env (and of the wiring for `startSystem`). */
  env?: Record<string, string>;
  portOffset?: number;
  /** Where `<name>.log` files go. */
  logDir?: string;
  /** Instance name, when one service runs several times (logs `<instance>.log`). */
  instance?: string;
  readyTimeoutMs?: number;
  /** Options for node itself, before the script (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Children die with the launcher, even when it crashes: no orphan keeps a port. */
const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach((child) => child.kill('SIGKILL')));

/** True when something already listens on 127.0.0.1:port. */
function portInUse(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolvePort(true)));
    socket.once('error', () => resolvePort(false));
  });
}

export function tail(file: string, lines = 15): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';
}

/** Polls GET <url>/health/ready until it answers 200. */
export async function waitReady(url: string, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!alive()) throw new Error('process exited');
    try {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(250);
  }
  throw new Error(`not ready after ${timeoutMs} ms (last answer: ${last})`);
}

/**
 * The kernel hands ports of this range to outgoing connections (to MariaDB, Kafka, another
 * service...), so a server told to listen there fails at random with EADDRINUSE. Every port
 * RUNRUN listens on, tests and benchmarks included, stays below it.
 */
function refuseEphemeral(name: string, port: number): void {
  let range: number[];
  try {
    range = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  } catch {
    return; // not Linux: nothing to check
  }
  if (port >= range[0] && port <= range[1]) {
    throw new Error(`${name} cannot listen on ${port}: it is in the ephemeral port range ${range[0]}-${range[1]}`);
  }
}

/** Starts `node <service>/dist/main.js` and resolves once its /health/ready answers 200. */
export async function startService(name: string, options: StartOptions = {}): Promise<RunningService> {
  const { portOffset = 0, logDir = join(ROOT, '.local', 'logs'), readyTimeoutMs = 60_000 } = options;
  const s = spec(name);
  const httpPort = s.httpPort + portOffset;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_OPTIONS: process.env.NODE_OPTIONS ?? SERVICE_NODE_OPTIONS,
    HTTP_PORT: String(httpPort),
    ...(s.grpcPort ? { GRPC_PORT: String(s.grpcPort + portOffset) } : {}),
    ...options.env,
  };
  for (const port of [env.HTTP_PORT, env.GRPC_PORT].filter(Boolean).map(Number)) {
    refuseEphemeral(name, port);
    if (await portInUse(port)) throw new Error(`${name} cannot start: port ${port} is already in use`);
  }
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${options.instance ?? name}.log`);
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(ROOT, name, 'dist', 'main.js')], {
    env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  children.add(child);
  let exited = false;
  const exitedPromise = new Promise<void>((resolveExit) =>
    child.once('exit', () => {
      exited = true;
      children.delete(child);
      resolveExit();
    }),
  );
  const url = `http://127.0.0.1:${env.HTTP_PORT}`;
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    // the service drains up to SHUTDOWN_DRAIN_SECONDS (10) before it closes its stores and exits
    const grace = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 15_000)));
    const killed = await Promise.race([exitedPromise.then(() => true), grace]);
    clearTimeout(timer);
    if (!killed) {
      child.kill('SIGKILL');
      await exitedPromise;
    }
  };
  try {
    await waitReady(url, readyTimeoutMs, () => !exited);
  } catch (error) {
    await stop();
    throw new Error(`${name} did not start: ${(error as Error).message}\n--- ${logFile}\n${tail(logFile)}`);
  }
  return { name, url, process: child, logFile, stop };
}

export interface SystemOptions extends StartOptions {
  only?: string[];
  /** Extra environment per service name (e.g. its own DB_NAME). */
  serviceEnv?: Record<string, Record<string, string>>;
}

/** Starts every service (or those named) wired to each other; stops them all if one fails. */
export async function startSystem(options: SystemOptions = {}): Promise<RunningService[]> {
  const env = { ...wiringEnv(options.portOffset), ...options.env };
  const running: RunningService[] = [];
  try {
    for (const s of SERVICES.filter((x) => !options.only || options.only.includes(x.name))) {
      running.push(await startService(s.name, { ...options, env: { ...env, ...options.serviceEnv?.[s.name] } }));
    }
    return running;
  } catch (error) {
    await stopAll(running);
    throw error;
  }
}

export async function stopAll(services: RunningService[]): Promise<void> {
  await Promise.all([...services].reverse().map((s) => s.stop()));
}
