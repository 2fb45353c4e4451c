import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/**
 * What an operator relies on in the manifests, checked on the output of `kustomize build` for
 * base and every overlay (the objects that would reach the API server).
 */
const ROOT = join(__dirname, '..', '..');
const K8S_DIR = process.env.K8S_DIR ?? join(ROOT, 'kubernetes');
const KUSTOMIZE = process.env.KUSTOMIZE ?? join(homedir(), '.cache', 'runrun', 'kustomize-v5.7.1', 'kustomize');

// Rendered YAML is untyped; the checks below say what they expect of each field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type K = any;

const TARGETS = ['base', 'overlays/local', 'overlays/production'] as const;
type Target = (typeof TARGETS)[number];
const SERVICES = ['gateway', 'user', 'brand', 'product', 'order', 'payment'] as const;
const HTTP_PORT: Record<string, number> = {
  gateway: 8080,
  user: 8081,
  brand: 8082,
  product: 8083,
  order: 8084,
  payment: 8085,
};
/** services -> their stores' ports (and outside services: SMTP, S3, the PG) */
const STORE_PORTS: Record<string, number[]> = {
  gateway: [6379],
  user: [3306, 6379, 9092],
  brand: [3306],
  product: [27017, 6379, 9092],
  order: [3306, 6379, 9092],
  payment: [3306, 9092],
  'cron-jobs': [3306],
};
const DRAIN_SECONDS = 10; // SHUTDOWN_DRAIN_SECONDS' default in libs/common/src/config.ts

const rendered = new Map<Target, K[]>();
function render(target: Target): K[] {
  if (!rendered.has(target)) {
    const out = execFileSync(KUSTOMIZE, ['build', join(K8S_DIR, target)], { encoding: 'utf8' });
    rendered.set(
      target,
      parseAllDocuments(out)
        .map((d) => d.toJS())
        .filter(Boolean),
    );
  }
  return rendered.get(target)!;
}
const ofKind = (objs: K[], kind: string): K[] => objs.filter((o) => o.kind === kind);
const named = (objs: K[], kind: string, name: string): K =>
  objs.find((o) => o.kind === kind && o.metadata.name === name);

/** Every pod template with its owner: Deployment, StatefulSet, Job, CronJob. */
function podTemplates(objs: K[]): { owner: string; labels: Record<string, string>; spec: K }[] {
  const out: { owner: string; labels: Record<string, string>; spec: K }[] = [];
  for (const o of objs) {
    const t =
      o.kind === 'CronJob'
        ? o.spec.jobTemplate.spec.template
        : ['Deployment', 'StatefulSet', 'Job', 'DaemonSet'].includes(o.kind)
          ? o.spec.template
          : undefined;
    if (t) out.push({ owner: `${o.kind}/${o.metadata.name}`, labels: t.metadata?.labels ?? {}, spec: t.spec });
  }
  return out;
}
const containersOf = (spec: K): K[] => [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

/** Deviations of one pod template from the "restricted" Pod Security Standard (plus a read-only root fs). */
export function restrictedViolations(spec: K): string[] {
  const bad: string[] = [];
  const podSc = spec.securityContext ?? {};
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) bad.push('host namespaces');
  for (const v of spec.volumes ?? []) if (v.hostPath) bad.push(`hostPath volume ${v.name}`);
  if (podSc.runAsUser === 0) bad.push('pod runAsUser 0');
  for (const c of containersOf(spec)) {
    const sc = c.securityContext ?? {};
    const where = `container ${c.name}`;
    if (!(sc.runAsNonRoot ?? podSc.runAsNonRoot)) bad.push(`${where}: runAsNonRoot not true`);
    if (sc.runAsUser === 0) bad.push(`${where}: runAsUser 0`);
    if (sc.privileged) bad.push(`${where}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) bad.push(`${where}: allowPrivilegeEscalation not false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) bad.push(`${where}: capabilities not dropped (ALL)`);
    const added = (sc.capabilities?.add ?? []).filter((a: string) => a !== 'NET_BIND_SERVICE');
    if (added.length) bad.push(`${where}: adds capabilities ${added.join(',')}`);
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (!['RuntimeDefault', 'Localhost'].includes(seccomp)) bad.push(`${where}: seccomp profile ${seccomp}`);
    if (sc.readOnlyRootFilesystem !== true) bad.push(`${where}: root filesystem writable`);
  }
  return bad;
}

/** The env one container sees: its ConfigMap/Secret envFrom refs, then its own env. */
function containerEnv(objs: K[], c: K, secretKeys: string[]): { env: Record<string, string>; missingRefs: string[] } {
  const env: Record<string, string> = {};
  const missingRefs: string[] = [];
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef) {
      const cm = named(objs, 'ConfigMap', from.configMapRef.name);
      if (!cm) missingRefs.push(`ConfigMap ${from.configMapRef.name}`);
      Object.assign(env, cm?.data ?? {});
    }
    if (from.secretRef) {
      const secret = named(objs, 'Secret', from.secretRef.name);
      // Not rendered (created with kubectl): its keys are those of base/secret.example.yaml.
      const keys = secret ? Object.keys({ ...secret.data, ...secret.stringData }) : secretKeys;
      for (const k of keys) env[k] = placeholder(k);
    }
  }
  for (const e of c.env ?? []) if (e.value !== undefined) env[e.name] = String(e.value);
  return { env, missingRefs };
}
/** Secret values are not in the repository; what counts is that the key is there, in a valid shape. */
const placeholder = (key: string) =>
  key === 'PII_KEY' ? Buffer.alloc(32, 7).toString('base64') : `secret-${key}-`.padEnd(48, 'x');

/** Runs a service's own config loader (src/config.ts) against the env the pod would get. */
function loadServiceConfig(service: string, env: Record<string, string>): unknown {
  const saved = process.env;
  process.env = { ...env };
  try {
    const mod = require(join(ROOT, service, 'src', 'config.ts')) as { loadConfig: () => unknown };
    return mod.loadConfig();
  } finally {
    process.env = saved;
  }
}

/** Does one NetworkPolicy peer list admit a pod with these labels in this namespace? */
function peerAdmits(peers: K[] | undefined, labels: Record<string, string>, namespace?: string): boolean {
  if (!peers || peers.length === 0) return true; // no "from"/"to": any peer
  return peers.some((p) => {
    if (p.ipBlock) return namespace === undefined;
    const nsOk = p.namespaceSelector
      ? namespace !== undefined &&
        matches(p.namespaceSelector.matchLabels, { 'kubernetes.io/metadata.name': namespace })
      : namespace === undefined;
    const podOk = p.podSelector ? matches(p.podSelector.matchLabels, labels) : true;
    return nsOk && podOk;
  });
}
/** Named ports ("http", "grpc") stand for the services' numbers, as the pods declare them. */
const PORT_NAMES: Record<number, string> = {
  8080: 'http',
  8081: 'http',
  8082: 'http',
  8083: 'http',
  8084: 'http',
  8085: 'http',
  9001: 'grpc',
  9002: 'grpc',
  9005: 'grpc',
};
const portAdmits = (ports: K[] | undefined, port: number, protocol = 'TCP') =>
  !ports ||
  ports.length === 0 ||
  ports.some(
    (p) =>
      (p.port === port || (p.port !== undefined && p.port === PORT_NAMES[port])) && (p.protocol ?? 'TCP') === protocol,
  );

/** Ingress to `to` on `port` from a pod labelled `from` (in `fromNamespace`, or this namespace). */
function ingressAllowed(
  objs: K[],
  from: Record<string, string>,
  to: Record<string, string>,
  port: number,
  fromNamespace?: string,
) {
  const isolating = ofKind(objs, 'NetworkPolicy').filter(
    (np) => (np.spec.policyTypes ?? ['Ingress']).includes('Ingress') && matches(np.spec.podSelector?.matchLabels, to),
  );
  if (isolating.length === 0) return true; // a pod no Ingress policy selects accepts anything
  return isolating.some(
    (np) =>
      (np.spec.policyTypes ?? ['Ingress']).includes('Ingress') &&
      matches(np.spec.podSelector?.matchLabels, to) &&
      (np.spec.ingress ?? []).some((r: K) => peerAdmits(r.from, from, fromNamespace) && portAdmits(r.ports, port)),
  );
}
/** Egress from `from` to a pod labelled `to` (or, with `to` undefined, to an address outside) on `port`. */
function egressAllowed(
  objs: K[],
  from: Record<string, string>,
  to: Record<string, string> | undefined,
  port: number,
  protocol = 'TCP',
  toNamespace?: string,
) {
  const isolating = ofKind(objs, 'NetworkPolicy').filter(
    (np) => (np.spec.policyTypes ?? []).includes('Egress') && matches(np.spec.podSelector?.matchLabels, from),
  );
  if (isolating.length === 0) return true; // a pod no Egress policy selects may send anywhere
  return isolating.some(
    (np) =>
      (np.spec.policyTypes ?? []).includes('Egress') &&
      matches(np.spec.podSelector?.matchLabels, from) &&
      (np.spec.egress ?? []).some(
        (r: K) =>
          (to === undefined
            ? !r.to || r.to.length === 0 || r.to.some((p: K) => p.ipBlock)
            : peerAdmits(r.to, to, toNamespace)) && portAdmits(r.ports, port, protocol),
      ),
  );
}
const app = (name: string) => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'runrun' });

describe.each(TARGETS)('kustomize build %s', (target) => {
  let objs: K[];
  const secretKeys = Object.keys(parse(readFileSync(join(K8S_DIR, 'base', 'secret.example.yaml'), 'utf8')).stringData);
  beforeAll(() => {
    if (!existsSync(KUSTOMIZE)) throw new Error(`kustomize not found at ${KUSTOMIZE}: run scripts/k8s-tools.sh`);
    objs = render(target);
  });

  it('renders the six services, their Services and the CronJobs', () => {
    for (const s of SERVICES) expect(named(objs, 'Deployment', s)).toBeDefined();
    expect(ofKind(objs, 'CronJob').length).toBeGreaterThan(0);
  });

  it('every pod (Deployment, StatefulSet, Job, CronJob) meets the "restricted" Pod Security level with a read-only root', () => {
    const bad = podTemplates(objs).flatMap((p) => restrictedViolations(p.spec).map((v) => `${p.owner}: ${v}`));
    expect(bad).toEqual([]);
  });

  it('the namespace enforces the "restricted" Pod Security level', () => {
    const ns = named(objs, 'Namespace', 'runrun');
    expect(ns?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('every container has CPU and memory requests and a memory limit', () => {
    const bad = podTemplates(objs).flatMap((p) =>
      containersOf(p.spec)
        .filter((c) => !c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory)
        .map((c) => `${p.owner}/${c.name}`),
    );
    expect(bad).toEqual([]);
  });

  it('every pod runs as its own ServiceAccount, without an API token', () => {
    const bad: string[] = [];
    for (const p of podTemplates(objs)) {
      const saName = p.spec.serviceAccountName;
      const sa = saName && named(objs, 'ServiceAccount', saName);
      if (!saName || saName === 'default') bad.push(`${p.owner}: default ServiceAccount`);
      else if (!sa) bad.push(`${p.owner}: ServiceAccount ${saName} not in the manifests`);
      else if (sa.automountServiceAccountToken !== false) bad.push(`ServiceAccount ${saName} mounts its token`);
      if (p.spec.automountServiceAccountToken !== false) bad.push(`${p.owner}: pod mounts a token`);
    }
    expect(bad).toEqual([]);
  });

  it('every HTTP service has readiness and liveness probes on its health endpoints', () => {
    for (const s of SERVICES) {
      const c = named(objs, 'Deployment', s).spec.template.spec.containers[0];
      expect([s, c.readinessProbe?.httpGet?.path]).toEqual([s, '/health/ready']);
      expect([s, c.livenessProbe?.httpGet?.path]).toEqual([s, '/health/live']);
    }
  });

  it('the services write only to an emptyDir on /tmp, drain within the grace period and spread out', () => {
    for (const s of SERVICES) {
      const spec = named(objs, 'Deployment', s).spec.template.spec;
      const c = spec.containers[0];
      const tmp = (c.volumeMounts ?? []).find((m: K) => m.mountPath === '/tmp');
      expect([s, spec.volumes?.find((v: K) => v.name === tmp?.name)?.emptyDir]).toEqual([s, expect.any(Object)]);
      const sleep = Number(c.lifecycle?.preStop?.exec?.command?.at(-1) ?? c.lifecycle?.preStop?.sleep?.seconds);
      expect([s, sleep]).toEqual([s, expect.any(Number)]);
      expect([s, sleep >= 1]).toEqual([s, true]);
      // the kubelet kills at the grace period: preStop and the drain must both fit in it
      expect([s, spec.terminationGracePeriodSeconds >= sleep + DRAIN_SECONDS]).toEqual([s, true]);
      const keys = (spec.topologySpreadConstraints ?? []).map((t: K) => t.topologyKey);
      expect([s, keys]).toEqual([s, expect.arrayContaining(['kubernetes.io/hostname', 'topology.kubernetes.io/zone'])]);
    }
  });

  it('every Deployment has a PodDisruptionBudget selecting its pods', () => {
    const pdbs = ofKind(objs, 'PodDisruptionBudget');
    const without = ofKind(objs, 'Deployment')
      .filter((d) => !pdbs.some((p) => matches(p.spec.selector.matchLabels, d.spec.template.metadata.labels)))
      .map((d) => d.metadata.name);
    expect(without).toEqual([]);
  });

  it('the HPAs scale up at once and down slowly', () => {
    const hpas = ofKind(objs, 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual(['gateway', 'order']);
    for (const h of hpas) {
      const b = h.spec.behavior;
      expect([h.metadata.name, b?.scaleUp?.stabilizationWindowSeconds]).toEqual([h.metadata.name, 0]);
      expect([h.metadata.name, b?.scaleDown?.stabilizationWindowSeconds >= 300]).toEqual([h.metadata.name, true]);
      expect(h.spec.minReplicas).toBeLessThanOrEqual(h.spec.maxReplicas);
    }
  });

  it('product gets a three-server Redlock quorum that is not its own pod', () => {
    const c = named(objs, 'Deployment', 'product').spec.template.spec.containers[0];
    const { env } = containerEnv(objs, c, secretKeys);
    const urls = (env.REDLOCK_URLS ?? '').split(',').filter(Boolean);
    expect(urls).toHaveLength(3);
    for (const u of urls) expect(u).not.toMatch(/127\.0\.0\.1|localhost/);
  });

  it.each([...SERVICES, 'cron-jobs'])(
    '%s: its own config loader accepts the pod env, and nothing points back at 127.0.0.1',
    (service) => {
      const pods = podTemplates(objs).filter((p) =>
        containersOf(p.spec).some((c) => (c.command ?? []).join(' ').includes(`${service}/dist/main.js`)),
      );
      expect(pods.length).toBeGreaterThan(0);
      for (const p of pods) {
        const c = containersOf(p.spec).find((x) => (x.command ?? []).join(' ').includes(`${service}/dist/main.js`));
        const { env, missingRefs } = containerEnv(objs, c, secretKeys);
        expect(missingRefs).toEqual([]);
        expect(env.NODE_ENV).toBe('production');
        expect(env.HTTP_HOST).toBe('0.0.0.0');
        let config: unknown;
        expect(() => (config = loadServiceConfig(service, env))).not.toThrow();
        // unset variables fall back to the local servers' 127.0.0.1 defaults
        expect([p.owner, JSON.stringify(config).match(/127\.0\.0\.1/g)]).toEqual([p.owner, null]);
        if (service !== 'cron-jobs') {
          expect(Number(env.HTTP_PORT)).toBe(HTTP_PORT[service]);
          expect(c.ports.find((x: K) => x.name === 'http').containerPort).toBe(HTTP_PORT[service]);
        }
      }
    },
  );

  describe('NetworkPolicies', () => {
    it('deny everything by default, both ways', () => {
      const deny = ofKind(objs, 'NetworkPolicy').find(
        (np) =>
          Object.keys(np.spec.podSelector ?? {}).length === 0 &&
          ['Ingress', 'Egress'].every((t) => (np.spec.policyTypes ?? []).includes(t)) &&
          !np.spec.ingress?.length &&
          !np.spec.egress?.length,
      );
      expect(deny).toBeDefined();
      // no other policy opens a whole namespace to everything
      const open = ofKind(objs, 'NetworkPolicy').filter((np) =>
        (np.spec.ingress ?? []).some(
          (r: K) => !r.from?.length || r.from.some((p: K) => Object.keys(p.podSelector ?? { x: 1 }).length === 0),
        ),
      );
      expect(open.map((np) => np.metadata.name)).toEqual([]);
    });

    it('the ingress controller reaches the gateway', () => {
      expect(ingressAllowed(objs, {}, app('gateway'), 8080, 'ingress-nginx')).toBe(true);
    });

    it.each(SERVICES.filter((s) => s !== 'gateway'))('the gateway reaches %s over HTTP, both ways', (s) => {
      expect(egressAllowed(objs, app('gateway'), app(s), HTTP_PORT[s])).toBe(true);
      expect(ingressAllowed(objs, app('gateway'), app(s), HTTP_PORT[s])).toBe(true);
    });

    it.each([
      ['order', 'product', 9001],
      ['order', 'brand', 9002],
      ['product', 'brand', 9002],
      ['payment', 'order', 9005],
      ['payment', 'product', 9001],
    ])('%s calls %s gRPC (:%s), both ways', (from, to, port) => {
      expect(egressAllowed(objs, app(from), app(to), port)).toBe(true);
      expect(ingressAllowed(objs, app(from), app(to), port)).toBe(true);
    });

    it('no other gRPC caller and no service-to-service HTTP is admitted', () => {
      expect(ingressAllowed(objs, app('user'), app('product'), 9001)).toBe(false);
      expect(ingressAllowed(objs, app('gateway'), app('brand'), 9002)).toBe(false);
      expect(ingressAllowed(objs, app('brand'), app('order'), 9005)).toBe(false);
      expect(ingressAllowed(objs, app('order'), app('user'), 8081)).toBe(false);
      expect(ingressAllowed(objs, {}, app('order'), 8084, 'ingress-nginx')).toBe(false);
    });

    it.each(SERVICES)('Prometheus scrapes %s /metrics', (s) => {
      const prometheus = { 'app.kubernetes.io/name': 'prometheus' };
      expect(ingressAllowed(objs, prometheus, app(s), HTTP_PORT[s], 'monitoring')).toBe(true);
    });

    it.each(Object.keys(STORE_PORTS))('%s resolves names and reaches its stores', (s) => {
      const dns = { 'k8s-app': 'kube-dns' };
      expect(egressAllowed(objs, app(s), dns, 53, 'UDP', 'kube-system')).toBe(true);
      for (const port of STORE_PORTS[s]) {
        const inCluster = target === 'overlays/local';
        const store = { 27017: 'mongodb', 6379: 'redis', 9092: 'kafka', 3306: 'mysql' }[port]!;
        expect([
          s,
          port,
          egressAllowed(objs, app(s), inCluster ? { 'app.kubernetes.io/name': store } : undefined, port),
        ]).toEqual([s, port, true]);
        // the local stores are pods here: they must admit their clients too
        if (inCluster)
          expect([s, store, ingressAllowed(objs, app(s), { 'app.kubernetes.io/name': store }, port)]).toEqual([
            s,
            store,
            true,
          ]);
      }
    });
  });
});

describe('overlays/local', () => {
  it('runs every store as a StatefulSet with a volume, and Jobs create the databases and every topic with its .dlq', () => {
    const objs = render('overlays/local');
    for (const s of ['mysql', 'redis', 'kafka', 'mongodb']) {
      const sts = named(objs, 'StatefulSet', s);
      expect([s, sts?.spec.volumeClaimTemplates?.length]).toEqual([s, 1]);
    }
    expect(named(objs, 'StatefulSet', 'redis').spec.replicas).toBe(3);
    const script = (job: string) => named(objs, 'Job', job).spec.template.spec.containers[0].command.join(' ');
    for (const db of ['runrun_user', 'runrun_brand', 'runrun_order', 'runrun_payment'])
      expect(script('mysql-init')).toContain(`CREATE DATABASE IF NOT EXISTS ${db}`);
    const topics = Object.values(
      JSON.parse(readFileSync(join(ROOT, 'libs/contracts/src/topics.json'), 'utf8')),
    ) as string[];
    const loop =
      script('kafka-topics')
        .match(/for topic in ([^;]+);/)?.[1]
        .trim()
        .split(/\s+/) ?? [];
    expect(loop).toEqual(expect.arrayContaining(topics));
    expect(script('kafka-topics')).toContain('--topic "$topic.dlq"');
  });
});

describe('overlays/production', () => {
  it('pins every image to a release tag or digest (never latest)', () => {
    const images = podTemplates(render('overlays/production')).flatMap((p) =>
      containersOf(p.spec).map((c) => c.image as string),
    );
    const unpinned = images.filter(
      (i) => !/@sha256:[0-9a-f]{64}$/.test(i) && !/:[\w][\w.-]*$/.test(i.split('/').at(-1)!),
    );
    expect(unpinned).toEqual([]);
    expect(images.filter((i) => /:latest$/.test(i))).toEqual([]);
  });

  it('serves the ingress over TLS for its host, with more than one pod of every service', () => {
    const objs = render('overlays/production');
    const ing = named(objs, 'Ingress', 'runrun-ingress');
    const hosts = ing.spec.rules.map((r: K) => r.host);
    expect(hosts.every(Boolean)).toBe(true);
    expect(ing.spec.tls?.flatMap((t: K) => t.hosts)).toEqual(expect.arrayContaining(hosts));
    for (const s of SERVICES) {
      const d = named(objs, 'Deployment', s);
      const hpa = ofKind(objs, 'HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.name === s);
      expect([s, hpa ? hpa.spec.minReplicas : d.spec.replicas]).toEqual([s, expect.any(Number)]);
      expect([s, (hpa ? hpa.spec.minReplicas : d.spec.replicas) >= 2]).toEqual([s, true]);
    }
    expect(ofKind(objs, 'ServiceMonitor')).toHaveLength(1);
  });
});

/** The env of the topics' Job, by name: the brokers it writes to and the replication it asks. */
const topicsJobEnv = (target: (typeof TARGETS)[number]): Record<string, K> =>
  Object.fromEntries(
    named(render(target), 'Job', 'kafka-topics').spec.template.spec.containers[0].env.map((e: K) => [
      e.name,
      e.value ?? e.valueFrom,
    ]),
  );

describe('the Kafka topics', () => {
  it('production keeps three copies of every partition, two in sync for a write, on its own brokers', () => {
    const env = topicsJobEnv('overlays/production');
    expect(env).toMatchObject({ KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' });
    expect(env.KAFKA_BROKERS).toEqual({ configMapKeyRef: { name: 'runrun-config', key: 'KAFKA_BROKERS' } });
  });

  it('the local overlay, one broker, keeps one', () => {
    expect(topicsJobEnv('overlays/local')).toMatchObject({
      KAFKA_REPLICATION_FACTOR: '1',
      KAFKA_MIN_INSYNC_REPLICAS: '1',
    });
  });
});

describe('infra/docker-compose.yml', () => {
  const compose = parse(readFileSync(join(ROOT, 'infra', 'docker-compose.yml'), 'utf8'), {
    merge: true,
    maxAliasCount: -1,
  });

  it.each(SERVICES)(
    '%s: built from the Dockerfile, non-root on a read-only root, wired to the compose servers',
    (s) => {
      const svc = compose.services[s];
      expect(svc.build).toEqual({ context: '..', dockerfile: 'Dockerfile', args: { SERVICE: s } });
      expect([svc.user, svc.read_only, svc.tmpfs]).toEqual(['1000:1000', true, ['/tmp']]);
      const env: Record<string, string> = Object.fromEntries(
        Object.entries(svc.environment).map(([k, v]) => [k, String(v)]),
      );
      expect(env.HTTP_HOST).toBe('0.0.0.0');
      expect(Number(env.HTTP_PORT)).toBe(HTTP_PORT[s]);
      // the public URLs are what a browser on the host opens; everything else must not be the container's own loopback
      const config = loadServiceConfig(s, {
        ...env,
        PUBLIC_BASE_URL: 'http://public.invalid',
        PUBLIC_FILES_URL: 'http://public.invalid',
      });
      expect([s, JSON.stringify(config).match(/127\.0\.0\.1/g)]).toEqual([s, null]);
    },
  );

  it('plain `docker compose up` runs every server and every service, each from an image or a build', () => {
    const all = Object.keys(compose.services);
    expect(all).toEqual(expect.arrayContaining([...SERVICES, 'mysql', 'mongo1', 'redis1', 'kafka', 'mailpit']));
    for (const [name, svc] of Object.entries<Record<string, unknown>>(compose.services)) {
      expect([name, svc.profiles]).toEqual([name, undefined]);
      expect([name, Boolean(svc.image || svc.build)]).toEqual([name, true]);
      const needs = Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys(svc.depends_on ?? {});
      for (const other of needs) expect([name, all]).toEqual([name, expect.arrayContaining([other])]);
      // published on the host's loopback only
      for (const port of (svc.ports ?? []) as string[]) expect([name, port]).toEqual([name, expect.stringMatching(/^127\.0\.0\.1:/)]);
    }
  });

  it('kafka-init creates every topic of topics.json and its .dlq', () => {
    const script = compose.services['kafka-init'].command.join(' ');
    const topics = Object.values(
      JSON.parse(readFileSync(join(ROOT, 'libs/contracts/src/topics.json'), 'utf8')),
    ) as string[];
    for (const t of topics) expect(script).toContain(t);
    expect(script).toContain('--topic "$$topic.dlq"');
  });
});
