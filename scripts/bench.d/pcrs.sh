#!/usr/bin/env bash
# PCRS matching bench (bench/bench_pcrs.c): 1,000 open requirements against
# 10,000 available pledges (the issue's scale), then against 1,000 (scarce
# supply, where optimal and greedy differ more). Writes the section
# bench_pcrs of docs/benchmarks.md.
#
# Usage: scripts/bench.d/pcrs.sh BUILD_DIR
set -euo pipefail
build=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -x "$build/bench_pcrs" ] || { echo "pcrs.sh: build $build/bench_pcrs first" >&2; exit 1; }
out=$(mktemp /tmp/pko-bench-pcrs-XXXXXX.md)
trap 'rm -f "$out"' EXIT
{
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(uname -m)), build directory \`$(basename "$build")\`,"
  echo "by \`scripts/bench.d/pcrs.sh\`."
  echo
  echo "### 1,000 requirements x 10,000 pledges"
  echo
  "$build/bench_pcrs" 1000 10000 9
  echo
  echo "### 1,000 requirements x 1,000 pledges (scarce supply)"
  echo
  "$build/bench_pcrs" 1000 1000 9
} >"$out"
python3 "$root/scripts/bench_section.py" "$root/docs/benchmarks.md" bench_pcrs "$out"
echo "pcrs.sh: docs/benchmarks.md section bench_pcrs updated"
