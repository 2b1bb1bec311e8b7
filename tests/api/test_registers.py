#!/usr/bin/env python3
"""Black-box tests of the accountability registers (fatalities, casevac,
accountability) and the Secretary-General's report figures, against the
real binary.

Usage:  python3 tests/api/test_registers.py /path/to/pko

The figures computed from the imported public UN fatalities dataset are
compared with totals this test computes itself from the CSV
(../shared/data/fatalities/, skipped with a message when absent); CASEVAC
timing statistics are compared with hand-computed cases; the progression
of crimes-against-peacekeepers cases and every bad input of the contract
(dates in the future, a conviction without a prosecution, an arrival
before its request, an empty period) are checked, with nothing written.
Ends with "N passed, M failed".
"""

import collections
import csv
import io
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import H, M, S, expect, pko, req, run, test  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "..", "shared", "data", "fatalities",
                    "un_peacekeeping_fatalities_DPPADPOSS.csv")
TODAY = time.strftime("%Y-%m-%d", time.gmtime())
NEXT_YEAR = "%d-01-15" % (time.gmtime().tm_year + 1)
UNIFORMED = {"Military", "Police", "Military Observer"}


def count_fatalities():
    """What the CSV says, computed here: one casualty per casualty_id (the
    first row of a repeated id), uniformed malicious-act fatalities per year,
    rows per incident type."""
    seen = set()
    per_year = collections.Counter()
    per_mission_year = collections.Counter()
    by_type = collections.Counter()
    rows = 0
    with open(DATA, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            rows += 1
            if r["casualty_id"] in seen:
                continue
            seen.add(r["casualty_id"])
            by_type[r["type_of_incident"].strip()] += 1
            if (r["type_of_casualty"] == "Fatality" and r["type_of_incident"] == "Malicious Act"
                    and r["casualty_personnel_type"].strip() in UNIFORMED):
                per_year[int(r["incident_date"][:4])] += 1
                per_mission_year[(r["mission_acronym"], int(r["incident_date"][:4]))] += 1
    STATE["per_mission_year"] = per_mission_year
    return rows, len(seen), per_year, by_type


def have_data():
    if not os.path.exists(DATA):
        print("skip: %s is absent: the dataset comparisons are not run" % DATA)
        return False
    return True


STATE = {}


def count(path, s):
    st, js, _, _ = req("GET", path + ("&" if "?" in path else "?") + "limit=500", s=s)
    expect(st == 200, (st, js))
    return len(js["items"])


# ==== Fatalities =============================================================

@test
def import_dataset_matches_csv():
    if not have_data():
        return
    with open(DATA, "rb") as f:
        body = f.read()
    st, js, _, _ = req("POST", "/api/v1/fatalities/import", body, S["analyst"], ctype="text/csv")
    expect(st == 403, ("analysts do not import", st, js))
    st, js, _, _ = req("POST", "/api/v1/fatalities/import", body, S["admin"], ctype="text/csv",
                       timeout=300)
    expect(st == 200, (st, js))
    rows, distinct, per_year, by_type = count_fatalities()
    expect(js["rows"] == rows and js["inserted"] == distinct and js["rejected"] == 0, js)
    expect(js["duplicates"] == rows - distinct, js)
    STATE["per_year"] = per_year
    # Again: every casualty is known, nothing changes.
    st, js, _, _ = req("POST", "/api/v1/fatalities/import", body, S["admin"], ctype="text/csv",
                       timeout=300)
    expect(st == 200 and js["inserted"] == 0 and js["unchanged"] == distinct, js)
    # The summary per incident type equals the CSV's.
    st, js, _, _ = req("GET", "/api/v1/fatalities/summary", s=S["admin"])
    expect(st == 200 and js["total"] == distinct, (js.get("total"), distinct))
    got = collections.Counter()
    for y in js["years"]:
        for k, v in y["by_incident_type"].items():
            got[k] += v
    want = {k.lower().replace(" ", "_").replace("-", "_"): v for k, v in by_type.items()}
    expect(dict(got) == want, (dict(got), want))


@test
def figure_ii_matches_csv():
    if "per_year" not in STATE:
        return
    per_year = STATE["per_year"]
    st, js, _, _ = req("GET", "/api/v1/reports/sg-figures?figure=II&from=1948-01-01&to=" + TODAY,
                       s=S["admin"])
    expect(st == 200, (st, js))
    fig = js["figures"][0]
    expect(fig["id"] == "II" and not fig["empty"], fig.get("note"))
    expect("Uniformed" in fig["definition"] and "NOTICAS" in fig["source"], fig["definition"])
    got = {r["year"]: r["fatalities"] for r in fig["rows"] if r["fatalities"]}
    expect(got == dict(per_year), ("figure II", got, dict(per_year)))
    expect(fig["total"] == sum(per_year.values()), fig["total"])
    # The public dataset records no weapon: no share is claimed.
    expect(all(r["eo_ied_share"] is None for r in fig["rows"]), "share without weapons")
    # A window: 2017-2023, as in the report.
    st, js, _, _ = req("GET", "/api/v1/reports/sg-figures?figure=II&from=2017-01-01"
                       "&to=2023-12-31&format=csv", s=S["admin"])
    expect(st == 200 and "text/csv" in js_or_raw_type(), "csv")
    vals = {}
    for r in csv.DictReader(io.StringIO(STATE["raw"].decode())):
        if r["figure"] == "II" and r["series"] == "fatalities":
            vals[int(r["year"])] = int(r["value"])
    expect(vals == {y: per_year.get(y, 0) for y in range(2017, 2024)}, vals)


def js_or_raw_type():
    return STATE.get("ctype", "")


_req = req


def req(method, path, body=None, s=None, timeout=30, ctype="application/json"):  # noqa: F811
    st, js, raw, r = _req(method, path, body, s, timeout, ctype)
    STATE["raw"], STATE["ctype"] = raw, r.getheader("Content-Type") or ""
    return st, js, raw, r


@test
def figure_ii_per_mission_matches_csv():
    if "per_year" not in STATE:
        return
    pmy = STATE["per_mission_year"]
    # The three missions of the report's figure III note, 2013-2023.
    q = ("/api/v1/reports/sg-figures?figure=II,III,IV&from=2013-01-01&to=2023-12-31"
         "&missions=MINUSMA,monusco,MINUSCA")
    st, js, _, _ = req("GET", q, s=S["admin"])
    expect(st == 200 and js["missions"] == ["MINUSMA", "MONUSCO", "MINUSCA"], (st, js))
    got = {r["year"]: r["fatalities"] for r in js["figures"][0]["rows"]}
    want = {y: sum(pmy[(m, y)] for m in ("MINUSMA", "MONUSCO", "MINUSCA"))
            for y in range(2013, 2024)}
    expect(got == want, (got, want))
    expect(js["figures"][2].get("all_missions") is True, "figure IV is world-wide")
    # Only missions among the caller's.
    st, js, _, _ = req("GET", q, s=S["viewer"])
    expect(st == 403 and js["error"]["field"] == "missions", (st, js))
    st, js, _, _ = req("GET", "/api/v1/reports/sg-figures?missions=MINUSCA;DROP", s=S["admin"])
    expect(st == 400 and js["error"]["field"] == "missions", (st, js))


@test
def cli_import_and_report_match_csv():
    if "per_year" not in STATE:
        return
    db = os.path.join(H.tmp, "cli.db")
    expect(pko("init", "--db", db).returncode == 0, "init")
    p = pko("import", "fatalities", DATA, "--db", db, "--errors", os.path.join(H.tmp, "e.txt"))
    expect(p.returncode == 0, p.stdout + p.stderr)
    rows, distinct, per_year, _ = count_fatalities()
    expect("%d inserted" % distinct in p.stdout and "%d duplicates" % (rows - distinct)
           in p.stdout, p.stdout)
    p = pko("report", "sg-figures", "--db", db, "--from", "1990-01-01", "--to", "2024-12-31",
            "--figure", "II", "--format", "csv")
    expect(p.returncode == 0, p.stderr)
    vals = {int(r["year"]): int(r["value"]) for r in csv.DictReader(io.StringIO(p.stdout))
            if r["series"] == "fatalities"}
    expect(vals == {y: per_year.get(y, 0) for y in range(1990, 2025)}, vals)
    for fmt, magic in (("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF")):
        out = os.path.join(H.tmp, "fig." + fmt)
        p = pko("report", "sg-figures", "--db", db, "--from", "2013-01-01", "--to", "2023-12-31",
                "--format", fmt, "--out", out)
        expect(p.returncode == 0, p.stderr)
        with open(out, "rb") as f:
            expect(f.read(8).startswith(magic), fmt)
    # Without creating missions, a row of an unknown mission is rejected.
    small = os.path.join(H.tmp, "small.csv")
    with open(small, "w") as f:
        f.write("id,incident_date,casualty_id,mission_acronym,type_of_casualty,gender,"
                "casualty_nationality,casualty_personnel_type,type_of_incident\n"
                "1,2020-01-01,S-1,UNMIL,Fatality,M,X,Police,Accident\n"
                "2,2020-01-01,S-2,NOSUCHMISSION,Fatality,M,X,Police,Accident\n")
    errs = os.path.join(H.tmp, "small.errors.txt")
    p = pko("import", "fatalities", small, "--db", db, "--no-create-missions", "--errors", errs)
    expect(p.returncode == 1 and "1 inserted" in p.stdout and "1 rejected" in p.stdout, p.stdout)
    with open(errs) as f:
        expect("line 3, mission_acronym: no mission NOSUCHMISSION" in f.read(), "report")
    # Future and empty periods: errors, nothing written.
    p = pko("report", "sg-figures", "--db", db, "--to", NEXT_YEAR)
    expect(p.returncode == 2 and "future" in p.stderr, p.stderr)
    out = os.path.join(H.tmp, "empty.svg")
    p = pko("report", "sg-figures", "--db", db, "--from", "1946-01-01", "--to", "1946-12-31",
            "--out", out)
    expect(p.returncode == 1 and "no selected figure has data" in p.stderr
           and not os.path.exists(out), p.stderr)


@test
def import_bad_input():
    before = count("/api/v1/fatalities?mission=MONUSCO", S["admin"])
    hdr = ("id,incident_date,casualty_id,mission_acronym,type_of_casualty,gender,"
           "casualty_nationality,casualty_personnel_type,type_of_incident,m49_code,isocode3\n")
    # A file that is not the dataset: refused whole.
    st, js, _, _ = req("POST", "/api/v1/fatalities/import", b"id,date\n1,2020-01-01\n",
                       S["admin"], ctype="text/csv")
    expect(st == 400 and "casualty_id" in js["error"]["message"], (st, js))
    # One good row, one in the future, one of an unknown category: the good
    # one is imported, the others reported by line and column.
    body = (hdr + "1,2021-02-03,T-1,MONUSCO,Fatality,F,Ruritania,Police,Accident,1.0,RRT\n"
            "2,%s,T-2,MONUSCO,Fatality,M,Ruritania,Police,Accident,1.0,RRT\n"
            "3,2021-02-03,T-3,MONUSCO,Fatality,M,Ruritania,Soldier,Accident,1.0,RRT\n"
            % NEXT_YEAR).encode()
    st, js, _, _ = req("POST", "/api/v1/fatalities/import", body, S["admin"], ctype="text/csv")
    expect(st == 207 and js["inserted"] == 1 and js["rejected"] == 2, (st, js))
    got = {(e["line"], e["field"]) for e in js["errors"]}
    expect(got == {(3, "incident_date"), (4, "casualty_personnel_type")}, got)
    expect(count("/api/v1/fatalities?mission=MONUSCO", S["admin"]) == before + 1, "one row")
    st, js, _, _ = req("GET", "/api/v1/fatalities?mission=MONUSCO&from=2021-02-03&to=2021-02-03",
                       s=S["admin"])
    rec = [r for r in js["items"] if r["source_id"] == "T-1"][0]
    expect(rec["gender"] == "female" and rec["nationality"] == "RRT"
           and rec["source_system"] == "un_fatalities", rec)


@test
def fatality_validation_writes_nothing():
    before = count("/api/v1/fatalities?mission=MINUSCA", S["admin"])
    base = {"mission_id": M["MINUSCA"], "incident_date": "2023-03-02",
            "person_category": "military", "incident_type": "malicious_act",
            "weapon": "ied_explosive_ordnance", "nationality": "EGY"}
    for change, field in (({"incident_date": NEXT_YEAR}, "incident_date"),
                          ({"incident_date": "2023-02-30"}, "incident_date"),
                          ({"incident_type": "accident"}, "weapon"),
                          ({"person_category": "soldier"}, "person_category"),
                          ({"nationality": "Egypt"}, "nationality"),
                          ({"incident_id": "0" * 36}, "incident_id"),
                          ({"colour": "red"}, "colour")):
        b = dict(base, **change)
        st, js, _, _ = req("POST", "/api/v1/fatalities", b, S["analyst"])
        expect(st == 400 and js["error"]["field"] == field, (change, st, js))
    st, js, _, _ = req("POST", "/api/v1/fatalities", dict(base, mission_id=M["MONUSCO"]),
                       S["analyst"])
    # A mission outside the caller's scope is not even named to them.
    expect(st == 400 and js["error"]["field"] == "mission_id", ("MINUSCA's analyst", st, js))
    st, js, _, _ = req("POST", "/api/v1/fatalities", base, S["viewer"])
    expect(st == 403, (st, js))
    expect(count("/api/v1/fatalities?mission=MINUSCA", S["admin"]) == before, "nothing written")
    st, js, _, _ = req("POST", "/api/v1/fatalities", base, S["analyst"])
    expect(st == 201 and js["casualty_type"] == "fatality", (st, js))
    STATE["ied"] = js["id"]
    st, js, _, _ = req("PATCH", "/api/v1/fatalities/" + js["id"], {"incident_date": NEXT_YEAR},
                       S["analyst"])
    expect(st == 400 and js["error"]["field"] == "incident_date", (st, js))


@test
def incident_link_is_validated():
    inc = {"title": "IED strike on a convoy", "occurred_start": "2023-03-02",
           "lat": 6.1, "lon": 20.9, "category": "pk.ied_explosive_ordnance",
           "mission_id": M["MINUSCA"]}
    st, js, _, _ = req("POST", "/api/v1/incidents", inc, S["analyst"])
    expect(st == 201, (st, js))
    iid = js["id"]
    b = {"mission_id": M["MINUSCA"], "incident_date": "2023-03-02", "person_category": "police",
         "incident_type": "malicious_act", "weapon": "ied_explosive_ordnance",
         "incident_id": iid}
    st, js, _, _ = req("POST", "/api/v1/fatalities", b, S["analyst"])
    expect(st == 201 and js["incident_id"] == iid, (st, js))
    st, js, _, _ = req("POST", "/api/v1/fatalities", dict(b, mission_id=M["MONUSCO"]),
                       S["analyst_m"])
    expect(st == 400 and js["error"]["field"] == "incident_id", ("other mission", st, js))
    st, js, _, _ = req("GET", "/api/v1/fatalities?incident_id=" + iid, s=S["analyst"])
    expect(st == 200 and len(js["items"]) == 1, js)


@test
def figure_ii_share_and_scope():
    # Two uniformed IED deaths in MINUSCA in 2023 (above) and one small-arms
    # death in MONUSCO recorded by its own analyst.
    st, js, _, _ = req("POST", "/api/v1/fatalities",
                       {"mission_id": M["MONUSCO"], "incident_date": "2023-05-01",
                        "person_category": "military_observer", "incident_type": "malicious_act",
                        "weapon": "small_arms"}, S["analyst_m"])
    expect(st == 201, (st, js))
    q = "/api/v1/reports/sg-figures?figure=II&from=2023-01-01&to=2023-12-31"
    st, js, _, _ = req("GET", q, s=S["admin"])
    row = js["figures"][0]["rows"][0]
    base = STATE.get("per_year", {}).get(2023, 0)
    ied = 2
    expect(row["weapon_recorded"] == 3 and row["eo_ied"] == ied, row)
    expect(abs(row["eo_ied_share"] - ied / 3) < 1e-9 and row["fatalities"] == base + 3, row)
    # A viewer of MONUSCO sees MONUSCO's figure only.
    st, js, _, _ = req("GET", q, s=S["viewer"])
    expect(st == 200 and js["missions"] == ["MONUSCO"], js.get("missions"))
    row = js["figures"][0]["rows"][0]
    expect(row["weapon_recorded"] == 1 and row["eo_ied"] == 0 and row["eo_ied_share"] == 0, row)


# ==== CASEVAC ==================================================================

CASES = [
    # injury, first aid, request, approval, lift-off, arrival, dcr, surgery
    ("2024-04-02T08:00Z", "2024-04-02T08:07Z", "2024-04-02T08:10Z", "2024-04-02T08:20Z",
     "2024-04-02T08:35Z", "2024-04-02T09:05Z", "2024-04-02T09:10Z", "2024-04-02T09:50Z"),
    (None, None, "2024-04-03T10:00Z", "2024-04-03T10:05Z", "2024-04-03T10:30:00Z",
     "2024-04-03T11:40Z", None, "2024-04-03T11:55Z"),
    (None, None, "2024-04-04T12:00Z", "2024-04-04T12:30Z", None, None, None, None),
    (None, None, "2024-04-05T13:00Z", None, None, None, None, None),
]
KEYS = ("injury_at", "first_aid_at", "requested_at", "approved_at", "lift_off_at", "arrived_at",
        "dcr_at", "surgery_at")


@test
def casevac_workflow_and_measures():
    ids = []
    for c in CASES:
        # Requested first, then advanced step by step as the day goes.
        b = {"mission_id": M["MINUSCA"], "requested_at": c[2], "patients": 2,
             "priority": "urgent", "means": "air"}
        if c[0]:
            b["injury_at"], b["first_aid_at"] = c[0], c[1]
        st, js, _, _ = req("POST", "/api/v1/casevac", b, S["reporter"])
        expect(st == 201 and js["status"] == "requested", (st, js))
        cid = js["id"]
        for k, v in zip(KEYS[3:], c[3:]):
            if v:
                st, js, _, _ = req("PATCH", "/api/v1/casevac/" + cid, {k: v}, S["reporter"])
                expect(st == 200, (k, st, js))
        ids.append(cid)
    st, js, _, _ = req("PATCH", "/api/v1/casevac/" + ids[3], {"status": "cancelled"},
                       S["reporter"])
    expect(st == 200 and js["status"] == "cancelled", js)
    st, js, _, _ = req("GET", "/api/v1/casevac/" + ids[0], s=S["viewer_m"])
    m = js["measures"]
    expect(js["status"] == "arrived" and m["first_aid"] == 7 and m["meets_10"] is True, m)
    expect(m["dcr"] == 70 and m["meets_1h"] is False and m["surgery"] == 110
           and m["meets_2h"] is True and m["request_to_arrival"] == 55
           and m["injury_to_arrival"] == 65 and m["clock_from"] == "injury", m)
    st, js, _, _ = req("GET", "/api/v1/casevac/" + ids[1], s=S["viewer_m"])
    m = js["measures"]
    expect(js["lift_off_at"] == "2024-04-03T10:30:00Z", js["lift_off_at"])
    expect(m["clock_from"] == "request" and m["surgery"] == 115 and m["meets_2h"] is True
           and m["first_aid"] is None and m["meets_10"] is None and m["request_to_arrival"] == 100
           and m["lift_off_to_arrival"] == 70, m)
    st, js, _, _ = req("GET", "/api/v1/casevac/" + ids[2], s=S["viewer_m"])
    expect(js["status"] == "approved", js["status"])
    STATE["casevac"] = ids


@test
def casevac_stats_hand_computed():
    st, js, _, _ = req("GET", "/api/v1/casevac/stats?from=2024-04-01&to=2024-04-30",
                       s=S["viewer_m"])
    expect(st == 200, (st, js))
    mi = [x for x in js["items"] if x["mission"] == "MINUSCA"][0]
    expect(mi["requests"] == 4 and mi["arrived"] == 2 and mi["cancelled"] == 1, mi)
    # request -> arrival: 55 and 100 minutes.
    r = mi["request_to_arrival"]
    expect(r["n"] == 2 and r["median"] == 77.5 and r["mean"] == 77.5 and r["p90"] == 100
           and r["max"] == 100, r)
    # request -> approval: 10, 5, 30 minutes.
    r = mi["request_to_approval"]
    expect(r["n"] == 3 and r["median"] == 10 and r["mean"] == 15 and r["p90"] == 30, r)
    expect(mi["ten"] == {"measured": 1, "met": 1, "share": 1.0}, mi["ten"])
    expect(mi["one_hour"] == {"measured": 1, "met": 0, "share": 0.0}, mi["one_hour"])
    expect(mi["two_hours"] == {"measured": 2, "met": 2, "share": 1.0}, mi["two_hours"])
    expect(js["items"][-1]["mission"] == "ALL" and js["items"][-1]["requests"] == 4, js["items"])
    # The viewer of MONUSCO sees none of it.
    st, js, _, _ = req("GET", "/api/v1/casevac/stats?from=2024-04-01&to=2024-04-30",
                       s=S["viewer"])
    expect([x["mission"] for x in js["items"]] == ["ALL"] and js["items"][0]["requests"] == 0,
           js)


@test
def casevac_bad_input_writes_nothing():
    before = count("/api/v1/casevac?mission=MINUSCA", S["admin"])
    bad = [({"requested_at": "2024-04-02T10:00Z", "approved_at": "2024-04-02T10:05Z",
             "lift_off_at": "2024-04-02T10:06Z", "arrived_at": "2024-04-02T09:00Z"},
            "arrived_at", "before the request"),
           ({"requested_at": NEXT_YEAR + "T10:00Z"}, "requested_at", "future"),
           ({"requested_at": "2024-04-02T10:00Z", "lift_off_at": "2024-04-02T10:30Z"},
            "lift_off_at", "needs the approval"),
           ({"requested_at": "2024-04-02 10:00"}, "requested_at", "UTC time"),
           ({"requested_at": "2024-04-02T10:00Z", "injury_at": "2024-04-02T10:30Z"},
            "requested_at", "before the injury"),
           ({"requested_at": "2024-04-02T10:00Z", "patients": 0}, "patients", "patients"),
           ({"requested_at": "2024-04-02T10:00Z", "status": "arrived"}, "status", "requested")]
    for b, field, words in bad:
        st, js, _, _ = req("POST", "/api/v1/casevac", dict(b, mission_id=M["MINUSCA"]),
                           S["reporter"])
        expect(st == 400 and js["error"]["field"] == field and words in js["error"]["message"],
               (b, st, js))
    expect(count("/api/v1/casevac?mission=MINUSCA", S["admin"]) == before, "nothing written")
    cid = STATE["casevac"][2]
    st, js, _, _ = req("PATCH", "/api/v1/casevac/" + cid,
                       {"lift_off_at": "2024-04-04T12:40Z", "arrived_at": "2024-04-04T11:00Z"},
                       S["reporter"])
    expect(st == 400 and js["error"]["field"] == "arrived_at", (st, js))
    st, js, _, _ = req("GET", "/api/v1/casevac/" + cid, s=S["reporter"])
    expect(js["lift_off_at"] is None and js["status"] == "approved", js)
    st, js, _, _ = req("PATCH", "/api/v1/casevac/" + STATE["casevac"][3],
                       {"approved_at": "2024-04-05T13:10Z"}, S["reporter"])
    expect(st == 400 and "cancelled" in js["error"]["message"], (st, js))
    st, js, _, _ = req("POST", "/api/v1/casevac",
                       {"mission_id": M["MINUSCA"], "requested_at": "2024-04-02T10:00Z"},
                       S["viewer_m"])
    expect(st == 403, (st, js))


# ==== Crimes against peacekeepers ================================================

def fatality(date, kind="malicious_act", s="analyst"):
    st, js, _, _ = req("POST", "/api/v1/fatalities",
                       {"mission_id": M["MINUSCA"], "incident_date": date,
                        "person_category": "military", "incident_type": kind}, S[s])
    expect(st == 201, (st, js))
    return js["id"]


def event(case, stage, date, n=None, s="analyst"):
    b = {"stage": stage, "event_date": date}
    if n is not None:
        b["individuals"] = n
    return req("POST", "/api/v1/accountability/%s/events" % case, b, S[s])


@test
def accountability_progression():
    fid = fatality("2019-12-01")
    st, js, _, _ = req("POST", "/api/v1/accountability",
                       {"fatality_id": fatality("2019-12-02", "accident")}, S["analyst"])
    expect(st == 400 and js["error"]["field"] == "fatality_id", (st, js))
    st, js, _, _ = req("POST", "/api/v1/accountability",
                       {"fatality_id": fid, "national_authority": "Parquet de Bangui"},
                       S["analyst"])
    expect(st == 201 and js["stage"] == "registered", (st, js))
    case = js["id"]
    st, js, _, _ = req("POST", "/api/v1/accountability", {"fatality_id": fid}, S["analyst"])
    expect(st == 409, (st, js))
    # A conviction without a prosecution, and steps before the investigation.
    st, js, _, _ = event(case, "convicted", "2020-03-01", 1)
    expect(st == 400 and "investigation" in js["error"]["message"], (st, js))
    st, js, _, _ = event(case, "investigation_opened", "2019-11-30")
    expect(st == 400 and "before the fatality" in js["error"]["message"], (st, js))
    st, js, _, _ = event(case, "investigation_opened", NEXT_YEAR)
    expect(st == 400 and js["error"]["field"] == "event_date", (st, js))
    st, js, _, _ = event(case, "investigation_opened", "2020-01-10")
    expect(st == 201 and js["stage"] == "investigation_opened", (st, js))
    st, js, _, _ = event(case, "convicted", "2020-03-01", 1)
    expect(st == 400 and "a conviction needs a prosecution" in js["error"]["message"], (st, js))
    st, js, _, _ = event(case, "arrested", "2020-01-20", 1)
    expect(st == 400 and "suspects" in js["error"]["message"], (st, js))
    expect(st == 400, (st, js))
    for stage, date, n in (("suspects_identified", "2020-02-01", 3), ("arrested", "2020-03-01", 2),
                           ("prosecuted", "2021-05-01", 2), ("convicted", "2022-06-01", 1)):
        st, js, _, _ = event(case, stage, date, n)
        expect(st == 201 and js["stage"] == stage, (stage, st, js))
    st, js, _, _ = event(case, "convicted", "2022-07-01", 2)
    expect(st == 400 and "only 2 prosecuted" in js["error"]["message"], (st, js))
    # An earlier prosecution than the arrests is fine (in absentia), but not
    # more than identified at that date.
    st, js, _, _ = event(case, "prosecuted", "2020-01-15", 1)
    expect(st == 400 and "identified" in js["error"]["message"], (st, js))
    st, js, _, _ = req("GET", "/api/v1/accountability/" + case, s=S["conduct"])
    expect(st == 200 and len(js["events"]) == 5, js)
    expect(js["totals"] == {"investigation_opened": 1, "suspects_identified": 3, "arrested": 2,
                            "prosecuted": 2, "convicted": 1}, js["totals"])
    st, js, _, _ = req("GET", "/api/v1/accountability", s=S["viewer_m"])
    expect(st == 403, ("viewers do not read cases", st))
    st, js, _, _ = event(case, "suspects_identified", "2022-01-01", 1, s="reporter")
    expect(st == 403, (st, js))
    # Figure III, cumulative, for everyone with a role in the mission.
    st, js, _, _ = req("GET", "/api/v1/reports/sg-figures?figure=III&from=2019-01-01"
                       "&to=2023-12-31", s=S["viewer_m"])
    rows = {r["year"]: r for r in js["figures"][0]["rows"]}
    expect(rows[2019]["cases"] == 1 and rows[2019]["investigations"] == 0, rows[2019])
    expect(rows[2020] == {"year": 2020, "cases": 1, "investigations": 1,
                          "suspects_identified": 3, "arrested": 2, "prosecuted": 0,
                          "convicted": 0}, rows[2020])
    expect(rows[2021]["prosecuted"] == 2 and rows[2021]["convicted"] == 0, rows[2021])
    expect(rows[2023]["convicted"] == 1 and rows[2023]["prosecuted"] == 2, rows[2023])
    st, js, _, _ = req("GET", "/api/v1/reports/sg-figures?figure=III&from=2019-01-01"
                       "&to=2023-12-31", s=S["viewer"])
    expect(js["figures"][0]["empty"] is True, "MONUSCO's viewer sees no MINUSCA case")


# ==== Figures ===================================================================

@test
def figures_bad_and_empty_periods():
    st, js, _, _ = req("GET", "/api/v1/reports/sg-figures?to=" + NEXT_YEAR, s=S["viewer"])
    expect(st == 400 and js["error"]["field"] == "to", (st, js))
    st, js, _, _ = req("GET", "/api/v1/reports/sg-figures?from=2020-01-01&to=2019-01-01",
                       s=S["viewer"])
    expect(st == 400 and js["error"]["field"] == "from", (st, js))
    st, js, _, _ = req("GET", "/api/v1/reports/sg-figures?figure=V", s=S["viewer"])
    expect(st == 400 and js["error"]["field"] == "figure", (st, js))
    st, js, _, _ = req("GET", "/api/v1/reports/sg-figures?from=1946-01-01&to=1946-12-31",
                       s=S["admin"])
    expect(st == 200 and js["empty"] is True, js)
    expect(all(f["empty"] and f["note"] for f in js["figures"]), js["figures"])
    for fmt, ctype, magic in (("svg", "image/svg+xml", b"<?xml"), ("png", "image/png", b"\x89PNG"),
                              ("pdf", "application/pdf", b"%PDF"), ("csv", "text/csv", b"figure,")):
        st, _, raw, r = req("GET", "/api/v1/reports/sg-figures?from=2013-01-01&to=2023-12-31"
                            "&format=" + fmt, s=S["viewer"])
        expect(st == 200 and r.getheader("Content-Type").startswith(ctype)
               and raw.startswith(magic), (fmt, st, raw[:40]))


@test
def figure_i_from_gender_returns():
    b = {"year": 2022, "category": "formed_police_units", "women": 1600, "total": 10000,
         "source": "A4P+ third progress report, 2023"}
    st, js, _, _ = req("POST", "/api/v1/reports/uniformed-women", b, S["analyst"])
    expect(st == 403, (st, js))
    st, js, _, _ = req("POST", "/api/v1/reports/uniformed-women", dict(b, women=10001),
                       S["planner"])
    expect(st == 400 and js["error"]["field"] == "women", (st, js))
    st, js, _, _ = req("POST", "/api/v1/reports/uniformed-women", dict(b, women=1500),
                       S["planner"])
    expect(st == 201, (st, js))
    rid = js["id"]
    st, js, _, _ = req("PATCH", "/api/v1/reports/uniformed-women/" + rid, {"women": 20000},
                       S["planner"])
    expect(st == 400 and js["error"]["field"] == "women", (st, js))
    st, js, _, _ = req("PATCH", "/api/v1/reports/uniformed-women/" + rid, {"year": 2021},
                       S["planner"])
    expect(st == 400 and js["error"]["field"] == "year", (st, js))
    st, js, _, _ = req("PATCH", "/api/v1/reports/uniformed-women/" + rid, {"women": 1600},
                       S["planner"])
    expect(st == 200 and js["women"] == 1600, (st, js))
    st, js, _, _ = req("POST", "/api/v1/reports/uniformed-women", b, S["planner"])
    expect(st == 409, (st, js))
    st, js, _, _ = req("GET", "/api/v1/reports/sg-figures?figure=I&from=2021-01-01&to=2023-12-31",
                       s=S["viewer"])
    rows = {r["year"]: r for r in js["figures"][0]["rows"]}
    expect(rows[2022]["formed_police_units"] == 0.16 and "formed_police_units" not in rows[2021],
           rows)


def main():
    users = {"admin": ["system_admin"], "analyst": ["analyst:MINUSCA"],
             "analyst_m": ["analyst:MONUSCO"], "reporter": ["reporter:MINUSCA"],
             "viewer": ["viewer:MONUSCO"], "viewer_m": ["viewer:MINUSCA"],
             "conduct": ["conduct_officer:MINUSCA"], "planner": ["planner"]}
    return run('pko-registers-', users)


if __name__ == "__main__":
    sys.exit(main())
