/* Unit tests for src/http/server.c: status mapping, the error shape, and a
 * real in-process server answering raw HTTP on a loopback port. */
#include "live_server.h"

#include <sys/time.h>

static void test_status_mapping(void **state)
{
    (void)state;
    assert_int_equal(pko_http_status(PKO_EINVAL), 400);
    assert_int_equal(pko_http_status(PKO_EJSON), 400);
    assert_int_equal(pko_http_status(PKO_EAUTH), 401);
    assert_int_equal(pko_http_status(PKO_EFORBIDDEN), 403);
    assert_int_equal(pko_http_status(PKO_ECSRF), 403);
    assert_int_equal(pko_http_status(PKO_ENOTFOUND), 404);
    assert_int_equal(pko_http_status(PKO_EMETHOD), 405);
    assert_int_equal(pko_http_status(PKO_ECONFLICT), 409);
    assert_int_equal(pko_http_status(PKO_ETOOBIG), 413);
    assert_int_equal(pko_http_status(PKO_ETHROTTLE), 429);
    assert_int_equal(pko_http_status(PKO_EBUSY), 503);
    assert_int_equal(pko_http_status(PKO_EFULL), 507);
    assert_int_equal(pko_http_status(PKO_ESTORE), 500);
    assert_int_equal(pko_http_status(PKO_EINTERNAL), 500);
}

static void test_error_body_shape(void **state)
{
    (void)state;
    pko_err e;
    pko_err_clear(&e);
    pko_err_field(&e, PKO_EINVAL, "acronym", "acronym is required");
    json_t *b = pko_http_error_body(&e);
    json_t *err = json_object_get(b, "error");
    assert_string_equal(json_string_value(json_object_get(err, "code")), "invalid");
    assert_string_equal(json_string_value(json_object_get(err, "message")), "acronym is required");
    assert_string_equal(json_string_value(json_object_get(err, "field")), "acronym");
    assert_null(json_object_get(err, "offset"));
    json_decref(b);
    pko_err_clear(&e);
    pko_err_set(&e, PKO_EJSON, "bad");
    e.offset = 7;
    b = pko_http_error_body(&e);
    err = json_object_get(b, "error");
    assert_true(json_is_null(json_object_get(err, "field")));
    assert_int_equal(json_integer_value(json_object_get(err, "offset")), 7);
    json_decref(b);
}

/* Send 'req' to 127.0.0.1:'port' and read the whole response. */
static void roundtrip(int port, const char *req, char *out, size_t n)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    size_t got = 0;
    ssize_t r;
    while (got < n - 1 && (r = read(fd, out + got, n - 1 - got)) > 0)
        got += (size_t)r;
    out[got] = '\0';
    close(fd);
}

static void test_live_server(void **state)
{
    (void)state;
    char dir[256], path[300];
    test_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/s.db", dir);
    pko_store *st;
    pko_err e;
    pko_err_clear(&e);
    pko_store_opts o = {.create = true};
    assert_int_equal(pko_store_open(path, &o, &st, &e), PKO_OK);
    assert_int_equal(pko_modules_setup(st, NULL, &e), PKO_OK);
    pko_server *srv;
    pko_server_opts so = {.listen = "127.0.0.1:0", .threads = 2};
    assert_int_equal(pko_server_start(&so, st, &srv, &e), PKO_OK);
    int port = pko_server_port(srv);
    assert_true(port > 0);
    char buf[16384];

    roundtrip(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", buf,
              sizeof(buf));
    assert_non_null(strstr(buf, "HTTP/1.1 200"));
    assert_non_null(strstr(buf, "\"status\":\"ok\""));
    assert_non_null(strstr(buf, "X-Content-Type-Options: nosniff"));

    roundtrip(port, "GET /api/v1/missions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", buf,
              sizeof(buf));
    assert_non_null(strstr(buf, "HTTP/1.1 401"));
    assert_non_null(strstr(buf, "\"code\":\"unauthenticated\""));

    roundtrip(port, "DELETE /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", buf,
              sizeof(buf));
    assert_non_null(strstr(buf, "HTTP/1.1 405"));
    assert_non_null(strstr(buf, "Allow: GET"));

    roundtrip(port, "GET /api/v1/missions?x=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
              buf, sizeof(buf));
    assert_non_null(strstr(buf, "HTTP/1.1 400")); /* a malformed query fails before auth */
    assert_non_null(strstr(buf, "%-escape"));

    roundtrip(port,
              "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
              "Content-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"user\":}",
              buf, sizeof(buf));
    assert_non_null(strstr(buf, "HTTP/1.1 400"));
    assert_non_null(strstr(buf, "\"offset\":8"));

    /* A body that does not say it is JSON never reaches the handler. */
    roundtrip(port,
              "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
              "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}",
              buf, sizeof(buf));
    assert_non_null(strstr(buf, "HTTP/1.1 415"));
    assert_non_null(strstr(buf, "unsupported_media_type"));

    roundtrip(port,
              "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
              "Content-Length: 99999999\r\n\r\n{",
              buf, sizeof(buf));
    assert_non_null(strstr(buf, "HTTP/1.1 413"));

    roundtrip(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", buf,
              sizeof(buf));
    assert_non_null(strstr(buf, "pko_http_requests_total{code=\"401\"}"));
    assert_non_null(strstr(buf, "text/plain; version=0.0.4"));

    pko_server_stop(srv);
    pko_store_close(st);
    test_rmdir(dir);
}

static void test_bad_listen_addresses(void **state)
{
    (void)state;
    pko_server *srv;
    pko_err e;
    const char *bad[] = {"nonsense", "127.0.0.1:", "127.0.0.1:70000", "300.1.1.1:80", "[::1:80"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        pko_err_clear(&e);
        pko_server_opts so = {.listen = bad[i]};
        assert_int_equal(pko_server_start(&so, NULL, &srv, &e), PKO_EINVAL);
    }
}

/* Regression: a chunked body over the cap was read and thrown away for as
 * long as the client kept sending; now 413 comes as soon as the cap is
 * crossed, as for a Content-Length over it. */
static void test_chunked_body_over_the_cap_gets_413_at_once(void **state)
{
    (void)state;
    char dir[256], path[300];
    test_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/c.db", dir);
    pko_store *st;
    pko_err e;
    pko_err_clear(&e);
    pko_store_opts o = {.create = true};
    assert_int_equal(pko_store_open(path, &o, &st, &e), PKO_OK);
    assert_int_equal(pko_modules_setup(st, NULL, &e), PKO_OK);
    pko_server *srv;
    pko_server_opts so = {.listen = "127.0.0.1:0", .threads = 2, .max_body = 4096};
    assert_int_equal(pko_server_start(&so, st, &srv, &e), PKO_OK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)pko_server_port(srv))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    static const char head[] = "POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"
                               "Content-Type: application/json\r\n"
                               "Transfer-Encoding: chunked\r\n\r\n";
    assert_int_equal(write(fd, head, strlen(head)), (ssize_t)strlen(head));
    char chunk[1024 + 16];
    int n = snprintf(chunk, sizeof(chunk), "400\r\n");
    memset(chunk + n, ' ', 1024);
    memcpy(chunk + n + 1024, "\r\n", 2);
    /* 8 KiB over a 4 KiB cap, and no final chunk: the client keeps going. */
    for (int i = 0; i < 8; i++)
        if (write(fd, chunk, (size_t)n + 1026) < 0)
            break;
    /* The status line and the body may arrive in separate reads. */
    char buf[4096];
    size_t got = 0;
    while (got < sizeof(buf) - 1) {
        ssize_t r = read(fd, buf + got, sizeof(buf) - 1 - got);
        if (r <= 0)
            break;
        got += (size_t)r;
        buf[got] = '\0';
        if (strstr(buf, "too_large"))
            break;
    }
    assert_true(got > 0); /* not a timeout */
    buf[got] = '\0';
    assert_non_null(strstr(buf, "HTTP/1.1 413"));
    assert_non_null(strstr(buf, "too_large"));
    close(fd);
    pko_server_stop(srv);
    pko_store_close(st);
    test_rmdir(dir);
}

/* Give user 'name' the grant role:mission as a row written before grants
 * were checked (pko_grant_parse now refuses system_admin:MISSION). */
static void legacy_grant(live *l, const char *name, const char *role, const char *mission)
{
    pko_db *db = pko_store_acquire(l->st);
    pko_stmt *s;
    int row;
    pko_err e;
    pko_err_clear(&e);
    assert_int_equal(pko_db_prepare(db, "SELECT id FROM users WHERE username=?1", &s, &e), PKO_OK);
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    assert_int_equal(pko_db_step(db, s, &row, &e), PKO_OK);
    assert_int_equal(row, 1);
    json_t *f = json_pack("{s:s, s:s, s:s}", "user_id", (const char *)sqlite3_column_text(s, 0),
                          "role", role, "mission", mission);
    sqlite3_reset(s);
    pko_tx *tx;
    char id[PKO_ID_LEN];
    assert_int_equal(pko_tx_begin(db, &live_cli, &tx, &e), PKO_OK);
    assert_int_equal(pko_tx_insert(tx, &pko_entity_user_role, f, id, &e), PKO_OK);
    assert_int_equal(pko_tx_commit(tx, &e), PKO_OK);
    json_decref(f);
    pko_store_release(l->st, db);
}

/* Regression: the router accepted a grant scoped to one mission for every
 * permission, so system_admin:MINUSCA passed users.admin, audit.read and
 * changes.read, and could create an all-missions system_admin. */
static void test_global_routes_need_an_all_missions_grant(void **state)
{
    (void)state;
    live l;
    live_start(&l);
    char root[80], scoped[80], resp[65536];
    live_user(&l, "root", "system_admin", PKO_CLASS_STRICTLY_CONFIDENTIAL, root);
    live_user(&l, "scoped", "", PKO_CLASS_STRICTLY_CONFIDENTIAL, scoped);
    legacy_grant(&l, "scoped", "system_admin", "MINUSCA");
    static const char *const paths[] = {"/api/v1/users", "/api/v1/audit", "/api/v1/changes"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(live_req(&l, "GET", paths[i], root, NULL, resp, sizeof(resp)), 200);
        assert_int_equal(live_req(&l, "GET", paths[i], scoped, NULL, resp, sizeof(resp)), 403);
        assert_non_null(strstr(resp, "all missions"));
    }
    assert_int_equal(live_req(&l, "POST", "/api/v1/users", scoped,
                              "{\"username\":\"evil\",\"password\":\"long enough password\","
                              "\"roles\":[\"system_admin\"]}",
                              resp, sizeof(resp)),
                     403);
    /* Mission-scoped routes still take the scoped grant. */
    assert_int_equal(live_req(&l, "GET", "/api/v1/missions", scoped, NULL, resp, sizeof(resp)),
                     200);
    live_stop(&l);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_mapping),
        cmocka_unit_test(test_error_body_shape),
        cmocka_unit_test(test_live_server),
        cmocka_unit_test(test_bad_listen_addresses),
        cmocka_unit_test(test_global_routes_need_an_all_missions_grant),
        cmocka_unit_test(test_chunked_body_over_the_cap_gets_413_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
