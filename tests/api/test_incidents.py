#!/usr/bin/env python3
"""Black-box tests of the incidents module against the real binary.

Usage:  python3 tests/api/test_incidents.py /path/to/pko

Covers the event model's validation, the verification workflow and who may
make each transition, visibility of unverified incidents, edit history,
search, map clusters, the histogram, exports (GeoJSON, CSV, HXL), the
actor registry, and imports: the real UCDP GED sample and ACLED extract
from ../shared/data are imported with `pko import` while the server runs,
and per-year and per-country event counts and best-estimate fatalities are
checked against totals computed here from the CSV itself. Ends with
"N passed, M failed"; exits 0 only when nothing failed.
"""

import collections
import csv
import io
import json
import os
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import H, M, S, expect, pko, req, run, test  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(os.path.dirname(ROOT), "shared", "data")
UCDP = os.path.join(DATA, "ucdp", "ged231_sample_a.csv")
ACLED = os.path.join(DATA, "acled", "acled_drc_2016_2017_clean.csv")

def q(params):
    return urllib.parse.urlencode(params)




def incident(**kw):
    body = {"title": "Armed men attacked the market", "occurred_start": "2024-03-01",
            "lat": 4.36, "lon": 18.56, "category": "violence_against_civilians.attack",
            "mission_id": M["MINUSCA"], "killed_civilians": 2, "women_killed": 1}
    body.update(kw)
    return body


# ==== Model and validation ====================================================

@test
def create_validates_each_field():
    cases = [
        ({"lat": 95}, "lat"), ({"lat": "north"}, "lat"), ({"lon": -181}, "lon"),
        ({"occurred_start": "2024-02-30"}, "occurred_start"),
        ({"occurred_end": "2024-02-01"}, "occurred_end"),
        ({"category": "aliens"}, "category"), ({"title": ""}, "title"),
        ({"source_reliability": "G"}, "source_reliability"),
        ({"source_credibility": 7}, "source_credibility"),
        ({"women_killed": 3}, "women_killed"), ({"killed_civilians": -1}, "killed_civilians"),
        ({"status": "verified"}, "status"), ({"mission_id": "x"}, "mission_id"),
        ({"perpetrator_id": "01a2067f-eab7-76d0-bb28-1c5d0a36a9cb"}, "perpetrator_id"),
        ({"colour": "red"}, "colour"),
    ]
    for change, field in cases:
        st, js, _, _ = req("POST", "/api/v1/incidents", incident(**change), S["reporter"])
        expect(st == 400 and js["error"]["field"] == field, "%r -> %s %r" % (change, st, js))


@test
def reporter_creates_a_draft_with_derived_totals():
    st, js, _, r = req("POST", "/api/v1/incidents",
                       incident(title="IED on the Bangui road", category="pk.ied_explosive_ordnance",
                                killed_un_uniformed=1, injured_un_uniformed=3,
                                source_reliability="B", source_credibility=2,
                                source_type="un_patrol"), S["reporter"])
    expect(st == 201, js)
    expect(r.getheader("Location") == "/api/v1/incidents/" + js["id"], "Location header")
    expect(js["status"] == "draft" and js["reporter_id"] == S["reporter"]["id"], js)
    expect(js["killed_total"] == 3 and js["casualties_total"] == 6, js)
    expect(js["category_label"] == "IED or explosive ordnance", js)
    S["draft"] = js["id"]


@test
def unverified_incidents_are_hidden_from_viewers():
    d = S["draft"]
    expect(req("GET", "/api/v1/incidents/" + d, s=S["viewer"])[0] == 404, "viewer sees a draft")
    expect(req("GET", "/api/v1/incidents/" + d, s=S["reporter"])[0] == 200, "reporter")
    expect(req("GET", "/api/v1/incidents/" + d, s=S["analyst"])[0] == 200, "analyst")
    expect(req("GET", "/api/v1/incidents/" + d, s=S["other"])[0] == 404, "other mission")


@test
def workflow_allows_only_the_right_roles():
    d = S["draft"]
    path = "/api/v1/incidents/%s/transition" % d
    st, js, _, _ = req("POST", path, {"status": "verified"}, S["analyst"])
    expect(st == 409, "draft -> verified must be refused: %s %r" % (st, js))
    st, js, _, _ = req("POST", path, {"status": "submitted"}, S["reporter"])
    expect(st == 200 and js["status"] == "submitted", js)
    st, js, _, _ = req("POST", path, {"status": "verified"}, S["reporter"])
    expect(st == 403, "a reporter may not verify: %s" % st)
    st, js, _, _ = req("POST", path, {"status": "returned"}, S["analyst"])
    expect(st == 400 and js["error"]["field"] == "reason", js)
    st, js, _, _ = req("POST", path, {"status": "returned", "reason": "Add the source"},
                       S["analyst"])
    expect(st == 200 and js["status_reason"] == "Add the source", js)
    st, js, _, _ = req("PATCH", "/api/v1/incidents/" + d, {"narrative": "Patrol saw it."},
                       S["reporter"])
    expect(st == 200 and js["narrative"] == "Patrol saw it.", js)
    expect(req("POST", path, {"status": "submitted"}, S["reporter"])[0] == 200, "resubmit")
    st, js, _, _ = req("POST", path, {"status": "verified"}, S["analyst"])
    expect(st == 200 and js["status"] == "verified", js)
    expect(req("GET", "/api/v1/incidents/" + d, s=S["viewer"])[0] == 200, "viewer sees verified")
    st, js, _, _ = req("PATCH", "/api/v1/incidents/" + d, {"title": "x y z"}, S["reporter"])
    expect(st == 403, "reporter edits a verified incident: %s" % st)
    expect(req("POST", path, {"status": "published"}, S["viewer"])[0] == 403, "viewer publishes")
    st, js, _, _ = req("POST", path, {"status": "published"}, S["madmin"])
    expect(st == 200 and js["status"] == "published", js)
    expect(req("POST", path, {"status": "draft"}, S["analyst"])[0] in (400, 409), "back to draft")


@test
def an_analyst_of_another_mission_cannot_move_an_incident():
    st, js, _, _ = req("GET", "/api/v1/incidents/" + S["draft"], s=S["crossanalyst"])
    expect(st == 200 and js["status"] == "published", "sees the published incident: %s" % st)
    st, js, _, _ = req("PATCH", "/api/v1/incidents/" + S["draft"],
                       {"mission_id": M["MONUSCO"]}, S["crossanalyst"])
    expect(st == 403, "moved an incident of a mission it only views: %s %r" % (st, js))
    st, js, _, _ = req("PATCH", "/api/v1/incidents/" + S["draft"], {"title": "hijacked"},
                       S["crossanalyst"])
    expect(st == 403, "edited it: %s" % st)


@test
def history_lists_every_change_with_its_author():
    st, js, _, _ = req("GET", "/api/v1/incidents/%s/history" % S["draft"], s=S["analyst"])
    expect(st == 200, js)
    statuses = [h["fields"].get("status") for h in js["items"] if "status" in h["fields"]]
    expect(statuses == ["draft", "submitted", "returned", "submitted", "verified", "published"],
           statuses)
    authors = {h.get("author_name") for h in js["items"]}
    expect({"reporter", "analyst", "madmin"} <= authors, authors)
    expect(js["items"][0]["op"] == "insert" and js["items"][1]["op"] == "update", js["items"][:2])


@test
def stale_version_is_a_conflict():
    st, js, _, _ = req("POST", "/api/v1/incidents", incident(title="Stale edit test"), S["analyst"])
    i = js["id"]
    expect(req("PATCH", "/api/v1/incidents/" + i, {"title": "Edit 1", "version": 1},
               S["analyst"])[0] == 200, "first edit")
    st, js, _, _ = req("PATCH", "/api/v1/incidents/" + i, {"title": "Edit 2", "version": 1},
                       S["analyst"])
    expect(st == 409, (st, js))


@test
def links_and_actors():
    st, js, _, _ = req("POST", "/api/v1/actors", {"name": "3R", "actor_type": "armed_group"},
                       S["analyst"])
    expect(st == 201, js)
    actor = js["id"]
    expect(req("POST", "/api/v1/actors", {"name": "3r", "actor_type": "armed_group"},
               S["analyst"])[0] == 409, "duplicate actor name")
    expect(req("POST", "/api/v1/actors", {"name": "X", "actor_type": "alien"},
               S["analyst"])[0] == 400, "bad actor type")
    st, js, _, _ = req("POST", "/api/v1/incidents", incident(title="Follow-up attack",
                                                              perpetrator_id=actor), S["analyst"])
    expect(st == 201 and js["perpetrator"]["name"] == "3R", js)
    S["actor"] = actor
    st, js, _, _ = req("POST", "/api/v1/incidents/%s/links" % js["id"],
                       {"related_id": S["draft"], "relation": "follow_up_of"}, S["analyst"])
    expect(st == 201, js)
    st, js, _, _ = req("GET", "/api/v1/incidents/" + S["draft"], s=S["analyst"])
    expect(len(js["links"]) == 1 and js["links"][0]["relation"] == "follow_up_of", js["links"])


# ==== Queries =================================================================

@test
def search_filters_and_scope():
    st, js, _, _ = req("GET", "/api/v1/incidents?" + q({"q": "bangui IED", "count": 1}),
                       s=S["analyst"])
    expect(st == 200 and js["total"] == 1 and js["items"][0]["id"] == S["draft"], js)
    st, js, _, _ = req("GET", "/api/v1/incidents?" + q({"actor": S["actor"], "count": 1}),
                       s=S["analyst"])
    expect(js["total"] == 1, js)
    st, js, _, _ = req("GET", "/api/v1/incidents?" + q({"category": "pk", "count": 1}),
                       s=S["analyst"])
    expect(js["total"] == 1, js)
    st, js, _, _ = req("GET", "/api/v1/incidents?count=1", s=S["other"])
    expect(js["total"] == 0, "another mission's viewer sees nothing: %r" % js)
    st, js, _, _ = req("GET", "/api/v1/incidents?count=1&min_killed=3", s=S["viewer"])
    expect(js["total"] == 1, js)  # the published IED; the others are drafts
    bad = [("bbox", "1,2,3"), ("bbox", "10,0,5,5"), ("from", "yesterday"),
           ("category", "nope"), ("status", "lost"), ("min_killed", "-1"),
           ("polygon", "1 1,2 2"), ("to", "")]
    for k, v in bad:
        st, js, _, _ = req("GET", "/api/v1/incidents?" + (q({k: v}) if k != "to" else
                                                          "to=2020-01-01&from=2021-01-01"),
                           s=S["analyst"])
        expect(st == 400, "%s=%s -> %s" % (k, v, st))


def import_cli(kind, path, *extra):
    return pko("import", kind, path, "--db", H.db, "--quiet",
               "--errors", os.path.join(H.tmp, kind + ".errors.txt"), *extra)


@test
def ucdp_import_matches_the_file():
    if not os.path.exists(UCDP):
        print("SKIP ucdp_import_matches_the_file: %s not found" % UCDP)
        return
    p = import_cli("ucdp", UCDP)
    expect(p.returncode == 0, p.stdout + p.stderr)
    expect("500 inserted" in p.stdout, p.stdout)
    with open(UCDP, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    by_year = collections.Counter(r["date_start"][:4] for r in rows)
    killed_year = collections.Counter()
    by_country = collections.Counter(r["country"] for r in rows)
    killed_country = collections.Counter()
    for r in rows:
        killed_year[r["date_start"][:4]] += int(r["best"])
        killed_country[r["country"]] += int(r["best"])
    # Per year: the histogram, run by the server that was up during the import.
    st, js, _, _ = req("GET", "/api/v1/incidents/histogram?" + q(
        {"bucket": "year", "category": "ucdp"}), s=S["admin"])
    expect(st == 200, js)
    got = {b["start"][:4]: (b["count"], b["killed"]) for b in js["bins"] if b["count"]}
    want = {y: (by_year[y], killed_year[y]) for y in by_year}
    expect(got == want, "per-year mismatch: %r" % sorted(set(got.items()) ^ set(want.items()))[:5])
    # Per country: the streamed CSV export.
    st, _, raw, r = req("GET", "/api/v1/incidents/export?" + q(
        {"format": "csv", "category": "ucdp"}), s=S["admin"])
    expect(st == 200 and r.getheader("Content-Type").startswith("text/csv"), st)
    exp = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    expect(len(exp) == len(rows), "export has %d rows, file %d" % (len(exp), len(rows)))
    got_c = collections.Counter(e["country"] for e in exp)
    got_k = collections.Counter()
    for e in exp:
        got_k[e["country"]] += int(e["killed_total"])
    expect(got_c == by_country and got_k == killed_country, "per-country mismatch")
    ids = {e["source_id"] for e in exp}
    expect(ids == {r["id"] for r in rows}, "UCDP ids kept as source ids")
    # Re-import: updates nothing, duplicates nothing.
    p = import_cli("ucdp", UCDP)
    expect(p.returncode == 0 and "0 inserted" in p.stdout and "500 unchanged" in p.stdout,
           p.stdout)
    st, js, _, _ = req("GET", "/api/v1/incidents?count=1&category=ucdp", s=S["admin"])
    expect(js["total"] == 500, js["total"])


@test
def acled_import_reports_encoding_errors_then_imports_cp1252():
    if not os.path.exists(ACLED):
        print("SKIP acled: %s not found" % ACLED)
        return
    p = import_cli("acled", ACLED)
    expect(p.returncode == 1, "utf-8 read of a cp1252 file must reject rows: %s" % p.stdout)
    with open(os.path.join(H.tmp, "acled.errors.txt")) as f:
        first = f.readline()
    expect("line " in first and "column" in first and "cp1252" in first, first)
    st, js, _, _ = req("GET", "/api/v1/incidents?count=1&category=battles", s=S["admin"])
    before = js["total"]
    p = import_cli("acled", ACLED, "--encoding", "cp1252", "--mission", "MONUSCO")
    expect(p.returncode == 0 and "rejected" in p.stdout, p.stdout + p.stderr)
    with open(ACLED, encoding="cp1252", newline="") as f:
        rows = list(csv.DictReader(f))
    st, js, _, _ = req("GET", "/api/v1/incidents?count=1&mission=MONUSCO", s=S["admin"])
    expect(js["total"] == len(rows), (js["total"], len(rows)))
    st, js, _, _ = req("GET", "/api/v1/incidents?count=1&category=battles", s=S["admin"])
    expect(js["total"] > before, "battles mapped")
    # Text with accents (cp1252 in the file: "La Prospérité") is transcoded and searchable.
    word = next(w for r in rows for w in (r["Notes"] + " " + r["Source"]).split()
                if any(ord(c) > 127 for c in w))
    st, js, _, _ = req("GET", "/api/v1/incidents?" + q({"q": word, "count": 1}), s=S["admin"])
    expect(js["total"] >= 1, "transcoded text %r is searchable: %r" % (word, js))


@test
def unusable_input_exits_2_and_imports_nothing():
    bad = os.path.join(H.tmp, "bad.csv")
    with open(bad, "w") as f:
        f.write("id,latitude\n1,2\n")
    p = import_cli("ucdp", bad)
    expect(p.returncode == 2 and "no column" in p.stderr, p.stderr)
    with open(bad, "w") as f:
        f.write("id,type_of_violence,latitude,longitude,date_start,best\n"
                "x1,1,95,10,2020-01-01,1\n"        # latitude out of range
                "x2,1,10,10,2020-13-01,1\n"        # bad date
                "x3,4,10,10,2020-01-01,1\n"        # bad type
                "x4,1,10,10,2020-01-01,\"2\n")     # broken quoting
    p = import_cli("ucdp", bad)
    expect(p.returncode == 1, p.stdout)
    with open(os.path.join(H.tmp, "ucdp.errors.txt")) as f:
        report = f.read()
    for line in ("line 2", "line 3", "line 4", "line 5"):
        expect(line in report, "%s missing from %r" % (line, report))
    expect("latitude" in report or "lat" in report, report)


@test
def api_import_for_administrators():
    body = (b"id,type_of_violence,latitude,longitude,date_start,best,country\n"
            b"api-1,3,4.4,18.5,2021-05-01,4,Central African Republic\n")
    st, js, _, _ = req("POST", "/api/v1/incidents/import?format=ucdp&mission=MINUSCA", body,
                       S["analyst"], ctype="text/csv")
    expect(st == 403, "analyst imports: %s" % st)
    st, js, _, _ = req("POST", "/api/v1/incidents/import?format=ucdp&mission=MINUSCA", body,
                       S["admin"], ctype="application/json")
    expect(st in (400, 415), "CSV sent as JSON: %s" % st)
    st, js, _, _ = req("POST", "/api/v1/incidents/import?format=ucdp&mission=MINUSCA", body,
                       S["admin"], ctype="text/csv")
    expect(st == 200 and js["inserted"] == 1, js)
    st, js, _, _ = req("GET", "/api/v1/incidents?" + q({"q": "Central African", "count": 1}),
                       s=S["viewer"])
    expect(st == 200, js)


@test
def mapped_csv_import():
    """`pko import csv --map`: 1,000 synthetic rows (scripts/gen_ucdp.py, so
    this runs without ../shared/data too) through a column mapping."""
    src = os.path.join(H.tmp, "synthetic.csv")
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_ucdp.py"), "1000", src],
                   check=True)
    mapping = {
        "source_system": "synthetic",
        "columns": {"source_id": "id", "title": "dyad_name", "occurred_start": "date_start",
                    "lat": "latitude", "lon": "longitude", "killed_total": "best",
                    "category": "type_of_violence", "place": "where_coordinates",
                    "country": "country"},
        "values": {"category": {"1": "ucdp.state_based", "2": "ucdp.non_state",
                                "3": "ucdp.one_sided"}},
        "constants": {"source_type": "dataset"},
    }
    mpath = os.path.join(H.tmp, "mapping.json")
    with open(mpath, "w") as f:
        json.dump(mapping, f)
    url = "/api/v1/incidents?count=1&mission=MINUSCA&category=ucdp"
    before = req("GET", url, s=S["analyst"])[1]["total"]
    p = import_cli("csv", src, "--map", mpath, "--mission", "MINUSCA")
    expect(p.returncode == 0 and "1000 inserted" in p.stdout, p.stdout + p.stderr)
    after = req("GET", url, s=S["analyst"])[1]["total"]
    expect(after - before == 1000, (before, after))
    bad = dict(mapping, columns=dict(mapping["columns"], title="No Such Column"))
    with open(mpath, "w") as f:
        json.dump(bad, f)
    p = import_cli("csv", src, "--map", mpath)
    expect(p.returncode == 2 and "No Such Column" in p.stderr, p.stderr)


@test
def map_clusters_then_events():
    st, js, _, _ = req("GET", "/api/v1/incidents/map?zoom=1", s=S["admin"])
    expect(st == 200 and js["mode"] == "clusters" and js["total"] >= 500, js and js.get("mode"))
    expect(sum(c["count"] for c in js["clusters"]) == js["total"], "cluster counts add up")
    st, js2, _, _ = req("GET", "/api/v1/incidents/map?zoom=1&category=ucdp.one_sided",
                        s=S["admin"])
    expect(js2["total"] < js["total"], "a filter changes the counts")
    st, js, _, _ = req("GET", "/api/v1/incidents/map?" + q(
        {"bbox": "18,4,19,5", "zoom": 14}), s=S["analyst"])
    expect(st == 200 and js["mode"] == "events" and js["events"], js)
    expect(all(18 <= e["lon"] <= 19 for e in js["events"]), "events inside the box")
    st, js, _, _ = req("GET", "/api/v1/incidents/map?" + q({"bbox": "-180,-90,180,90",
                                                            "cell": "0.01"}), s=S["admin"])
    expect(st == 400 and js["error"]["field"] == "cell", js)


@test
def stats_by_category_match_the_searches():
    st, js, _, _ = req("GET", "/api/v1/incidents/stats", s=S["admin"])
    expect(st == 200, js)
    total = req("GET", "/api/v1/incidents?count=1", s=S["admin"])[1]["total"]
    expect(js["total"] == total, (js["total"], total))
    tops = [c for c in js["categories"] if c["top"]]
    expect(sum(c["count"] for c in tops) == total, "top-level counts add up to the total")
    for c in js["categories"][:6]:
        n = req("GET", "/api/v1/incidents?count=1&" + q({"category": c["code"]}),
                s=S["admin"])[1]["total"]
        expect(n == c["count"], (c["code"], n, c["count"]))
    st, js, _, _ = req("GET", "/api/v1/incidents/stats", s=S["other"])
    expect(js["total"] == 0 or all(c["count"] <= total for c in js["categories"]), js)


@test
def exports_geojson_and_hxl():
    st, _, raw, r = req("GET", "/api/v1/incidents/export?format=geojson&mission=MINUSCA",
                        s=S["analyst"])
    expect(st == 200 and r.getheader("Content-Type") == "application/geo+json", st)
    fc = json.loads(raw)
    expect(fc["type"] == "FeatureCollection" and fc["features"], "features")
    f = fc["features"][0]
    expect(f["geometry"]["type"] == "Point" and len(f["geometry"]["coordinates"]) == 2, f)
    st, js, _, _ = req("GET", "/api/v1/incidents?count=1&mission=MINUSCA", s=S["analyst"])
    expect(len(fc["features"]) == js["total"], "export matches the search count")
    st, _, raw, _ = req("GET", "/api/v1/incidents/export?format=hxl", s=S["analyst"])
    lines = raw.decode().split("\r\n")
    expect(lines[1].startswith("#event+id,"), lines[1][:80])
    expect(req("GET", "/api/v1/incidents/export?format=csv", s=S["viewer"])[0] == 403,
           "viewers may not export")
    expect(req("GET", "/api/v1/incidents/export?format=xml", s=S["analyst"])[0] == 400, "format")


@test
def categories_cover_the_taxonomy():
    st, js, _, _ = req("GET", "/api/v1/incidents/categories", s=S["viewer"])
    codes = {c["code"] for c in js["items"]}
    for c in ("battles.armed_clash", "ucdp.one_sided", "pk.attack_on_un", "pk.crsv",
              "pk.armed_drone", "pk.natural_hazard", "strategic_developments.agreement"):
        expect(c in codes, c)
    with open(os.path.join(ROOT, "docs", "taxonomy.md"), encoding="utf-8") as f:
        doc = f.read()
    missing = [c for c in codes if "`%s`" % c not in doc]
    expect(not missing, "not in docs/taxonomy.md: %r" % missing)


@test
def check_passes_after_everything():
    p = pko("check", "--db", H.db)
    expect(p.returncode == 0, p.stdout + p.stderr)


def main():
    users = {
        "admin": ["system_admin"],
        "reporter": ["reporter:MINUSCA"],
        "analyst": ["analyst:MINUSCA"],
        "viewer": ["viewer:MINUSCA"],
        "other": ["viewer:MONUSCO"],
        "madmin": ["mission_admin:MINUSCA"],
        "planner": ["planner:MINUSCA"],
        "crossanalyst": ["analyst:MONUSCO", "viewer:MINUSCA"],
    }
    return run("pko-inc-", users,
               clearance=lambda n: "strictly_confidential" if n == "admin"
               else "confidential")


if __name__ == "__main__":
    sys.exit(main())
