#!/usr/bin/env bash
# Run the benchmarks side by side with their peers and write the results
# into docs/benchmarks.md (between the BEGIN/END markers of each section).
#
# Usage: scripts/bench.sh BUILD_DIR [EVENTS...]   (default: 1000000 10000000)
#
# Starts a private PostgreSQL 15 + PostGIS 3.3 cluster on a free loopback
# port in a temporary directory, loads the same synthetic events into it,
# and stops and removes it at the end.
set -euo pipefail
build=$(realpath "$1"); shift
sizes=("$@"); [ "${#sizes[@]}" -gt 0 ] || sizes=(1000000 10000000)
root=$(cd "$(dirname "$0")/.." && pwd)
centers="$root/../shared/data/ucdp/ged201_subset_year_lonlat_best.csv"
[ -f "$centers" ] || centers=""

work=$(mktemp -d /tmp/pko-bench-XXXXXX)
chmod 755 "$work"
pgbin=/usr/lib/postgresql/15/bin
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$work/pg"
[ "$(id -u)" -eq 0 ] && chown postgres "$work/pg"
cleanup() { as_pg "$pgbin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
as_pg "$pgbin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
as_pg "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w start -o \
  "-p $port -k $work/pg -c listen_addresses=127.0.0.1 -c shared_buffers=4GB -c work_mem=256MB \
   -c maintenance_work_mem=2GB -c max_wal_size=8GB -c fsync=off -c synchronous_commit=off \
   -c max_parallel_workers_per_gather=2 -c jit=off" >/dev/null
"$pgbin/../bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE EXTENSION postgis" postgres 2>/dev/null \
  || psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE EXTENSION postgis" postgres
pgver=$(psql -h 127.0.0.1 -p "$port" -U postgres -Atc "SELECT version()" postgres | cut -d' ' -f1-2)
postgis=$(psql -h 127.0.0.1 -p "$port" -U postgres -Atc "SELECT postgis_lib_version()" postgres)

out="$work/map.md"
{
  echo "Run on $(date -u +%Y-%m-%d), $(nproc) CPUs, $(free -g | awk '/Mem:/{print $2}') GiB;"
  echo "peers in the same run: SQLite $(sqlite3 --version | cut -d' ' -f1) R*Tree (rtree_i32) and"
  echo "$pgver + PostGIS $postgis (GiST on the point, btree on time; fsync off, 4 GB shared buffers)."
  echo
  for n in "${sizes[@]}"; do
    "$build/bench_map" --events "$n" --runs 101 --workdir "$work" ${centers:+--centers "$centers"} \
      --pg "host=127.0.0.1 port=$port user=postgres dbname=postgres"
  done
} | tee "$out"

# Import: the real path (CSV -> validation -> store write path with change
# log, FTS5 and unique indexes -> one commit), on synthetic UCDP rows.
rows=${IMPORT_ROWS:-200000}
python3 "$root/scripts/gen_ucdp.py" "$rows" "$work/syn.csv" "$centers"
"$build/pko" init --db "$work/imp.db" >/dev/null 2>&1
imp=$("$build/pko" import ucdp "$work/syn.csv" --db "$work/imp.db" --quiet)
start=$(date +%s.%N)
"$build/pko" serve --db "$work/imp.db" --listen 127.0.0.1:0 2>"$work/serve.log" &
spid=$!
for _ in $(seq 100); do grep -q incident_index_built "$work/serve.log" && break; sleep 0.1; done
kill $spid; wait $spid 2>/dev/null || true
built=$(grep -o 'events=[0-9]* seconds=[0-9.]*' "$work/serve.log" | head -1)
size=$(du -m "$work/imp.db" | cut -f1)
imp_out="$work/import.md"
{
  echo "Run on $(date -u +%Y-%m-%d): \`pko import ucdp\` of $rows synthetic UCDP GED rows"
  echo "(scripts/gen_ucdp.py): $imp"
  echo
  echo "Index rebuild at the next \`pko serve\`: $built. Database file: $size MB"
  echo "($(( size * 1024 * 1024 / rows )) bytes per event with its change record, audit and FTS5 entries)."
} | tee "$imp_out"

replace() { python3 "$root/scripts/bench_section.py" "$root/docs/benchmarks.md" "$1" "$2"; }
replace bench_map "$out"
replace bench_import "$imp_out"
echo "bench: results written to docs/benchmarks.md" >&2
