#!/usr/bin/env bash
# A real Kubernetes control plane on loopback for the cluster test, without containers: etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler and kwok (one simulated node, so
# Deployments get Pods, Services endpoints and CronJobs Jobs).
#
#   k8s-cluster.sh install    build/install once into ~/.cache/runrun (keyed by version);
#                             prints KUBE_BIN_DIR=, KWOK=, KWOK_STAGES= and ETCD=
#   k8s-cluster.sh start DIR  start the cluster with its state, logs and DIR/kubeconfig in DIR
#   k8s-cluster.sh stop DIR   stop what start DIR started
#
# The Kubernetes binaries are built from the Go module proxy through the wrapper module in
# kubernetes/test/cluster (15 to 30 minutes on 2 cores the first time, depending on load); etcd
# comes from Debian.
set -euo pipefail

KUBERNETES_VERSION=v1.33.13
KWOK_VERSION=v0.8.0
PROMETHEUS_OPERATOR_VERSION=v0.85.0
cache="${RUNRUN_CACHE:-$HOME/.cache/runrun}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kube_dir="$cache/kubernetes-$KUBERNETES_VERSION"
kwok_dir="$cache/kwok-$KWOK_VERSION"
crd_dir="$cache/prometheus-operator-crds-$PROMETHEUS_OPERATOR_VERSION"

# loopback ports outside RUNRUN's (services, stores and their test offsets) and below the
# ephemeral range (32768 and up), where an outgoing connection may hold the port
ETCD_CLIENT_PORT=32379
ETCD_PEER_PORT=32380
APISERVER_PORT=16443
CONTROLLER_MANAGER_PORT=16257
SCHEDULER_PORT=16259
KWOK_PORT=16280

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
log() { echo "k8s-cluster: $*" >&2; }

install_etcd() {
  if ! command -v etcd >/dev/null; then
    log "installing etcd-server (Debian)"
    as_root apt-get update -qq >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends etcd-server >/dev/null
  fi
}

# go build -v names each package as it compiles it: print a count now and then, and errors
print_build_progress() {
  local line count=0 started=$SECONDS
  while IFS= read -r line; do
    case "$line" in
      go:* | \#* | *.go:[0-9]* | *cannot*) echo "$line" >&2 ;;
      *)
        count=$((count + 1))
        if [ $((count % 250)) = 0 ]; then log "compiled $count packages ($((SECONDS - started))s)"; fi
        ;;
    esac
  done
  log "compiled $count packages ($((SECONDS - started))s)"
}

build_kubernetes() {
  local binaries=(kube-apiserver kube-controller-manager kube-scheduler kubectl) missing=0 b
  for b in "${binaries[@]}"; do [ -x "$kube_dir/bin/$b" ] || missing=1; done
  [ "$missing" = 0 ] && return
  log "building Kubernetes $KUBERNETES_VERSION (${binaries[*]}) into $kube_dir; 15 to 30 minutes the first time"
  local minor="${KUBERNETES_VERSION#v1.}"
  minor="${minor%%.*}"
  local pkg="k8s.io/component-base/version"
  local ldflags="-s -w -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$KUBERNETES_VERSION"
  mkdir -p "$kube_dir/bin.partial"
  (cd "$repo/kubernetes/test/cluster" &&
    go build -v -trimpath -ldflags "$ldflags" -o "$kube_dir/bin.partial/" \
      "${binaries[@]/#/k8s.io/kubernetes/cmd/}") 2>&1 |
    print_build_progress
  for b in "${binaries[@]}"; do
    [ -x "$kube_dir/bin.partial/$b" ] || { log "build failed: no $b"; exit 1; }
  done
  rm -rf "$kube_dir/bin" && mv "$kube_dir/bin.partial" "$kube_dir/bin"
}

# the directory of a Go module in the module cache (downloaded if missing)
module_dir() {
  (cd / && GOFLAGS=-mod=mod go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
}

install_kwok() {
  if [ ! -x "$kwok_dir/kwok" ]; then
    log "installing kwok $KWOK_VERSION into $kwok_dir"
    mkdir -p "$kwok_dir"
    GOBIN="$kwok_dir" GOFLAGS=-mod=mod go install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  fi
  if [ ! -s "$kwok_dir/stages.yaml" ]; then
    # the stage files (node heartbeat, pods that start at once) ship in kwok's module
    local module
    module="$(module_dir "sigs.k8s.io/kwok@$KWOK_VERSION")"
    local stage
    for stage in node/fast node/heartbeat pod/fast; do
      "$kube_dir/bin/kubectl" kustomize "$module/kustomize/stage/$stage"
      echo "---"
    done >"$kwok_dir/stages.yaml.partial"
    mv "$kwok_dir/stages.yaml.partial" "$kwok_dir/stages.yaml"
  fi
}

# The prometheus-operator CRDs the monitoring component needs ship in the operator's Go module.
install_monitoring_crds() {
  [ -s "$crd_dir/crds.yaml" ] && return
  log "fetching the prometheus-operator $PROMETHEUS_OPERATOR_VERSION CRDs into $crd_dir"
  mkdir -p "$crd_dir"
  local module
  module="$(module_dir "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION")"
  local crd
  for crd in servicemonitors podmonitors prometheusrules; do
    cat "$module/example/prometheus-operator-crd/monitoring.coreos.com_$crd.yaml"
    echo "---"
  done >"$crd_dir/crds.yaml.partial"
  mv "$crd_dir/crds.yaml.partial" "$crd_dir/crds.yaml"
}

install() {
  if ! command -v openssl >/dev/null; then
    as_root apt-get update -qq >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssl >/dev/null
  fi
  install_etcd
  build_kubernetes
  install_kwok
  install_monitoring_crds
  echo "KUBE_BIN_DIR=$kube_dir/bin"
  echo "KWOK=$kwok_dir/kwok"
  echo "KWOK_STAGES=$kwok_dir/stages.yaml"
  echo "ETCD=$(command -v etcd)"
  echo "MONITORING_CRDS=$crd_dir/crds.yaml"
}

# What install put in the cache, without building (start refuses to run before install).
installed() {
  ETCD="$(command -v etcd)" || { log "etcd missing: run $0 install"; exit 1; }
  KUBE_BIN_DIR="$kube_dir/bin"
  KWOK="$kwok_dir/kwok"
  for b in "$KUBE_BIN_DIR/kube-apiserver" "$KUBE_BIN_DIR/kubectl" "$KWOK" "$kwok_dir/stages.yaml"; do
    [ -e "$b" ] || { log "$b missing: run $0 install"; exit 1; }
  done
}

# run NAME ARGS... in the background, its output in DIR/logs/NAME.log, its pid in DIR/pids/NAME
run() {
  local name="$1"
  shift
  "$@" >"$dir/logs/$name.log" 2>&1 &
  echo $! >"$dir/pids/$name"
}

# wait_for SECONDS NAME COMMAND...: until COMMAND succeeds, else (or once the process NAME has
# exited) show NAME's log and fail
wait_for() {
  local seconds="$1" name="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$dir/pids/$name")" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      log "$name exited or not ready after ${seconds}s; the end of its log:"
      tail -n 30 "$dir/logs/$name.log" >&2
      exit 1
    fi
    sleep 0.5
  done
}

start() {
  installed
  mkdir -p "$dir/etcd" "$dir/pki" "$dir/logs" "$dir/pids"
  # a start that fails half-way stops what it started
  trap stop EXIT
  local kubectl=("$KUBE_BIN_DIR/kubectl" --kubeconfig "$dir/kubeconfig")
  local token
  token="$(openssl rand -hex 16)"
  echo "$token,admin,admin,system:masters" >"$dir/tokens.csv"
  openssl genrsa -out "$dir/pki/service-account.key" 2048 2>/dev/null
  openssl rsa -in "$dir/pki/service-account.key" -pubout -out "$dir/pki/service-account.pub" 2>/dev/null

  log "starting etcd on 127.0.0.1:$ETCD_CLIENT_PORT"
  run etcd "$ETCD" --name runrun-test --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "runrun-test=http://127.0.0.1:$ETCD_PEER_PORT"
  wait_for 60 etcd curl -fsS "http://127.0.0.1:$ETCD_CLIENT_PORT/health"

  log "starting kube-apiserver on https://127.0.0.1:$APISERVER_PORT"
  run kube-apiserver "$KUBE_BIN_DIR/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$APISERVER_PORT" \
    --cert-dir "$dir/pki" --token-auth-file "$dir/tokens.csv" --authorization-mode RBAC \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$dir/pki/service-account.pub" \
    --service-account-signing-key-file "$dir/pki/service-account.key" \
    --service-cluster-ip-range 10.96.0.0/16
  # the API server writes its self-signed certificate (with its CA) before it listens
  wait_for 60 kube-apiserver test -s "$dir/pki/apiserver.crt"
  cat >"$dir/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: runrun-test
    cluster:
      server: https://127.0.0.1:$APISERVER_PORT
      certificate-authority: $dir/pki/apiserver.crt
users:
  - name: admin
    user:
      token: $token
contexts:
  - name: runrun-test
    context: { cluster: runrun-test, user: admin }
current-context: runrun-test
EOF
  wait_for 120 kube-apiserver "${kubectl[@]}" get --raw /readyz

  log "starting kube-controller-manager, kube-scheduler and kwok"
  run kube-controller-manager "$KUBE_BIN_DIR/kube-controller-manager" \
    --kubeconfig "$dir/kubeconfig" --authentication-kubeconfig "$dir/kubeconfig" \
    --authorization-kubeconfig "$dir/kubeconfig" --leader-elect=false \
    --bind-address 127.0.0.1 --secure-port "$CONTROLLER_MANAGER_PORT" \
    --service-account-private-key-file "$dir/pki/service-account.key" \
    --root-ca-file "$dir/pki/apiserver.crt" --service-cluster-ip-range 10.96.0.0/16
  run kube-scheduler "$KUBE_BIN_DIR/kube-scheduler" \
    --kubeconfig "$dir/kubeconfig" --authentication-kubeconfig "$dir/kubeconfig" \
    --authorization-kubeconfig "$dir/kubeconfig" --leader-elect=false \
    --bind-address 127.0.0.1 --secure-port "$SCHEDULER_PORT"
  run kwok "$KWOK" --kubeconfig "$dir/kubeconfig" --config "$kwok_dir/stages.yaml" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --cidr 192.0.2.0/24 --node-ip 192.0.2.254 --server-address "127.0.0.1:$KWOK_PORT"

  # one simulated node: kwok keeps it Ready and runs its pods at once
  "${kubectl[@]}" apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-0
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: kwok-node-0
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    topology.kubernetes.io/zone: zone-a
    type: kwok
status:
  allocatable: { cpu: "32", memory: 128Gi, pods: "250" }
  capacity: { cpu: "32", memory: 128Gi, pods: "250" }
EOF
  wait_for 60 kwok "${kubectl[@]}" wait --for=condition=Ready node/kwok-node-0 --timeout=1s
  # a new node is tainted not-ready until the node lifecycle controller sees it Ready
  wait_for 60 kube-controller-manager node_untainted
  # namespaces get their default ServiceAccount from the controller manager
  wait_for 60 kube-controller-manager "${kubectl[@]}" get serviceaccount default -n default
  trap - EXIT
  log "cluster ready: kubectl --kubeconfig $dir/kubeconfig"
}

node_untainted() {
  ! "$KUBE_BIN_DIR/kubectl" --kubeconfig "$dir/kubeconfig" get node kwok-node-0 \
    -o jsonpath='{.spec.taints}' | grep -q not-ready
}

stop() {
  local name pid
  # the reverse of the start order, etcd last
  for name in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
    [ -s "$dir/pids/$name" ] || continue
    pid="$(cat "$dir/pids/$name")"
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
      done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/pids/$name"
  done
}

case "${1:-}" in
  install) install ;;
  start | stop)
    if [ -z "${2:-}" ]; then
      echo "usage: $0 $1 DIR" >&2
      exit 2
    fi
    mkdir -p "$2"
    dir="$(cd "$2" && pwd)"
    "$1"
    ;;
  *)
    echo "usage: $0 install | start DIR | stop DIR" >&2
    exit 2
    ;;
esac
