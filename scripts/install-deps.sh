#!/usr/bin/env bash
# Installs what the mesh needs on a Debian 12 machine, once: re-running installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(librdkafka1 kcat redis-server postgresql prometheus prometheus-redis-exporter prometheus-postgres-exporter chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages used by tests: the official AsyncAPI parser, OpenFGA's JS SDK, the reference MCP server.
for dir in contracts/asyncapi-check tests/policy-js-sdk tests/mcp-servers; do
  if [ -f "$dir/package-lock.json" ] && [ ! -d "$dir/node_modules" ]; then
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
  fi
done
