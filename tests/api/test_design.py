#!/usr/bin/env python3
"""Black-box tests of the mission design module against the real binary.

Usage:  python3 tests/api/test_design.py /path/to/pko

The catalogue (30 models, 6 modalities, 21 mandate components, threats,
ten success factors; every model's strategic purpose found verbatim at the
line of the study it cites, when ../shared/seeds is present), the composer
(reasons citing the study, validation naming the field), the mandate check
on a deliberately flawed mandate (tests/fixtures/design/flawed_mandate.json:
every expected rule found, each finding citing its sources) and on a sound
one, mission designs (scope, permissions, derived units and cost, editable
assumptions), and a composed mission end to end: profile -> models -> design
-> draft requirements in PCRS -> feasibility against pledges -> CPAS plan
skeleton with an outcome per model -> life cycle transitions with their
benchmarks. Ends with "N passed, M failed".
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import M, S, expect, req, run, test  # noqa: E402

D = "/api/v1/design"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEEDS = os.path.join(ROOT, "..", "shared", "seeds")
FIX = os.path.join(ROOT, "tests", "fixtures", "design")
YEAR = time.gmtime().tm_year
MANDATE_DATE = "%d-03-01" % (YEAR + 1)


def fixture(name):
    with open(os.path.join(FIX, name), encoding="utf-8") as f:
        return json.load(f)


def seed_line(fname, line):
    with open(os.path.join(SEEDS, fname), encoding="utf-8") as f:
        lines = f.read().split("\n")
    return lines[line - 1]


@test
def catalogue_models():
    st, js, _, _ = req("GET", D + "/models", s=S["viewer"])
    expect(st == 200 and js["count"] == 30 and len(js["items"]) == 30, (st, js and js.get("count")))
    ids = [m["id"] for m in js["items"]]
    expect(ids == list(range(1, 31)), ids)
    names = {m["id"]: m["name"] for m in js["items"]}
    expect(names[1] == "Preventive Deployments" and names[30] == "Maritime Security", names)
    expect(names[3] == "Protection of Civilians", names[3])
    for m in js["items"]:
        src = m["source"]
        expect(src["file"] == "000_7f7c5e6c24e24b33.txt" and src["line"] > 0, src)
        expect(m["purpose"] and m["tasks"] and m["capabilities_raw"], m["id"])
        for c in m["capabilities"]:
            expect(c["raw"] and c["codes"], (m["id"], c))
    # Raw strings kept, normalised codes: model 1's comma-laden ISR item is one item.
    m1 = js["items"][0]
    raws = [c["raw"] for c in m1["capabilities"]]
    expect("intelligence, surveillance, and reconnaissance (ISR)/sensing technologies" in raws, raws)
    expect(next(c for c in m1["capabilities"] if c["raw"].startswith("intelligence"))["codes"] == ["isr"], m1)
    # Model 22 lists aviation twice in the study; the normalised codes once.
    m22 = js["items"][21]
    expect([c["raw"] for c in m22["capabilities"]].count("aviation") == 2, m22["capabilities_raw"])
    expect(m22["capability_codes"].count("aviation") == 1, m22["capability_codes"])
    if os.path.isdir(SEEDS):
        for m in js["items"]:
            s = m["source"]
            expect(("%d. " % m["id"]) in seed_line(s["file"], s["line"]), (m["id"], s["line"]))
            expect(m["purpose"][:60] in seed_line(s["file"], s["purpose_line"]), m["id"])
            expect(seed_line(s["file"], s["capabilities_line"]).startswith("**Related Capabilities:**"),
                   m["id"])
    st, js, _, _ = req("GET", D + "/models?capability=aviation", s=S["viewer"])
    expect(st == 200 and js["count"] == 21, js["count"])
    st, js, _, _ = req("GET", D + "/models?capability=warp_drive", s=S["viewer"])
    expect(st == 400 and js["error"]["field"] == "capability", js)
    st, js, _, _ = req("GET", D + "/models/2", s=S["viewer"])
    expect(st == 200 and js["rapid_deployment"] is True and js["links"][0]["model"] == 19, js)
    expect(any(c["code"] == "aviation" for c in js["capability_details"]), js["capability_details"])
    for bad in ("31", "0", "x"):
        st, js, _, _ = req("GET", D + "/models/" + bad, s=S["viewer"])
        expect(st == 404, (bad, st))
    st, _, _, _ = req("GET", D + "/models")
    expect(st == 401, st)


@test
def catalogue_other_lists():
    st, js, _, _ = req("GET", D + "/modalities", s=S["viewer"])
    expect(st == 200 and js["count"] == 6, js)
    mods = {m["id"]: m for m in js["items"]}
    expect(set(mods) == {"standalone", "sequenced", "parallel", "joint", "hybrid", "un_authorized"}, mods)
    expect(mods["hybrid"]["head_of_mission"] == "a single Head of Mission" and mods["hybrid"]["financing"] == "UN", mods["hybrid"])
    for m in js["items"]:
        for k in ("organisations", "command_and_control", "head_of_mission", "financing", "rules", "source"):
            expect(m.get(k), (m["id"], k))
    st, js, _, _ = req("GET", D + "/mandate-components", s=S["viewer"])
    expect(st == 200 and js["count"] == 21 and js["items"][1]["name"] == "ceasefire monitoring", js)
    expect(all(c["source"]["line"] == 356 for c in js["items"]), "components cite footnote 32")
    st, js, _, _ = req("GET", D + "/success-factors", s=S["viewer"])
    expect(st == 200 and js["count"] == 10 and js["items"][9]["name"] == "Effective transition", js)
    st, js, _, _ = req("GET", D + "/threats", s=S["viewer"])
    expect(st == 200 and js["count"] == 5, js)
    st, js, _, _ = req("GET", D + "/capabilities", s=S["viewer"])
    expect(st == 200 and js["count"] >= 50, js["count"])
    av = next(c for c in js["items"] if c["code"] == "aviation")
    expect(av["units"][0]["unit_type"] == "utility_helicopter_unit" and len(av["models"]) == 21, av)
    expect(all(c["sources"] for c in js["items"]), "every capability cites its lines")
    if os.path.isdir(SEEDS):
        for c in js["items"]:
            for s in c["sources"]:
                line = seed_line(s["file"], s["line"])
                expect(line.startswith("**Related Capabilities:**"), (c["code"], s))
                expect(any(r in line for r in c["raw"]), (c["code"], s["line"]))
    for path in ("/signals", "/lifecycle", "/mandate-rules", "/rates"):
        st, js, _, _ = req("GET", D + path, s=S["viewer"])
        expect(st == 200, (path, st))
    st, js, _, _ = req("GET", D + "/lifecycle", s=S["viewer"])
    expect([s["id"] for s in js["states"]] == ["assessment", "planning", "start_up", "operating", "drawdown", "closed"], js)
    expect(js["deployment_benchmarks"]["traditional_days"] == 30 and js["deployment_benchmarks"]["multidimensional_days"] == 90, js)
    if os.path.isdir(SEEDS):
        src = js["deployment_benchmarks"]["source"]
        text = " ".join(seed_line(src["file"], n) for n in range(src["line"], src["end_line"] + 1))
        expect("within 30 days" in text and "within 90 days" in text, src)


PROFILE = {"threats": ["armed_conflict"],
           "situations": ["violence_against_civilians", "mass_atrocities", "armed_groups_disarming", "elections"],
           "host_consent": "full", "parties_consent": "partial", "host_capacity": "low",
           "regional_actors": "supportive", "urgency": "high", "max_models": 5}


@test
def compose_profile():
    st, js, _, _ = req("POST", D + "/compose", PROFILE, S["viewer"])
    expect(st == 200, (st, js))
    ids = [p["model"] for p in js["proposals"]]
    expect(ids[:2] == [2, 3] and 12 in ids and 11 in ids and len(ids) <= 5, ids)
    scores = [p["score"] for p in js["proposals"]]
    expect(scores == sorted(scores, reverse=True), scores)
    p2 = js["proposals"][0]
    expect(any("Rapid Deployment Level" in r["text"] for r in p2["reasons"]), p2["reasons"])
    for p in js["proposals"]:
        expect(p["reasons"], p)
        for r in p["reasons"]:
            expect(r["cite"].startswith("000_7f7c5e6c24e24b33.txt:"), r)
    # Model 3's reason cites its strategic purpose line (464).
    p3 = next(p for p in js["proposals"] if p["model"] == 3)
    expect(any(r["cite"] == "000_7f7c5e6c24e24b33.txt:464" for r in p3["reasons"]), p3["reasons"])
    expect(js["modality"]["id"] == "standalone" and js["modality"]["reasons"], js["modality"])
    expect([ph["phase"] for ph in js["phases"]] == ["start_up", "main", "drawdown"], js["phases"])
    expect(js["warnings"], "partial consent warns")
    sf = {f["id"]: f for f in js["success_factors"]}
    expect(len(sf) == 10 and sf[2]["status"] == "supportive" and sf[4]["status"] == "supportive", sf)
    expect(sf[5]["status"] == "at_risk" and sf[5]["cite"] == "000_7f7c5e6c24e24b33.txt:1150", sf[5])
    # A request-driven model (11) is penalised without full host consent.
    prof = dict(PROFILE, host_consent="partial", situations=["elections"], threats=[])
    st, js, _, _ = req("POST", D + "/compose", prof, S["viewer"])
    expect(st == 200 and js["proposals"] == [] or all(p["model"] != 11 for p in js["proposals"]), js)
    # A regional force already deployed: a parallel deployment.
    prof = dict(PROFILE, regional_actors="deployed", urgency="low")
    st, js, _, _ = req("POST", D + "/compose", prof, S["viewer"])
    expect(js["modality"]["id"] == "parallel", js["modality"])
    for body, field in (({"threats": ["zombies"]}, "threats"),
                        ({"situations": ["armed_conflict"]}, "situations"),
                        ({"situations": ["elections"], "urgency": "extreme"}, "urgency"),
                        ({"situations": ["elections"], "max_models": 0}, "max_models"),
                        ({"situations": ["elections"], "colour": "blue"}, "colour"),
                        ({}, "situations")):
        st, js, _, _ = req("POST", D + "/compose", body, S["viewer"])
        expect(st == 400 and js["error"]["field"] == field, (body, st, js))


@test
def mandate_check_flawed_fixture():
    m = fixture("flawed_mandate.json")
    expected = set(m.pop("expected_rules"))
    st, js, _, _ = req("POST", D + "/mandate-check", m, S["viewer"])
    expect(st == 200, (st, js))
    found = {f["rule"] for f in js["findings"]}
    expect(found == expected, ("missing", expected - found, "extra", found - expected))
    for f in js["findings"]:
        expect(f["sources"] and all(s["cite"] for s in f["sources"]), f)
        expect(f["criterion"] in ("clear", "focused", "prioritized", "sequenced", "achievable",
                                  "adaptable", "matched by resources"), f)
    by = {}
    for f in js["findings"]:
        by.setdefault(f["rule"], []).append(f)
    # The tasks without a capability: maritime (1), electoral (2), ceasefire (5), DDR (6),
    # humanitarian (7), sanctions (9); not POC (formed police units deliver it).
    expect(sorted(f["task"] for f in by["MC06"]) == [1, 2, 5, 6, 7, 9], by["MC06"])
    expect(by["MC09"][0]["task"] == 2 and by["MC01"][0]["task"] == 10, by)
    expect(js["summary"]["clusters"] == 10, js["summary"])
    expect(js["criteria"]["clear"] == "fail" and js["criteria"]["matched by resources"] == "fail", js["criteria"])
    expect(any("000_7f7c5e6c24e24b33.txt:362" == s["cite"] for s in by["MC10"][0]["sources"]), by["MC10"])


@test
def mandate_check_sound_fixture():
    m = fixture("sound_mandate.json")
    st, js, _, _ = req("POST", D + "/mandate-check", m, S["viewer"])
    expect(st == 200 and js["summary"]["errors"] == 0 and js["findings"] == [], js)
    expect(all(v == "pass" for v in js["criteria"].values()), js["criteria"])
    # Take the helicopters and the QRF away: POC has no mobility any more.
    m["resources"] = {"capabilities": ["political_civil_affairs", "human_rights", "ddr", "data_analytics"],
                      "units": [{"unit_type": "formed_police_unit", "count": 3}]}
    st, js, _, _ = req("POST", D + "/mandate-check", m, S["viewer"])
    expect(st == 200 and [f["rule"] for f in js["findings"]] == ["MC07"], js["findings"])
    for body, field in (({"tasks": []}, "tasks"),
                        ({"tasks": [{"component": 1, "priority": 10}]}, "tasks"),
                        ({"tasks": [{"component": 1}], "chapter": "VIII"}, "chapter"),
                        ({"tasks": [{"component": 1}], "resources": {"capabilities": ["nope"]}}, "resources"),
                        ({"tasks": [{"component": 1}], "resources": {"units": [{"unit_type": "tank_army"}]}}, "resources"),
                        ({"tasks": [{"component": 1}], "mood": 1}, "mood")):
        st, js, _, _ = req("POST", D + "/mandate-check", body, S["viewer"])
        expect(st == 400 and js["error"]["field"] == field, (body, st, js))


def design_body(**kw):
    body = {"mission_id": M["MINUSCA"], "title": "MINUSCA re-composition", "models": [3, 12],
            "modality": "standalone", "mandate_date": MANDATE_DATE}
    body.update(kw)
    return body


@test
def designs_scope_and_validation():
    st, js, _, _ = req("POST", D + "/missions", design_body(), S["planner"])
    expect(st == 201 and js["state"] == "assessment" and js["derived"]["units"], (st, js))
    did = js["id"]
    st, _, _, _ = req("GET", D + "/missions/" + did, s=S["viewer"])
    expect(st == 404, "MONUSCO viewer sees no MINUSCA design")
    # Another mission's id: not visible to this planner, so not found (no leak).
    st, js, _, _ = req("POST", D + "/missions", design_body(mission_id=M["MONUSCO"]), S["planner"])
    expect(st == 400 and js["error"]["field"] == "mission_id", (st, js))
    st, js, _, _ = req("POST", D + "/missions", design_body(), S["viewer"])
    expect(st == 403, (st, js))
    for body, field in ((design_body(models=[31]), "models"), (design_body(models=[3, 3]), "models"),
                        (design_body(modality="solo"), "modality"),
                        (design_body(phases=[{"phase": "later", "models": [3], "months": 6}]), "phases"),
                        (design_body(scale=9), "scale"),
                        (design_body(assumptions={"aviation": {"units": [{"unit_type": "zeppelin", "count": 1}]}}), "assumptions"),
                        (design_body(profile={"situations": ["nope"]}), "profile.situations"),
                        (design_body(mandate={"tasks": []}), "mandate.tasks"),
                        (design_body(state="operating"), "state"),
                        (design_body(mandate_date="2026-02-30"), "mandate_date"),
                        (design_body(title=""), "title")):
        st, js, _, _ = req("POST", D + "/missions", body, S["planner"])
        expect(st == 400 and js["error"]["field"] == field, (field, st, js))
    st, js, _, _ = req("GET", D + "/missions?mission_id=" + M["MINUSCA"], s=S["planner"])
    expect(st == 200 and did in [d["id"] for d in js["items"]], js)


@test
def derived_units_cost_and_assumptions():
    st, js, _, _ = req("POST", D + "/missions", design_body(models=[4]), S["planner"])
    der = js["derived"]
    expect(der["benchmark"]["kind"] == "traditional" and der["benchmark"]["days"] == 30, der["benchmark"])
    units = {u["unit_type"]: u for u in der["units"]}
    expect(units["military_observers"]["strength"] == 20 and "utility_helicopter_unit" in units, units)
    expect(der["cost"]["total_usd"] > 0 and der["cost"]["months"] == 12, der["cost"])
    did, ver = js["id"], js["version"]
    # Edit the assumption: aviation takes two helicopter units.
    st, js, _, _ = req("PATCH", D + "/missions/" + did,
                       {"version": ver, "assumptions": {"aviation": {"units": [{"unit_type": "utility_helicopter_unit", "count": 2}]}}},
                       S["planner"])
    expect(st == 200, (st, js))
    units2 = {u["unit_type"]: u for u in js["derived"]["units"]}
    expect(units2["utility_helicopter_unit"]["count"] == 2, units2)
    expect(js["derived"]["assumptions_overridden"] == ["aviation"], js["derived"])
    expect(js["derived"]["cost"]["total_usd"] > der["cost"]["total_usd"], "two helicopters cost more")
    st, js, _, _ = req("PATCH", D + "/missions/" + did, {"version": ver, "title": "x"}, S["planner"])
    expect(st == 409, (st, js))
    # Scale multiplies unit counts.
    st, js, _, _ = req("POST", D + "/missions", design_body(models=[4], scale=3), S["planner"])
    expect({u["unit_type"]: u for u in js["derived"]["units"]}["utility_helicopter_unit"]["count"] == 3, js["derived"]["units"])
    st, js, _, _ = req("POST", D + "/missions", design_body(models=[3, 12]), S["planner"])
    expect(js["derived"]["benchmark"]["days"] == 90, js["derived"]["benchmark"])


@test
def composed_mission_end_to_end():
    # 1. Profile -> proposed models.
    st, comp, _, _ = req("POST", D + "/compose", PROFILE, S["planner"])
    expect(st == 200, comp)
    models = [p["model"] for p in comp["proposals"]]
    # 2. A design of those models, the proposed modality and phases.
    body = design_body(title="CAR protection design", models=models, modality=comp["modality"]["id"],
                       phases=comp["phases"], profile=PROFILE,
                       mandate=fixture("sound_mandate.json"),
                       exit_benchmarks=["Armed groups disarmed in the east"])
    st, d, _, _ = req("POST", D + "/missions", body, S["planner"])
    expect(st == 201 and d["mandate_check"]["summary"]["errors"] == 0, (st, d))
    did = d["id"]
    expect([p["phase"] for p in d["derived"]["phases"]] == ["start_up", "main", "drawdown"], d["derived"]["phases"])
    # Life cycle: planning -> start_up needs requirements in PCRS first.
    st, js, _, _ = req("POST", D + "/missions/%s/transition" % did, {"to": "start_up"}, S["planner"])
    expect(st == 409 and js["error"]["field"] == "to", js)
    st, js, _, _ = req("POST", D + "/missions/%s/transition" % did, {"to": "planning"}, S["planner"])
    expect(st == 200 and js["state"] == "planning", js)
    st, js, _, _ = req("POST", D + "/missions/%s/transition" % did, {"to": "start_up"}, S["planner"])
    expect(st == 400 and js["error"]["field"] == "requirements_pushed" and "003_f0067143c8d9ff50.txt" in js["error"]["message"], js)
    # 3. Requirements -> PCRS drafts.
    st, js, _, _ = req("POST", D + "/missions/%s/requirements" % did, {}, S["viewer"])
    expect(st == 403, st)
    st, pushed, _, _ = req("POST", D + "/missions/%s/requirements" % did, {}, S["planner"])
    expect(st == 201 and pushed["status"] == "draft", (st, pushed))
    n_units = sum(u["count"] for u in d["derived"]["units"])
    expect(pushed["count"] == n_units, (pushed["count"], n_units))
    st, js, _, _ = req("GET", "/api/v1/pcrs/requirements?mission_id=%s&limit=200" % M["MINUSCA"], s=S["planner"])
    mine = [r for r in js["items"] if r["id"] in pushed["requirement_ids"]]
    expect(len(mine) == pushed["count"] and all(r["status"] == "draft" for r in mine), mine[:2])
    expect(all(r["required_by"] >= MANDATE_DATE for r in mine), "counted from the mandate date")
    expect(any(r["unit_type"] == "utility_helicopter_unit" for r in mine), "aviation -> helicopters")
    st, js, _, _ = req("POST", D + "/missions/%s/requirements" % did, {}, S["planner"])
    expect(st == 409, "pushed once")
    # 4. Feasibility: pledges per readiness level, earliest deployment vs 90 days.
    st, f0, _, _ = req("GET", D + "/missions/%s/feasibility" % did, s=S["planner"])
    expect(st == 200 and f0["benchmark_days"] == 90 and f0["meets_benchmark"] is False and f0["missing"], f0)
    for ut in {u["unit_type"] for u in d["derived"]["units"]}:
        need = sum(u["count"] for u in d["derived"]["units"] if u["unit_type"] == ut)
        for _ in range(need):
            st, js, _, _ = req("POST", "/api/v1/pcrs/pledges",
                               {"country": "RWA", "unit_type": ut, "strength": 100,
                                "level": "rapid_deployment"}, S["fgo"])
            expect(st == 201, (ut, js))
    st, f1, _, _ = req("GET", D + "/missions/%s/feasibility" % did, s=S["planner"])
    expect(f1["missing"] == [] and f1["earliest_days"] == 60 and f1["meets_benchmark"] is True, f1)
    expect(all(u["pledged_by_level"]["rapid_deployment"] >= u["needed"] for u in f1["units"]), f1["units"])
    expect(f1["earliest_date"] is not None and f1["requirements"] and f1["requirements"][0]["levels"], f1)
    # 5. CPAS plan skeleton: one outcome per model.
    st, plan, _, _ = req("POST", D + "/missions/%s/plan" % did, {}, S["planner"])
    expect(st == 201 and plan["status"] == "draft", (st, plan))
    st, fw, _, _ = req("GET", "/api/v1/cpas/plans/%s/framework" % plan["id"], s=S["planner"])
    expect(st == 200, fw)
    outcomes = [o["title"] for p in fw["priorities"] for o in p["children"]]
    expect(len(outcomes) == len(models), outcomes)
    for mid in models:
        expect(any(o.startswith("Model %d," % mid) for o in outcomes), (mid, outcomes))
    st, js, _, _ = req("POST", D + "/missions/%s/plan" % did, {}, S["planner"])
    expect(st == 409, "one skeleton per design")
    # 6. The rest of the life cycle with its benchmarks.
    st, js, _, _ = req("POST", D + "/missions/%s/transition" % did, {"to": "start_up"}, S["planner"])
    expect(st == 200 and js["state"] == "start_up" and js["plan_id"] == plan["id"], js)
    st, js, _, _ = req("POST", D + "/missions/%s/transition" % did, {"to": "operating"}, S["planner"])
    expect(st == 200 and js["state"] == "operating", js)
    st, js, _, _ = req("POST", D + "/missions/%s/transition" % did, {"to": "drawdown"}, S["planner"])
    expect(st == 400 and js["error"]["field"] == "decision", js)
    st, js, _, _ = req("POST", D + "/missions/%s/transition" % did,
                       {"to": "drawdown", "decision": "SCR 9999 (2030) begins the transition"}, S["planner"])
    expect(st == 200 and js["state"] == "drawdown" and "SCR 9999" in js["notes"], js)
    st, js, _, _ = req("POST", D + "/missions/%s/transition" % did,
                       {"to": "closed", "decision": "hand-over to the UNCT completed"}, S["planner"])
    expect(st == 200 and js["state"] == "closed", js)
    st, js, _, _ = req("PATCH", D + "/missions/" + did, {"title": "late change"}, S["planner"])
    expect(st == 409, js)


def main():
    users = {"admin": ["system_admin"], "fgo": ["force_generation_officer"],
             "planner": ["planner:MINUSCA"], "viewer": ["viewer:MONUSCO"]}
    return run("pko-design-", users)


if __name__ == "__main__":
    sys.exit(main())
