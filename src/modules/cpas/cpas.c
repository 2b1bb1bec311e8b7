/* SPDX-License-Identifier: MIT
 *
 * The CPAS module: plans, the results framework, indicators, data points
 * and the dashboard. Every write goes through pko_tx_insert/update (change
 * log and audit trail); every read through pko_db_get with the caller's
 * scope for cpas.read, so a plan of a mission the caller cannot see is 404.
 *
 * Permissions: every role reads the plans of its missions; planners and
 * mission administrators write plans, the framework and indicators;
 * mission administrators approve a plan (the Senior Leadership Team's
 * decision); analysts, planners and mission administrators enter data;
 * planners and mission administrators approve data points.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/cpas/cpas.h"
#include "modules/missions/missions.h"

/* ==== Schema ============================================================= */

#define ROW_HEAD                                                                              \
    " id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL DEFAULT 0," \
    " created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"                                     \
    " mission_id TEXT NOT NULL REFERENCES missions(id),"

static const pko_migration cpas_migrations[] = {
    {1, "CREATE TABLE cpas_plans(" ROW_HEAD
        " title TEXT NOT NULL, version_no INTEGER NOT NULL,"
        " status TEXT NOT NULL CHECK (status IN ('draft','approved','superseded')),"
        " period_start TEXT NOT NULL, period_end TEXT NOT NULL,"
        " previous_id TEXT REFERENCES cpas_plans(id), context TEXT, approved_by TEXT"
        ") STRICT;"
        "CREATE INDEX cpas_plans_mission ON cpas_plans(mission_id, status);"
        "CREATE TABLE cpas_nodes(" ROW_HEAD
        " plan_id TEXT NOT NULL REFERENCES cpas_plans(id),"
        " parent_id TEXT REFERENCES cpas_nodes(id),"
        " level TEXT NOT NULL CHECK (level IN ('priority','outcome','output')),"
        " title TEXT NOT NULL, mandated_task TEXT, a4p TEXT"
        ") STRICT;"
        "CREATE INDEX cpas_nodes_plan ON cpas_nodes(plan_id);"
        "CREATE TABLE cpas_indicators(" ROW_HEAD
        " plan_id TEXT NOT NULL REFERENCES cpas_plans(id),"
        " node_id TEXT NOT NULL REFERENCES cpas_nodes(id),"
        " name TEXT NOT NULL,"
        " kind TEXT NOT NULL CHECK (kind IN ('quantitative','qualitative')),"
        " unit TEXT,"
        " direction TEXT NOT NULL CHECK (direction IN ('increase','decrease')),"
        " baseline_value REAL, baseline_period TEXT, targets TEXT, data_source TEXT,"
        " frequency TEXT NOT NULL CHECK (frequency IN ('monthly','quarterly','annual')),"
        " component TEXT, disaggregations TEXT, on_track REAL, at_risk REAL"
        ") STRICT;"
        "CREATE INDEX cpas_indicators_plan ON cpas_indicators(plan_id);"
        "CREATE TABLE cpas_datapoints(" ROW_HEAD
        " indicator_id TEXT NOT NULL REFERENCES cpas_indicators(id),"
        " period TEXT NOT NULL, value REAL, text_value TEXT, disaggregation TEXT,"
        " disagg_key TEXT NOT NULL, note TEXT,"
        " status TEXT NOT NULL CHECK (status IN ('draft','approved')), approved_by TEXT,"
        " UNIQUE (indicator_id, period, disagg_key)"
        ") STRICT;"},
    {2, "ALTER TABLE cpas_indicators ADD COLUMN weight REAL;"},
    {3, "CREATE TABLE cpas_assessments(" ROW_HEAD
        " plan_id TEXT NOT NULL REFERENCES cpas_plans(id),"
        " title TEXT NOT NULL, scope TEXT, period TEXT NOT NULL, questions TEXT, findings TEXT,"
        " rating TEXT CHECK (rating IS NULL OR rating IN ('significant_progress','some_progress',"
        "'no_progress','regression'))"
        ") STRICT;"
        "CREATE INDEX cpas_assessments_plan ON cpas_assessments(plan_id);"
        "CREATE TABLE cpas_recommendations(" ROW_HEAD
        " assessment_id TEXT NOT NULL REFERENCES cpas_assessments(id),"
        " text TEXT NOT NULL, owner TEXT NOT NULL, due_date TEXT NOT NULL,"
        " status TEXT NOT NULL CHECK (status IN ('proposed','accepted','rejected')),"
        " decision_note TEXT, decided_by TEXT"
        ") STRICT;"
        "CREATE INDEX cpas_recommendations_assessment ON cpas_recommendations(assessment_id);"},
    {4, "ALTER TABLE cpas_indicators ADD COLUMN computed TEXT;"},
    {5, "ALTER TABLE cpas_indicators ADD COLUMN code TEXT;"
        "CREATE UNIQUE INDEX cpas_indicators_code ON cpas_indicators(plan_id, code)"
        " WHERE code IS NOT NULL;"},
    {6, "CREATE TABLE cpas_drivers(" ROW_HEAD
        " plan_id TEXT NOT NULL REFERENCES cpas_plans(id),"
        " title TEXT NOT NULL, description TEXT,"
        " trend TEXT CHECK (trend IS NULL OR trend IN ('worsening','stable','improving')),"
        " node_ids TEXT"
        ") STRICT;"
        "CREATE INDEX cpas_drivers_plan ON cpas_drivers(plan_id);"
        "CREATE TABLE cpas_stakeholders(" ROW_HEAD
        " plan_id TEXT NOT NULL REFERENCES cpas_plans(id),"
        " name TEXT NOT NULL, type TEXT NOT NULL,"
        " influence TEXT NOT NULL CHECK (influence IN ('low','medium','high')),"
        " attitude TEXT NOT NULL CHECK (attitude IN ('hostile','opposed','neutral','supportive',"
        "'champion')),"
        " interests TEXT, node_ids TEXT"
        ") STRICT;"
        "CREATE INDEX cpas_stakeholders_plan ON cpas_stakeholders(plan_id);"},
    /* The dashboard's read of approved totals from the index alone. */
    {7, "CREATE INDEX cpas_datapoints_dash ON cpas_datapoints(indicator_id, status, disagg_key,"
        " period, value, classification);"},
    {8, "ALTER TABLE cpas_recommendations ADD COLUMN implementation TEXT CHECK (implementation IS"
        " NULL OR implementation IN ('not_started','in_progress','implemented'));"
        "ALTER TABLE cpas_recommendations ADD COLUMN implementation_note TEXT;"},
};

static const pko_col plan_cols[] = {
    {"mission_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"title", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"version_no", PKO_COL_INT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"status", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"period_start", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"period_end", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"previous_id", PKO_COL_TEXT, PKO_COL_READONLY},
    {"context", PKO_COL_TEXT, 0},
    {"approved_by", PKO_COL_TEXT, 0},
};
static const pko_col node_cols[] = {
    {"mission_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"plan_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"parent_id", PKO_COL_TEXT, PKO_COL_READONLY},
    {"level", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"title", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"mandated_task", PKO_COL_TEXT, 0},
    {"a4p", PKO_COL_JSON, 0},
};
static const pko_col ind_cols[] = {
    {"mission_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"plan_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"node_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"name", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"kind", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"unit", PKO_COL_TEXT, 0},
    {"direction", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"baseline_value", PKO_COL_REAL, 0},
    {"baseline_period", PKO_COL_TEXT, 0},
    {"targets", PKO_COL_JSON, 0},
    {"data_source", PKO_COL_TEXT, 0},
    {"frequency", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"component", PKO_COL_TEXT, 0},
    {"disaggregations", PKO_COL_JSON, 0},
    {"on_track", PKO_COL_REAL, 0},
    {"at_risk", PKO_COL_REAL, 0},
    {"weight", PKO_COL_REAL, 0},
    {"computed", PKO_COL_JSON, 0},
    {"code", PKO_COL_TEXT, PKO_COL_READONLY},
};
static const pko_col dp_cols[] = {
    {"mission_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"indicator_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"period", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"value", PKO_COL_REAL, 0},
    {"text_value", PKO_COL_TEXT, 0},
    {"disaggregation", PKO_COL_JSON, PKO_COL_READONLY},
    {"disagg_key", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY | PKO_COL_HIDDEN},
    {"note", PKO_COL_TEXT, 0},
    {"status", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"approved_by", PKO_COL_TEXT, 0},
};

static const pko_col asm_cols[] = {
    {"mission_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"plan_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"title", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"scope", PKO_COL_TEXT, 0},
    {"period", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"questions", PKO_COL_JSON, 0},
    {"findings", PKO_COL_TEXT, 0},
    {"rating", PKO_COL_TEXT, 0},
};
static const pko_col rec_cols[] = {
    {"mission_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"assessment_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"text", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"owner", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"due_date", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"status", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"decision_note", PKO_COL_TEXT, 0},
    {"decided_by", PKO_COL_TEXT, 0},
    {"implementation", PKO_COL_TEXT, 0},
    {"implementation_note", PKO_COL_TEXT, 0},
};

static const pko_col drv_cols[] = {
    {"mission_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"plan_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"title", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"description", PKO_COL_TEXT, 0},
    {"trend", PKO_COL_TEXT, 0},
    {"node_ids", PKO_COL_JSON, 0},
};
static const pko_col stk_cols[] = {
    {"mission_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"plan_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"name", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"type", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"influence", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"attitude", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"interests", PKO_COL_TEXT, 0},
    {"node_ids", PKO_COL_JSON, 0},
};

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))
const pko_entity cpas_entity_driver = {"cpas_driver", "cpas_drivers", drv_cols, NCOLS(drv_cols),
                                       "mission_id", 0};
const pko_entity cpas_entity_stakeholder = {"cpas_stakeholder", "cpas_stakeholders", stk_cols,
                                            NCOLS(stk_cols), "mission_id", 0};
const pko_entity cpas_entity_plan = {"cpas_plan", "cpas_plans", plan_cols, NCOLS(plan_cols),
                                     "mission_id", 0};
const pko_entity cpas_entity_node = {"cpas_node", "cpas_nodes", node_cols, NCOLS(node_cols),
                                     "mission_id", 0};
const pko_entity cpas_entity_indicator = {"cpas_indicator", "cpas_indicators", ind_cols,
                                          NCOLS(ind_cols), "mission_id", 0};
const pko_entity cpas_entity_datapoint = {"cpas_datapoint", "cpas_datapoints", dp_cols,
                                          NCOLS(dp_cols), "mission_id", 0};

const pko_entity cpas_entity_assessment = {"cpas_assessment", "cpas_assessments", asm_cols,
                                           NCOLS(asm_cols), "mission_id", 0};
const pko_entity cpas_entity_recommendation = {"cpas_recommendation", "cpas_recommendations",
                                               rec_cols, NCOLS(rec_cols), "mission_id", 0};

static const pko_perm cpas_perms[] = {
    {"cpas.read", PKO_ROLES_ALL, "see plans, frameworks, indicators, data and dashboards", false},
    {"cpas.plan", PKO_ROLE_PLANNER | PKO_ROLE_MISSION_ADMIN,
     "draft plans, their results framework and indicators", false},
    {"cpas.approve", PKO_ROLE_MISSION_ADMIN, "approve a mission plan", false},
    {"cpas.data", PKO_ROLE_ANALYST | PKO_ROLE_PLANNER | PKO_ROLE_MISSION_ADMIN,
     "enter and correct indicator data points", false},
    {"cpas.data.approve", PKO_ROLE_PLANNER | PKO_ROLE_MISSION_ADMIN, "approve data points",
     false},
};

/* ==== Helpers ============================================================ */

static const pko_scope all_scope = {PKO_CLASS_STRICTLY_CONFIDENTIAL, true, "[]"};

static pko_rc get_visible(pko_req *req, const pko_entity *e, const char *id, json_t **out,
                          pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "cpas.read", &scope);
    if (!id)
        return pko_err_set(err, PKO_ENOTFOUND, "not found");
    return pko_db_get(pko_req_db(req), e, &scope, pko_req_actor(req), id, out, err);
}

/* Require 'perm' for the mission of record 'rec' (its mission_id). */
static pko_rc require_for(pko_req *req, const char *perm, json_t *rec, pko_err *err)
{
    json_t *m;
    pko_rc rc = pko_db_get(pko_req_db(req), &pko_entity_mission, &all_scope, pko_req_actor(req),
                           json_string_value(json_object_get(rec, "mission_id")), &m, err);
    if (rc)
        return rc;
    rc = pko_req_require(req, perm, json_string_value(json_object_get(m, "acronym")), err);
    json_decref(m);
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

static void plan_months(json_t *plan, int *first, int *last)
{
    int x;
    if (!cpas_period_parse(json_string_value(json_object_get(plan, "period_start")), first, &x,
                           NULL))
        *first = 0;
    if (!cpas_period_parse(json_string_value(json_object_get(plan, "period_end")), &x, last,
                           NULL))
        *last = -1;
}

/* Insert 'b' as a new record of 'e', reply 'status' with the stored record. */
static pko_rc insert_reply(pko_req *req, const pko_entity *e, json_t *b, pko_err *err)
{
    pko_tx *tx;
    char id[PKO_ID_LEN];
    pko_rc rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (rc)
        return rc;
    rc = pko_tx_insert(tx, e, b, id, err);
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    rc = pko_tx_commit(tx, err);
    if (rc)
        return rc;
    json_t *rec;
    rc = pko_db_get(pko_req_db(req), e, &all_scope, pko_req_actor(req), id, &rec, err);
    if (rc)
        return rc;
    pko_req_reply(req, 201, rec);
    return PKO_OK;
}

/* Ids from a one-parameter query "SELECT id FROM ... WHERE x = ?1". */
static pko_rc select_ids(pko_db *db, const char *sql, const char *arg, json_t **out, pko_err *err)
{
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db, sql, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, arg, -1, SQLITE_TRANSIENT);
    json_t *ids = json_array();
    int row;
    while (!(rc = pko_db_step(db, s, &row, err)) && row)
        json_array_append_new(ids, json_string((const char *)sqlite3_column_text(s, 0)));
    sqlite3_reset(s);
    if (rc) {
        json_decref(ids);
        return rc;
    }
    *out = ids;
    return PKO_OK;
}

/* The records of 'ids' the caller may see (others are left out). */
static pko_rc get_all(pko_req *req, const pko_entity *e, json_t *ids, json_t **out, pko_err *err)
{
    pko_scope scope;
    pko_req_scope(req, "cpas.read", &scope);
    json_t *items = json_array();
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        json_t *r;
        pko_rc rc = pko_db_get(pko_req_db(req), e, &scope, pko_req_actor(req),
                               json_string_value(id), &r, err);
        if (rc == PKO_ENOTFOUND) {
            pko_err_clear(err);
            continue;
        }
        if (rc) {
            json_decref(items);
            return rc;
        }
        json_array_append_new(items, r);
    }
    *out = items;
    return PKO_OK;
}

static pko_rc update_reply(pko_req *req, const pko_entity *e, const char *id, json_t *f,
                           int64_t expect, pko_err *err)
{
    pko_tx *tx;
    pko_rc rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (rc)
        return rc;
    rc = pko_tx_update(tx, e, id, f, expect, err);
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    rc = pko_tx_commit(tx, err);
    if (rc)
        return rc;
    json_t *rec;
    rc = pko_db_get(pko_req_db(req), e, &all_scope, pko_req_actor(req), id, &rec, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, rec);
    return PKO_OK;
}

static pko_rc reply_items(pko_req *req, const pko_entity *e, json_t *ids, pko_err *err)
{
    json_t *items;
    pko_rc rc = get_all(req, e, ids, &items, err);
    json_decref(ids);
    if (rc)
        return rc;
    pko_req_reply(req, 200, json_pack("{s:o}", "items", items));
    return PKO_OK;
}

/* ==== Plans ============================================================== */

static pko_rc h_plans_list(pko_req *req, pko_err *err)
{
    const char *cursor;
    int limit;
    pko_rc rc = pko_req_page(req, &cursor, &limit, err);
    if (rc)
        return rc;
    const char *mid = pko_req_query(req, "mission_id");
    if (mid) {
        /* One mission's plans, newest version first. */
        json_t *ids;
        rc = select_ids(pko_req_db(req),
                        "SELECT id FROM cpas_plans WHERE mission_id = ?1 ORDER BY version_no DESC",
                        mid, &ids, err);
        if (rc)
            return rc;
        json_t *items;
        rc = get_all(req, &cpas_entity_plan, ids, &items, err);
        json_decref(ids);
        if (rc)
            return rc;
        pko_req_reply(req, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
        return PKO_OK;
    }
    pko_scope scope;
    pko_req_scope(req, "cpas.read", &scope);
    json_t *items;
    rc = pko_db_list(pko_req_db(req), &cpas_entity_plan, &scope, pko_req_actor(req), cursor,
                     limit, &items, err);
    if (rc)
        return rc;
    size_t n = json_array_size(items);
    json_t *next = n == (size_t)limit
                       ? json_copy(json_object_get(json_array_get(items, n - 1), "id"))
                       : json_null();
    pko_req_reply(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
    return PKO_OK;
}

static pko_rc h_plans_get(pko_req *req, pko_err *err)
{
    json_t *p;
    pko_rc rc = get_visible(req, &cpas_entity_plan, pko_req_param(req, "id"), &p, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, p);
    return PKO_OK;
}

/* The writable fields of a stored record 'rec' (its own id, version and
 * times removed), for inserting a copy. */
static void strip_meta(json_t *rec)
{
    json_object_del(rec, "id");
    json_object_del(rec, "version");
    json_object_del(rec, "created_at");
    json_object_del(rec, "updated_at");
}

/* Copy the nodes and indicators of plan 'from' into plan 'to' within 'tx',
 * mapping node ids. Parents precede children in rowid order (a child
 * needs its parent to exist). */
static pko_rc copy_framework(pko_req *req, pko_tx *tx, const char *from, const char *to,
                             pko_err *err)
{
    pko_db *db = pko_tx_db(tx);
    json_t *ids, *map = json_object();
    pko_rc rc = select_ids(db, "SELECT id FROM cpas_nodes WHERE plan_id = ?1 ORDER BY rowid",
                           from, &ids, err);
    size_t i;
    json_t *oid;
    if (!rc) {
        json_array_foreach(ids, i, oid)
        {
            json_t *n;
            rc = pko_db_get(db, &cpas_entity_node, &all_scope, pko_req_actor(req),
                            json_string_value(oid), &n, err);
            if (rc)
                break;
            strip_meta(n);
            json_object_set_new(n, "plan_id", json_string(to));
            const char *par = json_string_value(json_object_get(n, "parent_id"));
            if (par)
                json_object_set(n, "parent_id", json_object_get(map, par));
            char nid[PKO_ID_LEN];
            rc = pko_tx_insert(tx, &cpas_entity_node, n, nid, err);
            json_decref(n);
            if (rc)
                break;
            json_object_set_new(map, json_string_value(oid), json_string(nid));
        }
        json_decref(ids);
    }
    /* The context analysis: drivers and stakeholders, their node links
     * remapped. */
    static const struct {
        const pko_entity *e;
        const char *sql;
    } ctx[] = {
        {&cpas_entity_driver, "SELECT id FROM cpas_drivers WHERE plan_id = ?1 ORDER BY rowid"},
        {&cpas_entity_stakeholder,
         "SELECT id FROM cpas_stakeholders WHERE plan_id = ?1 ORDER BY rowid"},
    };
    for (size_t c = 0; !rc && c < 2; c++) {
        rc = select_ids(db, ctx[c].sql, from, &ids, err);
        if (rc)
            break;
        json_array_foreach(ids, i, oid)
        {
            json_t *x;
            rc = pko_db_get(db, ctx[c].e, &all_scope, pko_req_actor(req), json_string_value(oid),
                            &x, err);
            if (rc)
                break;
            strip_meta(x);
            json_object_set_new(x, "plan_id", json_string(to));
            json_t *nids = json_object_get(x, "node_ids");
            if (json_is_array(nids)) {
                json_t *mapped = json_array();
                size_t j;
                json_t *nid;
                json_array_foreach(nids, j, nid)
                {
                    json_t *to_id = json_object_get(map, json_string_value(nid));
                    if (to_id)
                        json_array_append(mapped, to_id);
                }
                json_object_set_new(x, "node_ids", mapped);
            }
            char xid[PKO_ID_LEN];
            rc = pko_tx_insert(tx, ctx[c].e, x, xid, err);
            json_decref(x);
            if (rc)
                break;
        }
        json_decref(ids);
    }
    if (!rc)
        rc = select_ids(db, "SELECT id FROM cpas_indicators WHERE plan_id = ?1 ORDER BY rowid",
                        from, &ids, err);
    if (!rc) {
        json_array_foreach(ids, i, oid)
        {
            json_t *x;
            rc = pko_db_get(db, &cpas_entity_indicator, &all_scope, pko_req_actor(req),
                            json_string_value(oid), &x, err);
            if (rc)
                break;
            strip_meta(x);
            json_object_set_new(x, "plan_id", json_string(to));
            json_object_set(x, "node_id",
                            json_object_get(map, json_string_value(json_object_get(x, "node_id"))));
            char xid[PKO_ID_LEN];
            rc = pko_tx_insert(tx, &cpas_entity_indicator, x, xid, err);
            json_decref(x);
            if (rc)
                break;
        }
        json_decref(ids);
    }
    json_decref(map);
    return rc;
}

/* Insert plan 'b' (validated) within 'tx' as a draft with the mission's
 * next version number (read in the same transaction). */
static pko_rc plan_insert(pko_tx *tx, json_t *b, char id[PKO_ID_LEN], pko_err *err)
{
    pko_db *db = pko_tx_db(tx);
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db, "SELECT coalesce(max(version_no), 0) + 1 FROM cpas_plans"
                                   " WHERE mission_id = ?1", &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, json_string_value(json_object_get(b, "mission_id")), -1,
                      SQLITE_TRANSIENT);
    int row;
    rc = pko_db_step(db, s, &row, err);
    int64_t vno = row ? sqlite3_column_int64(s, 0) : 1;
    sqlite3_reset(s);
    if (rc)
        return rc;
    json_object_set_new(b, "version_no", json_integer(vno));
    json_object_set_new(b, "status", json_string("draft"));
    return pko_tx_insert(tx, &cpas_entity_plan, b, id, err);
}

static pko_rc h_plans_create(pko_req *req, pko_err *err)
{
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (!rc)
        rc = cpas_validate_plan(b, err);
    if (!rc)
        rc = check_class(req, b, err);
    if (rc)
        return rc;
    pko_scope ms;
    pko_req_scope(req, "missions.read", &ms);
    json_t *m;
    rc = pko_db_get(pko_req_db(req), &pko_entity_mission, &ms, pko_req_actor(req),
                    json_string_value(json_object_get(b, "mission_id")), &m, err);
    if (rc == PKO_ENOTFOUND) {
        pko_err_clear(err);
        return pko_err_field(err, PKO_EINVAL, "mission_id", "no such mission");
    }
    if (rc)
        return rc;
    rc = pko_req_require(req, "cpas.plan", json_string_value(json_object_get(m, "acronym")), err);
    json_decref(m);
    if (rc)
        return rc;
    const char *mid = json_string_value(json_object_get(b, "mission_id"));
    const char *prev = json_string_value(json_object_get(b, "previous_id"));
    if (prev) {
        json_t *p;
        rc = get_visible(req, &cpas_entity_plan, prev, &p, err);
        if (rc == PKO_ENOTFOUND) {
            pko_err_clear(err);
            return pko_err_field(err, PKO_EINVAL, "previous_id", "no such plan");
        }
        if (rc)
            return rc;
        bool same = !strcmp(json_string_value(json_object_get(p, "mission_id")), mid);
        json_decref(p);
        if (!same)
            return pko_err_field(err, PKO_EINVAL, "previous_id",
                                 "a revision must be of a plan of the same mission");
    }
    /* A revision starts as a copy of the plan it revises: its framework
     * and indicators, in the same transaction as the new plan. */
    pko_db *db = pko_req_db(req);
    pko_tx *tx;
    char id[PKO_ID_LEN];
    rc = pko_tx_begin(db, pko_req_actor(req), &tx, err);
    if (rc)
        return rc;
    rc = plan_insert(tx, b, id, err);
    if (!rc && prev)
        rc = copy_framework(req, tx, prev, id, err);
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    rc = pko_tx_commit(tx, err);
    if (rc)
        return rc;
    json_t *rec;
    rc = pko_db_get(db, &cpas_entity_plan, &all_scope, pko_req_actor(req), id, &rec, err);
    if (rc)
        return rc;
    pko_req_reply(req, 201, rec);
    return PKO_OK;
}

/* ==== Plan skeletons for other modules ==================================== */

/* The framework node 'b' (validated here) under 'parent' (NULL for a
 * priority) of plan 'plan', inserted within 'tx'. */
static pko_rc node_insert(pko_tx *tx, json_t *plan, json_t *b, const char *parent,
                          char id[PKO_ID_LEN], pko_err *err)
{
    pko_rc rc = cpas_validate_node(b, err);
    if (rc)
        return rc;
    json_object_set(b, "mission_id", json_object_get(plan, "mission_id"));
    json_object_set(b, "plan_id", json_object_get(plan, "id"));
    if (parent)
        json_object_set_new(b, "parent_id", json_string(parent));
    return pko_tx_insert(tx, &cpas_entity_node, b, id, err);
}

/* Validate one element of a skeleton's outcomes; fields are named
 * "outcomes[i].<key>". */
static pko_rc skeleton_item(json_t *o, size_t i, pko_err *err)
{
    static const char *const known[] = {"priority", "outcome", "mandated_task", "a4p", NULL};
    char f[PKO_ERR_FIELD_MAX];
    if (!json_is_object(o)) {
        snprintf(f, sizeof(f), "outcomes[%zu]", i);
        return pko_err_field(err, PKO_EINVAL, f,
                             "outcomes[%zu] must be an object {priority, outcome, mandated_task}",
                             i);
    }
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        bool ok = false;
        for (size_t j = 0; known[j]; j++)
            ok = ok || !strcmp(k, known[j]);
        if (!ok) {
            snprintf(f, sizeof(f), "outcomes[%zu].%.40s", i, k);
            return pko_err_field(err, PKO_EINVAL, f, "%.64s is not a field of a skeleton outcome",
                                 k);
        }
    }
    static const char *const req_keys[] = {"priority", "outcome"};
    for (size_t j = 0; j < 2; j++) {
        const char *t = json_string_value(json_object_get(o, req_keys[j]));
        if (!t || !*t) {
            snprintf(f, sizeof(f), "outcomes[%zu].%s", i, req_keys[j]);
            return pko_err_field(err, PKO_EINVAL, f, "outcomes[%zu].%s is required (a title)", i,
                                 req_keys[j]);
        }
    }
    return PKO_OK;
}

/* Re-name the field of a node validation error as outcomes[i].<field>. */
static pko_rc skeleton_field(pko_rc rc, size_t i, const char *as, pko_err *err)
{
    if (rc == PKO_EINVAL && err) {
        char f[PKO_ERR_FIELD_MAX];
        const char *k = !strcmp(err->field, "title") ? as : err->field;
        snprintf(f, sizeof(f), "outcomes[%zu].%.40s", i, k);
        snprintf(err->field, sizeof(err->field), "%s", f);
    }
    return rc;
}

pko_rc cpas_plan_skeleton(pko_tx *tx, const pko_principal *who, const char *mission_id,
                          const char *period_start, const char *period_end, const char *context,
                          json_t *outcomes, json_t **plan_out, pko_err *err)
{
    *plan_out = NULL;
    if (outcomes && !json_is_null(outcomes) && !json_is_array(outcomes))
        return pko_err_field(err, PKO_EINVAL, "outcomes", "outcomes must be an array");
    pko_db *db = pko_tx_db(tx);
    /* The mission, by id, and the caller's right to plan for it. */
    char acronym[64] = "";
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db, "SELECT acronym FROM missions WHERE id = ?1", &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, mission_id ? mission_id : "", -1, SQLITE_TRANSIENT);
    int row;
    rc = pko_db_step(db, s, &row, err);
    if (!rc && row)
        snprintf(acronym, sizeof(acronym), "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    if (rc)
        return rc;
    if (!*acronym)
        return pko_err_field(err, PKO_EINVAL, "mission_id", "no such mission");
    if (who && !pko_principal_has_roles(who, cpas_perms[1].roles, acronym))
        return pko_err_set(err, PKO_EFORBIDDEN, "drafting a plan for %s needs cpas.plan there",
                           acronym);
    /* The plan, validated as POST /plans validates it. */
    char title[160];
    snprintf(title, sizeof(title), "%s plan %s to %s", acronym, period_start ? period_start : "?",
             period_end ? period_end : "?");
    json_t *b = json_pack("{s:s, s:s}", "mission_id", mission_id, "title", title);
    if (period_start)
        json_object_set_new(b, "period_start", json_string(period_start));
    if (period_end)
        json_object_set_new(b, "period_end", json_string(period_end));
    if (context)
        json_object_set_new(b, "context", json_string(context));
    rc = cpas_validate_plan(b, err);
    size_t i;
    json_t *o;
    json_array_foreach(outcomes, i, o)
    {
        if (!rc)
            rc = skeleton_item(o, i, err);
    }
    char pid[PKO_ID_LEN];
    if (!rc)
        rc = plan_insert(tx, b, pid, err);
    json_decref(b);
    json_t *plan = NULL;
    pko_actor actor = {who ? who->user_id : "system", "cpas"};
    if (!rc)
        rc = pko_db_get(db, &cpas_entity_plan, &all_scope, &actor, pid, &plan, err);
    if (rc)
        return rc;
    /* One priority per distinct priority title (in order of first
     * appearance), one outcome per element under it. */
    json_t *prios = json_array(), *by_title = json_object();
    json_array_foreach(outcomes, i, o)
    {
        const char *pt = json_string_value(json_object_get(o, "priority"));
        json_t *a4p = json_object_get(o, "a4p");
        json_t *mt = json_object_get(o, "mandated_task");
        json_t *pn = json_object_get(by_title, pt);
        char nid[PKO_ID_LEN];
        if (!pn) {
            json_t *nb = json_pack("{s:s, s:s}", "level", "priority", "title", pt);
            if (mt)
                json_object_set(nb, "mandated_task", mt);
            if (a4p)
                json_object_set(nb, "a4p", a4p);
            rc = skeleton_field(node_insert(tx, plan, nb, NULL, nid, err), i, "priority", err);
            json_decref(nb);
            if (rc)
                break;
            rc = pko_db_get(db, &cpas_entity_node, &all_scope, &actor, nid, &pn, err);
            if (rc)
                break;
            json_object_set_new(pn, "children", json_array());
            json_object_set_new(pn, "indicators", json_array());
            json_array_append_new(prios, pn);
            json_object_set(by_title, pt, pn);
        }
        json_t *ob = json_pack("{s:s, s:s}", "level", "outcome", "title",
                               json_string_value(json_object_get(o, "outcome")));
        if (mt)
            json_object_set(ob, "mandated_task", mt);
        if (a4p)
            json_object_set(ob, "a4p", a4p);
        rc = skeleton_field(node_insert(tx, plan, ob, json_string_value(json_object_get(pn, "id")),
                                        nid, err),
                            i, "outcome", err);
        json_decref(ob);
        if (rc)
            break;
        json_t *on;
        rc = pko_db_get(db, &cpas_entity_node, &all_scope, &actor, nid, &on, err);
        if (rc)
            break;
        json_object_set_new(on, "children", json_array());
        json_object_set_new(on, "indicators", json_array());
        json_array_append_new(json_object_get(pn, "children"), on);
    }
    json_decref(by_title);
    if (rc) {
        json_decref(prios);
        json_decref(plan);
        return rc;
    }
    json_object_set_new(plan, "priorities", prios);
    *plan_out = plan;
    return PKO_OK;
}

static pko_rc h_plans_skeleton(pko_req *req, pko_err *err)
{
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    static const char *const known[] = {"mission_id", "period_start", "period_end", "context",
                                        "outcomes", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v)
    {
        bool ok = false;
        for (size_t j = 0; known[j]; j++)
            ok = ok || !strcmp(k, known[j]);
        if (!ok)
            return pko_err_field(err, PKO_EINVAL, k, "%.64s is not a field of a plan skeleton", k);
    }
    static const char *const texts[] = {"mission_id", "period_start", "period_end", "context"};
    for (size_t j = 0; j < 4; j++) {
        json_t *t = json_object_get(b, texts[j]);
        if (t && !json_is_string(t) && !json_is_null(t))
            return pko_err_field(err, PKO_EINVAL, texts[j], "%s must be text", texts[j]);
    }
    pko_tx *tx;
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (rc)
        return rc;
    json_t *out;
    rc = cpas_plan_skeleton(tx, pko_req_user(req),
                            json_string_value(json_object_get(b, "mission_id")),
                            json_string_value(json_object_get(b, "period_start")),
                            json_string_value(json_object_get(b, "period_end")),
                            json_string_value(json_object_get(b, "context")),
                            json_object_get(b, "outcomes"), &out, err);
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    rc = pko_tx_commit(tx, err);
    if (rc) {
        json_decref(out);
        return rc;
    }
    pko_req_reply(req, 201, out);
    return PKO_OK;
}

/* Approve a draft plan; the mission's plan approved before it becomes
 * superseded, in the same transaction. */
static pko_rc h_plans_approve(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *p;
    pko_rc rc = get_visible(req, &cpas_entity_plan, id, &p, err);
    if (rc)
        return rc;
    rc = require_for(req, "cpas.approve", p, err);
    bool draft = !strcmp(json_string_value(json_object_get(p, "status")), "draft");
    char mid[PKO_ID_LEN + 8];
    snprintf(mid, sizeof(mid), "%s", json_string_value(json_object_get(p, "mission_id")));
    json_decref(p);
    if (rc)
        return rc;
    if (!draft)
        return pko_err_field(err, PKO_ECONFLICT, "status", "only a draft plan can be approved");
    json_t *old;
    rc = select_ids(pko_req_db(req),
                    "SELECT id FROM cpas_plans WHERE mission_id = ?1 AND status = 'approved'",
                    mid, &old, err);
    if (rc)
        return rc;
    pko_tx *tx;
    rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    if (rc) {
        json_decref(old);
        return rc;
    }
    size_t i;
    json_t *oid;
    json_array_foreach(old, i, oid)
    {
        json_t *f = json_pack("{s:s}", "status", "superseded");
        rc = pko_tx_update(tx, &cpas_entity_plan, json_string_value(oid), f, 0, err);
        json_decref(f);
        if (rc)
            break;
    }
    json_decref(old);
    if (!rc) {
        json_t *f = json_pack("{s:s, s:s}", "status", "approved", "approved_by",
                              pko_req_user(req)->user_id);
        rc = pko_tx_update(tx, &cpas_entity_plan, id, f, 0, err);
        json_decref(f);
    }
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    rc = pko_tx_commit(tx, err);
    if (rc)
        return rc;
    json_t *rec;
    rc = pko_db_get(pko_req_db(req), &cpas_entity_plan, &all_scope, pko_req_actor(req), id, &rec,
                    err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, rec);
    return PKO_OK;
}

/* ==== Framework ========================================================== */

static pko_rc h_framework_get(pko_req *req, pko_err *err)
{
    const char *pid = pko_req_param(req, "id");
    json_t *p;
    pko_rc rc = get_visible(req, &cpas_entity_plan, pid, &p, err);
    if (rc)
        return rc;
    json_t *ids, *nodes, *iids, *inds;
    rc = select_ids(pko_req_db(req), "SELECT id FROM cpas_nodes WHERE plan_id = ?1 ORDER BY rowid",
                    pid, &ids, err);
    if (!rc) {
        rc = get_all(req, &cpas_entity_node, ids, &nodes, err);
        json_decref(ids);
    }
    if (rc) {
        json_decref(p);
        return rc;
    }
    rc = select_ids(pko_req_db(req),
                    "SELECT id FROM cpas_indicators WHERE plan_id = ?1 ORDER BY rowid", pid, &iids,
                    err);
    if (!rc) {
        rc = get_all(req, &cpas_entity_indicator, iids, &inds, err);
        json_decref(iids);
    }
    if (rc) {
        json_decref(p);
        json_decref(nodes);
        return rc;
    }
    /* Build the tree: children and indicators under each node. */
    size_t i, j;
    json_t *n, *x;
    json_array_foreach(nodes, i, n)
    {
        json_object_set_new(n, "children", json_array());
        json_t *mine = json_array();
        json_array_foreach(inds, j, x)
        {
            if (json_equal(json_object_get(x, "node_id"), json_object_get(n, "id")))
                json_array_append_new(mine, json_pack("{s:O, s:O, s:O}", "id",
                                                      json_object_get(x, "id"), "name",
                                                      json_object_get(x, "name"), "code",
                                                      json_object_get(x, "code")));
        }
        json_object_set_new(n, "indicators", mine);
    }
    json_t *roots = json_array();
    json_array_foreach(nodes, i, n)
    {
        json_t *par = json_object_get(n, "parent_id");
        bool placed = false;
        if (json_is_string(par)) {
            json_array_foreach(nodes, j, x)
            {
                if (!placed && json_equal(json_object_get(x, "id"), par)) {
                    json_array_append(json_object_get(x, "children"), n);
                    placed = true;
                }
            }
        }
        if (!placed)
            json_array_append(roots, n);
    }
    json_decref(nodes);
    json_decref(inds);
    pko_req_reply(req, 200, json_pack("{s:o, s:o}", "plan", p, "priorities", roots));
    return PKO_OK;
}

static pko_rc h_framework_add(pko_req *req, pko_err *err)
{
    const char *pid = pko_req_param(req, "id");
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    json_t *p;
    rc = get_visible(req, &cpas_entity_plan, pid, &p, err);
    if (rc)
        return rc;
    rc = require_for(req, "cpas.plan", p, err);
    if (!rc && strcmp(json_string_value(json_object_get(p, "status")), "draft"))
        rc = pko_err_set(err, PKO_ECONFLICT,
                         "the plan is %s; revise it (a new plan with previous_id) to change it",
                         json_string_value(json_object_get(p, "status")));
    if (!rc)
        rc = cpas_validate_node(b, err);
    if (!rc)
        rc = check_class(req, b, err);
    if (rc) {
        json_decref(p);
        return rc;
    }
    const char *level = json_string_value(json_object_get(b, "level"));
    const char *parent = json_string_value(json_object_get(b, "parent_id"));
    const char *want = !strcmp(level, "outcome") ? "priority"
                       : !strcmp(level, "output") ? "outcome"
                                                  : NULL;
    if (!want && parent)
        rc = pko_err_field(err, PKO_EINVAL, "parent_id", "a mandate priority has no parent");
    else if (want && !parent)
        rc = pko_err_field(err, PKO_EINVAL, "parent_id", "an %s needs a parent %s", level, want);
    else if (want) {
        json_t *par;
        rc = get_visible(req, &cpas_entity_node, parent, &par, err);
        if (rc == PKO_ENOTFOUND) {
            pko_err_clear(err);
            rc = pko_err_field(err, PKO_EINVAL, "parent_id", "no such node");
        } else if (!rc) {
            if (!json_equal(json_object_get(par, "plan_id"), json_object_get(p, "id")))
                rc = pko_err_field(err, PKO_EINVAL, "parent_id", "the parent is in another plan");
            else if (strcmp(json_string_value(json_object_get(par, "level")), want))
                rc = pko_err_field(err, PKO_EINVAL, "parent_id", "the parent of an %s must be a %s",
                                   level, want);
            json_decref(par);
        }
    }
    if (!rc) {
        json_object_set(b, "mission_id", json_object_get(p, "mission_id"));
        json_object_set_new(b, "plan_id", json_string(pid));
    }
    json_decref(p);
    if (rc)
        return rc;
    return insert_reply(req, &cpas_entity_node, b, err);
}

/* ==== Context analysis: conflict drivers and stakeholders ============== */

/* Every id of 'node_ids' is a node of plan 'pid'. */
static pko_rc check_node_ids(pko_req *req, json_t *b, const char *pid, pko_err *err)
{
    json_t *a = json_object_get(b, "node_ids");
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x)
    {
        json_t *n;
        pko_rc rc = get_visible(req, &cpas_entity_node, json_string_value(x), &n, err);
        if (rc == PKO_ENOTFOUND) {
            pko_err_clear(err);
            return pko_err_field(err, PKO_EINVAL, "node_ids", "no framework node %.40s",
                                 json_string_value(x));
        }
        if (rc)
            return rc;
        bool same = !strcmp(json_string_value(json_object_get(n, "plan_id")), pid);
        json_decref(n);
        if (!same)
            return pko_err_field(err, PKO_EINVAL, "node_ids",
                                 "node %.40s is in another plan", json_string_value(x));
    }
    return PKO_OK;
}

/* POST /plans/{id}/drivers and /plans/{id}/stakeholders. */
static pko_rc ctx_create(pko_req *req, const pko_entity *e, pko_err *err)
{
    const char *pid = pko_req_param(req, "id");
    json_t *b, *p;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    rc = get_visible(req, &cpas_entity_plan, pid, &p, err);
    if (rc)
        return rc;
    rc = require_for(req, "cpas.plan", p, err);
    if (!rc && strcmp(json_string_value(json_object_get(p, "status")), "draft"))
        rc = pko_err_set(err, PKO_ECONFLICT,
                         "the plan is %s; revise it (a new plan with previous_id) to change its "
                         "context analysis", json_string_value(json_object_get(p, "status")));
    if (!rc)
        rc = e == &cpas_entity_driver ? cpas_validate_driver(b, true, err)
                                      : cpas_validate_stakeholder(b, true, err);
    if (!rc)
        rc = check_class(req, b, err);
    if (!rc)
        rc = check_node_ids(req, b, pid, err);
    if (!rc) {
        json_object_set(b, "mission_id", json_object_get(p, "mission_id"));
        json_object_set_new(b, "plan_id", json_string(pid));
    }
    json_decref(p);
    if (rc)
        return rc;
    return insert_reply(req, e, b, err);
}

static pko_rc h_driver_create(pko_req *req, pko_err *err)
{
    return ctx_create(req, &cpas_entity_driver, err);
}

static pko_rc h_stakeholder_create(pko_req *req, pko_err *err)
{
    return ctx_create(req, &cpas_entity_stakeholder, err);
}

/* The record {id} of 'e' and its plan, which must be a draft the caller
 * may plan for. */
static pko_rc ctx_editable(pko_req *req, const pko_entity *e, json_t **rec, json_t **plan,
                           pko_err *err)
{
    pko_rc rc = get_visible(req, e, pko_req_param(req, "id"), rec, err);
    if (rc)
        return rc;
    rc = get_visible(req, &cpas_entity_plan, json_string_value(json_object_get(*rec, "plan_id")),
                     plan, err);
    if (!rc) {
        rc = require_for(req, "cpas.plan", *plan, err);
        if (!rc && strcmp(json_string_value(json_object_get(*plan, "status")), "draft"))
            rc = pko_err_set(err, PKO_ECONFLICT,
                             "the plan is %s; revise it to change its context analysis",
                             json_string_value(json_object_get(*plan, "status")));
        if (rc)
            json_decref(*plan);
    }
    if (rc)
        json_decref(*rec);
    return rc;
}

static pko_rc ctx_update(pko_req *req, const pko_entity *e, pko_err *err)
{
    json_t *b, *rec, *p;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    json_t *ver = json_object_get(b, "version");
    if (ver && !json_is_integer(ver))
        return pko_err_field(err, PKO_EINVAL, "version", "version must be an integer");
    json_t *f = json_deep_copy(b);
    json_object_del(f, "version");
    rc = e == &cpas_entity_driver ? cpas_validate_driver(f, false, err)
                                  : cpas_validate_stakeholder(f, false, err);
    if (!rc && json_object_get(f, "classification"))
        rc = pko_err_field(err, PKO_EINVAL, "classification",
                           "the classification is set when the record is created");
    if (!rc)
        rc = ctx_editable(req, e, &rec, &p, err);
    if (rc) {
        json_decref(f);
        return rc;
    }
    rc = check_node_ids(req, f, json_string_value(json_object_get(p, "id")), err);
    char id[PKO_ID_LEN];
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(rec, "id")));
    json_decref(rec);
    json_decref(p);
    if (!rc)
        rc = update_reply(req, e, id, f, ver ? json_integer_value(ver) : 0, err);
    json_decref(f);
    return rc;
}

static pko_rc h_driver_update(pko_req *req, pko_err *err)
{
    return ctx_update(req, &cpas_entity_driver, err);
}

static pko_rc h_stakeholder_update(pko_req *req, pko_err *err)
{
    return ctx_update(req, &cpas_entity_stakeholder, err);
}

static pko_rc ctx_delete(pko_req *req, const pko_entity *e, pko_err *err)
{
    json_t *rec, *p;
    pko_rc rc = ctx_editable(req, e, &rec, &p, err);
    if (rc)
        return rc;
    char id[PKO_ID_LEN];
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(rec, "id")));
    json_decref(rec);
    json_decref(p);
    rc = pko_db_delete(pko_req_db(req), pko_req_actor(req), e, id, err);
    if (rc)
        return rc;
    pko_req_reply(req, 204, json_null());
    return PKO_OK;
}

static pko_rc h_driver_delete(pko_req *req, pko_err *err)
{
    return ctx_delete(req, &cpas_entity_driver, err);
}

static pko_rc h_stakeholder_delete(pko_req *req, pko_err *err)
{
    return ctx_delete(req, &cpas_entity_stakeholder, err);
}

/* GET /plans/{id}/context: the context text, the drivers and the
 * stakeholders (with counts by attitude and influence). */
static pko_rc h_context_get(pko_req *req, pko_err *err)
{
    const char *pid = pko_req_param(req, "id");
    json_t *p, *ids, *drivers = NULL, *stk = NULL;
    pko_rc rc = get_visible(req, &cpas_entity_plan, pid, &p, err);
    if (rc)
        return rc;
    rc = select_ids(pko_req_db(req), "SELECT id FROM cpas_drivers WHERE plan_id = ?1 ORDER BY rowid",
                    pid, &ids, err);
    if (!rc) {
        rc = get_all(req, &cpas_entity_driver, ids, &drivers, err);
        json_decref(ids);
    }
    if (!rc)
        rc = select_ids(pko_req_db(req),
                        "SELECT id FROM cpas_stakeholders WHERE plan_id = ?1 ORDER BY rowid", pid,
                        &ids, err);
    if (!rc) {
        rc = get_all(req, &cpas_entity_stakeholder, ids, &stk, err);
        json_decref(ids);
    }
    if (rc) {
        json_decref(p);
        json_decref(drivers);
        return rc;
    }
    /* The stakeholder map: influence x attitude counts. */
    json_t *grid = json_object();
    for (size_t i = 0; cpas_influence_levels[i]; i++) {
        json_t *row = json_object();
        for (size_t j = 0; cpas_attitudes[j]; j++)
            json_object_set_new(row, cpas_attitudes[j], json_integer(0));
        json_object_set_new(grid, cpas_influence_levels[i], row);
    }
    size_t i;
    json_t *x;
    json_array_foreach(stk, i, x)
    {
        json_t *c = json_object_get(
            json_object_get(grid, json_string_value(json_object_get(x, "influence"))),
            json_string_value(json_object_get(x, "attitude")));
        if (c)
            json_integer_set(c, json_integer_value(c) + 1);
    }
    pko_req_reply(req, 200,
                  json_pack("{s:O, s:O, s:o, s:o, s:o}", "plan_id", json_object_get(p, "id"),
                            "context", json_object_get(p, "context"), "drivers", drivers,
                            "stakeholders", stk, "map", grid));
    json_decref(p);
    return PKO_OK;
}

/* ==== Indicators ========================================================= */

/* ---- Formulas among indicators: references and cycles ---------------- */

typedef struct fnode {
    char id[PKO_ID_LEN];
    char code[CPAS_CODE_MAX + 1];
    bool quant;
    int freq;
    int nrefs;
    char refs[2 * CPAS_EXPR_REFS][CPAS_CODE_MAX + 1];
    int color; /* 0 white, 1 on the path, 2 done */
} fnode;

static void formula_refs(json_t *computed, fnode *n)
{
    n->nrefs = 0;
    const char *src = json_string_value(json_object_get(computed, "source"));
    if (!src || strcmp(src, "formula"))
        return;
    static const char *const sides[] = {"numerator", "denominator"};
    for (int s = 0; s < 2; s++) {
        cpas_expr e;
        const char *t = json_string_value(json_object_get(computed, sides[s]));
        if (!t || cpas_expr_parse(t, &e, NULL))
            continue;
        for (int r = 0; r < e.n_refs; r++) {
            bool dup = false;
            for (int k = 0; k < n->nrefs; k++)
                dup = dup || !strcmp(n->refs[k], e.refs[r]);
            if (!dup && n->nrefs < 2 * CPAS_EXPR_REFS)
                snprintf(n->refs[n->nrefs++], CPAS_CODE_MAX + 1, "%s", e.refs[r]);
        }
    }
}

static void fnode_fill(fnode *n, const char *id, json_t *ind)
{
    memset(n, 0, sizeof(*n));
    snprintf(n->id, sizeof(n->id), "%s", id ? id : "");
    const char *c = json_string_value(json_object_get(ind, "code"));
    snprintf(n->code, sizeof(n->code), "%s", c ? c : "");
    const char *k = json_string_value(json_object_get(ind, "kind"));
    n->quant = k && !strcmp(k, "quantitative");
    n->freq = cpas_freq_parse(json_string_value(json_object_get(ind, "frequency")));
    formula_refs(json_object_get(ind, "computed"), n);
}

static int fnode_find(fnode *g, size_t n, const char *code)
{
    for (size_t i = 0; code && *code && i < n; i++)
        if (!strcmp(g[i].code, code))
            return (int)i;
    return -1;
}

/* Depth-first from 'at'; on reaching a node on the path, write the cycle
 * "I{a} -> I{b} -> I{a}" into 'msg'. */
static bool find_cycle(fnode *g, size_t n, int at, int *path, int depth, char *msg, size_t cap)
{
    g[at].color = 1;
    path[depth] = at;
    for (int r = 0; r < g[at].nrefs; r++) {
        int j = fnode_find(g, n, g[at].refs[r]);
        if (j < 0)
            continue;
        if (g[j].color == 1) {
            size_t off = 0;
            int start = 0;
            while (path[start] != j)
                start++;
            for (int k = start; k <= depth && off < cap; k++)
                off += (size_t)snprintf(msg + off, cap - off, "I{%s} -> ", g[path[k]].code);
            if (off < cap)
                snprintf(msg + off, cap - off, "I{%s}", g[j].code);
            return true;
        }
        if (g[j].color == 0 && find_cycle(g, n, j, path, depth + 1, msg, cap))
            return true;
    }
    g[at].color = 2;
    return false;
}

/* The plan's formulas once the indicators 'mine' (objects with their
 * fields; "id" for stored ones being changed, none for new ones) are in
 * place: every I{code} names a quantitative indicator of the plan with the
 * formula's frequency, codes are unique, and no formula depends on itself
 * through others. Errors have field 'field' and name the indicator,
 * the reference or the cycle. */
static pko_rc check_formulas(pko_db *db, const char *pid, json_t *mine, const char *field,
                             pko_err *err)
{
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db,
                               "SELECT id, code, kind, frequency, computed FROM cpas_indicators"
                               " WHERE plan_id = ?1 ORDER BY rowid",
                               &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, pid, -1, SQLITE_TRANSIENT);
    size_t n = 0, cap = 64 + json_array_size(mine);
    fnode *g = calloc(cap, sizeof(*g));
    if (!g) {
        sqlite3_reset(s);
        return pko_err_set(err, PKO_ENOMEM, "out of memory");
    }
    int row;
    while (!(rc = pko_db_step(db, s, &row, err)) && row) {
        if (n == cap) {
            fnode *x = realloc(g, cap * 2 * sizeof(*g));
            if (!x) {
                rc = pko_err_set(err, PKO_ENOMEM, "out of memory");
                break;
            }
            g = x;
            cap *= 2;
        }
        const char *cj = (const char *)sqlite3_column_text(s, 4);
        json_t *ind = json_pack("{s:s?, s:s?, s:s?}", "code",
                                (const char *)sqlite3_column_text(s, 1), "kind",
                                (const char *)sqlite3_column_text(s, 2), "frequency",
                                (const char *)sqlite3_column_text(s, 3));
        if (cj)
            json_object_set_new(ind, "computed", json_loads(cj, 0, NULL));
        fnode_fill(&g[n++], (const char *)sqlite3_column_text(s, 0), ind);
        json_decref(ind);
    }
    sqlite3_reset(s);
    size_t i;
    json_t *m;
    int *self = calloc(json_array_size(mine) + 1, sizeof(int));
    if (!rc && !self)
        rc = pko_err_set(err, PKO_ENOMEM, "out of memory");
    json_array_foreach(mine, i, m)
    {
        if (rc)
            break;
        const char *id = json_string_value(json_object_get(m, "id"));
        int at = -1;
        for (size_t k = 0; id && k < n; k++)
            if (!strcmp(g[k].id, id))
                at = (int)k;
        if (at < 0) {
            if (n == cap) {
                fnode *x = realloc(g, (cap + json_array_size(mine)) * sizeof(*g));
                if (!x) {
                    rc = pko_err_set(err, PKO_ENOMEM, "out of memory");
                    break;
                }
                g = x;
                cap += json_array_size(mine);
            }
            at = (int)n++;
        }
        fnode_fill(&g[at], id, m);
        self[i] = at;
    }
    /* Codes unique; references resolve to quantitative indicators of the
     * same frequency. */
    for (size_t a = 0; !rc && a < json_array_size(mine); a++) {
        fnode *x = &g[self[a]];
        int other = fnode_find(g, n, x->code);
        if (x->code[0] && other != self[a])
            rc = pko_err_field(err, PKO_EINVAL, "code",
                               "another indicator of the plan has the code %s", x->code);
        for (int r = 0; !rc && r < x->nrefs; r++) {
            int j = fnode_find(g, n, x->refs[r]);
            if (j < 0)
                rc = pko_err_field(err, PKO_EINVAL, field,
                                   "computed refers to an unknown indicator I{%s}: no indicator "
                                   "of the plan has that code", x->refs[r]);
            else if (!g[j].quant)
                rc = pko_err_field(err, PKO_EINVAL, field,
                                   "computed refers to I{%s}, which is qualitative", x->refs[r]);
            else if (g[j].freq != x->freq)
                rc = pko_err_field(err, PKO_EINVAL, field,
                                   "computed refers to I{%s}, which is %s; a formula's indicators "
                                   "must be %s like it", x->refs[r],
                                   cpas_freq_name((cpas_freq)(g[j].freq < 0 ? 0 : g[j].freq)),
                                   cpas_freq_name((cpas_freq)(x->freq < 0 ? 0 : x->freq)));
        }
    }
    /* No cycle: the plan was acyclic before, so a new cycle goes through
     * one of 'mine'. */
    int *path = calloc(n + 1, sizeof(int));
    if (!rc && !path)
        rc = pko_err_set(err, PKO_ENOMEM, "out of memory");
    for (size_t a = 0; !rc && a < json_array_size(mine); a++) {
        for (size_t k = 0; k < n; k++)
            g[k].color = 0;
        char msg[400];
        if (find_cycle(g, n, self[a], path, 0, msg, sizeof(msg)))
            rc = pko_err_field(err, PKO_EINVAL, field,
                               "a cycle among computed indicators: %s", msg);
    }
    free(path);
    free(self);
    free(g);
    return rc;
}

static pko_rc h_ind_create(pko_req *req, pko_err *err)
{
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    json_t *node;
    const char *nid = json_string_value(json_object_get(b, "node_id"));
    if (!nid)
        return pko_err_field(err, PKO_EINVAL, "node_id", "node_id is required");
    rc = get_visible(req, &cpas_entity_node, nid, &node, err);
    if (rc == PKO_ENOTFOUND) {
        pko_err_clear(err);
        return pko_err_field(err, PKO_EINVAL, "node_id", "no such framework node");
    }
    if (rc)
        return rc;
    json_t *p;
    rc = get_visible(req, &cpas_entity_plan, json_string_value(json_object_get(node, "plan_id")),
                     &p, err);
    if (rc) {
        json_decref(node);
        return rc;
    }
    rc = require_for(req, "cpas.plan", p, err);
    if (!rc && strcmp(json_string_value(json_object_get(p, "status")), "draft"))
        rc = pko_err_set(err, PKO_ECONFLICT, "indicators are defined while the plan is a draft");
    if (!rc && !strcmp(json_string_value(json_object_get(node, "level")), "priority"))
        rc = pko_err_field(err, PKO_EINVAL, "node_id",
                           "indicators attach to an outcome or an output, not a priority");
    int pf, pl;
    plan_months(p, &pf, &pl);
    if (!rc)
        rc = cpas_validate_indicator(b, pf, pl, err);
    if (!rc)
        rc = check_class(req, b, err);
    if (!rc) {
        json_t *mine = json_pack("[O]", b);
        rc = check_formulas(pko_req_db(req), json_string_value(json_object_get(p, "id")), mine,
                            "computed", err);
        json_decref(mine);
    }
    if (!rc) {
        json_object_set(b, "mission_id", json_object_get(p, "mission_id"));
        json_object_set(b, "plan_id", json_object_get(p, "id"));
    }
    json_decref(p);
    json_decref(node);
    if (rc)
        return rc;
    return insert_reply(req, &cpas_entity_indicator, b, err);
}

/* Change an indicator of a draft plan: its definition, targets,
 * thresholds, weight or formula (not its node, kind, code, frequency or
 * dimensions). The whole indicator is validated again, and the plan's
 * formulas checked for unknown references and cycles. */
static pko_rc h_ind_update(pko_req *req, pko_err *err)
{
    const char *iid = pko_req_param(req, "id");
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    static const char *const allowed[] = {"name", "unit", "direction", "baseline_value",
                                          "baseline_period", "targets", "data_source",
                                          "component", "on_track", "at_risk", "weight",
                                          "computed", "version", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v)
    {
        bool ok = false;
        for (size_t j = 0; allowed[j]; j++)
            ok = ok || !strcmp(k, allowed[j]);
        if (!ok)
            return pko_err_field(err, PKO_EINVAL, k,
                                 "%.64s cannot be changed on an indicator (name, unit, direction, "
                                 "baseline_value, baseline_period, targets, data_source, "
                                 "component, on_track, at_risk, weight, computed)", k);
    }
    json_t *ver = json_object_get(b, "version");
    if (ver && !json_is_integer(ver))
        return pko_err_field(err, PKO_EINVAL, "version", "version must be an integer");
    json_t *ind, *p;
    rc = get_visible(req, &cpas_entity_indicator, iid, &ind, err);
    if (rc)
        return rc;
    rc = get_visible(req, &cpas_entity_plan, json_string_value(json_object_get(ind, "plan_id")),
                     &p, err);
    if (rc) {
        json_decref(ind);
        return rc;
    }
    rc = require_for(req, "cpas.plan", p, err);
    if (!rc && strcmp(json_string_value(json_object_get(p, "status")), "draft"))
        rc = pko_err_set(err, PKO_ECONFLICT, "indicators are changed while the plan is a draft");
    int pf, pl;
    plan_months(p, &pf, &pl);
    json_t *merged = json_deep_copy(ind);
    strip_meta(merged);
    json_object_del(merged, "mission_id");
    json_object_del(merged, "plan_id");
    json_object_del(merged, "classification");
    json_object_foreach(b, k, v)
    {
        if (strcmp(k, "version"))
            json_object_set(merged, k, v);
    }
    if (!rc)
        rc = cpas_validate_indicator(merged, pf, pl, err);
    if (!rc) {
        json_object_set_new(merged, "id", json_string(iid));
        json_t *mine = json_pack("[O]", merged);
        rc = check_formulas(pko_req_db(req), json_string_value(json_object_get(p, "id")), mine,
                            "computed", err);
        json_decref(mine);
    }
    json_decref(merged);
    json_decref(p);
    json_decref(ind);
    if (rc)
        return rc;
    json_t *f = json_deep_copy(b);
    json_object_del(f, "version");
    rc = update_reply(req, &cpas_entity_indicator, iid, f, ver ? json_integer_value(ver) : 0, err);
    json_decref(f);
    return rc;
}

static pko_rc h_ind_list(pko_req *req, pko_err *err)
{
    const char *pid = pko_req_query(req, "plan_id");
    if (!pid)
        return pko_err_field(err, PKO_EINVAL, "plan_id", "plan_id is required");
    json_t *p, *ids;
    pko_rc rc = get_visible(req, &cpas_entity_plan, pid, &p, err);
    if (rc)
        return rc;
    json_decref(p);
    rc = select_ids(pko_req_db(req),
                    "SELECT id FROM cpas_indicators WHERE plan_id = ?1 ORDER BY rowid", pid, &ids,
                    err);
    if (rc)
        return rc;
    return reply_items(req, &cpas_entity_indicator, ids, err);
}

static pko_rc h_ind_get(pko_req *req, pko_err *err)
{
    json_t *x;
    pko_rc rc = get_visible(req, &cpas_entity_indicator, pko_req_param(req, "id"), &x, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, x);
    return PKO_OK;
}

/* ==== Data points ======================================================== */

/* The indicator 'iid' and its plan as the caller sees them. */
static pko_rc ind_and_plan(pko_req *req, const char *iid, json_t **ind, json_t **plan,
                           pko_err *err)
{
    pko_rc rc = get_visible(req, &cpas_entity_indicator, iid, ind, err);
    if (rc)
        return rc;
    rc = get_visible(req, &cpas_entity_plan, json_string_value(json_object_get(*ind, "plan_id")),
                     plan, err);
    if (rc)
        json_decref(*ind);
    return rc;
}

static pko_rc h_dp_create(pko_req *req, pko_err *err)
{
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    json_t *ind, *p;
    rc = ind_and_plan(req, pko_req_param(req, "id"), &ind, &p, err);
    if (rc)
        return rc;
    rc = require_for(req, "cpas.data", p, err);
    if (!rc && json_is_object(json_object_get(ind, "computed")))
        rc = pko_err_set(err, PKO_ECONFLICT,
                         "the indicator is computed from the incidents module; it takes no "
                         "entered data");
    int pf, pl;
    plan_months(p, &pf, &pl);
    json_t *dis = json_object_get(ind, "disaggregations");
    json_t *empty = json_array();
    if (!rc)
        rc = cpas_validate_datapoint(
            b, !strcmp(json_string_value(json_object_get(ind, "kind")), "qualitative"),
            json_is_array(dis) ? dis : empty, pf, pl, err);
    json_decref(empty);
    if (!rc)
        rc = check_class(req, b, err);
    if (!rc) {
        json_t *d = json_object_get(b, "disaggregation");
        if (!json_is_object(d)) {
            json_object_set_new(b, "disaggregation", json_object());
            d = json_object_get(b, "disaggregation");
        }
        char *key = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
        json_object_set_new(b, "disagg_key", json_string(key ? key : "{}"));
        free(key);
        json_object_set(b, "mission_id", json_object_get(ind, "mission_id"));
        json_object_set(b, "indicator_id", json_object_get(ind, "id"));
        json_object_set_new(b, "status", json_string("draft"));
    }
    json_decref(ind);
    json_decref(p);
    if (rc)
        return rc;
    rc = insert_reply(req, &cpas_entity_datapoint, b, err);
    if (rc == PKO_ECONFLICT && err->sqlite_rc == SQLITE_CONSTRAINT_UNIQUE) {
        pko_err_clear(err);
        rc = pko_err_field(err, PKO_ECONFLICT, "period",
                           "a data point for this period and disaggregation exists; correct it "
                           "with PATCH /api/v1/cpas/datapoints/{id}");
    }
    return rc;
}

static pko_rc h_dp_list(pko_req *req, pko_err *err)
{
    json_t *ind, *p, *ids;
    pko_rc rc = ind_and_plan(req, pko_req_param(req, "id"), &ind, &p, err);
    if (rc)
        return rc;
    json_decref(p);
    rc = select_ids(pko_req_db(req),
                    "SELECT id FROM cpas_datapoints WHERE indicator_id = ?1 ORDER BY period, rowid",
                    json_string_value(json_object_get(ind, "id")), &ids, err);
    json_decref(ind);
    if (rc)
        return rc;
    return reply_items(req, &cpas_entity_datapoint, ids, err);
}

/* A correction: value, text_value or note. The change log keeps the old
 * value; an approved point goes back to draft for approval again. */
static pko_rc h_dp_update(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    json_t *dp, *ind, *p;
    rc = get_visible(req, &cpas_entity_datapoint, id, &dp, err);
    if (rc)
        return rc;
    rc = ind_and_plan(req, json_string_value(json_object_get(dp, "indicator_id")), &ind, &p, err);
    if (rc) {
        json_decref(dp);
        return rc;
    }
    rc = require_for(req, "cpas.data", p, err);
    json_t *ver = json_object_get(b, "version");
    if (!rc && ver && !json_is_integer(ver))
        rc = pko_err_field(err, PKO_EINVAL, "version", "version must be an integer");
    int64_t expect = json_is_integer(ver) ? json_integer_value(ver) : 0;
    json_object_del(b, "version");
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v)
    {
        if (!rc && strcmp(k, "value") && strcmp(k, "text_value") && strcmp(k, "note"))
            rc = pko_err_field(err, PKO_EINVAL, k, "only value, text_value and note are corrected");
    }
    if (!rc) {
        json_t *merged = json_pack("{s:O}", "period", json_object_get(dp, "period"));
        static const char *const keep[] = {"value", "text_value", "note", "disaggregation"};
        for (int i = 0; i < 4; i++) {
            json_t *x = json_object_get(b, keep[i]);
            if (!x)
                x = json_object_get(dp, keep[i]);
            if (x && !json_is_null(x))
                json_object_set(merged, keep[i], x);
        }
        int pf, pl;
        plan_months(p, &pf, &pl);
        json_t *dis = json_object_get(ind, "disaggregations");
        json_t *empty = json_array();
        rc = cpas_validate_datapoint(
            merged, !strcmp(json_string_value(json_object_get(ind, "kind")), "qualitative"),
            json_is_array(dis) ? dis : empty, pf, pl, err);
        json_decref(empty);
        json_decref(merged);
    }
    json_decref(ind);
    json_decref(p);
    json_decref(dp);
    if (rc)
        return rc;
    json_object_set_new(b, "status", json_string("draft"));
    json_object_set_new(b, "approved_by", json_null());
    return update_reply(req, &cpas_entity_datapoint, id, b, expect, err);
}

static pko_rc h_dp_approve(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *dp;
    pko_rc rc = get_visible(req, &cpas_entity_datapoint, id, &dp, err);
    if (rc)
        return rc;
    rc = require_for(req, "cpas.data.approve", dp, err);
    bool draft = !strcmp(json_string_value(json_object_get(dp, "status")), "draft");
    json_decref(dp);
    if (rc)
        return rc;
    if (!draft)
        return pko_err_field(err, PKO_ECONFLICT, "status", "the data point is already approved");
    json_t *f = json_pack("{s:s, s:s}", "status", "approved", "approved_by",
                          pko_req_user(req)->user_id);
    rc = update_reply(req, &cpas_entity_datapoint, id, f, 0, err);
    json_decref(f);
    return rc;
}

static pko_rc h_dp_history(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *dp, *h;
    pko_rc rc = get_visible(req, &cpas_entity_datapoint, id, &dp, err);
    if (rc)
        return rc;
    json_decref(dp);
    rc = pko_db_history(pko_req_db(req), "cpas_datapoint", id, &h, err);
    if (rc)
        return rc;
    /* The hidden key is not shown in the history either. */
    size_t i;
    json_t *c;
    json_array_foreach(h, i, c)
    {
        json_t *f = json_object_get(c, "fields");
        if (json_is_object(f))
            json_object_del(f, "disagg_key");
    }
    pko_req_reply(req, 200, json_pack("{s:o}", "items", h));
    return PKO_OK;
}

/* ==== Dashboard ========================================================== */

static int current_month(void)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 12 + tm.tm_mon;
}

/* The dashboard of plan {id} as JSON into '*out'; the plan into '*plan'. */
static pko_rc build_dashboard(pko_req *req, json_t **out, json_t **plan, pko_err *err)
{
    const char *pid = pko_req_param(req, "id");
    int as_of = current_month(), x;
    const char *q = pko_req_query(req, "as_of");
    cpas_freq k;
    if (q && (!cpas_period_parse(q, &as_of, &x, &k) || k != CPAS_MONTHLY))
        return pko_err_field(err, PKO_EINVAL, "as_of", "as_of must be a month YYYY-MM");
    json_t *p, *m;
    pko_rc rc = get_visible(req, &cpas_entity_plan, pid, &p, err);
    if (rc)
        return rc;
    rc = pko_db_get(pko_req_db(req), &pko_entity_mission, &all_scope, pko_req_actor(req),
                    json_string_value(json_object_get(p, "mission_id")), &m, err);
    if (rc) {
        json_decref(p);
        return rc;
    }
    pko_err e2;
    pko_err_clear(&e2);
    cpas_dash_opts o = {pko_req_user(req)->clearance, as_of,
                        pko_req_require(req, "incidents.read",
                                        json_string_value(json_object_get(m, "acronym")),
                                        &e2) == PKO_OK,
                        pko_req_actor(req)};
    json_decref(m);
    rc = cpas_dashboard(pko_req_db(req), p, &o, out, err);
    if (rc) {
        json_decref(p);
        return rc;
    }
    *plan = p;
    return PKO_OK;
}

static pko_rc h_dashboard(pko_req *req, pko_err *err)
{
    json_t *d, *p;
    pko_rc rc = build_dashboard(req, &d, &p, err);
    if (rc)
        return rc;
    json_decref(p);
    pko_req_reply(req, 200, d);
    return PKO_OK;
}

static void html_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

static const char *status_label(const char *st)
{
    return !strcmp(st, "on_track")    ? "On track"
           : !strcmp(st, "at_risk")   ? "At risk"
           : !strcmp(st, "off_track") ? "Off track"
           : !strcmp(st, "no_target") ? "No target"
                                      : "No data";
}

static const char *status_colour(const char *st)
{
    return !strcmp(st, "on_track")    ? "#2e7d32"
           : !strcmp(st, "at_risk")   ? "#f9a825"
           : !strcmp(st, "off_track") ? "#c62828"
                                      : "#9e9e9e";
}

static void html_num(FILE *f, json_t *v)
{
    if (json_is_number(v))
        fprintf(f, "%g", json_number_value(v));
    else
        fputs("&ndash;", f);
}

/* One page: the plan, counts by status, a bar per outcome (progress with
 * the on-track mark at 90%), and every indicator with its reason. Only
 * text from the store, escaped; no scripts, no external resources. */
static pko_rc h_factsheet(pko_req *req, pko_err *err)
{
    const char *fmt = pko_req_query(req, "format");
    if (fmt && strcmp(fmt, "html") && strcmp(fmt, "pdf"))
        return pko_err_field(err, PKO_EINVAL, "format", "format must be html or pdf");
    json_t *d, *p, *m;
    pko_rc rc = build_dashboard(req, &d, &p, err);
    if (rc)
        return rc;
    rc = pko_db_get(pko_req_db(req), &pko_entity_mission, &all_scope, pko_req_actor(req),
                    json_string_value(json_object_get(p, "mission_id")), &m, err);
    if (rc) {
        json_decref(d);
        json_decref(p);
        return rc;
    }
    if (fmt && !strcmp(fmt, "pdf")) {
        char *pdf = NULL;
        size_t n = 0;
        rc = cpas_factsheet_pdf(json_string_value(json_object_get(m, "acronym")), p, d, &pdf, &n,
                                err);
        json_decref(d);
        json_decref(p);
        json_decref(m);
        if (rc)
            return rc;
        pko_req_reply_raw(req, 200, "application/pdf", pdf, n);
        pko_req_add_header(req, "Content-Disposition", "inline; filename=\"factsheet.pdf\"");
        free(pdf);
        return PKO_OK;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        json_decref(d);
        json_decref(p);
        json_decref(m);
        return pko_err_set(err, PKO_ENOMEM, "out of memory");
    }
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>", f);
    html_text(f, json_string_value(json_object_get(m, "acronym")));
    fputs(" factsheet</title><style>body{font-family:sans-serif;max-width:52em;margin:1em auto;"
          "font-size:11pt}h1{font-size:16pt;margin:0}table{border-collapse:collapse;width:100%}"
          "td,th{border-bottom:1px solid #ddd;padding:3px;text-align:left;vertical-align:top}"
          ".r{color:#555;font-size:9pt}</style></head><body>\n<h1>", f);
    html_text(f, json_string_value(json_object_get(m, "acronym")));
    fputs(": ", f);
    html_text(f, json_string_value(json_object_get(p, "title")));
    fprintf(f, "</h1>\n<p>Plan version %lld (%s), %s to %s. Data as of %s; approved data only.</p>\n",
            (long long)json_integer_value(json_object_get(p, "version_no")),
            json_string_value(json_object_get(p, "status")),
            json_string_value(json_object_get(p, "period_start")),
            json_string_value(json_object_get(p, "period_end")),
            json_string_value(json_object_get(d, "as_of")));
    json_t *sum = json_object_get(d, "summary");
    fputs("<p>Indicators:", f);
    static const char *const sts[] = {"on_track", "at_risk", "off_track", "no_data", "no_target"};
    for (int i = 0; i < 5; i++)
        fprintf(f, " %s %lld%s", status_label(sts[i]),
                (long long)json_integer_value(json_object_get(sum, sts[i])), i < 4 ? "," : ".");
    fputs("</p>\n<h2>Outcomes</h2>\n", f);
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(d, "outcomes"), i, o)
    {
        const char *st = json_string_value(json_object_get(o, "status"));
        json_t *pr = json_object_get(o, "progress");
        double pct = json_is_number(pr) ? json_number_value(pr) * 100 : 0;
        fputs("<h3>", f);
        html_text(f, json_string_value(json_object_get(o, "title")));
        fprintf(f, "</h3>\n<svg width=\"400\" height=\"22\" role=\"img\" "
                   "aria-label=\"%s, %.0f%%\"><rect width=\"400\" height=\"22\" "
                   "fill=\"#eee\"/><rect width=\"%.0f\" height=\"22\" fill=\"%s\"/>"
                   "<line x1=\"360\" x2=\"360\" y1=\"0\" y2=\"22\" stroke=\"#000\"/>"
                   "</svg> <b>%s</b> %.0f%%\n<p class=\"r\">",
                status_label(st), pct, pct * 4, status_colour(st), status_label(st), pct);
        html_text(f, json_string_value(json_object_get(o, "reason")));
        fputs("</p>\n", f);
    }
    fputs("<h2>Indicators</h2>\n<table><tr><th>Indicator</th><th>Latest</th><th>Target</th>"
          "<th>Status</th></tr>\n", f);
    json_t *e;
    json_array_foreach(json_object_get(d, "indicators"), i, e)
    {
        json_t *v = json_object_get(e, "values");
        const char *st = json_string_value(json_object_get(e, "status"));
        fputs("<tr><td>", f);
        html_text(f, json_string_value(json_object_get(e, "name")));
        fputs("<div class=\"r\">", f);
        html_text(f, json_string_value(json_object_get(e, "reason")));
        fputs("</div></td><td>", f);
        html_num(f, json_object_get(v, "latest"));
        fputs("</td><td>", f);
        html_num(f, json_object_get(v, "target"));
        fprintf(f, "</td><td style=\"color:%s\">%s</td></tr>\n", status_colour(st),
                status_label(st));
    }
    fputs("</table>\n</body></html>\n", f);
    fclose(f);
    json_decref(d);
    json_decref(p);
    json_decref(m);
    pko_req_reply_raw(req, 200, "text/html; charset=utf-8", buf, len);
    free(buf);
    return PKO_OK;
}

/* ==== IATI results export ================================================ */

static void iso_month_day(int m, bool last, char out[16])
{
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = m / 12, mo = m % 12;
    int d = last ? md[mo] + (mo == 1 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) : 1;
    snprintf(out, 16, "%04d-%02d-%02d", y % 10000, mo + 1, d);
}

/* One indicator as IATI 2.03 result/indicator: baseline, and a period per
 * period that has a target or an approved total (actual). */
static pko_rc iati_indicator(pko_req *req, FILE *f, json_t *ind, pko_err *err)
{
    json_t *ids, *dps;
    pko_rc rc = select_ids(pko_req_db(req),
                           "SELECT id FROM cpas_datapoints WHERE indicator_id = ?1 AND"
                           " status = 'approved' AND disagg_key = '{}' ORDER BY period",
                           json_string_value(json_object_get(ind, "id")), &ids, err);
    if (rc)
        return rc;
    rc = get_all(req, &cpas_entity_datapoint, ids, &dps, err);
    json_decref(ids);
    if (rc)
        return rc;
    bool qual = !strcmp(json_string_value(json_object_get(ind, "kind")), "qualitative");
    bool asc = strcmp(json_string_value(json_object_get(ind, "direction")), "decrease");
    fprintf(f, "   <indicator measure=\"%d\" ascending=\"%d\">\n    <title><narrative>",
            qual ? 5 : 1, asc ? 1 : 0);
    html_text(f, json_string_value(json_object_get(ind, "name")));
    fputs("</narrative></title>\n", f);
    json_t *bv = json_object_get(ind, "baseline_value");
    const char *bp = json_string_value(json_object_get(ind, "baseline_period"));
    if (bp && json_is_number(bv))
        fprintf(f, "    <baseline year=\"%.4s\" value=\"%g\"/>\n", bp, json_number_value(bv));
    /* Periods: targets and actuals, in order of their first month. */
    json_t *periods = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(ind, "targets"), k, v)
        json_object_set_new(periods, k, json_pack("{s:O}", "target", v));
    size_t i;
    json_t *d;
    json_array_foreach(dps, i, d)
    {
        const char *p = json_string_value(json_object_get(d, "period"));
        json_t *e = json_object_get(periods, p);
        if (!e) {
            json_object_set_new(periods, p, json_object());
            e = json_object_get(periods, p);
        }
        if (json_is_number(json_object_get(d, "value")))
            json_object_set(e, "actual", json_object_get(d, "value"));
    }
    /* Emit in ascending order of first month (few periods: selection). */
    int last_first = -1, last_last = -1;
    for (;;) {
        const char *best = NULL;
        int bf = 0, bl = 0;
        json_object_foreach(periods, k, v)
        {
            int pf, pl;
            if (!cpas_period_parse(k, &pf, &pl, NULL))
                continue;
            bool after = pf > last_first || (pf == last_first && pl > last_last);
            if (after && (!best || pf < bf || (pf == bf && pl < bl)))
                best = k, bf = pf, bl = pl;
        }
        if (!best)
            break;
        last_first = bf, last_last = bl;
        json_t *e = json_object_get(periods, best);
        char a[16], b[16];
        iso_month_day(bf, false, a);
        iso_month_day(bl, true, b);
        fprintf(f, "    <period>\n     <period-start iso-date=\"%s\"/>\n"
                   "     <period-end iso-date=\"%s\"/>\n", a, b);
        if (json_is_number(json_object_get(e, "target")))
            fprintf(f, "     <target value=\"%g\"/>\n", json_number_value(json_object_get(e, "target")));
        if (json_is_number(json_object_get(e, "actual")))
            fprintf(f, "     <actual value=\"%g\"/>\n", json_number_value(json_object_get(e, "actual")));
        fputs("    </period>\n", f);
    }
    fputs("   </indicator>\n", f);
    json_decref(periods);
    json_decref(dps);
    return PKO_OK;
}

/* The plan's results in IATI 2.03's result/indicator/baseline/period/
 * target/actual structure: a result per outcome (type 2) and output
 * (type 1) that has indicators. */
static pko_rc h_iati(pko_req *req, pko_err *err)
{
    const char *pid = pko_req_param(req, "id");
    json_t *p, *m, *ids, *nodes, *iids, *inds;
    pko_rc rc = get_visible(req, &cpas_entity_plan, pid, &p, err);
    if (rc)
        return rc;
    rc = pko_db_get(pko_req_db(req), &pko_entity_mission, &all_scope, pko_req_actor(req),
                    json_string_value(json_object_get(p, "mission_id")), &m, err);
    if (rc) {
        json_decref(p);
        return rc;
    }
    nodes = inds = NULL;
    rc = select_ids(pko_req_db(req), "SELECT id FROM cpas_nodes WHERE plan_id = ?1 ORDER BY rowid",
                    pid, &ids, err);
    if (!rc) {
        rc = get_all(req, &cpas_entity_node, ids, &nodes, err);
        json_decref(ids);
    }
    if (!rc)
        rc = select_ids(pko_req_db(req),
                        "SELECT id FROM cpas_indicators WHERE plan_id = ?1 ORDER BY rowid", pid,
                        &iids, err);
    if (!rc) {
        rc = get_all(req, &cpas_entity_indicator, iids, &inds, err);
        json_decref(iids);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = rc ? NULL : open_memstream(&buf, &len);
    if (!rc && !f)
        rc = pko_err_set(err, PKO_ENOMEM, "out of memory");
    if (!rc) {
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<iati-activities version=\"2.03\">\n"
              " <iati-activity>\n  <iati-identifier>PKO-", f);
        html_text(f, json_string_value(json_object_get(m, "acronym")));
        fprintf(f, "-%s</iati-identifier>\n  <title><narrative>", pid);
        html_text(f, json_string_value(json_object_get(p, "title")));
        fputs("</narrative></title>\n", f);
        size_t i, j;
        json_t *n, *x;
        json_array_foreach(nodes, i, n)
        {
            const char *lvl = json_string_value(json_object_get(n, "level"));
            if (!strcmp(lvl, "priority"))
                continue;
            bool any = false;
            json_array_foreach(inds, j, x)
            any = any || json_equal(json_object_get(x, "node_id"), json_object_get(n, "id"));
            if (!any)
                continue;
            fprintf(f, "  <result type=\"%d\" aggregation-status=\"0\">\n   <title><narrative>",
                    strcmp(lvl, "outcome") ? 1 : 2);
            html_text(f, json_string_value(json_object_get(n, "title")));
            fputs("</narrative></title>\n", f);
            json_array_foreach(inds, j, x)
            {
                if (!rc && json_equal(json_object_get(x, "node_id"), json_object_get(n, "id")))
                    rc = iati_indicator(req, f, x, err);
            }
            fputs("  </result>\n", f);
        }
        fputs(" </iati-activity>\n</iati-activities>\n", f);
        fclose(f);
    }
    json_decref(p);
    json_decref(m);
    json_decref(nodes);
    json_decref(inds);
    if (!rc)
        pko_req_reply_raw(req, 200, "application/xml; charset=utf-8", buf, len);
    free(buf);
    return rc;
}

/* ==== Import and export ================================================== */

static const char *const ind_fields[] = {
    "code",      "name",      "kind",            "unit",     "direction", "baseline_value",
    "baseline_period", "targets", "data_source", "frequency", "component", "disaggregations",
    "on_track",  "at_risk",   "weight",          "computed", NULL};

static void copy_present(json_t *to, json_t *from, const char *const *fields)
{
    for (size_t i = 0; fields[i]; i++) {
        json_t *v = json_object_get(from, fields[i]);
        if (v && !json_is_null(v))
            json_object_set(to, fields[i], v);
    }
}

static pko_rc plan_records(pko_req *req, const pko_entity *e, const char *sql, const char *pid,
                           json_t **out, pko_err *err)
{
    json_t *ids;
    pko_rc rc = select_ids(pko_req_db(req), sql, pid, &ids, err);
    if (rc)
        return rc;
    rc = get_all(req, e, ids, out, err);
    json_decref(ids);
    return rc;
}

/* The document "pko-cpas-1" of plan 'p' as the caller sees it. */
static pko_rc export_doc(pko_req *req, json_t *p, json_t **out, pko_err *err)
{
    const char *pid = json_string_value(json_object_get(p, "id"));
    json_t *nodes = NULL, *inds = NULL, *dps = NULL, *drv = NULL, *stk = NULL;
    pko_rc rc = plan_records(req, &cpas_entity_node,
                             "SELECT id FROM cpas_nodes WHERE plan_id = ?1 ORDER BY rowid", pid,
                             &nodes, err);
    if (!rc)
        rc = plan_records(req, &cpas_entity_indicator,
                          "SELECT id FROM cpas_indicators WHERE plan_id = ?1 ORDER BY rowid", pid,
                          &inds, err);
    if (!rc)
        rc = plan_records(req, &cpas_entity_datapoint,
                          "SELECT d.id FROM cpas_datapoints d JOIN cpas_indicators i"
                          " ON i.id = d.indicator_id WHERE i.plan_id = ?1"
                          " ORDER BY i.rowid, d.period, d.disagg_key",
                          pid, &dps, err);
    if (!rc)
        rc = plan_records(req, &cpas_entity_driver,
                          "SELECT id FROM cpas_drivers WHERE plan_id = ?1 ORDER BY rowid", pid,
                          &drv, err);
    if (!rc)
        rc = plan_records(req, &cpas_entity_stakeholder,
                          "SELECT id FROM cpas_stakeholders WHERE plan_id = ?1 ORDER BY rowid",
                          pid, &stk, err);
    if (rc) {
        json_decref(nodes);
        json_decref(inds);
        json_decref(dps);
        json_decref(drv);
        return rc;
    }
    json_t *nkey = json_object(), *ikey = json_object(), *byid = json_object();
    json_t *dn = json_array(), *di = json_array(), *dd = json_array(), *ddr = json_array(),
           *dst = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(nodes, i, x)
    {
        char key[24];
        snprintf(key, sizeof(key), "N%zu", i + 1);
        json_object_set_new(nkey, json_string_value(json_object_get(x, "id")), json_string(key));
        json_t *n = json_pack("{s:s, s:O}", "key", key, "level", json_object_get(x, "level"));
        const char *par = json_string_value(json_object_get(x, "parent_id"));
        if (par && json_object_get(nkey, par))
            json_object_set(n, "parent", json_object_get(nkey, par));
        static const char *const nf[] = {"title", "mandated_task", "a4p", NULL};
        copy_present(n, x, nf);
        json_array_append_new(dn, n);
    }
    json_array_foreach(inds, i, x)
    {
        char key[48];
        const char *code = json_string_value(json_object_get(x, "code"));
        if (code)
            snprintf(key, sizeof(key), "%s", code);
        else
            snprintf(key, sizeof(key), "I%zu", i + 1);
        json_object_set_new(ikey, json_string_value(json_object_get(x, "id")), json_string(key));
        json_object_set(byid, json_string_value(json_object_get(x, "id")), x);
        json_t *o = json_pack("{s:s}", "key", key);
        json_t *nk = json_object_get(nkey, json_string_value(json_object_get(x, "node_id")));
        json_object_set(o, "node", nk ? nk : json_object_get(x, "node_id"));
        copy_present(o, x, ind_fields);
        json_array_append_new(di, o);
    }
    json_array_foreach(dps, i, x)
    {
        const char *iid = json_string_value(json_object_get(x, "indicator_id"));
        json_t *ind = json_object_get(byid, iid);
        if (!ind)
            continue;
        json_t *o = json_pack("{s:O, s:s, s:O, s:O}", "indicator", json_object_get(ikey, iid),
                              "indicator_id", iid, "indicator_name", json_object_get(ind, "name"),
                              "period", json_object_get(x, "period"));
        if (json_is_string(json_object_get(ind, "code")))
            json_object_set(o, "indicator_code", json_object_get(ind, "code"));
        static const char *const df[] = {"value", "text_value", "note", "status", NULL};
        copy_present(o, x, df);
        json_t *dis = json_object_get(x, "disaggregation");
        if (json_object_size(dis))
            json_object_set(o, "disaggregation", dis);
        json_array_append_new(dd, o);
    }
    json_t *srcs[2] = {drv, stk}, *dsts[2] = {ddr, dst};
    static const char *const cf[2][6] = {{"title", "description", "trend", NULL},
                                         {"name", "type", "influence", "attitude", "interests",
                                          NULL}};
    for (int c = 0; c < 2; c++) {
        json_array_foreach(srcs[c], i, x)
        {
            json_t *o = json_object();
            copy_present(o, x, cf[c]);
            json_t *ns = json_object_get(x, "node_ids");
            if (json_array_size(ns)) {
                json_t *ks = json_array();
                size_t j;
                json_t *nid;
                json_array_foreach(ns, j, nid)
                {
                    json_t *k = json_object_get(nkey, json_string_value(nid));
                    if (k)
                        json_array_append(ks, k);
                }
                json_object_set_new(o, "nodes", ks);
            }
            json_array_append_new(dsts[c], o);
        }
    }
    json_t *plan = json_object();
    static const char *const pf[] = {"title", "period_start", "period_end", "context",
                                     "version_no", "status", NULL};
    copy_present(plan, p, pf);
    *out = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "format", "pko-cpas-1", "plan", plan,
                     "nodes", dn, "indicators", di, "datapoints", dd, "drivers", ddr,
                     "stakeholders", dst);
    json_decref(nkey);
    json_decref(ikey);
    json_decref(byid);
    json_decref(nodes);
    json_decref(inds);
    json_decref(dps);
    json_decref(drv);
    json_decref(stk);
    return PKO_OK;
}

static pko_rc h_export(pko_req *req, pko_err *err)
{
    const char *fmt = pko_req_query(req, "format");
    const char *what = pko_req_query(req, "what");
    if (fmt && strcmp(fmt, "json") && strcmp(fmt, "csv"))
        return pko_err_field(err, PKO_EINVAL, "format", "format must be json or csv");
    bool csv = fmt && !strcmp(fmt, "csv");
    if (csv && what && strcmp(what, "framework") && strcmp(what, "data"))
        return pko_err_field(err, PKO_EINVAL, "what", "what must be framework or data");
    json_t *p, *doc;
    pko_rc rc = get_visible(req, &cpas_entity_plan, pko_req_param(req, "id"), &p, err);
    if (rc)
        return rc;
    rc = export_doc(req, p, &doc, err);
    json_decref(p);
    if (rc)
        return rc;
    if (!csv) {
        pko_req_reply(req, 200, doc);
        return PKO_OK;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        json_decref(doc);
        return pko_err_set(err, PKO_ENOMEM, "out of memory");
    }
    bool data = what && !strcmp(what, "data");
    if (data)
        cpas_csv_write_data(f, doc);
    else
        cpas_csv_write_framework(f, doc);
    fclose(f);
    json_decref(doc);
    pko_req_reply_raw(req, 200, "text/csv; charset=utf-8", buf, len);
    pko_req_add_header(req, "Content-Disposition",
                       data ? "attachment; filename=\"cpas-data.csv\""
                            : "attachment; filename=\"cpas-framework.csv\"");
    free(buf);
    return PKO_OK;
}

/* Rename err's field as "<sec>[i].<field>" and say the line when the row
 * came from a CSV file. */
static pko_rc at_item(pko_rc rc, pko_err *err, const char *sec, size_t i, json_t *o)
{
    if (!rc || !err)
        return rc;
    char f[PKO_ERR_FIELD_MAX], m[PKO_ERR_MSG_MAX];
    snprintf(f, sizeof(f), "%s[%zu]%s%.40s", sec, i, err->field[0] ? "." : "", err->field);
    snprintf(err->field, sizeof(err->field), "%s", f);
    json_t *line = json_object_get(o, "_line");
    if (json_is_integer(line)) {
        snprintf(m, sizeof(m), "line %lld: %.480s", (long long)json_integer_value(line), err->msg);
        snprintf(err->msg, sizeof(err->msg), "%s", m);
    }
    return rc;
}

static json_t *body_without(json_t *o, const char *const *drop)
{
    json_t *b = json_deep_copy(o);
    for (size_t i = 0; drop[i]; i++)
        json_object_del(b, drop[i]);
    return b;
}

typedef struct import_counts {
    size_t nodes, indicators, datapoints, drivers, stakeholders;
} import_counts;

/* Write the framework parts of 'doc' into draft plan 'p' within 'tx'. */
static pko_rc import_framework(pko_req *req, pko_tx *tx, json_t *p, json_t *doc, json_t *nmap,
                               json_t *imap, import_counts *cnt, pko_err *err)
{
    const char *pid = json_string_value(json_object_get(p, "id"));
    int pf, pl;
    plan_months(p, &pf, &pl);
    pko_db *db = pko_tx_db(tx);
    pko_actor actor = *pko_req_actor(req);
    size_t i;
    json_t *o;
    pko_rc rc = PKO_OK;
    json_t *levels = json_object();
    json_array_foreach(json_object_get(doc, "nodes"), i, o)
    {
        static const char *const drop[] = {"key", "parent", "_line", NULL};
        json_t *b = body_without(o, drop);
        rc = cpas_validate_node(b, err);
        if (!rc)
            rc = check_class(req, b, err);
        const char *level = json_string_value(json_object_get(b, "level"));
        const char *par = json_string_value(json_object_get(o, "parent"));
        const char *want = !rc && !strcmp(level, "outcome") ? "priority"
                           : !rc && !strcmp(level, "output") ? "outcome"
                                                             : NULL;
        if (!rc && !want && par)
            rc = pko_err_field(err, PKO_EINVAL, "parent", "a mandate priority has no parent");
        else if (!rc && want && !par)
            rc = pko_err_field(err, PKO_EINVAL, "parent", "an %s needs a parent %s", level, want);
        else if (!rc && want && (!json_string_value(json_object_get(levels, par)) ||
                                 strcmp(json_string_value(json_object_get(levels, par)), want)))
            rc = pko_err_field(err, PKO_EINVAL, "parent", "the parent of an %s must be a %s",
                               level, want);
        char nid[PKO_ID_LEN];
        if (!rc) {
            json_object_set(b, "mission_id", json_object_get(p, "mission_id"));
            json_object_set_new(b, "plan_id", json_string(pid));
            if (par)
                json_object_set(b, "parent_id", json_object_get(nmap, par));
            rc = pko_tx_insert(tx, &cpas_entity_node, b, nid, err);
        }
        if (!rc) {
            json_object_set_new(nmap, json_string_value(json_object_get(o, "key")),
                                json_string(nid));
            json_object_set_new(levels, json_string_value(json_object_get(o, "key")),
                                json_string(level));
            cnt->nodes++;
        }
        json_decref(b);
        if ((rc = at_item(rc, err, "nodes", i, o)))
            break;
    }
    json_decref(levels);
    json_t *mine = json_array();
    json_array_foreach(json_object_get(doc, "indicators"), i, o)
    {
        if (rc)
            break;
        static const char *const drop[] = {"key", "node", "_line", NULL};
        json_t *b = body_without(o, drop);
        const char *nk = json_string_value(json_object_get(o, "node"));
        json_t *nid = json_object_get(nmap, nk);
        json_t *node = NULL;
        if (nid)
            json_object_set(b, "node_id", nid);
        else
            json_object_set_new(b, "node_id", json_string(nk));
        rc = pko_db_get(db, &cpas_entity_node, &all_scope, &actor,
                        json_string_value(json_object_get(b, "node_id")), &node, err);
        if (rc == PKO_ENOTFOUND ||
            (!rc && strcmp(json_string_value(json_object_get(node, "plan_id")), pid))) {
            pko_err_clear(err);
            rc = pko_err_field(err, PKO_EINVAL, "node",
                               "node %.64s is neither a key of the document nor a node of the plan",
                               nk);
        } else if (!rc && !strcmp(json_string_value(json_object_get(node, "level")), "priority"))
            rc = pko_err_field(err, PKO_EINVAL, "node",
                               "indicators attach to an outcome or an output, not a priority");
        json_decref(node);
        if (!rc)
            rc = cpas_validate_indicator(b, pf, pl, err);
        if (!rc)
            rc = check_class(req, b, err);
        char xid[PKO_ID_LEN];
        if (!rc) {
            json_object_set(b, "mission_id", json_object_get(p, "mission_id"));
            json_object_set_new(b, "plan_id", json_string(pid));
            rc = pko_tx_insert(tx, &cpas_entity_indicator, b, xid, err);
            if (rc == PKO_ECONFLICT && err->sqlite_rc == SQLITE_CONSTRAINT_UNIQUE) {
                pko_err_clear(err);
                rc = pko_err_field(err, PKO_EINVAL, "code",
                                   "another indicator of the plan has the code %.40s",
                                   json_string_value(json_object_get(b, "code")));
            }
        }
        if (!rc) {
            json_object_set_new(b, "id", json_string(xid));
            json_array_append(mine, b);
            json_object_set_new(imap, json_string_value(json_object_get(o, "key")),
                                json_string(xid));
            cnt->indicators++;
        }
        json_decref(b);
        rc = at_item(rc, err, "indicators", i, o);
    }
    /* References and cycles among all the indicators now in the plan. */
    if (!rc && json_array_size(mine))
        rc = check_formulas(db, pid, mine, "indicators", err);
    json_decref(mine);
    static const char *const secs[] = {"drivers", "stakeholders"};
    for (int c = 0; !rc && c < 2; c++) {
        const pko_entity *e = c ? &cpas_entity_stakeholder : &cpas_entity_driver;
        json_array_foreach(json_object_get(doc, secs[c]), i, o)
        {
            static const char *const drop[] = {"nodes", "_line", NULL};
            json_t *b = body_without(o, drop);
            rc = c ? cpas_validate_stakeholder(b, true, err) : cpas_validate_driver(b, true, err);
            if (!rc)
                rc = check_class(req, b, err);
            if (!rc) {
                json_t *ids = json_array();
                size_t j;
                json_t *k;
                json_array_foreach(json_object_get(o, "nodes"), j, k)
                    json_array_append(ids, json_object_get(nmap, json_string_value(k)));
                if (json_array_size(ids))
                    json_object_set(b, "node_ids", ids);
                json_decref(ids);
                json_object_set(b, "mission_id", json_object_get(p, "mission_id"));
                json_object_set_new(b, "plan_id", json_string(pid));
                char id[PKO_ID_LEN];
                rc = pko_tx_insert(tx, e, b, id, err);
            }
            json_decref(b);
            if ((rc = at_item(rc, err, secs[c], i, o)))
                break;
            if (c)
                cnt->stakeholders++;
            else
                cnt->drivers++;
        }
    }
    return rc;
}

/* Write the data points of 'doc' (entered as drafts) within 'tx'. */
static pko_rc import_data(pko_req *req, pko_tx *tx, json_t *p, json_t *doc, json_t *imap,
                          import_counts *cnt, pko_err *err)
{
    json_t *dps = json_object_get(doc, "datapoints");
    if (!json_array_size(dps))
        return PKO_OK;
    const char *pid = json_string_value(json_object_get(p, "id"));
    int pf, pl;
    plan_months(p, &pf, &pl);
    pko_db *db = pko_tx_db(tx);
    pko_actor actor = *pko_req_actor(req);
    /* The plan's indicators by id, code and (unique) name. */
    json_t *ids, *byid = json_object(), *bycode = json_object(), *byname = json_object();
    pko_rc rc = select_ids(db, "SELECT id FROM cpas_indicators WHERE plan_id = ?1 ORDER BY rowid",
                           pid, &ids, err);
    size_t i;
    json_t *o;
    if (!rc) {
        pko_scope scope;
        pko_req_scope(req, "cpas.read", &scope);
        json_array_foreach(ids, i, o)
        {
            json_t *x;
            rc = pko_db_get(db, &cpas_entity_indicator, &scope, &actor, json_string_value(o), &x,
                            err);
            if (rc == PKO_ENOTFOUND) {
                pko_err_clear(err);
                rc = PKO_OK;
                continue;
            }
            if (rc)
                break;
            json_object_set(byid, json_string_value(o), x);
            if (json_is_string(json_object_get(x, "code")))
                json_object_set(bycode, json_string_value(json_object_get(x, "code")), x);
            const char *nm = json_string_value(json_object_get(x, "name"));
            json_object_set(byname, nm, json_object_get(byname, nm) ? json_null() : x);
            json_decref(x);
        }
        json_decref(ids);
    }
    json_t *empty = json_array();
    json_array_foreach(dps, i, o)
    {
        if (rc)
            break;
        json_t *ind = NULL;
        const char *key = json_string_value(json_object_get(o, "indicator"));
        const char *iid = json_string_value(json_object_get(o, "indicator_id"));
        const char *code = json_string_value(json_object_get(o, "indicator_code"));
        const char *name = json_string_value(json_object_get(o, "indicator_name"));
        if (key && json_object_get(imap, key))
            ind = json_object_get(byid, json_string_value(json_object_get(imap, key)));
        if (!ind && key)
            ind = json_object_get(byid, key) ? json_object_get(byid, key)
                                             : json_object_get(bycode, key);
        if (!ind && iid)
            ind = json_object_get(byid, iid);
        if (!ind && code)
            ind = json_object_get(bycode, code);
        if (!ind && name && json_is_object(json_object_get(byname, name)))
            ind = json_object_get(byname, name);
        if (!ind) {
            rc = at_item(pko_err_field(err, PKO_EINVAL, "indicator",
                                       "no indicator of the plan matches %.64s",
                                       key ? key : iid ? iid : code ? code : name ? name : "?"),
                         err, "datapoints", i, o);
            break;
        }
        if (json_is_object(json_object_get(ind, "computed"))) {
            rc = at_item(pko_err_field(err, PKO_EINVAL, "indicator",
                                       "indicator %.64s is computed; it takes no entered data",
                                       json_string_value(json_object_get(ind, "name"))),
                         err, "datapoints", i, o);
            break;
        }
        static const char *const drop[] = {"indicator", "indicator_id", "indicator_code",
                                           "indicator_name", "status", "_line", NULL};
        json_t *b = body_without(o, drop);
        json_t *dis = json_object_get(ind, "disaggregations");
        rc = cpas_validate_datapoint(
            b, !strcmp(json_string_value(json_object_get(ind, "kind")), "qualitative"),
            json_is_array(dis) ? dis : empty, pf, pl, err);
        if (!rc)
            rc = check_class(req, b, err);
        if (!rc) {
            json_t *d = json_object_get(b, "disaggregation");
            if (!json_is_object(d)) {
                json_object_set_new(b, "disaggregation", json_object());
                d = json_object_get(b, "disaggregation");
            }
            char *dk = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
            json_object_set_new(b, "disagg_key", json_string(dk ? dk : "{}"));
            free(dk);
            json_object_set(b, "mission_id", json_object_get(ind, "mission_id"));
            json_object_set(b, "indicator_id", json_object_get(ind, "id"));
            json_object_set_new(b, "status", json_string("draft"));
            char id[PKO_ID_LEN];
            rc = pko_tx_insert(tx, &cpas_entity_datapoint, b, id, err);
            if (rc == PKO_ECONFLICT && err->sqlite_rc == SQLITE_CONSTRAINT_UNIQUE) {
                pko_err_clear(err);
                rc = pko_err_field(err, PKO_ECONFLICT, "period",
                                   "indicator %.64s already has a data point for %.16s and this "
                                   "disaggregation",
                                   json_string_value(json_object_get(ind, "name")),
                                   json_string_value(json_object_get(b, "period")));
            }
        }
        json_decref(b);
        rc = at_item(rc, err, "datapoints", i, o);
        if (!rc)
            cnt->datapoints++;
    }
    json_decref(empty);
    json_decref(byid);
    json_decref(bycode);
    json_decref(byname);
    return rc;
}

/* POST /plans/{id}/import?format=json|csv&what=framework|data: all or
 * nothing, in one transaction. */
static pko_rc h_import(pko_req *req, pko_err *err)
{
    const char *fmt = pko_req_query(req, "format");
    const char *what = pko_req_query(req, "what");
    const char *ct = pko_req_header(req, "Content-Type");
    if (!fmt)
        fmt = ct && !strncmp(ct, "text/csv", 8) ? "csv" : "json";
    const char *data;
    size_t len;
    pko_req_raw_body(req, &data, &len);
    json_t *doc;
    pko_rc rc = cpas_import_parse(data ? data : "", data ? len : 0, fmt, what, &doc, err);
    if (rc)
        return rc;
    rc = cpas_import_check(doc, err);
    json_t *p = NULL;
    if (!rc)
        rc = get_visible(req, &cpas_entity_plan, pko_req_param(req, "id"), &p, err);
    bool fw = json_array_size(json_object_get(doc, "nodes")) ||
              json_array_size(json_object_get(doc, "indicators")) ||
              json_array_size(json_object_get(doc, "drivers")) ||
              json_array_size(json_object_get(doc, "stakeholders"));
    bool data_part = json_array_size(json_object_get(doc, "datapoints")) > 0;
    if (!rc && fw) {
        rc = require_for(req, "cpas.plan", p, err);
        if (!rc && strcmp(json_string_value(json_object_get(p, "status")), "draft"))
            rc = pko_err_set(err, PKO_ECONFLICT,
                             "a framework is imported into a draft plan; this one is %s",
                             json_string_value(json_object_get(p, "status")));
    }
    if (!rc && data_part)
        rc = require_for(req, "cpas.data", p, err);
    pko_tx *tx = NULL;
    if (!rc)
        rc = pko_tx_begin(pko_req_db(req), pko_req_actor(req), &tx, err);
    char detail[160];
    snprintf(detail, sizeof(detail), "cpas plan %s import (%s)",
             p ? json_string_value(json_object_get(p, "id")) : "?", fmt);
    if (!rc)
        rc = pko_tx_bulk(tx, "cpas_import", detail, err);
    import_counts cnt = {0, 0, 0, 0, 0};
    json_t *nmap = json_object(), *imap = json_object();
    if (!rc)
        rc = import_framework(req, tx, p, doc, nmap, imap, &cnt, err);
    if (!rc)
        rc = import_data(req, tx, p, doc, imap, &cnt, err);
    json_decref(nmap);
    json_decref(imap);
    if (rc) {
        pko_tx_rollback(tx);
    } else {
        rc = pko_tx_commit(tx, err);
    }
    if (!rc)
        pko_req_reply(req, 201,
                      json_pack("{s:O, s:{s:I, s:I, s:I, s:I, s:I}}", "plan_id",
                                json_object_get(p, "id"), "imported", "nodes",
                                (json_int_t)cnt.nodes, "indicators", (json_int_t)cnt.indicators,
                                "datapoints", (json_int_t)cnt.datapoints, "drivers",
                                (json_int_t)cnt.drivers, "stakeholders",
                                (json_int_t)cnt.stakeholders));
    json_decref(p);
    json_decref(doc);
    return rc;
}

/* ==== Impact assessments ================================================= */

static pko_rc h_asm_create(pko_req *req, pko_err *err)
{
    json_t *b, *p;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (!rc)
        rc = cpas_validate_assessment(b, err);
    if (!rc)
        rc = check_class(req, b, err);
    if (rc)
        return rc;
    rc = get_visible(req, &cpas_entity_plan, json_string_value(json_object_get(b, "plan_id")), &p,
                     err);
    if (rc == PKO_ENOTFOUND) {
        pko_err_clear(err);
        return pko_err_field(err, PKO_EINVAL, "plan_id", "no such plan");
    }
    if (rc)
        return rc;
    rc = require_for(req, "cpas.plan", p, err);
    if (!rc)
        json_object_set(b, "mission_id", json_object_get(p, "mission_id"));
    json_decref(p);
    if (rc)
        return rc;
    return insert_reply(req, &cpas_entity_assessment, b, err);
}

static pko_rc h_asm_list(pko_req *req, pko_err *err)
{
    const char *pid = pko_req_query(req, "plan_id");
    if (!pid)
        return pko_err_field(err, PKO_EINVAL, "plan_id", "plan_id is required");
    json_t *p, *ids;
    pko_rc rc = get_visible(req, &cpas_entity_plan, pid, &p, err);
    if (rc)
        return rc;
    json_decref(p);
    rc = select_ids(pko_req_db(req),
                    "SELECT id FROM cpas_assessments WHERE plan_id = ?1 ORDER BY rowid", pid, &ids,
                    err);
    if (rc)
        return rc;
    return reply_items(req, &cpas_entity_assessment, ids, err);
}

/* An assessment with its recommendations. */
static pko_rc h_asm_get(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *a, *ids, *recs;
    pko_rc rc = get_visible(req, &cpas_entity_assessment, id, &a, err);
    if (rc)
        return rc;
    rc = select_ids(pko_req_db(req),
                    "SELECT id FROM cpas_recommendations WHERE assessment_id = ?1 ORDER BY rowid",
                    id, &ids, err);
    if (!rc) {
        rc = get_all(req, &cpas_entity_recommendation, ids, &recs, err);
        json_decref(ids);
    }
    if (rc) {
        json_decref(a);
        return rc;
    }
    /* An accepted recommendation not implemented by its due date is
     * overdue (UTC today). */
    {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        char today[16];
        strftime(today, sizeof(today), "%Y-%m-%d", &tm);
        size_t k;
        json_t *x;
        json_array_foreach(recs, k, x)
        {
            const char *st = json_string_value(json_object_get(x, "status"));
            const char *im = json_string_value(json_object_get(x, "implementation"));
            const char *due = json_string_value(json_object_get(x, "due_date"));
            bool accepted = st && !strcmp(st, "accepted");
            json_object_set_new(x, "overdue",
                                json_boolean(accepted && (!im || strcmp(im, "implemented")) && due &&
                                             strcmp(due, today) < 0));
        }
    }
    json_object_set_new(a, "recommendations", recs);
    /* The revisions that followed: plans revising the assessed plan. */
    json_t *revs;
    rc = select_ids(pko_req_db(req),
                    "SELECT id FROM cpas_plans WHERE previous_id = ?1 ORDER BY version_no",
                    json_string_value(json_object_get(a, "plan_id")), &ids, err);
    if (!rc) {
        rc = get_all(req, &cpas_entity_plan, ids, &revs, err);
        json_decref(ids);
    }
    if (rc) {
        json_decref(a);
        return rc;
    }
    json_t *brief = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(revs, i, r)
    json_array_append_new(brief, json_pack("{s:O, s:O, s:O, s:O}", "id", json_object_get(r, "id"),
                                           "version_no", json_object_get(r, "version_no"),
                                           "status", json_object_get(r, "status"), "title",
                                           json_object_get(r, "title")));
    json_decref(revs);
    json_object_set_new(a, "revisions", brief);
    pko_req_reply(req, 200, a);
    return PKO_OK;
}

static pko_rc h_rec_create(pko_req *req, pko_err *err)
{
    json_t *b, *a;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    rc = get_visible(req, &cpas_entity_assessment, pko_req_param(req, "id"), &a, err);
    if (rc)
        return rc;
    rc = require_for(req, "cpas.plan", a, err);
    if (!rc)
        rc = cpas_validate_recommendation(b, err);
    if (!rc)
        rc = check_class(req, b, err);
    if (!rc) {
        json_object_set(b, "mission_id", json_object_get(a, "mission_id"));
        json_object_set(b, "assessment_id", json_object_get(a, "id"));
        json_object_set_new(b, "status", json_string("proposed"));
    }
    json_decref(a);
    if (rc)
        return rc;
    return insert_reply(req, &cpas_entity_recommendation, b, err);
}

/* Leadership's decision on a proposed recommendation: accepted or
 * rejected, with a note; once. */
static pko_rc h_rec_decide(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *b, *r;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    rc = get_visible(req, &cpas_entity_recommendation, id, &r, err);
    if (rc)
        return rc;
    rc = require_for(req, "cpas.approve", r, err);
    bool proposed = !strcmp(json_string_value(json_object_get(r, "status")), "proposed");
    json_decref(r);
    if (rc)
        return rc;
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v)
    {
        if (strcmp(k, "decision") && strcmp(k, "note"))
            return pko_err_field(err, PKO_EINVAL, k, "a decision takes decision and note");
    }
    const char *d = json_string_value(json_object_get(b, "decision"));
    if (!d || (strcmp(d, "accepted") && strcmp(d, "rejected")))
        return pko_err_field(err, PKO_EINVAL, "decision", "decision must be accepted or rejected");
    json_t *note = json_object_get(b, "note");
    if (note && !json_is_null(note) &&
        (!json_is_string(note) || strlen(json_string_value(note)) > 4000))
        return pko_err_field(err, PKO_EINVAL, "note", "note must be text up to 4000 characters");
    if (!proposed)
        return pko_err_field(err, PKO_ECONFLICT, "decision",
                             "leadership has already decided on this recommendation");
    json_t *f = json_pack("{s:s, s:O, s:s}", "status", d, "decision_note",
                          note ? note : json_null(), "decided_by", pko_req_user(req)->user_id);
    rc = update_reply(req, &cpas_entity_recommendation, id, f, 0, err);
    json_decref(f);
    return rc;
}

/* The implementation of an accepted recommendation: not_started,
 * in_progress or implemented, with a note (planners and mission
 * administrators). */
static pko_rc h_rec_implementation(pko_req *req, pko_err *err)
{
    const char *id = pko_req_param(req, "id");
    json_t *b, *r;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v)
    {
        if (strcmp(k, "implementation") && strcmp(k, "note") && strcmp(k, "version"))
            return pko_err_field(err, PKO_EINVAL, k,
                                 "the implementation takes implementation, note and version");
    }
    const char *im = json_string_value(json_object_get(b, "implementation"));
    if (!im || (strcmp(im, "not_started") && strcmp(im, "in_progress") &&
                strcmp(im, "implemented")))
        return pko_err_field(err, PKO_EINVAL, "implementation",
                             "implementation must be not_started, in_progress or implemented");
    json_t *note = json_object_get(b, "note");
    if (note && !json_is_null(note) &&
        (!json_is_string(note) || strlen(json_string_value(note)) > 4000))
        return pko_err_field(err, PKO_EINVAL, "note", "note must be text up to 4000 characters");
    json_t *ver = json_object_get(b, "version");
    if (ver && !json_is_integer(ver))
        return pko_err_field(err, PKO_EINVAL, "version", "version must be an integer");
    rc = get_visible(req, &cpas_entity_recommendation, id, &r, err);
    if (rc)
        return rc;
    rc = require_for(req, "cpas.plan", r, err);
    bool accepted = !strcmp(json_string_value(json_object_get(r, "status")), "accepted");
    json_decref(r);
    if (rc)
        return rc;
    if (!accepted)
        return pko_err_field(err, PKO_ECONFLICT, "implementation",
                             "only a recommendation leadership accepted is implemented");
    json_t *f = json_pack("{s:s, s:O}", "implementation", im, "implementation_note",
                          note ? note : json_null());
    rc = update_reply(req, &cpas_entity_recommendation, id, f, ver ? json_integer_value(ver) : 0,
                      err);
    json_decref(f);
    return rc;
}

/* ==== Module ============================================================= */

static const pko_route cpas_routes[] = {
    {"GET", "/api/v1/cpas/plans", h_plans_list, "cpas.read", 0, 0},
    {"POST", "/api/v1/cpas/plans", h_plans_create, "cpas.plan", 0, 65536},
    {"POST", "/api/v1/cpas/plans/skeleton", h_plans_skeleton, "cpas.plan", 0, 65536},
    {"GET", "/api/v1/cpas/plans/{id}", h_plans_get, "cpas.read", 0, 0},
    {"POST", "/api/v1/cpas/plans/{id}/approve", h_plans_approve, "cpas.approve", 0, 1024},
    {"GET", "/api/v1/cpas/plans/{id}/framework", h_framework_get, "cpas.read", 0, 0},
    {"POST", "/api/v1/cpas/plans/{id}/framework", h_framework_add, "cpas.plan", 0, 16384},
    {"GET", "/api/v1/cpas/plans/{id}/context", h_context_get, "cpas.read", 0, 0},
    {"GET", "/api/v1/cpas/plans/{id}/export", h_export, "cpas.read", 0, 0},
    {"POST", "/api/v1/cpas/plans/{id}/import", h_import, "cpas.data", PKO_ROUTE_RAW_BODY,
     32 * 1024 * 1024},
    {"POST", "/api/v1/cpas/plans/{id}/drivers", h_driver_create, "cpas.plan", 0, 16384},
    {"POST", "/api/v1/cpas/plans/{id}/stakeholders", h_stakeholder_create, "cpas.plan", 0, 16384},
    {"PATCH", "/api/v1/cpas/drivers/{id}", h_driver_update, "cpas.plan", 0, 16384},
    {"DELETE", "/api/v1/cpas/drivers/{id}", h_driver_delete, "cpas.plan", 0, 0},
    {"PATCH", "/api/v1/cpas/stakeholders/{id}", h_stakeholder_update, "cpas.plan", 0, 16384},
    {"DELETE", "/api/v1/cpas/stakeholders/{id}", h_stakeholder_delete, "cpas.plan", 0, 0},
    {"GET", "/api/v1/cpas/plans/{id}/dashboard", h_dashboard, "cpas.read", 0, 0},
    {"GET", "/api/v1/cpas/plans/{id}/factsheet", h_factsheet, "cpas.read", 0, 0},
    {"GET", "/api/v1/cpas/plans/{id}/iati", h_iati, "cpas.read", 0, 0},
    {"GET", "/api/v1/cpas/indicators", h_ind_list, "cpas.read", 0, 0},
    {"POST", "/api/v1/cpas/indicators", h_ind_create, "cpas.plan", 0, 32768},
    {"GET", "/api/v1/cpas/indicators/{id}", h_ind_get, "cpas.read", 0, 0},
    {"PATCH", "/api/v1/cpas/indicators/{id}", h_ind_update, "cpas.plan", 0, 32768},
    {"GET", "/api/v1/cpas/indicators/{id}/datapoints", h_dp_list, "cpas.read", 0, 0},
    {"POST", "/api/v1/cpas/indicators/{id}/datapoints", h_dp_create, "cpas.data", 0, 16384},
    {"PATCH", "/api/v1/cpas/datapoints/{id}", h_dp_update, "cpas.data", 0, 16384},
    {"POST", "/api/v1/cpas/datapoints/{id}/approve", h_dp_approve, "cpas.data.approve", 0, 1024},
    {"GET", "/api/v1/cpas/datapoints/{id}/history", h_dp_history, "cpas.read", 0, 0},
    {"GET", "/api/v1/cpas/assessments", h_asm_list, "cpas.read", 0, 0},
    {"POST", "/api/v1/cpas/assessments", h_asm_create, "cpas.plan", 0, 65536},
    {"GET", "/api/v1/cpas/assessments/{id}", h_asm_get, "cpas.read", 0, 0},
    {"POST", "/api/v1/cpas/assessments/{id}/recommendations", h_rec_create, "cpas.plan", 0,
     16384},
    {"POST", "/api/v1/cpas/recommendations/{id}/decision", h_rec_decide, "cpas.approve", 0,
     8192},
    {"POST", "/api/v1/cpas/recommendations/{id}/implementation", h_rec_implementation,
     "cpas.plan", 0, 8192},
};

static const pko_entity *const cpas_entities[] = {&cpas_entity_plan, &cpas_entity_node,
                                                  &cpas_entity_indicator, &cpas_entity_datapoint,
                                                  &cpas_entity_assessment,
                                                  &cpas_entity_recommendation,
                                                  &cpas_entity_driver, &cpas_entity_stakeholder};

const pko_module pko_module_cpas = {
    .name = "cpas",
    .summary = "planning and performance assessment: plans, results framework, indicators, data",
    .migrations = cpas_migrations,
    .n_migrations = NCOLS(cpas_migrations),
    .entities = cpas_entities,
    .n_entities = NCOLS(cpas_entities),
    .perms = cpas_perms,
    .n_perms = NCOLS(cpas_perms),
    .routes = cpas_routes,
    .n_routes = NCOLS(cpas_routes),
};
