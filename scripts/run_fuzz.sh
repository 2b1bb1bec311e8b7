#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Usage: scripts/run_fuzz.sh TARGET_BINARY CORPUS_DIR SECONDS
#
# 1. Replay: run every file in CORPUS_DIR once through the libFuzzer target
#    (like SQLite's fuzzcheck), so crashers committed to the corpus are
#    regression tests. Any failure fails the script.
# 2. Fuzz: for SECONDS seconds (0 = replay only), starting from a temporary
#    writable copy of the corpus, so new inputs never land in the repository.
#
# Prints one summary line and exits 0 only when nothing crashed, leaked,
# timed out or ran out of memory. On failure the crashing inputs are kept
# in a directory outside the repository (FUZZ_ARTIFACT_DIR, default a
# temporary directory) and the path is printed; see fuzz/README.md for how
# to add one to the corpus.
set -u

if [ $# -ne 3 ]; then
    echo "usage: $0 TARGET_BINARY CORPUS_DIR SECONDS" >&2
    exit 2
fi
target=$1
corpus=$2
seconds=$3
name=$(basename "$target")

case $seconds in
'' | *[!0-9]*)
    echo "$0: SECONDS must be a whole number, not '$seconds'" >&2
    exit 2
    ;;
esac
if [ ! -x "$target" ]; then
    echo "$0: $target is not an executable (build with: make asan)" >&2
    exit 2
fi

opts=(-max_len=65536 -timeout=10 -rss_limit_mb=2048)

work=$(mktemp -d "${TMPDIR:-/tmp}/pko-fuzz-$name.XXXXXX") || exit 2
keep=0
cleanup() { [ "$keep" = 1 ] || rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
artifacts=${FUZZ_ARTIFACT_DIR:-$work/artifacts}
mkdir -p "$artifacts" "$work/corpus" || exit 2

# ---- 1. Replay ----------------------------------------------------------------
replayed=0
failed=0
failed_names=()
if [ -d "$corpus" ]; then
    while IFS= read -r -d '' f; do
        replayed=$((replayed + 1))
        if ! "$target" "${opts[@]}" -artifact_prefix="$artifacts/" "$f" \
            >"$work/replay.log" 2>&1; then
            failed=$((failed + 1))
            failed_names+=("$f")
            cp "$work/replay.log" "$work/replay-$failed.log"
            echo "=== $name: replay FAILED on $f (full log: $work/replay-$failed.log)" >&2
            tail -n 40 "$work/replay.log" >&2
        fi
    done < <(find "$corpus" -type f ! -name '.*' -print0 | sort -z)
else
    echo "$name: corpus directory $corpus does not exist; fuzzing from scratch" >&2
fi

if [ "$failed" -gt 0 ]; then
    keep=1
    echo "$name: FAIL replay $replayed inputs, $failed failed: ${failed_names[*]}; logs in $work"
    exit 1
fi
if [ "$seconds" -eq 0 ]; then
    echo "$name: OK replay $replayed inputs, 0 failed; no fuzzing (SECONDS=0)"
    exit 0
fi

# ---- 2. Fuzz ------------------------------------------------------------------
if [ -d "$corpus" ]; then
    find "$corpus" -type f ! -name '.*' -exec cp {} "$work/corpus/" \; 2>/dev/null
fi
chmod -R u+w "$work/corpus"
log=$work/fuzz.log
"$target" "${opts[@]}" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$work/corpus" >"$log" 2>&1
status=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
corp=$(printf '%s\n' "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
stats="replay $replayed inputs ok; fuzzed ${seconds}s: ${execs:-?} execs, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}"

if [ "$status" -ne 0 ]; then
    keep=1
    echo "=== $name: fuzzing FAILED (exit $status); last lines of the log:" >&2
    tail -n 60 "$log" >&2
    echo "=== crashing inputs kept in $artifacts:" >&2
    ls -l "$artifacts" >&2
    echo "$name: FAIL $stats; artifacts in $artifacts, log $log"
    exit 1
fi
echo "$name: OK $stats"
exit 0
