#!/usr/bin/env bash
# npm test: set up what is missing, then lint, type-check and run every jest project
# (unit, service specs and integration against the real local servers, then the fault suite on
# servers of its own).
# Non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
started=$(date +%s)
bash scripts/setup.sh

printf '\n==> lint\n'
npm run --silent lint
# the gRPC types are generated from the .proto files: the committed ones must be current
node scripts/generate-grpc-types.mjs --check

printf '\n==> deployment files (Dockerfile lint, rendered Kubernetes manifests)\n'
eval "$(bash scripts/k8s-tools.sh)"
"$HADOLINT" --no-color Dockerfile
# schemas of the oldest supported Kubernetes (1.27), unknown fields refused; the ServiceMonitor
# (a CRD) is only warned about
for target in base overlays/local overlays/production; do
  "$KUSTOMIZE" build "kubernetes/$target" | "$KUBE_VALIDATE" --strict --quiet -k 1.27.0 -
done
KUSTOMIZE="$KUSTOMIZE" npx jest -c kubernetes/test/jest.config.js
# the alert and recording rules against their unit tests; the generated dashboards and
# PrometheusRule match their sources
"$PROMTOOL" check rules kubernetes/components/monitoring/rules/runrun.rules.yaml
"$PROMTOOL" test rules kubernetes/components/monitoring/rules/runrun.rules.test.yaml
node libs/monitoring/dist/generate.js --check

printf '\n==> Kubernetes cluster test (the manifests applied to a real API server, simulated node)\n'
cluster_started=$(date +%s)
# builds the control plane once (about 15 minutes), then cached in ~/.cache/runrun
eval "$(bash scripts/k8s-cluster.sh install)"
KUSTOMIZE="$KUSTOMIZE" KUBE_BIN_DIR="$KUBE_BIN_DIR" MONITORING_CRDS="$MONITORING_CRDS" \
  npx jest -c kubernetes/test/cluster/jest.config.js
printf 'Kubernetes cluster test: %ss\n' "$(($(date +%s) - cluster_started))"

printf '\n==> type-check tests\n'
npx tsc -p tsconfig.test.json

printf '\n==> unit tests\n'
npx jest --selectProjects unit

printf '\n==> service tests (each service alone on the real local stores, its neighbours faked)\n'
npx jest --selectProjects service

printf '\n==> integration tests (real local servers)\n'
# test/redis-cluster.int.spec.ts runs services on a Redis Cluster of three masters
bash infra/local.sh cluster start
npx jest --selectProjects integration --runInBand

printf '\n==> fault suite (a flash sale under crashes and restarts, on a stack of its own)\n'
npx jest --selectProjects faults --runInBand

printf '\n==> all tests passed in %ss\n' "$(($(date +%s) - started))"
