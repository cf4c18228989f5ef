#!/usr/bin/env bash
# Stops everything `make run` started (recorded in .mesh/pids) and nothing else.
set -uo pipefail
cd "$(dirname "$0")/.."
state=.mesh

stop_pid() { # name pidfile
  local name=$1 file=$2 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    echo "stopped $name ($pid)"
  fi
  rm -f "$file"
}

mkdir -p "$state/pids"
touch "$state/pids/.stopping"   # tells a waiting `make run` that these exits are intended
for s in gateway conversation-worker tool-executor policy delegation; do stop_pid "$s" "$state/pids/$s.pid"; done
for s in prometheus redis-exporter postgres-exporter kafka; do stop_pid "$s" "$state/pids/$s.pid"; done
stop_pid redis "$state/pids/redis.pid"
pg_data=$(readlink -f "$state/postgres" 2>/dev/null || echo "$PWD/$state/postgres")
if [ -f "$pg_data/postmaster.pid" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$pg_data" -m fast -w stop) >/dev/null && echo "stopped postgres"
  else
    /usr/lib/postgresql/15/bin/pg_ctl -D "$pg_data" -m fast -w stop >/dev/null && echo "stopped postgres"
  fi
fi
rm -f "$state/kafka.bootstrap"
rm -f "$state/pids/.stopping"
