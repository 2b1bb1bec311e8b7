#!/usr/bin/env python3
"""Load the demonstration missions into a running PKO server through its API.

Usage: demo_seed.py BASE_URL USERNAME PASSWORD [MISSIONS_CSV [GEOPKO_DIR]]

MISSIONS_CSV is the UN DPPA/DPO list of peacekeeping missions since 1948
(../shared/data/missions/). When it is absent, five synthetic missions are
generated so the demo still has data. Missions already present (same
acronym) are skipped, so running twice is harmless.

GEOPKO_DIR (../shared/data/geopko/) gives the bases of MINUSCA and MONUSCO:
their deployment locations in the latest year of Geo-PKO (geopko_v2.csv
when present, latest year and month; otherwise the v2.3 dashboard extract
geopko_dashboard_FrontMap_v.2.3.csv, latest year, with the contributing
countries from geopko_dashboard_TCCMap_v.2.3.csv). Geo-PKO's HQ code maps
to the site kind: 3 mission_hq, 2 sector_hq, anything else team_site (an
approximation: Geo-PKO does not separate team sites from company bases).
Sites are posted with source_system "geopko" and a source_id
MISSION/YEAR[-MONTH]/LOCATION, so a second run adds nothing. Without the
data, a few synthetic sites are created for the first synthetic mission.
"""
import csv
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar


def main() -> int:
    base, user, password = sys.argv[1:4]
    path = sys.argv[4] if len(sys.argv) > 4 else ""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    for _ in range(100):  # wait up to 10 s for the server
        try:
            opener.open(base + "/healthz", timeout=2).read()
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    else:
        print("demo: the server did not start", file=sys.stderr)
        return 1

    def call(method, url, body=None, csrf=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(base + url, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if csrf:
            req.add_header("X-CSRF-Token", csrf)
        try:
            with opener.open(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    status, session = call("POST", "/api/v1/session", {"username": user, "password": password})
    if status != 200:
        print(f"demo: login failed: {session}", file=sys.stderr)
        return 1
    csrf = session["csrf_token"]

    missions = []
    if path and os.path.exists(path):
        with open(path, encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                acronym = re.sub(r"[^A-Z0-9]+", "-", row["mission_acronym"].upper()).strip("-")
                active = row["mission_isactive"].strip().lower() == "yes"
                m = {"name": row["mission_name"].strip(), "acronym": acronym,
                     "status": "active" if active else "closed"}
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["start_date"] or ""):
                    m["start_date"] = row["start_date"]
                missions.append(m)
        source = os.path.basename(path)
    else:
        missions = [{"name": f"Synthetic demonstration mission {i}", "acronym": f"DEMO-{i}",
                     "status": "active", "start_date": f"20{10 + i}-01-01"} for i in range(1, 6)]
        source = "synthetic data (../shared/data not found)"

    created = skipped = 0
    for m in missions:
        status, body = call("POST", "/api/v1/missions", m, csrf)
        if status == 201:
            created += 1
        elif status == 409:
            skipped += 1
        else:
            print(f"demo: {m['acronym']}: {status} {body}", file=sys.stderr)
    print(f"demo: {created} missions loaded, {skipped} already present, from {source}")

    ids = {}
    cursor = None
    while True:
        url = "/api/v1/missions?limit=200" + (f"&cursor={cursor}" if cursor else "")
        status, page = call("GET", url)
        if status != 200:
            print(f"demo: listing missions: {status} {page}", file=sys.stderr)
            return 1
        ids.update({m["acronym"]: m["id"] for m in page["items"]})
        cursor = page["next_cursor"]
        if not cursor:
            break

    geodir = sys.argv[5] if len(sys.argv) > 5 else ""
    sites, source = geopko_sites(geodir, ("MINUSCA", "MONUSCO"))
    if not sites:
        sites = synthetic_sites()
        source = "synthetic sites (../shared/data/geopko not found)"
    created = skipped = 0
    for acronym, site in sites:
        mid = ids.get(acronym)
        if not mid:
            continue
        status, body = call("POST", f"/api/v1/missions/{mid}/sites", site, csrf)
        if status == 201:
            created += 1
        elif status == 409:
            skipped += 1
        else:
            print(f"demo: site {site['name']}: {status} {body}", file=sys.stderr)
    print(f"demo: {created} mission sites loaded, {skipped} already present, from {source}")
    return 0


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def fix_text(v):
    """Undo UTF-8 read as Latin-1 ("MambÃ©rÃ©" -> "Mambéré") in Geo-PKO."""
    if v and "Ã" in v:
        try:
            return v.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return v
    return v


def kind_of(hq):
    return {"3": "mission_hq", "2": "sector_hq"}.get((hq or "").strip(), "team_site")


def geopko_sites(geodir, wanted):
    """[(acronym, site)] for the missions in 'wanted', latest period each."""
    if not geodir:
        return [], ""
    v2 = os.path.join(geodir, "geopko_v2.csv")
    front = os.path.join(geodir, "geopko_dashboard_FrontMap_v.2.3.csv")
    tcc = os.path.join(geodir, "geopko_dashboard_TCCMap_v.2.3.csv")
    rows = []  # (acronym, period, location, country, admin1, lat, lon, troops, hq, contributors)
    if os.path.exists(v2):
        with open(v2, encoding="utf-8-sig", newline="") as f:
            for r in csv.DictReader(f):
                if r.get("Mission") not in wanted:
                    continue
                month = (r.get("month") or "").strip()
                period = r["year"] + ("-%02d" % int(month) if month.isdigit() else "")
                tccs = []
                for i in range(1, 15):
                    name = (r.get(f"name.of.TCC{i}") or "").strip()
                    n = (r.get(f"No.troops.per.TCC{i}") or "").strip()
                    if name and name != "NA":
                        tccs.append(f"{name} ({n})" if n and n != "NA" else name)
                rows.append((r["Mission"], period, r["location"], r.get("country"),
                             r.get("ADM1_name"), num(r["latitude"]), num(r["longitude"]),
                             r.get("No.troops"), r.get("HQ"), ", ".join(tccs)))
        source = os.path.basename(v2)
    elif os.path.exists(front):
        overview = {}
        if os.path.exists(tcc):
            with open(tcc, encoding="utf-8-sig", newline="") as f:
                for r in csv.DictReader(f):
                    overview[(r["mission"], r["year"], r["location"])] = r["year.overview"]
        with open(front, encoding="utf-8-sig", newline="") as f:
            for r in csv.DictReader(f):
                if r["mission"] not in wanted:
                    continue
                rows.append((r["mission"], r["year"], r["location"], r["country"], None,
                             num(r["latitude"]), num(r["longitude"]), r["NoTroops"], r["hq"],
                             overview.get((r["mission"], r["year"], r["location"]), "")))
        source = os.path.basename(front)
    else:
        return [], ""
    latest = {}
    for row in rows:
        latest[row[0]] = max(latest.get(row[0], ""), row[1])
    out = []
    for acr, period, loc, country, admin1, lat, lon, troops, hq, tccs in rows:
        if period != latest[acr] or lat is None or lon is None or not loc:
            continue
        loc, country, admin1, tccs = (fix_text(x) for x in (loc, country, admin1, tccs))
        site = {"name": loc.strip(), "kind": kind_of(hq), "lat": lat, "lon": lon,
                "as_of": period, "source_system": "geopko",
                "source_id": f"{acr}/{period}/{loc.strip()}"}
        if country and country != "NA":
            site["country"] = country
        if admin1 and admin1 != "NA":
            site["admin1"] = admin1
        t = num(troops)
        if t is not None:
            site["troops"] = int(t)
        if tccs:
            site["contributors"] = tccs[:2000]
        out.append((acr, site))
    return out, f"{source} ({', '.join(f'{a} {p}' for a, p in sorted(latest.items()))})"


def synthetic_sites():
    base = [("Synthetic mission headquarters", "mission_hq", 4.39, 18.56, 2000),
            ("Synthetic sector east", "sector_hq", 5.76, 20.67, 800),
            ("Synthetic team site", "team_site", 6.54, 21.99, 150)]
    return [("DEMO-1", {"name": n, "kind": k, "lat": la, "lon": lo, "troops": t,
                        "source_system": "synthetic", "source_id": n})
            for n, k, la, lo, t in base]


if __name__ == "__main__":
    sys.exit(main())
