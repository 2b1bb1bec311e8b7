/* SPDX-License-Identifier: MIT
 *
 * Streamed exports: GeoJSON (RFC 7946), CSV and HXL-tagged CSV. The
 * response is produced in pages of 500 events, walking the index newest
 * first with a cursor, so an export of ten million events never sits whole
 * in memory. The stream holds its own store connection (a consistent
 * snapshot) and the caller's filter, copied when the request ended.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/clock.h"
#include "modules/incidents/incidents_int.h"

enum { FMT_GEOJSON, FMT_CSV, FMT_HXL };

/* Columns of the CSV exports, with their HXL hashtags. */
static const struct {
    const char *name, *hxl;
} csv_cols[] = {
    {"id", "#event+id"},
    {"title", "#event+name"},
    {"category", "#event+type+code"},
    {"category_label", "#event+type"},
    {"status", "#status"},
    {"occurred_start", "#date+start"},
    {"occurred_end", "#date+end"},
    {"date_precision", "#date+precision"},
    {"lat", "#geo+lat"},
    {"lon", "#geo+lon"},
    {"location_precision", "#geo+precision"},
    {"place", "#loc+name"},
    {"admin1", "#adm1+name"},
    {"admin2", "#adm2+name"},
    {"country", "#country+name"},
    {"killed_total", "#affected+killed"},
    {"killed_civilians", "#affected+killed+civilians"},
    {"killed_un_uniformed", "#affected+killed+un+uniformed"},
    {"killed_un_civilian", "#affected+killed+un+civilian"},
    {"killed_security_forces", "#affected+killed+security_forces"},
    {"killed_armed_groups", "#affected+killed+armed_groups"},
    {"injured_civilians", "#affected+injured+civilians"},
    {"abducted_civilians", "#affected+abducted+civilians"},
    {"women_killed", "#affected+killed+f"},
    {"children_killed", "#affected+killed+children"},
    {"casualties_total", "#affected+casualties"},
    {"source_type", "#meta+source+type"},
    {"source_reliability", "#meta+source+reliability"},
    {"source_credibility", "#meta+source+credibility"},
    {"source_system", "#meta+source"},
    {"source_id", "#meta+source+id"},
    {"classification", "#meta+classification"},
    {"narrative", "#description"},
};
#define N_CSV_COLS (sizeof(csv_cols) / sizeof(csv_cols[0]))

typedef struct export_ctx {
    pko_store *st;
    pko_db *db;
    pko_req *req_gone; /* not used after the handler returns */
    int fmt;
    incidx_filter f;   /* arrays below are owned copies */
    uint8_t *cat_ok, *mission_full, *mission_read;
    uint32_t *rowids;
    double *poly;
    pko_scope scope;
    char *missions_json;
    pko_actor actor;
    char user_id[PKO_ID_LEN], source[64];
    int32_t cursor_t;
    uint32_t cursor_rowid;
    bool started, done, first_feature;
    pko_buf out;    /* pending bytes */
    size_t out_pos; /* sent from 'out' */
    uint64_t written;
} export_ctx;

static void *dup_bytes(const void *p, size_t n)
{
    if (!p)
        return NULL;
    void *q = pko_malloc(n ? n : 1);
    memcpy(q, p, n);
    return q;
}

static void csv_cell(pko_buf *b, json_t *v)
{
    char num[64];
    const char *s = NULL;
    if (json_is_string(v))
        s = json_string_value(v);
    else if (json_is_integer(v)) {
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
        s = num;
    } else if (json_is_real(v)) {
        snprintf(num, sizeof(num), "%.6f", json_real_value(v));
        s = num;
    }
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        if (pko_buf_puts(b, s)) {
        }
        return;
    }
    if (pko_buf_puts(b, "\"")) {
    }
    for (const char *p = s; *p; p++)
        if (pko_buf_append(b, p, 1) || (*p == '"' && pko_buf_append(b, "\"", 1))) {
        }
    if (pko_buf_puts(b, "\"")) {
    }
}

static void emit_header(export_ctx *c)
{
    pko_buf *b = &c->out;
    if (c->fmt == FMT_GEOJSON) {
        if (pko_buf_puts(b, "{\"type\":\"FeatureCollection\",\"features\":[")) {
        }
        return;
    }
    for (size_t i = 0; i < N_CSV_COLS; i++)
        if (pko_buf_printf(b, "%s%s", i ? "," : "", csv_cols[i].name)) {
        }
    if (pko_buf_puts(b, "\r\n")) {
    }
    if (c->fmt == FMT_HXL) {
        for (size_t i = 0; i < N_CSV_COLS; i++)
            if (pko_buf_printf(b, "%s%s", i ? "," : "", csv_cols[i].hxl)) {
            }
        if (pko_buf_puts(b, "\r\n")) {
        }
    }
}

static void emit_event(export_ctx *c, json_t *o)
{
    pko_buf *b = &c->out;
    if (c->fmt == FMT_GEOJSON) {
        double lon = json_number_value(json_object_get(o, "lon"));
        double lat = json_number_value(json_object_get(o, "lat"));
        json_t *props = json_deep_copy(o);
        json_object_del(props, "lon");
        json_object_del(props, "lat");
        json_t *feat = json_pack("{s:s, s:O, s:{s:s, s:[f,f]}, s:o}", "type", "Feature", "id",
                                 json_object_get(o, "id"), "geometry", "type", "Point",
                                 "coordinates", lon, lat, "properties", props);
        char *txt = json_dumps(feat, JSON_COMPACT | JSON_REAL_PRECISION(10));
        json_decref(feat);
        if (pko_buf_printf(b, "%s%s", c->first_feature ? "" : ",\n", txt)) {
        }
        pko_free(txt);
        c->first_feature = false;
        return;
    }
    for (size_t i = 0; i < N_CSV_COLS; i++) {
        if (i && pko_buf_puts(b, ",")) {
        }
        csv_cell(b, json_object_get(o, csv_cols[i].name));
    }
    if (pko_buf_puts(b, "\r\n")) {
    }
}

/* Produce the next page of events into c->out. */
static void fill(export_ctx *c)
{
    if (!c->started) {
        c->started = true;
        emit_header(c);
        return;
    }
    incidx_event ev[500];
    pko_err err;
    pko_err_clear(&err);
    if (inc_sync(c->db, &err)) {
        c->done = true;
        return;
    }
    const incidx *x = inc_read_begin();
    size_t n = incidx_list(x, &c->f, c->cursor_t, c->cursor_rowid, 500, ev);
    inc_read_end();
    for (size_t i = 0; i < n; i++) {
        json_t *o = NULL;
        pko_err_clear(&err);
        if (pko_db_get_rowid(c->db, &pko_entity_incident, &c->scope, &c->actor, ev[i].rowid, &o,
                             &err) == PKO_OK) {
            int cat = incidents_category_index(json_string_value(json_object_get(o, "category")));
            if (cat >= 0)
                json_object_set_new(o, "category_label",
                                    json_string(incidents_category_at((size_t)cat)->label));
            emit_event(c, o);
            json_decref(o);
            c->written++;
        }
    }
    if (n) {
        c->cursor_t = ev[n - 1].t;
        c->cursor_rowid = ev[n - 1].rowid;
    }
    if (n < 500) {
        c->done = true;
        if (c->fmt == FMT_GEOJSON && pko_buf_puts(&c->out, "]}\n")) {
        }
    }
}

static long export_read(void *ctx, char *buf, size_t max)
{
    export_ctx *c = ctx;
    while (c->out_pos == c->out.len) {
        if (c->done)
            return 0;
        pko_buf_reset(&c->out);
        c->out_pos = 0;
        fill(c);
    }
    size_t n = c->out.len - c->out_pos;
    if (n > max)
        n = max;
    memcpy(buf, c->out.data + c->out_pos, n);
    c->out_pos += n;
    return (long)n;
}

static void export_free(void *ctx)
{
    export_ctx *c = ctx;
    if (c->db)
        pko_store_release(c->st, c->db);
    pko_buf_free(&c->out);
    pko_free(c->cat_ok);
    pko_free(c->mission_full);
    pko_free(c->mission_read);
    pko_free(c->rowids);
    pko_free(c->poly);
    pko_free(c->missions_json);
    pko_free(c);
}

pko_rc inc_h_export(pko_req *req, pko_err *err)
{
    const char *format = pko_req_query(req, "format");
    int fmt;
    const char *ctype;
    if (!format || strcmp(format, "geojson") == 0) {
        fmt = FMT_GEOJSON;
        ctype = "application/geo+json";
    } else if (strcmp(format, "csv") == 0) {
        fmt = FMT_CSV;
        ctype = "text/csv; charset=utf-8";
    } else if (strcmp(format, "hxl") == 0) {
        fmt = FMT_HXL;
        ctype = "text/csv; charset=utf-8";
    } else {
        return pko_err_field(err, PKO_EINVAL, "format", "format must be geojson, csv or hxl");
    }
    pko_rc rc = inc_sync(pko_req_db(req), err);
    if (rc)
        return rc;
    export_ctx *c = pko_calloc(1, sizeof(*c));
    const incidx *x = inc_read_begin();
    (void)x;
    rc = inc_filter_from_req(req, &c->f, err);
    inc_read_end();
    if (rc) {
        pko_free(c);
        return rc;
    }
    /* Copy what lives in the request arena. */
    c->cat_ok = dup_bytes(c->f.cat_ok, incidents_n_categories());
    c->f.cat_ok = c->cat_ok;
    c->mission_full = dup_bytes(c->f.mission_full, c->f.n_mission_bits);
    c->f.mission_full = c->mission_full;
    c->mission_read = dup_bytes(c->f.mission_read, c->f.n_mission_bits);
    c->f.mission_read = c->mission_read;
    c->rowids = dup_bytes(c->f.rowids, c->f.n_rowids * sizeof(uint32_t));
    c->f.rowids = c->rowids;
    c->poly = dup_bytes(c->f.poly, c->f.poly_n * 2 * sizeof(double));
    c->f.poly = c->poly;
    pko_req_scope(req, "incidents.read", &c->scope);
    c->missions_json = pko_strdup(c->scope.missions_json);
    c->scope.missions_json = c->missions_json;
    snprintf(c->user_id, sizeof(c->user_id), "%s", pko_req_user(req)->user_id);
    snprintf(c->source, sizeof(c->source), "%s", pko_req_remote(req));
    c->actor.user_id = c->user_id;
    c->actor.source = c->source;
    c->fmt = fmt;
    c->cursor_t = INT32_MAX;
    c->first_feature = true;
    c->st = pko_req_store(req);
    pko_buf_init(&c->out, 8 * 1024 * 1024);
    c->db = pko_store_acquire(c->st);
    char disp[96];
    snprintf(disp, sizeof(disp), "attachment; filename=\"incidents.%s\"",
             fmt == FMT_GEOJSON ? "geojson" : fmt == FMT_HXL ? "hxl.csv" : "csv");
    pko_req_add_header(req, "Content-Disposition", disp);
    pko_req_reply_stream(req, 200, ctype, export_read, c, export_free);
    return PKO_OK;
}
