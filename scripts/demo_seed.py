#!/usr/bin/env python3
"""Load the demonstration missions into a running PKO server through its API.

Usage: demo_seed.py BASE_URL USERNAME PASSWORD [MISSIONS_CSV]

MISSIONS_CSV is the UN DPPA/DPO list of peacekeeping missions since 1948
(../shared/data/missions/). When it is absent, five synthetic missions are
generated so the demo still has data. Missions already present (same
acronym) are skipped, so running twice is harmless.
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
