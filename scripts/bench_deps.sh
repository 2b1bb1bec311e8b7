#!/usr/bin/env bash
# Packages the benchmarks need beyond scripts/deps.sh: PostgreSQL 15 with
# PostGIS 3.3 (the peer of the map benchmark) and libpq. Idempotent.
set -euo pipefail
"$(dirname "$0")/deps.sh"
pkgs=(postgresql-15 postgresql-15-postgis-3 libpq-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bench deps: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
