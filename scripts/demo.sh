#!/usr/bin/env bash
# Start a PKO demonstration server.
#
# Usage: scripts/demo.sh PKO_BINARY DATA_DIR ADDR:PORT
#
# On first run: creates DATA_DIR/pko.db, a demo administrator with a random
# password (kept in DATA_DIR/admin-password, mode 600), and loads the UN
# peacekeeping missions since 1948 from ../shared/data (or a few synthetic
# missions when that data is absent) and the bases of MINUSCA and MONUSCO
# from Geo-PKO (or synthetic sites). Then serves until Ctrl-C.
set -euo pipefail

bin=$(realpath "$1")
dir=$2
listen=$3
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
db="$dir/pko.db"
pwfile="$dir/admin-password"

if [ ! -f "$db" ]; then
  "$bin" init --db "$db"
  umask 077
  python3 -c 'import secrets; print(secrets.token_urlsafe(12))' > "$pwfile"
  "$bin" user add admin --role system_admin --clearance strictly_confidential \
    --password-stdin --db "$db" < "$pwfile"
fi
password=$(cat "$pwfile")

# Administrative boundaries (GADM GeoJSON) offered as a map overlay.
if [ -d "$root/../shared/data/boundaries" ]; then
  export PKO_BOUNDARIES_DIR="$root/../shared/data/boundaries"
fi

"$bin" serve --db "$db" --listen "$listen" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null' INT TERM EXIT

python3 "$root/scripts/demo_seed.py" "http://$listen" admin "$password" \
  "$root/../shared/data/missions/un_pko_missions_DPPADPOSS-PKO.csv" \
  "$root/../shared/data/geopko"

# Incidents: the UCDP GED sample and the ACLED DRC extract when present,
# else synthetic events. Imported while the server runs: its map index
# catches up from the change log. Re-running imports nothing twice.
ucdp="$root/../shared/data/ucdp/ged231_sample_a.csv"
acled="$root/../shared/data/acled/acled_drc_2016_2017_clean.csv"
if [ -f "$ucdp" ]; then
  "$bin" import ucdp "$ucdp" --db "$db" --quiet --errors "$dir/ucdp.errors.txt" || true
  [ -f "$acled" ] && { "$bin" import acled "$acled" --encoding cp1252 --mission MONUSCO --db "$db" \
    --quiet --errors "$dir/acled.errors.txt" || true; }
else
  [ -f "$dir/synthetic.csv" ] || python3 "$root/scripts/gen_ucdp.py" 5000 "$dir/synthetic.csv"
  "$bin" import ucdp "$dir/synthetic.csv" --db "$db" --quiet --errors "$dir/ucdp.errors.txt" || true
fi

# Peacekeeper fatalities since 1948 (the UN dataset) for the registers page
# and the report figures, when present. Re-running changes nothing.
fat="$root/../shared/data/fatalities/un_peacekeeping_fatalities_DPPADPOSS.csv"
[ -f "$fat" ] && { "$bin" import fatalities "$fat" --db "$db" \
  --errors "$dir/fatalities.errors.txt" >/dev/null || true; }

cat <<TXT

  PKO demo server is running at http://$listen  (open it in a browser)
    health:    curl http://$listen/healthz
    log in:    user "admin", password "$password"
               curl -c cookies -H 'Content-Type: application/json' \\
                    -d '{"username":"admin","password":"$password"}' http://$listen/api/v1/session
    missions:  curl -b cookies http://$listen/api/v1/missions?limit=5
    map:       curl -b cookies 'http://$listen/api/v1/incidents/map?zoom=2'
    incidents: curl -b cookies 'http://$listen/api/v1/incidents?q=attack&limit=5'
    figures:   curl -b cookies 'http://$listen/api/v1/reports/sg-figures?from=2013-01-01&format=csv'
    API:       http://$listen/api/v1/openapi.json
  Data is kept in $dir (delete it to start over). Press Ctrl-C to stop.

TXT
wait $server
