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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
