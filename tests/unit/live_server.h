/* SPDX-License-Identifier: MIT
 * A real in-process server on a loopback port with every module, users
 * with API tokens, and raw HTTP/1.1 requests, for unit tests that need a
 * whole request path (router, permission checks, handlers). */
#ifndef PKO_TEST_LIVE_SERVER_H
#define PKO_TEST_LIVE_SERVER_H

#include "test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/socket.h>

#include "http/http_int.h"

typedef struct live {
    char dir[256], path[300];
    pko_store *st;
    pko_server *srv;
    int port;
} live;

static const pko_actor live_cli = {"system", "cli"};

/* Create a database with every module and serve it on 127.0.0.1:0. */
static inline void live_start(live *l)
{
    memset(l, 0, sizeof(*l));
    test_tmpdir(l->dir, sizeof(l->dir));
    snprintf(l->path, sizeof(l->path), "%s/live.db", l->dir);
    pko_err e;
    pko_err_clear(&e);
    pko_store_opts o = {.create = true, .pool_size = 4};
    if (pko_store_open(l->path, &o, &l->st, &e) || pko_modules_setup(l->st, NULL, &e))
        fail_msg("live store: %s", e.msg);
    pko_server_opts so = {.listen = "127.0.0.1:0", .threads = 2};
    if (pko_server_start(&so, l->st, &l->srv, &e))
        fail_msg("live server: %s", e.msg);
    l->port = pko_server_port(l->srv);
}

static inline void live_stop(live *l)
{
    pko_server_stop(l->srv);
    pko_store_close(l->st);
    test_rmdir(l->dir);
}

/* Add user 'name' with the comma-separated grants 'roles' ("" for none) and
 * clearance 'clearance'; write an API token of theirs to 'token'. */
static inline void live_user(live *l, const char *name, const char *roles, int clearance,
                             char token[80])
{
    pko_grant g[8];
    size_t n = 0;
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", roles);
    pko_err e;
    pko_err_clear(&e);
    for (char *save = NULL, *r = strtok_r(buf, ",", &save); r; r = strtok_r(NULL, ",", &save))
        if (pko_grant_parse(r, &g[n++], &e))
            fail_msg("grant %s: %s", r, e.msg);
    pko_principal p;
    memset(&p, 0, sizeof(p));
    pko_db *db = pko_store_acquire(l->st);
    if (pko_user_add(db, &live_cli, name, "long enough password", clearance, g, n, p.user_id, &e))
        fail_msg("user %s: %s", name, e.msg);
    char tid[PKO_ID_LEN];
    if (pko_auth_token_create(db, &live_cli, &p, "test", 30, token, tid, &e))
        fail_msg("token for %s: %s", name, e.msg);
    pko_store_release(l->st, db);
}

/* Send one request ('token' and 'body' may be NULL; a body is sent as
 * JSON) and read the whole response into 'out'. Returns the status code. */
static inline int live_req(live *l, const char *method, const char *path, const char *token,
                           const char *body, char *out, size_t n)
{
    char req[8192];
    char auth[128] = "";
    if (token)
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s\r\n", token);
    snprintf(req, sizeof(req),
             "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n%s%s%s%zu\r\n\r\n%s", method,
             path, auth, body ? "Content-Type: application/json\r\n" : "",
             "Content-Length: ", body ? strlen(body) : (size_t)0, body ? body : "");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)l->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    size_t got = 0;
    ssize_t r;
    while (got < n - 1 && (r = read(fd, out + got, n - 1 - got)) > 0)
        got += (size_t)r;
    out[got] = '\0';
    close(fd);
    int status = 0;
    if (sscanf(out, "HTTP/1.1 %d", &status) != 1)
        fail_msg("no HTTP response: %.200s", out);
    return status;
}

/* The JSON body of a response read by live_req (new reference, or NULL). */
static inline json_t *live_body(const char *resp)
{
    const char *b = strstr(resp, "\r\n\r\n");
    return b ? json_loads(b + 4, 0, NULL) : NULL;
}

#endif
