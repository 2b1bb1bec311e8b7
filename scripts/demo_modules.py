#!/usr/bin/env python3
"""Give every module of the PKO demo something to show, through the API only.

Usage:
  demo_modules.py incidents-csv OUT.csv OUT.map.json
      writes the synthetic protection incidents of the demo's primary
      mission (imported by demo.sh with `pko import csv --map`)
  demo_modules.py seed BASE_URL PASSWORDS_FILE PRIMARY SECONDARY
      the rest, as the demo users of PASSWORDS_FILE ("name password" lines)

PRIMARY is MINUSCA (DEMO-1 with the synthetic missions), SECONDARY MONUSCO
(DEMO-2). Everything marked "synthetic" below is invented for the
demonstration: pledges, requirements, evacuations, violations, evaluations
and the primary mission's protection incidents are plausible, not real.
Real data (missions, Geo-PKO bases, UCDP/ACLED events, UN fatalities, the UN
table of misconduct allegations) is loaded by demo.sh from ../shared/data.

Every step looks for what it would create first (by a marker in a title,
name or note, or by the API's own 409), so running the demo twice adds
nothing.
"""
import csv
import datetime as dt
import json
import random
import sys
import urllib.error
import urllib.request
from http.cookiejar import CookieJar

MARK = "[demo]"  # in titles and notes of what this script creates
SYN = "Synthetic demonstration record"
TODAY = dt.date.today()
YEAR = TODAY.year

# ---- synthetic protection incidents of the primary mission -----------------

# Prefectures of the Central African Republic and a few of their towns.
PLACES = {
    "Ouham-Pendé": [("Bocaranga", 7.01, 15.64), ("Paoua", 7.24, 16.44), ("Bozoum", 6.32, 16.38),
                    ("Koui", 6.89, 15.02), ("Ngaoundaye", 7.23, 15.08)],
    "Haut-Mbomou": [("Obo", 5.40, 26.49), ("Zemio", 5.03, 25.14), ("Mboki", 5.31, 25.95)],
    "Ouaka": [("Bambari", 5.76, 20.67), ("Ippy", 6.26, 21.22), ("Grimari", 5.73, 20.05)],
    "Nana-Mambéré": [("Bouar", 5.93, 15.60), ("Baboua", 5.79, 14.82)],
    "Basse-Kotto": [("Alindao", 5.03, 21.21), ("Mobaye", 4.32, 21.18)],
    "Vakaga": [("Birao", 10.29, 22.78)],
}
FOCUS = "Ouham-Pendé"   # the computed indicators' prefecture
CATS = [("violence_against_civilians.attack", "Attack on civilians", 5),
        ("violence_against_civilians.abduction_forced_disappearance", "Abduction of civilians", 2),
        ("violence_against_civilians.sexual_violence", "Sexual violence", 1),
        ("battles.armed_clash", "Armed clash", 2),
        ("pk.attack_on_un", "Attack on a peacekeeping patrol", 1),
        ("pk.humanitarian_access", "Humanitarian convoy blocked", 1)]


def plan_months():
    """The CPAS plan: last year and this one, quarterly."""
    return f"{YEAR - 1}-01", f"{YEAR}-12"


def quarters_done():
    """Quarters of the plan that ended before today."""
    out = []
    for y in (YEAR - 1, YEAR):
        for q in range(1, 5):
            end = dt.date(y, 3 * q, 28)
            if end + dt.timedelta(days=4) <= TODAY:
                out.append(f"{y}-Q{q}")
    return out


def incidents_csv(path, mappath):
    rng = random.Random(2709)  # S/RES/2709 (2023), MINUSCA's mandate
    rows = []
    start = dt.date(YEAR - 2, 10, 1)
    day = start
    n = 0
    while day < TODAY - dt.timedelta(days=2):
        months = (day.year - start.year) * 12 + day.month - start.month
        # violence falls in the focus prefecture after the patrol surge (plan outcome 1.1)
        for pref, towns in PLACES.items():
            rate = 0.16 if pref == FOCUS else 0.05
            if pref == FOCUS:
                rate *= max(0.35, 1.0 - months * 0.03)
            if rng.random() > rate:
                continue
            town, lat, lon = rng.choice(towns)
            cat, label, _ = rng.choices(CATS, weights=[c[2] for c in CATS])[0]
            civ = rng.choice([0, 0, 1, 1, 2, 3, 5, 8]) if cat.startswith("violence") else 0
            n += 1
            rows.append({
                "id": f"SYN-{n:05d}", "date": day.isoformat(),
                "title": f"{label} near {town} (synthetic)",
                "category": cat, "lat": round(lat + rng.uniform(-0.15, 0.15), 4),
                "lon": round(lon + rng.uniform(-0.15, 0.15), 4), "place": town,
                "admin1": pref, "killed_civilians": civ,
                "injured_civilians": rng.choice([0, 0, 1, 2, 4]) if civ else 0,
                "women_killed": min(civ, rng.choice([0, 0, 1])),
                "abducted_civilians": rng.choice([1, 2, 3, 6]) if "abduction" in cat else 0,
                "killed_total": civ + (rng.choice([0, 1, 2, 4]) if cat.startswith("battles") else 0),
                "narrative": f"{SYN}: invented for the PKO demo, not a real event.",
            })
        day += dt.timedelta(days=1)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    mapping = {
        "source_system": "pko_demo",
        "columns": {"source_id": "id", "title": "title", "occurred_start": "date",
                    "lat": "lat", "lon": "lon", "category": "category", "place": "place",
                    "admin1": "admin1", "killed_civilians": "killed_civilians",
                    "injured_civilians": "injured_civilians", "women_killed": "women_killed",
                    "abducted_civilians": "abducted_civilians", "killed_total": "killed_total",
                    "narrative": "narrative"},
        "constants": {"country": "Central African Republic", "source_type": "un_patrol"},
    }
    with open(mappath, "w", encoding="utf-8") as f:
        json.dump(mapping, f, ensure_ascii=False, indent=1)
    print(f"demo: {len(rows)} synthetic protection incidents written to {path}")


# ---- API client -------------------------------------------------------------

class Api:
    def __init__(self, base, user, password):
        self.base, self.user = base, user
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        st, js = self.call("POST", "/api/v1/session", {"username": user, "password": password})
        if st != 200:
            raise SystemExit(f"demo: login of {user} failed: {st} {js}")
        self.csrf = js["csrf_token"]

    def call(self, method, url, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + url, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if getattr(self, "csrf", None):
            req.add_header("X-CSRF-Token", self.csrf)
        try:
            with self.opener.open(req, timeout=60) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, json.loads(raw or b"null")
            except ValueError:
                return e.code, raw.decode(errors="replace")

    def get(self, url):
        st, js = self.call("GET", url)
        if st != 200:
            raise RuntimeError(f"GET {url} as {self.user}: {st} {js}")
        return js

    def all(self, url):
        out, cursor = [], None
        sep = "&" if "?" in url else "?"
        while True:
            js = self.get(url + (f"{sep}cursor={cursor}" if cursor else ""))
            out.extend(js.get("items", []))
            cursor = js.get("next_cursor")
            if not cursor:
                return out

    def post(self, url, body, ok=(200, 201)):
        st, js = self.call("POST", url, body)
        if st not in ok:
            raise RuntimeError(f"POST {url} as {self.user}: {st} {js}")
        return js

    def patch(self, url, body):
        st, js = self.call("PATCH", url, body)
        if st != 200:
            raise RuntimeError(f"PATCH {url} as {self.user}: {st} {js}")
        return js


class Tally:
    def __init__(self, name):
        self.name, self.created, self.present = name, 0, 0

    def add(self, created):
        if created:
            self.created += 1
        else:
            self.present += 1

    def __str__(self):
        return f"{self.created} {self.name} created, {self.present} already present"


def day(delta):
    return (TODAY + dt.timedelta(days=delta)).isoformat()


def stamp(d, hh, mm):
    return f"{d}T{hh:02d}:{mm:02d}:00Z"


# ---- CPAS -------------------------------------------------------------------

FRAMEWORK = [
    ("Protection of civilians", "S/RES/2709 (2023), para. 35 (a): protect the civilian population "
     "under threat of physical violence", ["capabilities_mindsets"], [
        ("Civilians in the north-west are less exposed to physical violence",
         "para. 35 (a) (i)-(iii)", ["capabilities_mindsets", "women_peace_security"], [
            ("Robust patrols and temporary operating bases in Ouham-Pendé",
             "para. 35 (a) (ii)", ["capabilities_mindsets"]),
            ("Community alert networks answered around the clock",
             "para. 35 (a) (iv)", ["data_technology", "women_peace_security"])]),
        ("Survivors of conflict-related sexual violence are assisted",
         "para. 35 (a) (vi)", ["women_peace_security", "accountability_of_peacekeepers"], [
            ("Referral pathways to medical, psychosocial and legal care",
             "para. 35 (a) (vi)", ["women_peace_security"])])]),
    ("Support to the peace process", "para. 35 (b): support the Political Agreement for Peace and "
     "Reconciliation (APPR-RCA) and the Luanda road map", ["political_strategy", "integration"], [
        ("Signatory armed groups honour their commitments under the APPR-RCA",
         "para. 35 (b) (i)", ["political_strategy"], [
            ("Local peace and reconciliation committees supported in 12 prefectures",
             "para. 35 (b) (iii)", ["political_strategy", "women_peace_security"])])]),
    ("Extension of State authority and the rule of law", "para. 35 (c) and (e): restore State "
     "authority, support justice and the Special Criminal Court",
     ["host_country_cooperation", "integration"], [
        ("Justice and security institutions function in prefecture capitals",
         "para. 35 (e) (i)", ["host_country_cooperation"], [
            ("Criminal sessions of the courts of appeal supported",
             "para. 35 (e) (ii)", ["host_country_cooperation"])])]),
]


def cpas(s, plan_ids, mission_id, acronym, admin1):
    planner, analyst, leader = s["planner"], s["analyst"], s["mission_admin"]
    t = Tally("CPAS records")
    pstart, pend = plan_months()
    marker = f"{acronym} results-based plan {pstart[:4]}-{pend[:4]} {MARK}"  # the title
    plans = planner.get(f"/api/v1/cpas/plans?mission_id={mission_id}")["items"]
    plan = next((p for p in plans if p.get("title") == marker), None)
    if not plan:
        plan = planner.post("/api/v1/cpas/plans", {
            "mission_id": mission_id, "title": marker, "period_start": pstart, "period_end": pend,
            "context": "Armed groups outside the peace agreement keep attacking "
            "civilians along the transhumance corridors of the north-west; elections are due; "
            "State presence is thin outside Bangui. The mission concentrates its forces on "
            "protection in Ouham-Pendé and on the APPR-RCA's follow-up mechanisms."})
        t.add(True)
    else:
        t.add(False)
    pid = plan["id"]
    plan_ids.append(pid)
    draft = plan["status"] == "draft"

    nodes = {}  # title -> id
    def walk(tree):
        for n in tree:
            nodes[n["title"]] = n["id"]
            walk(n.get("children") or [])
    walk(planner.get(f"/api/v1/cpas/plans/{pid}/framework")["priorities"])

    def node(level, title, task, a4p, parent=None):
        if title in nodes:
            t.add(False)
            return nodes[title]
        body = {"level": level, "title": title, "mandated_task": task, "a4p": a4p}
        if parent:
            body["parent_id"] = parent
        nodes[title] = planner.post(f"/api/v1/cpas/plans/{pid}/framework", body)["id"]
        t.add(True)
        return nodes[title]

    if draft:
        for ptitle, ptask, pa4p, outcomes in FRAMEWORK:
            p = node("priority", ptitle, ptask, pa4p)
            for otitle, otask, oa4p, outputs in outcomes:
                o = node("outcome", otitle, otask, oa4p, p)
                for out in outputs:
                    node("output", *out, parent=o)

    done = quarters_done()
    base_q = f"{YEAR - 2}-Q4"
    tq = {f"{YEAR - 1}-Q4": None, f"{YEAR}-Q4": None}
    def targets(a, b):
        return {f"{YEAR - 1}-Q4": a, f"{YEAR}-Q4": b}
    vac = {"source": "incidents", "measure": "killed_civilians",
           "where": {"category": "violence_against_civilians", "admin1": admin1}}
    o11 = "Civilians in the north-west are less exposed to physical violence"
    indicators = [
        # code, node, fields, data (period -> value) or None for computed
        ("vac_killed", o11, {
            "name": f"Civilians killed in violence against civilians, {admin1} (live from incidents)",
            "kind": "quantitative", "unit": "persons", "direction": "decrease",
            "baseline_value": 26, "baseline_period": base_q, "targets": targets(18, 10),
            "data_source": "PKO incidents module (verified and published)", "computed": vac}, None),
        ("pop_op", "Robust patrols and temporary operating bases in Ouham-Pendé", {
            "name": f"Population of {admin1} (persons, OCHA estimate)", "kind": "quantitative",
            "unit": "persons", "direction": "increase", "baseline_value": 430000,
            "baseline_period": base_q, "targets": targets(430000, 430000),
            "data_source": "OCHA population estimate (synthetic figure for the demo)"},
         {q: 430000 + 1500 * i for i, q in enumerate(done)}),
        ("vac_rate", o11, {
            "name": f"Civilians killed per 100,000 inhabitants, {admin1} (formula)",
            "kind": "quantitative", "unit": "per 100,000", "direction": "decrease",
            "baseline_value": 6, "baseline_period": base_q, "targets": targets(4.2, 2.3),
            "data_source": "incidents module / population", "computed": {
                "source": "formula", "numerator": vac, "denominator": "I{pop_op}",
                "factor": 100000}}, None),
        ("patrols", "Robust patrols and temporary operating bases in Ouham-Pendé", {
            "name": "Long-range and night patrols in Ouham-Pendé", "kind": "quantitative",
            "unit": "patrols", "direction": "increase", "baseline_value": 140,
            "baseline_period": base_q, "targets": targets(260, 320),
            "data_source": "Force operations reports", "component": "Force"},
         {q: v for q, v in zip(done, [170, 205, 231, 250, 262, 281, 290, 301])}),
        ("alerts", "Community alert networks answered around the clock", {
            "name": "Community alerts answered within 24 hours", "kind": "quantitative",
            "unit": "%", "direction": "increase", "baseline_value": 55, "baseline_period": base_q,
            "targets": targets(75, 90), "data_source": "Joint Operations Centre alert log",
            "component": "Civil Affairs / JOC", "disaggregations": ["prefecture"]},
         {q: v for q, v in zip(done, [58, 61, 60, 64, 66, 65, 68, 70])}),
        ("crsv", "Referral pathways to medical, psychosocial and legal care", {
            "name": "Survivors of CRSV referred to care within 72 hours", "kind": "quantitative",
            "unit": "%", "direction": "increase", "baseline_value": 40, "baseline_period": base_q,
            "targets": targets(60, 75), "data_source": "Women Protection Advisers",
            "component": "Human Rights Division", "disaggregations": ["age_group"]},
         {q: v for q, v in zip(done, [44, 52, 55, 61, 63, 66, 71, 73])}),
        ("poc_index", o11, {
            "name": "Protection response index (mean of alerts answered and CRSV referrals, %)",
            "kind": "quantitative", "unit": "%", "direction": "increase", "baseline_value": 47.5,
            "baseline_period": base_q, "targets": targets(67.5, 82.5),
            "data_source": "composite", "computed": {
                "source": "formula", "numerator": "(I{alerts} + I{crsv}) / 2"}}, None),
        ("appr", "Signatory armed groups honour their commitments under the APPR-RCA", {
            "name": "Signatory armed groups complying with the APPR-RCA (of 14)",
            "kind": "quantitative", "unit": "groups", "direction": "increase",
            "baseline_value": 6, "baseline_period": base_q, "targets": targets(9, 11),
            "data_source": "Executive Monitoring Committee", "component": "Political Affairs"},
         {q: v for q, v in zip(done, [6, 6, 7, 6, 5, 5, 6, 6])}),
        ("committees", "Local peace and reconciliation committees supported in 12 prefectures", {
            "name": "Local peace committees meeting at least monthly", "kind": "quantitative",
            "unit": "committees", "direction": "increase", "baseline_value": 4,
            "baseline_period": base_q, "targets": targets(8, 12),
            "data_source": "Civil Affairs", "component": "Civil Affairs"},
         {q: v for q, v in zip(done, [5, 6, 6, 8, 9, 9, 10, 11])}),
        ("sessions", "Criminal sessions of the courts of appeal supported", {
            "name": "Criminal sessions held by the courts of appeal", "kind": "quantitative",
            "unit": "sessions", "direction": "increase", "baseline_value": 1,
            "baseline_period": base_q, "targets": targets(3, 4),
            "data_source": "Justice and Corrections Section", "component": "Justice and Corrections"},
         {q: v for q, v in zip(done, [1, 1, 2, 1, 1, 2, 1, 2])}),
        ("emc_dialogue", "Signatory armed groups honour their commitments under the APPR-RCA", {
            "name": "Quality of dialogue in the Executive Monitoring Committee (assessment)",
            "kind": "qualitative", "direction": "increase",
            "data_source": "Office of the SRSG", "component": "Political Affairs"},
         {q: ("Meetings held but two major groups absent.", 2) if i % 2 == 0 else
          ("All signatories attended; agreement on the DDR calendar.", 3)
          for i, q in enumerate(done)}),
    ]
    # every indicator is quarterly; found again by name (the tree gives id and name)
    existing = {}
    fw = planner.get(f"/api/v1/cpas/plans/{pid}/framework")
    def collect(tree):
        for n in tree:
            for ind in n.get("indicators") or []:
                existing[ind["name"]] = ind["id"]
            collect(n.get("children") or [])
    collect(fw["priorities"])
    ids = {}
    for code, ntitle, fields, data in indicators:
        if fields["name"] in existing:
            ids[code] = existing[fields["name"]]
            t.add(False)
            continue
        if not draft or ntitle not in nodes:
            continue
        body = dict(fields, code=code, node_id=nodes[ntitle], frequency="quarterly")
        ids[code] = planner.post("/api/v1/cpas/indicators", body)["id"]
        t.add(True)

    # data: entered by the analyst, approved by the planner (the last quarter
    # of two indicators left in draft for the approval grid)
    for code, _, fields, data in indicators:
        if not data or code not in ids:
            continue
        have = {p["period"]: p for p in analyst.get(f"/api/v1/cpas/indicators/{ids[code]}/datapoints").get("items", [])
                if not p.get("disaggregation")}
        for i, (period, v) in enumerate(sorted(data.items())):
            if period in have:
                dp = have[period]
                t.add(False)
            else:
                body = {"period": period, "note": f"{MARK} synthetic figure"}
                if isinstance(v, tuple):
                    body.update(text_value=v[0], value=v[1])
                else:
                    body["value"] = v
                dp = analyst.post(f"/api/v1/cpas/indicators/{ids[code]}/datapoints", body)
                t.add(True)
            last = i == len(data) - 1
            if dp.get("status") == "draft" and not (last and code in ("committees", "sessions")):
                planner.post(f"/api/v1/cpas/datapoints/{dp['id']}/approve", {})
        if code == "alerts" and data:
            period = sorted(data)[-1]
            dps = analyst.get(f"/api/v1/cpas/indicators/{ids[code]}/datapoints").get("items", [])
            for pref, v in (("Ouham-Pendé", 64), ("Ouaka", 73), ("Haut-Mbomou", 58)):
                if any((p.get("disaggregation") or {}).get("prefecture") == pref and p["period"] == period for p in dps):
                    continue
                analyst.post(f"/api/v1/cpas/indicators/{ids[code]}/datapoints", {
                    "period": period, "value": v, "disaggregation": {"prefecture": pref},
                    "note": f"{MARK} synthetic breakdown"})

    if draft:
        ctx = planner.get(f"/api/v1/cpas/plans/{pid}/context")
        if not ctx.get("drivers"):
            planner.post(f"/api/v1/cpas/plans/{pid}/drivers", {
                "title": "Transhumance-related violence along the Chad and Cameroon borders",
                "description": "Seasonal movements of herds armed by 3R and other groups.",
                "trend": "worsening", "node_ids": [nodes[o11]]})
            planner.post(f"/api/v1/cpas/plans/{pid}/drivers", {
                "title": "Slow return of State services outside Bangui",
                "description": "Prefects deployed, but few judges, police and teachers.",
                "trend": "stable",
                "node_ids": [nodes["Justice and security institutions function in prefecture capitals"]]})
            for name, typ, infl, att in (
                    ("Government of the Central African Republic", "government", "high", "supportive"),
                    ("Retour, Réclamation et Réhabilitation (3R)", "armed_group", "high", "hostile"),
                    ("Local peace and reconciliation committees", "community", "medium", "champion"),
                    ("Women's associations of Paoua", "women_groups", "low", "supportive"),
                    ("Wagner / Africa Corps", "other", "high", "opposed")):
                planner.post(f"/api/v1/cpas/plans/{pid}/stakeholders", {
                    "name": name, "type": typ, "influence": infl, "attitude": att,
                    "interests": "(synthetic demo entry)", "node_ids": [nodes[o11]]})
            t.add(True)
        leader.post(f"/api/v1/cpas/plans/{pid}/approve", {})
        print(f"demo: CPAS plan {pid} approved by the mission administrator")

    # impact assessment with recommendations; leadership decides two of them
    title = f"Mid-term impact assessment: protection of civilians in {admin1} {MARK}"
    have = planner.get(f"/api/v1/cpas/assessments?plan_id={pid}").get("items", [])
    a = next((x for x in have if x["title"] == title), None)
    if not a:
        a = planner.post("/api/v1/cpas/assessments", {
            "plan_id": pid, "title": title, "period": f"{YEAR - 1}",
            "scope": f"Outcome 1.1 and its outputs in {admin1}",
            "questions": ["Did the patrol surge reduce attacks on civilians?",
                          "Are community alerts reaching the temporary operating bases?"],
            "findings": "Civilian deaths fell by about a third after the temporary operating "
                        "bases opened; alerts from remote villages still go unanswered at night.",
            "rating": "some_progress"})
        for text, owner, due, decision, done in (
                ("Extend night patrols to the Bocaranga-Koui axis", "Force Commander",
                 f"{YEAR}-06-30", "accepted", ("implemented", "Night patrols since May (demo)")),
                ("Fund satellite phones for 40 more community alert networks", "Civil Affairs",
                 f"{YEAR}-09-30", "accepted", ("in_progress", "18 of 40 delivered (demo)")),
                ("Withdraw from the Ngaoundaye operating base", "Chief of Staff",
                 f"{YEAR}-03-31", "rejected", None),
                ("Publish a quarterly protection dashboard in Sango", "Strategic Communications",
                 f"{YEAR + 1}-03-31", None, None)):
            r = planner.post(f"/api/v1/cpas/assessments/{a['id']}/recommendations",
                             {"text": text, "owner": owner, "due_date": due})
            if decision:
                leader.post(f"/api/v1/cpas/recommendations/{r['id']}/decision",
                            {"decision": decision, "note": "Senior Leadership Team meeting (demo)"})
            if done:  # the implementation status (an older server without the route: skipped)
                st, js = planner.call("POST", f"/api/v1/cpas/recommendations/{r['id']}/implementation",
                                      {"implementation": done[0], "note": done[1]})
                if st not in (200, 404, 405):
                    raise RuntimeError(f"recommendation implementation: {st} {js}")
        t.add(True)
    else:
        t.add(False)
    return t


# ---- PCRS ---------------------------------------------------------------------

# Synthetic pledges: plausible contributors for each unit type, not the real
# PCRS registry (which is not public). (country, unit type, level, strength,
# women share, languages, months until available)
PLEDGES = [
    ("RWA", "infantry_battalion", "rapid_deployment", 850, 0.08, ["en", "fr"], 0),
    ("BGD", "infantry_battalion", "level_3", 850, 0.05, ["en"], 1),
    ("NPL", "infantry_battalion", "level_2", 850, 0.07, ["en"], 2),
    ("PAK", "infantry_battalion", "level_2", 850, 0.03, ["en"], 3),
    ("SEN", "infantry_battalion", "level_1", 850, 0.06, ["fr"], 4),
    ("ZMB", "infantry_battalion", "registered", 850, 0.12, ["en"], 6),
    ("EGY", "mechanized_infantry_battalion", "level_2", 850, 0.02, ["ar", "fr", "en"], 2),
    ("MAR", "mechanized_infantry_battalion", "level_3", 850, 0.04, ["fr", "ar"], 1),
    ("TZA", "quick_reaction_force_company", "level_2", 175, 0.10, ["en", "sw"], 2),
    ("IND", "quick_reaction_force_company", "rapid_deployment", 175, 0.06, ["en"], 0),
    ("PRT", "quick_reaction_force_company", "level_3", 180, 0.09, ["pt", "en", "fr"], 1),
    ("SEN", "formed_police_unit", "level_3", 160, 0.18, ["fr"], 1),
    ("RWA", "formed_police_unit", "level_2", 160, 0.24, ["fr", "en"], 2),
    ("JOR", "formed_police_unit", "level_1", 160, 0.10, ["ar", "en"], 3),
    ("EGY", "formed_police_unit", "registered", 160, 0.05, ["ar", "fr"], 5),
    ("BFA", "formed_police_unit", "level_2", 160, 0.15, ["fr"], 2),
    ("CHN", "engineering_company", "level_3", 270, 0.06, ["zh", "en"], 1),
    ("IDN", "engineering_company", "level_2", 270, 0.09, ["en"], 2),
    ("BRA", "engineering_company", "level_1", 270, 0.11, ["pt", "en"], 4),
    ("KEN", "level_2_hospital", "level_2", 63, 0.35, ["en", "sw"], 2),
    ("URY", "level_2_hospital", "level_1", 63, 0.30, ["es", "en"], 3),
    ("GHA", "level_1_hospital", "level_3", 20, 0.40, ["en"], 1),
    ("NOR", "aeromedical_evacuation_team", "rapid_deployment", 12, 0.42, ["en"], 0),
    ("BGD", "utility_helicopter_unit", "level_2", 125, 0.04, ["en"], 2),
    ("SLV", "utility_helicopter_unit", "level_1", 110, 0.09, ["es", "en"], 4),
    ("ETH", "utility_helicopter_unit", "registered", 125, 0.03, ["en"], 6),
    ("PAK", "attack_helicopter_unit", "level_3", 140, 0.02, ["en"], 1),
    ("SWE", "uas_unit", "level_2", 70, 0.21, ["en"], 2),
    ("IRL", "uas_unit", "registered", 70, 0.18, ["en"], 5),
    ("CMR", "eod_cied_company", "level_1", 100, 0.07, ["fr", "en"], 3),
    ("KHM", "eod_cied_company", "level_2", 100, 0.12, ["en", "fr"], 2),
    ("MNG", "signals_company", "level_2", 120, 0.14, ["en"], 2),
    ("VNM", "transport_company", "level_1", 150, 0.16, ["en", "fr"], 3),
    ("TGO", "transport_company", "level_3", 150, 0.08, ["fr"], 1),
    ("FIN", "intelligence_surveillance_reconnaissance_unit", "level_2", 150, 0.19, ["en", "fr"], 2),
    ("MWI", "military_police_company", "level_1", 120, 0.22, ["en"], 3),
    ("PER", "military_observers", "level_3", 20, 0.33, ["es", "en", "fr"], 1),
    ("GTM", "special_forces_company", "level_2", 120, 0.03, ["es", "en"], 2),
]

LANG = {"en": "English", "fr": "French", "ar": "Arabic", "es": "Spanish", "pt": "Portuguese",
        "zh": "Chinese", "sw": "Swahili"}

CAVEATS = {"PAK": ["no deployment to the north-east sector"], "EGY": ["no night operations"],
           "CHN": ["engineering tasks only"], "ETH": ["daylight flights only"]}


def pcrs(s, prim, sec):
    fgo, planner = s["fgo"], s["planner"]
    t = Tally("PCRS records")
    have = {(p.get("notes") or "").split(" ")[0]: p for p in fgo.all("/api/v1/pcrs/pledges?limit=200")}
    ids = {}
    for i, (c, ut, lvl, strength, women, langs, months) in enumerate(PLEDGES, 1):
        key = f"P{i:02d}"
        tag = f"{key} {MARK} synthetic pledge (not the real PCRS registry)"
        if tag.split(" ")[0] in have and MARK in (have[key].get("notes") or ""):
            ids[key] = have[key]
            t.add(False)
            continue
        body = {"country": c, "unit_type": ut, "strength": strength, "level": lvl,
                "women_share": women, "languages": [LANG[x] for x in langs], "available_from": day(30 * months),
                "available_until": day(30 * months + 720), "self_sustainment": i % 3 != 0,
                "notes": tag}
        if c in CAVEATS:
            body["caveats"] = CAVEATS[c]
        ids[key] = fgo.post("/api/v1/pcrs/pledges", body)
        t.add(True)

    # an assessment and advisory visit raises Senegal's battalion to Level 2
    p = ids["P05"]
    visits = fgo.get(f"/api/v1/pcrs/visits?pledge_id={p['id']}").get("items", [])
    if not visits:
        fgo.post("/api/v1/pcrs/visits", {
            "pledge_id": p["id"], "kind": "assessment_advisory_visit", "visit_date": day(-20),
            "findings": "Major equipment verified against the MOU; pre-deployment training on "
                        "protection of civilians completed; 5 of 6 medical posts staffed.",
            "evidence": ["AAV report DPO/OMA/FGS (synthetic)", "Equipment checklist (synthetic)"],
            "level_after": "level_2"})
        t.add(True)
    else:
        t.add(False)

    # requirements: open ones ask Member States now, drafts are not yet asked
    reqs = [
        (prim, "infantry_battalion", "Infantry battalion for Sector West (Bouar)", 850,
         ["patrolling", "protection_of_civilians"], 120, "fr", 0.10, "open"),
        (prim, "formed_police_unit", "FPU for Bangui public order", 160, [], 90, "fr", 0.20, "open"),
        (prim, "utility_helicopter_unit", "Utility helicopters for Sector East (Bria)", 125,
         ["casevac"], 150, "en", 0.05, "open"),
        (prim, "uas_unit", "Unmanned aerial systems for the north-west", 70, [], 200, "en", 0.15,
         "open"),
        (prim, "riverine_unit", "Riverine unit for the Oubangui river", 100, [], 100, "fr", 0.05,
         "open"),
        (prim, "level_2_hospital", "Level II hospital for Kaga-Bandoro", 63, [], 240, "fr", 0.30,
         "draft"),
        (sec, "quick_reaction_force_company", "Quick reaction force for Ituri", 175, [], 90, "fr",
         0.10, "open"),
        (sec, "engineering_company", "Engineering company for Beni-Butembo roads", 270, [], 150,
         "fr", 0.10, "open"),
        (sec, "eod_cied_company", "EOD company for North Kivu", 100, [], 180, "fr", 0.10, "draft"),
    ]
    existing = {}
    for mid in {prim, sec}:
        for r in planner.all(f"/api/v1/pcrs/requirements?mission_id={mid}"):
            existing[r.get("title")] = r
    for mid, ut, title, strength, caps, days, lang, women, status in reqs:
        title = f"{title} {MARK}"
        if title in existing:
            t.add(False)
            continue
        body = {"mission_id": mid, "unit_type": ut, "title": title, "strength": strength,
                "required_capabilities": caps, "required_by": day(days), "language": LANG[lang],
                "women_target": women, "rotation_months": 12}
        if status == "draft":
            body["status"] = "draft"
        existing[title] = planner.post("/api/v1/pcrs/requirements", body)
        t.add(True)

    # one unit already deployed: Rwanda's FPU fills a filled requirement
    title = f"FPU for the protection of Bangui institutions {MARK}"
    if title not in existing:
        r = planner.post("/api/v1/pcrs/requirements", {
            "mission_id": prim, "unit_type": "formed_police_unit", "title": title,
            "strength": 160, "required_by": day(10), "language": "French", "women_target": 0.2})
        fgo.patch(f"/api/v1/pcrs/requirements/{r['id']}", {
            "status": "filled", "pledge_id": ids["P13"]["id"], "deployed_on": day(-200),
            "version": r["version"]})
        t.add(True)
    else:
        t.add(False)
    return t


# ---- Mission design -------------------------------------------------------------

def design(s, sec, sec_acr):
    planner = s["planner"]
    t = Tally("design records")
    title = f"{sec_acr} reconfiguration for the eastern provinces {MARK}"
    have = [d for d in planner.all(f"/api/v1/design/missions?mission_id={sec}") if d["title"] == title]
    if have:
        d = planner.get(f"/api/v1/design/missions/{have[0]['id']}")
        t.add(False)
    else:
        signals = planner.get("/api/v1/design/signals")
        codes = set()
        def grab(x):
            if isinstance(x, dict):
                if isinstance(x.get("code"), str):
                    codes.add(x["code"])
                if isinstance(x.get("id"), str):
                    codes.add(x["id"])
                for v in x.values():
                    grab(v)
            elif isinstance(x, list):
                for v in x:
                    grab(v)
        grab(signals)
        threats = [c for c in ("armed_conflict", "transnational_threats") if c in codes]
        situations = [c for c in ("violence_against_civilians", "armed_groups_disarming",
                                  "mass_atrocities", "elections", "state_authority_weak",
                                  "humanitarian_crisis") if c in codes]
        profile = {"threats": threats, "situations": situations, "host_consent": "full",
                   "parties_consent": "partial", "host_capacity": "low",
                   "regional_actors": "deployed", "urgency": "high", "council_unity": "divided",
                   "max_models": 5}
        comp = planner.post("/api/v1/design/compose", profile, ok=(200,))
        models = [p["model"] for p in comp["proposals"]]
        body = {"mission_id": sec, "title": title, "profile": profile, "models": models,
                "modality": comp["modality"]["id"], "scale": 1, "mandate_date": day(90),
                "exit_benchmarks": ["Armed groups in Ituri and North Kivu disarmed or in DDR",
                                    "Provincial police able to protect civilians in Beni and Bunia"],
                "notes": "Composed from a crisis profile by the demo (synthetic)."}
        phases = comp.get("phases")
        if isinstance(phases, list) and phases:
            body["phases"] = [{"phase": p["phase"], "models": p["models"], "months": p["months"]}
                              for p in phases]
        d = planner.post("/api/v1/design/missions", body)
        t.add(True)
    if not d.get("pushed_requirements"):
        r = planner.post(f"/api/v1/design/missions/{d['id']}/requirements", {})
        print(f"demo: design pushed {r['count']} draft requirements to PCRS")
        t.add(True)
    if not d.get("plan_id"):
        planner.post(f"/api/v1/design/missions/{d['id']}/plan", {})
        t.add(True)
    if d.get("state") == "assessment":
        st, js = planner.call("POST", f"/api/v1/design/missions/{d['id']}/transition",
                              {"to": "planning", "decision": "Strategic assessment endorsed (demo)",
                               "date": day(-1)})
        if st != 200:
            print(f"demo: design stays in assessment: {st} {js}", file=sys.stderr)
    return t


# ---- Registers ------------------------------------------------------------------

def registers(s, prim, prim_acr):
    rep, analyst = s["reporter"], s["analyst"]
    t = Tally("register records")
    # CASEVAC: four synthetic evacuations against the 10-1-2 standard
    have = {c.get("pickup_place") for c in rep.all(f"/api/v1/casevac?mission={prim}&limit=200")}
    cases = [  # place, days ago, injury, first aid, request, approval, lift-off, arrival, dcr, surgery
        ("Bocaranga temporary operating base", 40, (6, 10), (6, 17), (6, 25), (6, 40), (7, 5), (7, 55),
         (7, 0), (8, 5), "urgent", "air", "Level II hospital, Bouar", "level_2", 2),
        ("Koui road, 12 km east", 25, (14, 2), (14, 9), (14, 20), (14, 31), (14, 52), (15, 30),
         (15, 35), (16, 20), "urgent", "air", "Level II hospital, Bouar", "level_2", 1),
        ("Paoua market", 12, (9, 0), (9, 30), (9, 45), (10, 20), (11, 10), (13, 5), None, None,
         "priority", "ground", "Level I hospital, Paoua", "level_1", 3),
        ("Bambari bridge checkpoint", 5, None, None, (22, 5), (22, 30), (23, 10), None, None, None,
         "routine", "river", "Level II hospital, Bambari", "level_2", 1),
    ]
    for place, ago, inj, fa, reqt, appr, lift, arr, dcr, surg, prio, means, fac, lvl, pat in cases:
        place = f"{place} {MARK}"
        if place in have:
            t.add(False)
            continue
        d = day(-ago)
        body = {"mission_id": prim, "requested_at": stamp(d, *reqt), "patients": pat,
                "priority": prio, "means": means, "pickup_place": place, "facility": fac,
                "facility_level": lvl, "notes": f"{SYN}."}
        for k, v in (("injury_at", inj), ("first_aid_at", fa)):
            if v:
                body[k] = stamp(d, *v)
        c = rep.post("/api/v1/casevac", body)
        for k, v in (("approved_at", appr), ("lift_off_at", lift), ("arrived_at", arr),
                     ("dcr_at", dcr), ("surgery_at", surg)):
            if v:
                c = rep.patch(f"/api/v1/casevac/{c['id']}", {k: stamp(d, *v)})
        t.add(True)

    # a crime against peacekeepers: the latest malicious-act fatality of the mission
    fat = analyst.get(f"/api/v1/fatalities?mission={prim}&incident_type=malicious_act"
                      f"&order=desc&limit=5").get("items", [])
    fat = [f for f in fat if f.get("casualty_type") == "fatality"]
    if not fat:
        notes = f"{SYN} {MARK}"
        mine = [f for f in analyst.all(f"/api/v1/fatalities?mission={prim}&limit=200")
                if (f.get("notes") or "") == notes]
        fat = mine or [analyst.post("/api/v1/fatalities", {
            "mission_id": prim, "incident_date": day(-300), "casualty_type": "fatality",
            "person_category": "military", "nationality": "RWA", "nationality_name": "Rwanda",
            "gender": "male", "incident_type": "malicious_act", "weapon": "ied_explosive_ordnance",
            "notes": notes})]
    f = fat[0]
    cases = analyst.all(f"/api/v1/accountability?mission={prim}&limit=200")
    if any(c.get("fatality_id") == f["id"] for c in cases):
        t.add(False)
    else:
        c = analyst.post("/api/v1/accountability", {
            "fatality_id": f["id"], "national_authority": "Procureur de la République, Bangui",
            "reference": "RP/2024/0173 (synthetic)", "notes": f"{SYN} on a real fatality record."})
        base = dt.date.fromisoformat(f["incident_date"])
        for stage, after, n in (("investigation_opened", 3, None), ("suspects_identified", 40, 4),
                                ("arrested", 95, 2), ("prosecuted", 210, 2)):
            when = base + dt.timedelta(days=after)
            if when > TODAY:
                break
            body = {"stage": stage, "event_date": when.isoformat()}
            if n:
                body["individuals"] = n
            analyst.post(f"/api/v1/accountability/{c['id']}/events", body)
        t.add(True)
    return t


# ---- Conduct (status-of-forces violations, unit performance) --------------------

def conduct(s, prim, prim_acr):
    rep, planner = s["reporter"], s["planner"]
    t = Tally("conduct records")
    have = {v.get("description") for v in rep.all(f"/api/v1/sofa-violations?mission_id={prim}")}
    sofa = [
        dict(type="movement_restriction", authority="host_armed_forces",
             authority_detail="Checkpoint commander, PK12", place="Checkpoint PK12, Bangui",
             lat=4.43, lon=18.55, started_on=day(-150), ended_on=day(-150),
             description="A night patrol was stopped for six hours at PK12.", impact="moderate",
             operations_affected=["patrol", "protection_of_civilians"],
             status="resolved", raised_on=day(-149), resolved_on=day(-140),
             resolution="Freedom of movement reaffirmed at the joint security committee."),
        dict(type="flight_restriction", authority="civil_aviation",
             authority_detail="Directorate of civil aviation", place="Bangui M'Poko airport",
             lat=4.40, lon=18.52, started_on=day(-320), description="Night flights of mission "
             "aircraft suspended without notice.", impact="severe",
             operations_affected=["medical_evacuation", "flight_operations"], flights_affected=14,
             status="raised_with_host_state", raised_on=day(-300)),
        dict(type="import_obstruction", authority="customs", authority_detail="Douala corridor "
             "customs post, Garoua-Boulai", place="Garoua-Boulai border post", lat=5.89, lon=14.55,
             started_on=day(-60), description="Twelve containers of contingent-owned equipment "
             "held at the border.", impact="minor", operations_affected=["logistics"],
             items_held="12 containers (COE, generators)"),
        dict(type="detention_of_personnel", authority="host_security_services",
             place="Bouar", lat=5.93, lon=15.60, started_on=day(-30), ended_on=day(-29),
             description="Two national staff members held overnight at the gendarmerie.",
             impact="moderate", operations_affected=["other"], personnel_detained=2,
             status="resolved", raised_on=day(-30), resolved_on=day(-29),
             resolution="Released after a note verbale to the Ministry of Foreign Affairs."),
    ]
    for v in sofa:
        v["description"] = f"{v['description']} {MARK} {SYN}."
        if v["description"] in have:
            t.add(False)
            continue
        final = {k: v.pop(k) for k in ("status", "raised_on", "resolved_on", "resolution", "ended_on")
                 if k in v}
        r = rep.post("/api/v1/sofa-violations", dict(v, mission_id=prim))
        if "ended_on" in final:
            r = rep.patch(f"/api/v1/sofa-violations/{r['id']}", {"ended_on": final["ended_on"]})
        if final.get("raised_on"):
            r = rep.patch(f"/api/v1/sofa-violations/{r['id']}", {
                "status": "raised_with_host_state", "raised_on": final["raised_on"]})
        if final.get("status") == "resolved":
            rep.patch(f"/api/v1/sofa-violations/{r['id']}", {
                "status": "resolved", "resolved_on": final["resolved_on"],
                "resolution": final["resolution"]})
        t.add(True)

    # unit evaluations (synthetic), one with an improvement plan
    y, q = TODAY.year, (TODAY.month - 1) // 3 + 1
    lq = f"{y}-Q{q - 1}" if q > 1 else f"{y - 1}-Q4"
    pq = f"{y}-Q{q - 2}" if q > 2 else (f"{y - 1}-Q{q + 2}")
    have = {(e["unit_name"], e.get("period")): e for e in
            planner.all(f"/api/v1/unit-evaluations?mission_id={prim}")}
    evals = [
        dict(unit_name="RWABATT-3 (synthetic)", unit_type="infantry_battalion",
             contributing_country="RWA", period=lq, evaluated_on=day(-20),
             ratings=[{"standard": "command_and_control", "rating": 4},
                      {"standard": "operations", "rating": 4},
                      {"standard": "protection_of_civilians", "rating": 3},
                      {"standard": "medical_support", "rating": 2,
                       "comment": "Level I hospital short of a surgeon"},
                      {"standard": "equipment", "rating": 3}],
             shortfalls=[{"standard": "medical_support", "severity": "major",
                          "description": "No surgeon for three months"}]),
        dict(unit_name="BANBAT-2 (synthetic)", unit_type="infantry_battalion",
             contributing_country="BGD", period=lq, evaluated_on=day(-15),
             ratings=[{"standard": "command_and_control", "rating": 3},
                      {"standard": "operations", "rating": 3},
                      {"standard": "protection_of_civilians", "rating": 4},
                      {"standard": "discipline_and_conduct", "rating": 4}]),
        dict(unit_name="FPU Senegal 2 (synthetic)", unit_type="formed_police_unit",
             contributing_country="SEN", period=pq, evaluated_on=day(-60),
             ratings=[{"standard": "public_order_management", "rating": 5},
                      {"standard": "training", "rating": 2},
                      {"standard": "gender_integration", "rating": 4}],
             shortfalls=[{"standard": "training", "severity": "critical",
                          "description": "Crowd-control drills not done for two quarters"}]),
    ]
    for e in evals:
        key = (e["unit_name"], e["period"])
        if key in have:
            ev = have[key]
            t.add(False)
        else:
            ev = planner.post("/api/v1/unit-evaluations", dict(
                e, mission_id=prim, kind="in_mission", evaluator="Force HQ evaluation team (demo)",
                notes=f"{SYN}."))
            t.add(True)
        if not e.get("shortfalls"):
            continue
        st, _ = planner.call("GET", f"/api/v1/unit-evaluations/{ev['id']}/plan")
        if st == 200:
            continue
        sf = e["shortfalls"][0]["standard"]
        area = "health_and_welfare" if sf == "medical_support" else "training"
        plan = planner.post(f"/api/v1/unit-evaluations/{ev['id']}/plan", {
            "summary": f"Remedy the {sf.replace('_', ' ')} shortfall",
            "measures": [
                {"shortfall_standard": sf, "area": area,
                 "action": "Deploy a surgeon" if sf == "medical_support" else
                 "Two crowd-control drills a month, observed by the Police Component",
                 "responsible": "contributing_country", "level": "headquarters",
                 "due_on": day(45)},
                {"area": "training", "action": "Mission-specific refresher on the protection "
                 "of civilians", "responsible": "mission", "level": "mission", "due_on": day(-5)}]})
        m = plan["measures"][0]
        planner.patch(f"/api/v1/unit-evaluations/measures/{m['id']}", {"status": "in_progress"})
        t.add(True)
    return t


# ---- main ---------------------------------------------------------------------------

def seed(base, pwfile, prim_acr, sec_acr):
    users = {}
    with open(pwfile, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                users[parts[0]] = parts[1]
    s = {name: Api(base, name, users[name]) for name in
         ("planner", "fgo", "analyst", "reporter", "mission_admin", "admin")}
    ids = {}
    for m in s["admin"].all("/api/v1/missions?limit=200"):
        ids[m["acronym"]] = m["id"]
    prim, sec = ids.get(prim_acr), ids.get(sec_acr)
    if not prim or not sec:
        print(f"demo: missions {prim_acr} and {sec_acr} are needed for the module data",
              file=sys.stderr)
        return 1
    failed = 0
    plan_ids = []
    steps = [("CPAS", lambda: cpas(s, plan_ids, prim, prim_acr, FOCUS)),
             ("PCRS", lambda: pcrs(s, prim, sec)),
             ("mission design", lambda: design(s, sec, sec_acr)),
             ("registers", lambda: registers(s, prim, prim_acr)),
             ("conduct", lambda: conduct(s, prim, prim_acr))]
    for name, fn in steps:
        try:
            print(f"demo: {name}: {fn()}")
        except Exception as e:  # report and go on: one module's refusal must not hide the others
            failed += 1
            print(f"demo: {name} failed: {e}", file=sys.stderr)
    return 1 if failed else 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "incidents-csv":
        incidents_csv(sys.argv[2], sys.argv[3])
        return 0
    if len(sys.argv) == 6 and sys.argv[1] == "seed":
        return seed(*sys.argv[2:6])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
