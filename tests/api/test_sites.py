#!/usr/bin/env python3
"""Black-box tests of mission sites and administrative boundaries against
the real binary.

Usage:  python3 tests/api/test_sites.py /path/to/pko

Mission sites (GET/POST /api/v1/missions/{id}/sites): who may add them,
validation errors naming the field, idempotent loads by (source_system,
source_id), scoped reads. Boundaries (GET /api/v1/boundaries[/{name}]):
served from PKO_BOUNDARIES_DIR (a temporary directory here), signed-in
users only, strict names. Ends with "N passed, M failed".
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import M, S, expect, login, pko, req, run, test  # noqa: E402,F401



def site(**kw):
    body = {"name": "Bangui", "kind": "mission_hq", "lat": 4.3612, "lon": 18.5550,
            "country": "Central African Republic", "troops": 1200,
            "contributors": "Rwanda, Bangladesh"}
    body.update(kw)
    return body


def path(acr):
    return "/api/v1/missions/%s/sites" % M[acr]


# ==== Sites ===================================================================

@test
def mission_admin_adds_a_site():
    st, js, _, _ = req("POST", path("MINUSCA"), site(), S["madmin"])
    expect(st == 201, (st, js))
    expect(js["mission_id"] == M["MINUSCA"] and js["kind"] == "mission_hq", js)
    expect(js["troops"] == 1200 and abs(js["lat"] - 4.3612) < 1e-9, js)


@test
def others_may_not_add_sites():
    st, js, _, _ = req("POST", path("MINUSCA"), site(name="Bria"), S["viewer"])
    expect(st == 403, (st, js))
    st, js, _, _ = req("POST", path("MINUSCA"), site(name="Bria"), S["other"])
    expect(st in (403, 404), (st, js))
    st, js, _, _ = req("POST", path("MINUSCA"), site(name="Bria"))
    expect(st == 401, (st, js))


@test
def validation_names_the_field():
    cases = [({"name": ""}, "name"), ({"kind": "castle"}, "kind"), ({"lat": 91}, "lat"),
             ({"lon": "east"}, "lon"), ({"troops": -5}, "troops"), ({"troops": 2.5}, "troops"),
             ({"country": 7}, "country"), ({"colour": "blue"}, "colour"),
             ({"source_system": "geopko"}, "source_id"), ({"mission_id": M["MONUSCO"]}, "mission_id")]
    for change, field in cases:
        st, js, _, _ = req("POST", path("MINUSCA"), site(**change), S["admin"])
        expect(st == 400 and js["error"]["field"] == field, "%r -> %s %r" % (change, st, js))
    body = site()
    del body["lat"]
    st, js, _, _ = req("POST", path("MINUSCA"), body, S["admin"])
    expect(st == 400 and js["error"]["field"] == "lat", (st, js))


@test
def loads_are_idempotent():
    b = site(name="Kaga-Bandoro", kind="team_site", source_system="geopko", source_id="MINUSCA/2024/Kaga")
    st, js, _, _ = req("POST", path("MINUSCA"), b, S["admin"])
    expect(st == 201, (st, js))
    st, js, _, _ = req("POST", path("MINUSCA"), b, S["admin"])
    expect(st == 409 and js["error"]["field"] == "source_id", (st, js))


@test
def reads_are_scoped_to_the_mission():
    st, js, _, _ = req("POST", path("MONUSCO"), site(name="Goma", lat=-1.67, lon=29.22), S["other"])
    expect(st == 201, (st, js))
    st, js, _, _ = req("GET", path("MINUSCA"), s=S["viewer"])
    expect(st == 200, (st, js))
    names = sorted(x["name"] for x in js["items"])
    expect(names == ["Bangui", "Kaga-Bandoro"], names)
    st, js, _, _ = req("GET", path("MONUSCO"), s=S["viewer"])
    expect(st == 404, (st, js))
    st, js, _, _ = req("GET", path("MONUSCO"), s=S["admin"])
    expect(st == 200 and [x["name"] for x in js["items"]] == ["Goma"], js)
    st, js, _, _ = req("GET", path("MINUSCA"))
    expect(st == 401, st)


@test
def sites_are_paged():
    st, js, _, _ = req("GET", path("MINUSCA") + "?limit=1", s=S["admin"])
    expect(st == 200 and len(js["items"]) == 1 and js["next_cursor"], js)
    st, js2, _, _ = req("GET", path("MINUSCA") + "?limit=1&cursor=" + js["next_cursor"], s=S["admin"])
    expect(st == 200 and len(js2["items"]) == 1 and js2["items"][0]["id"] != js["items"][0]["id"], js2)


@test
def an_unknown_mission_is_404():
    st, js, _, _ = req("GET", "/api/v1/missions/nope/sites", s=S["admin"])
    expect(st == 404, (st, js))
    st, js, _, _ = req("POST", "/api/v1/missions/nope/sites", site(), S["admin"])
    expect(st == 404, (st, js))


# ==== Boundaries ==============================================================

@test
def boundaries_are_listed_for_signed_in_users():
    st, js, _, _ = req("GET", "/api/v1/boundaries")
    expect(st == 401, st)
    st, js, _, _ = req("GET", "/api/v1/boundaries", s=S["viewer"])
    expect(st == 200, (st, js))
    expect([x["name"] for x in js["items"]] == ["gadm_test_adm1"], js)
    expect(js["items"][0]["bytes"] > 50, js)


@test
def a_boundary_file_is_served():
    st, js, raw, r = req("GET", "/api/v1/boundaries/gadm_test_adm1", s=S["viewer"])
    expect(st == 200, (st, raw[:200]))
    expect(r.getheader("Content-Type").startswith("application/geo+json"), r.getheader("Content-Type"))
    geo = json.loads(raw)
    expect(geo["features"][0]["properties"]["NAME_1"] == "Bangui", geo)
    st, _, _, _ = req("GET", "/api/v1/boundaries/gadm_test_adm1")
    expect(st == 401, st)


@test
def boundary_names_are_strict():
    for name in ["notes", "notes.txt", "sub", "..%2Fsecret", "%2E%2E", "..", "secret",
                 "gadm_test_adm1.geojson", "gadm-test", "a" * 65, "%00"]:
        st, js, _, _ = req("GET", "/api/v1/boundaries/" + name, s=S["admin"])
        expect(st == 404, "%s -> %s %r" % (name, st, js))
    st, _, _, _ = req("GET", "/api/v1/boundaries/../secret", s=S["admin"])
    expect(st in (400, 404), st)


def prepare(tmp):
    """Boundary files for PKO_BOUNDARIES_DIR, and decoys around them."""
    bdir = os.path.join(tmp, "boundaries")
    os.mkdir(bdir)
    with open(os.path.join(bdir, "gadm_test_adm1.geojson"), "w") as f:
        json.dump({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"NAME_1": "Bangui"},
             "geometry": {"type": "Polygon",
                          "coordinates": [[[18, 4], [19, 4], [19, 5], [18, 5], [18, 4]]]}}]}, f)
    with open(os.path.join(bdir, "notes.txt"), "w") as f:
        f.write("not a boundary file\n")
    with open(os.path.join(tmp, "secret.geojson"), "w") as f:
        f.write("{}")
    os.mkdir(os.path.join(bdir, "sub.geojson"))
    return {"PKO_BOUNDARIES_DIR": bdir}


def main():
    users = {"admin": ["system_admin"], "madmin": ["mission_admin:MINUSCA"],
             "viewer": ["viewer:MINUSCA"], "other": ["mission_admin:MONUSCO"]}
    return run('pko-sites-', users, prepare=prepare)


if __name__ == "__main__":
    sys.exit(main())
