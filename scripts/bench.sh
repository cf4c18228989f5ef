#!/usr/bin/env bash
# Benchmarks, one section each: `make bench` runs every section in SECTIONS; `scripts/bench.sh messaging` runs
# the named ones. Builds in Release. A section that needs Kafka starts its own embedded cluster, unless
# KAFKA_BOOTSTRAP_SERVERS names a real one (its topics then get a unique prefix). Everything started is stopped
# on exit. To add a benchmark, write a section_<name> function and add <name> to SECTIONS.
set -euo pipefail
cd "$(dirname "$0")/.."

SECTIONS=(messaging policy tool-executor chat)
config=Release
work=$(mktemp -d)
kafka_pid=""

cleanup() {
  [ -n "$kafka_pid" ] && kill "$kafka_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

build() { dotnet build "$1" -c "$config" --nologo -v quiet -clp:ErrorsOnly >/dev/null; }

# start_kafka TOPICS_JSON: starts the embedded cluster with those topics and sets $bootstrap.
start_kafka() {
  build infra/Mesh.KafkaHost/Mesh.KafkaHost.csproj
  rm -f "$work/kafka.bootstrap"
  dotnet "infra/Mesh.KafkaHost/bin/$config/net10.0/Mesh.KafkaHost.dll" --brokers 3 --topics "$1" \
    --bootstrap-file "$work/kafka.bootstrap" --parent-pid $$ >"$work/kafka.log" 2>&1 &
  kafka_pid=$!
  for _ in $(seq 1 150); do
    [ -s "$work/kafka.bootstrap" ] && { bootstrap=$(cat "$work/kafka.bootstrap"); return; }
    kill -0 "$kafka_pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "error: the embedded Kafka cluster did not start:" >&2
  cat "$work/kafka.log" >&2
  exit 1
}

stop_kafka() {
  [ -n "$kafka_pid" ] && { kill "$kafka_pid" 2>/dev/null; wait "$kafka_pid" 2>/dev/null || true; }
  kafka_pid=""
}

# The messaging library against the raw Confluent client, on the same cluster in the same run.
section_messaging() {
  echo "== messaging: mesh library vs raw Confluent client =="
  build bench/Mesh.Bench/Mesh.Bench.csproj
  local bench=(dotnet "bench/Mesh.Bench/bin/$config/net10.0/Mesh.Bench.dll")
  if [ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
    "${bench[@]}" messaging --bootstrap "$KAFKA_BOOTSTRAP_SERVERS" --topic-prefix "bench-$(date +%s)-" --create-topics
  else
    "${bench[@]}" topics >"$work/messaging-topics.json"
    start_kafka "$work/messaging-topics.json"
    "${bench[@]}" messaging --bootstrap "$bootstrap"
    stop_kafka
  fi
}

# The next three start the stack they need themselves (PostgreSQL, Redis, the embedded cluster, services).
section_policy() {
  echo "== policy: check latency, three levels of tuple-to-userset vs a direct relation, 100k tuples =="
  build bench/Mesh.Bench.Policy/Mesh.Bench.Policy.csproj
  dotnet "bench/Mesh.Bench.Policy/bin/$config/net10.0/Mesh.Bench.Policy.dll"
}

section_tool-executor() {
  echo "== tool-executor: echo round trip and throughput vs the raw two-hop ping-pong =="
  build bench/Mesh.Bench.ToolExecutor/Mesh.Bench.ToolExecutor.csproj
  dotnet "bench/Mesh.Bench.ToolExecutor/bin/$config/net10.0/Mesh.Bench.ToolExecutor.dll" --round-trips 1000 --burst 5000 --rounds 2
}

section_chat() {
  echo "== chat: time to first delta, full turn, 1,000 active and 10,000 idle sessions on one gateway =="
  build bench/Mesh.Bench.Chat/Mesh.Bench.Chat.csproj
  dotnet "bench/Mesh.Bench.Chat/bin/$config/net10.0/Mesh.Bench.Chat.dll"
}

for section in "${@:-${SECTIONS[@]}}"; do
  if ! declare -F "section_$section" >/dev/null; then
    echo "error: no benchmark section '$section' (have: ${SECTIONS[*]})" >&2
    exit 2
  fi
  "section_$section"
done
