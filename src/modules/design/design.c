/* SPDX-License-Identifier: MIT
 *
 * The design module: the catalogue browsable under /api/v1/design/, the
 * composer and the mandate check (computations, no writes), and mission
 * designs as records -- with what they derive, their push to PCRS as draft
 * requirements, their feasibility against pledges, their CPAS plan
 * skeleton and their life cycle. See docs/design.md.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "modules/cpas/cpas.h"
#include "modules/design/design.h"
#include "modules/missions/missions.h"
#include "modules/pcrs/pcrs.h"

/* ==== Schema ============================================================= */

static const pko_migration design_migrations[] = {
    {1, "CREATE TABLE design_missions("
        " id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " mission_id TEXT NOT NULL REFERENCES missions(id),"
        " title TEXT NOT NULL,"
        " state TEXT NOT NULL CHECK (state IN ('assessment','planning','start_up','operating',"
        "'drawdown','closed')),"
        " state_since TEXT, profile TEXT, models TEXT, modality TEXT, phases TEXT,"
        " scale INTEGER CHECK (scale IS NULL OR scale BETWEEN 1 AND 5),"
        " assumptions TEXT, mandate TEXT, mandate_date TEXT, exit_benchmarks TEXT,"
        " pushed_requirements TEXT, plan_id TEXT, notes TEXT"
        ") STRICT;"
        "CREATE INDEX design_missions_mission ON design_missions(mission_id);"},
};

static const pko_col design_cols[] = {
    {"mission_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"title", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"state", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"state_since", PKO_COL_TEXT, 0},
    {"profile", PKO_COL_JSON, 0},
    {"models", PKO_COL_JSON, 0},
    {"modality", PKO_COL_TEXT, 0},
    {"phases", PKO_COL_JSON, 0},
    {"scale", PKO_COL_INT, 0},
    {"assumptions", PKO_COL_JSON, 0},
    {"mandate", PKO_COL_JSON, 0},
    {"mandate_date", PKO_COL_TEXT, 0},
    {"exit_benchmarks", PKO_COL_JSON, 0},
    {"pushed_requirements", PKO_COL_JSON, 0},
    {"plan_id", PKO_COL_TEXT, 0},
    {"notes", PKO_COL_TEXT, 0},
};

const pko_entity pko_entity_design_mission = {
    "design_mission", "design_missions", design_cols, sizeof(design_cols) / sizeof(design_cols[0]),
    "mission_id",     0};

static const pko_perm design_perms[] = {
    {"design.read", PKO_ROLES_ALL,
     "browse the design catalogue, compose, check mandates, see a mission's designs", false},
    {"design.write", PKO_ROLE_PLANNER | PKO_ROLE_MISSION_ADMIN,
     "create and change a mission's designs, push requirements, create the plan skeleton, move "
     "the life cycle",
     false},
};

/* ==== Helpers ============================================================ */

static pko_rc reply_list(pko_req *req, const char *file, const char *key)
{
    json_t *items = json_deep_copy(design_catalogue_list(file, key));
    const json_t *doc = design_catalogue(file);
    json_t *body = json_pack("{s:o, s:i}", "items", items, "count", (int)json_array_size(items));
    json_t *note = json_object_get(doc, "note"), *src = json_object_get(doc, "source");
    if (note)
        json_object_set_new(body, "note", json_deep_copy(note));
    if (src)
        json_object_set_new(body, "source", json_deep_copy(src));
    pko_req_reply(req, 200, body);
    return PKO_OK;
}

/* Design {id} visible to the caller, with its mission's acronym. */
static pko_rc load_design(pko_req *req, json_t **out, char acr[40], pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "design.read", &scope);
    pko_rc rc = pko_db_get(pko_req_db(req), &pko_entity_design_mission, &scope, pko_req_actor(req),
                           pko_req_param(req, "id"), out, err);
    if (rc)
        return rc;
    rc = missions_acronym(req, json_string_value(json_object_get(*out, "mission_id")), acr, err);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

static pko_rc check_class(pko_req *req, json_t *b, pko_err *err)
{
    const char *cls = json_string_value(json_object_get(b, "classification"));
    if (cls && pko_class_parse(cls) > pko_req_user(req)->clearance)
        return pko_err_field(err, PKO_EFORBIDDEN, "classification",
                             "you cannot classify a record above your own clearance");
    return PKO_OK;
}

static pko_rc reply_design(pko_req *req, const char *id, int status, pko_err *err)
{
    pko_scope all = {PKO_CLASS_STRICTLY_CONFIDENTIAL, true, "[]"};
    json_t *rec;
    pko_rc rc = pko_db_get(pko_req_db(req), &pko_entity_design_mission, &all, pko_req_actor(req),
                           id, &rec, err);
    if (rc)
        return rc;
    json_object_set_new(rec, "derived", design_derive(rec));
    json_t *mandate = json_object_get(rec, "mandate");
    if (json_is_object(mandate)) {
        json_t *chk = NULL;
        pko_err e2 = {0};
        if (design_mandate_check(mandate, &chk, &e2) == PKO_OK)
            json_object_set_new(rec, "mandate_check", chk);
    }
    if (status == 201) {
        char loc[120];
        snprintf(loc, sizeof(loc), "/api/v1/design/missions/%s", id);
        pko_req_add_header(req, "Location", loc);
    }
    pko_req_reply(req, status, rec);
    return PKO_OK;
}

/* ==== Catalogue ========================================================== */

static pko_rc h_models(pko_req *req, pko_err *err)
{
    const char *cap = pko_req_query(req, "capability");
    const char *comp = pko_req_query(req, "component");
    if (cap && !design_capability(cap))
        return pko_err_field(err, PKO_EINVAL, "capability",
                             "unknown capability code %.60s (GET /api/v1/design/capabilities)", cap);
    int comp_id = comp ? atoi(comp) : 0;
    if (comp && !design_component(comp_id))
        return pko_err_field(err, PKO_EINVAL, "component", "component must be 1-21");
    json_t *items = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(design_catalogue_list("models", "models"), i, m)
    {
        bool ok = true;
        if (cap) {
            ok = false;
            size_t j;
            json_t *c;
            json_array_foreach(json_object_get(m, "capability_codes"), j, c) ok =
                ok || strcmp(json_string_value(c), cap) == 0;
        }
        if (ok && comp) {
            ok = false;
            size_t j;
            json_t *c;
            json_array_foreach(json_object_get(m, "mandate_components"), j, c) ok =
                ok || json_integer_value(c) == comp_id;
        }
        if (ok)
            json_array_append_new(items, json_deep_copy(m));
    }
    const json_t *doc = design_catalogue("models");
    pko_req_reply(req, 200,
                  json_pack("{s:o, s:i, s:O, s:O}", "items", items, "count",
                            (int)json_array_size(items), "note", json_object_get(doc, "note"),
                            "source", json_object_get(doc, "source")));
    return PKO_OK;
}

static pko_rc h_model(pko_req *req, pko_err *err)
{
    const char *p = pko_req_param(req, "id");
    char *end;
    long id = strtol(p, &end, 10);
    const json_t *m = *end == '\0' ? design_model((int)id) : NULL;
    if (!m)
        return pko_err_set(err, PKO_ENOTFOUND, "no such model: models are numbered 1-30");
    json_t *out = json_deep_copy(m);
    /* Resolve capability codes and components for the reader. */
    json_t *caps = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(m, "capability_codes"), i, c)
    {
        const json_t *cv = design_capability(json_string_value(c));
        json_array_append_new(caps, json_pack("{s:O, s:O, s:O}", "code", c, "label",
                                              json_object_get(cv, "label"), "kind",
                                              json_object_get(cv, "kind")));
    }
    json_object_set_new(out, "capability_details", caps);
    json_t *comps = json_array();
    json_array_foreach(json_object_get(m, "mandate_components"), i, c)
    {
        const json_t *cv = design_component((int)json_integer_value(c));
        json_array_append_new(comps, json_pack("{s:O, s:O}", "id", c, "name",
                                               json_object_get(cv, "name")));
    }
    json_object_set_new(out, "component_details", comps);
    pko_req_reply(req, 200, out);
    return PKO_OK;
}

static pko_rc h_modalities(pko_req *req, pko_err *err)
{
    (void)err;
    return reply_list(req, "modalities", "modalities");
}
static pko_rc h_components(pko_req *req, pko_err *err)
{
    (void)err;
    return reply_list(req, "mandate_components", "components");
}
static pko_rc h_threats(pko_req *req, pko_err *err)
{
    (void)err;
    return reply_list(req, "threats", "threats");
}
static pko_rc h_factors(pko_req *req, pko_err *err)
{
    (void)err;
    return reply_list(req, "success_factors", "factors");
}
static pko_rc h_capabilities(pko_req *req, pko_err *err)
{
    (void)err;
    return reply_list(req, "capabilities", "capabilities");
}
static pko_rc h_signals(pko_req *req, pko_err *err)
{
    (void)err;
    return reply_list(req, "signals", "signals");
}
static pko_rc h_rules(pko_req *req, pko_err *err)
{
    (void)err;
    return reply_list(req, "mandate_rules", "rules");
}
static pko_rc h_lifecycle(pko_req *req, pko_err *err)
{
    (void)err;
    pko_req_reply(req, 200, json_deep_copy(design_catalogue("lifecycle")));
    return PKO_OK;
}
static pko_rc h_rates(pko_req *req, pko_err *err)
{
    (void)err;
    pko_req_reply(req, 200, json_deep_copy(design_catalogue("rates")));
    return PKO_OK;
}

/* ==== Composer and mandate check ========================================= */

static pko_rc h_compose(pko_req *req, pko_err *err)
{
    json_t *b, *out;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (!rc)
        rc = design_compose(b, &out, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, out);
    return PKO_OK;
}

static pko_rc h_mandate_check(pko_req *req, pko_err *err)
{
    json_t *b, *out;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (!rc)
        rc = design_mandate_check(b, &out, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, out);
    return PKO_OK;
}

/* ==== Mission designs ==================================================== */

static pko_rc h_designs_list(pko_req *req, pko_err *err)
{
    const char *cursor;
    int limit;
    pko_rc rc = pko_req_page(req, &cursor, &limit, err);
    if (rc)
        return rc;
    const char *mid = pko_req_query(req, "mission_id");
    pko_scope scope;
    pko_req_scope(req, "design.read", &scope);
    pko_db *db = pko_req_db(req);
    pko_stmt *s;
    rc = pko_db_prepare(db,
                        "SELECT id FROM design_missions WHERE (?1 IS NULL OR mission_id = ?1)"
                        " AND id > ?2 ORDER BY id LIMIT ?3",
                        &s, err);
    if (rc)
        return rc;
    if (mid)
        sqlite3_bind_text(s, 1, mid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, cursor ? cursor : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 3, limit);
    json_t *ids = json_array();
    int row;
    while (!(rc = pko_db_step(db, s, &row, err)) && row)
        json_array_append_new(ids, json_string((const char *)sqlite3_column_text(s, 0)));
    sqlite3_reset(s);
    json_t *items = json_array();
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        if (rc)
            break;
        json_t *rec;
        rc = pko_db_get(db, &pko_entity_design_mission, &scope, pko_req_actor(req),
                        json_string_value(id), &rec, err);
        if (rc == PKO_ENOTFOUND) {
            pko_err_clear(err);
            rc = PKO_OK;
            continue;
        }
        if (!rc)
            json_array_append_new(items, rec);
    }
    json_t *next = json_array_size(ids) == (size_t)limit
                       ? json_copy(json_array_get(ids, json_array_size(ids) - 1))
                       : json_null();
    json_decref(ids);
    if (rc) {
        json_decref(items);
        json_decref(next);
        return rc;
    }
    pko_req_reply(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
    return PKO_OK;
}

static pko_rc h_design_create(pko_req *req, pko_err *err)
{
    json_t *b;
    char acr[40];
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (!rc)
        rc = design_validate(b, 1, err);
    if (!rc)
        rc = missions_acronym(req, json_string_value(json_object_get(b, "mission_id")), acr, err);
    if (!rc)
        rc = pko_req_require(req, "design.write", acr, err);
    if (!rc)
        rc = check_class(req, b, err);
    if (rc)
        return rc;
    json_object_del(b, "version");
    char today[11];
    pko_today(today);
    json_object_set_new(b, "state", json_string("assessment"));
    json_object_set_new(b, "state_since", json_string(today));
    char id[PKO_ID_LEN];
    rc = pko_db_insert(pko_req_db(req), pko_req_actor(req), &pko_entity_design_mission, b, id, err);
    if (rc)
        return rc;
    return reply_design(req, id, 201, err);
}

static pko_rc h_design_get(pko_req *req, pko_err *err)
{
    json_t *d;
    char acr[40];
    pko_rc rc = load_design(req, &d, acr, err);
    if (rc)
        return rc;
    json_object_set_new(d, "derived", design_derive(d));
    json_t *mandate = json_object_get(d, "mandate");
    if (json_is_object(mandate)) {
        json_t *chk = NULL;
        pko_err e2 = {0};
        if (design_mandate_check(mandate, &chk, &e2) == PKO_OK)
            json_object_set_new(d, "mandate_check", chk);
    }
    pko_req_reply(req, 200, d);
    return PKO_OK;
}

static pko_rc h_design_update(pko_req *req, pko_err *err)
{
    json_t *d, *b;
    char acr[40];
    pko_rc rc = load_design(req, &d, acr, err);
    if (rc)
        return rc;
    const char *state = json_string_value(json_object_get(d, "state"));
    bool closed = state && strcmp(state, "closed") == 0;
    json_decref(d);
    rc = pko_req_require(req, "design.write", acr, err);
    if (!rc)
        rc = pko_req_body_object(req, &b, err);
    if (!rc)
        rc = design_validate(b, 0, err);
    if (!rc)
        rc = check_class(req, b, err);
    if (!rc && closed)
        rc = pko_err_set(err, PKO_ECONFLICT, "the design is closed: it can no longer change");
    if (rc)
        return rc;
    json_t *ver = json_object_get(b, "version");
    if (ver && !json_is_integer(ver))
        return pko_err_field(err, PKO_EINVAL, "version", "version must be an integer");
    int64_t expect = ver ? json_integer_value(ver) : 0;
    json_object_del(b, "version");
    const char *id = pko_req_param(req, "id");
    rc = pko_db_update(pko_req_db(req), pko_req_actor(req), &pko_entity_design_mission, id, b,
                       expect, err);
    if (rc)
        return rc;
    return reply_design(req, id, 200, err);
}

/* The date requirements count from: the mandate date, or today when there
 * is none or it has passed (PCRS refuses a required_by in the past). */
static void base_date(json_t *d, char out[11])
{
    char today[11];
    pko_today(today);
    const char *md = json_string_value(json_object_get(d, "mandate_date"));
    snprintf(out, 11, "%s", md && strcmp(md, today) >= 0 ? md : today);
}

static pko_rc h_requirements(pko_req *req, pko_err *err)
{
    json_t *d;
    char acr[40];
    pko_rc rc = load_design(req, &d, acr, err);
    if (rc)
        return rc;
    rc = pko_req_require(req, "design.write", acr, err);
    if (!rc)
        rc = pko_req_require(req, "pcrs.requirements.write", acr, err);
    if (!rc && json_array_size(json_object_get(d, "pushed_requirements")) > 0)
        rc = pko_err_set(err, PKO_ECONFLICT,
                         "this design's requirements are already in PCRS (%zu requirements); "
                         "change them there",
                         json_array_size(json_object_get(d, "pushed_requirements")));
    if (!rc && json_array_size(json_object_get(d, "models")) == 0)
        rc = pko_err_field(err, PKO_EINVAL, "models",
                           "the design has no models: choose models before deriving requirements");
    if (rc) {
        json_decref(d);
        return rc;
    }
    json_t *der = design_derive(d);
    json_t *units = json_object_get(der, "units");
    size_t total = 0, i;
    json_t *u;
    json_array_foreach(units, i, u) total += (size_t)json_integer_value(json_object_get(u, "count"));
    if (total == 0 || total > 300) {
        json_decref(der);
        json_decref(d);
        return pko_err_field(err, PKO_EINVAL, "models",
                             total ? "the design derives %zu unit requirements, more than 300"
                                   : "the design derives no unit requirement (%zu)",
                             total);
    }
    char base[11], today[11];
    base_date(d, base);
    pko_today(today);
    const char *title = json_string_value(json_object_get(d, "title"));
    const char *mid = json_string_value(json_object_get(d, "mission_id"));
    pko_tx *tx;
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (rc) {
        json_decref(der);
        json_decref(d);
        return rc;
    }
    json_t *ids = json_array();
    json_array_foreach(units, i, u)
    {
        if (rc)
            break;
        char by[11];
        design_add_days(base, (long)json_integer_value(json_object_get(u, "required_after_days")),
                        by);
        char caps[120] = "", t[201];
        size_t j;
        json_t *c;
        json_array_foreach(json_object_get(u, "capabilities"), j, c)
        {
            strncat(caps, j ? ", " : "", sizeof(caps) - strlen(caps) - 1);
            strncat(caps, json_string_value(c), sizeof(caps) - strlen(caps) - 1);
        }
        snprintf(t, sizeof(t), "%.80s: %.40s for %.70s", title,
                 json_string_value(json_object_get(u, "name")), caps);
        json_int_t n = json_integer_value(json_object_get(u, "count"));
        for (json_int_t k = 0; k < n && !rc; k++) {
            /* No status: PCRS makes it a draft, to be opened by a force
             * generation officer. */
            json_t *f = json_pack("{s:s, s:s, s:s, s:O, s:s}", "mission_id", mid, "unit_type",
                                  json_string_value(json_object_get(u, "unit_type")), "title", t,
                                  "strength", json_object_get(u, "strength"), "required_by", by);
            json_t *made = NULL;
            rc = pcrs_requirement_create(tx, today, f, &made, err);
            if (!rc)
                json_array_append_new(ids, json_copy(json_object_get(made, "id")));
            json_decref(made);
            json_decref(f);
        }
    }
    if (!rc) {
        /* The version read before: a concurrent push (or edit) makes this
         * one fail with 409 and roll back, so requirements go in once. */
        json_t *upd = json_pack("{s:O}", "pushed_requirements", ids);
        rc = pko_tx_update(tx, &pko_entity_design_mission, pko_req_param(req, "id"), upd,
                           json_integer_value(json_object_get(d, "version")), err);
        json_decref(upd);
    }
    if (rc) {
        pko_tx_rollback(tx);
        json_decref(ids);
        json_decref(der);
        json_decref(d);
        return rc;
    }
    rc = pko_tx_commit(tx, err);
    json_decref(der);
    json_decref(d);
    if (rc) {
        json_decref(ids);
        return rc;
    }
    pko_req_reply(req, 201,
                  json_pack("{s:i, s:o, s:s, s:s}", "count", (int)json_array_size(ids),
                            "requirement_ids", ids, "status", "draft", "counted_from", base));
    return PKO_OK;
}

static pko_rc h_feasibility(pko_req *req, pko_err *err)
{
    json_t *d;
    char acr[40];
    pko_rc rc = load_design(req, &d, acr, err);
    if (rc)
        return rc;
    json_t *der = design_derive(d);
    /* Every pledge the caller may see, page by page. */
    pko_scope scope;
    pko_req_scope(req, "pcrs.read", &scope);
    json_t *pledges = json_array();
    char after[PKO_ID_LEN] = "";
    for (;;) {
        json_t *page;
        rc = pko_db_list(pko_req_db(req), &pko_entity_pcrs_pledge, &scope, pko_req_actor(req),
                         after[0] ? after : NULL, 500, &page, err);
        if (rc)
            break;
        size_t n = json_array_size(page);
        if (n)
            snprintf(after, sizeof(after), "%s",
                     json_string_value(json_object_get(json_array_get(page, n - 1), "id")));
        json_array_extend(pledges, page);
        json_decref(page);
        if (n < 500)
            break;
    }
    if (rc) {
        json_decref(pledges);
        json_decref(der);
        json_decref(d);
        return rc;
    }
    char base[11];
    base_date(d, base);
    int bdays = (int)json_integer_value(json_object_get(json_object_get(der, "benchmark"), "days"));
    json_t *f = design_feasibility(json_object_get(der, "units"), pledges, base, bdays);
    /* PCRS's own view of each derived requirement: pledges per level, and
     * how many deploy by the date the design needs the unit. */
    char today[11];
    pko_today(today);
    json_t *pv = json_array();
    size_t i;
    json_t *u;
    json_array_foreach(json_object_get(der, "units"), i, u)
    {
        char by[11];
        design_add_days(base, (long)json_integer_value(json_object_get(u, "required_after_days")),
                        by);
        json_t *pf = NULL;
        rc = pcrs_feasibility(pko_req_db(req), pko_req_user(req)->clearance,
                              json_string_value(json_object_get(u, "unit_type")), by, today, &pf,
                              err);
        if (rc)
            break;
        json_int_t need = json_integer_value(json_object_get(u, "count"));
        json_object_set_new(pf, "needed", json_integer(need));
        json_object_set_new(pf, "enough_on_time",
                            json_boolean(json_integer_value(json_object_get(pf, "on_time")) >= need));
        json_array_append_new(pv, pf);
    }
    if (rc) {
        json_decref(pv);
        json_decref(f);
        json_decref(pledges);
        json_decref(der);
        json_decref(d);
        return rc;
    }
    json_object_set_new(f, "requirements", pv);
    json_object_set_new(f, "benchmark", json_deep_copy(json_object_get(der, "benchmark")));
    json_object_set_new(f, "readiness_days", json_pack("{s:i, s:i, s:i, s:i, s:i}", "registered",
                                                       pcrs_level_days(0), "level_1",
                                                       pcrs_level_days(1), "level_2",
                                                       pcrs_level_days(2), "level_3",
                                                       pcrs_level_days(3), "rapid_deployment",
                                                       pcrs_level_days(4)));
    json_decref(pledges);
    json_decref(der);
    json_decref(d);
    pko_req_reply(req, 200, f);
    return PKO_OK;
}


/* The CPAS plan skeleton: one intended outcome per model (its strategic
 * purpose), under the mandate priority of the model's first mandate
 * component, over the design's phases from the mandate date. */
static pko_rc h_plan(pko_req *req, pko_err *err)
{
    json_t *d;
    char acr[40];
    pko_rc rc = load_design(req, &d, acr, err);
    if (rc)
        return rc;
    rc = pko_req_require(req, "design.write", acr, err);
    if (!rc && json_is_string(json_object_get(d, "plan_id")))
        rc = pko_err_set(err, PKO_ECONFLICT, "this design already has its plan skeleton: plan %s",
                         json_string_value(json_object_get(d, "plan_id")));
    if (!rc && json_array_size(json_object_get(d, "models")) == 0)
        rc = pko_err_field(err, PKO_EINVAL, "models",
                           "the design has no models: choose models before drafting the plan");
    if (rc) {
        json_decref(d);
        return rc;
    }
    json_t *der = design_derive(d);
    json_int_t months = json_integer_value(json_object_get(json_object_get(der, "cost"), "months"));
    json_decref(der);
    if (months < 1)
        months = 12;
    char base[11], start[8], end[8], endday[11];
    base_date(d, base);
    snprintf(start, sizeof(start), "%.7s", base);
    design_add_days(base, (long)(months * 30.44) - 1, endday);
    snprintf(end, sizeof(end), "%.7s", endday);
    json_t *outcomes = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(d, "models"), i, x)
    {
        const json_t *m = design_model((int)json_integer_value(x));
        const json_t *c = design_component(
            (int)json_integer_value(json_array_get(json_object_get(m, "mandate_components"), 0)));
        char prio[160], outc[400], task[600] = "";
        const char *cname = json_string_value(json_object_get(c, "name"));
        snprintf(prio, sizeof(prio), "%c%.150s", cname[0] - ('a' <= cname[0] && cname[0] <= 'z' ? 32 : 0),
                 cname + 1);
        snprintf(outc, sizeof(outc), "Model %lld, %s: %s", (long long)json_integer_value(x),
                 json_string_value(json_object_get(m, "name")),
                 json_string_value(json_object_get(m, "purpose")));
        size_t j;
        json_t *t;
        json_array_foreach(json_object_get(m, "tasks"), j, t)
        {
            strncat(task, j ? "; " : "", sizeof(task) - strlen(task) - 1);
            strncat(task, json_string_value(t), sizeof(task) - strlen(task) - 1);
        }
        json_array_append_new(outcomes, json_pack("{s:s, s:s, s:s}", "priority", prio, "outcome",
                                                  outc, "mandated_task", task));
    }
    char context[1200];
    const char *modality = json_string_value(json_object_get(d, "modality"));
    snprintf(context, sizeof(context),
             "Drafted from mission design \"%.200s\" (%s): %zu models of the Future of "
             "Peacekeeping study (2024), modality %s, life cycle state %s. One intended outcome "
             "per model, stated as its strategic purpose; indicators are yet to be defined.",
             json_string_value(json_object_get(d, "title")), pko_req_param(req, "id"),
             json_array_size(json_object_get(d, "models")), modality ? modality : "not chosen",
             json_string_value(json_object_get(d, "state")));
    pko_tx *tx;
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    json_t *plan = NULL;
    if (!rc) {
        rc = cpas_plan_skeleton(tx, pko_req_user(req),
                                json_string_value(json_object_get(d, "mission_id")), start, end,
                                context, outcomes, &plan, err);
        if (!rc) {
            json_t *upd = json_pack("{s:O}", "plan_id", json_object_get(plan, "id"));
            rc = pko_tx_update(tx, &pko_entity_design_mission, pko_req_param(req, "id"), upd,
                               json_integer_value(json_object_get(d, "version")), err);
            json_decref(upd);
        }
        if (rc)
            pko_tx_rollback(tx);
        else
            rc = pko_tx_commit(tx, err);
    }
    json_decref(outcomes);
    json_decref(d);
    if (rc) {
        json_decref(plan);
        return rc;
    }
    pko_req_reply(req, 201, plan);
    return PKO_OK;
}

static pko_rc h_transition(pko_req *req, pko_err *err)
{
    json_t *d, *b;
    char acr[40];
    pko_rc rc = load_design(req, &d, acr, err);
    if (rc)
        return rc;
    rc = pko_req_require(req, "design.write", acr, err);
    if (!rc)
        rc = pko_req_body_object(req, &b, err);
    const char *to = NULL;
    if (!rc) {
        to = json_string_value(json_object_get(b, "to"));
        const char *k;
        json_t *v;
        json_object_foreach(b, k, v) if (!rc && strcmp(k, "to") && strcmp(k, "decision") &&
                                          strcmp(k, "date")) rc =
            pko_err_field(err, PKO_EINVAL, k, "unknown field %.40s (give to, decision, date)", k);
        json_t *dv = json_object_get(b, "decision");
        if (!rc && dv && (!json_is_string(dv) || strlen(json_string_value(dv)) > 1000))
            rc = pko_err_field(err, PKO_EINVAL, "decision", "decision must be text up to 1000");
        const char *date = json_string_value(json_object_get(b, "date"));
        char tmp[11];
        if (!rc && json_object_get(b, "date") && (!date || !design_add_days(date, 0, tmp)))
            rc = pko_err_field(err, PKO_EINVAL, "date", "date must be YYYY-MM-DD");
    }
    if (!rc && !to)
        rc = pko_err_field(err, PKO_EINVAL, "to", "to must name the next life cycle state");
    if (!rc)
        rc = design_transition_check(d, to, b, err);
    if (rc) {
        json_decref(d);
        return rc;
    }
    char today[11];
    pko_today(today);
    const char *date = json_string_value(json_object_get(b, "date"));
    json_t *upd = json_pack("{s:s, s:s}", "state", to, "state_since", date ? date : today);
    const char *dec = json_string_value(json_object_get(b, "decision"));
    if (dec) {
        const char *notes = json_string_value(json_object_get(d, "notes"));
        char *n = malloc(strlen(dec) + (notes ? strlen(notes) : 0) + 64);
        sprintf(n, "%s%s[%s -> %s] %s", notes ? notes : "", notes ? "\n" : "",
                json_string_value(json_object_get(d, "state")), to, dec);
        if (strlen(n) > 4000)
            n[4000] = '\0';
        json_object_set_new(upd, "notes", json_string(n));
        free(n);
    }
    json_decref(d);
    pko_tx *tx;
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (!rc) {
        rc = pko_tx_update(tx, &pko_entity_design_mission, pko_req_param(req, "id"), upd, 0, err);
        if (rc)
            pko_tx_rollback(tx);
        else
            rc = pko_tx_commit(tx, err);
    }
    json_decref(upd);
    if (rc)
        return rc;
    return reply_design(req, pko_req_param(req, "id"), 200, err);
}

/* ==== Module ============================================================= */

static const pko_route design_routes[] = {
    {"GET", "/api/v1/design/models", h_models, "design.read", 0, 0},
    {"GET", "/api/v1/design/models/{id}", h_model, "design.read", 0, 0},
    {"GET", "/api/v1/design/modalities", h_modalities, "design.read", 0, 0},
    {"GET", "/api/v1/design/mandate-components", h_components, "design.read", 0, 0},
    {"GET", "/api/v1/design/threats", h_threats, "design.read", 0, 0},
    {"GET", "/api/v1/design/success-factors", h_factors, "design.read", 0, 0},
    {"GET", "/api/v1/design/capabilities", h_capabilities, "design.read", 0, 0},
    {"GET", "/api/v1/design/signals", h_signals, "design.read", 0, 0},
    {"GET", "/api/v1/design/lifecycle", h_lifecycle, "design.read", 0, 0},
    {"GET", "/api/v1/design/mandate-rules", h_rules, "design.read", 0, 0},
    {"GET", "/api/v1/design/rates", h_rates, "design.read", 0, 0},
    {"POST", "/api/v1/design/compose", h_compose, "design.read", 0, 16384},
    {"POST", "/api/v1/design/mandate-check", h_mandate_check, "design.read", 0, 262144},
    {"GET", "/api/v1/design/missions", h_designs_list, "design.read", 0, 0},
    {"POST", "/api/v1/design/missions", h_design_create, "design.write", 0, 262144},
    {"GET", "/api/v1/design/missions/{id}", h_design_get, "design.read", 0, 0},
    {"PATCH", "/api/v1/design/missions/{id}", h_design_update, "design.write", 0, 262144},
    {"POST", "/api/v1/design/missions/{id}/requirements", h_requirements, "design.write", 0, 1024},
    {"GET", "/api/v1/design/missions/{id}/feasibility", h_feasibility, "design.read", 0, 0},
    {"POST", "/api/v1/design/missions/{id}/plan", h_plan, "design.write", 0, 1024},
    {"POST", "/api/v1/design/missions/{id}/transition", h_transition, "design.write", 0, 8192},
};

static const pko_entity *const design_entities[] = {&pko_entity_design_mission};

const pko_module pko_module_design = {
    .name = "design",
    .summary = "mission design: the study's 30 models and 6 modalities, composer, mandate check, "
               "derived requirements, life cycle",
    .migrations = design_migrations,
    .n_migrations = sizeof(design_migrations) / sizeof(design_migrations[0]),
    .entities = design_entities,
    .n_entities = sizeof(design_entities) / sizeof(design_entities[0]),
    .perms = design_perms,
    .n_perms = sizeof(design_perms) / sizeof(design_perms[0]),
    .routes = design_routes,
    .n_routes = sizeof(design_routes) / sizeof(design_routes[0]),
    .start = NULL,
};
