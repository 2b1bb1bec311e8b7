/* SPDX-License-Identifier: MIT
 *
 * Accounts, roles, sessions, API tokens and login throttling.
 *
 * Passwords are stored as libsodium crypto_pwhash_str strings (argon2id,
 * interactive limits). Session cookies and API tokens are 256-bit random
 * values stored only as BLAKE2b digests, so a stolen database copy does not
 * hold usable credentials. Every change to these tables goes through the
 * store's write path and so lands in the change log and the audit trail;
 * the digests are marked secret and appear there as "[redacted]".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/limits.h"
#include "core/log.h"
#include "http/http_int.h"

/* ==== Schema ============================================================= */

#define STD_COLS                                                                                 \
    "id TEXT PRIMARY KEY, version INTEGER NOT NULL, classification INTEGER NOT NULL DEFAULT 0," \
    " created_at TEXT NOT NULL, updated_at TEXT NOT NULL"

const pko_migration pko_auth_migrations[PKO_AUTH_N_MIGRATIONS] = {
    {1, "CREATE TABLE users(" STD_COLS ","
        " username TEXT NOT NULL UNIQUE COLLATE NOCASE,"
        " password_hash TEXT NOT NULL,"
        " clearance INTEGER NOT NULL DEFAULT 0 CHECK (clearance BETWEEN 0 AND 2),"
        " disabled INTEGER NOT NULL DEFAULT 0) STRICT;"
        "CREATE TABLE user_roles(" STD_COLS ","
        " user_id TEXT NOT NULL REFERENCES users(id),"
        " role TEXT NOT NULL,"
        " mission TEXT NOT NULL DEFAULT '',"
        " UNIQUE (user_id, role, mission)) STRICT;"
        "CREATE TABLE sessions(" STD_COLS ","
        " user_id TEXT NOT NULL REFERENCES users(id),"
        " token_hash TEXT NOT NULL UNIQUE,"
        " csrf_token TEXT NOT NULL,"
        " expires_at INTEGER NOT NULL,"
        " source TEXT,"
        " revoked INTEGER NOT NULL DEFAULT 0) STRICT;"
        "CREATE TABLE api_tokens(" STD_COLS ","
        " user_id TEXT NOT NULL REFERENCES users(id),"
        " name TEXT NOT NULL,"
        " token_hash TEXT NOT NULL UNIQUE,"
        " expires_at INTEGER,"
        " revoked INTEGER NOT NULL DEFAULT 0) STRICT;"},
};
_Static_assert(sizeof(pko_auth_migrations) / sizeof(pko_auth_migrations[0]) ==
                   PKO_AUTH_N_MIGRATIONS,
               "update PKO_AUTH_N_MIGRATIONS");

static const pko_col user_cols[] = {
    {"username", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"password_hash", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_SECRET},
    {"clearance", PKO_COL_INT, 0},
    {"disabled", PKO_COL_BOOL, 0},
};
const pko_entity pko_entity_user = {"user", "users", user_cols, 4, NULL, 0};

static const pko_col role_cols[] = {
    {"user_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"role", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"mission", PKO_COL_TEXT, PKO_COL_READONLY},
};
const pko_entity pko_entity_user_role = {"user_role", "user_roles", role_cols, 3, NULL, 0};

static const pko_col session_cols[] = {
    {"user_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"token_hash", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_SECRET},
    {"csrf_token", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_SECRET},
    {"expires_at", PKO_COL_INT, PKO_COL_REQUIRED},
    {"source", PKO_COL_TEXT, 0},
    {"revoked", PKO_COL_BOOL, 0},
};
const pko_entity pko_entity_session = {"session",    "sessions", session_cols, 6, NULL,
                                       PKO_ENTITY_LOCAL};

static const pko_col token_cols[] = {
    {"user_id", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_READONLY},
    {"name", PKO_COL_TEXT, PKO_COL_REQUIRED},
    {"token_hash", PKO_COL_TEXT, PKO_COL_REQUIRED | PKO_COL_SECRET},
    {"expires_at", PKO_COL_INT, 0},
    {"revoked", PKO_COL_BOOL, 0},
};
const pko_entity pko_entity_api_token = {"api_token", "api_tokens", token_cols, 5, NULL,
                                         PKO_ENTITY_LOCAL};

/* ==== Roles ============================================================== */

static const char *const role_names[PKO_ROLE_COUNT] = {
    "viewer",  "reporter",        "analyst",       "planner", "force_generation_officer",
    "conduct_officer", "mission_admin", "system_admin",
};

const char *pko_role_name(unsigned role)
{
    for (int i = 0; i < PKO_ROLE_COUNT; i++)
        if (role == (1u << i))
            return role_names[i];
    return NULL;
}

unsigned pko_role_parse(const char *name)
{
    for (int i = 0; i < PKO_ROLE_COUNT; i++)
        if (strcmp(name, role_names[i]) == 0)
            return 1u << i;
    return 0;
}

pko_rc pko_grant_parse(const char *spec, pko_grant *out, pko_err *err)
{
    char role[64];
    const char *colon = strchr(spec, ':');
    size_t rl = colon ? (size_t)(colon - spec) : strlen(spec);
    if (rl >= sizeof(role))
        return pko_err_field(err, PKO_EINVAL, "role", "unknown role in \"%s\"", spec);
    memcpy(role, spec, rl);
    role[rl] = '\0';
    out->role = pko_role_parse(role);
    if (!out->role)
        return pko_err_field(err, PKO_EINVAL, "role",
                             "unknown role \"%s\"; roles are viewer, reporter, analyst, planner, "
                             "force_generation_officer, conduct_officer, mission_admin, "
                             "system_admin",
                             role);
    out->mission[0] = '\0';
    if (colon) {
        const char *m = colon + 1;
        size_t ml = strlen(m);
        if (ml == 0 || ml >= sizeof(out->mission))
            return pko_err_field(err, PKO_EINVAL, "role",
                                 "mission in \"%s\" must be an acronym of 1 to 32 characters",
                                 spec);
        for (size_t i = 0; i < ml; i++)
            if (!((m[i] >= 'A' && m[i] <= 'Z') || (m[i] >= '0' && m[i] <= '9') || m[i] == '-'))
                return pko_err_field(err, PKO_EINVAL, "role",
                                     "mission in \"%s\" must be an upper-case acronym such as "
                                     "MINUSCA",
                                     spec);
        if (out->role == PKO_ROLE_SYSTEM_ADMIN)
            return pko_err_field(err, PKO_EINVAL, "role",
                                 "system_admin cannot be limited to one mission (\"%s\"): it "
                                 "always holds for all missions; use mission_admin:%s for one "
                                 "mission",
                                 spec, m);
        memcpy(out->mission, m, ml + 1);
    }
    return PKO_OK;
}

bool pko_principal_has(const pko_principal *p, unsigned roles, const char *acronym)
{
    roles |= PKO_ROLE_SYSTEM_ADMIN;
    for (size_t i = 0; i < p->n_grants; i++) {
        const pko_grant *g = &p->grants[i];
        if (!(g->role & roles))
            continue;
        if (g->mission[0] == '\0')
            return true;
        if (acronym && (strcmp(acronym, "*") == 0 || strcmp(acronym, g->mission) == 0))
            return true;
    }
    return false;
}

bool pko_principal_has_roles(const pko_principal *p, unsigned roles, const char *acronym)
{
    return pko_principal_has(p, roles, acronym);
}

pko_rc pko_user_name(pko_db *db, const char *id, char out[72])
{
    static const char q[] = "SELECT username FROM users WHERE id = ?1";
    pko_stmt *s;
    int row;
    pko_err e;
    pko_err_clear(&e);
    if (!id || pko_db_prepare(db, q, &s, &e))
        return PKO_ENOTFOUND;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    pko_rc rc = pko_db_step(db, s, &row, &e);
    if (!rc && row)
        snprintf(out, 72, "%s", sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return !rc && row ? PKO_OK : PKO_ENOTFOUND;
}

json_t *pko_principal_roles_json(const pko_principal *p)
{
    json_t *a = json_array();
    for (size_t i = 0; i < p->n_grants; i++) {
        char s[128];
        snprintf(s, sizeof(s), "%s%s%s", pko_role_name(p->grants[i].role),
                 p->grants[i].mission[0] ? ":" : "", p->grants[i].mission);
        json_array_append_new(a, json_string(s));
    }
    return a;
}

/* ==== Helpers ============================================================ */

/* Hex BLAKE2b-256 of a credential, as stored. */
static void cred_hash(const char *token, char out[65])
{
    unsigned char d[32];
    crypto_generichash(d, sizeof(d), (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 65, d, sizeof(d));
}

static pko_rc check_password(const char *pw, pko_err *err)
{
    size_t n = strlen(pw);
    if (n < PKO_PASSWORD_MIN)
        return pko_err_field(err, PKO_EINVAL, "password",
                             "password must be at least %d characters", PKO_PASSWORD_MIN);
    if (n > 1024)
        return pko_err_field(err, PKO_EINVAL, "password", "password is longer than 1024 bytes");
    return PKO_OK;
}

static pko_rc hash_password(const char *pw, char out[crypto_pwhash_STRBYTES], pko_err *err)
{
    if (crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return pko_err_set(err, PKO_ENOMEM, "not enough memory to hash the password");
    return PKO_OK;
}

static pko_rc check_username(const char *u, pko_err *err)
{
    size_t n = strlen(u);
    if (n < 2 || n > 64)
        return pko_err_field(err, PKO_EINVAL, "username", "username must be 2 to 64 characters");
    for (size_t i = 0; i < n; i++) {
        char c = u[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == '@'))
            return pko_err_field(err, PKO_EINVAL, "username",
                                 "username may hold letters, digits and . _ - @ only");
    }
    return PKO_OK;
}

/* Find a user's id (and disabled flag) by name. */
static pko_rc find_user(pko_db *db, const char *username, char id[PKO_ID_LEN], pko_err *err)
{
    static const char q[] = "SELECT id FROM users WHERE username = ?1";
    pko_stmt *s;
    int row;
    pko_rc rc = pko_db_prepare(db, q, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, username, -1, SQLITE_TRANSIENT);
    rc = pko_db_step(db, s, &row, err);
    if (!rc && row)
        snprintf(id, PKO_ID_LEN, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    if (!rc && !row)
        rc = pko_err_field(err, PKO_ENOTFOUND, "username", "no user named %s", username);
    return rc;
}

/* Run 'fn' inside a write transaction. */
typedef pko_rc (*tx_fn)(pko_tx *tx, void *arg, pko_err *err);
static pko_rc in_tx(pko_db *db, const pko_actor *actor, tx_fn fn, void *arg, pko_err *err)
{
    pko_tx *tx;
    pko_rc rc = pko_tx_begin(db, actor, &tx, err);
    if (rc)
        return rc;
    rc = fn(tx, arg, err);
    if (rc) {
        pko_tx_rollback(tx);
        return rc;
    }
    return pko_tx_commit(tx, err);
}

/* ==== Users ============================================================== */

typedef struct user_args {
    const char *username, *password_hash;
    int clearance;
    const pko_grant *grants;
    size_t n_grants;
    char *out_id;
    bool disabled;
} user_args;

static pko_rc add_grant_tx(pko_tx *tx, const char *user_id, const pko_grant *g, pko_err *err)
{
    if (g->role == PKO_ROLE_SYSTEM_ADMIN && g->mission[0])
        return pko_err_field(err, PKO_EINVAL, "role",
                             "system_admin cannot be limited to one mission (%s)", g->mission);
    json_t *f = json_pack("{s:s, s:s, s:s}", "user_id", user_id, "role", pko_role_name(g->role),
                          "mission", g->mission);
    char rid[PKO_ID_LEN];
    pko_rc rc = pko_tx_insert(tx, &pko_entity_user_role, f, rid, err);
    json_decref(f);
    if (rc == PKO_ECONFLICT) {
        pko_err_clear(err);
        return PKO_OK; /* already held */
    }
    return rc;
}

static pko_rc user_add_tx(pko_tx *tx, void *arg, pko_err *err)
{
    user_args *a = arg;
    char id[PKO_ID_LEN];
    json_t *f = json_pack("{s:s, s:s, s:i, s:b}", "username", a->username, "password_hash",
                          a->password_hash, "clearance", a->clearance, "disabled", 0);
    pko_rc rc = pko_tx_insert(tx, &pko_entity_user, f, id, err);
    json_decref(f);
    if (rc == PKO_ECONFLICT) {
        pko_err_clear(err);
        return pko_err_field(err, PKO_ECONFLICT, "username", "a user named %s exists",
                             a->username);
    }
    for (size_t i = 0; !rc && i < a->n_grants; i++)
        rc = add_grant_tx(tx, id, &a->grants[i], err);
    if (!rc && a->out_id)
        memcpy(a->out_id, id, PKO_ID_LEN);
    return rc;
}

pko_rc pko_user_add(pko_db *db, const pko_actor *actor, const char *username,
                    const char *password, int clearance, const pko_grant *grants, size_t n_grants,
                    char out_id[PKO_ID_LEN], pko_err *err)
{
    pko_rc rc = check_username(username, err);
    if (!rc)
        rc = check_password(password, err);
    if (rc)
        return rc;
    if (clearance < 0 || clearance > PKO_CLASS_STRICTLY_CONFIDENTIAL)
        return pko_err_field(err, PKO_EINVAL, "clearance", "unknown clearance");
    char hash[crypto_pwhash_STRBYTES];
    rc = hash_password(password, hash, err);
    if (rc)
        return rc;
    user_args a = {username, hash, clearance, grants, n_grants, out_id, false};
    return in_tx(db, actor, user_add_tx, &a, err);
}

/* Revoke every live session and API token of user 'user_id' inside 'tx',
 * through the write path (each is an update in the change log and the
 * audit trail). */
static pko_rc revoke_all_tx(pko_tx *tx, const char *user_id, pko_err *err)
{
    static const char q_s[] =
        "SELECT id FROM sessions WHERE user_id=?1 AND revoked=0 AND expires_at > ?2";
    static const char q_t[] = "SELECT id FROM api_tokens WHERE user_id=?1 AND revoked=0"
                              " AND (expires_at IS NULL OR expires_at > ?2)";
    const char *const qs[] = {q_s, q_t};
    const pko_entity *const es[] = {&pko_entity_session, &pko_entity_api_token};
    pko_db *db = pko_tx_db(tx);
    pko_rc rc = PKO_OK;
    for (int k = 0; !rc && k < 2; k++) {
        pko_stmt *s;
        rc = pko_db_prepare(db, qs[k], &s, err);
        if (rc)
            break;
        sqlite3_bind_text(s, 1, user_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 2, pko_now_ms() / 1000);
        json_t *ids = json_array(); /* collected first: updates follow */
        for (;;) {
            int row;
            rc = pko_db_step(db, s, &row, err);
            if (rc || !row)
                break;
            json_array_append_new(ids, json_string((const char *)sqlite3_column_text(s, 0)));
        }
        sqlite3_reset(s);
        size_t i;
        json_t *id;
        json_t *f = json_pack("{s:b}", "revoked", 1);
        json_array_foreach(ids, i, id)
        {
            if (rc)
                break;
            rc = pko_tx_update(tx, es[k], json_string_value(id), f, 0, err);
        }
        json_decref(f);
        json_decref(ids);
    }
    return rc;
}

typedef struct user_update_args {
    const char *username;
    json_t *fields;
    bool revoke; /* also revoke every session and API token */
} user_update_args;

static pko_rc user_update_tx(pko_tx *tx, void *arg, pko_err *err)
{
    user_update_args *a = arg;
    char id[PKO_ID_LEN];
    pko_rc rc = find_user(pko_tx_db(tx), a->username, id, err);
    if (!rc)
        rc = pko_tx_update(tx, &pko_entity_user, id, a->fields, 0, err);
    if (!rc && a->revoke)
        rc = revoke_all_tx(tx, id, err);
    return rc;
}

static pko_rc user_update(pko_db *db, const pko_actor *actor, const char *username, json_t *f,
                          bool revoke, pko_err *err)
{
    user_update_args a = {username, f, revoke};
    pko_rc rc = in_tx(db, actor, user_update_tx, &a, err);
    json_decref(f);
    return rc;
}

pko_rc pko_user_passwd(pko_db *db, const pko_actor *actor, const char *username,
                       const char *password, pko_err *err)
{
    pko_rc rc = check_password(password, err);
    if (rc)
        return rc;
    char hash[crypto_pwhash_STRBYTES];
    rc = hash_password(password, hash, err);
    if (rc)
        return rc;
    return user_update(db, actor, username, json_pack("{s:s}", "password_hash", hash), true, err);
}

pko_rc pko_user_set_disabled(pko_db *db, const pko_actor *actor, const char *username,
                             bool disabled, pko_err *err)
{
    return user_update(db, actor, username, json_pack("{s:b}", "disabled", disabled), disabled,
                       err);
}

pko_rc pko_user_set_clearance(pko_db *db, const pko_actor *actor, const char *username,
                              int clearance, pko_err *err)
{
    if (clearance < 0 || clearance > PKO_CLASS_STRICTLY_CONFIDENTIAL)
        return pko_err_field(err, PKO_EINVAL, "clearance", "unknown clearance");
    return user_update(db, actor, username, json_pack("{s:i}", "clearance", clearance), false,
                       err);
}

typedef struct grant_args {
    const char *username;
    const pko_grant *g;
} grant_args;

static pko_rc grant_tx(pko_tx *tx, void *arg, pko_err *err)
{
    grant_args *a = arg;
    char id[PKO_ID_LEN];
    pko_rc rc = find_user(pko_tx_db(tx), a->username, id, err);
    if (!rc)
        rc = add_grant_tx(tx, id, a->g, err);
    return rc;
}

pko_rc pko_user_grant(pko_db *db, const pko_actor *actor, const char *username,
                      const pko_grant *g, pko_err *err)
{
    grant_args a = {username, g};
    return in_tx(db, actor, grant_tx, &a, err);
}

static pko_rc revoke_tx(pko_tx *tx, void *arg, pko_err *err)
{
    static const char q[] = "SELECT id FROM user_roles WHERE user_id=?1 AND role=?2 AND mission=?3";
    grant_args *a = arg;
    pko_db *db = pko_tx_db(tx);
    char uid[PKO_ID_LEN], rid[PKO_ID_LEN];
    pko_rc rc = find_user(db, a->username, uid, err);
    if (rc)
        return rc;
    pko_stmt *s;
    int row;
    rc = pko_db_prepare(db, q, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, uid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, pko_role_name(a->g->role), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, a->g->mission, -1, SQLITE_TRANSIENT);
    rc = pko_db_step(db, s, &row, err);
    if (!rc && row)
        snprintf(rid, sizeof(rid), "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    if (rc)
        return rc;
    if (!row)
        return pko_err_field(err, PKO_ENOTFOUND, "role", "%s does not hold %s%s%s", a->username,
                             pko_role_name(a->g->role), a->g->mission[0] ? ":" : "",
                             a->g->mission);
    return pko_tx_delete(tx, &pko_entity_user_role, rid, err);
}

pko_rc pko_user_revoke(pko_db *db, const pko_actor *actor, const char *username,
                       const pko_grant *g, pko_err *err)
{
    grant_args a = {username, g};
    return in_tx(db, actor, revoke_tx, &a, err);
}

pko_rc pko_user_list(pko_db *db, json_t **out, pko_err *err)
{
    static const char q[] =
        "SELECT u.id, u.username, u.clearance, u.disabled, u.created_at,"
        " (SELECT json_group_array(r.role || CASE WHEN r.mission = '' THEN '' ELSE ':' ||"
        " r.mission END) FROM (SELECT role, mission FROM user_roles WHERE user_id = u.id"
        " ORDER BY role, mission) r)"
        " FROM users u ORDER BY u.username";
    pko_stmt *s;
    *out = NULL;
    pko_rc rc = pko_db_prepare(db, q, &s, err);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (;;) {
        int row;
        rc = pko_db_step(db, s, &row, err);
        if (rc || !row)
            break;
        json_t *roles = json_loads((const char *)sqlite3_column_text(s, 5), 0, NULL);
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s, s:b, s:s, s:o}", "id", sqlite3_column_text(s, 0),
                           "username", sqlite3_column_text(s, 1), "clearance",
                           pko_class_name(sqlite3_column_int(s, 2)), "disabled",
                           sqlite3_column_int(s, 3), "created_at", sqlite3_column_text(s, 4),
                           "roles", roles ? roles : json_array()));
    }
    sqlite3_reset(s);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return PKO_OK;
}

/* ==== Throttling ========================================================= */

/* Failed logins are counted per account and per source address (IPv6 by
 * /64: one host holds a whole /64) in two fixed tables. After
 * PKO_LOGIN_MAX_FAILURES failures within PKO_LOGIN_WINDOW_SEC the key is
 * locked for 30 s, doubling with every further failure up to 15 minutes.
 * Source addresses get four times the allowance (an office behind NAT).
 *
 * A slot is chosen by SipHash under a key drawn at startup, so nobody can
 * compute which names share a slot. A slot that is locked or inside its
 * window is never handed to another key: a colliding key's failures count
 * into it (the two then share one counter and one lock), which only makes
 * throttling stricter; a success clears a slot only when it was never
 * shared. */
#define THROTTLE_SLOTS 4096

typedef struct throttle_slot {
    uint64_t key;
    int64_t window_start_ms;
    int failures;
    int64_t locked_until_ms;
    bool shared; /* another key counted into this slot */
} throttle_slot;

typedef struct throttle_table {
    throttle_slot slots[THROTTLE_SLOTS];
    int allowance;
} throttle_table;

static throttle_table t_users = {.allowance = PKO_LOGIN_MAX_FAILURES};
static throttle_table t_addrs = {.allowance = 4 * PKO_LOGIN_MAX_FAILURES};
static pthread_mutex_t throttle_mu = PTHREAD_MUTEX_INITIALIZER;
static _Atomic uint64_t n_throttled, n_failures;
static unsigned char throttle_secret[crypto_shorthash_KEYBYTES];
static pthread_once_t throttle_once = PTHREAD_ONCE_INIT;

static void throttle_init(void)
{
    randombytes_buf(throttle_secret, sizeof(throttle_secret));
}

/* The key of 'v' ("user:amina", "addr:10.0.0.1"): SipHash-2-4 under the
 * process's secret; never 0 (0 marks a free slot). */
static uint64_t throttle_key(const char *kind, const char *v)
{
    pthread_once(&throttle_once, throttle_init);
    char buf[160];
    int n = snprintf(buf, sizeof(buf), "%s%s", kind, v);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
    unsigned char d[crypto_shorthash_BYTES];
    crypto_shorthash(d, (const unsigned char *)buf, len, throttle_secret);
    uint64_t k = 0;
    for (int i = 0; i < 8; i++)
        k = (k << 8) | d[i];
    return k ? k : 1;
}

/* The throttling identity of a source address: IPv6 addresses by their
 * /64 prefix ("2001:db8:1:2::/64"), IPv4 (also IPv4-mapped) as they are. */
static void throttle_addr(const char *remote, char out[64])
{
    unsigned char a[16];
    if (inet_pton(AF_INET6, remote, a) == 1) {
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(a, mapped, 12) == 0) {
            inet_ntop(AF_INET, a + 12, out, 64);
            return;
        }
        memset(a + 8, 0, 8);
        char p[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, a, p, sizeof(p));
        snprintf(out, 64, "%s/64", p);
        return;
    }
    snprintf(out, 64, "%s", remote);
}

unsigned pko_auth_throttle_slot(bool user, const char *value)
{
    char addr[64];
    if (user)
        return (unsigned)(throttle_key("user:", value) % THROTTLE_SLOTS);
    throttle_addr(value, addr);
    return (unsigned)(throttle_key("addr:", addr) % THROTTLE_SLOTS);
}

static bool slot_active(const throttle_slot *s, int64_t now)
{
    return s->locked_until_ms > now ||
           (s->failures > 0 && now - s->window_start_ms <= PKO_LOGIN_WINDOW_SEC * 1000LL);
}

/* Seconds the key must still wait, 0 if free. A locked slot holds every key
 * that maps to it (the colliding keys share it). */
static int64_t throttle_wait(throttle_table *t, uint64_t key, int64_t now)
{
    throttle_slot *s = &t->slots[key % THROTTLE_SLOTS];
    if (s->locked_until_ms <= now)
        return 0;
    return (s->locked_until_ms - now + 999) / 1000;
}

static void throttle_fail(throttle_table *t, uint64_t key, int64_t now)
{
    throttle_slot *s = &t->slots[key % THROTTLE_SLOTS];
    if (!slot_active(s, now)) {
        memset(s, 0, sizeof(*s));
        s->key = key;
        s->window_start_ms = now;
    } else if (s->key != key) {
        s->shared = true; /* count into the active slot, never reset it */
    }
    s->failures++;
    if (s->failures >= t->allowance) {
        int over = s->failures - t->allowance;
        int64_t lock = 30000LL << (over > 5 ? 5 : over);
        if (lock > 15 * 60 * 1000LL)
            lock = 15 * 60 * 1000LL;
        if (now + lock > s->locked_until_ms)
            s->locked_until_ms = now + lock;
    }
}

static void throttle_ok(throttle_table *t, uint64_t key, int64_t now)
{
    throttle_slot *s = &t->slots[key % THROTTLE_SLOTS];
    if (s->key == key && !s->shared && s->locked_until_ms <= now)
        memset(s, 0, sizeof(*s));
}

void pko_auth_throttle_reset(void)
{
    pthread_mutex_lock(&throttle_mu);
    memset(t_users.slots, 0, sizeof(t_users.slots));
    memset(t_addrs.slots, 0, sizeof(t_addrs.slots));
    pthread_mutex_unlock(&throttle_mu);
}

uint64_t pko_auth_throttled_total(void)
{
    return atomic_load(&n_throttled);
}

uint64_t pko_auth_failures_total(void)
{
    return atomic_load(&n_failures);
}

/* ==== Sessions =========================================================== */

/* Load grants of user 'p->user_id'. */
static pko_rc load_grants(pko_db *db, pko_principal *p, pko_err *err)
{
    static const char q[] =
        "SELECT role, mission FROM user_roles WHERE user_id=?1 ORDER BY role, mission";
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db, q, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, p->user_id, -1, SQLITE_TRANSIENT);
    p->n_grants = 0;
    for (;;) {
        int row;
        rc = pko_db_step(db, s, &row, err);
        if (rc || !row)
            break;
        if (p->n_grants == PKO_MAX_GRANTS)
            continue;
        pko_grant *g = &p->grants[p->n_grants];
        g->role = pko_role_parse((const char *)sqlite3_column_text(s, 0));
        snprintf(g->mission, sizeof(g->mission), "%s", (const char *)sqlite3_column_text(s, 1));
        if (g->role)
            p->n_grants++;
    }
    sqlite3_reset(s);
    return rc;
}

typedef struct login_args {
    const char *user_id, *remote;
    char token_hash[65], csrf[65];
    char session_id[PKO_ID_LEN];
} login_args;

static pko_rc login_tx(pko_tx *tx, void *arg, pko_err *err)
{
    login_args *a = arg;
    json_t *f = json_pack("{s:s, s:s, s:s, s:I, s:s, s:b}", "user_id", a->user_id, "token_hash",
                          a->token_hash, "csrf_token", a->csrf, "expires_at",
                          (json_int_t)(pko_now_ms() / 1000 + PKO_SESSION_TTL_SEC), "source",
                          a->remote, "revoked", 0);
    pko_rc rc = pko_tx_insert(tx, &pko_entity_session, f, a->session_id, err);
    json_decref(f);
    if (!rc)
        rc = pko_tx_audit(tx, "login", "user", a->user_id, NULL, err);
    return rc;
}

static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

/* A hash to verify against when the account does not exist. */
static void make_dummy(void)
{
    if (crypto_pwhash_str(dummy_hash, "pko-dummy-password", 18, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        dummy_hash[0] = '\0';
}

pko_rc pko_auth_login(pko_db *db, const char *username, const char *password, const char *remote,
                      pko_principal *p, char token[65], int *retry_after, pko_err *err)
{
    static const char q[] =
        "SELECT id, username, password_hash, clearance, disabled FROM users WHERE username=?1";
    int64_t now = pko_now_ms();
    char folded[65]; /* usernames are case-insensitive, so is throttling */
    size_t ul = 0;
    for (; username[ul] && ul < sizeof(folded) - 1; ul++)
        folded[ul] = (char)tolower((unsigned char)username[ul]);
    folded[ul] = '\0';
    char addr[64];
    throttle_addr(remote, addr);
    uint64_t ku = throttle_key("user:", folded), ka = throttle_key("addr:", addr);
    if (retry_after)
        *retry_after = 0;
    pthread_mutex_lock(&throttle_mu);
    int64_t wait = throttle_wait(&t_users, ku, now);
    int64_t wait_a = throttle_wait(&t_addrs, ka, now);
    pthread_mutex_unlock(&throttle_mu);
    if (wait || wait_a) {
        atomic_fetch_add(&n_throttled, 1);
        if (retry_after)
            *retry_after = (int)(wait > wait_a ? wait : wait_a);
        return pko_err_set(err, PKO_ETHROTTLE,
                           "too many failed logins; try again in %lld seconds",
                           (long long)(wait > wait_a ? wait : wait_a));
    }
    memset(p, 0, sizeof(*p));
    char hash[crypto_pwhash_STRBYTES] = "";
    bool disabled = false, found = false;
    pko_stmt *s;
    int row;
    pko_rc rc = pko_db_prepare(db, q, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, username, -1, SQLITE_TRANSIENT);
    rc = pko_db_step(db, s, &row, err);
    if (!rc && row) {
        found = true;
        snprintf(p->user_id, sizeof(p->user_id), "%s", (const char *)sqlite3_column_text(s, 0));
        snprintf(p->username, sizeof(p->username), "%s", (const char *)sqlite3_column_text(s, 1));
        snprintf(hash, sizeof(hash), "%s", (const char *)sqlite3_column_text(s, 2));
        p->clearance = sqlite3_column_int(s, 3);
        disabled = sqlite3_column_int(s, 4) != 0;
    }
    sqlite3_reset(s);
    if (rc)
        return rc;
    /* Verify even for unknown users, against a fixed hash, so timing does
     * not reveal which accounts exist. */
    if (!found) {
        pthread_once(&dummy_once, make_dummy);
        snprintf(hash, sizeof(hash), "%s", dummy_hash);
    }
    bool pw_ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 && found;
    if (!pw_ok || disabled) {
        atomic_fetch_add(&n_failures, 1);
        pthread_mutex_lock(&throttle_mu);
        throttle_fail(&t_users, ku, now);
        throttle_fail(&t_addrs, ka, now);
        pthread_mutex_unlock(&throttle_mu);
        /* A name that is no account is not kept: it is often a password
         * typed into the wrong field. */
        pko_actor who = {found ? p->user_id : "anonymous", remote};
        pko_err ignored;
        pko_err_clear(&ignored);
        if (pko_db_audit(db, &who, "login_failed", "user", found ? p->user_id : NULL,
                         found ? p->username : "unknown account", &ignored))
            pko_log(PKO_LOG_WARN, "audit_failed", "action", "login_failed", "message",
                    ignored.msg, NULL);
        memset(p, 0, sizeof(*p));
        /* Only someone who knows the password learns that the account is
         * disabled. */
        return pko_err_set(err, PKO_EAUTH, "%s",
                           pw_ok ? "this account is disabled"
                                 : "unknown username or wrong password");
    }
    pthread_mutex_lock(&throttle_mu);
    throttle_ok(&t_users, ku, now);
    pthread_mutex_unlock(&throttle_mu);
    rc = load_grants(db, p, err);
    if (rc)
        return rc;
    login_args a = {.user_id = p->user_id, .remote = remote};
    pko_random_hex(token, 32);
    pko_random_hex(a.csrf, 32);
    cred_hash(token, a.token_hash);
    pko_actor who = {p->user_id, remote};
    rc = in_tx(db, &who, login_tx, &a, err);
    if (rc)
        return rc;
    memcpy(p->csrf, a.csrf, sizeof(p->csrf));
    memcpy(p->session_id, a.session_id, PKO_ID_LEN);
    return PKO_OK;
}

pko_rc pko_auth_session(pko_db *db, const char *token, pko_principal *p, pko_err *err)
{
    static const char q[] =
        "SELECT u.id, u.username, u.clearance, s.id, s.csrf_token FROM sessions s"
        " JOIN users u ON u.id = s.user_id"
        " WHERE s.token_hash=?1 AND s.revoked=0 AND s.expires_at > ?2 AND u.disabled=0";
    char h[65];
    memset(p, 0, sizeof(*p));
    if (strlen(token) != 64)
        return pko_err_set(err, PKO_EAUTH, "the session is not valid; log in again");
    cred_hash(token, h);
    pko_stmt *s;
    int row;
    pko_rc rc = pko_db_prepare(db, q, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, h, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, pko_now_ms() / 1000);
    rc = pko_db_step(db, s, &row, err);
    if (!rc && row) {
        snprintf(p->user_id, sizeof(p->user_id), "%s", (const char *)sqlite3_column_text(s, 0));
        snprintf(p->username, sizeof(p->username), "%s", (const char *)sqlite3_column_text(s, 1));
        p->clearance = sqlite3_column_int(s, 2);
        snprintf(p->session_id, sizeof(p->session_id), "%s",
                 (const char *)sqlite3_column_text(s, 3));
        snprintf(p->csrf, sizeof(p->csrf), "%s", (const char *)sqlite3_column_text(s, 4));
    }
    sqlite3_reset(s);
    if (rc)
        return rc;
    if (!row)
        return pko_err_set(err, PKO_EAUTH, "the session has expired or was closed; log in again");
    return load_grants(db, p, err);
}

pko_rc pko_auth_bearer(pko_db *db, const char *token, pko_principal *p, pko_err *err)
{
    static const char q[] =
        "SELECT u.id, u.username, u.clearance FROM api_tokens t JOIN users u ON u.id = t.user_id"
        " WHERE t.token_hash=?1 AND t.revoked=0 AND (t.expires_at IS NULL OR t.expires_at > ?2)"
        " AND u.disabled=0";
    char h[65];
    memset(p, 0, sizeof(*p));
    cred_hash(token, h);
    pko_stmt *s;
    int row;
    pko_rc rc = pko_db_prepare(db, q, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, h, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, pko_now_ms() / 1000);
    rc = pko_db_step(db, s, &row, err);
    if (!rc && row) {
        snprintf(p->user_id, sizeof(p->user_id), "%s", (const char *)sqlite3_column_text(s, 0));
        snprintf(p->username, sizeof(p->username), "%s", (const char *)sqlite3_column_text(s, 1));
        p->clearance = sqlite3_column_int(s, 2);
        p->via_token = true;
    }
    sqlite3_reset(s);
    if (rc)
        return rc;
    if (!row)
        return pko_err_set(err, PKO_EAUTH, "the API token is unknown, revoked or expired");
    return load_grants(db, p, err);
}

typedef struct logout_args {
    const char *session_id;
} logout_args;

static pko_rc logout_tx(pko_tx *tx, void *arg, pko_err *err)
{
    logout_args *a = arg;
    json_t *f = json_pack("{s:b}", "revoked", 1);
    pko_rc rc = pko_tx_update(tx, &pko_entity_session, a->session_id, f, 0, err);
    json_decref(f);
    if (!rc)
        rc = pko_tx_audit(tx, "logout", "session", a->session_id, NULL, err);
    return rc;
}

pko_rc pko_auth_logout(pko_db *db, const pko_actor *actor, const pko_principal *p, pko_err *err)
{
    if (!p->session_id[0])
        return pko_err_set(err, PKO_EINVAL, "API tokens have no session to close");
    logout_args a = {p->session_id};
    return in_tx(db, actor, logout_tx, &a, err);
}

typedef struct token_args {
    const char *user_id, *name;
    int days;
    char hash[65];
    char *id;
} token_args;

static pko_rc token_tx(pko_tx *tx, void *arg, pko_err *err)
{
    token_args *a = arg;
    json_t *f = json_pack("{s:s, s:s, s:s, s:b, s:I}", "user_id", a->user_id, "name", a->name,
                          "token_hash", a->hash, "revoked", 0, "expires_at",
                          (json_int_t)(pko_now_ms() / 1000 + (json_int_t)a->days * 86400));
    pko_rc rc = pko_tx_insert(tx, &pko_entity_api_token, f, a->id, err);
    json_decref(f);
    return rc;
}

pko_rc pko_auth_token_create(pko_db *db, const pko_actor *actor, const pko_principal *p,
                             const char *name, int days, char token[80], char id[PKO_ID_LEN],
                             pko_err *err)
{
    if (!name || !*name || strlen(name) > 100)
        return pko_err_field(err, PKO_EINVAL, "name", "name must be 1 to 100 characters");
    if (days < 1 || days > PKO_TOKEN_MAX_DAYS)
        return pko_err_field(err, PKO_EINVAL, "expires_in_days",
                             "expires_in_days must be from 1 to %d (tokens always expire)",
                             PKO_TOKEN_MAX_DAYS);
    char secret[65];
    pko_random_hex(secret, 32);
    snprintf(token, 80, "pko_%s", secret);
    token_args a = {p->user_id, name, days, "", id};
    cred_hash(token, a.hash);
    return in_tx(db, actor, token_tx, &a, err);
}

pko_rc pko_auth_token_list(pko_db *db, const char *user_id, json_t **out, pko_err *err)
{
    static const char q[] = "SELECT id, name, created_at, expires_at, revoked FROM api_tokens"
                            " WHERE user_id=?1 ORDER BY id";
    pko_stmt *s;
    *out = NULL;
    pko_rc rc = pko_db_prepare(db, q, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, user_id, -1, SQLITE_TRANSIENT);
    json_t *arr = json_array();
    int64_t now = pko_now_ms() / 1000;
    for (;;) {
        int row;
        rc = pko_db_step(db, s, &row, err);
        if (rc || !row)
            break;
        json_t *exp = json_null();
        bool expired = false;
        if (sqlite3_column_type(s, 3) != SQLITE_NULL) {
            char at[32];
            int64_t e = sqlite3_column_int64(s, 3);
            exp = json_string(pko_time_rfc3339(e * 1000, at, sizeof(at)));
            expired = e <= now;
        }
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s, s:o, s:b, s:b}", "id", sqlite3_column_text(s, 0),
                           "name", sqlite3_column_text(s, 1), "created_at",
                           sqlite3_column_text(s, 2), "expires_at", exp, "revoked",
                           sqlite3_column_int(s, 4), "expired", expired));
    }
    sqlite3_reset(s);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return PKO_OK;
}

typedef struct revoke_args {
    const pko_principal *p;
    const char *id;
} revoke_args;

static pko_rc token_revoke_tx(pko_tx *tx, void *arg, pko_err *err)
{
    static const char q[] = "SELECT user_id, revoked FROM api_tokens WHERE id=?1";
    revoke_args *a = arg;
    pko_db *db = pko_tx_db(tx);
    pko_stmt *s;
    int row;
    pko_rc rc = pko_db_prepare(db, q, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, a->id, -1, SQLITE_TRANSIENT);
    rc = pko_db_step(db, s, &row, err);
    bool mine = false, revoked = false;
    if (!rc && row) {
        mine = strcmp((const char *)sqlite3_column_text(s, 0), a->p->user_id) == 0;
        revoked = sqlite3_column_int(s, 1) != 0;
    }
    sqlite3_reset(s);
    if (rc)
        return rc;
    /* Someone else's token reads as missing, so ids do not leak. */
    if (!row || (!mine && !pko_principal_has(a->p, PKO_ROLE_SYSTEM_ADMIN, NULL)))
        return pko_err_set(err, PKO_ENOTFOUND, "no API token with id %s", a->id);
    if (revoked)
        return PKO_OK;
    json_t *f = json_pack("{s:b}", "revoked", 1);
    rc = pko_tx_update(tx, &pko_entity_api_token, a->id, f, 0, err);
    json_decref(f);
    return rc;
}

pko_rc pko_auth_token_revoke(pko_db *db, const pko_actor *actor, const pko_principal *p,
                             const char *id, pko_err *err)
{
    revoke_args a = {p, id};
    return in_tx(db, actor, token_revoke_tx, &a, err);
}
