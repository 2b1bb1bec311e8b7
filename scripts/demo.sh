#!/usr/bin/env bash
# Start a PKO demonstration server.
#
# Usage: scripts/demo.sh PKO_BINARY DATA_DIR ADDR:PORT
#
# On first run: creates DATA_DIR/pko.db, a demo administrator and one demo
# user per role with random passwords (DATA_DIR/passwords, mode 600; the
# administrator's also in DATA_DIR/admin-password). Then, on every run
# (nothing is added twice): the UN peacekeeping missions since 1948 from
# ../shared/data (or a few synthetic missions when that data is absent), the
# bases of MINUSCA and MONUSCO from Geo-PKO (or synthetic sites), UCDP/ACLED
# incidents (or synthetic ones), synthetic protection incidents of MINUSCA,
# the UN fatalities and misconduct tables when present, and through the API
# (scripts/demo_modules.py) a CPAS plan, PCRS pledges and requirements, a
# mission design, CASEVAC, crimes-against-peacekeepers, status-of-forces and
# unit-performance records. Then serves until Ctrl-C.
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
shared="$root/../shared/data"
missions_csv="$shared/missions/un_pko_missions_DPPADPOSS-PKO.csv"
# The mission the demo's CPAS plan, registers and mission administrator
# concern, and a second one (synthetic missions when the UN list is absent).
if [ -f "$missions_csv" ]; then primary=MINUSCA secondary=MONUSCO
else primary=DEMO-1 secondary=DEMO-2; fi
t0=$(date +%s)

# Administrative boundaries (GADM GeoJSON) offered as a map overlay.
if [ -d "$root/../shared/data/boundaries" ]; then
  export PKO_BOUNDARIES_DIR="$root/../shared/data/boundaries"
fi

# The server's log (one line per request) goes to DATA_DIR/server.log.
"$bin" serve --db "$db" --listen "$listen" 2>>"$dir/server.log" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null' INT TERM EXIT

python3 "$root/scripts/demo_seed.py" "http://$listen" admin "$password" \
  "$missions_csv" \
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

# The UN table of allegations of sexual exploitation and abuse (restricted
# register: conduct officers and system administrators only). The table
# has one row the register refuses (reported before its incident): exit 1.
sea="$shared/conduct/un_sea_allegations_july2024.csv"
[ -f "$sea" ] && { "$bin" import misconduct "$sea" --db "$db" \
  --errors "$dir/misconduct.errors.txt" >/dev/null || true; }

# Synthetic protection incidents of the primary mission (the UCDP sample has
# almost none in the Central African Republic): the CPAS plan's computed
# indicators count them. Same file every run, keyed by source id.
python3 "$root/scripts/demo_modules.py" incidents-csv "$dir/protection.csv" "$dir/protection.map.json"
"$bin" import csv "$dir/protection.csv" --map "$dir/protection.map.json" --mission "$primary" \
  --db "$db" --quiet --errors "$dir/protection.errors.txt" || true

# One demo user per role, each with a generated password kept in
# DATA_DIR/passwords (mode 600), created once.
pwall="$dir/passwords"
( umask 077; touch "$pwall" )
grep -q '^admin ' "$pwall" || echo "admin $password" >> "$pwall"
existing=$("$bin" user list --db "$db")
while read -r name role clearance; do
  if ! grep -q "^$name " "$pwall" && ! grep -qw "^$name" <<<"$existing"; then
    pw=$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')
    printf '%s\n' "$pw" | "$bin" user add "$name" --role "$role" --clearance "$clearance" \
      --password-stdin --db "$db" >/dev/null
    echo "$name $pw" >> "$pwall"
  fi
done <<USERS
planner planner confidential
fgo force_generation_officer confidential
conduct conduct_officer strictly_confidential
analyst analyst confidential
viewer viewer unclassified
reporter reporter unclassified
mission_admin mission_admin:$primary confidential
USERS

# Every module's demo data, through the API as the users of each role.
python3 "$root/scripts/demo_modules.py" seed "http://$listen" "$pwall" "$primary" "$secondary" \
  || echo "demo: some module data could not be loaded (see above); the server runs anyway" >&2
echo "demo: data loaded in $(( $(date +%s) - t0 )) s"

users=$(awk '$1 != "admin" { printf "               %-14s %s\n", $1, $2 }' "$pwall")

cat <<TXT

  PKO demo server is running at http://$listen  (open it in a browser)
    health:    curl http://$listen/healthz
    log in:    user "admin", password "$password"   (system administrator)
               curl -c cookies -H 'Content-Type: application/json' \\
                    -d '{"username":"admin","password":"$password"}' http://$listen/api/v1/session
    missions:  curl -b cookies http://$listen/api/v1/missions?limit=5
    map:       curl -b cookies 'http://$listen/api/v1/incidents/map?zoom=2'
    incidents: curl -b cookies 'http://$listen/api/v1/incidents?q=attack&limit=5'
    figures:   curl -b cookies 'http://$listen/api/v1/reports/sg-figures?from=2013-01-01&format=csv'
    API:       http://$listen/api/v1/openapi.json
  Demo users, one per role (the mission administrator of $primary); passwords
  also in $pwall:
$users
  Server log: $dir/server.log
  Data is kept in $dir (delete it to start over). Press Ctrl-C to stop.

TXT
wait $server
