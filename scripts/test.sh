#!/usr/bin/env bash
# Runs every test project of the solution (already built), one after another, and prints one line:
# "N passed, N failed" (skipped tests, if any, on the line above), counted from the TRX results. Extra arguments go to `dotnet test`.
set -uo pipefail
cd "$(dirname "$0")/.."
config=${MESH_CONFIGURATION:-Debug}
results=$(pwd)/TestResults
rm -rf "$results"
mkdir -p "$results"

passed=0; failed=0; skipped=0; status=0
for project in $(dotnet sln Mesh.sln list | grep -E '^tests/.*\.Tests\.csproj$' | sort); do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c "$config" --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" --results-directory "$results" "$@"
  code=$?
  trx="$results/$name.trx"
  if [ ! -f "$trx" ]; then
    # The test host died before writing results: that is a failure, not an empty project.
    echo "error: $name produced no results (exit $code)" >&2
    failed=$((failed + 1)); status=1; continue
  fi
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  p=$(get passed); f=$(get failed); e=$(get error); t=$(get total); x=$(get executed)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0})); skipped=$((skipped + ${t:-0} - ${x:-0}))
  [ "$code" -eq 0 ] || status=1
done
# Name every failed test (with the first line of its message) just above the summary, so a CI log's tail says what broke.
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  python3 - "$trx" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
root = ET.parse(sys.argv[1]).getroot()
for r in root.iterfind(".//t:UnitTestResult", ns):
    if r.get("outcome") in ("Failed", "Error", "Timeout", "Aborted"):
        msg = r.find(".//t:ErrorInfo/t:Message", ns)
        first = (msg.text or "").strip().splitlines()[0][:300] if msg is not None and msg.text else ""
        print(f"FAILED {r.get('testName')}: {first}")
PY
done
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "error: no test ran" >&2
  failed=1
fi
[ "$skipped" -eq 0 ] || echo "${skipped} skipped"
echo "${passed} passed, ${failed} failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
