/* SPDX-License-Identifier: MIT
 *
 * The built-in "auth" module: health, metrics, the OpenAPI document,
 * sessions, API tokens, users, the audit trail and the change log. It plugs
 * in through the same pko_module interface as the domain modules.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "http/http_int.h"

/* ==== Permissions ======================================================== */

static const pko_perm auth_perms[] = {
    {"users.admin", PKO_ROLE_SYSTEM_ADMIN, "create users and change their roles", .global = true},
    {"audit.read", PKO_ROLE_SYSTEM_ADMIN, "read the audit trail", .global = true},
    {"changes.read", PKO_ROLE_SYSTEM_ADMIN,
     "read the change log (replication; strictly_confidential clearance)", .global = true},
};

/* ==== Handlers =========================================================== */

static pko_rc h_health(pko_req *req, pko_err *err)
{
    static const char q[] = "SELECT count(*) FROM schema_migrations";
    pko_stmt *s;
    int row;
    pko_rc rc = pko_db_prepare(pko_req_db(req), q, &s, err);
    if (!rc) {
        rc = pko_db_step(pko_req_db(req), s, &row, err);
        sqlite3_reset(s);
    }
    if (rc)
        return rc;
    pko_req_reply(req, 200,
                  json_pack("{s:s, s:s, s:s}", "status", "ok", "version", PKO_VERSION, "node",
                            pko_store_node_id(pko_req_store(req))));
    return PKO_OK;
}

static pko_rc h_openapi(pko_req *req, pko_err *err)
{
    (void)err;
    pko_req_reply_raw(req, 200, "application/json; charset=utf-8", pko_openapi_json,
                      strlen(pko_openapi_json));
    return PKO_OK;
}

static json_t *session_body(const pko_principal *p)
{
    return json_pack("{s:{s:s, s:s, s:s, s:o}, s:s}", "user", "id", p->user_id, "username",
                     p->username, "clearance", pko_class_name(p->clearance), "roles",
                     pko_principal_roles_json(p), "csrf_token", p->csrf);
}

static pko_rc h_login(pko_req *req, pko_err *err)
{
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    const char *u = json_string_value(json_object_get(b, "username"));
    const char *pw = json_string_value(json_object_get(b, "password"));
    if (!u || !*u)
        return pko_err_field(err, PKO_EINVAL, "username", "username is required");
    if (!pw)
        return pko_err_field(err, PKO_EINVAL, "password", "password is required");
    pko_principal p;
    char token[65];
    int wait = 0;
    rc = pko_auth_login(pko_req_db(req), u, pw, pko_req_remote(req), &p, token, &wait, err);
    if (rc == PKO_ETHROTTLE) {
        char secs[16];
        snprintf(secs, sizeof(secs), "%d", wait > 0 ? wait : 1);
        pko_req_add_header(req, "Retry-After", secs);
    }
    if (rc)
        return rc;
    char cookie[256];
    snprintf(cookie, sizeof(cookie),
             "pko_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", token,
             PKO_SESSION_TTL_SEC, pko_req_tls(req) ? "; Secure" : "");
    pko_req_add_header(req, "Set-Cookie", cookie);
    pko_req_reply(req, 200, session_body(&p));
    return PKO_OK;
}

static pko_rc h_whoami(pko_req *req, pko_err *err)
{
    (void)err;
    pko_req_reply(req, 200, session_body(pko_req_user(req)));
    return PKO_OK;
}

static pko_rc h_logout(pko_req *req, pko_err *err)
{
    pko_rc rc = pko_auth_logout(pko_req_db(req), pko_req_actor(req), pko_req_user(req), err);
    if (rc)
        return rc;
    pko_req_add_header(req, "Set-Cookie",
                       "pko_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    return PKO_OK; /* 204 */
}

static pko_rc h_token_create(pko_req *req, pko_err *err)
{
    json_t *b;
    /* A leaked token must not be able to mint others that outlive it. */
    if (pko_req_user(req)->via_token)
        return pko_err_set(err, PKO_EFORBIDDEN,
                           "an API token cannot create API tokens; log in and use a session");
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    json_t *days = json_object_get(b, "expires_in_days");
    if (days && (!json_is_integer(days) || json_integer_value(days) < 1 ||
                 json_integer_value(days) > PKO_TOKEN_MAX_DAYS))
        return pko_err_field(err, PKO_EINVAL, "expires_in_days",
                             "expires_in_days must be an integer from 1 to %d (tokens always "
                             "expire)",
                             PKO_TOKEN_MAX_DAYS);
    char token[80], id[PKO_ID_LEN];
    rc = pko_auth_token_create(pko_req_db(req), pko_req_actor(req), pko_req_user(req),
                               json_string_value(json_object_get(b, "name")),
                               days ? (int)json_integer_value(days) : 90, token, id, err);
    if (rc)
        return rc;
    pko_req_reply(req, 201, json_pack("{s:s, s:s, s:s}", "id", id, "token", token, "note",
                                      "store this token now; it cannot be shown again"));
    return PKO_OK;
}

static pko_rc h_tokens_list(pko_req *req, pko_err *err)
{
    json_t *items;
    pko_rc rc = pko_auth_token_list(pko_req_db(req), pko_req_user(req)->user_id, &items, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, json_pack("{s:o}", "items", items));
    return PKO_OK;
}

static pko_rc h_token_revoke(pko_req *req, pko_err *err)
{
    return pko_auth_token_revoke(pko_req_db(req), pko_req_actor(req), pko_req_user(req),
                                 pko_req_param(req, "id"), err); /* 204 */
}

static pko_rc h_users_list(pko_req *req, pko_err *err)
{
    json_t *users;
    pko_rc rc = pko_user_list(pko_req_db(req), &users, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, json_pack("{s:o}", "items", users));
    return PKO_OK;
}

static pko_rc h_users_create(pko_req *req, pko_err *err)
{
    json_t *b;
    pko_rc rc = pko_req_body_object(req, &b, err);
    if (rc)
        return rc;
    const char *u = json_string_value(json_object_get(b, "username"));
    const char *pw = json_string_value(json_object_get(b, "password"));
    json_t *clv = json_object_get(b, "clearance");
    const char *cl = json_string_value(clv);
    json_t *roles = json_object_get(b, "roles");
    if (clv && !cl)
        return pko_err_field(err, PKO_EINVAL, "clearance",
                             "clearance must be unclassified, confidential or strictly_confidential");
    if (!u)
        return pko_err_field(err, PKO_EINVAL, "username", "username is required");
    if (!pw)
        return pko_err_field(err, PKO_EINVAL, "password", "password is required");
    int clearance = cl ? pko_class_parse(cl) : PKO_CLASS_UNCLASSIFIED;
    if (clearance < 0)
        return pko_err_field(err, PKO_EINVAL, "clearance",
                             "clearance must be unclassified, confidential or strictly_confidential");
    if (clearance > pko_req_user(req)->clearance)
        return pko_err_field(err, PKO_EFORBIDDEN, "clearance",
                             "you cannot grant a clearance above your own");
    if (roles && !json_is_array(roles))
        return pko_err_field(err, PKO_EINVAL, "roles", "roles must be an array of role specs");
    pko_grant g[PKO_MAX_GRANTS];
    size_t n = 0, i;
    json_t *r;
    json_array_foreach(roles, i, r)
    {
        if (n == PKO_MAX_GRANTS || !json_is_string(r))
            return pko_err_field(err, PKO_EINVAL, "roles",
                                 "roles must be at most %d strings such as \"analyst:MINUSCA\"",
                                 PKO_MAX_GRANTS);
        rc = pko_grant_parse(json_string_value(r), &g[n++], err);
        if (rc)
            return rc;
    }
    char id[PKO_ID_LEN];
    rc = pko_user_add(pko_req_db(req), pko_req_actor(req), u, pw, clearance, g, n, id, err);
    if (rc)
        return rc;
    pko_req_reply(req, 201, json_pack("{s:s, s:s}", "id", id, "username", u));
    return PKO_OK;
}

/* Parse the "after" sequence cursor of the log endpoints. */
static pko_rc seq_page(pko_req *req, int64_t *after, int *limit, pko_err *err)
{
    const char *cursor;
    pko_rc rc = pko_req_page(req, &cursor, limit, err);
    if (rc)
        return rc;
    const char *a = pko_req_query(req, "after");
    *after = 0;
    if (a) {
        char *end;
        long long v = strtoll(a, &end, 10);
        if (!*a || *end || v < 0)
            return pko_err_field(err, PKO_EINVAL, "after", "after must be a sequence number >= 0");
        *after = v;
    }
    return PKO_OK;
}

static pko_rc h_audit(pko_req *req, pko_err *err)
{
    int64_t after;
    int limit;
    json_t *items;
    pko_rc rc = seq_page(req, &after, &limit, err);
    if (!rc)
        rc = pko_db_audit_list(pko_req_db(req), after, limit, &items, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, json_pack("{s:o}", "items", items));
    return PKO_OK;
}

static pko_rc h_changes(pko_req *req, pko_err *err)
{
    int64_t after;
    int limit;
    json_t *items;
    /* The change log carries every field of every record, whatever its
     * classification: only the highest clearance may read it. */
    if (pko_req_user(req)->clearance < PKO_CLASS_STRICTLY_CONFIDENTIAL)
        return pko_err_set(err, PKO_EFORBIDDEN,
                           "the change log holds records of every classification; reading it "
                           "needs strictly_confidential clearance");
    pko_rc rc = seq_page(req, &after, &limit, err);
    if (!rc)
        rc = pko_db_changes(pko_req_db(req), after, limit, &items, err);
    if (rc)
        return rc;
    pko_req_reply(req, 200, json_pack("{s:o}", "items", items));
    return PKO_OK;
}

/* ==== Module ============================================================= */

static const pko_route auth_routes[] = {
    {"GET", "/healthz", h_health, NULL, PKO_ROUTE_PUBLIC, 0},
    {"GET", "/metrics", pko_http_metrics_handler, NULL, PKO_ROUTE_PUBLIC, 0},
    {"GET", "/api/v1/openapi.json", h_openapi, NULL, PKO_ROUTE_PUBLIC, 0},
    {"POST", "/api/v1/session", h_login, NULL, PKO_ROUTE_PUBLIC | PKO_ROUTE_NO_CSRF, 4096},
    {"GET", "/api/v1/session", h_whoami, NULL, 0, 0},
    {"DELETE", "/api/v1/session", h_logout, NULL, 0, 0},
    {"POST", "/api/v1/tokens", h_token_create, NULL, 0, 4096},
    {"GET", "/api/v1/tokens", h_tokens_list, NULL, 0, 0},
    {"DELETE", "/api/v1/tokens/{id}", h_token_revoke, NULL, 0, 0},
    {"GET", "/api/v1/users", h_users_list, "users.admin", 0, 0},
    {"POST", "/api/v1/users", h_users_create, "users.admin", 0, 8192},
    {"GET", "/api/v1/audit", h_audit, "audit.read", 0, 0},
    {"GET", "/api/v1/changes", h_changes, "changes.read", 0, 0},
};

static const pko_entity *const auth_entities[] = {
    &pko_entity_user, &pko_entity_user_role, &pko_entity_session, &pko_entity_api_token};

const pko_module pko_module_auth = {
    .name = "auth",
    .summary = "accounts, sessions, tokens, audit trail and change log",
    .migrations = pko_auth_migrations,
    .n_migrations = PKO_AUTH_N_MIGRATIONS,
    .entities = auth_entities,
    .n_entities = sizeof(auth_entities) / sizeof(auth_entities[0]),
    .perms = auth_perms,
    .n_perms = sizeof(auth_perms) / sizeof(auth_perms[0]),
    .routes = auth_routes,
    .n_routes = sizeof(auth_routes) / sizeof(auth_routes[0]),
};

pko_rc pko_modules_setup(pko_store *st, int *applied, pko_err *err)
{
    pko_migration_set sets[64];
    size_t n = 0;
    for (size_t i = 0; i < pko_n_modules && n < 64; i++) {
        const pko_module *m = pko_modules[i];
        for (size_t j = 0; j < m->n_entities; j++) {
            pko_rc rc = pko_store_register_entity(st, m->entities[j], err);
            if (rc)
                return rc;
        }
        if (m->n_migrations)
            sets[n++] = (pko_migration_set){m->name, m->migrations, m->n_migrations};
    }
    return pko_store_migrate(st, sets, n, applied, err);
}
