#!/usr/bin/env bash
# Real local servers for RUNRUN, no Docker: MariaDB, three Redis, Kafka (KRaft), FerretDB,
# Mailpit (a real SMTP server that keeps the mail it receives, read through its HTTP API) and an
# S3-compatible server (moto in server mode) for STORAGE=s3.
#   infra/local.sh install   install what is missing (Debian packages, Kafka jars, FerretDB, moto)
#   infra/local.sh start     install, then start every server that is not up; waits until ready
#   infra/local.sh stop      stop the servers this script started
#   infra/local.sh status    one line per server
#   infra/local.sh cluster start|stop|status
#                            a three-master Redis Cluster (ports 7001-7003, cluster bus 17001-17003)
#                            for services run with REDIS_CLUSTER_NODES; not part of start/stop
# Safe to run twice: a server that already answers is left alone. Data and logs live under
# .local/ (git-ignored). Everything listens on 127.0.0.1 only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
BIN="$LOCAL/bin"
LOGS="$LOCAL/logs"
RUN="$LOCAL/run"
CACHE="${RUNRUN_CACHE:-$HOME/.cache/runrun}" # downloads kept across clones
mkdir -p "$BIN" "$LOGS" "$RUN" "$CACHE"

MYSQL_PORT=3306
REDIS_PORTS=(6379 6380 6381)
REDIS_CLUSTER_PORTS=(7001 7002 7003)
KAFKA_PORT=9092
KAFKA_CONTROLLER_PORT=9093
MONGO_PORT=27017
SMTP_PORT=1025
MAILPIT_HTTP_PORT=8025
MAILPIT_VERSION=v1.33.1
KAFKA_VERSION=3.9.1
FERRETDB_VERSION=v1.24.2
S3_PORT=9000
S3_BUCKET=runrun-images
S3_REGION=ap-northeast-2
MOTO_VERSION=5.2.5
DB_USER="${DB_USER:-runrun}"
DB_PASSWORD="${DB_PASSWORD:-runrun}"
DATABASES=(runrun_user runrun_brand runrun_order runrun_payment)

log() { printf '[infra] %s\n' "$*"; }
fail() {
  printf '[infra] FAILED: %s\n' "$1" >&2
  [ -n "${2:-}" ] && [ -f "$2" ] && { printf '[infra] last lines of %s:\n' "$2" >&2; tail -n 20 "$2" >&2; }
  exit 1
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { # name, seconds, log, command...
  local name=$1 secs=$2 logf=$3
  shift 3
  for _ in $(seq 1 $((secs * 4))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.25
  done
  fail "$name did not become ready in ${secs}s (log: $logf)" "$logf"
}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# ---------------------------------------------------------------- install
install_debs() {
  local missing=()
  command -v mariadbd >/dev/null 2>&1 || missing+=(mariadb-server mariadb-client)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  # the headless browser of test/docs-page.int.spec.ts (playwright-core drives it, never downloads one)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq >"$LOGS/apt.log" 2>&1 || fail "apt-get update" "$LOGS/apt.log"
  # policy-rc.d keeps the packages from starting their own servers (we start ours below)
  as_root env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >>"$LOGS/apt.log" 2>&1 || fail "apt-get install ${missing[*]}" "$LOGS/apt.log"
}

KAFKA_LIBS="$CACHE/kafka-$KAFKA_VERSION/libs"
install_kafka() {
  [ -f "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" ] && return 0
  command -v java >/dev/null || fail "Kafka needs Java 17 (java not found)"
  command -v mvn >/dev/null || fail "Kafka jars are resolved with Maven (mvn not found)"
  log "resolving Kafka $KAFKA_VERSION jars from Maven Central"
  mvn -q -B -f "$ROOT/infra/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$KAFKA_LIBS.tmp" -DincludeScope=runtime >"$LOGS/kafka-mvn.log" 2>&1 ||
    fail "Maven could not resolve the Kafka jars" "$LOGS/kafka-mvn.log"
  rm -rf "$KAFKA_LIBS" && mv "$KAFKA_LIBS.tmp" "$KAFKA_LIBS"
}

FERRETDB_BIN="$CACHE/ferretdb-$FERRETDB_VERSION/ferretdb"
install_ferretdb() {
  [ -x "$FERRETDB_BIN" ] && return 0
  command -v go >/dev/null || fail "FerretDB is built with Go (go not found)"
  log "building FerretDB $FERRETDB_VERSION (infra/ferretdb, first time only, a few minutes)"
  (cd "$ROOT/infra/ferretdb" && go build -o "$FERRETDB_BIN" .) >"$LOGS/ferretdb-build.log" 2>&1 ||
    fail "go build FerretDB" "$LOGS/ferretdb-build.log"
}

MAILPIT_BIN="$CACHE/mailpit-$MAILPIT_VERSION/mailpit"
install_mailpit() {
  [ -x "$MAILPIT_BIN" ] && return 0
  command -v go >/dev/null || fail "Mailpit is built with Go (go not found)"
  log "building Mailpit $MAILPIT_VERSION with go install (first time only)"
  GOBIN="$(dirname "$MAILPIT_BIN")" go install "github.com/axllent/mailpit@$MAILPIT_VERSION" \
    >"$LOGS/mailpit-build.log" 2>&1 || fail "go install Mailpit" "$LOGS/mailpit-build.log"
}

# moto's server mode: an S3 API that starts in about a second (a Python venv from PyPI)
MOTO_DIR="$CACHE/moto-$MOTO_VERSION"
install_moto() {
  [ -f "$MOTO_DIR/.installed" ] && return 0
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
    # Debian splits venv out of python3
    as_root apt-get update -qq >"$LOGS/apt.log" 2>&1 || fail "apt-get update" "$LOGS/apt.log"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv \
      >>"$LOGS/apt.log" 2>&1 || fail "apt-get install python3-venv" "$LOGS/apt.log"
  fi
  log "installing moto $MOTO_VERSION (S3 server) from PyPI (first time only)"
  # a venv is not relocatable: installed in place, marked complete only at the end
  rm -rf "$MOTO_DIR"
  { python3 -m venv "$MOTO_DIR" &&
    "$MOTO_DIR/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"; } \
    >"$LOGS/moto-install.log" 2>&1 || fail "pip install moto[server]" "$LOGS/moto-install.log"
  touch "$MOTO_DIR/.installed"
}

install_all() {
  install_debs
  install_kafka
  install_ferretdb
  install_mailpit
  install_moto
}

# ---------------------------------------------------------------- MariaDB
# Servers run in a session of their own (setsid; Redis daemonizes itself): whoever started them
# (a test that restarts one, a CI job) may end with its whole process group killed, and the
# servers must outlive it.
MYSQL_DATA="$LOCAL/mariadb"
MYSQL_SOCK="$RUN/mysqld.sock"
# root over our socket, or over the system socket when a packaged server was already running
mysql_root() {
  if [ -S "$MYSQL_SOCK" ]; then mariadb --protocol=socket -S "$MYSQL_SOCK" -uroot "$@"; else as_root mariadb -uroot "$@"; fi
}
start_mariadb() {
  if port_open $MYSQL_PORT; then log "MariaDB already up on $MYSQL_PORT"; else
    if [ ! -d "$MYSQL_DATA/mysql" ]; then
      mkdir -p "$MYSQL_DATA"
      mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$MYSQL_DATA" \
        --auth-root-authentication-method=socket >"$LOGS/mariadb-init.log" 2>&1 ||
        fail "MariaDB data directory init" "$LOGS/mariadb-init.log"
    fi
    log "starting MariaDB on 127.0.0.1:$MYSQL_PORT"
    setsid nohup mariadbd --no-defaults --user="$(id -un)" --datadir="$MYSQL_DATA" --socket="$MYSQL_SOCK" \
      --pid-file="$RUN/mariadb.pid" --port=$MYSQL_PORT --bind-address=127.0.0.1 \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci --default-time-zone=+00:00 \
      --max-connections=500 --innodb-buffer-pool-size=256M --skip-name-resolve \
      --log-error="$LOGS/mariadb.log" >/dev/null 2>&1 &
    wait_for MariaDB 60 "$LOGS/mariadb.log" mysql_root -e 'SELECT 1'
  fi
  # databases and the application user (idempotent)
  if mysql_root -e 'SELECT 1' >/dev/null 2>&1; then
    local sql="CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';"
    sql+="CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';"
    for db in "${DATABASES[@]}"; do
      sql+="CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
    done
    # tests create throw-away databases named runrun_*
    sql+="GRANT ALL PRIVILEGES ON \`runrun\\_%\`.* TO '$DB_USER'@'127.0.0.1';"
    sql+="GRANT ALL PRIVILEGES ON \`runrun\\_%\`.* TO '$DB_USER'@'localhost'; FLUSH PRIVILEGES;"
    mysql_root -e "$sql" >>"$LOGS/mariadb.log" 2>&1 || fail "MariaDB databases/user" "$LOGS/mariadb.log"
  else
    log "warning: no root access to the MariaDB on $MYSQL_PORT; make sure user $DB_USER and databases ${DATABASES[*]} exist"
  fi
}

# ---------------------------------------------------------------- Redis
start_redis() {
  local port=$1
  if redis-cli -p "$port" ping >/dev/null 2>&1; then log "Redis already up on $port"; return 0; fi
  mkdir -p "$LOCAL/redis/$port"
  log "starting Redis on 127.0.0.1:$port"
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --dir "$LOCAL/redis/$port" \
    --pidfile "$RUN/redis-$port.pid" --logfile "$LOGS/redis-$port.log" --save "" --appendonly yes \
    >/dev/null 2>&1 || fail "Redis on $port" "$LOGS/redis-$port.log"
  wait_for "Redis $port" 20 "$LOGS/redis-$port.log" redis-cli -p "$port" ping
}

# ---------------------------------------------------------------- Redis Cluster (three masters)
cluster_info() { redis-cli -p "${REDIS_CLUSTER_PORTS[0]}" cluster info 2>/dev/null | tr -d '\r'; }
cluster_ok() { cluster_info | grep -q '^cluster_state:ok'; }
start_cluster_node() {
  local port=$1 dir="$LOCAL/redis-cluster/$1"
  if redis-cli -p "$port" ping >/dev/null 2>&1; then return 0; fi
  mkdir -p "$dir"
  log "starting Redis Cluster node on 127.0.0.1:$port"
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --dir "$dir" --cluster-enabled yes \
    --cluster-config-file nodes.conf --cluster-node-timeout 5000 --pidfile "$RUN/redis-cluster-$port.pid" \
    --logfile "$LOGS/redis-cluster-$port.log" --save "" --appendonly yes \
    >/dev/null 2>&1 || fail "Redis Cluster node on $port" "$LOGS/redis-cluster-$port.log"
  wait_for "Redis Cluster node $port" 20 "$LOGS/redis-cluster-$port.log" redis-cli -p "$port" ping
}
start_cluster() {
  local p
  for p in "${REDIS_CLUSTER_PORTS[@]}"; do start_cluster_node "$p"; done
  # nodes that formed the cluster before meet again by themselves (nodes.conf)
  for _ in $(seq 1 20); do cluster_ok && break; sleep 0.25; done
  if ! cluster_ok; then
    if ! cluster_info | grep -q '^cluster_slots_assigned:16384'; then
      log "creating the Redis Cluster"
      # a node left with another cluster's state refuses to join: start them empty
      for p in "${REDIS_CLUSTER_PORTS[@]}"; do
        redis-cli -p "$p" flushall >/dev/null
        redis-cli -p "$p" cluster reset hard >/dev/null
      done
      redis-cli --cluster create $(printf '127.0.0.1:%s ' "${REDIS_CLUSTER_PORTS[@]}") --cluster-replicas 0 \
        --cluster-yes >"$LOGS/redis-cluster-create.log" 2>&1 ||
        fail "Redis Cluster create" "$LOGS/redis-cluster-create.log"
    fi
    wait_for "Redis Cluster" 30 "$LOGS/redis-cluster-${REDIS_CLUSTER_PORTS[0]}.log" cluster_ok
  fi
  log "Redis Cluster up: REDIS_CLUSTER_NODES=$(printf '127.0.0.1:%s,' "${REDIS_CLUSTER_PORTS[@]}" | sed 's/,$//')"
}
stop_cluster() {
  local p
  for p in "${REDIS_CLUSTER_PORTS[@]}"; do stop_pidfile "Redis Cluster node $p" "$RUN/redis-cluster-$p.pid"; done
}
cluster_status() {
  local p s
  for p in "${REDIS_CLUSTER_PORTS[@]}"; do
    redis-cli -p "$p" ping >/dev/null 2>&1 && s=up || s=down; echo "redis cluster node 127.0.0.1:$p  $s"
  done
  cluster_ok && s=ok || s=down; echo "redis cluster state $s"
}

# ---------------------------------------------------------------- Kafka (KRaft, single node)
KAFKA_DATA="$LOCAL/kafka"
kafka_java() { java -Xms256m -Xmx512m -cp "$KAFKA_LIBS/*" -Dlog4j.configuration="file:$KAFKA_DATA/log4j.properties" "$@"; }
start_kafka() {
  if port_open $KAFKA_PORT; then log "Kafka already up on $KAFKA_PORT"; else
    mkdir -p "$KAFKA_DATA"
    cat >"$KAFKA_DATA/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DATA/data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
EOF
    cat >"$KAFKA_DATA/log4j.properties" <<EOF
log4j.rootLogger=WARN, file
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$LOGS/kafka.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
    if [ ! -f "$KAFKA_DATA/data/meta.properties" ]; then
      kafka_java kafka.tools.StorageTool format -t "runrun-local-kafka-01" \
        -c "$KAFKA_DATA/server.properties" >"$LOGS/kafka-format.log" 2>&1 ||
        fail "Kafka storage format" "$LOGS/kafka-format.log"
    fi
    log "starting Kafka on 127.0.0.1:$KAFKA_PORT"
    setsid nohup java -Xms256m -Xmx512m -XX:+UseG1GC -cp "$KAFKA_LIBS/*" \
      -Dlog4j.configuration="file:$KAFKA_DATA/log4j.properties" \
      kafka.Kafka "$KAFKA_DATA/server.properties" >"$LOGS/kafka.out" 2>&1 &
    echo $! >"$RUN/kafka.pid"
    wait_for Kafka 90 "$LOGS/kafka.out" port_open $KAFKA_PORT
  fi
  # topics from libs/contracts (idempotent); also proves the broker answers requests
  node "$ROOT/infra/create-topics.mjs" >>"$LOGS/kafka-topics.log" 2>&1 || fail "Kafka topic creation" "$LOGS/kafka-topics.log"
}

# ---------------------------------------------------------------- FerretDB (MongoDB wire protocol)
start_ferretdb() {
  if port_open $MONGO_PORT; then log "FerretDB already up on $MONGO_PORT"; return 0; fi
  mkdir -p "$LOCAL/ferretdb/data"
  log "starting FerretDB on 127.0.0.1:$MONGO_PORT"
  setsid nohup "$FERRETDB_BIN" -listen "127.0.0.1:$MONGO_PORT" -sqlite-url "file:$LOCAL/ferretdb/data/" \
    >"$LOGS/ferretdb.log" 2>&1 &
  echo $! >"$RUN/ferretdb.pid"
  wait_for FerretDB 30 "$LOGS/ferretdb.log" port_open $MONGO_PORT
}

# ---------------------------------------------------------------- Mailpit (SMTP sink)
start_mailpit() {
  if port_open $SMTP_PORT; then log "Mailpit already up on $SMTP_PORT"; return 0; fi
  mkdir -p "$LOCAL/mailpit"
  log "starting Mailpit: SMTP 127.0.0.1:$SMTP_PORT, HTTP 127.0.0.1:$MAILPIT_HTTP_PORT"
  setsid nohup "$MAILPIT_BIN" --smtp "127.0.0.1:$SMTP_PORT" --listen "127.0.0.1:$MAILPIT_HTTP_PORT" \
    --database "$LOCAL/mailpit/mailpit.db" --max 5000 >"$LOGS/mailpit.log" 2>&1 &
  echo $! >"$RUN/mailpit.pid"
  wait_for Mailpit 20 "$LOGS/mailpit.log" port_open $MAILPIT_HTTP_PORT
}

# ---------------------------------------------------------------- S3 (moto server mode)
s3_public_read_policy() {
  printf '{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*",'
  printf '"Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}]}' "$1"
}
start_s3() {
  if port_open $S3_PORT; then log "S3 already up on $S3_PORT"; else
    # moto keeps the buckets in memory; objects it spills to disk go to .local/s3
    mkdir -p "$LOCAL/s3"
    log "starting S3 (moto) on 127.0.0.1:$S3_PORT"
    TMPDIR="$LOCAL/s3" setsid nohup "$MOTO_DIR/bin/moto_server" -H 127.0.0.1 -p $S3_PORT >"$LOGS/s3.log" 2>&1 &
    echo $! >"$RUN/s3.pid"
    wait_for S3 30 "$LOGS/s3.log" port_open $S3_PORT
  fi
  # the bucket of the Kubernetes config, in the services' default S3_REGION (idempotent: an
  # existing bucket answers 409)
  curl -s -o /dev/null -X PUT "http://127.0.0.1:$S3_PORT/$S3_BUCKET" -H "content-type: application/xml" --data-binary \
    "<CreateBucketConfiguration><LocationConstraint>$S3_REGION</LocationConstraint></CreateBucketConfiguration>" ||
    fail "S3 bucket $S3_BUCKET" "$LOGS/s3.log"
  # objects are private by default, as on AWS: the image URLs the services answer are read by
  # anyone, so the bucket lets anyone read its objects (see kubernetes/README.md)
  curl -s -o /dev/null -X PUT "http://127.0.0.1:$S3_PORT/$S3_BUCKET?policy" -H "content-type: application/json" \
    --data-binary "$(s3_public_read_policy "$S3_BUCKET")" || fail "S3 bucket policy" "$LOGS/s3.log"
}

# ---------------------------------------------------------------- commands
stop_pidfile() { # name, pidfile
  [ -f "$2" ] || return 0
  local pid
  pid=$(cat "$2")
  if kill "$pid" 2>/dev/null; then
    log "stopping $1 (pid $pid)"
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  fi
  rm -f "$2"
}

status() {
  local s
  port_open $MYSQL_PORT && s=up || s=down; echo "mariadb   127.0.0.1:$MYSQL_PORT  $s"
  for p in "${REDIS_PORTS[@]}"; do
    redis-cli -p "$p" ping >/dev/null 2>&1 && s=up || s=down; echo "redis     127.0.0.1:$p  $s"
  done
  port_open $KAFKA_PORT && s=up || s=down; echo "kafka     127.0.0.1:$KAFKA_PORT  $s"
  port_open $MONGO_PORT && s=up || s=down; echo "ferretdb  127.0.0.1:$MONGO_PORT $s"
  port_open $SMTP_PORT && s=up || s=down; echo "mailpit   127.0.0.1:$SMTP_PORT  $s (HTTP $MAILPIT_HTTP_PORT)"
  port_open $S3_PORT && s=up || s=down; echo "s3 (moto) 127.0.0.1:$S3_PORT  $s (bucket $S3_BUCKET)"
}

case "${1:-start}" in
  install) install_all ;;
  start)
    install_all
    start_mariadb
    for p in "${REDIS_PORTS[@]}"; do start_redis "$p"; done
    start_kafka
    start_ferretdb
    start_mailpit
    start_s3
    log "all local servers are up (logs in .local/logs)"
    ;;
  stop)
    stop_pidfile S3 "$RUN/s3.pid"
    stop_pidfile Mailpit "$RUN/mailpit.pid"
    stop_pidfile FerretDB "$RUN/ferretdb.pid"
    stop_pidfile Kafka "$RUN/kafka.pid"
    for p in "${REDIS_PORTS[@]}"; do stop_pidfile "Redis $p" "$RUN/redis-$p.pid"; done
    stop_pidfile MariaDB "$RUN/mariadb.pid"
    ;;
  status) status ;;
  cluster)
    case "${2:-start}" in
      start)
        command -v redis-server >/dev/null 2>&1 || install_debs
        start_cluster
        ;;
      stop) stop_cluster ;;
      status) cluster_status ;;
      *) echo "usage: infra/local.sh cluster start|stop|status" >&2; exit 2 ;;
    esac
    ;;
  *) echo "usage: infra/local.sh install|start|stop|status|cluster [start|stop|status]" >&2; exit 2 ;;
esac
