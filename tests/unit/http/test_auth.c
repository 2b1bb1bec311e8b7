/* Unit tests for src/http/auth.c: roles, grants, users, sessions, tokens
 * and throttling, against a real database with every module's schema. */
#include "test_util.h"

#include <sodium.h>
#include <sqlite3.h>

#include "core/limits.h"
#include "http/http_int.h"

typedef struct afx {
    char dir[256], path[300];
    pko_store *st;
    pko_db *db;
} afx;

static const pko_actor cli = {"system", "cli"};

static int setup(void **state)
{
    if (sodium_init() < 0)
        return -1;
    /* The throttle tables live for the process: a slot locked by one case
     * could throttle another case's names that happen to share it. */
    pko_auth_throttle_reset();
    afx *f = calloc(1, sizeof(*f));
    test_tmpdir(f->dir, sizeof(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/a.db", f->dir);
    pko_err e;
    pko_err_clear(&e);
    pko_store_opts o = {.create = true, .pool_size = 2};
    if (pko_store_open(f->path, &o, &f->st, &e) || pko_modules_setup(f->st, NULL, &e))
        return -1;
    f->db = pko_store_acquire(f->st);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    afx *f = *state;
    pko_store_release(f->st, f->db);
    pko_store_close(f->st);
    test_rmdir(f->dir);
    free(f);
    return 0;
}

static void test_roles_and_grants(void **state)
{
    (void)state;
    assert_int_equal(pko_role_parse("force_generation_officer"), PKO_ROLE_FORCE_GENERATION_OFFICER);
    assert_int_equal(pko_role_parse("admin"), 0);
    assert_string_equal(pko_role_name(PKO_ROLE_CONDUCT_OFFICER), "conduct_officer");
    assert_null(pko_role_name(3));
    pko_grant g;
    pko_err e;
    pko_err_clear(&e);
    assert_int_equal(pko_grant_parse("analyst:MINUSCA", &g, &e), PKO_OK);
    assert_int_equal(g.role, PKO_ROLE_ANALYST);
    assert_string_equal(g.mission, "MINUSCA");
    assert_int_equal(pko_grant_parse("system_admin", &g, &e), PKO_OK);
    assert_string_equal(g.mission, "");
    assert_int_equal(pko_grant_parse("boss:MINUSCA", &g, &e), PKO_EINVAL);
    pko_err_clear(&e);
    assert_int_equal(pko_grant_parse("analyst:", &g, &e), PKO_EINVAL);
    pko_err_clear(&e);
    assert_int_equal(pko_grant_parse("analyst:minusca", &g, &e), PKO_EINVAL);
    /* Regression: system_admin:MISSION was accepted, and passed global
     * routes (users, audit, changes) as if it held for all missions. */
    pko_err_clear(&e);
    assert_int_equal(pko_grant_parse("system_admin:MINUSCA", &g, &e), PKO_EINVAL);
    assert_string_equal(e.field, "role");
    assert_non_null(strstr(e.msg, "all missions"));
    pko_err_clear(&e);
    assert_int_equal(pko_grant_parse("mission_admin:MINUSCA", &g, &e), PKO_OK);
}

static void test_principal_has(void **state)
{
    (void)state;
    pko_principal p = {.n_grants = 2};
    p.grants[0] = (pko_grant){PKO_ROLE_ANALYST, "MINUSCA"};
    p.grants[1] = (pko_grant){PKO_ROLE_VIEWER, ""};
    assert_true(pko_principal_has(&p, PKO_ROLE_ANALYST, "MINUSCA"));
    assert_false(pko_principal_has(&p, PKO_ROLE_ANALYST, "MONUSCO"));
    assert_true(pko_principal_has(&p, PKO_ROLE_ANALYST, "*"));
    assert_false(pko_principal_has(&p, PKO_ROLE_ANALYST, NULL)); /* not for all missions */
    assert_true(pko_principal_has(&p, PKO_ROLE_VIEWER, NULL));
    assert_false(pko_principal_has(&p, PKO_ROLE_MISSION_ADMIN, "*"));
    pko_principal admin = {.n_grants = 1};
    admin.grants[0] = (pko_grant){PKO_ROLE_SYSTEM_ADMIN, ""};
    assert_true(pko_principal_has(&admin, PKO_ROLE_CONDUCT_OFFICER, NULL));
    pko_principal none = {0};
    assert_false(pko_principal_has(&none, PKO_ROLES_ALL, "*"));
    json_t *roles = pko_principal_roles_json(&p);
    assert_string_equal(json_string_value(json_array_get(roles, 0)), "analyst:MINUSCA");
    assert_string_equal(json_string_value(json_array_get(roles, 1)), "viewer");
    json_decref(roles);
}

static void test_user_lifecycle_and_login(void **state)
{
    afx *f = *state;
    pko_err e;
    pko_err_clear(&e);
    pko_grant g[2];
    assert_int_equal(pko_grant_parse("reporter:MINUSCA", &g[0], &e), PKO_OK);
    assert_int_equal(pko_grant_parse("viewer", &g[1], &e), PKO_OK);
    char id[PKO_ID_LEN];
    assert_int_equal(pko_user_add(f->db, &cli, "amina", "short", 0, g, 2, id, &e), PKO_EINVAL);
    assert_string_equal(e.field, "password");
    pko_err_clear(&e);
    assert_int_equal(pko_user_add(f->db, &cli, "bad name", "long enough pw", 0, g, 2, id, &e),
                     PKO_EINVAL);
    pko_err_clear(&e);
    assert_int_equal(pko_user_add(f->db, &cli, "amina", "long enough pw", 1, g, 2, id, &e),
                     PKO_OK);
    assert_int_equal(pko_user_add(f->db, &cli, "AMINA", "long enough pw", 1, g, 2, id, &e),
                     PKO_ECONFLICT); /* names are case-insensitive */
    pko_err_clear(&e);

    pko_principal p;
    char token[65];
    assert_int_equal(pko_auth_login(f->db, "amina", "long enough pw", "10.0.0.1", &p, token, NULL, &e),
                     PKO_OK);
    assert_int_equal(strlen(token), 64);
    assert_int_equal(p.clearance, PKO_CLASS_CONFIDENTIAL);
    assert_int_equal(p.n_grants, 2);
    assert_int_equal(strlen(p.csrf), 64);

    pko_principal q;
    assert_int_equal(pko_auth_session(f->db, token, &q, &e), PKO_OK);
    assert_string_equal(q.user_id, p.user_id);
    assert_string_equal(q.csrf, p.csrf);
    assert_false(q.via_token);

    /* The cookie value is never stored: only its digest. */
    sqlite3 *h;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM sessions WHERE token_hash=?1",
                                        -1, &s, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(s, 1, token, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 0);
    sqlite3_finalize(s);
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM changes WHERE fields LIKE ?1",
                                        -1, &s, NULL),
                     SQLITE_OK);
    char like[80];
    snprintf(like, sizeof(like), "%%%s%%", p.csrf);
    sqlite3_bind_text(s, 1, like, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 0); /* secrets are redacted in the log */
    sqlite3_finalize(s);
    sqlite3_close(h);

    /* Logout closes the session. */
    pko_actor who = {p.user_id, "10.0.0.1"};
    assert_int_equal(pko_auth_logout(f->db, &who, &q, &e), PKO_OK);
    assert_int_equal(pko_auth_session(f->db, token, &q, &e), PKO_EAUTH);
    pko_err_clear(&e);

    /* Disabled accounts cannot log in; password changes take effect. */
    assert_int_equal(pko_user_set_disabled(f->db, &cli, "amina", true, &e), PKO_OK);
    assert_int_equal(pko_auth_login(f->db, "amina", "long enough pw", "10.0.0.2", &p, token, NULL, &e),
                     PKO_EAUTH);
    assert_non_null(strstr(e.msg, "disabled"));
    pko_err_clear(&e);
    /* Regression: without the right password, a disabled account answered
     * "this account is disabled", telling a guesser that it exists. */
    assert_int_equal(pko_auth_login(f->db, "amina", "wrong password", "10.0.0.3", &p, token, NULL,
                                    &e),
                     PKO_EAUTH);
    assert_string_equal(e.msg, "unknown username or wrong password");
    pko_err_clear(&e);
    assert_int_equal(pko_user_set_disabled(f->db, &cli, "amina", false, &e), PKO_OK);
    assert_int_equal(pko_user_passwd(f->db, &cli, "amina", "another long pw", &e), PKO_OK);
    assert_int_equal(pko_auth_login(f->db, "amina", "another long pw", "10.0.0.2", &p, token, NULL, &e),
                     PKO_OK);
}

static void test_grant_revoke_and_list(void **state)
{
    afx *f = *state;
    pko_err e;
    pko_err_clear(&e);
    char id[PKO_ID_LEN];
    assert_int_equal(pko_user_add(f->db, &cli, "omar", "long enough pw", 0, NULL, 0, id, &e),
                     PKO_OK);
    pko_grant g;
    assert_int_equal(pko_grant_parse("analyst:MONUSCO", &g, &e), PKO_OK);
    assert_int_equal(pko_user_grant(f->db, &cli, "omar", &g, &e), PKO_OK);
    assert_int_equal(pko_user_grant(f->db, &cli, "omar", &g, &e), PKO_OK); /* idempotent */
    json_t *users;
    assert_int_equal(pko_user_list(f->db, &users, &e), PKO_OK);
    json_t *roles = json_object_get(json_array_get(users, 0), "roles");
    assert_int_equal(json_array_size(roles), 1);
    assert_string_equal(json_string_value(json_array_get(roles, 0)), "analyst:MONUSCO");
    json_decref(users);
    assert_int_equal(pko_user_revoke(f->db, &cli, "omar", &g, &e), PKO_OK);
    assert_int_equal(pko_user_revoke(f->db, &cli, "omar", &g, &e), PKO_ENOTFOUND);
    pko_err_clear(&e);
    assert_int_equal(pko_user_grant(f->db, &cli, "nobody", &g, &e), PKO_ENOTFOUND);
    pko_err_clear(&e);
    assert_int_equal(pko_user_set_clearance(f->db, &cli, "omar", 2, &e), PKO_OK);
    assert_int_equal(pko_user_set_clearance(f->db, &cli, "omar", 3, &e), PKO_EINVAL);
}

static void test_api_tokens(void **state)
{
    afx *f = *state;
    pko_err e;
    pko_err_clear(&e);
    char id[PKO_ID_LEN], tid[PKO_ID_LEN], token[80];
    assert_int_equal(pko_user_add(f->db, &cli, "bot", "long enough pw", 0, NULL, 0, id, &e),
                     PKO_OK);
    pko_principal p = {0};
    snprintf(p.user_id, sizeof(p.user_id), "%s", id);
    assert_int_equal(pko_auth_token_create(f->db, &cli, &p, "", 1, token, tid, &e), PKO_EINVAL);
    pko_err_clear(&e);
    assert_int_equal(pko_auth_token_create(f->db, &cli, &p, "sync", 30, token, tid, &e), PKO_OK);
    assert_memory_equal(token, "pko_", 4);
    pko_principal q;
    assert_int_equal(pko_auth_bearer(f->db, token, &q, &e), PKO_OK);
    assert_true(q.via_token);
    assert_string_equal(q.user_id, id);
    assert_int_equal(pko_auth_bearer(f->db, "pko_wrong", &q, &e), PKO_EAUTH);
    pko_err_clear(&e);
    assert_int_equal(pko_user_set_disabled(f->db, &cli, "bot", true, &e), PKO_OK);
    assert_int_equal(pko_auth_bearer(f->db, token, &q, &e), PKO_EAUTH);
}

static void test_throttling_per_account(void **state)
{
    afx *f = *state;
    pko_err e;
    pko_err_clear(&e);
    char id[PKO_ID_LEN], token[65];
    pko_principal p;
    assert_int_equal(pko_user_add(f->db, &cli, "target", "long enough pw", 0, NULL, 0, id, &e),
                     PKO_OK);
    for (int i = 0; i < PKO_LOGIN_MAX_FAILURES; i++) {
        pko_err_clear(&e);
        char addr[32];
        snprintf(addr, sizeof(addr), "192.0.2.%d", i + 1); /* spread over addresses */
        assert_int_equal(pko_auth_login(f->db, "target", "wrong password", addr, &p, token, NULL, &e),
                         PKO_EAUTH);
    }
    pko_err_clear(&e);
    /* Locked now, even with the right password and a new address. */
    int wait = 0;
    assert_int_equal(pko_auth_login(f->db, "target", "long enough pw", "192.0.2.99", &p, token,
                                    &wait, &e),
                     PKO_ETHROTTLE);
    assert_non_null(strstr(e.msg, "seconds"));
    assert_in_range(wait, 1, 30);
    /* Usernames are case-insensitive; so is the lock. */
    pko_err_clear(&e);
    assert_int_equal(pko_auth_login(f->db, "TARGET", "long enough pw", "192.0.2.98", &p, token,
                                    NULL, &e),
                     PKO_ETHROTTLE);
    assert_true(pko_auth_throttled_total() >= 1);
    /* Failed logins are in the audit trail. */
    sqlite3 *h;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "SELECT count(*) FROM audit WHERE action='login_failed'"
                                        " AND detail='target'",
                                        -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), PKO_LOGIN_MAX_FAILURES);
    sqlite3_finalize(s);
    sqlite3_close(h);
    /* Unknown accounts fail the same way as wrong passwords. */
    pko_err_clear(&e);
    assert_int_equal(pko_auth_login(f->db, "ghost", "whatever123", "198.51.100.1", &p, token, NULL, &e),
                     PKO_EAUTH);
    assert_string_equal(e.msg, "unknown username or wrong password");
    /* Regression: the name typed for an unknown account (often a password
     * typed into the wrong field) went into the audit trail. */
    assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "SELECT count(*), sum(detail='ghost') FROM audit"
                                        " WHERE action='login_failed' AND entity_id IS NULL"
                                        " AND detail IN ('ghost', 'unknown account')",
                                        -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 1);
    assert_int_equal(sqlite3_column_int(s, 1), 0);
    sqlite3_finalize(s);
    sqlite3_close(h);
}

/* Regression: a failed login on another name that mapped to the same
 * throttling slot reset the slot, lifting the lock of the account under
 * attack (and the slot came from an unkeyed hash, so such names were easy to
 * compute). Now the colliding failure counts into the locked slot. */
static void test_colliding_key_cannot_reset_a_lock(void **state)
{
    afx *f = *state;
    pko_err e;
    pko_err_clear(&e);
    char id[PKO_ID_LEN], token[65], other[32] = "";
    pko_principal p;
    assert_int_equal(pko_user_add(f->db, &cli, "victim", "long enough pw", 0, NULL, 0, id, &e),
                     PKO_OK);
    unsigned slot = pko_auth_throttle_slot(true, "victim");
    for (int i = 0; i < 1000000 && !other[0]; i++) {
        char name[32];
        snprintf(name, sizeof(name), "c%d", i);
        if (pko_auth_throttle_slot(true, name) == slot)
            snprintf(other, sizeof(other), "%s", name);
    }
    assert_true(other[0]);
    for (int i = 0; i < PKO_LOGIN_MAX_FAILURES; i++) {
        char addr[32];
        snprintf(addr, sizeof(addr), "203.0.113.%d", i + 1);
        pko_err_clear(&e);
        assert_int_equal(pko_auth_login(f->db, "victim", "wrong password", addr, &p, token, NULL,
                                        &e),
                         PKO_EAUTH);
    }
    pko_err_clear(&e);
    assert_int_equal(pko_auth_login(f->db, other, "wrong password", "203.0.113.50", &p, token,
                                    NULL, &e),
                     PKO_ETHROTTLE); /* it shares the locked slot */
    pko_err_clear(&e);
    assert_int_equal(pko_auth_login(f->db, "victim", "long enough pw", "203.0.113.51", &p, token,
                                    NULL, &e),
                     PKO_ETHROTTLE);
}

/* The slot of a name is not the unkeyed BLAKE2b one an attacker could
 * compute offline: it depends on a secret drawn at startup. */
static void test_throttle_slots_are_keyed(void **state)
{
    (void)state;
    int same = 0;
    for (int i = 0; i < 32; i++) {
        char v[32], in[40];
        snprintf(v, sizeof(v), "name%d", i);
        snprintf(in, sizeof(in), "user:%s", v);
        unsigned char d[8];
        crypto_generichash(d, sizeof(d), (const unsigned char *)in, strlen(in), NULL, 0);
        uint64_t k = 0;
        for (int j = 0; j < 8; j++)
            k = (k << 8) | d[j];
        if (pko_auth_throttle_slot(true, v) == (unsigned)(k % 4096))
            same++;
    }
    assert_true(same < 4);
}

/* Regression: IPv6 sources were counted per address, so one host with a
 * /64 (2^64 addresses) was never throttled by address. */
static void test_ipv6_sources_are_throttled_by_64(void **state)
{
    afx *f = *state;
    pko_err e;
    pko_err_clear(&e);
    char id[PKO_ID_LEN], token[65];
    pko_principal p;
    assert_int_equal(pko_user_add(f->db, &cli, "v6user", "long enough pw", 0, NULL, 0, id, &e),
                     PKO_OK);
    assert_int_equal(pko_auth_throttle_slot(false, "2001:db8:0:1::1"),
                     pko_auth_throttle_slot(false, "2001:db8:0:1:ffff:ffff:ffff:fffe"));
    assert_int_equal(pko_auth_throttle_slot(false, "::ffff:192.0.2.7"),
                     pko_auth_throttle_slot(false, "192.0.2.7"));
    for (int i = 0; i < 4 * PKO_LOGIN_MAX_FAILURES; i++) {
        char addr[64], name[32];
        snprintf(addr, sizeof(addr), "2001:db8:0:1::%x", i + 1);
        snprintf(name, sizeof(name), "guess%d", i); /* a new account each time */
        pko_err_clear(&e);
        assert_int_equal(pko_auth_login(f->db, name, "wrong password", addr, &p, token, NULL, &e),
                         PKO_EAUTH);
    }
    pko_err_clear(&e);
    assert_int_equal(pko_auth_login(f->db, "v6user", "long enough pw", "2001:db8:0:1:1234::1", &p,
                                    token, NULL, &e),
                     PKO_ETHROTTLE);
    pko_err_clear(&e);
    assert_int_equal(pko_auth_login(f->db, "v6user", "long enough pw", "2001:db8:0:2::1", &p,
                                    token, NULL, &e),
                     PKO_OK);
}

/* Regression: a password change or disabling an account left its sessions
 * and API tokens working (a stolen one stayed valid), and there was no way
 * to revoke a token. */
static void test_credentials_are_revoked(void **state)
{
    afx *f = *state;
    pko_err e;
    pko_err_clear(&e);
    char id[PKO_ID_LEN], tid[PKO_ID_LEN], tid2[PKO_ID_LEN], tok[80], tok2[80], cookie[65];
    pko_principal p, q;
    assert_int_equal(pko_user_add(f->db, &cli, "rosa", "long enough pw", 0, NULL, 0, id, &e),
                     PKO_OK);
    assert_int_equal(pko_auth_login(f->db, "rosa", "long enough pw", "10.9.0.1", &p, cookie, NULL,
                                    &e),
                     PKO_OK);
    assert_int_equal(pko_auth_token_create(f->db, &cli, &p, "ci", 30, tok, tid, &e), PKO_OK);
    /* Tokens always expire, within a year. */
    assert_int_equal(pko_auth_token_create(f->db, &cli, &p, "x", 0, tok2, tid2, &e), PKO_EINVAL);
    pko_err_clear(&e);
    assert_int_equal(pko_auth_token_create(f->db, &cli, &p, "x", 366, tok2, tid2, &e),
                     PKO_EINVAL);
    pko_err_clear(&e);
    assert_int_equal(pko_auth_token_create(f->db, &cli, &p, "second", 365, tok2, tid2, &e),
                     PKO_OK);
    json_t *list;
    assert_int_equal(pko_auth_token_list(f->db, id, &list, &e), PKO_OK);
    assert_int_equal(json_array_size(list), 2);
    char *txt = json_dumps(list, 0);
    assert_null(strstr(txt, tok + 4)); /* no secret, no digest */
    assert_null(strstr(txt, "hash"));
    free(txt);
    assert_false(json_is_true(json_object_get(json_array_get(list, 0), "revoked")));
    assert_true(json_is_string(json_object_get(json_array_get(list, 0), "expires_at")));
    json_decref(list);

    /* Revoking a token: the owner may, another user may not (404), an
     * all-missions system_admin may. */
    char oid[PKO_ID_LEN], otok[80], otid[PKO_ID_LEN];
    pko_principal other = {0};
    assert_int_equal(pko_user_add(f->db, &cli, "other", "long enough pw", 0, NULL, 0, oid, &e),
                     PKO_OK);
    snprintf(other.user_id, sizeof(other.user_id), "%s", oid);
    assert_int_equal(pko_auth_token_revoke(f->db, &cli, &other, tid2, &e), PKO_ENOTFOUND);
    pko_err_clear(&e);
    assert_int_equal(pko_auth_bearer(f->db, tok2, &q, &e), PKO_OK);
    assert_int_equal(pko_auth_token_revoke(f->db, &cli, &p, tid2, &e), PKO_OK);
    assert_int_equal(pko_auth_bearer(f->db, tok2, &q, &e), PKO_EAUTH);
    pko_err_clear(&e);
    assert_int_equal(pko_auth_token_revoke(f->db, &cli, &p, tid2, &e), PKO_OK); /* again */
    assert_int_equal(pko_auth_token_create(f->db, &cli, &other, "o", 1, otok, otid, &e), PKO_OK);
    pko_principal admin = {.n_grants = 1};
    admin.grants[0] = (pko_grant){PKO_ROLE_SYSTEM_ADMIN, ""};
    pko_principal scoped = {.n_grants = 1};
    scoped.grants[0] = (pko_grant){PKO_ROLE_SYSTEM_ADMIN, "MINUSCA"};
    assert_int_equal(pko_auth_token_revoke(f->db, &cli, &scoped, otid, &e), PKO_ENOTFOUND);
    pko_err_clear(&e);
    assert_int_equal(pko_auth_token_revoke(f->db, &cli, &admin, otid, &e), PKO_OK);
    assert_int_equal(pko_auth_bearer(f->db, otok, &q, &e), PKO_EAUTH);
    pko_err_clear(&e);

    /* A password change revokes the session and the token. */
    assert_int_equal(pko_auth_session(f->db, cookie, &q, &e), PKO_OK);
    assert_int_equal(pko_auth_bearer(f->db, tok, &q, &e), PKO_OK);
    assert_int_equal(pko_user_passwd(f->db, &cli, "rosa", "a new long pw", &e), PKO_OK);
    assert_int_equal(pko_auth_session(f->db, cookie, &q, &e), PKO_EAUTH);
    pko_err_clear(&e);
    assert_int_equal(pko_auth_bearer(f->db, tok, &q, &e), PKO_EAUTH);
    pko_err_clear(&e);

    /* Disabling revokes too: enabling again does not bring them back. */
    assert_int_equal(pko_auth_login(f->db, "rosa", "a new long pw", "10.9.0.1", &p, cookie, NULL,
                                    &e),
                     PKO_OK);
    assert_int_equal(pko_auth_token_create(f->db, &cli, &p, "ci2", 30, tok, tid, &e), PKO_OK);
    assert_int_equal(pko_user_set_disabled(f->db, &cli, "rosa", true, &e), PKO_OK);
    assert_int_equal(pko_user_set_disabled(f->db, &cli, "rosa", false, &e), PKO_OK);
    assert_int_equal(pko_auth_session(f->db, cookie, &q, &e), PKO_EAUTH);
    pko_err_clear(&e);
    assert_int_equal(pko_auth_bearer(f->db, tok, &q, &e), PKO_EAUTH);
    pko_err_clear(&e);
    /* Each revocation went through the write path. */
    assert_int_equal(pko_db_history(f->db, "api_token", tid, &list, &e), PKO_OK);
    assert_int_equal(json_array_size(list), 2); /* insert, update revoked */
    assert_true(json_is_true(json_object_get(json_object_get(json_array_get(list, 1), "fields"),
                                             "revoked")));
    json_decref(list);
    int64_t n;
    assert_int_equal(pko_db_audit_verify(f->db, &n, NULL, &e), PKO_OK);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_and_grants),
        cmocka_unit_test(test_principal_has),
        T(test_user_lifecycle_and_login),
        T(test_grant_revoke_and_list),
        T(test_api_tokens),
        T(test_throttling_per_account),
        T(test_credentials_are_revoked),
        T(test_colliding_key_cannot_reset_a_lock),
        T(test_throttle_slots_are_keyed),
        T(test_ipv6_sources_are_throttled_by_64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
