import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SERVICES } from '@runrun/launcher';
import { createBrand, createProduct, gateway, newShopper, productForm } from '@runrun/testkit';
import { parse } from 'yaml';
import { PORT_OFFSET } from './env';
import { pay, placeOrder, randomUserId } from './orders';
import { eventually } from './stores';

/**
 * The monitoring as shipped, against the real services: a Prometheus of its own scrapes every
 * service of the system under test (as the ServiceMonitor does: job = service, namespace runrun),
 * loads the rule file, and after a small flash sale every dashboard panel's query and every
 * recording rule returns data. Queries on kube-state-metrics cannot (no Kubernetes here): they are
 * listed below and tested with promtool (kubernetes/components/monitoring/rules).
 */
const MONITORING = join(ROOT, 'kubernetes', 'components', 'monitoring');
const RULES_FILE = join(MONITORING, 'rules', 'runrun.rules.yaml');
const PROMETHEUS_PORT = 19090;
const PROMETHEUS_URL = `http://127.0.0.1:${PROMETHEUS_PORT}`;

/** Needs a Kubernetes cluster's kube-state-metrics: no series here, covered by promtool tests. */
const NEEDS_KUBERNETES: Record<string, string> = {
  'kube_horizontalpodautoscaler_status_current_replicas{namespace="runrun"}':
    'HPA replicas come from kube-state-metrics in a cluster',
  'kube_horizontalpodautoscaler_spec_max_replicas{namespace="runrun"}':
    'HPA maxima come from kube-state-metrics in a cluster',
};

interface PanelQuery {
  dashboard: string;
  panel: string;
  expr: string;
}

function panelQueries(): PanelQuery[] {
  const dir = join(MONITORING, 'dashboards');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((file) => {
      const board = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
        title: string;
        panels: { title: string; targets?: { expr: string }[] }[];
      };
      return board.panels.flatMap((p) =>
        (p.targets ?? []).map((t) => ({ dashboard: board.title, panel: p.title, expr: t.expr })),
      );
    });
}

/** Grafana's variables as Grafana would fill them in for a short range. */
const substitute = (expr: string) => expr.replaceAll('$__rate_interval', '1m');

async function query(expr: string): Promise<unknown[]> {
  const res = await fetch(`${PROMETHEUS_URL}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data!.result;
}

describe('monitoring: dashboards and recording rules on a real Prometheus', () => {
  let prometheus: ChildProcess;
  let dataDir: string;
  const recorded = (
    parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { rules: { record?: string }[] }[] }
  ).groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : [])));

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'runrun-prometheus-'));
    const config = {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [RULES_FILE],
      scrape_configs: SERVICES.map((s) => ({
        job_name: s.name,
        static_configs: [{ targets: [`127.0.0.1:${s.httpPort + PORT_OFFSET}`], labels: { namespace: 'runrun' } }],
      })),
    };
    const configFile = join(dataDir, 'prometheus.yml');
    writeFileSync(configFile, JSON.stringify(config));
    const binary = execFileSync('bash', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).trim();
    prometheus = spawn(
      binary,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dataDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${PROMETHEUS_PORT}`,
        '--log.level=warn',
      ],
      { stdio: 'ignore' },
    );
    await eventually(async () => {
      const ready = await fetch(`${PROMETHEUS_URL}/-/ready`).catch(() => undefined);
      return ready?.ok ? true : undefined;
    }, 30_000);
  });

  afterAll(() => {
    prometheus?.kill();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('scrapes every service and loads every rule', async () => {
    const up = await eventually(async () => {
      const series = (await query('up{namespace="runrun"} == 1')) as { metric: { job: string } }[];
      return series.length === SERVICES.length ? series : undefined;
    }, 30_000);
    expect(up.map((s) => s.metric.job).sort()).toEqual(SERVICES.map((s) => s.name).sort());
    const res = await fetch(`${PROMETHEUS_URL}/api/v1/rules`);
    const groups = ((await res.json()) as { data: { groups: { rules: { name: string; health: string }[] }[] } }).data
      .groups;
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThanOrEqual(recorded.length);
    expect(rules.filter((r) => r.health === 'err')).toEqual([]);
  });

  it('after a small flash sale, every panel query and every recording rule returns data', async () => {
    // the sale: 20 units, 200 shoppers at once, 10 pay
    const seller = await newShopper('SELLER');
    const brandId = await createBrand(seller.auth);
    const productId = await createProduct(
      seller.auth,
      productForm(brandId, { quantity: 20, price: 10000, discount: 0 }),
    );
    // a product ordered, then deleted, keeps its breaker for a while: it must not blank the others' stock
    const gone = await createProduct(seller.auth, productForm(brandId, { quantity: 5 }));
    expect((await placeOrder(randomUserId(), [[gone, 1]])).status).toBe(200);
    const deleted = await fetch(gateway(`/products/${gone}`), { method: 'DELETE', headers: seller.auth });
    expect(deleted.status).toBe(200);
    const results = await Promise.all(
      Array.from({ length: 200 }, () => randomUserId()).map((userId) =>
        placeOrder(userId, [[productId, 1]]).then((r) => ({ userId, ...r })),
      ),
    );
    const accepted = results.filter((r) => r.status === 200);
    expect(accepted).toHaveLength(20);
    for (const order of accepted.slice(0, 10)) expect((await pay(order.userId, order.body.orderId!)).status).toBe(200);

    // what the operator would see: the sale's product in the panels
    const breaker = await eventually(async () => {
      const series = (await query(`product:runrun_order_breaker_state:max{product="${productId}"}`)) as unknown[];
      return series.length ? series : undefined;
    }, 30_000);
    expect(breaker).toHaveLength(1);
    const accepts = (await query('sum(increase(runrun_orders_accepted_total[5m]))')) as { value: [number, string] }[];
    expect(Number(accepts[0].value[1])).toBeGreaterThan(0);

    const queries = [
      ...panelQueries().map((q) => ({ what: `${q.dashboard} / ${q.panel}`, expr: q.expr })),
      ...recorded.map((record) => ({ what: `recording rule ${record}`, expr: record })),
    ];
    const checked = queries.filter((q) => !(q.expr in NEEDS_KUBERNETES));
    // the exclusions are exactly the queries on kube-state-metrics, and every one is a real panel query
    expect(queries.filter((q) => q.expr in NEEDS_KUBERNETES).map((q) => q.expr)).toEqual(Object.keys(NEEDS_KUBERNETES));
    expect(checked.filter((q) => q.expr.includes('kube_'))).toEqual([]);

    // rates need two samples after the sale: every query gets its chance for 60 s
    const deadline = Date.now() + 60_000;
    let empty: string[];
    do {
      empty = [];
      for (const q of checked) if (!(await query(substitute(q.expr))).length) empty.push(`${q.what}: ${q.expr}`);
      if (empty.length) await new Promise((r) => setTimeout(r, 2000));
    } while (empty.length && Date.now() < deadline);
    expect(empty).toEqual([]);
  }, 180_000);
});
