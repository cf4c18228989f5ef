#!/usr/bin/env bash
# Starts the whole mesh on one machine: Redis, PostgreSQL, the embedded Kafka cluster, Prometheus and
# the five services, with state in .mesh/. Ctrl-C (or `make stop`) stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
state=$root/.mesh
config=${MESH_CONFIGURATION:-Debug}
mkdir -p "$state/logs" "$state/pids" "$state/redis" "$state/prometheus"
rm -f "$state/pids/.stopping"

REDIS_PORT=${MESH_REDIS_PORT:-6379}
PG_PORT=${MESH_POSTGRES_PORT:-5432}
PG_BIN=/usr/lib/postgresql/15/bin

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
# From /, so the postgres user is never left in a folder it may not enter (a private clone).
as_pg() { if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { # what seconds command...
  local what=$1 seconds=$2; shift 2
  for _ in $(seq 1 $((seconds * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "error: $what did not come up in ${seconds}s (see $state/logs)" >&2; return 1
}

stopping=0
cleanup() { [ $stopping -eq 1 ] && return; stopping=1; echo; echo "Stopping the mesh..."; scripts/stop.sh; }
trap cleanup INT TERM

# Redis (data in .mesh/redis, reused by the next run)
if ! alive "$state/pids/redis.pid"; then
  if port_busy "$REDIS_PORT"; then echo "error: port $REDIS_PORT is taken by another program; set MESH_REDIS_PORT" >&2; exit 1; fi
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$state/redis" --appendonly yes \
    --daemonize yes --pidfile "$state/pids/redis.pid" --logfile "$state/logs/redis.log"
fi
wait_for redis 20 redis-cli -p "$REDIS_PORT" ping

# PostgreSQL (cluster in .mesh/postgres; the server refuses to run as root, so it runs as postgres).
# When the clone sits in a folder the postgres user cannot enter (a private home, mktemp -d), the cluster
# lives in a postgres-owned folder under /var/lib/mesh-dev and .mesh/postgres links to it.
if [ "$(id -u)" -eq 0 ] && [ ! -e "$state/postgres" ] && ! runuser -u postgres -- test -x "$state"; then
  outside=/var/lib/mesh-dev/$(printf '%s' "$root" | sha256sum | cut -c1-12)
  mkdir -p "$outside/postgres" && chown -R postgres:postgres "$outside" && chmod 755 /var/lib/mesh-dev
  ln -s "$outside/postgres" "$state/postgres"
fi
PG_DATA=$(readlink -f "$state/postgres" 2>/dev/null || echo "$state/postgres")
PG_LOG=$state/logs/postgres.log
[ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$state" && PG_LOG=$(dirname "$PG_DATA")/postgres.log
if [ ! -f "$PG_DATA/PG_VERSION" ]; then
  mkdir -p "$PG_DATA"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PG_DATA"
  as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U mesh --auth=trust -E UTF8 >"$state/logs/initdb.log"
fi
if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
  if port_busy "$PG_PORT"; then echo "error: port $PG_PORT is taken by another program; set MESH_POSTGRES_PORT" >&2; exit 1; fi
  touch "$PG_LOG"; [ "$(id -u)" -eq 0 ] && chown postgres "$PG_LOG"
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
    -o "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null
fi
psql -h 127.0.0.1 -p "$PG_PORT" -U mesh -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='mesh'" | grep -q 1 \
  || psql -h 127.0.0.1 -p "$PG_PORT" -U mesh -d postgres -qc "CREATE DATABASE mesh"

# The embedded Kafka cluster (in memory: a restart starts empty)
if ! alive "$state/pids/kafka.pid" || [ ! -s "$state/kafka.bootstrap" ]; then
  rm -f "$state/kafka.bootstrap"
  nohup dotnet "infra/Mesh.KafkaHost/bin/$config/net10.0/Mesh.KafkaHost.dll" --brokers 3 \
    --bootstrap-file "$state/kafka.bootstrap" >"$state/logs/kafka.log" 2>&1 &
  echo $! >"$state/pids/kafka.pid"
fi
wait_for "the embedded Kafka cluster" 30 test -s "$state/kafka.bootstrap"
KAFKA=$(cat "$state/kafka.bootstrap")

# Development credentials: generated once, kept in .mesh/
[ -s "$state/dev-api-key" ] || echo "mesh_dev_$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')" >"$state/dev-api-key"
[ -s "$state/service-api-key" ] || echo "mesh_svc_$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')" >"$state/service-api-key"
chmod 600 "$state/dev-api-key" "$state/service-api-key"

export KAFKA_BOOTSTRAP_SERVERS=$KAFKA
export REDIS_CONNECTION="127.0.0.1:$REDIS_PORT"
export POSTGRES_CONNECTION_STRING="Host=127.0.0.1;Port=$PG_PORT;Database=mesh;Username=mesh"
export MESH_DEV_BOOTSTRAP=1
export MESH_DEV_ADMIN_KEY; MESH_DEV_ADMIN_KEY=$(cat "$state/dev-api-key")
export MESH_SERVICE_KEY; MESH_SERVICE_KEY=$(cat "$state/service-api-key")
export POLICY_URL=http://localhost:8083 GATEWAY_URL=http://localhost:8080 DELEGATION_URL=http://localhost:8084
export TOOL_EXECUTOR_URL=http://localhost:8082 CONVERSATION_WORKER_URL=http://localhost:8081
export DELEGATION_SIGNING_KEY_FILE=$state/delegation-signing-key.pem
export DOTNET_ENVIRONMENT=${DOTNET_ENVIRONMENT:-Development}

declare -A assembly=([gateway]=Mesh.Gateway [conversation-worker]=Mesh.ConversationWorker [tool-executor]=Mesh.ToolExecutor [policy]=Mesh.Policy [delegation]=Mesh.Delegation)
declare -A port=([gateway]=8080 [conversation-worker]=8081 [tool-executor]=8082 [policy]=8083 [delegation]=8084)
for s in policy tool-executor conversation-worker delegation gateway; do
  alive "$state/pids/$s.pid" && continue
  if port_busy "${port[$s]}"; then echo "error: port ${port[$s]} ($s) is taken by another program" >&2; cleanup; exit 1; fi
  nohup dotnet "services/$s/bin/$config/net10.0/${assembly[$s]}.dll" >"$state/logs/$s.log" 2>&1 &
  echo $! >"$state/pids/$s.pid"
done

# Prometheus and the Redis/PostgreSQL exporters
if command -v prometheus-redis-exporter >/dev/null && ! alive "$state/pids/redis-exporter.pid"; then
  nohup prometheus-redis-exporter -redis.addr "redis://127.0.0.1:$REDIS_PORT" -web.listen-address 127.0.0.1:9121 >"$state/logs/redis-exporter.log" 2>&1 &
  echo $! >"$state/pids/redis-exporter.pid"
fi
if command -v prometheus-postgres-exporter >/dev/null && ! alive "$state/pids/postgres-exporter.pid"; then
  DATA_SOURCE_NAME="postgresql://mesh@127.0.0.1:$PG_PORT/mesh?sslmode=disable" \
    nohup prometheus-postgres-exporter --web.listen-address=127.0.0.1:9187 >"$state/logs/postgres-exporter.log" 2>&1 &
  echo $! >"$state/pids/postgres-exporter.pid"
fi
if ! alive "$state/pids/prometheus.pid"; then
  nohup prometheus --config.file="$root/observability/prometheus.yml" --storage.tsdb.path="$state/prometheus" \
    --web.listen-address=127.0.0.1:9090 --web.enable-lifecycle >"$state/logs/prometheus.log" 2>&1 &
  echo $! >"$state/pids/prometheus.pid"
fi

for s in policy gateway conversation-worker tool-executor delegation; do
  wait_for "$s (/readyz)" 180 curl -sf "http://localhost:${port[$s]}/readyz"
done
wait_for prometheus 30 curl -sf http://127.0.0.1:9090/-/ready

cat <<MSG

Mesh is up.
  Web chat        http://localhost:8080/
  Ops page        http://localhost:8080/ops  (operators: the service key in .mesh/service-api-key, filled in for you here)
  Gateway API     http://localhost:8080/v1/...
  Services        gateway :8080  conversation-worker :8081  tool-executor :8082  policy :8083  delegation :8084
                  (each serves /healthz, /readyz, /metrics)
  Prometheus      http://localhost:9090/
  Kafka           $KAFKA  (also in .mesh/kafka.bootstrap)
  Redis           127.0.0.1:$REDIS_PORT     PostgreSQL  127.0.0.1:$PG_PORT (database mesh, user mesh)
  Dev API key     $(cat "$state/dev-api-key")  (tenant dev, admin; also in .mesh/dev-api-key)
  Logs            .mesh/logs/<service>.log

  curl -H "Authorization: Bearer \$(cat .mesh/dev-api-key)" http://localhost:8080/v1/whoami

Press Ctrl-C to stop everything (or run 'make stop' from another terminal).
MSG

# Wait for Ctrl-C. `make stop` removes the pid files, which ends this loop too; a service that dies
# on its own is reported, not silently restarted.
while true; do
  [ -f "$state/pids/.stopping" ] && { echo "The mesh is stopping."; exit 0; }
  for s in policy gateway conversation-worker tool-executor delegation; do
    [ -f "$state/pids/$s.pid" ] || continue
    alive "$state/pids/$s.pid" || { echo "warning: $s exited; see .mesh/logs/$s.log" >&2; rm -f "$state/pids/$s.pid"; }
  done
  [ -f "$state/pids/kafka.pid" ] || { echo "The mesh was stopped."; exit 0; }
  sleep 2 & wait $! || true
  [ $stopping -eq 1 ] && exit 0
done
