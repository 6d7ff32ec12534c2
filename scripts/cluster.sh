#!/usr/bin/env bash
# A real Temporal deployment on this machine, the way production runs it:
#   PostgreSQL (Debian's package) holding Temporal's persistence and visibility and the document store;
#   the Temporal server built from its Go module (pinned below; cached under .tools/temporal-server/);
#   a mail sink standing in for the organisation's SMTP server;
#   two plan-review workers and two plan-review web servers, each with its own data folder.
#
#   bash scripts/cluster.sh up       build what is missing, start what is not running, print where everything is
#   bash scripts/cluster.sh status   what runs, where
#   bash scripts/cluster.sh down     stop what `up` started (by its pid files and PostgreSQL's data folder)
#   bash scripts/cluster.sh build    only build (or find) the Temporal server and its schema tool
#   bash scripts/cluster.sh env      the environment of the plan-review processes (to `source` for the CLI)
#
# Idempotent: a second `up` only checks. State lives in CLUSTER_DIR (default data/cluster): PostgreSQL's
# data, the generated configuration and secrets (mode 0600), the logs, the pid files, the mail sink's files.
# Every port has a variable of its own (defaults below), so the cluster runs beside the embedded stack.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

TEMPORAL_SERVER_VERSION=v1.32.2
GO_TOOLCHAIN=go1.27.3 # the server module needs Go 1.26.10 or later; the proxy serves this toolchain
PIN="$TEMPORAL_SERVER_VERSION-$GO_TOOLCHAIN"
TOOLS_DIR=$root/.tools/temporal-server/$PIN

CLUSTER_DIR=${CLUSTER_DIR:-$root/data/cluster}
CLUSTER_PG_PORT=${CLUSTER_PG_PORT:-55432}
# Temporal's services: frontend gRPC (the address workers and clients use), its HTTP API, the other
# services' gRPC and every service's membership port.
CLUSTER_TEMPORAL_PORT=${CLUSTER_TEMPORAL_PORT:-17233}
CLUSTER_TEMPORAL_HTTP_PORT=${CLUSTER_TEMPORAL_HTTP_PORT:-17243}
CLUSTER_HISTORY_PORT=${CLUSTER_HISTORY_PORT:-17234}
CLUSTER_MATCHING_PORT=${CLUSTER_MATCHING_PORT:-17235}
CLUSTER_INTERNAL_WORKER_PORT=${CLUSTER_INTERNAL_WORKER_PORT:-17239}
CLUSTER_MEMBERSHIP_BASE=${CLUSTER_MEMBERSHIP_BASE:-16933} # up to 32764: the ports are kept in a smallint column
# The Temporal server's metrics (Prometheus text at /metrics): what it answered, by operation.
CLUSTER_METRICS_PORT=${CLUSTER_METRICS_PORT:-17299}
CLUSTER_WEB_PORTS=${CLUSTER_WEB_PORTS:-"3101 3102"}
CLUSTER_WORKERS=${CLUSTER_WORKERS:-2}
CLUSTER_SMTP_PORT=${CLUSTER_SMTP_PORT:-2626}
# The address in every email's link: where bureaus reach the web servers (a load balancer in
# front of them in production; default: the first web server).
CLUSTER_PUBLIC_URL=${CLUSTER_PUBLIC_URL:-}
NAMESPACE=${TEMPORAL_NAMESPACE:-default}
HISTORY_SHARDS=4 # fixed when the schema is created: changing it later needs a new database

pgdata=$CLUSTER_DIR/postgres/data
pgsock=$CLUSTER_DIR/postgres/run
pids=$CLUSTER_DIR/pids
logs=$CLUSTER_DIR/logs
secrets=$CLUSTER_DIR/secrets.env
envfile=$CLUSTER_DIR/cluster.env
temporal_config=$CLUSTER_DIR/temporal/config.yaml

log() { printf '[cluster] %s\n' "$*"; }
die() {
  printf '[cluster] error: %s\n' "$*" >&2
  exit 1
}
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Go and the Temporal server ------------------------------------------------------------------

# A `go` that can switch toolchains (1.21+). Debian's golang-go is older on bookworm, so after
# installing it the toolchain module is fetched with it once (as `go` 1.21+ does by itself) and used.
go_cmd() {
  if command -v go >/dev/null 2>&1; then
    local v
    v=$(go env GOVERSION 2>/dev/null | sed -E 's/^go([0-9]+)\.([0-9]+).*/\1 \2/')
    set -- $v
    if [ "${1:-0}" -gt 1 ] || { [ "${1:-0}" -eq 1 ] && [ "${2:-0}" -ge 21 ]; }; then
      echo go
      return
    fi
  else
    log "installing Go (Debian's golang-go)" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends golang-go >/dev/null
  fi
  local mod="golang.org/toolchain@v0.0.1-$GO_TOOLCHAIN.linux-$(go env GOARCH)"
  local dir
  dir=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "$mod" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] && [ -f "$dir/bin/go" ] || die "cannot fetch the Go toolchain $mod"
  chmod -R u+x "$dir/bin" "$dir/pkg/tool"
  echo "$dir/bin/go"
}

build_server() {
  if [ -f "$TOOLS_DIR/.pin" ] && [ "$(cat "$TOOLS_DIR/.pin")" = "$PIN" ] &&
    [ -x "$TOOLS_DIR/bin/temporal-server" ] && [ -x "$TOOLS_DIR/bin/temporal-sql-tool" ]; then
    log "Temporal server $TEMPORAL_SERVER_VERSION present ($TOOLS_DIR/bin)"
    return
  fi
  local go
  go=$(go_cmd)
  mkdir -p "$TOOLS_DIR"
  local tmp
  tmp=$(mktemp -d "$TOOLS_DIR/build.XXXXXX")
  log "building the Temporal server $TEMPORAL_SERVER_VERSION and its SQL schema tool with $GO_TOOLCHAIN"
  log "(about a quarter of an hour on two cores; log: $TOOLS_DIR/build.log)"
  local started=$SECONDS
  # Outside any module, so the module's own go.mod decides every dependency's version.
  if ! (cd /tmp && GOTOOLCHAIN=$GO_TOOLCHAIN GOBIN=$tmp GOFLAGS=-trimpath "$go" install \
    "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION" \
    "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION") >"$TOOLS_DIR/build.log" 2>&1; then
    tail -20 "$TOOLS_DIR/build.log" >&2
    rm -rf "$tmp"
    die "the Temporal server did not build (log: $TOOLS_DIR/build.log)"
  fi
  mkdir -p "$TOOLS_DIR/bin"
  mv "$tmp/server" "$TOOLS_DIR/bin/temporal-server"
  mv "$tmp/sql" "$TOOLS_DIR/bin/temporal-sql-tool"
  rm -rf "$tmp"
  echo "$PIN" >"$TOOLS_DIR/.pin"
  log "built in $((SECONDS - started)) s: $(du -h "$TOOLS_DIR/bin/temporal-server" | cut -f1) temporal-server"
}

# --- PostgreSQL --------------------------------------------------------------------------------

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$dir" ]; then
    log "installing PostgreSQL (Debian's postgresql)" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  echo "$dir"
}

# PostgreSQL refuses to run as root: as root, its commands run as the postgres user; otherwise as
# this user, who is then the database's superuser (local connections authenticate by user name).
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_superuser() { if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi; }

pg_running() { [ -d "$pgdata" ] && as_pg "$(pg_bin)/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; }

psql_admin() { as_pg "$(pg_bin)/psql" -h "$pgsock" -p "$CLUSTER_PG_PORT" -U "$(pg_superuser)" -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }

ensure_secrets() {
  mkdir -p "$CLUSTER_DIR"
  if [ ! -f "$secrets" ]; then
    (
      umask 077
      {
        echo "PG_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
        echo "LINK_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
      } >"$secrets"
    )
  fi
  # shellcheck disable=SC1090
  . "$secrets"
}

start_postgres() {
  local bin
  bin=$(pg_bin)
  mkdir -p "$CLUSTER_DIR/postgres" "$logs"
  if [ ! -f "$pgdata/PG_VERSION" ]; then
    log "creating PostgreSQL's data folder $pgdata"
    mkdir -p "$pgdata" "$pgsock"
    [ "$(id -u)" -ne 0 ] || chown -R postgres:postgres "$CLUSTER_DIR/postgres"
    chmod 700 "$pgdata"
    as_pg "$bin/initdb" -D "$pgdata" -U "$(pg_superuser)" --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$logs/initdb.log"
    as_pg tee -a "$pgdata/postgresql.conf" >/dev/null <<EOF
# plan-review cluster (scripts/cluster.sh)
listen_addresses = '127.0.0.1'
port = $CLUSTER_PG_PORT
unix_socket_directories = '$pgsock'
max_connections = 200
EOF
  fi
  touch "$logs/postgres.log"
  [ "$(id -u)" -ne 0 ] || chown postgres "$logs/postgres.log"
  if pg_running; then
    log "PostgreSQL running (127.0.0.1:$CLUSTER_PG_PORT)"
  else
    log "starting PostgreSQL on 127.0.0.1:$CLUSTER_PG_PORT"
    as_pg "$bin/pg_ctl" -D "$pgdata" -l "$logs/postgres.log" -w -t 60 start >/dev/null ||
      die "PostgreSQL did not start (log: $logs/postgres.log)"
  fi
  # One role for plan-review and Temporal; one database each for Temporal's records, its visibility and plan-review.
  if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'plan_review'")" != 1 ]; then
    psql_admin -c "CREATE ROLE plan_review LOGIN PASSWORD '$PG_PASSWORD'"
  fi
  local db
  for db in temporal temporal_visibility plan_review; do
    if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
      psql_admin -c "CREATE DATABASE $db OWNER plan_review"
    fi
  done
}

# Temporal's schema tool: versioning tables once, then every versioned step up to the latest (a no-op when current).
update_schemas() {
  local tool="$TOOLS_DIR/bin/temporal-sql-tool"
  local db schema
  for db in temporal temporal_visibility; do
    schema=postgresql/v12/temporal
    [ "$db" = temporal ] || schema=postgresql/v12/visibility
    local sql=("$tool" --plugin postgres12 --ep 127.0.0.1 -p "$CLUSTER_PG_PORT" -u plan_review --pw "$PG_PASSWORD" --db "$db")
    local has_versions
    has_versions=$(psql_admin -d "$db" -c "SELECT 1 FROM pg_tables WHERE tablename = 'schema_version'")
    if [ "$has_versions" != 1 ]; then
      "${sql[@]}" setup-schema -v 0.0 >>"$logs/schema.log" 2>&1 || die "setup-schema $db failed (log: $logs/schema.log)"
    fi
    "${sql[@]}" update-schema --schema-name "$schema" >>"$logs/schema.log" 2>&1 ||
      die "update-schema $db failed (log: $logs/schema.log)"
  done
  log "Temporal schemas up to date ($(psql_admin -d temporal -c "SELECT curr_version FROM schema_version"), visibility $(psql_admin -d temporal_visibility -c "SELECT curr_version FROM schema_version"))"
}

# --- Temporal server -----------------------------------------------------------------------------

write_temporal_config() {
  [ "$CLUSTER_MEMBERSHIP_BASE" -le 32764 ] ||
    die "CLUSTER_MEMBERSHIP_BASE=$CLUSTER_MEMBERSHIP_BASE: Temporal keeps membership ports in a smallint column, so at most 32764 (base + 3)"
  mkdir -p "$(dirname "$temporal_config")"
  local datastore
  datastore() {
    cat <<EOF
      sql:
        pluginName: postgres12
        databaseName: $1
        connectAddr: 127.0.0.1:$CLUSTER_PG_PORT
        connectProtocol: tcp
        user: plan_review
        password: "$PG_PASSWORD"
        maxConns: $2
        maxIdleConns: $2
        maxConnLifetime: 1h
EOF
  }
  local service port i=0 services=""
  for service in frontend:$CLUSTER_TEMPORAL_PORT history:$CLUSTER_HISTORY_PORT matching:$CLUSTER_MATCHING_PORT worker:$CLUSTER_INTERNAL_WORKER_PORT; do
    port=${service#*:}
    services+="  ${service%%:*}:
    rpc:
      grpcPort: $port
      membershipPort: $((CLUSTER_MEMBERSHIP_BASE + i))
      bindOnLocalHost: true
"
    [ "${service%%:*}" != frontend ] || services+="      httpPort: $CLUSTER_TEMPORAL_HTTP_PORT
"
    i=$((i + 1))
  done
  (
    umask 077
    cat >"$temporal_config" <<EOF
# Generated by scripts/cluster.sh: the Temporal server of the local cluster, on PostgreSQL.
log:
  stdout: true
  level: warn

persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: $HISTORY_SHARDS
  datastores:
    postgres-default:
$(datastore temporal 20)
    postgres-visibility:
$(datastore temporal_visibility 4)

global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  metrics:
    prometheus:
      timerType: histogram
      listenAddress: 127.0.0.1:$CLUSTER_METRICS_PORT

services:
$services
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:$CLUSTER_TEMPORAL_PORT

dcRedirectionPolicy:
  policy: noop

dynamicConfigClient:
  filepath: $CLUSTER_DIR/temporal/dynamicconfig.yaml
  pollInterval: 10s
EOF
  )
  cat >"$CLUSTER_DIR/temporal/dynamicconfig.yaml" <<EOF
# Dynamic configuration of the local cluster's Temporal server (read every 10 s).
# plan-review's actions are Workflow Updates.
frontend.enableUpdateWorkflowExecution:
  - value: true
EOF
}

alive() { [ -f "$pids/$1.pid" ] && kill -0 "$(cat "$pids/$1.pid")" 2>/dev/null; }

# Starts a process in the background under a name, unless it is already running.
spawn() {
  local name=$1
  shift
  mkdir -p "$pids" "$logs"
  if alive "$name"; then
    log "$name running (pid $(cat "$pids/$name.pid"))"
    return
  fi
  nohup "$@" >>"$logs/$name.log" 2>&1 </dev/null &
  echo $! >"$pids/$name.pid"
  log "$name started (pid $!, log: $logs/$name.log)"
}

# Waits until a TCP port answers, or the named process has died.
wait_port() {
  local name=$1 port=$2 tries=${3:-120}
  while ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    alive "$name" || die "$name exited (log: $logs/$name.log)"
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || die "$name does not answer on port $port (log: $logs/$name.log)"
    sleep 1
  done
}

temporal_cli() {
  local cli=${TEMPORAL_CLI_PATH:-$root/.tools/venv/bin/temporal}
  [ -x "$cli" ] || cli=$(command -v temporal || true)
  [ -n "$cli" ] || die "no Temporal CLI: run bash scripts/setup.sh first"
  "$cli" --address "127.0.0.1:$CLUSTER_TEMPORAL_PORT" "$@"
}

start_temporal() {
  write_temporal_config
  spawn temporal "$TOOLS_DIR/bin/temporal-server" --config-file "$temporal_config" --allow-no-auth start
  wait_port temporal "$CLUSTER_TEMPORAL_PORT"
  # The frontend answers before the other services have joined: retry until the namespace exists.
  local tries=60
  until temporal_cli operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; do
    temporal_cli operator namespace create --namespace "$NAMESPACE" --retention 3650d >/dev/null 2>&1 || true
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || die "cannot create the namespace $NAMESPACE (log: $logs/temporal.log)"
    sleep 2
  done
  log "Temporal server ready on 127.0.0.1:$CLUSTER_TEMPORAL_PORT, namespace $NAMESPACE"
}

# --- plan-review ---------------------------------------------------------------------------------

first_web_port() { set -- $CLUSTER_WEB_PORTS && echo "$1"; }

write_env() {
  (
    umask 077
    cat >"$envfile" <<EOF
# The configuration every plan-review process of the local cluster shares (scripts/cluster.sh).
TEMPORAL_ADDRESS=127.0.0.1:$CLUSTER_TEMPORAL_PORT
TEMPORAL_NAMESPACE=$NAMESPACE
STORE_URL=postgres://plan_review:$PG_PASSWORD@127.0.0.1:$CLUSTER_PG_PORT/plan_review
LINK_SECRET=$LINK_SECRET
SMTP_URL=smtp://127.0.0.1:$CLUSTER_SMTP_PORT
PUBLIC_URL=${CLUSTER_PUBLIC_URL:-http://127.0.0.1:$(first_web_port)}
PLAN_REVIEW_USERS_FILE=$CLUSTER_DIR/users.yaml
EOF
  )
}

# Runs a plan-review command with the cluster's configuration and a data folder of its own.
plan_review() {
  local data=$1
  shift
  env $(grep -v '^#' "$envfile" | xargs) PLAN_REVIEW_DATA_DIR="$data" "$root/bin/plan-review" "$@"
}

ensure_users() {
  [ ! -f "$CLUSTER_DIR/users.yaml" ] || return 0
  local file=$CLUSTER_DIR/initial-passwords.txt user role password
  (umask 077 && echo "# username	password	role (shown once; change with plan-review user add)" >"$file")
  for user in coordinator approver auditor; do
    role=$user
    password=$(head -c 15 /dev/urandom | base64 | tr -d '/+=')
    PLAN_REVIEW_PASSWORD=$password plan_review "$CLUSTER_DIR/cli" user add "$user" --name "$user" --role "$role" >/dev/null
    echo "$user	$password	$role" >>"$file"
  done
  log "created the users coordinator, approver and auditor; passwords in $file"
}

start_plan_review() {
  write_env
  ensure_users
  spawn mail-sink env PLAN_REVIEW_DATA_DIR="$CLUSTER_DIR/mail" SMTP_SINK_PORT="$CLUSTER_SMTP_PORT" "$root/bin/plan-review" mail-sink
  wait_port mail-sink "$CLUSTER_SMTP_PORT" 60
  local n port
  for n in $(seq 1 "$CLUSTER_WORKERS"); do
    spawn "worker-$n" env $(grep -v '^#' "$envfile" | xargs) PLAN_REVIEW_DATA_DIR="$CLUSTER_DIR/worker-$n" "$root/bin/plan-review" worker
  done
  n=0
  for port in $CLUSTER_WEB_PORTS; do
    n=$((n + 1))
    spawn "web-$n" env $(grep -v '^#' "$envfile" | xargs) PLAN_REVIEW_DATA_DIR="$CLUSTER_DIR/web-$n" WEB_PORT="$port" "$root/bin/plan-review" web
  done
  n=0
  for port in $CLUSTER_WEB_PORTS; do
    n=$((n + 1))
    wait_port "web-$n" "$port" 120
  done
  for n in $(seq 1 "$CLUSTER_WORKERS"); do
    local tries=120
    until grep -q 'polling' "$logs/worker-$n.log" 2>/dev/null; do
      alive "worker-$n" || die "worker-$n exited (log: $logs/worker-$n.log)"
      tries=$((tries - 1))
      [ "$tries" -gt 0 ] || die "worker-$n is not polling (log: $logs/worker-$n.log)"
      sleep 1
    done
  done
}

status() {
  local name pid state
  echo "cluster folder:      $CLUSTER_DIR"
  echo "Temporal server:     $TOOLS_DIR/bin/temporal-server ($([ -x "$TOOLS_DIR/bin/temporal-server" ] && echo built || echo 'not built'))"
  if pg_running; then state=running; else state=stopped; fi
  echo "PostgreSQL:          127.0.0.1:$CLUSTER_PG_PORT, data in $pgdata ($state); databases temporal, temporal_visibility, plan_review"
  echo "Temporal frontend:   127.0.0.1:$CLUSTER_TEMPORAL_PORT (gRPC), namespace $NAMESPACE, config $temporal_config"
  echo "Temporal metrics:    http://127.0.0.1:$CLUSTER_METRICS_PORT/metrics"
  echo "mail sink:           smtp://127.0.0.1:$CLUSTER_SMTP_PORT, messages in $CLUSTER_DIR/mail/outbox"
  local n=0 port
  for port in $CLUSTER_WEB_PORTS; do
    n=$((n + 1))
    echo "web-$n:               http://127.0.0.1:$port"
  done
  echo "shared configuration: $envfile (source it to run the CLI against the cluster)"
  echo "users:               $CLUSTER_DIR/users.yaml (first passwords in $CLUSTER_DIR/initial-passwords.txt)"
  echo "logs:                $logs"
  for pid in "$pids"/*.pid; do
    [ -e "$pid" ] || continue
    name=$(basename "$pid" .pid)
    if alive "$name"; then state="running (pid $(cat "$pid"))"; else state=stopped; fi
    printf '  %-12s %s\n' "$name" "$state"
  done
}

stop_one() {
  local name=$1 pid
  [ -f "$pids/$name.pid" ] || return 0
  pid=$(cat "$pids/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local tries=30
    while kill -0 "$pid" 2>/dev/null && [ "$tries" -gt 0 ]; do
      sleep 1
      tries=$((tries - 1))
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    log "stopped $name (pid $pid)"
  fi
  rm -f "$pids/$name.pid"
}

down() {
  local f name
  # plan-review first, then the engine, then the database.
  for f in "$pids"/web-*.pid "$pids"/worker-*.pid "$pids"/mail-sink.pid "$pids"/temporal.pid; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .pid)
    stop_one "$name"
  done
  if pg_running; then
    as_pg "$(pg_bin)/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null
    log "stopped PostgreSQL"
  fi
}

case "${1:-}" in
  build) build_server ;;
  up)
    build_server
    ensure_secrets
    start_postgres
    update_schemas
    start_temporal
    start_plan_review
    log "up"
    status
    ;;
  status) status ;;
  down) down ;;
  env)
    ensure_secrets
    write_env
    cat "$envfile"
    ;;
  *)
    echo "usage: bash scripts/cluster.sh up|down|status|build|env" >&2
    exit 2
    ;;
esac
