#!/usr/bin/env python3
"""Black-box tests of the PCRS module (force generation) against the real
binary.

Usage:  python3 tests/api/test_pcrs.py /path/to/pko

Reference data (193 Member States, unit types), pledges (who may write
them, field-level validation, filters, level history), statements of unit
requirements (mission scope, dates in the past, filling with a pledge, a
pledge filling two requirements), ranked candidates with their score broken
down, and the global assignment (no pledge twice, never worse than greedy).
Ends with "N passed, M failed".
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import M, S, expect, login, pko, req, run, test  # noqa: E402,F401



P = "/api/v1/pcrs"
FUTURE = "%d-06-30" % (time.gmtime().tm_year + 2)


def pledge(**kw):
    body = {"country": "RWA", "unit_type": "infantry_battalion", "strength": 850,
            "level": "level_2", "women_share": 0.12, "languages": ["English", "French"],
            "caveats": [], "self_sustainment": True, "major_equipment": ["APC x 20"]}
    body.update(kw)
    return body


def requirement(**kw):
    body = {"mission_id": M["MINUSCA"], "unit_type": "infantry_battalion",
            "title": "Battalion for sector East", "required_by": FUTURE,
            "required_capabilities": ["protection_of_civilians", "night_operations"],
            "language": "French", "women_target": 0.15}
    body.update(kw)
    return body


@test
def reference_data():
    st, js, _, _ = req("GET", P + "/member-states", s=S["viewer"])
    expect(st == 200 and js["count"] == 193 and len(js["items"]) == 193, (st, js and js.get("count")))
    codes = {i["code"]: i["name"] for i in js["items"]}
    expect(codes["BGD"] == "Bangladesh" and "PSE" not in codes, "codes")
    st, js2, _, _ = req("GET", P + "/countries", s=S["viewer"])
    expect(st == 200 and js2["items"] == js["items"], "countries alias")
    st, js, _, _ = req("GET", P + "/unit-types", s=S["viewer"])
    types = {t["code"]: t for t in js["items"]}
    for code in ("formed_police_unit", "level_3_hospital", "uas_unit", "riverine_unit",
                 "eod_cied_company", "attack_helicopter_unit", "staff_officers"):
        expect(code in types, code)
    expect(types["infantry_battalion"]["standard_strength"] == 850, "strength")
    expect("surgery" in types["level_2_hospital"]["capabilities"], "tags")
    expect(req("GET", P + "/unit-types")[0] == 401, "anonymous")


@test
def pledge_permissions():
    # force generation officer scoped to one mission: pledges are global
    st, js, _, _ = req("POST", P + "/pledges", pledge(), S["fgo_m"])
    expect(st == 403, (st, js))
    for who in ("planner", "viewer"):
        expect(req("POST", P + "/pledges", pledge(), S[who])[0] == 403, who)
    st, js, _, r = req("POST", P + "/pledges", pledge(), S["fgo"])
    expect(st == 201 and js["country"] == "RWA" and js["level"] == "level_2", (st, js))
    expect(r.getheader("Location") == P + "/pledges/" + js["id"], "location")
    # every role reads
    st, got, _, _ = req("GET", P + "/pledges/" + js["id"], s=S["viewer"])
    expect(st == 200 and got["languages"] == ["English", "French"], (st, got))


@test
def pledge_validation_names_the_field():
    cases = [({"country": "XYZ"}, "country"), ({"country": "TWN"}, "country"),
             ({"unit_type": "tank_division"}, "unit_type"), ({"strength": 0}, "strength"),
             ({"level": "level_9"}, "level"), ({"women_share": 2}, "women_share"),
             ({"languages": "French"}, "languages"), ({"available_from": "2026-13-01"}, "available_from"),
             ({"colour": "blue"}, "colour")]
    before = req("GET", P + "/pledges?limit=200", s=S["fgo"])[1]["items"]
    for kw, field in cases:
        st, js, _, _ = req("POST", P + "/pledges", pledge(**kw), S["fgo"])
        expect(st == 400 and js["error"]["field"] == field, (kw, st, js))
    after = req("GET", P + "/pledges?limit=200", s=S["fgo"])[1]["items"]
    expect(len(before) == len(after), "nothing written")
    # defaults: standard strength and registered level
    st, js, _, _ = req("POST", P + "/pledges", {"country": "NPL", "unit_type": "level_2_hospital"},
                       S["fgo"])
    expect(st == 201 and js["strength"] == 63 and js["level"] == "registered"
           and js["status"] == "available", (st, js))


@test
def pledge_filters_and_level_history():
    st, p, _, _ = req("POST", P + "/pledges", pledge(country="SEN", unit_type="formed_police_unit",
                                                    strength=160, level="registered"), S["fgo"])
    expect(st == 201, (st, p))
    # a level changes only with an assessment
    st, js, _, _ = req("PATCH", P + "/pledges/" + p["id"], {"level": "level_1"}, S["fgo"])
    expect(st == 400 and js["error"]["field"] == "level" and "visits" in js["error"]["message"],
           (st, js))
    for lv, kind in (("level_1", "desk_review"), ("level_2", "assessment_advisory_visit"),
                     ("rapid_deployment", "assessment_advisory_visit")):
        st, js, _, _ = req("POST", P + "/visits",
                           {"pledge_id": p["id"], "kind": kind, "visit_date": "2025-03-01",
                            "findings": "unit trained and equipped", "evidence": ["AAV/2025/17"],
                            "level_after": lv}, S["fgo"])
        expect(st == 201 and js["level_after"] == lv, (st, js))
        expect(req("GET", P + "/pledges/" + p["id"], s=S["fgo"])[1]["level"] == lv, lv)
    # unchanged level through PATCH is fine
    st, js, _, _ = req("PATCH", P + "/pledges/" + p["id"], {"level": "rapid_deployment",
                                                           "notes": "ok"}, S["fgo"])
    expect(st == 200, (st, js))
    st, js, _, _ = req("PATCH", P + "/pledges/" + p["id"], {"country": "FRA"}, S["fgo"])
    expect(st == 400, (st, js))
    st, js, _, _ = req("PATCH", P + "/pledges/" + p["id"], {"level": "level_3"}, S["fgo_m"])
    expect(st == 403, (st, js))
    st, h, _, _ = req("GET", P + "/pledges/" + p["id"] + "/history", s=S["viewer"])
    expect(st == 200, (st, h))
    expect([x["level"] for x in h["levels"]] ==
           ["registered", "level_1", "level_2", "rapid_deployment"], h["levels"])
    st, js, _, _ = req("GET", P + "/pledges?level=rapid_deployment&country=SEN", s=S["viewer"])
    expect(st == 200 and [x["id"] for x in js["items"]] == [p["id"]], js)
    st, js, _, _ = req("GET", P + "/pledges?unit_type=formed_police_unit", s=S["viewer"])
    expect(st == 200 and all(x["unit_type"] == "formed_police_unit" for x in js["items"]), js)
    expect(req("GET", P + "/pledges?level=bogus", s=S["viewer"])[0] == 400, "bad filter")
    expect(req("GET", P + "/pledges?country=XYZ", s=S["viewer"])[0] == 400, "bad filter")


@test
def requirements_scope_and_validation():
    st, js, _, _ = req("POST", P + "/requirements", requirement(), S["planner"])
    expect(st == 201 and js["status"] == "open", (st, js))
    rid = js["id"]
    # planner of MINUSCA cannot state MONUSCO's needs
    st, js, _, _ = req("POST", P + "/requirements", requirement(mission_id=M["MONUSCO"]), S["planner"])
    expect(st in (400, 403), (st, js))
    expect(req("POST", P + "/requirements", requirement(), S["viewer"])[0] == 403, "viewer")
    st, js, _, _ = req("POST", P + "/requirements", requirement(required_by="2001-01-01"),
                       S["planner"])
    expect(st == 400 and js["error"]["field"] == "required_by", (st, js))
    st, js, _, _ = req("POST", P + "/requirements", requirement(unit_type="navy"), S["planner"])
    expect(st == 400 and js["error"]["field"] == "unit_type", (st, js))
    st, js, _, _ = req("POST", P + "/requirements", requirement(status="filled"), S["planner"])
    expect(st == 400 and js["error"]["field"] == "pledge_id", (st, js))
    # the MONUSCO viewer does not see MINUSCA's requirement
    expect(req("GET", P + "/requirements/" + rid, s=S["viewer"])[0] == 404, "scoped")
    st, js, _, _ = req("GET", P + "/requirements?mission_id=" + M["MINUSCA"], s=S["viewer"])
    expect(st == 200 and js["items"] == [], js)
    st, js, _, _ = req("GET", P + "/requirements?status=open", s=S["planner"])
    expect(st == 200 and rid in [x["id"] for x in js["items"]], js)


@test
def candidates_are_ranked_and_explained():
    st, r, _, _ = req("POST", P + "/requirements",
                      requirement(unit_type="level_3_hospital", required_capabilities=["surgery"],
                                  women_target=0.2), S["fgo_m"])
    expect(st == 201, (st, r))
    ids = {}
    for name, kw in {"good": dict(country="GHA", level="rapid_deployment", women_share=0.25),
                     "slow": dict(country="IND", level="registered", women_share=0.25,
                                  languages=["English"]),
                     "caveat": dict(country="EGY", level="rapid_deployment", women_share=0.25,
                                    caveats=["no night moves", "one sector only"])}.items():
        st, js, _, _ = req("POST", P + "/pledges", pledge(unit_type="level_3_hospital", strength=110,
                                                          **kw), S["fgo"])
        expect(st == 201, (st, js))
        ids[name] = js["id"]
    st, js, _, _ = req("GET", P + "/requirements/%s/candidates" % r["id"], s=S["planner"])
    expect(st == 200, (st, js))
    order = [c["pledge_id"] for c in js["items"]]
    expect(order == [ids["good"], ids["caveat"], ids["slow"]], (order, ids))
    top = js["items"][0]["score"]
    expect(abs(top["total"] - 1.0) < 1e-9 and top["eligible"] and top["reasons"] == [], top)
    slow = js["items"][2]["score"]
    expect(slow["components"]["language"] == 0 and
           any("language" in x for x in slow["reasons"]), slow)
    expect(set(top["components"]) == {"time", "capability", "language", "gender", "caveats",
                                     "diversity"}, top)
    return r, ids


@test
def filling_and_assignment():
    st, js, _, _ = req("POST", P + "/assignments/solve", {}, S["fgo"])
    expect(st == 200, (st, js))
    used = [a["pledge_id"] for a in js["assignments"]]
    expect(len(used) == len(set(used)), "a pledge assigned twice")
    expect(js["total_score"] >= js["greedy_total_score"] - 1e-9, js)
    expect(len(js["assignments"]) + len(js["unassigned"]) == js["requirements"], js)
    a = js["assignments"][0]
    # fill one requirement with its assigned pledge, then try a second one
    st, r1, _, _ = req("PATCH", P + "/requirements/" + a["requirement_id"],
                       {"status": "filled", "pledge_id": a["pledge_id"]}, S["fgo_m"])
    expect(st == 200 and r1["status"] == "filled", (st, r1))
    st, r2, _, _ = req("POST", P + "/requirements",
                       requirement(unit_type=r1["unit_type"]), S["fgo_m"])
    expect(st == 201, (st, r2))
    st, js2, _, _ = req("PATCH", P + "/requirements/" + r2["id"],
                        {"status": "filled", "pledge_id": a["pledge_id"]}, S["fgo_m"])
    expect(st == 409 and js2["error"]["field"] == "pledge_id", (st, js2))
    st, cur, _, _ = req("GET", P + "/requirements/" + r2["id"], s=S["fgo_m"])
    expect(cur["status"] == "open" and cur.get("pledge_id") is None, cur)
    # a pledge of another unit type cannot fill it
    other = req("POST", P + "/pledges", pledge(unit_type="signals_company", strength=120),
                S["fgo"])[1]
    st, js3, _, _ = req("PATCH", P + "/requirements/" + r2["id"],
                        {"status": "filled", "pledge_id": other["id"]}, S["fgo_m"])
    expect(st == 400 and js3["error"]["field"] == "pledge_id", (st, js3))
    # filled requirements leave the solve
    st, js4, _, _ = req("POST", P + "/assignments/solve", {}, S["fgo"])
    expect(a["requirement_id"] not in [x["requirement_id"] for x in js4["assignments"]]
           + js4["unassigned"], js4)


@test
def optimal_beats_greedy():
    y = time.gmtime().tm_year
    r1 = req("POST", P + "/requirements", requirement(unit_type="uas_unit", language="French",
             required_capabilities=[], women_target=None, required_by="%d-06-30" % (y + 2)),
             S["fgo"])[1]
    r2 = req("POST", P + "/requirements", requirement(unit_type="uas_unit", language="Arabic",
             required_capabilities=[], women_target=None, required_by="%d-06-30" % (y + 3)),
             S["fgo"])[1]
    a = req("POST", P + "/pledges", pledge(unit_type="uas_unit", strength=70, country="ITA",
            level="rapid_deployment", languages=["French"]), S["fgo"])[1]
    b = req("POST", P + "/pledges", pledge(unit_type="uas_unit", strength=70, country="CHL",
            level="rapid_deployment", languages=["English"],
            available_until="%d-12-31" % (y + 2)), S["fgo"])[1]
    st, js, _, _ = req("POST", P + "/assignments/solve", {}, S["fgo"])
    expect(st == 200, (st, js))
    got = {x["requirement_id"]: x["pledge_id"] for x in js["assignments"]}
    expect(got.get(r1["id"]) == b["id"] and got.get(r2["id"]) == a["id"], (got, a["id"], b["id"]))
    # greedy takes r1-a (1.0) and leaves r2 empty; the optimum serves both (0.85 + 0.85)
    expect(js["total_score"] - js["greedy_total_score"] > 0.69, js)
    st, c, _, _ = req("GET", P + "/requirements/%s/candidates" % r2["id"], s=S["fgo"])
    bs = [x for x in c["items"] if x["pledge_id"] == b["id"]][0]["score"]
    expect(not bs["eligible"] and "availability ends before required_by" in bs["reasons"], bs)


@test
def pipeline_and_gaps():
    st, js, _, _ = req("GET", P + "/pipeline", s=S["viewer"])
    expect(st == 200, (st, js))
    uas = [x for x in js["items"] if x["unit_type"] == "uas_unit"][0]
    expect(uas["levels"]["rapid_deployment"] == 2 and uas["strength"] == 140, uas)
    expect(set(js["totals"]) == {"registered", "level_1", "level_2", "level_3",
                                 "rapid_deployment"}, js["totals"])
    expect(sum(js["totals"].values()) == sum(sum(x["levels"].values()) for x in js["items"]), js)
    st, r, _, _ = req("POST", P + "/requirements", requirement(unit_type="riverine_unit"),
                      S["planner"])
    expect(st == 201, (st, r))
    st, js, _, _ = req("GET", P + "/gaps", s=S["planner"])
    expect(st == 200, (st, js))
    g = [x for x in js["gaps"] if x["requirement_id"] == r["id"]]
    expect(g and g[0]["gap"] == "no_candidate" and g[0]["candidates"] == 0, js["gaps"])
    expect(js["by_unit_type"].get("riverine_unit", 0) >= 1, js["by_unit_type"])
    expect(js["by_mission"].get(M["MINUSCA"], 0) >= 1, js["by_mission"])
    ok = [x for x in js["requirements"] if x["unit_type"] == "uas_unit"]
    expect(ok and all(x.get("gap") is None and x["earliest_deployment"] for x in ok), ok)
    # the MONUSCO viewer sees no MINUSCA requirement in the gaps
    st, js, _, _ = req("GET", P + "/gaps", s=S["viewer"])
    expect(st == 200 and js["requirements"] == [], js)


@test
def visits_change_levels_with_evidence():
    p = req("POST", P + "/pledges", pledge(country="URY", unit_type="engineering_company",
            strength=270, level="level_1"), S["fgo"])[1]
    base = {"pledge_id": p["id"], "visit_date": "2025-05-10", "findings": "ready",
            "evidence": ["AAV report 2025-05"]}
    cases = [(dict(visit_date="2999-01-01"), "visit_date"), (dict(findings=""), "findings"),
             (dict(level_after="level_9"), "level_after"), (dict(kind="phone_call"), "kind"),
             (dict(kind="desk_review", level_after="level_3"), "kind"),
             (dict(evidence="none"), "evidence"), (dict(pledge_id="x" * 36), "pledge_id"),
             (dict(extra=1), "extra")]
    for kw, field in cases:
        body = dict(base)
        body.update(kw)
        st, js, _, _ = req("POST", P + "/visits", body, S["fgo"])
        expect(st == 400 and js["error"]["field"] == field, (kw, st, js))
    expect(req("GET", P + "/pledges/" + p["id"], s=S["fgo"])[1]["level"] == "level_1", "unchanged")
    expect(req("GET", P + "/visits?pledge_id=" + p["id"], s=S["fgo"])[1]["items"] == [], "none")
    st, js, _, _ = req("POST", P + "/visits", dict(base, level_after="level_3"), S["fgo_m"])
    expect(st == 403, (st, js))
    st, v, _, _ = req("POST", P + "/visits", dict(base, level_after="level_3"), S["fgo"])
    expect(st == 201 and v["level_before"] == "level_1" and v["level_after"] == "level_3"
           and v["kind"] == "assessment_advisory_visit", (st, v))
    # a visit that changes nothing keeps the level
    st, v2, _, _ = req("POST", P + "/visits", dict(base, findings="follow-up"), S["fgo"])
    expect(st == 201 and v2["level_before"] == v2["level_after"] == "level_3", (st, v2))
    st, js, _, _ = req("GET", P + "/visits?pledge_id=" + p["id"], s=S["viewer"])
    expect(st == 200 and sorted(x["id"] for x in js["items"]) == sorted([v["id"], v2["id"]]), js)
    st, js, _, _ = req("GET", P + "/visits/" + v["id"], s=S["viewer"])
    expect(st == 200 and js["evidence"] == ["AAV report 2025-05"], js)
    h = req("GET", P + "/pledges/" + p["id"] + "/history", s=S["viewer"])[1]
    expect([x["level"] for x in h["levels"]] == ["level_1", "level_3"], h["levels"])


@test
def gender_parity_against_targets():
    st, before, _, _ = req("GET", P + "/parity", s=S["viewer"])
    expect(st == 200, (st, before))
    cats = {x["category"]: x for x in before["items"]}
    expect(set(cats) == {"military_contingents", "military_observers_staff_officers",
                         "formed_police_units", "individual_police_officers"}, cats)
    expect(cats["military_contingents"]["target"] == 0.15
           and cats["individual_police_officers"]["target"] == 0.30, cats)
    ipo0 = cats["individual_police_officers"]
    st, js, _, _ = req("POST", P + "/pledges", pledge(unit_type="individual_police_officers",
                       country="NOR", strength=40, women_share=0.5), S["fgo"])
    expect(st == 201, (st, js))
    req("POST", P + "/pledges", pledge(unit_type="individual_police_officers", country="FIN",
        strength=60, women_share=0.1), S["fgo"])
    cats = {x["category"]: x for x in req("GET", P + "/parity", s=S["viewer"])[1]["items"]}
    ipo = cats["individual_police_officers"]
    expect(ipo["pledges"] == ipo0["pledges"] + 2 and ipo["strength"] == ipo0["strength"] + 100, ipo)
    if ipo0["strength"] == 0:
        # 20 + 6 women of 100: 26% against 30%, 4 short
        expect(abs(ipo["share"] - 0.26) < 1e-9 and not ipo["meets_target"]
               and abs(ipo["women_short"] - 4) < 1e-9, ipo)


@test
def filling_deploys_the_pledge_and_reopening_releases_it():
    p = req("POST", P + "/pledges", pledge(unit_type="transport_company", country="BGD",
            strength=150, level="level_3"), S["fgo"])[1]
    r = req("POST", P + "/requirements", requirement(unit_type="transport_company",
            required_capabilities=["logistics"], language=None, women_target=None), S["fgo_m"])[1]
    st, js, _, _ = req("PATCH", P + "/requirements/" + r["id"],
                       {"status": "filled", "pledge_id": p["id"], "rotation_months": 30},
                       S["fgo_m"])
    expect(st == 400 and js["error"]["field"] == "rotation_months", (st, js))
    st, js, _, _ = req("PATCH", P + "/requirements/" + r["id"],
                       {"status": "filled", "pledge_id": p["id"], "deployed_on": "2026-02-30"},
                       S["fgo_m"])
    expect(st == 400 and js["error"]["field"] == "deployed_on", (st, js))
    expect(req("GET", P + "/pledges/" + p["id"], s=S["fgo"])[1]["status"] == "available", "unchanged")
    st, js, _, _ = req("PATCH", P + "/requirements/" + r["id"],
                       {"status": "filled", "pledge_id": p["id"], "deployed_on": "2026-03-01",
                        "rotation_months": 12}, S["fgo_m"])
    expect(st == 200 and js["rotation_months"] == 12, (st, js))
    expect(req("GET", P + "/pledges/" + p["id"], s=S["fgo"])[1]["status"] == "deployed", "deployed")
    r2 = req("POST", P + "/requirements", requirement(unit_type="transport_company",
             language=None, women_target=None), S["fgo_m"])[1]
    p2 = req("POST", P + "/pledges", pledge(unit_type="transport_company", country="BGD",
             strength=150, level="level_3"), S["fgo"])[1]
    c = req("GET", P + "/requirements/%s/candidates" % r2["id"], s=S["fgo"])[1]
    expect(p["id"] not in [x["pledge_id"] for x in c["items"]], c)
    # Bangladesh already deploys one unit to MINUSCA: diversity 1/2, said in words
    sc = [x for x in c["items"] if x["pledge_id"] == p2["id"]][0]["score"]
    expect(sc["components"]["diversity"] == 0.5
           and any("BGD already deploys 1 unit" in x for x in sc["reasons"]), sc)
    st, js, _, _ = req("PATCH", P + "/requirements/" + r2["id"], {"pledge_id": p2["id"]},
                       S["fgo_m"])
    expect(st == 400 and js["error"]["field"] == "pledge_id", (st, js))
    st, js, _, _ = req("POST", P + "/requirements", requirement(unit_type="transport_company",
                       pledge_id=p2["id"], language=None), S["fgo_m"])
    expect(st == 400 and js["error"]["field"] == "pledge_id", (st, js))
    st, js, _, _ = req("PATCH", P + "/requirements/" + r["id"], {"status": "open"}, S["fgo_m"])
    expect(st == 200 and js["status"] == "open" and js.get("pledge_id") is None, (st, js))
    expect(req("GET", P + "/pledges/" + p["id"], s=S["fgo"])[1]["status"] == "available", "released")
    c = req("GET", P + "/requirements/%s/candidates" % r2["id"], s=S["fgo"])[1]
    expect(p["id"] in [x["pledge_id"] for x in c["items"]], c)
    expect(all(x["score"]["components"]["diversity"] == 1 for x in c["items"]), c)


@test
def solve_apply_fills_all_or_nothing():
    # runs last: it fills every open requirement that has an assignment
    st, r, _, _ = req("POST", P + "/requirements", requirement(
        mission_id=M["MONUSCO"], unit_type="military_observers", required_capabilities=[],
        language=None, women_target=None, strength=1), S["admin"])
    expect(st == 201, (st, r))
    p = req("POST", P + "/pledges", pledge(unit_type="military_observers", country="GHA",
            strength=10, level="level_3"), S["fgo"])[1]
    for body, field in (({"apply": "yes"}, "apply"), ({"x": 1}, "x")):
        st, js, _, _ = req("POST", P + "/assignments/solve", body, S["fgo"])
        expect(st == 400 and js["error"]["field"] == field, (st, js))
    # the MONUSCO viewer sees the requirement but may not fill it: nothing is written
    st, js, _, _ = req("POST", P + "/assignments/solve", {"apply": True}, S["viewer"])
    expect(st == 403, (st, js))
    expect(req("GET", P + "/requirements/" + r["id"], s=S["fgo"])[1]["status"] == "open", "open")
    expect(req("GET", P + "/pledges/" + p["id"], s=S["fgo"])[1]["status"] == "available", "avail")
    st, js, _, _ = req("POST", P + "/assignments/solve", {"apply": True}, S["fgo"])
    expect(st == 200 and js["applied"] is True and js["assignments"], (st, js))
    for a in js["assignments"]:
        rq = req("GET", P + "/requirements/" + a["requirement_id"], s=S["fgo"])[1]
        expect(rq["status"] == "filled" and rq["pledge_id"] == a["pledge_id"], rq)
        pl = req("GET", P + "/pledges/" + a["pledge_id"], s=S["fgo"])[1]
        expect(pl["status"] == "deployed", pl)
    expect(r["id"] in [a["requirement_id"] for a in js["assignments"]], js)
    st, js2, _, _ = req("POST", P + "/assignments/solve", {}, S["fgo"])
    expect(st == 200 and js2["assignments"] == [] and js2["applied"] is False, js2)


@test
def drafts_are_not_matched_until_opened():
    st, d, _, _ = req("POST", P + "/requirements",
                      requirement(unit_type="transport_company", status="draft",
                                  required_capabilities=[], women_target=None, language=None),
                      S["planner"])
    expect(st == 201 and d["status"] == "draft", (st, d))
    st, pl, _, _ = req("POST", P + "/pledges", pledge(unit_type="transport_company", strength=120,
                                                      country="BGD", level="rapid_deployment"),
                       S["fgo"])
    expect(st == 201, (st, pl))
    st, js, _, _ = req("GET", P + "/requirements?status=draft", s=S["planner"])
    expect(st == 200 and [x["id"] for x in js["items"]] == [d["id"]], js)
    # a draft has no candidates, is not solved and is no gap
    st, js, _, _ = req("GET", P + "/requirements/%s/candidates" % d["id"], s=S["planner"])
    expect(st == 409 and js["error"]["field"] == "status", (st, js))
    st, js, _, _ = req("POST", P + "/assignments/solve", {}, S["fgo"])
    expect(st == 200 and d["id"] not in [a["requirement_id"] for a in js["assignments"]]
           + js["unassigned"], js)
    expect(pl["id"] not in [a["pledge_id"] for a in js["assignments"]], js)
    st, js, _, _ = req("GET", P + "/gaps", s=S["planner"])
    expect(st == 200 and d["id"] not in [x["requirement_id"] for x in js["requirements"]], js)
    # PATCH neither opens nor fills a draft; an open one does not go back
    st, js, _, _ = req("PATCH", P + "/requirements/" + d["id"], {"status": "open"}, S["planner"])
    expect(st == 400 and js["error"]["field"] == "status", (st, js))
    st, js, _, _ = req("PATCH", P + "/requirements/" + d["id"],
                       {"status": "filled", "pledge_id": pl["id"]}, S["planner"])
    expect(st == 400 and js["error"]["field"] == "status", (st, js))
    st, js, _, _ = req("PATCH", P + "/requirements/" + d["id"], {"title": "Trucks, sector West"},
                       S["planner"])
    expect(st == 200 and js["status"] == "draft" and js["version"] == 2, (st, js))
    # opening: the mission's writers only, against the version read
    expect(req("POST", P + "/requirements/%s/open" % d["id"], {}, S["viewer"])[0] in (403, 404),
           "viewer opens")
    st, js, _, _ = req("POST", P + "/requirements/%s/open" % d["id"], {"version": 1}, S["planner"])
    expect(st == 409, (st, js))
    st, js, _, _ = req("POST", P + "/requirements/%s/open" % d["id"], {"colour": 1}, S["planner"])
    expect(st == 400 and js["error"]["field"] == "colour", (st, js))
    st, o, _, _ = req("POST", P + "/requirements/%s/open" % d["id"], {}, S["planner"])
    expect(st == 200 and o["status"] == "open", (st, o))
    st, js, _, _ = req("POST", P + "/requirements/%s/open" % d["id"], {}, S["planner"])
    expect(st == 409 and js["error"]["field"] == "status", (st, js))
    st, js, _, _ = req("PATCH", P + "/requirements/" + d["id"], {"status": "draft"}, S["planner"])
    expect(st == 400 and js["error"]["field"] == "status", (st, js))
    # now it is matched
    st, js, _, _ = req("GET", P + "/requirements/%s/candidates" % d["id"], s=S["planner"])
    expect(st == 200 and js["items"][0]["pledge_id"] == pl["id"], (st, js))
    st, js, _, _ = req("POST", P + "/assignments/solve", {}, S["fgo"])
    got = {a["requirement_id"]: a["pledge_id"] for a in js["assignments"]}
    expect(got.get(d["id"]) == pl["id"], js)


@test
def feasibility_of_a_unit_type():
    y = time.gmtime().tm_year
    st, js, _, _ = req("GET", P + "/feasibility?unit_type=transport_company&required_by=%d-12-31"
                       % (y + 2), s=S["viewer"])
    expect(st == 200 and js["pledges"] >= 1 and js["levels"]["rapid_deployment"] >= 1, (st, js))
    expect(js["feasible"] and js["on_time"] >= 1 and js["earliest_deployment"], js)
    expect(set(js["levels"]) == {"registered", "level_1", "level_2", "level_3",
                                 "rapid_deployment"}, js)
    st, js, _, _ = req("GET", P + "/feasibility?unit_type=riverine_unit", s=S["viewer"])
    expect(st == 200 and js["pledges"] == 0 and not js["feasible"]
           and js["earliest_deployment"] is None, (st, js))
    st, js, _, _ = req("GET", P + "/feasibility?unit_type=navy", s=S["viewer"])
    expect(st == 400 and js["error"]["field"] == "unit_type", (st, js))
    st, js, _, _ = req("GET", P + "/feasibility?unit_type=uas_unit&required_by=soon",
                       s=S["viewer"])
    expect(st == 400 and js["error"]["field"] == "required_by", (st, js))


@test
def rotations_of_a_deployed_unit():
    import datetime
    today = datetime.date.today()
    dep = (today - datetime.timedelta(days=400)).isoformat()
    pl = req("POST", P + "/pledges", pledge(unit_type="level_2_hospital", strength=63,
                                            country="KEN", women_share=0.2), S["fgo"])[1]
    st, r, _, _ = req("POST", P + "/requirements",
                      requirement(unit_type="level_2_hospital", status="filled",
                                  pledge_id=pl["id"], deployed_on=dep, rotation_months=6),
                      S["planner"])
    expect(st == 201, (st, r))
    st, v, _, _ = req("GET", P + "/requirements/%s/rotations" % r["id"], s=S["planner"])
    expect(st == 200 and v["deployed"] and len(v["contingents"]) == 1, (st, v))
    c1 = v["contingents"][0]
    expect(c1["number"] == 1 and c1["start_date"] == dep and not c1["recorded"]
           and c1["strength"] == 63 and v["country"] == "KEN", v)
    expect(v["current"] == 1 and v["overdue"] and v["rotation_months"] == 6, v)
    # the next rotation is due six months after deployment
    y, m, d = map(int, dep.split("-"))
    m += 6
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    import calendar
    due = "%04d-%02d-%02d" % (y, m, min(d, calendar.monthrange(y, m)[1]))
    expect(v["next_rotation_due"] == due, (v["next_rotation_due"], due))
    # bad input names the field, nothing is written
    for body, field in (({"start_date": dep}, "start_date"), ({"start_date": "soon"}, "start_date"),
                        ({"start_date": "2999-01-01"}, "start_date"),
                        ({"start_date": due, "women_share": 2}, "women_share"),
                        ({"start_date": due, "colour": 1}, "colour")):
        st, js, _, _ = req("POST", P + "/requirements/%s/rotations" % r["id"], body, S["planner"])
        expect(st == 400 and js["error"]["field"] == field, (body, st, js))
    expect(req("POST", P + "/requirements/%s/rotations" % r["id"], {"start_date": due},
               S["viewer"])[0] in (403, 404), "viewer rotates")
    st, v, _, _ = req("GET", P + "/requirements/%s/rotations" % r["id"], s=S["planner"])
    expect(len(v["contingents"]) == 1 and not v["contingents"][0]["recorded"], v)
    # the first rotation writes contingents 1 and 2
    st, v, _, _ = req("POST", P + "/requirements/%s/rotations" % r["id"],
                      {"start_date": due, "strength": 60, "women_share": 0.3,
                       "notes": "second contingent"}, S["planner"])
    expect(st == 201 and [c["number"] for c in v["contingents"]] == [1, 2], (st, v))
    c1, c2 = v["contingents"]
    expect(c1["recorded"] and c1["end_date"] == due and c1["strength"] == 63, c1)
    expect(c2["start_date"] == due and c2["end_date"] is None and c2["strength"] == 60
           and abs(c2["women_share"] - 0.3) < 1e-9 and v["current"] == 2, v)
    # a rotation planned ahead is the next one due
    ahead = (today + datetime.timedelta(days=30)).isoformat()
    st, v, _, _ = req("POST", P + "/requirements/%s/rotations" % r["id"],
                      {"start_date": ahead}, S["planner"])
    expect(st == 201 and v["current"] == 2 and v["next_rotation_due"] == ahead
           and v["rotation_planned"] and not v["overdue"] and v["days_to_next_rotation"] == 30, v)
    expect(v["contingents"][1]["end_date"] == ahead and v["contingents"][2]["strength"] == 63, v)
    st, js, _, _ = req("POST", P + "/requirements/%s/rotations" % r["id"],
                       {"start_date": ahead}, S["planner"])
    expect(st == 400 and js["error"]["field"] == "start_date", (st, js))
    # due within 60 days for the mission's planner, not for the MONUSCO viewer
    st, js, _, _ = req("GET", P + "/rotations/due?within_days=60", s=S["planner"])
    expect(st == 200 and r["id"] in [x["requirement_id"] for x in js["items"]], js)
    st, js, _, _ = req("GET", P + "/rotations/due?within_days=10", s=S["planner"])
    expect(st == 200 and r["id"] not in [x["requirement_id"] for x in js["items"]], js)
    st, js, _, _ = req("GET", P + "/rotations/due", s=S["viewer"])
    expect(st == 200 and js["items"] == [], js)
    st, js, _, _ = req("GET", P + "/rotations/due?within_days=x", s=S["planner"])
    expect(st == 400 and js["error"]["field"] == "within_days", (st, js))
    # the deployment date is fixed once the unit has rotated
    st, js, _, _ = req("PATCH", P + "/requirements/" + r["id"], {"deployed_on": today.isoformat()},
                       S["planner"])
    expect(st == 409 and js["error"]["field"] == "deployed_on", (st, js))
    # reopened: the history stays; filled again by another unit, whose
    # contingents continue the numbering
    st, js, _, _ = req("PATCH", P + "/requirements/" + r["id"], {"status": "open"}, S["planner"])
    expect(st == 200 and js.get("pledge_id") is None, (st, js))
    st, v, _, _ = req("GET", P + "/requirements/%s/rotations" % r["id"], s=S["planner"])
    expect(not v["deployed"] and [c["number"] for c in v["contingents"]] == [1, 2, 3], v)
    pl2 = req("POST", P + "/pledges", pledge(unit_type="level_2_hospital", strength=70,
                                             country="URY", women_share=0.25), S["fgo"])[1]
    dep2 = (today - datetime.timedelta(days=20)).isoformat()
    st, js, _, _ = req("PATCH", P + "/requirements/" + r["id"],
                       {"status": "filled", "pledge_id": pl2["id"], "deployed_on": dep2},
                       S["planner"])
    expect(st == 200, (st, js))
    st, v, _, _ = req("GET", P + "/requirements/%s/rotations" % r["id"], s=S["planner"])
    expect(v["deployed"] and [(c["number"], c["recorded"]) for c in v["contingents"]] == [(4, False)]
           and v["country"] == "URY" and v["current"] == 4, v)
    st, v, _, _ = req("POST", P + "/requirements/%s/rotations" % r["id"], {"start_date": ahead},
                      S["planner"])
    expect(st == 201 and [c["number"] for c in v["contingents"]] == [4, 5]
           and v["contingents"][0]["start_date"] == dep2, (st, v))
    # only a deployed unit rotates
    st, o, _, _ = req("POST", P + "/requirements", requirement(unit_type="level_2_hospital"),
                      S["planner"])
    st, js, _, _ = req("POST", P + "/requirements/%s/rotations" % o["id"], {"start_date": ahead},
                       S["planner"])
    expect(st == 409 and js["error"]["field"] == "status", (st, js))
    st, v, _, _ = req("GET", P + "/requirements/%s/rotations" % o["id"], s=S["planner"])
    expect(st == 200 and not v["deployed"] and v["contingents"] == []
           and v["next_rotation_due"] is None, v)


@test
def parity_by_year_and_per_mission():
    st, js, _, _ = req("GET", P + "/parity?year=2025", s=S["viewer"])
    expect(st == 200 and js["year"] == 2025, (st, js))
    mc = {x["category"]: x for x in js["items"]}["military_contingents"]
    expect(mc["target"] == 0.15 and mc["target_year"] == 2028
           and "no target recorded for 2025" in mc["target_source"], mc)
    t = {"category": "military_contingents", "year": 2025, "target": 0.09,
         "source": "API test: a recorded target"}
    expect(req("POST", P + "/parity/targets", t, S["viewer"])[0] == 403, "viewer records")
    for bad, field in ((dict(t, category="navy"), "category"), (dict(t, year=2030), "year"),
                       (dict(t, target=0), "target"), (dict(t, source=""), "source"),
                       (dict(t, colour=1), "colour")):
        st, js, _, _ = req("POST", P + "/parity/targets", bad, S["fgo"])
        expect(st == 400 and js["error"]["field"] == field, (bad, st, js))
    st, rec, _, _ = req("POST", P + "/parity/targets", t, S["fgo"])
    expect(st == 201 and rec["target"] == 0.09, (st, rec))
    st, js, _, _ = req("POST", P + "/parity/targets", t, S["fgo"])
    expect(st == 409 and js["error"]["field"] == "year", (st, js))
    st, js, _, _ = req("GET", P + "/parity?year=2025", s=S["viewer"])
    mc = {x["category"]: x for x in js["items"]}["military_contingents"]
    expect(mc["target"] == 0.09 and mc["target_year"] == 2025
           and mc["target_source"] == t["source"], mc)
    st, js, _, _ = req("PATCH", P + "/parity/targets/" + rec["id"], {"target": 0.1}, S["fgo"])
    expect(st == 200 and js["target"] == 0.1, (st, js))
    st, js, _, _ = req("PATCH", P + "/parity/targets/" + rec["id"], {"year": 2026}, S["fgo"])
    expect(st == 400 and js["error"]["field"] == "year", (st, js))
    st, js, _, _ = req("GET", P + "/parity/targets", s=S["viewer"])
    expect(st == 200 and [x["target"] for x in js["recorded"]] == [0.1]
           and len(js["targets_2028"]) == 4, js)
    expect(req("GET", P + "/parity?year=abc", s=S["viewer"])[0] == 400, "bad year")
    # deployed units per mission: a formed police unit deployed to MINUSCA
    pl = req("POST", P + "/pledges", pledge(unit_type="formed_police_unit", strength=140,
                                            country="SEN", women_share=0.25), S["fgo"])[1]
    st, r, _, _ = req("POST", P + "/requirements",
                      requirement(unit_type="formed_police_unit", status="filled",
                                  pledge_id=pl["id"], deployed_on="2025-01-10"), S["planner"])
    expect(st == 201, (st, r))
    st, js, _, _ = req("GET", P + "/parity/missions?year=2026", s=S["planner"])
    expect(st == 200 and js["year"] == 2026, (st, js))
    ms = {m["acronym"]: m for m in js["missions"]}
    expect("MINUSCA" in ms and "MONUSCO" not in ms, js)
    fpu = {c["category"]: c for c in ms["MINUSCA"]["categories"]}["formed_police_units"]
    expect(fpu["units"] == 1 and fpu["strength"] == 140 and abs(fpu["share"] - 0.25) < 1e-9
           and fpu["target"] == 0.20 and fpu["meets_target"], fpu)
    # the hospital of the rotation test counts with its current contingent (60, 30% women)
    expect(ms["MINUSCA"]["units_with_recorded_contingent"] >= 1, ms["MINUSCA"])
    st, js, _, _ = req("GET", P + "/parity/missions", s=S["viewer"])
    expect(st == 200 and all(m["acronym"] != "MINUSCA" for m in js["missions"]), js)


def main():
    users = {"admin": ["system_admin"], "fgo": ["force_generation_officer"],
             "fgo_m": ["force_generation_officer:MINUSCA"], "planner": ["planner:MINUSCA"],
             "viewer": ["viewer:MONUSCO"]}
    return run('pko-pcrs-', users)


if __name__ == "__main__":
    sys.exit(main())
