#!/usr/bin/env python3
"""Black-box tests of the restricted misconduct register against the real
binary.

Usage:  python3 tests/api/test_misconduct.py /path/to/pko

The heart of it is the leak test: for every role (viewer, reporter,
analyst, planner, force_generation_officer, mission_admin, a conduct
officer of another mission, a conduct officer with too low a clearance,
the conduct officer and the system administrator) it walks EVERY GET route
the server has (`pko routes`, so routes added later are covered too), with
the path parameters set to the ids of misconduct records, and with search
terms set to a marker only misconduct records hold, and checks that
neither the marker nor a record id ever comes back to someone not allowed
to see it. It also checks the import of the public UN table against counts
the test computes itself from the CSV, the figure IV aggregate, validation
(no mission, future dates, reported before occurred), all-or-nothing writes
and the audit of every read. Ends with "N passed, M failed".
"""

import csv
import io
import json
import os
import re
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import H, M, S, expect, pko, req, run, test  # noqa: E402,F401

P = "/api/v1/misconduct"
MARKER = "Zq7MarkerNationality"
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared",
                    "data", "conduct", "un_sea_allegations_july2024.csv")
NEXT_YEAR = "%d" % (time.gmtime().tm_year + 1)

ROLES = {
    "admin": ["system_admin"],
    "viewer": ["viewer:MINUSCA"],
    "reporter": ["reporter:MINUSCA"],
    "analyst": ["analyst"],
    "planner": ["planner:MINUSCA"],
    "fgo": ["force_generation_officer"],
    "madmin": ["mission_admin:MINUSCA"],
    "cdo_other": ["conduct_officer:MONUSCO"],
    "cdo_low": ["conduct_officer:MINUSCA"],
    "cdo": ["conduct_officer:MINUSCA"],
    "cdo_hq": ["conduct_officer"],
}
AUTHORISED = {"admin", "cdo"}          # may read the MINUSCA record
UNAUTHORISED = [u for u in ROLES if u not in AUTHORISED and u != "cdo_hq"]
REC = {}  # name -> id of the records created below


def allegation(**kw):
    body = {"mission": "MINUSCA", "category": "sexual_exploitation_and_abuse",
            "allegation_types": ["SE (Transactional sex)"],
            "personnel_type": "military_contingent", "personnel_count": 2,
            "nationality": MARKER, "incident_from": "2023-03", "incident_to": "2023-05",
            "reported_on": "2023-06-14", "victims_adult": 1, "victims_child": 1,
            "investigating_entity": "UN OIOS", "investigation_status": "pending",
            "nio_appointed": "yes", "result": "pending", "referral_criminal": "pending",
            "paternity_claim": True, "paternity_established": "pending",
            "victim_assistance_given": True,
            "victim_assistance": "medical and psychosocial support via the Senior Victims' "
                                 "Rights Officer",
            "notes": "note " + MARKER}
    body.update(kw)
    return body


def audit_reads(entity_id):
    """Audit entries 'read' of one record, read as the system administrator."""
    out, after = [], 0
    while True:
        st, js, _, _ = req("GET", "/api/v1/audit?limit=500&after=%d" % after, s=S["admin"])
        expect(st == 200, (st, js))
        items = js["items"]
        out += [a for a in items if a.get("entity_id") == entity_id and
                a.get("action") in ("read", "read_history")]
        if len(items) < 500:
            return out
        after = items[-1]["seq"]


@test
def conduct_officer_records_an_allegation():
    st, js, _, _ = req("POST", P, allegation(), s=S["cdo"])
    expect(st == 201, (st, js))
    expect(js["mission"] == "MINUSCA" and js["nationality"] == MARKER, js)
    expect(js["classification"] == "strictly_confidential", js["classification"])
    expect(js["victims_child"] == 1 and js["paternity_claim"] is True, js)
    REC["minusca"] = js["id"]
    st, js, _, _ = req("POST", P, allegation(mission="MONUSCO"), s=S["cdo_other"])
    expect(st == 201, (st, js))
    REC["monusco"] = js["id"]
    # An update with a version check, then the history.
    st, js, _, _ = req("PATCH", P + "/" + REC["minusca"],
                       {"version": 1, "investigation_status": "completed",
                        "investigation_days": 120, "result": "substantiated",
                        "final_action": "UN Repatriation (2)"}, s=S["cdo"])
    expect(st == 200 and js["investigation_days"] == 120 and js["version"] == 2, (st, js))
    st, js, _, _ = req("PATCH", P + "/" + REC["minusca"], {"version": 1, "notes": "x"},
                       s=S["cdo"])
    expect(st == 409, (st, js))
    st, js, _, _ = req("GET", P + "/" + REC["minusca"] + "/history", s=S["cdo"])
    expect(st == 200 and len(js["items"]) == 2, (st, js))


@test
def conduct_officer_of_another_mission_cannot_write_here():
    st, js, _, _ = req("POST", P, allegation(), s=S["cdo_other"])
    expect(st == 403, (st, js))
    st, js, _, _ = req("PATCH", P + "/" + REC["minusca"], {"notes": "x"}, s=S["cdo_other"])
    expect(st == 404, (st, js))


@test
def bad_input_is_refused_and_nothing_is_written():
    before = req("GET", P + "?limit=200", s=S["admin"])[1]["items"]
    cases = [
        ({k: v for k, v in allegation().items() if k != "mission"}, "mission"),
        (allegation(mission=""), "mission"),
        (allegation(reported_on=NEXT_YEAR + "-01-10"), "reported_on"),
        (allegation(incident_from=NEXT_YEAR, incident_to=None), "incident_from"),
        (allegation(incident_from="2023-07", incident_to=None, reported_on="2023-06-14"),
         "reported_on"),
        (allegation(incident_from="2023-05", incident_to="2023-02"), "incident_to"),
        (allegation(category="gossip"), "category"),
        (allegation(victims_child=-1), "victims_child"),
        (allegation(paternity_claim=False), "paternity_established"),
        (allegation(investigation_days=30), "investigation_days"),
        (allegation(classification="unclassified"), "classification"),
        (allegation(reported_on="2023-02-30"), "reported_on"),
        (allegation(colour="red"), "colour"),
    ]
    for body, field in cases:
        st, js, _, _ = req("POST", P, body, s=S["cdo"])
        expect(st == 400 and js["error"]["field"] == field, (field, st, js))
        expect(js["error"]["message"], js)
    # An update that would put the report before the incident.
    st, js, _, _ = req("PATCH", P + "/" + REC["minusca"], {"incident_from": "2023-08",
                                                            "incident_to": None}, s=S["cdo"])
    expect(st == 400 and js["error"]["field"] == "reported_on", (st, js))
    after = req("GET", P + "?limit=200", s=S["admin"])[1]["items"]
    expect(len(before) == len(after), (len(before), len(after)))
    rec = [r for r in after if r["id"] == REC["minusca"]][0]
    expect(rec["incident_from"] == "2023-03" and rec["version"] == 2, rec)


def routes():
    out = pko("routes").stdout.splitlines()
    return [(ln.split()[0], ln.split()[1]) for ln in out if ln.strip()]


def fill(pattern, rid):
    return re.sub(r"\{[a-z_]+\}", rid, pattern)


QUERIES = ["", "?q=" + MARKER, "?search=" + MARKER, "?nationality=" + MARKER,
           "?format=csv", "?format=geojson", "?mission=MINUSCA", "?limit=500"]


def may_see(user, mission):
    """Who may read a strictly confidential record of 'mission' (None: the
    marker, held by records of MINUSCA and MONUSCO)."""
    if user in ("admin", "cdo_hq"):
        return True
    if user == "cdo":
        return mission in ("MINUSCA", None)
    if user == "cdo_other":
        return mission in ("MONUSCO", None)
    return False   # cdo_low: MINUSCA, but clearance below the records'


def crawl(secrets, path_ids):
    """GET every route as every role; 'secrets' maps a string to the mission
    of the record holding it; 'path_ids' fill the {id} of routes."""
    get_routes = [p for m, p in routes() if m == "GET"]
    expect(len(get_routes) > 40, len(get_routes))
    expect(P in get_routes and "/api/v1/changes" in get_routes, get_routes)
    checked = 0
    for user in ROLES:
        for pattern in get_routes:
            if pattern.startswith("/assets") or pattern == "/":
                continue
            ids = path_ids if "{" in pattern else [None]
            for rid in ids:
                path = fill(pattern, rid) if rid else pattern
                for q in (QUERIES if rid is None else [""]):
                    st, js, raw, _ = req("GET", path + q, s=S[user])
                    body = raw.decode("utf-8", "replace")
                    checked += 1
                    if rid and not may_see(user, secrets[rid]):
                        # The caller typed the id: an answer that merely echoes
                        # it is fine, but it must be exactly the answer for an
                        # id that does not exist, so not even existence leaks.
                        fake = "01a20000-0000-7000-8000-000000000000"
                        st2, _, raw2, _ = req("GET", fill(pattern, fake), s=S[user])
                        expect(st == st2 and body.replace(rid, fake) ==
                               raw2.decode("utf-8", "replace"),
                               "GET %s answers %s differently for a misconduct id (%d: %s)"
                               % (pattern, user, st, body[:200]))
                        body = body.replace(rid, "")
                    for sec, mission in secrets.items():
                        if sec in body and not may_see(user, mission):
                            raise AssertionError("%s (%s) leaked to %s by GET %s%s (%d)" %
                                                 (sec, mission, user, path, q, st))
    return checked


@test
def no_route_leaks_a_record_to_an_unauthorised_role():
    """Every GET route, every role: the marker and the record ids reach only
    those allowed to see them."""
    secrets = {MARKER: None, REC["minusca"]: "MINUSCA", REC["monusco"]: "MONUSCO"}
    checked = crawl(secrets, [REC["minusca"], REC["monusco"]])
    expect(checked > 500, checked)


@test
def list_search_and_get_show_only_what_the_role_allows():
    for user in UNAUTHORISED:
        st, js, _, _ = req("GET", P, s=S[user])
        if user == "cdo_other":
            expect(st == 200 and [r["id"] for r in js["items"]] == [REC["monusco"]],
                   (user, st, js))
        elif user == "cdo_low":
            expect(st == 200 and js["items"] == [], (user, st, js))
        else:
            expect(st == 403, (user, st, js))
        st, js, _, _ = req("GET", P + "/" + REC["minusca"], s=S[user])
        expect(st in (403, 404), (user, st))
        st, js, _, _ = req("GET", P + "/" + REC["minusca"] + "/history", s=S[user])
        expect(st in (403, 404), (user, st))
    for user in ("cdo", "admin"):
        st, js, _, _ = req("GET", P + "?q=" + MARKER.lower(), s=S[user])
        ids = [r["id"] for r in js["items"]]
        expect(st == 200 and REC["minusca"] in ids, (user, st, js))
    st, js, _, _ = req("GET", P + "?q=" + MARKER, s=S["cdo"])
    expect(REC["monusco"] not in [r["id"] for r in js["items"]], js)


@test
def the_change_log_and_audit_trail_are_closed_to_everyone_else():
    for user in UNAUTHORISED + ["cdo"]:
        for path in ("/api/v1/changes", "/api/v1/audit"):
            st, js, raw, _ = req("GET", path + "?limit=500", s=S[user])
            expect(st == 403, (user, path, st))
            expect(MARKER.encode() not in raw, (user, path))
    st, js, raw, _ = req("GET", "/api/v1/changes?limit=500", s=S["admin"])
    expect(st == 200 and MARKER.encode() in raw, st)


@test
def every_read_is_audited():
    n0 = len(audit_reads(REC["minusca"]))
    req("GET", P + "/" + REC["minusca"], s=S["cdo"])
    req("GET", P + "?mission=MINUSCA", s=S["cdo"])
    req("GET", P + "/" + REC["minusca"] + "/history", s=S["cdo"])
    reads = audit_reads(REC["minusca"])
    expect(len(reads) == n0 + 3, (n0, len(reads)))
    expect(all(a["actor"] == S["cdo"]["id"] for a in reads[n0:]), reads[n0:])
    expect(reads[-1]["action"] == "read_history", reads[-1])
    # A refused read leaves no read entry (nothing was read).
    req("GET", P + "/" + REC["minusca"], s=S["cdo_other"])
    expect(len(audit_reads(REC["minusca"])) == n0 + 3, "refused read audited as a read")
    p = pko("check", "--db", H.db)
    expect(p.returncode == 0 and "audit chain: ok" in p.stdout, p.stdout + p.stderr)


def expected_from_csv():
    """Counts computed here from the CSV, independently of the C parser."""
    rows = list(csv.DictReader(open(DATA, encoding="utf-8")))
    months = {m: i + 1 for i, m in enumerate(
        "January February March April May June July August September October November "
        "December".split())}
    by_year = {}
    fig = {}
    rejected = 0
    for r in rows:
        mon, yr = r["Date"].split("/")
        rep = int(yr)
        inc = r["Date of incident"].strip()
        parts = [p.strip() for p in inc.split(" - ")] if inc != "Unknown" else []
        yrs = []
        first = None
        for i, p in enumerate(parts):
            m = re.match(r"^(\w+) / (\d{4})$", p)
            if m:
                yrs.append(int(m.group(2)))
                if i == 0:
                    first = (int(m.group(2)), months.get(m.group(1), 0))
        if first and (first[0], first[1]) > (rep, int(mon)) and first[1]:
            rejected += 1   # reported before it occurred
            continue
        if first and first[0] > rep:
            rejected += 1
            continue
        by_year[rep] = by_year.get(rep, 0) + 1
        f = fig.setdefault(rep, [0, 0, 0])
        if not yrs:
            f[2] += 1
        elif yrs[-1] >= rep:
            f[0] += 1
        else:
            f[1] += 1
    return len(rows), rejected, by_year, fig


@test
def import_of_the_un_table_and_figure_iv():
    if not os.path.exists(DATA):
        raise AssertionError("shared data missing: " + DATA)
    total, rejected, by_year, fig = expected_from_csv()
    data = open(DATA, "rb").read()
    # Not allowed: an analyst, a conduct officer of one mission (global import).
    for user in ("analyst", "cdo"):
        st, js, _, _ = req("POST", P + "/import", data, s=S[user], ctype="text/csv")
        expect(st == 403, (user, st, js))
    st, js, _, _ = req("POST", P + "/import", data, s=S["cdo_hq"], ctype="text/csv")
    expect(st == 200, (st, js))
    expect(js["rows"] == total and js["rejected"] == rejected == 1, js)
    expect(js["inserted"] == total - rejected, js)
    expect(js["errors"][0]["column"] == "reported_on", js["errors"])
    # Again: nothing new.
    st, js, _, _ = req("POST", P + "/import", data, s=S["cdo_hq"], ctype="text/csv")
    expect(st == 200 and js["inserted"] == 0 and js["unchanged"] == total - rejected, js)
    # Figure IV over the imported years only (the two records made above are 2023).
    st, js, _, _ = req("GET", P + "/figure-iv?from=2010-01-01&to=2024-12-31", s=S["viewer"])
    expect(st == 200, (st, js))
    expect("definition" in js and "source" in js and js["figure"] == "IV", js)
    got = {r["year"]: r for r in js["rows"]}
    for y, (same, earlier, unknown) in fig.items():
        if y < 2010:
            continue
        extra = 2 if y == 2023 else 0
        r = got[y]
        expect(r["same_year"] == same + extra and r["earlier_years"] == earlier and
               r["unknown"] == unknown and r["total"] == same + earlier + unknown + extra,
               (y, r, (same, earlier, unknown)))
    expect(set(got) == set(fig) & set(range(2010, 2025)) | {2023}, (sorted(got), sorted(fig)))
    # Public statistics: counts by year and category, nothing else.
    st, js, raw, _ = req("GET", P + "/statistics", s=S["planner"])
    expect(st == 200 and js["register_access"] is False, (st, js))
    sea = {r["year"]: r["allegations"] for r in js["by_year"]
           if r["category"] == "sexual_exploitation_and_abuse"}
    for y, n in by_year.items():
        expect(sea[y] == n + (2 if y == 2023 else 0), (y, sea.get(y), n))
    expect(MARKER.encode() not in raw and b"Cameroon" not in raw, "statistics leak a field")
    st, js, _, _ = req("GET", P + "/statistics", s=S["cdo"])
    expect(js["register_access"] is True, js)
    # An empty period is clearly empty; a reversed one is an error.
    st, js, _, _ = req("GET", P + "/figure-iv?from=1950-01-01&to=1950-12-31", s=S["viewer"])
    expect(st == 200 and js["rows"] == [] and js["empty"] is True and js["total"] == 0, js)
    st, js, _, _ = req("GET", P + "/figure-iv?from=2024-01-01&to=2020-01-01", s=S["viewer"])
    expect(st == 400 and js["error"]["field"] == "to", js)
    st, js, _, _ = req("GET", P + "/figure-iv?from=yesterday", s=S["viewer"])
    expect(st == 400 and js["error"]["field"] == "from", js)


@test
def import_rejects_a_foreign_file_whole():
    before = len(req("GET", P + "?limit=500", s=S["admin"])[1]["items"])
    st, js, _, _ = req("POST", P + "/import", b"a,b,c\n1,2,3\n", s=S["cdo_hq"],
                       ctype="text/csv")
    expect(st == 400 and "header" in js["error"]["message"], (st, js))
    # A row without mission is rejected with its line; the good row goes in.
    hdr = open(DATA, encoding="utf-8").readline()
    good = ('5/2024,MINUSCA,March / 2024,"Military (MC),1",Testland,Adult (1),'
            'SE (Transactional sex),No,N/A,Yes,TCC (Pending),Pending (1),UN Pending (1),'
            'UN Pending (1),N/A\r\n')
    bad = good.replace("MINUSCA", "")
    future = good.replace("5/2024", "1/" + NEXT_YEAR)
    st, js, _, _ = req("POST", P + "/import", (hdr + good + bad + future).encode(),
                       s=S["cdo_hq"], ctype="text/csv")
    expect(st == 200 and js["inserted"] == 1 and js["rejected"] == 2, js)
    cols = sorted(e["column"] for e in js["errors"])
    expect(cols == ["Mission", "reported_on"], js["errors"])
    expect(js["errors"][0]["line"] == 3, js["errors"])
    p = pko("import", "misconduct", "/nonexistent.csv", "--db", H.db)
    expect(p.returncode == 2 and "cannot read" in p.stderr, p.stderr)


@test
def no_route_leaks_the_imported_table_either():
    """After the import of the UN table (752 records in 27 missions): ids of
    imported records of MINUSCA, MONUSCO and other missions reach only
    those allowed, on every GET route."""
    st, js, _, _ = req("GET", P + "?limit=500", s=S["cdo_hq"])
    expect(st == 200 and len(js["items"]) == 500, (st, len(js.get("items", []))))
    secrets = {MARKER: None}
    picked = {}
    for r in js["items"]:
        m = r["mission"]
        key = m if m in ("MINUSCA", "MONUSCO") else "other"
        if len(picked.setdefault(key, [])) < 2 and r["id"] not in REC.values():
            picked[key].append(r["id"])
            secrets[r["id"]] = m
    expect(len(picked) == 3 and all(len(v) == 2 for v in picked.values()), picked)
    checked = crawl(secrets, [picked["MINUSCA"][0], picked["other"][0]])
    expect(checked > 500, checked)


@test
def cli_import_reports_rows_and_rejects():
    """`pko import misconduct` beside the running server: the table already
    imported through the API is recognised row by row (nothing added), the
    rejected row is listed with its line, exit status 1."""
    total, rejected, _, _ = expected_from_csv()
    errors = os.path.join(H.tmp, "mis-errors.txt")
    p = pko("import", "misconduct", DATA, "--db", H.db, "--errors", errors)
    expect(p.returncode == 1, (p.returncode, p.stdout, p.stderr))
    expect("%d rows: 0 inserted, %d unchanged, %d rejected" % (total, total - rejected, rejected)
           in p.stdout, p.stdout)
    lines = open(errors).read().splitlines()
    expect(len(lines) == 1 and lines[0].startswith("line 1628: reported_on:"), lines)
    p = pko("import", "misconduct", DATA, "--db", H.db, "--classification", "unclassified")
    expect(p.returncode == 2 and "confidential" in p.stderr, p.stderr)
    bad = os.path.join(H.tmp, "not-the-table.csv")
    open(bad, "w").write("id,name\n1,x\n")
    p = pko("import", "misconduct", bad, "--db", H.db)
    expect(p.returncode == 2 and "nothing was imported" in p.stderr, p.stderr)


def main():
    def clearance(name):
        return "confidential" if name == "cdo_low" else "strictly_confidential"
    return run("pko-misconduct-", ROLES, clearance=clearance)


if __name__ == "__main__":
    sys.exit(main())
