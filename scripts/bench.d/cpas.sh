#!/usr/bin/env bash
# CPAS dashboard bench (bench/bench_cpas.c): 1,000 indicators x 110 approved
# monthly totals (the issue's scale: 110,000 data points), the whole
# dashboard recomputed by cpas_dashboard() side by side with the same
# aggregation written in one SQL statement on SQLite, in one run. Writes the
# section bench_cpas of docs/benchmarks.md.
#
# Usage: scripts/bench.d/cpas.sh BUILD_DIR
set -euo pipefail
build=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -x "$build/bench_cpas" ] || { echo "cpas.sh: build $build/bench_cpas first" >&2; exit 1; }
out=$(mktemp /tmp/pko-bench-cpas-XXXXXX.md)
trap 'rm -f "$out"' EXIT
{
  echo "Measured $(date -u +%Y-%m-%d\ %H:%M) UTC on $(nproc) cores ($(uname -m)), load average"
  echo "$(cut -d' ' -f1-3 /proc/loadavg) at the start, build directory \`$(basename "$build")\`,"
  echo "by \`scripts/bench.d/cpas.sh\`. Target (issue 5): the whole dashboard in 50 ms or less."
  echo
  "$build/bench_cpas" 1000 110 21
} >"$out"
python3 "$root/scripts/bench_section.py" "$root/docs/benchmarks.md" bench_cpas "$out"
echo "cpas.sh: docs/benchmarks.md section bench_cpas updated"
