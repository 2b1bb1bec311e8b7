/* SPDX-License-Identifier: MIT
 *
 * The HTTP layer: server, router, sessions and roles, and the module
 * interface every domain module plugs into.
 *
 * A request's path: libmicrohttpd (thread pool) -> body collected under a
 * size cap -> router (404/405) -> authentication (session cookie or API
 * token; 401) -> CSRF check on state-changing cookie requests (403) ->
 * permission check of the route (403) -> JSON body parsed under a depth cap
 * (400 with byte offset) -> handler, holding one store connection with a
 * deadline -> JSON response or the one error shape
 * {"error":{"code":..,"message":..,"field":..}}.
 *
 * This is the only layer that knows HTTP status codes: handlers return a
 * pko_rc and fill a pko_err, and pko_http_status() maps it.
 */
#ifndef PKO_HTTP_HTTP_H
#define PKO_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/store.h"

/* ==== Roles and permissions ============================================== */

typedef enum pko_role {
    PKO_ROLE_VIEWER = 1u << 0,
    PKO_ROLE_REPORTER = 1u << 1,
    PKO_ROLE_ANALYST = 1u << 2,
    PKO_ROLE_PLANNER = 1u << 3,
    PKO_ROLE_FORCE_GENERATION_OFFICER = 1u << 4,
    PKO_ROLE_CONDUCT_OFFICER = 1u << 5,
    PKO_ROLE_MISSION_ADMIN = 1u << 6,
    PKO_ROLE_SYSTEM_ADMIN = 1u << 7,
} pko_role;

#define PKO_ROLES_ALL 0xffu
#define PKO_ROLE_COUNT 8

/* snake_case name of a single role bit, or NULL. */
const char *pko_role_name(unsigned role);
/* Parse "analyst" into its bit; 0 when unknown. */
unsigned pko_role_parse(const char *name);

/* A permission: a name routes and handlers refer to, and the roles that hold
 * it. System administrators hold every permission. A 'global' permission
 * acts on all missions at once (accounts, the audit trail, the change log,
 * imports): the router then accepts only grants without a mission, never a
 * grant scoped to one mission. */
typedef struct pko_perm {
    const char *name;    /* "missions.update" */
    unsigned roles;      /* pko_role bits */
    const char *summary; /* one line for docs and `pko roles` */
    bool global;         /* needs an all-missions grant of one of 'roles' */
} pko_perm;

#define PKO_MAX_GRANTS 32

typedef struct pko_grant {
    unsigned role;    /* one pko_role bit */
    char mission[33]; /* mission acronym, "" = all missions */
} pko_grant;

/* The authenticated caller. */
typedef struct pko_principal {
    char user_id[PKO_ID_LEN];
    char username[65];
    int clearance;       /* pko_class */
    bool via_token;      /* API token (no CSRF) rather than session cookie */
    char session_id[PKO_ID_LEN];
    char csrf[65];       /* session's CSRF token */
    pko_grant grants[PKO_MAX_GRANTS];
    size_t n_grants;
} pko_principal;

/* ==== Requests and routes ================================================ */

typedef struct pko_req pko_req;

/* A handler fills the response with pko_req_reply() and returns PKO_OK, or
 * returns an error code with 'err' filled; the server writes the error. */
typedef pko_rc (*pko_handler)(pko_req *req, pko_err *err);

enum {
    PKO_ROUTE_PUBLIC = 1u << 0,  /* no authentication */
    PKO_ROUTE_NO_CSRF = 1u << 1, /* state-changing but exempt (login) */
    PKO_ROUTE_RAW_BODY = 1u << 2, /* body is not JSON (text/csv); handler reads it raw */
};

typedef struct pko_route {
    const char *method;  /* "GET", "POST", "PATCH", "DELETE" */
    const char *pattern; /* "/api/v1/missions/{id}"; a {name} segment is a parameter */
    pko_handler handler;
    const char *perm;    /* permission required, NULL = any authenticated user */
    unsigned flags;
    size_t max_body;     /* 0 = PKO_MAX_BODY_BYTES */
} pko_route;

/* ==== The module interface =============================================== */

/* A domain module: a folder under src/modules/ whose .c files define one
 * `const pko_module pko_module_<folder>`. The build collects every folder
 * into the module table; nothing else in the tree changes. */
typedef struct pko_module {
    const char *name;    /* folder name, also the migration owner */
    const char *summary; /* one line */
    const pko_migration *migrations;
    size_t n_migrations;
    const pko_entity *const *entities;
    size_t n_entities;
    const pko_perm *perms;
    size_t n_perms;
    const pko_route *routes;
    size_t n_routes;
    /* Optional: run once when `pko serve` starts, after migrations (build
     * caches, log their size). NULL when the module needs nothing. */
    pko_rc (*start)(pko_store *st, pko_err *err);
} pko_module;

/* All modules compiled in, the built-in "auth" module first. */
extern const pko_module *const pko_modules[];
extern const size_t pko_n_modules;
/* The built-in module: sessions, users, tokens, audit, changes, health. */
extern const pko_module pko_module_auth;

/* Register every module's entities with 'st' and apply their migrations. */
PKO_MUST_USE pko_rc pko_modules_setup(pko_store *st, int *applied, pko_err *err);

/* ==== Request accessors for handlers ===================================== */

/* Path parameter {name}, or NULL. Borrowed for the request. */
const char *pko_req_param(pko_req *req, const char *name);
/* Decoded query parameter, or NULL. Borrowed for the request. */
const char *pko_req_query(pko_req *req, const char *name);
/* The parsed JSON object body; NULL when the request had none. */
json_t *pko_req_body(pko_req *req);
/* Like pko_req_body() but fails with PKO_EINVAL when there is none. */
PKO_MUST_USE pko_rc pko_req_body_object(pko_req *req, json_t **out, pko_err *err);
/* The raw request body (for routes with PKO_ROUTE_RAW_BODY). */
void pko_req_raw_body(pko_req *req, const char **data, size_t *len);
/* Request header, or NULL. */
const char *pko_req_header(pko_req *req, const char *name);
/* The caller's address ("127.0.0.1"). */
const char *pko_req_remote(pko_req *req);
/* The caller, or NULL on public routes without a session. */
const pko_principal *pko_req_user(pko_req *req);
/* Author and source for the store's write path. */
const pko_actor *pko_req_actor(pko_req *req);
/* The store connection held for this request (deadline set). */
pko_db *pko_req_db(pko_req *req);
pko_store *pko_req_store(pko_req *req);
/* Arena released with the request. */
pko_arena *pko_req_arena(pko_req *req);

/* Build the read scope for permission 'perm': the caller's clearance and the
 * missions where one of the caller's roles holds 'perm'. */
void pko_req_scope(pko_req *req, const char *perm, pko_scope *out);
/* PKO_OK when the caller holds 'perm' for mission 'acronym' (NULL: for all
 * missions); otherwise PKO_EFORBIDDEN with a message. */
PKO_MUST_USE pko_rc pko_req_require(pko_req *req, const char *perm, const char *acronym,
                                    pko_err *err);
/* True when 'p' holds one of 'roles' (system_admin always counts) for
 * mission 'acronym' (NULL: an all-missions grant is needed; "*": any
 * mission will do). */
bool pko_principal_has_roles(const pko_principal *p, unsigned roles, const char *acronym);
/* The username of user 'id' into 'out' (65 bytes); PKO_ENOTFOUND if none. */
PKO_MUST_USE pko_rc pko_user_name(pko_db *db, const char *id, char out[72]);

/* Read "limit" (1..PKO_PAGE_MAX, default PKO_PAGE_DEFAULT) and "cursor". */
PKO_MUST_USE pko_rc pko_req_page(pko_req *req, const char **cursor, int *limit, pko_err *err);

/* Set the response: 'status' and a JSON body (stolen). */
void pko_req_reply(pko_req *req, int status, json_t *body);
/* Set the response to raw bytes (copied) with a content type. */
void pko_req_reply_raw(pko_req *req, int status, const char *content_type, const char *data,
                       size_t len);
/* A streamed response body: called repeatedly to fill 'buf' (up to 'max'
 * bytes); returns the bytes written, 0 at the end, or -1 on error (the
 * connection is then closed). Runs after the handler returned, on the
 * server's thread; 'ctx' is freed with 'free_ctx' when the response ends. */
typedef long (*pko_stream_fn)(void *ctx, char *buf, size_t max);
void pko_req_reply_stream(pko_req *req, int status, const char *content_type, pko_stream_fn fn,
                          void *ctx, void (*free_ctx)(void *ctx));

/* Add a response header (both strings copied). */
void pko_req_add_header(pko_req *req, const char *name, const char *value);

/* HTTP status for an error code. */
int pko_http_status(pko_rc rc);
/* {"error":{"code":..,"message":..,"field":..}} for 'err' (new reference). */
json_t *pko_http_error_body(const pko_err *err);

/* ==== Router ============================================================= */

typedef struct pko_router pko_router;

pko_router *pko_router_new(void);
void pko_router_free(pko_router *r);
/* Add every route of 'm'. Fails on a malformed pattern or a duplicate. */
PKO_MUST_USE pko_rc pko_router_add_module(pko_router *r, const pko_module *m, pko_err *err);
/* Resolve 'method' and 'path'. On PKO_OK '*route' is set and up to
 * 'max_params' parameters are written to 'names'/'values' (values point
 * into 'path_copy', which the function modifies). PKO_ENOTFOUND when no
 * pattern matches, PKO_EMETHOD when one does but not for this method
 * ('allow' receives "GET, POST"). */
PKO_MUST_USE pko_rc pko_router_match(const pko_router *r, const char *method, char *path_copy,
                                     const pko_route **route, const char **names,
                                     const char **values, size_t max_params, size_t *n_params,
                                     char *allow, size_t allow_len);
/* Visit every route (for the OpenAPI check and `pko routes`). */
void pko_router_each(const pko_router *r, void (*fn)(const pko_route *, void *), void *arg);
/* Look up a permission by name across the registered modules; NULL if none. */
const pko_perm *pko_router_perm(const pko_router *r, const char *name);

/* ==== Query strings ====================================================== */

#define PKO_QUERY_MAX_PAIRS 64

typedef struct pko_query {
    char *names[PKO_QUERY_MAX_PAIRS];  /* decoded, arena-owned */
    char *values[PKO_QUERY_MAX_PAIRS]; /* decoded, arena-owned */
    size_t n;
} pko_query;

/* Parse an application/x-www-form-urlencoded query string (no leading
 * '?'), decoding %XX and '+'. Rejects bad escapes, NUL bytes, invalid
 * UTF-8 and more than PKO_QUERY_MAX_PAIRS pairs with PKO_EINVAL. */
PKO_MUST_USE pko_rc pko_query_parse(pko_arena *a, const char *qs, size_t len, pko_query *out,
                                    pko_err *err);
/* Value of the first 'name' in 'q', or NULL. */
const char *pko_query_get(const pko_query *q, const char *name);

/* ==== Accounts =========================================================== */

/* Parse "analyst:MINUSCA" or "system_admin" into a grant. system_admin is
 * always for all missions: "system_admin:MINUSCA" fails with PKO_EINVAL. */
PKO_MUST_USE pko_rc pko_grant_parse(const char *spec, pko_grant *out, pko_err *err);

/* Create a user with a password (argon2id) and grants, through the store's
 * write path under 'actor'. '*out_id' (may be NULL) gets the id. */
PKO_MUST_USE pko_rc pko_user_add(pko_db *db, const pko_actor *actor, const char *username,
                                 const char *password, int clearance, const pko_grant *grants,
                                 size_t n_grants, char out_id[PKO_ID_LEN], pko_err *err);
/* Change the password of 'username'; in the same transaction every session
 * and API token of the user is revoked. */
PKO_MUST_USE pko_rc pko_user_passwd(pko_db *db, const pko_actor *actor, const char *username,
                                    const char *password, pko_err *err);
/* Disable or enable 'username'. Disabling also revokes every session and API
 * token of the user (enabling does not bring them back). */
PKO_MUST_USE pko_rc pko_user_set_disabled(pko_db *db, const pko_actor *actor,
                                          const char *username, bool disabled, pko_err *err);
PKO_MUST_USE pko_rc pko_user_grant(pko_db *db, const pko_actor *actor, const char *username,
                                   const pko_grant *g, pko_err *err);
PKO_MUST_USE pko_rc pko_user_revoke(pko_db *db, const pko_actor *actor, const char *username,
                                    const pko_grant *g, pko_err *err);
PKO_MUST_USE pko_rc pko_user_set_clearance(pko_db *db, const pko_actor *actor,
                                           const char *username, int clearance, pko_err *err);
/* All users as a JSON array of {id, username, clearance, disabled, roles}. */
PKO_MUST_USE pko_rc pko_user_list(pko_db *db, json_t **out, pko_err *err);

/* Minimum password length enforced by pko_user_add/passwd. */
#define PKO_PASSWORD_MIN 10

/* ==== Server ============================================================= */

typedef struct pko_server pko_server;

typedef struct pko_server_opts {
    const char *listen;   /* "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:8080" */
    const char *tls_cert; /* PEM file, or NULL for plain HTTP */
    const char *tls_key;  /* PEM file */
    int threads;          /* thread pool size; default 4 */
    size_t max_body;      /* default PKO_MAX_BODY_BYTES */
} pko_server_opts;

/* Start serving on a thread pool. 'st' is borrowed until pko_server_stop. */
PKO_MUST_USE pko_rc pko_server_start(const pko_server_opts *opts, pko_store *st,
                                     pko_server **out, pko_err *err);
/* Check 'listen' as pko_server_start() would ("127.0.0.1:8080",
 * "[::1]:0"), without binding: PKO_EINVAL with a message when malformed. */
PKO_MUST_USE pko_rc pko_server_check_listen(const char *listen, pko_err *err);
/* The bound port (useful with port 0). */
int pko_server_port(const pko_server *srv);
/* Stop accepting, finish requests in flight, free. NULL is a no-op. */
void pko_server_stop(pko_server *srv);

/* The OpenAPI document (docs/openapi.yaml rendered as JSON at build time). */
extern const char pko_openapi_json[];

#endif
