#!/usr/bin/env bash
# Install the Debian packages PKO needs to build, test and run.
# Idempotent: apt-get runs only when a package is missing.
# Usage: scripts/deps.sh [--with-browser]
#
# Also: Debian's chromium (the web interface's end-to-end tests drive it
# headless) and the npm packages pinned by package-lock.json (the front-end
# libraries embedded in the binary, playwright-core for the tests): `npm ci`
# runs only when node_modules is missing or older than the lock file.
set -euo pipefail

pkgs=(
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libmicrohttpd-dev libsqlite3-dev libjansson-dev libsodium-dev libcairo2-dev
  libcmocka-dev libcurl4-openssl-dev sqlite3 python3 python3-yaml
  chromium
)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# Node.js and npm: Debian's, unless a node with its npm is already there.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "deps: all Debian packages present" >&2
fi

# npm packages: only when node_modules is missing or older than the lock.
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -d "$root/node_modules" ] || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
  echo "deps: npm ci" >&2
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
else
  echo "deps: npm packages up to date" >&2
fi
