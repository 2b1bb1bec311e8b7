/* SPDX-License-Identifier: MIT
 *
 * The HTTP server on libmicrohttpd (internal thread pool): body collection
 * under caps, dispatch through the router, authentication, CSRF and
 * permission checks, error mapping, security headers, request logging and
 * Prometheus metrics.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/log.h"
#include "http/http_int.h"

#define MAX_PARAMS 8
#define MAX_HEADERS 16

struct pko_server {
    struct MHD_Daemon *d;
    pko_store *st;
    pko_router *router;
    size_t max_body;
    int port;
    char *cert, *key; /* owned PEM text */
    bool tls;
};

struct pko_req {
    pko_server *srv;
    struct MHD_Connection *conn;
    pko_arena arena;
    const char *method;
    const char *url;     /* path without the query */
    const char *raw_uri; /* as received, with the query */
    bool started;
    int64_t start_us;
    pko_buf body;
    bool responded; /* an early response was queued */
    const pko_route *route;
    const char *pnames[MAX_PARAMS], *pvalues[MAX_PARAMS];
    size_t n_params;
    pko_query query;
    json_t *json;
    pko_db *db;
    pko_principal principal;
    bool authed;
    pko_actor actor;
    char remote[64];
    /* response */
    int status;
    char *resp; /* owned */
    size_t resp_len;
    const char *content_type;
    pko_stream_fn stream;     /* streamed body instead of resp */
    void *stream_ctx;
    void (*stream_free)(void *);
    const char *hnames[MAX_HEADERS], *hvalues[MAX_HEADERS]; /* arena */
    size_t n_headers;
};

/* ==== Metrics ============================================================ */

static const double buckets[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define N_BUCKETS (sizeof(buckets) / sizeof(buckets[0]))
static _Atomic uint64_t m_status[600];
static _Atomic uint64_t m_bucket[N_BUCKETS + 1];
static _Atomic uint64_t m_dur_us, m_count, m_inflight;
static int64_t m_start_ms;

static void metrics_observe(int status, int64_t dur_us)
{
    if (status >= 100 && status < 600)
        atomic_fetch_add(&m_status[status], 1);
    atomic_fetch_add(&m_dur_us, (uint64_t)dur_us);
    atomic_fetch_add(&m_count, 1);
    size_t i = 0;
    while (i < N_BUCKETS && (double)dur_us / 1e6 > buckets[i])
        i++;
    atomic_fetch_add(&m_bucket[i], 1);
}

static char *metrics_text(pko_server *srv, size_t *len)
{
    pko_buf b;
    pko_buf_init(&b, 1 << 20);
    pko_rc rc = pko_buf_puts(&b, "# HELP pko_http_requests_total HTTP requests by status code.\n"
                                 "# TYPE pko_http_requests_total counter\n");
    for (int s = 100; !rc && s < 600; s++) {
        uint64_t v = atomic_load(&m_status[s]);
        if (v)
            rc = pko_buf_printf(&b, "pko_http_requests_total{code=\"%d\"} %llu\n", s,
                                (unsigned long long)v);
    }
    if (!rc)
        rc = pko_buf_puts(&b, "# HELP pko_http_request_duration_seconds Time to answer.\n"
                              "# TYPE pko_http_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (size_t i = 0; !rc && i < N_BUCKETS; i++) {
        cum += atomic_load(&m_bucket[i]);
        rc = pko_buf_printf(&b, "pko_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                            buckets[i], (unsigned long long)cum);
    }
    cum += atomic_load(&m_bucket[N_BUCKETS]);
    pko_store_stats ss;
    pko_store_get_stats(srv->st, &ss);
    if (!rc)
        rc = pko_buf_printf(
            &b,
            "pko_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
            "pko_http_request_duration_seconds_sum %.6f\n"
            "pko_http_request_duration_seconds_count %llu\n"
            "# HELP pko_http_requests_in_flight Requests being handled.\n"
            "# TYPE pko_http_requests_in_flight gauge\n"
            "pko_http_requests_in_flight %llu\n"
            "# HELP pko_store_commits_total Write transactions committed.\n"
            "# TYPE pko_store_commits_total counter\npko_store_commits_total %llu\n"
            "# HELP pko_store_rollbacks_total Write transactions rolled back.\n"
            "# TYPE pko_store_rollbacks_total counter\npko_store_rollbacks_total %llu\n"
            "# HELP pko_store_busy_retries_total Retries of BEGIN while the database was busy.\n"
            "# TYPE pko_store_busy_retries_total counter\npko_store_busy_retries_total %llu\n"
            "# HELP pko_store_changes_total Change records appended since start.\n"
            "# TYPE pko_store_changes_total counter\npko_store_changes_total %llu\n"
            "# HELP pko_audit_entries_total Audit entries appended since start.\n"
            "# TYPE pko_audit_entries_total counter\npko_audit_entries_total %llu\n"
            "# HELP pko_login_failures_total Failed logins.\n"
            "# TYPE pko_login_failures_total counter\npko_login_failures_total %llu\n"
            "# HELP pko_login_throttled_total Logins refused by throttling.\n"
            "# TYPE pko_login_throttled_total counter\npko_login_throttled_total %llu\n"
            "# HELP pko_start_time_seconds Start time of the process.\n"
            "# TYPE pko_start_time_seconds gauge\npko_start_time_seconds %lld\n",
            (unsigned long long)cum, (double)atomic_load(&m_dur_us) / 1e6,
            (unsigned long long)atomic_load(&m_count),
            (unsigned long long)atomic_load(&m_inflight), (unsigned long long)ss.commits,
            (unsigned long long)ss.rollbacks, (unsigned long long)ss.busy_retries,
            (unsigned long long)ss.changes, (unsigned long long)ss.audit_entries,
            (unsigned long long)pko_auth_failures_total(),
            (unsigned long long)pko_auth_throttled_total(), (long long)(m_start_ms / 1000));
    return pko_buf_take(&b, len);
}

/* ==== Accessors ========================================================== */

const char *pko_req_param(pko_req *req, const char *name)
{
    for (size_t i = 0; i < req->n_params; i++) {
        const char *n = req->pnames[i]; /* "{id}" */
        size_t l = strlen(name);
        if (strlen(n) == l + 2 && strncmp(n + 1, name, l) == 0)
            return req->pvalues[i];
    }
    return NULL;
}

const char *pko_req_query(pko_req *req, const char *name)
{
    return pko_query_get(&req->query, name);
}

json_t *pko_req_body(pko_req *req)
{
    return req->json;
}

pko_rc pko_req_body_object(pko_req *req, json_t **out, pko_err *err)
{
    *out = req->json;
    if (!req->json)
        return pko_err_set(err, PKO_EINVAL, "this request needs a JSON object body");
    return PKO_OK;
}

void pko_req_raw_body(pko_req *req, const char **data, size_t *len)
{
    *data = req->body.data ? req->body.data : "";
    *len = req->body.len;
}

const char *pko_req_header(pko_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *pko_req_remote(pko_req *req)
{
    return req->remote;
}

const pko_principal *pko_req_user(pko_req *req)
{
    return req->authed ? &req->principal : NULL;
}

const pko_actor *pko_req_actor(pko_req *req)
{
    return &req->actor;
}

pko_db *pko_req_db(pko_req *req)
{
    return req->db;
}

pko_store *pko_req_store(pko_req *req)
{
    return req->srv->st;
}

bool pko_req_tls(pko_req *req)
{
    return req->srv->tls;
}

pko_arena *pko_req_arena(pko_req *req)
{
    return &req->arena;
}

void pko_req_scope(pko_req *req, const char *perm_name, pko_scope *out)
{
    const pko_perm *perm = pko_router_perm(req->srv->router, perm_name);
    unsigned roles = (perm ? perm->roles : 0) | PKO_ROLE_SYSTEM_ADMIN;
    out->clearance = req->authed ? req->principal.clearance : PKO_CLASS_UNCLASSIFIED;
    out->all_missions = false;
    json_t *a = json_array();
    for (size_t i = 0; req->authed && perm && i < req->principal.n_grants; i++) {
        const pko_grant *g = &req->principal.grants[i];
        if (!(g->role & roles))
            continue;
        if (!g->mission[0])
            out->all_missions = true;
        else
            json_array_append_new(a, json_string(g->mission));
    }
    char *txt = json_dumps(a, JSON_COMPACT);
    out->missions_json = pko_arena_strdup(&req->arena, txt);
    pko_free(txt);
    json_decref(a);
}

pko_rc pko_req_require(pko_req *req, const char *perm_name, const char *acronym, pko_err *err)
{
    const pko_perm *perm = pko_router_perm(req->srv->router, perm_name);
    if (!req->authed)
        return pko_err_set(err, PKO_EAUTH, "log in first");
    if (perm && pko_principal_has(&req->principal, perm->roles, acronym))
        return PKO_OK;
    if (acronym)
        return pko_err_set(err, PKO_EFORBIDDEN, "you do not hold %s for mission %s", perm_name,
                           acronym);
    return pko_err_set(err, PKO_EFORBIDDEN, "you do not hold %s for all missions", perm_name);
}

pko_rc pko_req_page(pko_req *req, const char **cursor, int *limit, pko_err *err)
{
    const char *l = pko_req_query(req, "limit");
    *cursor = pko_req_query(req, "cursor");
    *limit = PKO_PAGE_DEFAULT;
    if (l) {
        char *end;
        long v = strtol(l, &end, 10);
        if (!*l || *end || v < 1 || v > PKO_PAGE_MAX)
            return pko_err_field(err, PKO_EINVAL, "limit", "limit must be an integer from 1 to %d",
                                 PKO_PAGE_MAX);
        *limit = (int)v;
    }
    if (*cursor && strlen(*cursor) > 64)
        return pko_err_field(err, PKO_EINVAL, "cursor", "cursor is not valid");
    return PKO_OK;
}

void pko_req_reply_raw(pko_req *req, int status, const char *content_type, const char *data,
                       size_t len)
{
    pko_free(req->resp);
    req->resp = pko_strndup(data, len);
    req->resp_len = len;
    req->status = status;
    req->content_type = content_type;
}

void pko_req_reply(pko_req *req, int status, json_t *body)
{
    char *txt = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(body);
    pko_free(req->resp);
    req->resp = txt; /* jansson's malloc, freed with pko_free (same allocator) */
    req->resp_len = strlen(txt);
    req->status = status;
    req->content_type = "application/json; charset=utf-8";
}

void pko_req_reply_stream(pko_req *req, int status, const char *content_type, pko_stream_fn fn,
                          void *ctx, void (*free_ctx)(void *ctx))
{
    pko_free(req->resp);
    req->resp = NULL;
    req->resp_len = 0;
    req->status = status;
    req->content_type = content_type;
    req->stream = fn;
    req->stream_ctx = ctx;
    req->stream_free = free_ctx;
}

typedef struct stream_box {
    pko_stream_fn fn;
    void *ctx;
    void (*free_ctx)(void *);
} stream_box;

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    stream_box *b = cls;
    long n = b->fn(b->ctx, buf, max);
    if (n < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (n == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    stream_box *b = cls;
    if (b->free_ctx)
        b->free_ctx(b->ctx);
    pko_free(b);
}

void pko_req_add_header(pko_req *req, const char *name, const char *value)
{
    if (req->n_headers == MAX_HEADERS)
        return;
    req->hnames[req->n_headers] = pko_arena_strdup(&req->arena, name);
    req->hvalues[req->n_headers] = pko_arena_strdup(&req->arena, value);
    req->n_headers++;
}

/* ==== Errors ============================================================= */

int pko_http_status(pko_rc rc)
{
    switch (rc) {
    case PKO_OK: return 200;
    case PKO_EINVAL:
    case PKO_EJSON: return 400;
    case PKO_EAUTH: return 401;
    case PKO_EFORBIDDEN:
    case PKO_ECSRF: return 403;
    case PKO_ENOTFOUND: return 404;
    case PKO_EMETHOD: return 405;
    case PKO_ECONFLICT: return 409;
    case PKO_ETOOBIG: return 413;
    case PKO_EMEDIA: return 415;
    case PKO_ETHROTTLE: return 429;
    case PKO_EBUSY: return 503;
    case PKO_EFULL: return 507;
    default: return 500;
    }
}

json_t *pko_http_error_body(const pko_err *err)
{
    json_t *e = json_object();
    json_object_set_new(e, "code", json_string(pko_rc_name(err->code)));
    json_object_set_new(e, "message", json_string(err->msg[0] ? err->msg : pko_rc_name(err->code)));
    json_object_set_new(e, "field", err->field[0] ? json_string(err->field) : json_null());
    if (err->offset >= 0 && err->code == PKO_EJSON)
        json_object_set_new(e, "offset", json_integer(err->offset));
    return json_pack("{s:o}", "error", e);
}

static void reply_error(pko_req *req, const pko_err *err)
{
    if (req->stream) {
        if (req->stream_free)
            req->stream_free(req->stream_ctx);
        req->stream = NULL;
        req->stream_ctx = NULL;
    }
    int status = pko_http_status(err->code);
    if (status == 500)
        pko_log(PKO_LOG_ERROR, "internal_error", "path", req->url, "message", err->msg, NULL);
    pko_req_reply(req, status, pko_http_error_body(err));
}

/* ==== Dispatch =========================================================== */

static bool state_changing(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

/* Authenticate from the Authorization header or the session cookie. */
static pko_rc authenticate(pko_req *req, pko_err *err)
{
    const char *authz = pko_req_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
    if (authz && strncmp(authz, "Bearer ", 7) == 0)
        return pko_auth_bearer(req->db, authz + 7, &req->principal, err);
    const char *cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, "pko_session");
    if (!cookie)
        return pko_err_set(err, PKO_EAUTH, "log in first: no session cookie or API token");
    return pko_auth_session(req->db, cookie, &req->principal, err);
}

static pko_rc dispatch(pko_req *req, pko_err *err)
{
    char allow[64];
    char *path = pko_arena_strdup(&req->arena, req->url);
    /* HEAD is GET without a body; libmicrohttpd drops the body. */
    const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
    pko_rc rc = pko_router_match(req->srv->router, method, path, &req->route, req->pnames,
                                 req->pvalues, MAX_PARAMS, &req->n_params, allow, sizeof(allow));
    if (rc == PKO_EMETHOD) {
        pko_req_add_header(req, MHD_HTTP_HEADER_ALLOW, allow);
        return pko_err_set(err, PKO_EMETHOD, "%s is not allowed on %s; use %s", req->method,
                           req->url, allow);
    }
    if (rc)
        return pko_err_set(err, PKO_ENOTFOUND, "no route for %s %s", req->method, req->url);
    const char *qs = req->raw_uri ? strchr(req->raw_uri, '?') : NULL;
    if (qs) {
        rc = pko_query_parse(&req->arena, qs + 1, strlen(qs + 1), &req->query, err);
        if (rc)
            return rc;
    }
    const pko_route *rt = req->route;
    size_t max = rt->max_body ? rt->max_body : req->srv->max_body;
    if (req->body.len > max)
        return pko_err_set(err, PKO_ETOOBIG, "request body is larger than %zu bytes", max);

    req->db = pko_store_acquire(req->srv->st);
    pko_db_set_deadline(req->db, pko_mono_ms() + PKO_REQUEST_DEADLINE_MS);

    if (!(rt->flags & PKO_ROUTE_PUBLIC)) {
        rc = authenticate(req, err);
        if (rc)
            return rc;
        req->authed = true;
        req->actor.user_id = req->principal.user_id;
        if (state_changing(req->method) && !req->principal.via_token &&
            !(rt->flags & PKO_ROUTE_NO_CSRF)) {
            const char *t = pko_req_header(req, "X-CSRF-Token");
            if (!t || strlen(t) != strlen(req->principal.csrf) ||
                sodium_memcmp(t, req->principal.csrf, strlen(t)) != 0)
                return pko_err_set(err, PKO_ECSRF,
                                   "missing or wrong X-CSRF-Token header; use the csrf_token "
                                   "returned at login");
        }
        if (rt->perm) {
            /* A mission-scoped route needs the permission for some mission
             * (the handler narrows it to one); a global one needs it for all
             * missions: a grant scoped to one mission never reaches it. */
            const pko_perm *perm = pko_router_perm(req->srv->router, rt->perm);
            if (perm->global && !pko_principal_has(&req->principal, perm->roles, NULL))
                return pko_err_set(err, PKO_EFORBIDDEN,
                                   "%s needs a role granted for all missions, not for one",
                                   rt->perm);
            if (!pko_principal_has(&req->principal, perm->roles, "*"))
                return pko_err_set(err, PKO_EFORBIDDEN, "your roles do not include %s",
                                   rt->perm);
        }
    }
    if (req->body.len) {
        /* Bodies must say what they are: a cross-site form (text/plain,
         * urlencoded) can then never reach a JSON handler. */
        const char *ct = pko_req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
        bool json = ct && strncasecmp(ct, "application/json", 16) == 0 &&
                    (ct[16] == '\0' || ct[16] == ';' || ct[16] == ' ');
        bool csv = ct && strncasecmp(ct, "text/csv", 8) == 0;
        if ((rt->flags & PKO_ROUTE_RAW_BODY) && csv) {
            /* handler reads the raw body */
        } else if (!json) {
            return pko_err_set(err, PKO_EMEDIA, "send the body as %s (Content-Type header)",
                               (rt->flags & PKO_ROUTE_RAW_BODY) ? "text/csv" : "application/json");
        } else {
            rc = pko_json_parse_object(req->body.data, req->body.len, PKO_MAX_JSON_DEPTH,
                                       &req->json, err);
            if (rc)
                return rc;
        }
    }
    return rt->handler(req, err);
}

/* Security headers on every response. A handler that sets its own
 * Content-Security-Policy or Cache-Control (the web interface's pages and
 * assets) keeps it; everything else gets the API's strict defaults. */
static void add_std_headers(const pko_req *req, struct MHD_Response *r, bool tls)
{
    bool own_csp = false, own_cache = false;
    for (size_t i = 0; i < req->n_headers; i++) {
        own_csp |= strcasecmp(req->hnames[i], "Content-Security-Policy") == 0;
        own_cache |= strcasecmp(req->hnames[i], "Cache-Control") == 0;
    }
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    if (!own_cache)
        MHD_add_response_header(r, "Cache-Control", "no-store");
    if (!own_csp)
        MHD_add_response_header(r, "Content-Security-Policy",
                                "default-src 'none'; frame-ancestors 'none'");
    if (tls)
        MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
}

static enum MHD_Result send_response(pko_req *req)
{
    struct MHD_Response *r;
    if (req->stream) {
        stream_box *b = pko_malloc(sizeof(*b));
        b->fn = req->stream;
        b->ctx = req->stream_ctx;
        b->free_ctx = req->stream_free;
        req->stream = NULL; /* owned by the response now */
        req->stream_ctx = NULL;
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_read, b,
                                              stream_free);
    } else {
        r = MHD_create_response_from_buffer(req->resp_len, req->resp, MHD_RESPMEM_MUST_COPY);
    }
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, req->content_type);
    add_std_headers(req, r, req->srv->tls);
    for (size_t i = 0; i < req->n_headers; i++)
        MHD_add_response_header(r, req->hnames[i], req->hvalues[i]);
    enum MHD_Result ret = MHD_queue_response(req->conn, (unsigned)req->status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Answer the error in 'req' in the middle of its body and drop the
 * connection. libmicrohttpd 0.9 takes a response only before the first body
 * byte or after the last, so over plain HTTP the response is written to the
 * socket directly; under TLS the connection is only closed. Either way no
 * more of the body is read. */
static enum MHD_Result answer_mid_body(pko_req *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!req->srv->tls && ci) {
        char head[512];
        int n = snprintf(head, sizeof(head),
                         "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                         "Connection: close\r\nX-Content-Type-Options: nosniff\r\n"
                         "Cache-Control: no-store\r\n\r\n",
                         req->status, MHD_get_reason_phrase_for((unsigned)req->status),
                         req->content_type, req->resp_len);
        if (n > 0 && (size_t)n < sizeof(head) &&
            send(ci->connect_fd, head, (size_t)n, MSG_NOSIGNAL) == n && req->resp_len)
            (void)!send(ci->connect_fd, req->resp, req->resp_len, MSG_NOSIGNAL);
    }
    return MHD_NO; /* libmicrohttpd closes the connection */
}

static pko_req *new_req(pko_server *srv, const char *uri)
{
    pko_req *req = pko_calloc(1, sizeof(*req));
    req->srv = srv;
    req->start_us = pko_mono_us();
    pko_arena_init(&req->arena);
    req->raw_uri = pko_arena_strdup(&req->arena, uri);
    req->url = "";
    req->method = "";
    return req;
}

/* Called by MHD with the request line's full URI, before the query is split
 * off, so that PKO parses query strings with its own (fuzzed) parser. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)conn;
    return new_req(cls, uri);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void)version;
    pko_server *srv = cls;
    pko_req *req = *con_cls;
    if (!req) {
        req = new_req(srv, NULL);
        *con_cls = req;
    }
    if (!req->started) {
        req->started = true;
        req->conn = conn;
        req->method = pko_arena_strdup(&req->arena, method);
        req->url = pko_arena_strdup(&req->arena, url);
        pko_buf_init(&req->body, srv->max_body);
        req->actor.user_id = "anonymous";
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        snprintf(req->remote, sizeof(req->remote), "unknown");
        if (ci && ci->client_addr) {
            const struct sockaddr *sa = ci->client_addr;
            if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, req->remote,
                          sizeof(req->remote));
            else if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, req->remote,
                          sizeof(req->remote));
        }
        req->actor.source = req->remote;
        atomic_fetch_add(&m_inflight, 1);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > srv->max_body) {
            /* Refuse before reading the body; MHD closes the connection. */
            pko_err err;
            pko_err_clear(&err);
            pko_err_set(&err, PKO_ETOOBIG, "request body is larger than %zu bytes", srv->max_body);
            reply_error(req, &err);
            req->responded = true;
            return send_response(req);
        }
        return MHD_YES;
    }
    if (req->responded) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        if (pko_buf_append(&req->body, upload_data, *upload_size) != PKO_OK) {
            /* Over the cap (a chunked body has no Content-Length to refuse
             * up front): answer 413 now instead of reading the rest. */
            pko_buf_free(&req->body);
            *upload_size = 0;
            pko_err err;
            pko_err_clear(&err);
            pko_err_set(&err, PKO_ETOOBIG, "request body is larger than %zu bytes", srv->max_body);
            reply_error(req, &err);
            req->responded = true;
            return answer_mid_body(req);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    {
        pko_err err;
        pko_err_clear(&err);
        pko_rc rc = dispatch(req, &err);
        if (rc)
            reply_error(req, &err);
        else if (!req->resp && !req->stream)
            pko_req_reply(req, 204, json_null());
    }
    if (req->db) {
        pko_store_release(srv->st, req->db);
        req->db = NULL;
    }
    if (req->status == 204) {
        pko_free(req->resp);
        req->resp = NULL;
        req->resp_len = 0;
    }
    return send_response(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    pko_req *req = *con_cls;
    if (!req)
        return;
    int64_t dur_us = pko_mono_us() - req->start_us;
    int status = req->status ? req->status : 0;
    metrics_observe(status, dur_us);
    if (req->started)
        atomic_fetch_sub(&m_inflight, 1);
    if (req->started && strcmp(req->url, "/healthz") != 0 && strcmp(req->url, "/metrics") != 0) {
        char st[8], ms[24];
        snprintf(st, sizeof(st), "%d", status);
        snprintf(ms, sizeof(ms), "%.2f", (double)dur_us / 1000.0);
        pko_log(PKO_LOG_INFO, "request", "method", req->method, "path", req->url, "status", st,
                "ms", ms, "remote", req->remote, "user",
                req->authed ? req->principal.username : "-", "completed",
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "ok" : "aborted", NULL);
    }
    if (req->db)
        pko_store_release(req->srv->st, req->db);
    if (req->stream && req->stream_free) /* never handed to MHD */
        req->stream_free(req->stream_ctx);
    json_decref(req->json);
    pko_buf_free(&req->body);
    pko_free(req->resp);
    pko_arena_release(&req->arena);
    pko_free(req);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    pko_log(PKO_LOG_WARN, "http_server", "message", msg, NULL);
}

/* ==== Built-in handlers that need the server ============================= */


pko_rc pko_http_metrics_handler(pko_req *req, pko_err *err)
{
    (void)err;
    size_t len;
    char *txt = metrics_text(req->srv, &len);
    pko_req_reply_raw(req, 200, "text/plain; version=0.0.4; charset=utf-8", txt, len);
    pko_free(txt);
    return PKO_OK;
}

/* ==== Start and stop ===================================================== */

static pko_rc parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len,
                           bool *v6, pko_err *err)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof(host))
        return pko_err_set(err, PKO_EINVAL, "--listen must be ADDR:PORT, e.g. 127.0.0.1:8080");
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || port < 0 || port > 65535)
        return pko_err_set(err, PKO_EINVAL, "port in --listen %s must be 0 to 65535", listen);
    memset(ss, 0, sizeof(*ss));
    size_t hl = strlen(host);
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
            return pko_err_set(err, PKO_EINVAL, "bad IPv6 address in --listen %s", listen);
        *len = sizeof(*a);
        *v6 = true;
        return PKO_OK;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
        return pko_err_set(err, PKO_EINVAL, "bad IPv4 address in --listen %s", listen);
    *len = sizeof(*a);
    *v6 = false;
    return PKO_OK;
}

pko_rc pko_server_check_listen(const char *listen, pko_err *err)
{
    struct sockaddr_storage ss;
    socklen_t len;
    bool v6;
    if (!listen)
        return pko_err_set(err, PKO_EINVAL, "--listen must be ADDR:PORT, e.g. 127.0.0.1:8080");
    return parse_listen(listen, &ss, &len, &v6, err);
}

static char *read_file(const char *path, pko_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        pko_err_set(err, PKO_EIO, "cannot read %s", path);
        return NULL;
    }
    pko_buf b;
    pko_buf_init(&b, 1 << 20);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (pko_buf_append(&b, chunk, n)) {
            fclose(f);
            pko_buf_free(&b);
            pko_err_set(err, PKO_ETOOBIG, "%s is larger than 1 MiB", path);
            return NULL;
        }
    }
    fclose(f);
    return pko_buf_take(&b, NULL);
}

pko_rc pko_server_start(const pko_server_opts *opts, pko_store *st, pko_server **out,
                        pko_err *err)
{
    *out = NULL;
    struct sockaddr_storage ss;
    socklen_t slen = 0;
    bool v6 = false;
    pko_rc rc = parse_listen(opts->listen ? opts->listen : "127.0.0.1:8080", &ss, &slen, &v6, err);
    if (rc)
        return rc;
    pko_server *srv = pko_calloc(1, sizeof(*srv));
    srv->st = st;
    srv->max_body = opts->max_body ? opts->max_body : PKO_MAX_BODY_BYTES;
    srv->router = pko_router_new();
    for (size_t i = 0; i < pko_n_modules; i++) {
        rc = pko_router_add_module(srv->router, pko_modules[i], err);
        if (rc) {
            pko_server_stop(srv);
            return rc;
        }
    }
    for (size_t i = 0; i < pko_n_modules; i++) {
        if (!pko_modules[i]->start)
            continue;
        rc = pko_modules[i]->start(st, err);
        if (rc) {
            pko_server_stop(srv);
            return rc;
        }
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
#ifdef MHD_USE_EPOLL
    flags |= MHD_USE_EPOLL;
#endif
    if (v6)
        flags |= MHD_USE_IPv6;
    if (opts->tls_cert || opts->tls_key) {
        if (!opts->tls_cert || !opts->tls_key) {
            pko_server_stop(srv);
            return pko_err_set(err, PKO_EINVAL, "--tls-cert and --tls-key go together");
        }
        srv->cert = read_file(opts->tls_cert, err);
        srv->key = srv->cert ? read_file(opts->tls_key, err) : NULL;
        if (!srv->cert || !srv->key) {
            pko_server_stop(srv);
            return err ? err->code : PKO_EIO;
        }
        srv->tls = true;
        flags |= MHD_USE_TLS;
    }
    int threads = opts->threads > 0 ? opts->threads : 4;
    m_start_ms = pko_now_ms();
    if (srv->tls)
        srv->d = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
            (size_t)(PKO_MAX_HEADER_BYTES + 16 * 1024), MHD_OPTION_CONNECTION_TIMEOUT,
            (unsigned)PKO_REQUEST_TIMEOUT_SEC, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
            MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv, MHD_OPTION_HTTPS_MEM_CERT, srv->cert,
            MHD_OPTION_HTTPS_MEM_KEY, srv->key, MHD_OPTION_END);
    else
        srv->d = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
            (size_t)(PKO_MAX_HEADER_BYTES + 16 * 1024), MHD_OPTION_CONNECTION_TIMEOUT,
            (unsigned)PKO_REQUEST_TIMEOUT_SEC, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
            MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv, MHD_OPTION_END);
    if (!srv->d) {
        pko_server_stop(srv);
        return pko_err_set(err, PKO_EIO,
                           "cannot listen on %s (address in use, or not an address of this "
                           "machine?)",
                           opts->listen ? opts->listen : "127.0.0.1:8080");
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : 0;
    *out = srv;
    return PKO_OK;
}

int pko_server_port(const pko_server *srv)
{
    return srv->port;
}

void pko_server_stop(pko_server *srv)
{
    if (!srv)
        return;
    if (srv->d)
        MHD_stop_daemon(srv->d);
    pko_router_free(srv->router);
    if (srv->key)
        sodium_memzero(srv->key, strlen(srv->key));
    pko_free(srv->key);
    pko_free(srv->cert);
    pko_free(srv);
}
