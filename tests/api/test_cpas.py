#!/usr/bin/env python3
"""Black-box tests of the CPAS module (planning and performance assessment)
against the real binary.

Usage:  python3 tests/api/test_cpas.py /path/to/pko

Walks a plan through its cycle: draft with a results framework (priority ->
outcome -> output, A4P+ tags), indicators with baselines and targets, data
points entered, corrected (history kept) and approved, the dashboard's
status, trend and overdue periods with their reasons, approval and a
revision that supersedes the plan. Bad input is refused with the field
named and nothing written; reads are scoped to the caller's missions.
Ends with "N passed, M failed".
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import M, S, expect, login, pko, req, run, test  # noqa: E402,F401



P = {}  # ids made along the way


def plan_body(**kw):
    b = {"mission_id": M["MINUSCA"], "title": "MINUSCA plan 2025", "period_start": "2025-01",
         "period_end": "2025-12", "context": "Armed groups in the north-west; elections due."}
    b.update(kw)
    return b


# ==== Plans and framework =====================================================

@test
def planner_drafts_a_plan():
    st, js, _, _ = req("POST", "/api/v1/cpas/plans", plan_body(), S["planner"])
    expect(st == 201, (st, js))
    expect(js["status"] == "draft" and js["version_no"] == 1, js)
    P["plan"] = js["id"]
    for who in ("viewer", "analyst"):
        st, js, _, _ = req("POST", "/api/v1/cpas/plans", plan_body(), S[who])
        expect(st == 403, (who, st, js))
    # A mission the caller cannot see is "no such mission", not 403.
    st, js, _, _ = req("POST", "/api/v1/cpas/plans", plan_body(), S["other"])
    expect(st == 400 and js["error"]["field"] == "mission_id", (st, js))
    st, js, _, _ = req("POST", "/api/v1/cpas/plans", plan_body(period_end="2024-12"), S["planner"])
    expect(st == 400 and js["error"]["field"] == "period_end", (st, js))
    st, js, _, _ = req("POST", "/api/v1/cpas/plans", plan_body(colour=1), S["planner"])
    expect(st == 400 and js["error"]["field"] == "colour", (st, js))


@test
def framework_tree_with_a4p_tags():
    path = "/api/v1/cpas/plans/%s/framework" % P["plan"]
    st, js, _, _ = req("POST", path, {"level": "priority", "title": "Protection of civilians",
                                      "mandated_task": "S/RES/2759 (2024) para 35(a)",
                                      "a4p": ["political_strategy", "women_peace_security"]},
                       S["planner"])
    expect(st == 201 and js["a4p"] == ["political_strategy", "women_peace_security"], (st, js))
    P["prio"] = js["id"]
    st, js, _, _ = req("POST", path, {"level": "outcome", "parent_id": P["prio"],
                                      "title": "Communities in Ouham-Pende are safer"}, S["planner"])
    expect(st == 201, (st, js))
    P["outcome"] = js["id"]
    st, js, _, _ = req("POST", path, {"level": "output", "parent_id": P["outcome"],
                                      "title": "Patrols in hotspots"}, S["madmin"])
    expect(st == 201, (st, js))
    P["output"] = js["id"]
    bad = [({"level": "outcome", "title": "x"}, "parent_id"),
           ({"level": "output", "title": "x", "parent_id": P["prio"]}, "parent_id"),
           ({"level": "priority", "title": "x", "parent_id": P["prio"]}, "parent_id"),
           ({"level": "goal", "title": "x"}, "level"),
           ({"level": "priority", "title": "x", "a4p": ["peace"]}, "a4p"),
           ({"level": "priority", "title": ""}, "title")]
    for body, field in bad:
        st, js, _, _ = req("POST", path, body, S["planner"])
        expect(st == 400 and js["error"]["field"] == field, (body, st, js))
    st, js, _, _ = req("GET", path, s=S["viewer"])
    expect(st == 200 and len(js["priorities"]) == 1, (st, js))
    pr = js["priorities"][0]
    expect(pr["children"][0]["id"] == P["outcome"], pr)
    expect(pr["children"][0]["children"][0]["title"] == "Patrols in hotspots", pr)


# ==== Indicators ==============================================================

def ind_body(**kw):
    b = {"node_id": P["outcome"], "name": "Civilians killed by armed groups",
         "kind": "quantitative", "unit": "people", "direction": "decrease",
         "baseline_value": 120, "baseline_period": "2024",
         "targets": {"2025-Q2": 90, "2025-Q4": 60}, "data_source": "incidents module (verified)",
         "frequency": "quarterly", "component": "Civil Affairs / JMAC",
         "disaggregations": ["sex", "prefecture"]}
    b.update(kw)
    return b


@test
def indicators_on_outcomes():
    st, js, _, _ = req("POST", "/api/v1/cpas/indicators", ind_body(weight=2), S["planner"])
    expect(st == 201 and js["weight"] == 2, (st, js))
    expect(js["targets"] == {"2025-Q2": 90, "2025-Q4": 60} and js["plan_id"] == P["plan"], js)
    P["ind"] = js["id"]
    st, js, _, _ = req("POST", "/api/v1/cpas/indicators",
                       ind_body(node_id=P["output"], name="Patrols per month", direction="increase",
                                baseline_value=30, baseline_period="2024-12", frequency="monthly",
                                targets={"2025-06": 60}, disaggregations=[], unit="patrols"),
                       S["planner"])
    expect(st == 201, (st, js))
    P["ind2"] = js["id"]
    bad = [({"node_id": P["prio"]}, "node_id"), ({"kind": "fuzzy"}, "kind"),
           ({"direction": "up"}, "direction"), ({"targets": {"2026-Q1": 5}}, "targets"),
           ({"targets": {"2025-Q1": "five"}}, "targets"), ({"frequency": "weekly"}, "frequency"),
           ({"baseline_period": None}, "baseline_period"),
           ({"disaggregations": ["Sex"]}, "disaggregations"), ({"at_risk": 0.95}, "at_risk"),
           ({"weight": 0}, "weight")]
    for change, field in bad:
        st, js, _, _ = req("POST", "/api/v1/cpas/indicators", ind_body(**change), S["planner"])
        expect(st == 400 and js["error"]["field"] == field, (change, st, js))
    st, js, _, _ = req("GET", "/api/v1/cpas/indicators?plan_id=" + P["plan"], s=S["viewer"])
    expect(st == 200 and [x["id"] for x in js["items"]] == [P["ind"], P["ind2"]], (st, js))


# ==== Data points =============================================================

def dp(ind, body, who="analyst"):
    return req("POST", "/api/v1/cpas/indicators/%s/datapoints" % ind, body, S[who])


@test
def data_points_are_checked():
    bad = [({"period": "2026-Q1", "value": 5}, "period"),
           ({"period": "2025-Q1", "value": "five"}, "value"),
           ({"period": "2025-Q1"}, "value"),
           ({"period": "2025-Q1", "value": 5, "disaggregation": {"age_group": "0-17"}},
            "disaggregation"),
           ({"period": "2025-13", "value": 5}, "period"),
           ({"period": "2025-Q1", "value": 5, "text_value": "x"}, "text_value")]
    for body, field in bad:
        st, js, _, _ = dp(P["ind"], body)
        expect(st == 400 and js["error"]["field"] == field, (body, st, js))
    st, js, _, _ = req("GET", "/api/v1/cpas/indicators/%s/datapoints" % P["ind"], s=S["viewer"])
    expect(st == 200 and js["items"] == [], (st, js))
    st, js, _, _ = dp(P["ind"], {"period": "2025-Q1", "value": 5}, "viewer")
    expect(st == 403, (st, js))


@test
def enter_correct_approve_with_history():
    st, js, _, _ = dp(P["ind"], {"period": "2025-Q1", "value": 110, "note": "JMAC verified"})
    expect(st == 201 and js["status"] == "draft", (st, js))
    q1 = js["id"]
    st, js, _, _ = dp(P["ind"], {"period": "2025-Q1", "value": 111})
    expect(st == 409, (st, js))
    st, js, _, _ = dp(P["ind"], {"period": "2025-Q1", "value": 60,
                                 "disaggregation": {"sex": "female", "prefecture": "Ouham-Pende"}})
    expect(st == 201 and js["disaggregation"]["sex"] == "female", (st, js))
    st, js, _, _ = req("PATCH", "/api/v1/cpas/datapoints/" + q1,
                       {"value": 100, "note": "two deaths were counted twice"}, S["analyst"])
    expect(st == 200 and js["value"] == 100, (st, js))
    st, js, _, _ = req("PATCH", "/api/v1/cpas/datapoints/" + q1, {"period": "2025-Q2"},
                       S["analyst"])
    expect(st == 400 and js["error"]["field"] == "period", (st, js))
    st, js, _, _ = req("POST", "/api/v1/cpas/datapoints/%s/approve" % q1, {}, S["analyst"])
    expect(st == 403, (st, js))
    st, js, _, _ = req("POST", "/api/v1/cpas/datapoints/%s/approve" % q1, {}, S["planner"])
    expect(st == 200 and js["status"] == "approved", (st, js))
    st, js, _, _ = req("GET", "/api/v1/cpas/datapoints/%s/history" % q1, s=S["viewer"])
    expect(st == 200 and len(js["items"]) == 3, (st, js))
    expect(js["items"][0]["fields"]["value"] == 110 and js["items"][1]["fields"]["value"] == 100,
           js["items"])
    expect("disagg_key" not in json.dumps(js), js)
    P["q1"] = q1


@test
def dashboard_explains_itself():
    st, js, _, _ = dp(P["ind"], {"period": "2025-Q2", "value": 95})
    expect(st == 201, (st, js))
    st, _, _, _ = req("POST", "/api/v1/cpas/datapoints/%s/approve" % js["id"], {}, S["madmin"])
    expect(st == 200, st)
    for m, v in (("2025-01", 35), ("2025-02", 50)):
        st, js, _, _ = dp(P["ind2"], {"period": m, "value": v})
        st, _, _, _ = req("POST", "/api/v1/cpas/datapoints/%s/approve" % js["id"], {}, S["planner"])
        expect(st == 200, st)
    st, js, _, _ = req("GET", "/api/v1/cpas/plans/%s/dashboard?as_of=2025-08" % P["plan"],
                       s=S["viewer"])
    expect(st == 200, (st, js))
    a, b = js["indicators"]
    # Killings: baseline 120, target 90 for Q2, latest 95 (Q2): 25/30 = 83% -> at risk.
    expect(a["status"] == "at_risk", a)
    expect(abs(a["values"]["progress"] - 25 / 30) < 1e-9, a)
    expect(a["trend"]["change_since_baseline"] == -25 and a["trend"]["change_since_last"] == -5, a)
    expect(a["trend"]["previous_period"] == "2025-Q1", a)
    expect("95" in a["reason"] and "90" in a["reason"] and "at-risk" in a["reason"], a["reason"])
    expect(a["completeness"]["overdue"] == [] and a["completeness"]["expected"] == 2, a)
    # Patrols: baseline 30, target 60 by June, latest 50 (Feb): 20/30 = 67% -> at risk;
    # months March to July are overdue by August.
    expect(b["status"] == "at_risk" and b["values"]["target_period"] == "2025-06", b)
    expect(b["completeness"]["overdue"] == ["2025-03", "2025-04", "2025-05", "2025-06",
                                            "2025-07"], b)
    expect(js["summary"]["at_risk"] == 2, js["summary"])
    # The outcome rolls up its own indicator (weight 2) and its output's (weight 1):
    # (2 * 25/30 + 20/30) / 3 = 77.8% -> at risk.
    (oc,) = js["outcomes"]
    expect(oc["node_id"] == P["outcome"] and len(oc["indicators"]) == 2, oc)
    expect(abs(oc["progress"] - (2 * 25 / 30 + 20 / 30) / 3) < 1e-9, oc)
    expect(oc["status"] == "at_risk" and "weighted mean" in oc["reason"], oc)
    st, js, _, _ = req("GET", "/api/v1/cpas/plans/%s/dashboard?as_of=soon" % P["plan"],
                       s=S["viewer"])
    expect(st == 400 and js["error"]["field"] == "as_of", (st, js))


def incident(day, killed, admin1="Ouham-Pende", verify=True):
    body = {"title": "Attack on a village", "occurred_start": day, "lat": 6.5, "lon": 16.4,
            "category": "violence_against_civilians.attack", "mission_id": M["MINUSCA"],
            "killed_civilians": killed, "admin1": admin1}
    st, js, _, _ = req("POST", "/api/v1/incidents", body, S["analyst"])
    expect(st == 201, (st, js))
    steps = ["submitted", "verified"] if verify else ["submitted"]
    for to in steps:
        st, js2, _, _ = req("POST", "/api/v1/incidents/%s/transition" % js["id"], {"status": to},
                            S["analyst"])
        expect(st == 200, (to, st, js2))


@test
def computed_indicator_from_incidents():
    comp = {"source": "incidents", "measure": "killed_civilians",
            "where": {"category": "violence_against_civilians", "admin1": "Ouham-Pende"}}
    body = {"node_id": P["output"], "name": "Civilians killed in Ouham-Pende (computed)",
            "kind": "quantitative", "unit": "people", "direction": "decrease",
            "baseline_value": 10, "baseline_period": "2024-12", "targets": {"2025-06": 0},
            "frequency": "monthly", "computed": comp}
    for change, field in (({"computed": dict(comp, where={"colour": "red"})}, "computed"),
                          ({"computed": dict(comp, measure="lat")}, "computed"),
                          ({"computed": dict(comp, source="pcrs")}, "computed"),
                          ({"computed": dict(comp, where={"status": "draft"})}, "computed"),
                          ({"kind": "qualitative"}, "computed")):
        b = dict(body)
        b.update(change)
        st, js, _, _ = req("POST", "/api/v1/cpas/indicators", b, S["planner"])
        expect(st == 400 and js["error"]["field"] == field, (change, st, js))
    b = dict(body, computed=dict(comp, where={"colour": "red"}))
    st, js, _, _ = req("POST", "/api/v1/cpas/indicators", b, S["planner"])
    expect("unknown field colour" in js["error"]["message"], js)
    st, js, _, _ = req("POST", "/api/v1/cpas/indicators", body, S["planner"])
    expect(st == 201 and js["computed"] == comp, (st, js))
    ci = js["id"]
    st, js, _, _ = dp(ci, {"period": "2025-01", "value": 4})
    expect(st == 409, (st, js))
    incident("2025-01-15", 2)
    incident("2025-02-10", 3)
    incident("2025-02-20", 10, verify=False)    # not verified: not counted
    incident("2025-02-21", 7, admin1="Bangui")  # another prefecture
    incident("2025-04-02", 1)                   # after the as-of month
    st, js, _, _ = req("GET", "/api/v1/cpas/plans/%s/dashboard?as_of=2025-04" % P["plan"],
                       s=S["viewer"])
    expect(st == 200, (st, js))
    (e,) = [x for x in js["indicators"] if x["id"] == ci]
    # January 2, February 3, March 0; latest March 0 against target 0 from 10: on track.
    expect(e["values"]["latest"] == 0 and e["values"]["latest_period"] == "2025-03", e)
    expect(e["trend"]["change_since_last"] == -3 and e["trend"]["change_since_baseline"] == -10, e)
    expect(e["status"] == "on_track", e)
    expect(e["completeness"]["expected"] == 3 and e["completeness"]["overdue"] == [], e)
    expect("computed" in e["completeness"]["reason"], e)


@test
def iati_results_export():
    import xml.etree.ElementTree as ET
    st, _, raw, r = req("GET", "/api/v1/cpas/plans/%s/iati" % P["plan"], s=S["viewer"])
    expect(st == 200 and r.getheader("Content-Type").startswith("application/xml"), st)
    root = ET.fromstring(raw)
    act = root.find("iati-activity")
    expect(act.find("iati-identifier").text.startswith("PKO-MINUSCA-"), raw[:300])
    results = act.findall("result")
    expect([x.get("type") for x in results] == ["2", "1"], raw[:600])
    ind = results[0].find("indicator")
    expect(ind.get("ascending") == "0" and ind.get("measure") == "1", ind.attrib)
    expect(ind.find("title/narrative").text == "Civilians killed by armed groups", raw[:600])
    expect(ind.find("baseline").attrib == {"year": "2024", "value": "120"}, ind.find("baseline").attrib)
    periods = [(p.find("period-start").get("iso-date"), p.find("period-end").get("iso-date"),
                p.find("target").get("value") if p.find("target") is not None else None,
                p.find("actual").get("value") if p.find("actual") is not None else None)
               for p in ind.findall("period")]
    expect(periods == [("2025-01-01", "2025-03-31", None, "100"),
                       ("2025-04-01", "2025-06-30", "90", "95"),
                       ("2025-10-01", "2025-12-31", "60", None)], periods)
    st, _, _, _ = req("GET", "/api/v1/cpas/plans/%s/iati" % P["plan"], s=S["other"])
    expect(st == 404, st)


def check_pdf(pdf, words):
    """A real one-page PDF: header, trailer, one page object; with poppler
    (if installed) pdfinfo says 1 page and pdftotext finds 'words'."""
    import re
    import shutil
    import subprocess
    import tempfile
    expect(pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF"), pdf[:20])
    expect(b"startxref" in pdf[-200:] and b"/Type /Catalog" in pdf, pdf[-200:])
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
    expect(len(pages) == 1, len(pages))
    expect(re.search(rb"/Count 1\b", pdf), "page count")
    if shutil.which("pdfinfo") and shutil.which("pdftotext"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(pdf)
            f.flush()
            info = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True).stdout
            expect(re.search(r"^Pages:\s+1$", info, re.M), info)
            text = subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True,
                                  text=True).stdout
            for w in words:
                expect(w in " ".join(text.split()), (w, text[:800]))
            if os.environ.get("PKO_KEEP_PDF"):
                shutil.copy(f.name, os.environ["PKO_KEEP_PDF"])


@test
def factsheet_page():
    st, _, raw, r = req("GET", "/api/v1/cpas/plans/%s/factsheet?as_of=2025-08" % P["plan"],
                        s=S["viewer"])
    expect(st == 200 and r.getheader("Content-Type").startswith("text/html"), st)
    page = raw.decode()
    expect("MINUSCA: MINUSCA plan 2025" in page, page[:300])
    expect("Communities in Ouham-Pende are safer" in page and "<svg" in page, page)
    expect("Civilians killed by armed groups" in page and "At risk" in page, page)
    expect("<script" not in page, page)
    st, _, pdf, r = req("GET", "/api/v1/cpas/plans/%s/factsheet?format=pdf&as_of=2025-08"
                        % P["plan"], s=S["viewer"])
    expect(st == 200 and r.getheader("Content-Type") == "application/pdf", st)
    check_pdf(pdf, ["Communities in Ouham-Pende are safer", "Civilians killed by armed groups"])
    st, js, _, _ = req("GET", "/api/v1/cpas/plans/%s/factsheet?format=docx" % P["plan"],
                       s=S["viewer"])
    expect(st == 400 and js["error"]["field"] == "format", (st, js))
    st, _, _, _ = req("GET", "/api/v1/cpas/plans/%s/factsheet" % P["plan"], s=S["other"])
    expect(st == 404, st)


@test
def titles_are_escaped_in_the_factsheet():
    st, js, _, _ = req("POST", "/api/v1/cpas/plans",
                       plan_body(title="<script>alert(1)</script> & co"), S["planner"])
    expect(st == 201, (st, js))
    st, _, raw, _ = req("GET", "/api/v1/cpas/plans/%s/factsheet" % js["id"], s=S["viewer"])
    page = raw.decode()
    expect(st == 200 and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page, page[:400])
    expect("<script>" not in page, page[:400])
    P["xss_plan"] = js["id"]


@test
def context_analysis_drivers_and_stakeholders():
    base = "/api/v1/cpas/plans/%s" % P["plan"]
    st, d, _, _ = req("POST", base + "/drivers",
                      {"title": "Transhumance disputes over grazing land", "trend": "worsening",
                       "description": "Seasonal herder movements cross farmland in Ouham-Pende.",
                       "node_ids": [P["outcome"]]}, S["planner"])
    expect(st == 201 and d["node_ids"] == [P["outcome"]], (st, d))
    P["driver"] = d["id"]
    st, s1, _, _ = req("POST", base + "/stakeholders",
                       {"name": "3R armed group", "type": "armed_group", "influence": "high",
                        "attitude": "hostile", "node_ids": [P["outcome"]],
                        "interests": "Control of cattle routes and taxation"}, S["planner"])
    expect(st == 201, (st, s1))
    st, s2, _, _ = req("POST", base + "/stakeholders",
                       {"name": "Prefecture women's associations", "type": "women_groups",
                        "influence": "medium", "attitude": "champion"}, S["madmin"])
    expect(st == 201, (st, s2))
    bad = [("/stakeholders", {"name": "X", "type": "army", "influence": "high",
                              "attitude": "neutral"}, "type"),
           ("/stakeholders", {"name": "X", "type": "media", "influence": 5,
                              "attitude": "neutral"}, "influence"),
           ("/stakeholders", {"name": "X", "type": "media", "influence": "low",
                              "attitude": "friendly"}, "attitude"),
           ("/stakeholders", {"type": "media", "influence": "low", "attitude": "neutral"}, "name"),
           ("/stakeholders", {"name": "X", "type": "media", "influence": "low",
                              "attitude": "neutral", "node_ids": ["nope"]}, "node_ids"),
           ("/drivers", {"title": "X", "trend": "up"}, "trend"),
           ("/drivers", {"title": "X", "colour": 1}, "colour")]
    for path, body, field in bad:
        st, e, _, _ = req("POST", base + path, body, S["planner"])
        expect(st == 400 and e["error"]["field"] == field, (body, st, e))
    st, e, _, _ = req("POST", base + "/drivers", {"title": "X"}, S["analyst"])
    expect(st == 403, (st, e))
    st, u, _, _ = req("PATCH", "/api/v1/cpas/stakeholders/" + s1["id"],
                      {"attitude": "opposed", "version": s1["version"]}, S["planner"])
    expect(st == 200 and u["attitude"] == "opposed" and u["influence"] == "high", (st, u))
    st, e, _, _ = req("PATCH", "/api/v1/cpas/stakeholders/" + s1["id"],
                      {"attitude": "hostile", "version": s1["version"]}, S["planner"])
    expect(st == 409, (st, e))
    st, e, _, _ = req("PATCH", "/api/v1/cpas/stakeholders/" + s1["id"], {"plan_id": "x"},
                      S["planner"])
    expect(st == 400 and e["error"]["field"] == "plan_id", (st, e))
    st, tmp, _, _ = req("POST", base + "/drivers", {"title": "Temporary"}, S["planner"])
    st, _, _, _ = req("DELETE", "/api/v1/cpas/drivers/" + tmp["id"], s=S["planner"])
    expect(st == 204, st)
    st, c, _, _ = req("GET", base + "/context", s=S["viewer"])
    expect(st == 200 and c["context"].startswith("Armed groups"), (st, c))
    expect([x["title"] for x in c["drivers"]] == ["Transhumance disputes over grazing land"], c)
    expect([x["name"] for x in c["stakeholders"]] == ["3R armed group",
                                                      "Prefecture women's associations"], c)
    expect(c["map"]["high"]["opposed"] == 1 and c["map"]["medium"]["champion"] == 1, c["map"])
    st, _, _, _ = req("GET", base + "/context", s=S["other"])
    expect(st == 404, st)


@test
def approval_and_revision():
    st, js, _, _ = req("POST", "/api/v1/cpas/plans/%s/approve" % P["plan"], {}, S["planner"])
    expect(st == 403, (st, js))
    st, js, _, _ = req("POST", "/api/v1/cpas/plans/%s/approve" % P["plan"], {}, S["madmin"])
    expect(st == 200 and js["status"] == "approved", (st, js))
    st, js, _, _ = req("POST", "/api/v1/cpas/plans/%s/approve" % P["plan"], {}, S["madmin"])
    expect(st == 409, (st, js))
    st, js, _, _ = req("POST", "/api/v1/cpas/plans/%s/framework" % P["plan"],
                       {"level": "priority", "title": "Late"}, S["planner"])
    expect(st == 409, (st, js))
    st, js, _, _ = req("POST", "/api/v1/cpas/plans",
                       plan_body(title="MINUSCA plan 2025 rev 1", previous_id=P["plan"]),
                       S["planner"])
    expect(st == 201 and js["version_no"] == 3 and js["previous_id"] == P["plan"], (st, js))
    rev = js["id"]
    # The revision starts as a copy of the framework and indicators, with new ids.
    st, js, _, _ = req("GET", "/api/v1/cpas/plans/%s/framework" % rev, s=S["viewer"])
    expect(st == 200 and len(js["priorities"]) == 1, (st, js))
    pr = js["priorities"][0]
    expect(pr["id"] != P["prio"] and pr["a4p"] == ["political_strategy", "women_peace_security"], pr)
    oc = pr["children"][0]
    expect(oc["parent_id"] == pr["id"] and oc["title"] == "Communities in Ouham-Pende are safer", oc)
    expect(oc["children"][0]["parent_id"] == oc["id"], oc)
    expect([i["name"] for i in oc["indicators"]] == ["Civilians killed by armed groups"], oc)
    st, js, _, _ = req("GET", "/api/v1/cpas/indicators?plan_id=" + rev, s=S["viewer"])
    expect(st == 200 and len(js["items"]) == 3, (st, js))
    ci = [i for i in js["items"] if i["name"] == "Civilians killed by armed groups"][0]
    expect(ci["targets"] == {"2025-Q2": 90, "2025-Q4": 60} and ci["weight"] == 2, ci)
    expect(ci["node_id"] == oc["id"] and ci["id"] != P["ind"], ci)
    st, js, _, _ = req("POST", "/api/v1/cpas/plans/%s/framework" % rev,
                       {"level": "outcome", "parent_id": pr["id"], "title": "Fewer IED attacks"},
                       S["planner"])
    expect(st == 201, (st, js))
    st, js, _, _ = req("POST", "/api/v1/cpas/plans/%s/approve" % rev, {}, S["madmin"])
    expect(st == 200 and js["status"] == "approved", (st, js))
    st, js, _, _ = req("GET", "/api/v1/cpas/plans/" + P["plan"], s=S["viewer"])
    expect(st == 200 and js["status"] == "superseded", (st, js))
    P["rev"] = rev
    st, js, _, _ = req("GET", "/api/v1/cpas/plans?mission_id=" + M["MINUSCA"], s=S["viewer"])
    expect(st == 200 and [p["version_no"] for p in js["items"]] == [3, 2, 1], (st, js))
    st, js, _, _ = req("GET", "/api/v1/cpas/plans?mission_id=" + M["MINUSCA"], s=S["other"])
    expect(st == 200 and js["items"] == [], (st, js))


@test
def revision_copies_the_context_analysis():
    st, c, _, _ = req("GET", "/api/v1/cpas/plans/%s/context" % P["rev"], s=S["viewer"])
    expect(st == 200 and len(c["drivers"]) == 1 and len(c["stakeholders"]) == 2, (st, c))
    st, fw, _, _ = req("GET", "/api/v1/cpas/plans/%s/framework" % P["rev"], s=S["viewer"])
    oc = fw["priorities"][0]["children"][0]["id"]
    expect(c["drivers"][0]["node_ids"] == [oc] and c["drivers"][0]["id"] != P["driver"], c)
    expect(c["stakeholders"][0]["attitude"] == "opposed" and
           c["stakeholders"][0]["node_ids"] == [oc], c)
    # The approved plan's context is no longer edited.
    st, e, _, _ = req("POST", "/api/v1/cpas/plans/%s/drivers" % P["rev"], {"title": "Late"},
                      S["planner"])
    expect(st == 409, (st, e))
    st, e, _, _ = req("DELETE", "/api/v1/cpas/drivers/" + c["drivers"][0]["id"], s=S["planner"])
    expect(st == 409, (st, e))


@test
def assessment_with_recommendations_and_decisions():
    body = {"plan_id": P["plan"], "title": "Annual impact assessment 2025", "period": "2025",
            "scope": "Protection of civilians in the north-west",
            "questions": ["Did patrols reduce killings?", "Which prefectures lag?"],
            "findings": "Killings fell 21% from baseline; patrol coverage below target.",
            "rating": "some_progress"}
    st, js, _, _ = req("POST", "/api/v1/cpas/assessments", body, S["planner"])
    expect(st == 201 and js["questions"][1] == "Which prefectures lag?", (st, js))
    a = js["id"]
    for change, field in (({"rating": "great"}, "rating"), ({"period": "2025-W1"}, "period"),
                          ({"questions": "why"}, "questions"), ({"plan_id": "nope"}, "plan_id")):
        b = dict(body)
        b.update(change)
        st, js, _, _ = req("POST", "/api/v1/cpas/assessments", b, S["planner"])
        expect(st == 400 and js["error"]["field"] == field, (change, st, js))
    st, js, _, _ = req("POST", "/api/v1/cpas/assessments", body, S["analyst"])
    expect(st == 403, (st, js))
    rp = "/api/v1/cpas/assessments/%s/recommendations" % a
    st, js, _, _ = req("POST", rp, {"text": "Add night patrols around Paoua", "owner": "Force HQ",
                                    "due_date": "2025-10-31"}, S["planner"])
    expect(st == 201 and js["status"] == "proposed", (st, js))
    r1 = js["id"]
    st, js, _, _ = req("POST", rp, {"text": "Close two team sites", "owner": "DMS",
                                    "due_date": "2025-12-31"}, S["madmin"])
    expect(st == 201, (st, js))
    r2 = js["id"]
    st, js, _, _ = req("POST", rp, {"text": "x", "owner": "y", "due_date": "2025-02-30"},
                       S["planner"])
    expect(st == 400 and js["error"]["field"] == "due_date", (st, js))
    dp_ = "/api/v1/cpas/recommendations/%s/decision"
    st, js, _, _ = req("POST", dp_ % r1, {"decision": "accepted"}, S["planner"])
    expect(st == 403, (st, js))
    st, js, _, _ = req("POST", dp_ % r1, {"decision": "maybe"}, S["madmin"])
    expect(st == 400 and js["error"]["field"] == "decision", (st, js))
    st, js, _, _ = req("POST", dp_ % r1, {"decision": "accepted", "note": "SLT 12 Sep"}, S["madmin"])
    expect(st == 200 and js["status"] == "accepted" and js["decision_note"] == "SLT 12 Sep", (st, js))
    st, js, _, _ = req("POST", dp_ % r1, {"decision": "rejected"}, S["madmin"])
    expect(st == 409, (st, js))
    st, js, _, _ = req("POST", dp_ % r2, {"decision": "rejected", "note": "sites needed"},
                       S["madmin"])
    expect(st == 200 and js["status"] == "rejected", (st, js))
    st, js, _, _ = req("GET", "/api/v1/cpas/assessments/" + a, s=S["viewer"])
    expect(st == 200 and [r["status"] for r in js["recommendations"]] == ["accepted", "rejected"],
           (st, js))
    # Accepted, due 2025-10-31 and not implemented: overdue; the rejected one is not.
    expect([r["overdue"] for r in js["recommendations"]] == [True, False], js["recommendations"])
    ip = "/api/v1/cpas/recommendations/%s/implementation"
    st, e, _, _ = req("POST", ip % r2, {"implementation": "implemented"}, S["planner"])
    expect(st == 409, (st, e))
    st, e, _, _ = req("POST", ip % r1, {"implementation": "done"}, S["planner"])
    expect(st == 400 and e["error"]["field"] == "implementation", (st, e))
    st, e, _, _ = req("POST", ip % r1, {"implementation": "in_progress"}, S["analyst"])
    expect(st == 403, (st, e))
    st, e, _, _ = req("POST", ip % r1, {"implementation": "in_progress", "note": "two of four"},
                      S["planner"])
    expect(st == 200 and e["implementation"] == "in_progress", (st, e))
    st, js, _, _ = req("GET", "/api/v1/cpas/assessments/" + a, s=S["viewer"])
    expect(js["recommendations"][0]["overdue"] is True, js["recommendations"])
    st, e, _, _ = req("POST", ip % r1, {"implementation": "implemented", "note": "all four"},
                      S["planner"])
    expect(st == 200 and e["implementation_note"] == "all four", (st, e))
    st, js, _, _ = req("GET", "/api/v1/cpas/assessments/" + a, s=S["viewer"])
    expect(js["recommendations"][0]["overdue"] is False, js["recommendations"])
    # The assessment of the first plan shows the revision that followed it.
    expect([r["id"] for r in js["revisions"]] == [P["rev"]], js)
    expect(js["revisions"][0]["status"] == "approved" and js["revisions"][0]["version_no"] == 3,
           js["revisions"])
    st, js, _, _ = req("GET", "/api/v1/cpas/assessments?plan_id=" + P["plan"], s=S["viewer"])
    expect(st == 200 and [x["id"] for x in js["items"]] == [a], (st, js))
    st, js, _, _ = req("GET", "/api/v1/cpas/assessments/" + a, s=S["other"])
    expect(st == 404, (st, js))


@test
def reads_are_scoped_to_the_mission():
    st, js, _, _ = req("GET", "/api/v1/cpas/plans/" + P["plan"], s=S["other"])
    expect(st == 404, (st, js))
    st, js, _, _ = req("GET", "/api/v1/cpas/plans/%s/dashboard" % P["plan"], s=S["other"])
    expect(st == 404, (st, js))
    st, js, _, _ = req("GET", "/api/v1/cpas/indicators/" + P["ind"], s=S["other"])
    expect(st == 404, (st, js))
    st, js, _, _ = req("PATCH", "/api/v1/cpas/datapoints/" + P["q1"], {"value": 1}, S["other"])
    expect(st in (403, 404), (st, js))
    st, js, _, _ = req("POST", "/api/v1/cpas/plans", plan_body(), S["other"])
    expect(st in (400, 403), (st, js))
    st, js, _, _ = req("GET", "/api/v1/cpas/plans", s=S["other"])
    expect(st == 200 and js["items"] == [], (st, js))
    st, js, _, _ = req("GET", "/api/v1/cpas/plans", s=S["viewer"])
    expect(st == 200 and len(js["items"]) == 3, (st, js))
    st, js, _, _ = req("GET", "/api/v1/cpas/plans")
    expect(st == 401, st)


@test
def plan_skeleton_for_other_modules():
    """POST plans/skeleton wraps cpas_plan_skeleton (what mission design
    calls in its own transaction): a draft plan, one priority per distinct
    title, one outcome per element; errors name the element's field and
    nothing is written."""
    body = {"mission_id": M["MINUSCA"], "period_start": "2026-07", "period_end": "2027-06",
            "context": "Elections in December; armed groups in the north-west.",
            "outcomes": [{"priority": "Protection of civilians", "outcome": "Safer roads",
                          "mandated_task": "S/RES/2759 (2024) para 35(a)",
                          "a4p": ["women_peace_security"]},
                         {"priority": "Political process", "outcome": "Local peace committees"},
                         {"priority": "Protection of civilians", "outcome": "Returns of IDPs"}]}
    st, before, _, _ = req("GET", "/api/v1/cpas/plans?mission_id=" + M["MINUSCA"], s=S["planner"])
    st, js, _, _ = req("POST", "/api/v1/cpas/plans/skeleton", body, S["planner"])
    expect(st == 201, (st, js))
    expect(js["status"] == "draft" and js["version_no"] == len(before["items"]) + 1, js)
    expect([p["title"] for p in js["priorities"]] == ["Protection of civilians",
                                                       "Political process"], js)
    expect([o["title"] for o in js["priorities"][0]["children"]] == ["Safer roads",
                                                                      "Returns of IDPs"], js)
    st, fw, _, _ = req("GET", "/api/v1/cpas/plans/%s/framework" % js["id"], s=S["viewer"])
    expect(st == 200 and [p["id"] for p in fw["priorities"]] == [p["id"] for p in js["priorities"]],
           (st, fw))
    expect(fw["priorities"][0]["a4p"] == ["women_peace_security"], fw)
    bad = [(dict(body, outcomes=[{"priority": "P"}]), "outcomes[0].outcome"),
           (dict(body, outcomes=[{"priority": "P", "outcome": "O"}, 1]), "outcomes[1]"),
           (dict(body, outcomes=[{"priority": "P", "outcome": "O", "a4p": ["x"]}]),
            "outcomes[0].a4p"),
           (dict(body, period_end="2026-01"), "period_end"),
           (dict(body, colour="red"), "colour")]
    for b, field in bad:
        st, e, _, _ = req("POST", "/api/v1/cpas/plans/skeleton", b, S["planner"])
        expect(st == 400 and e["error"]["field"] == field, (field, st, e))
    for who, code in (("analyst", 403), ("other", 403)):
        st, e, _, _ = req("POST", "/api/v1/cpas/plans/skeleton", body, S[who])
        expect(st == code, (who, st, e))
    st, after, _, _ = req("GET", "/api/v1/cpas/plans?mission_id=" + M["MINUSCA"], s=S["planner"])
    expect(len(after["items"]) == len(before["items"]) + 1, after)


@test
def formula_indicators_ratios_composites_and_cycles():
    """DHIS2-style numerator / denominator x factor, each side an incidents
    measure or an expression over other indicators (I{code}); composites;
    unknown fields and references, frequency mismatches and cycles refused
    naming them, nothing written."""
    st, pl, _, _ = req("POST", "/api/v1/cpas/plans/skeleton",
                       {"mission_id": M["MINUSCA"], "period_start": "2025-01",
                        "period_end": "2025-12",
                        "outcomes": [{"priority": "Protection of civilians",
                                      "outcome": "Fewer killings per head"}]}, S["planner"])
    expect(st == 201, (st, pl))
    oc = pl["priorities"][0]["children"][0]["id"]
    P["fplan"] = pl["id"]

    def ind(name, code, **kw):
        b = {"node_id": oc, "name": name, "kind": "quantitative", "direction": "decrease",
             "frequency": "monthly", "code": code}
        b.update(kw)
        return req("POST", "/api/v1/cpas/indicators", b, S["planner"])

    def count():
        st, js, _, _ = req("GET", "/api/v1/cpas/indicators?plan_id=" + pl["id"], s=S["viewer"])
        return len(js["items"])

    st, pop, _, _ = ind("Population of Ouham-Pende (thousands)", "pop_k", direction="increase")
    expect(st == 201 and pop["code"] == "pop_k", (st, pop))
    for period, v in (("2025-01", 100), ("2025-02", 100), ("2025-03", 120)):
        st, d, _, _ = dp(pop["id"], {"period": period, "value": v})
        expect(st == 201, (st, d))
        st, d, _, _ = req("POST", "/api/v1/cpas/datapoints/%s/approve" % d["id"], {},
                          S["planner"])
        expect(st == 200, (st, d))
    killed = {"source": "incidents", "measure": "killed_civilians",
              "where": {"admin1": "Ouham-Pende"}}
    rate = {"source": "formula", "numerator": killed, "denominator": "I{pop_k}", "factor": 100}
    st, r, _, _ = ind("Civilians killed per 100,000 people", "kill_rate", computed=rate,
                      baseline_value=3, baseline_period="2024-12", targets={"2025-06": 1})
    expect(st == 201 and r["computed"] == rate, (st, r))
    comp = {"source": "formula", "numerator": "I{kill_rate} + I{pop_k} / 100"}
    st, c, _, _ = ind("Composite of the rate and population", "composite", computed=comp)
    expect(st == 201, (st, c))
    n0 = count()
    bad = [
        ({"numerator": "I{kill_rate} + killed"}, "unknown field killed"),
        ({"numerator": "I{nosuch} * 2"}, "unknown indicator I{nosuch}"),
        ({"numerator": "I{pop_k} +"}, "ends without an operand"),
        ({"numerator": "I{pop_k}", "denominator": {"source": "incidents", "measure": "lat"}},
         "denominator"),
        ({"numerator": "I{pop_k}", "colour": 1}, "no key colour"),
        ({"numerator": "I{selfref} + 1"}, "a cycle among computed indicators: I{selfref} -> "
                                          "I{selfref}"),
    ]
    for f, words in bad:
        st, e, _, _ = ind("Bad formula", "selfref", computed=dict({"source": "formula"}, **f))
        expect(st == 400 and e["error"]["field"] == "computed" and words in e["error"]["message"],
               (f, st, e))
    st, q, _, _ = ind("Quarterly", "q_ind", frequency="quarterly")
    expect(st == 201, (st, q))
    st, e, _, _ = ind("Mixed", "mixed", computed={"source": "formula", "numerator": "I{q_ind}"})
    expect(st == 400 and "quarterly" in e["error"]["message"], (st, e))
    st, e, _, _ = ind("Duplicate code", "pop_k")
    expect(st == 400 and e["error"]["field"] == "code", (st, e))
    expect(count() == n0 + 1, count())
    # The framework tree names each indicator's code (what a formula's I{code}
    # refers to) beside its id and name.
    st, fw, _, _ = req("GET", "/api/v1/cpas/plans/%s/framework" % pl["id"], s=S["viewer"])
    entries = fw["priorities"][0]["children"][0]["indicators"]
    expect(st == 200 and all(set(e) == {"id", "name", "code"} for e in entries), (st, entries))
    codes = {e["name"]: e["code"] for e in entries}
    expect(codes.get("Population of Ouham-Pende (thousands)") == "pop_k"
           and codes.get("Civilians killed per 100,000 people") == "kill_rate"
           and codes.get("Quarterly") == "q_ind", codes)
    # A cycle through PATCH: x1 = 2 * pop_k, y1 = x1 + 1, then x1 = y1.
    st, x1, _, _ = ind("x1", "x1", computed={"source": "formula", "numerator": "2 * I{pop_k}"})
    st, y1, _, _ = ind("y1", "y1", computed={"source": "formula", "numerator": "I{x1} + 1"})
    expect(st == 201, (st, y1))
    st, e, _, _ = req("PATCH", "/api/v1/cpas/indicators/" + x1["id"],
                      {"computed": {"source": "formula", "numerator": "I{y1}"}}, S["planner"])
    expect(st == 400 and "I{x1} -> I{y1} -> I{x1}" in e["error"]["message"], (st, e))
    st, x1b, _, _ = req("GET", "/api/v1/cpas/indicators/" + x1["id"], s=S["viewer"])
    expect(x1b["computed"]["numerator"] == "2 * I{pop_k}" and x1b["version"] == x1["version"], x1b)
    st, e, _, _ = req("PATCH", "/api/v1/cpas/indicators/" + x1["id"], {"code": "z"}, S["planner"])
    expect(st == 400 and e["error"]["field"] == "code", (st, e))
    st, x1c, _, _ = req("PATCH", "/api/v1/cpas/indicators/" + x1["id"],
                        {"computed": {"source": "formula", "numerator": "3 * I{pop_k}"},
                         "name": "x1 tripled", "version": x1["version"]}, S["planner"])
    expect(st == 200 and x1c["name"] == "x1 tripled", (st, x1c))
    st, e, _, _ = req("PATCH", "/api/v1/cpas/indicators/" + x1["id"], {"name": "stale",
                      "version": x1["version"]}, S["planner"])
    expect(st == 409, (st, e))
    st, e, _, _ = dp(r["id"], {"period": "2025-01", "value": 4})
    expect(st == 409, (st, e))
    # The dashboard: killed 2, 3, 0 in Jan..Mar over 100, 100, 120 thousand.
    st, js, _, _ = req("GET", "/api/v1/cpas/plans/%s/dashboard?as_of=2025-04" % pl["id"],
                       s=S["viewer"])
    expect(st == 200, (st, js))
    by = {x["id"]: x for x in js["indicators"]}
    er, ec, ey = by[r["id"]], by[c["id"]], by[y1["id"]]
    expect(er["values"]["latest"] == 0 and er["values"]["latest_period"] == "2025-03", er)
    expect(er["trend"]["change_since_last"] == -3 and er["status"] == "on_track", er)
    expect(abs(ec["values"]["latest"] - 1.2) < 1e-9 and ec["trend"]["change_since_last"] is not None
           and abs(ec["trend"]["change_since_last"] - (1.2 - 4)) < 1e-9, ec)
    expect(ey["values"]["latest"] == 361, ey)  # 3 * 120 + 1
    expect("formula" in er["completeness"]["reason"] and er["completeness"]["overdue"] == [], er)


@test
def import_export_round_trips():
    """Frameworks and data out as JSON and CSV and back in, identical;
    bad files refused naming the line and column, nothing written."""
    def new_plan(title):
        st, js, _, _ = req("POST", "/api/v1/cpas/plans", plan_body(title=title), S["planner"])
        expect(st == 201, (st, js))
        return js["id"]

    def export(pid, fmt="json", what=None):
        q = "?format=" + fmt + ("&what=" + what if what else "")
        st, js, raw, r = req("GET", "/api/v1/cpas/plans/%s/export%s" % (pid, q), s=S["viewer"])
        expect(st == 200, (st, raw[:300]))
        return js if fmt == "json" else raw.decode()

    def imp(pid, body, fmt="json", what=None, who="planner"):
        q = "?format=" + fmt + ("&what=" + what if what else "")
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        return req("POST", "/api/v1/cpas/plans/%s/import%s" % (pid, q), data, S[who],
                   ctype="text/csv" if fmt == "csv" else "application/json")

    def strip(doc):
        d = {k: v for k, v in doc.items() if k != "plan"}
        d["datapoints"] = [{k: v for k, v in x.items() if k not in ("status", "indicator_id")}
                           for x in doc["datapoints"]]
        return d

    # JSON: the first plan (framework, indicators, data, drivers, stakeholders).
    a = export(P["plan"])
    expect(a["format"] == "pko-cpas-1" and len(a["nodes"]) == 3 and len(a["indicators"]) == 3, a)
    expect(len(a["datapoints"]) >= 4 and len(a["drivers"]) == 1 and len(a["stakeholders"]) == 2,
           a)
    b = new_plan("Imported from JSON")
    st, js, _, _ = imp(b, a)
    expect(st == 201 and js["imported"]["nodes"] == 3 and
           js["imported"]["datapoints"] == len(a["datapoints"]), (st, js))
    expect(strip(export(b)) == strip(a), (strip(export(b)), strip(a)))
    # A node and data points that exist already: nothing at all is written.
    eb = export(b)
    again = {"format": "pko-cpas-1",
             "nodes": [{"key": "NEW", "level": "priority", "title": "New priority"}],
             "datapoints": [{k: v for k, v in x.items() if k != "indicator"}
                            for x in eb["datapoints"]]}
    st, js, _, _ = imp(b, again)
    expect(st == 409 and js["error"]["field"] == "datapoints[0].period", (st, js))
    expect(len(export(b)["nodes"]) == len(eb["nodes"]), "half-written")
    again["datapoints"] = again["datapoints"][:0]
    st, js, _, _ = imp(b, again)
    expect(st == 201 and js["imported"]["nodes"] == 1, (st, js))
    for bad, field in ((dict(a, format="x"), "format"), (dict(a, colour=1), "colour"),
                       (dict(a, nodes=[{"key": "N1", "level": "outcome", "title": "t",
                                        "parent": "N9"}]), "nodes[0].parent"),
                       ({"format": "pko-cpas-1",
                         "nodes": [{"key": "N1", "level": "goal", "title": "t"}]},
                        "nodes[0].level"),
                       (dict(a, indicators=[dict(a["indicators"][0], direction="up")]),
                        "indicators[0].direction")):
        st, js, _, _ = imp(new_plan("bad"), bad)
        expect(st == 400 and js["error"]["field"] == field, (field, st, js))
    st, js, _, _ = imp(b, "{not json")
    expect(st == 400, (st, js))
    # CSV framework (with codes and formulas) and CSV data.
    fw = export(P["fplan"], "csv", "framework")
    expect(fw.startswith("type,key,parent,title,"), fw[:200])
    expect("kill_rate" in fw and "I{pop_k}" in fw, fw)
    c = new_plan("Imported from CSV")
    st, js, _, _ = imp(c, fw, "csv", "framework")
    expect(st == 201 and js["imported"]["indicators"] >= 5, (st, js))
    expect(export(c, "csv", "framework") == fw, (export(c, "csv", "framework"), fw))
    data = export(P["fplan"], "csv", "data")
    expect(data.splitlines()[0] == "indicator_id,indicator_code,indicator_name,period,value,"
                                   "text_value,disaggregation,note,status", data[:200])
    st, js, _, _ = imp(c, data, "csv", "data", who="analyst")
    expect(st == 201 and js["imported"]["datapoints"] == 3, (st, js))

    def rows(text):
        import csv as _csv
        import io
        return [r[1:8] for r in _csv.reader(io.StringIO(text))][1:]
    expect(rows(export(c, "csv", "data")) == rows(data), (export(c, "csv", "data"), data))
    # An analyst imports data, not frameworks.
    st, js, _, _ = imp(new_plan("x"), fw, "csv", "framework", who="analyst")
    expect(st == 403, (st, js))
    # Bad CSV: an unknown column, a value that is not a number (line named).
    st, js, _, _ = imp(c, "indicator_code,period,value,colour\r\npop_k,2025-04,1,red\r\n",
                       "csv", "data")
    expect(st == 400 and js["error"]["field"] == "colour", (st, js))
    st, js, _, _ = imp(c, "indicator_code,period,value\r\npop_k,2025-04,12\r\n"
                          "pop_k,2025-05,twelve\r\n", "csv", "data")
    expect(st == 400 and js["error"]["field"] == "value" and "line 3" in js["error"]["message"],
           (st, js))
    st, js, _, _ = imp(c, "indicator_code,period,value\r\npop_k,2025-04,12\r\n"
                          "pop_k,2026-05,12\r\n", "csv", "data")
    expect(st == 400 and js["error"]["field"] == "datapoints[1].period" and
           "line 3" in js["error"]["message"], (st, js))
    st, js, _, _ = imp(c, "indicator_code,period,value\r\nnosuch,2025-04,12\r\n", "csv", "data")
    expect(st == 400 and js["error"]["field"] == "datapoints[0].indicator", (st, js))
    expect(rows(export(c, "csv", "data")) == rows(data), "half-written")
    st, _, _, _ = req("GET", "/api/v1/cpas/plans/%s/export" % c, s=S["other"])
    expect(st == 404, st)


def main():
    users = {"admin": ["system_admin"], "madmin": ["mission_admin:MINUSCA"],
             "planner": ["planner:MINUSCA"], "analyst": ["analyst:MINUSCA"],
             "viewer": ["viewer:MINUSCA"], "other": ["planner:MONUSCO"]}
    return run('pko-cpas-', users)


if __name__ == "__main__":
    sys.exit(main())
