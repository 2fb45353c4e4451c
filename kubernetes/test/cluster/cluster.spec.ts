import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

/**
 * Base and every overlay applied to a real API server (scripts/k8s-cluster.sh: etcd,
 * kube-apiserver, controller manager, scheduler, and kwok simulating one node), each into its
 * own namespace with the manifests' Pod Security "restricted" enforcement. Checks what an operator
 * would look at after `kubectl apply`: rollouts complete, Services have endpoints on their named
 * ports, HPAs hold their minimum, CronJobs and Jobs complete, PDBs and NetworkPolicies select pods.
 * Containers do not run (kwok marks pods running and ready), so images, env and probes are not
 * checked here.
 */
const ROOT = join(__dirname, '..', '..', '..');
const K8S_DIR = process.env.K8S_DIR ?? join(ROOT, 'kubernetes');
const CACHE = join(homedir(), '.cache', 'runrun');
const KUSTOMIZE = process.env.KUSTOMIZE ?? join(CACHE, 'kustomize-v5.7.1', 'kustomize');
const KUBECTL = join(process.env.KUBE_BIN_DIR ?? join(CACHE, 'kubernetes-v1.33.13', 'bin'), 'kubectl');
const MONITORING_CRDS =
  process.env.MONITORING_CRDS ?? join(CACHE, 'prometheus-operator-crds-v0.85.0', 'crds.yaml');
const CLUSTER_SCRIPT = join(ROOT, 'scripts', 'k8s-cluster.sh');

// Objects from the API server are untyped here; each check says what it reads.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type K = any;

/** base, and each overlay, in a namespace of its own so that all three live side by side */
const TARGETS = [
  { target: 'base', namespace: 'runrun-base' },
  { target: 'overlays/local', namespace: 'runrun-local' },
  { target: 'overlays/production', namespace: 'runrun-production' },
] as const;

let workDir: string;

function kubectl(args: string[], input?: string): string {
  try {
    return execFileSync(KUBECTL, ['--kubeconfig', join(workDir, 'cluster', 'kubeconfig'), ...args], {
      encoding: 'utf8',
      input,
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    throw new Error(`kubectl ${args.join(' ')} failed:\n${err.stderr || err.stdout}`);
  }
}
const getJson = (args: string[]): K => JSON.parse(kubectl([...args, '-o', 'json']));
const apply = (yaml: string): string =>
  kubectl(['apply', '--server-side', '--validate=strict', '--field-manager=runrun-test', '-f', '-'], yaml);

/** kustomize build of a target with its namespace renamed (kustomize renames the Namespace too) */
function render(target: string, namespace: string): K[] {
  const dir = join(workDir, 'kustomize', namespace);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace,
      resources: [relative(dir, join(K8S_DIR, target))],
    }),
  );
  const out = execFileSync(KUSTOMIZE, ['build', dir], { encoding: 'utf8' });
  return parseAllDocuments(out)
    .map((d) => d.toJS())
    .filter(Boolean);
}
// JSON documents: kubectl reads YAML 1.1, where an unquoted `yes` would turn into a boolean
const documents = (objs: K[]): string => objs.map((o) => JSON.stringify(o)).join('\n---\n');
const ofKind = (objs: K[], kind: string): K[] => objs.filter((o) => o.kind === kind);
const selectorOf = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** poll until check() returns without throwing, or rethrow its last error */
async function eventually<T>(check: () => T, seconds = 90): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      return check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/**
 * The storage a StatefulSet's claims bind to: the cluster has no provisioner, so one
 * PersistentVolume per claim, reserved for it (what a default StorageClass would create).
 */
function volumesFor(objs: K[], namespace: string): K[] {
  const volumes: K[] = [];
  for (const sts of ofKind(objs, 'StatefulSet')) {
    for (const template of sts.spec.volumeClaimTemplates ?? []) {
      for (let i = 0; i < (sts.spec.replicas ?? 1); i++) {
        const claim = `${template.metadata.name}-${sts.metadata.name}-${i}`;
        volumes.push({
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: { name: `${namespace}-${claim}` },
          spec: {
            capacity: { storage: template.spec.resources.requests.storage },
            accessModes: template.spec.accessModes,
            storageClassName: template.spec.storageClassName ?? '',
            persistentVolumeReclaimPolicy: 'Delete',
            hostPath: { path: `/var/lib/runrun-test/${namespace}/${claim}` },
            claimRef: { namespace, name: claim },
          },
        });
      }
    }
  }
  return volumes;
}

/** The Secret runrun-secrets the overlays leave to the operator: the example's, or generated. */
function secretFor(target: string, namespace: string): K | undefined {
  if (target === 'overlays/local') return undefined; // the overlay generates its own
  if (target === 'base') {
    const example = parseAllDocuments(readFileSync(join(K8S_DIR, 'base', 'secret.example.yaml'), 'utf8'))[0].toJS();
    return { ...example, metadata: { ...example.metadata, namespace } };
  }
  const value = () => randomBytes(24).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'runrun-secrets', namespace },
    type: 'Opaque',
    stringData: {
      DB_PASSWORD: value(),
      JWT_SECRET: value(),
      PII_KEY: randomBytes(32).toString('base64'),
      SMTP_PASSWORD: value(),
      TOSS_PAYMENT_SECRET: value(),
      TOSS_CLIENT_KEY: value(),
    },
  };
}

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'runrun-k8s-'));
  execFileSync('bash', [CLUSTER_SCRIPT, 'start', join(workDir, 'cluster')], { stdio: 'inherit', timeout: 240_000 });
  // the prometheus-operator CRDs, which production's ServiceMonitor needs
  apply(readFileSync(MONITORING_CRDS, 'utf8'));
  kubectl(['wait', '--for=condition=Established', 'crd/servicemonitors.monitoring.coreos.com', '--timeout=60s']);
}, 300_000);

afterAll(() => {
  if (!workDir) return;
  execFileSync('bash', [CLUSTER_SCRIPT, 'stop', join(workDir, 'cluster')], { stdio: 'inherit' });
  if (process.env.K8S_CLUSTER_KEEP) console.log(`cluster state and logs kept in ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
}, 60_000);

describe.each(TARGETS)('$target applied to a real API server (namespace $namespace)', ({ target, namespace }) => {
  let objs: K[] = [];
  const inNs = (args: string[]) => getJson([...args, '-n', namespace]);

  test('kubectl apply --server-side --validate=strict accepts every object', () => {
    objs = render(target, namespace);
    const namespaces = ofKind(objs, 'Namespace');
    expect(namespaces.map((n) => n.metadata.name)).toEqual([namespace]);
    // the operator's order: the namespace, its Secret and the cluster's storage, then the rest
    apply(documents(namespaces));
    const inputs = [secretFor(target, namespace), ...volumesFor(objs, namespace)].filter(Boolean);
    if (inputs.length) apply(documents(inputs));
    apply(documents(objs.filter((o) => o.kind !== 'Namespace')));

    // every rendered object is now in the cluster
    const live = kubectl(['get', '-f', '-', '-o', 'name'], documents(objs)).trim().split('\n');
    expect(live).toHaveLength(objs.length);
  });

  test('the namespace enforces Pod Security "restricted", and the API server refuses a pod below it', () => {
    const ns = getJson(['get', 'namespace', namespace]);
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const rootPod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'runs-as-root', namespace },
      spec: { containers: [{ name: 'c', image: 'busybox', securityContext: { runAsUser: 0 } }] },
    };
    expect(() => kubectl(['create', '--dry-run=server', '-f', '-'], JSON.stringify(rootPod))).toThrow(
      /violates PodSecurity "restricted/,
    );
  });

  test('every Deployment and StatefulSet rolls out, with all its pods admitted and ready', async () => {
    const workloads = [...ofKind(objs, 'Deployment'), ...ofKind(objs, 'StatefulSet')];
    expect(workloads.length).toBeGreaterThan(0);
    for (const w of workloads) {
      kubectl(['rollout', 'status', `${w.kind.toLowerCase()}/${w.metadata.name}`, '-n', namespace, '--timeout=120s']);
      const live = inNs(['get', w.kind.toLowerCase(), w.metadata.name]);
      expect({ name: w.metadata.name, ready: live.status.readyReplicas }).toEqual({
        name: w.metadata.name,
        ready: live.spec.replicas,
      });
    }
    // no pod refused by Pod Security or anything else on the way
    const refused = inNs(['get', 'events', '--field-selector', 'reason=FailedCreate']).items.map(
      (e: K) => `${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message}`,
    );
    expect(refused).toEqual([]);
  }, 600_000);

  test('every Service has ready endpoints on each of its named ports', async () => {
    const services = ofKind(objs, 'Service');
    expect(services.length).toBeGreaterThan(0);
    for (const svc of services) {
      const pods = inNs(['get', 'pods', '-l', selectorOf(svc.spec.selector)]).items;
      expect({ service: svc.metadata.name, pods: pods.length > 0 }).toEqual({ service: svc.metadata.name, pods: true });
      await eventually(() => {
        const slices = inNs(['get', 'endpointslices', '-l', `kubernetes.io/service-name=${svc.metadata.name}`]).items;
        for (const port of svc.spec.ports) {
          const ready = slices
            .filter((s: K) => (s.ports ?? []).some((p: K) => p.name === (port.name ?? '')))
            .flatMap((s: K) => s.endpoints ?? [])
            .filter((e: K) => e.conditions?.ready);
          expect({ service: svc.metadata.name, port: port.name, ready: ready.length }).toEqual({
            service: svc.metadata.name,
            port: port.name,
            ready: pods.length,
          });
        }
      }, 60);
    }
  }, 300_000);

  test('every HPA holds its Deployment at its minimum replicas (no metrics in this cluster)', async () => {
    for (const hpa of ofKind(objs, 'HorizontalPodAutoscaler')) {
      const { minReplicas, maxReplicas, scaleTargetRef } = hpa.spec;
      expect(minReplicas).toBeLessThanOrEqual(maxReplicas);
      await eventually(() => {
        const deployment = inNs(['get', scaleTargetRef.kind.toLowerCase(), scaleTargetRef.name]);
        expect({ hpa: hpa.metadata.name, replicas: deployment.spec.replicas, ready: deployment.status.readyReplicas }).toEqual({
          hpa: hpa.metadata.name,
          replicas: minReplicas,
          ready: minReplicas,
        });
      }, 120);
    }
  }, 300_000);

  test('every CronJob produces a Job that completes, and so does every Job', async () => {
    const cronJobs = ofKind(objs, 'CronJob');
    expect(cronJobs.length).toBeGreaterThan(0);
    const jobs = ofKind(objs, 'Job').map((j) => j.metadata.name);
    for (const cj of cronJobs) {
      const job = `${cj.metadata.name}-by-hand`;
      kubectl(['create', 'job', job, `--from=cronjob/${cj.metadata.name}`, '-n', namespace]);
      jobs.push(job);
    }
    for (const job of jobs) {
      kubectl(['wait', '--for=condition=Complete', `job/${job}`, '-n', namespace, '--timeout=120s']);
    }
  }, 600_000);

  test('every PodDisruptionBudget covers the pods of its workload', async () => {
    const pdbs = ofKind(objs, 'PodDisruptionBudget');
    expect(pdbs.length).toBeGreaterThan(0);
    for (const pdb of pdbs) {
      const pods = inNs(['get', 'pods', '-l', selectorOf(pdb.spec.selector.matchLabels)]).items.length;
      await eventually(() => {
        const live = inNs(['get', 'pdb', pdb.metadata.name]);
        expect({ pdb: pdb.metadata.name, expected: live.status.expectedPods, healthy: live.status.currentHealthy }).toEqual({
          pdb: pdb.metadata.name,
          expected: pods,
          healthy: pods,
        });
        expect(pods).toBeGreaterThan(0);
        expect(live.status.disruptionsAllowed).toBeGreaterThanOrEqual(1);
      }, 60);
    }
  }, 300_000);

  test('every NetworkPolicy is accepted and selects pods of this namespace', () => {
    const policies = ofKind(objs, 'NetworkPolicy');
    expect(policies.length).toBeGreaterThan(0);
    for (const np of policies) {
      const live = inNs(['get', 'networkpolicy', np.metadata.name]);
      const selector = selectorOf(live.spec.podSelector.matchLabels ?? {});
      const pods = inNs(['get', 'pods', ...(selector ? ['-l', selector] : [])]).items.length;
      expect({ policy: np.metadata.name, selectsPods: pods > 0 }).toEqual({ policy: np.metadata.name, selectsPods: true });
    }
  });
});
