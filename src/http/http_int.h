/* SPDX-License-Identifier: MIT
 * Internals shared by src/http files; not for modules. */
#ifndef PKO_HTTP_INT_H
#define PKO_HTTP_INT_H

#include "http/http.h"

extern const pko_entity pko_entity_user;
extern const pko_entity pko_entity_user_role;
extern const pko_entity pko_entity_session;
extern const pko_entity pko_entity_api_token;
extern const pko_migration pko_auth_migrations[];
#define PKO_AUTH_N_MIGRATIONS 1 /* entries in pko_auth_migrations */

/* True when the server speaks TLS (cookies get the Secure flag). */
bool pko_req_tls(pko_req *req);

/* Check 'username'/'password' from 'remote', applying throttling; on success
 * create a session and fill 'p', '*token' (cookie value, 64 hex). When
 * throttled, '*retry_after' (may be NULL) receives the seconds to wait. */
pko_rc pko_auth_login(pko_db *db, const char *username, const char *password, const char *remote,
                      pko_principal *p, char token[65], int *retry_after, pko_err *err);
/* Resolve a session cookie value into 'p'. PKO_EAUTH when unknown/expired. */
pko_rc pko_auth_session(pko_db *db, const char *token, pko_principal *p, pko_err *err);
/* Resolve an "Authorization: Bearer" API token into 'p'. */
pko_rc pko_auth_bearer(pko_db *db, const char *token, pko_principal *p, pko_err *err);
/* Revoke the session of 'p'. */
pko_rc pko_auth_logout(pko_db *db, const pko_actor *actor, const pko_principal *p, pko_err *err);
/* Longest life of an API token, in days: every token expires. */
#define PKO_TOKEN_MAX_DAYS 365

/* Create an API token for 'p' named 'name', valid for 'days' (1 to
 * PKO_TOKEN_MAX_DAYS); '*token' receives it once. */
pko_rc pko_auth_token_create(pko_db *db, const pko_actor *actor, const pko_principal *p,
                             const char *name, int days, char token[80], char id[PKO_ID_LEN],
                             pko_err *err);
/* The API tokens of user 'user_id' as a JSON array of {id, name,
 * created_at, expires_at, revoked, expired}, never their secrets. */
pko_rc pko_auth_token_list(pko_db *db, const char *user_id, json_t **out, pko_err *err);
/* Revoke API token 'id', through the write path. 'p' may revoke its own
 * tokens, an all-missions system_admin anyone's; any other token (or none)
 * is PKO_ENOTFOUND. Revoking a revoked token succeeds. */
pko_rc pko_auth_token_revoke(pko_db *db, const pko_actor *actor, const pko_principal *p,
                             const char *id, pko_err *err);
/* The grants of a principal as ["analyst:MINUSCA", ...]. */
json_t *pko_principal_roles_json(const pko_principal *p);
/* True when 'p' holds one of 'roles' (system_admin always counts) for
 * mission 'acronym' (NULL = needs an all-missions grant; "*" = any mission). */
bool pko_principal_has(const pko_principal *p, unsigned roles, const char *acronym);

/* The throttling slot (0..4095) a username ('user' true, already folded to
 * lower case) or a source address maps to under this process's secret key;
 * IPv6 addresses map by their /64. For tests. */
unsigned pko_auth_throttle_slot(bool user, const char *value);
/* Forget every failure and lock (the tables are per process; unit tests
 * start each case from a clean table). */
void pko_auth_throttle_reset(void);

/* Throttling counters for /metrics. */
uint64_t pko_auth_throttled_total(void);
uint64_t pko_auth_failures_total(void);

/* GET /metrics, implemented next to the counters in server.c. */
pko_rc pko_http_metrics_handler(pko_req *req, pko_err *err);

#endif
