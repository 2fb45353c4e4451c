/**
 * Writes what kubernetes/components/monitoring ships from its sources: the Grafana dashboards
 * (dashboards/*.json, from the builders in src/dashboards) and the PrometheusRule
 * (prometheusrule.yaml, from rules/runrun.rules.yaml). `--check` writes nothing and fails when a
 * committed file differs from what would be written (npm test).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { flashSale } from './dashboards/flash-sale';
import { kafkaOutbox } from './dashboards/kafka-outbox';
import { overview } from './dashboards/overview';

export const MONITORING_DIR = resolve(__dirname, '..', '..', '..', 'kubernetes', 'components', 'monitoring');
export const RULES_FILE = join(MONITORING_DIR, 'rules', 'runrun.rules.yaml');

export const DASHBOARDS = { overview, 'flash-sale': flashSale, 'kafka-outbox': kafkaOutbox };

const PROMETHEUS_RULE_HEADER =
  '# Generated from rules/runrun.rules.yaml by `npm run monitoring:generate`: edit that file, not this one.\n';

/** The PrometheusRule object of the prometheus-operator around the plain rule file's groups. */
export function prometheusRule(rules: string): string {
  const manifest = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'runrun',
      namespace: 'runrun',
      labels: { 'app.kubernetes.io/name': 'runrun', 'app.kubernetes.io/part-of': 'runrun' },
    },
    spec: parse(rules) as object,
  };
  return PROMETHEUS_RULE_HEADER + stringify(manifest, { lineWidth: 0 });
}

/** Every generated file by its path, with its content. */
export function generatedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [name, build] of Object.entries(DASHBOARDS)) {
    files.set(join(MONITORING_DIR, 'dashboards', `${name}.json`), `${JSON.stringify(build(), null, 2)}\n`);
  }
  files.set(join(MONITORING_DIR, 'prometheusrule.yaml'), prometheusRule(readFileSync(RULES_FILE, 'utf8')));
  return files;
}

function main(check: boolean): number {
  const stale: string[] = [];
  for (const [path, content] of generatedFiles()) {
    let current: string | undefined;
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === content) continue;
    if (check) stale.push(relative(process.cwd(), path));
    else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
    }
  }
  if (stale.length) {
    process.stderr.write(`out of date (run npm run monitoring:generate): ${stale.join(', ')}\n`);
    return 1;
  }
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.includes('--check'));
