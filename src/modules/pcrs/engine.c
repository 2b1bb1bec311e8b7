/* SPDX-License-Identifier: MIT
 *
 * The matching engine behind solve, gaps and candidates, built for 1,000
 * open requirements against 10,000 pledges in well under 100 ms:
 *
 *  - one query per table (open requirements within the caller's scope,
 *    available pledges within the caller's clearance, and the filled
 *    requirements' contributors per mission), no per-row read path;
 *  - strings interned once: the capabilities and languages that the loaded
 *    requirements ask for become bit positions, each pledge a bitset of
 *    what it offers (its own tags and its unit type's), each country and
 *    mission an index, so that scoring a pair is a few comparisons and
 *    bit tests on plain C structs (pair_total, the same formula as
 *    pcrs_score in match.c, checked equal by the unit tests);
 *  - one block per unit type (pledges of another type are never
 *    candidates); in a block of n requirements only each requirement's n
 *    best eligible pledges are kept, which loses nothing: in an optimal
 *    assignment a requirement given a pledge outside its n best could
 *    take one of them instead (the other n - 1 requirements hold at most
 *    n - 1), and greedy never picks outside them either;
 *  - the Hungarian algorithm on the n x (kept columns) block, rectangular
 *    (O(n^2 m), no padding), and greedy on the same kept pairs.
 *
 * Only the pairs reported (the assignment) are explained, through
 * pcrs_score on JSON built from the same rows, so the output is what it
 * was before this engine. Reads of confidential records that appear in an
 * answer are audited, as pko_db_get would.
 */
#define _GNU_SOURCE
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "modules/pcrs/pcrs.h"

/* ==== Interned strings ===================================================== */

typedef struct dict {
    int *slot;   /* cap entries: index into key, or -1 */
    char **key;  /* n keys, in the arena */
    size_t n, cap, key_cap;
    pko_arena *ar;
} dict;

static void dict_init(dict *d, pko_arena *ar)
{
    memset(d, 0, sizeof(*d));
    d->ar = ar;
    d->cap = 64;
    d->slot = pko_malloc(d->cap * sizeof(int));
    for (size_t i = 0; i < d->cap; i++)
        d->slot[i] = -1;
}

static void dict_free(dict *d)
{
    pko_free(d->slot);
    pko_free(d->key);
}

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

/* Index of 's' (n bytes), added when 'add'; -1 when absent. */
static int dict_find(dict *d, const char *s, size_t n, bool add)
{
    size_t mask = d->cap - 1, i = (size_t)hash(s, n) & mask;
    while (d->slot[i] >= 0) {
        const char *k = d->key[d->slot[i]];
        if (strncmp(k, s, n) == 0 && k[n] == 0)
            return d->slot[i];
        i = (i + 1) & mask;
    }
    if (!add)
        return -1;
    if (d->n == d->key_cap) {
        d->key_cap = d->key_cap ? d->key_cap * 2 : 64;
        d->key = pko_realloc(d->key, d->key_cap * sizeof(char *));
    }
    int idx = (int)d->n;
    d->key[d->n++] = pko_arena_strndup(d->ar, s, n);
    d->slot[i] = idx;
    if (d->n * 2 > d->cap) { /* grow and rehash */
        pko_free(d->slot);
        d->cap *= 2;
        d->slot = pko_malloc(d->cap * sizeof(int));
        for (size_t j = 0; j < d->cap; j++)
            d->slot[j] = -1;
        for (size_t k = 0; k < d->n; k++) {
            size_t j = (size_t)hash(d->key[k], strlen(d->key[k])) & (d->cap - 1);
            while (d->slot[j] >= 0)
                j = (j + 1) & (d->cap - 1);
            d->slot[j] = (int)k;
        }
    }
    return idx;
}

/* ==== JSON arrays of strings as stored ===================================== */

typedef void (*str_fn)(void *ctx, const char *s, size_t n);

static int each_string_jansson(const char *txt, str_fn fn, void *ctx);

/* Call 'fn' (may be NULL) for every string of the JSON array text 'txt'
 * (NULL or not an array: none); returns the number of elements, as
 * json_array_size would. Plain strings are walked in place; text with an
 * escape or a non-string element goes through jansson. */
/* Walk the plain strings of the array at 'p' (just after '['), calling
 * 'fn' when given; -1 when an element is not a plain string. */
static int walk_plain(const char *p, str_fn fn, void *ctx)
{
    int n = 0;
    for (;;) {
        while (*p == ' ' || *p == ',' || *p == '\n' || *p == '\t' || *p == '\r')
            p++;
        if (*p == ']' || !*p)
            return n;
        if (*p != '"')
            return -1;
        const char *b = ++p;
        while (*p && *p != '"')
            p++;
        if (fn)
            fn(ctx, b, (size_t)(p - b));
        n++;
        if (*p)
            p++;
    }
}

static int each_string(const char *txt, str_fn fn, void *ctx)
{
    if (!txt)
        return 0;
    const char *p = txt;
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    /* The fast path only for arrays of plain strings (checked first, so
     * that 'fn' never sees an element twice). */
    if (*p == '[' && !strchr(p, '\\') && walk_plain(p + 1, NULL, NULL) >= 0)
        return walk_plain(p + 1, fn, ctx);
    return each_string_jansson(txt, fn, ctx);
}

static int each_string_jansson(const char *txt, str_fn fn, void *ctx)
{
    json_t *a = json_loads(txt, JSON_DECODE_ANY, NULL);
    int n = (int)json_array_size(a);
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) if (fn && json_is_string(v))
        fn(ctx, json_string_value(v), json_string_length(v));
    json_decref(a);
    return n;
}

/* ==== Loaded rows ========================================================== */

typedef struct ereq {
    json_t *rec;   /* the record as pko_db_get returns it */
    int64_t version;
    int cls, type, mission, lang;
    long by;
    double target;
    int cap0, ncap; /* into engine.rcaps */
} ereq;

typedef struct epl {
    const char *id, *country_s, *from_s, *until_s, *langs, *cavs, *caps;
    int cls, type, level, country, strength;
    long until, earliest;
    double share, s_cav;
    bool share_null;
    size_t capw0, langw0; /* into engine.capbits / langbits */
} epl;

typedef struct engine {
    pko_arena ar;
    dict caps, langs, countries, missions;
    ereq *r;
    size_t nr;
    epl *p;
    size_t np;
    int *rcaps;
    size_t nrcaps;
    uint64_t *capbits, *langbits;
    size_t capw, langw;
    double *div; /* missions x countries: 1 / (1 + units already deployed) */
    int *already; /* missions x countries: units already deployed */
    long today;
    char today_s[11];
} engine;

static void engine_free(engine *E)
{
    for (size_t i = 0; i < E->nr; i++)
        json_decref(E->r[i].rec);
    pko_free(E->r);
    pko_free(E->p);
    pko_free(E->rcaps);
    pko_free(E->capbits);
    pko_free(E->langbits);
    pko_free(E->div);
    pko_free(E->already);
    dict_free(&E->caps);
    dict_free(&E->langs);
    dict_free(&E->countries);
    dict_free(&E->missions);
    pko_arena_release(&E->ar);
}

static int type_index(const char *code)
{
    const pcrs_unit_type *t = pcrs_unit_type_find(code);
    return t ? (int)(t - pcrs_unit_types) : -1;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

/* The JSON record of a requirement row (columns as in REQ_COLS), shaped as
 * the store's row_json shapes it. */
#define REQ_COLS                                                                                   \
    "id, version, classification, created_at, updated_at, mission_id, unit_type, title,"           \
    " strength, required_capabilities, required_by, language, women_target, status, pledge_id,"   \
    " deployed_on, rotation_months"

static json_t *col_value(sqlite3_stmt *s, int i, pko_col_type t)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return json_null();
    switch (t) {
    case PKO_COL_INT: return json_integer(sqlite3_column_int64(s, i));
    case PKO_COL_REAL: return json_real(sqlite3_column_double(s, i));
    case PKO_COL_BOOL: return json_boolean(sqlite3_column_int(s, i));
    case PKO_COL_JSON: {
        json_t *v = json_loads(col_text(s, i), JSON_DECODE_ANY, NULL);
        return v ? v : json_null();
    }
    case PKO_COL_TEXT:
    default: return json_stringn(col_text(s, i), (size_t)sqlite3_column_bytes(s, i));
    }
}

static json_t *row_record(sqlite3_stmt *s, const pko_entity *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(col_text(s, 0)));
    json_object_set_new(o, "version", json_integer(sqlite3_column_int64(s, 1)));
    json_object_set_new(o, "classification",
                        json_string(pko_class_name(sqlite3_column_int(s, 2))));
    json_object_set_new(o, "created_at", json_string(col_text(s, 3)));
    json_object_set_new(o, "updated_at", json_string(col_text(s, 4)));
    for (size_t i = 0; i < e->n_cols; i++)
        json_object_set_new(o, e->cols[i].name, col_value(s, (int)i + 5, e->cols[i].type));
    return o;
}

typedef struct cap_ctx {
    engine *E;
} cap_ctx;

static void add_req_cap(void *ctx, const char *s, size_t n)
{
    engine *E = ((cap_ctx *)ctx)->E;
    E->rcaps = pko_realloc(E->rcaps, (E->nrcaps + 1) * sizeof(int));
    E->rcaps[E->nrcaps++] = dict_find(&E->caps, s, n, true);
}

typedef struct bits_ctx {
    dict *d;
    uint64_t *bits;
} bits_ctx;

static void set_bit(void *ctx, const char *s, size_t n)
{
    bits_ctx *c = ctx;
    int k = dict_find(c->d, s, n, false);
    if (k >= 0)
        c->bits[k >> 6] |= 1ULL << (k & 63);
}

/* Load the open requirements visible under 'scope' (ordered by 'order'),
 * the available pledges within its clearance, and the contributors. */
static pko_rc engine_load(engine *E, pko_db *db, const pko_scope *scope, const char *today,
                          bool by_date, pko_err *err)
{
    memset(E, 0, sizeof(*E));
    pko_arena_init(&E->ar);
    dict_init(&E->caps, &E->ar);
    dict_init(&E->langs, &E->ar);
    dict_init(&E->countries, &E->ar);
    dict_init(&E->missions, &E->ar);
    snprintf(E->today_s, sizeof(E->today_s), "%s", today);
    E->today = pcrs_day_number(today);

    /* Requirements: one query, the store's scope filter. */
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(
        db,
        by_date ? "SELECT " REQ_COLS " FROM pcrs_requirements WHERE status = 'open'"
                  " AND classification <= ?2 AND (?3 OR mission_id IN (SELECT id FROM missions"
                  " WHERE acronym IN (SELECT value FROM json_each(?4))))"
                  " ORDER BY required_by, id"
                : "SELECT " REQ_COLS " FROM pcrs_requirements WHERE status = 'open'"
                  " AND classification <= ?2 AND (?3 OR mission_id IN (SELECT id FROM missions"
                  " WHERE acronym IN (SELECT value FROM json_each(?4)))) ORDER BY id",
        &s, err);
    if (rc)
        return rc;
    sqlite3_bind_int(s, 2, scope->clearance);
    sqlite3_bind_int(s, 3, scope->all_missions);
    sqlite3_bind_text(s, 4, scope->missions_json ? scope->missions_json : "[]", -1,
                      SQLITE_TRANSIENT);
    size_t cap = 0;
    int row;
    cap_ctx cc = {E};
    while (!(rc = pko_db_step(db, s, &row, err)) && row) {
        if (E->nr == cap) {
            cap = cap ? cap * 2 : 256;
            E->r = pko_realloc(E->r, cap * sizeof(ereq));
        }
        ereq *r = &E->r[E->nr++];
        memset(r, 0, sizeof(*r));
        r->rec = row_record(s, &pko_entity_pcrs_requirement);
        r->version = sqlite3_column_int64(s, 1);
        r->cls = sqlite3_column_int(s, 2);
        r->mission = dict_find(&E->missions, col_text(s, 5), (size_t)sqlite3_column_bytes(s, 5),
                               true);
        r->type = type_index(col_text(s, 6));
        r->cap0 = (int)E->nrcaps;
        each_string(col_text(s, 9), add_req_cap, &cc);
        r->ncap = (int)E->nrcaps - r->cap0;
        r->by = pcrs_day_number(col_text(s, 10));
        r->lang = sqlite3_column_type(s, 11) == SQLITE_NULL
                      ? -1
                      : dict_find(&E->langs, col_text(s, 11), (size_t)sqlite3_column_bytes(s, 11),
                                  true);
        r->target = sqlite3_column_type(s, 12) == SQLITE_NULL ? 0 : sqlite3_column_double(s, 12);
    }
    sqlite3_reset(s);
    if (rc)
        return rc;

    /* Pledges: one query. */
    rc = pko_db_prepare(db,
                        "SELECT id, classification, country, unit_type, level, available_from,"
                        " available_until, women_share, languages, caveats, capabilities, strength"
                        " FROM pcrs_pledges WHERE status = 'available' AND classification <= ?1",
                        &s, err);
    if (rc)
        return rc;
    sqlite3_bind_int(s, 1, scope->clearance);
    cap = 0;
    while (!(rc = pko_db_step(db, s, &row, err)) && row) {
        if (E->np == cap) {
            cap = cap ? cap * 2 : 1024;
            E->p = pko_realloc(E->p, cap * sizeof(epl));
        }
        epl *p = &E->p[E->np++];
        memset(p, 0, sizeof(*p));
        p->id = pko_arena_strdup(&E->ar, col_text(s, 0));
        p->cls = sqlite3_column_int(s, 1);
        p->country_s = pko_arena_strdup(&E->ar, col_text(s, 2));
        p->country = dict_find(&E->countries, p->country_s, strlen(p->country_s), true);
        p->type = type_index(col_text(s, 3));
        p->level = pcrs_level_index(col_text(s, 4));
        const char *from = col_text(s, 5), *until = col_text(s, 6);
        p->from_s = from ? pko_arena_strdup(&E->ar, from) : NULL;
        p->until_s = until ? pko_arena_strdup(&E->ar, until) : NULL;
        long f = pcrs_day_number(from);
        long start = f > E->today ? f : E->today;
        p->earliest = start + pcrs_level_days(p->level);
        p->until = pcrs_day_number(until);
        p->share_null = sqlite3_column_type(s, 7) == SQLITE_NULL;
        p->share = p->share_null ? 0 : sqlite3_column_double(s, 7);
        p->langs = col_text(s, 8) ? pko_arena_strdup(&E->ar, col_text(s, 8)) : NULL;
        p->cavs = col_text(s, 9) ? pko_arena_strdup(&E->ar, col_text(s, 9)) : NULL;
        p->caps = col_text(s, 10) ? pko_arena_strdup(&E->ar, col_text(s, 10)) : NULL;
        p->strength = sqlite3_column_int(s, 11);
        int ncav = each_string(p->cavs, NULL, NULL);
        p->s_cav = 1.0 - 0.25 * (double)ncav;
        if (p->s_cav < 0)
            p->s_cav = 0;
    }
    sqlite3_reset(s);
    if (rc)
        return rc;

    /* What each pledge offers of what the requirements ask. */
    E->capw = E->caps.n / 64 + 1;
    E->langw = E->langs.n / 64 + 1;
    E->capbits = pko_calloc(E->np * E->capw + 1, sizeof(uint64_t));
    E->langbits = pko_calloc(E->np * E->langw + 1, sizeof(uint64_t));
    uint64_t *typebits = pko_calloc(pcrs_n_unit_types * E->capw, sizeof(uint64_t));
    for (size_t t = 0; t < pcrs_n_unit_types; t++)
        for (size_t k = 0; k < PCRS_MAX_TAGS && pcrs_unit_types[t].tags[k]; k++) {
            int c = dict_find(&E->caps, pcrs_unit_types[t].tags[k],
                              strlen(pcrs_unit_types[t].tags[k]), false);
            if (c >= 0)
                typebits[t * E->capw + (size_t)(c >> 6)] |= 1ULL << (c & 63);
        }
    for (size_t j = 0; j < E->np; j++) {
        epl *p = &E->p[j];
        p->capw0 = j * E->capw;
        p->langw0 = j * E->langw;
        if (p->type >= 0)
            memcpy(E->capbits + p->capw0, typebits + (size_t)p->type * E->capw,
                   E->capw * sizeof(uint64_t));
        if (E->caps.n) {
            bits_ctx bc = {&E->caps, E->capbits + p->capw0};
            each_string(p->caps, set_bit, &bc);
        }
        if (E->langs.n) {
            bits_ctx bl = {&E->langs, E->langbits + p->langw0};
            each_string(p->langs, set_bit, &bl);
        }
    }
    pko_free(typebits);

    /* Units each country already deploys to each mission (filled
     * requirements), for the diversity component. */
    size_t nm = E->missions.n, nc = E->countries.n;
    E->div = pko_malloc((nm * nc + 1) * sizeof(double));
    E->already = pko_calloc(nm * nc + 1, sizeof(int));
    for (size_t k = 0; k < nm * nc; k++)
        E->div[k] = 1.0;
    if (nm && nc) {
        rc = pko_db_prepare(db,
                            "SELECT r.mission_id, p.country, COUNT(*) FROM pcrs_requirements r"
                            " JOIN pcrs_pledges p ON p.id = r.pledge_id"
                            " WHERE r.status = 'filled' GROUP BY r.mission_id, p.country",
                            &s, err);
        if (rc)
            return rc;
        while (!(rc = pko_db_step(db, s, &row, err)) && row) {
            int m = dict_find(&E->missions, col_text(s, 0), (size_t)sqlite3_column_bytes(s, 0),
                              false);
            int c = dict_find(&E->countries, col_text(s, 1), (size_t)sqlite3_column_bytes(s, 1),
                              false);
            int64_t already = sqlite3_column_int64(s, 2);
            if (m >= 0 && c >= 0) {
                E->div[(size_t)m * nc + (size_t)c] =
                    1.0 / (1.0 + (double)(already > 0 ? already : 0));
                E->already[(size_t)m * nc + (size_t)c] = (int)already;
            }
        }
        sqlite3_reset(s);
    }
    return rc;
}

/* The total score of pledge 'p' for requirement 'r': the formula of
 * pcrs_score (match.c), term for term. '*eligible' is false when the
 * pledge's availability ends before required_by. */
static inline double pair_total(const engine *E, const ereq *r, const epl *p, bool *eligible)
{
    *eligible = !(p->until >= 0 && r->by >= 0 && p->until < r->by);
    double s_time = 1;
    if (r->by >= 0 && p->earliest > r->by) {
        long late = p->earliest - r->by;
        s_time = late >= 180 ? 0 : 1.0 - (double)late / 180.0;
    }
    double s_cap = 1;
    if (r->ncap) {
        const uint64_t *b = E->capbits + p->capw0;
        int have = 0;
        for (int k = 0; k < r->ncap; k++) {
            int c = E->rcaps[r->cap0 + k];
            have += (int)((b[c >> 6] >> (c & 63)) & 1);
        }
        s_cap = (double)have / (double)r->ncap;
    }
    double s_lang = 1;
    if (r->lang >= 0 && !((E->langbits[p->langw0 + (size_t)(r->lang >> 6)] >> (r->lang & 63)) & 1))
        s_lang = 0;
    double s_gender = 1;
    if (r->target > 0 && p->share < r->target)
        s_gender = p->share / r->target;
    double s_div = E->div[(size_t)r->mission * E->countries.n + (size_t)p->country];
    return 0.30 * s_time + 0.25 * s_cap + 0.15 * s_lang + 0.15 * s_gender + 0.10 * p->s_cav +
           0.05 * s_div;
}

/* The pledge as JSON, with the fields pcrs_score reads. */
static json_t *pledge_json(const engine *E, const epl *p)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "id", p->id, "unit_type",
                          pcrs_unit_types[p->type].code, "status", "available", "level",
                          pcrs_levels[p->level >= 0 ? p->level : 0], "country", p->country_s,
                          "strength", p->strength);
    (void)E;
    if (p->from_s)
        json_object_set_new(o, "available_from", json_string(p->from_s));
    if (p->until_s)
        json_object_set_new(o, "available_until", json_string(p->until_s));
    if (!p->share_null)
        json_object_set_new(o, "women_share", json_real(p->share));
    const char *arr[3] = {p->langs, p->cavs, p->caps};
    const char *names[3] = {"languages", "caveats", "capabilities"};
    for (int k = 0; k < 3; k++)
        if (arr[k]) {
            json_t *v = json_loads(arr[k], JSON_DECODE_ANY, NULL);
            if (v)
                json_object_set_new(o, names[k], v);
        }
    return o;
}

/* {country: units} of mission 'm', for pcrs_score's explanation. */
static json_t *contributors_json(const engine *E, int m)
{
    json_t *o = json_object();
    for (size_t c = 0; c < E->countries.n; c++) {
        int n = E->already[(size_t)m * E->countries.n + c];
        if (n > 0)
            json_object_set_new(o, E->countries.key[c], json_integer(n));
    }
    return o;
}

/* Audit the reads of confidential-or-higher records named in 'ids' (an
 * array of [entity, id, classification]) in one transaction. */
static pko_rc audit_reads(pko_db *db, const pko_actor *actor, json_t *ids, pko_err *err)
{
    if (!json_array_size(ids) || !actor)
        return PKO_OK;
    pko_tx *tx;
    pko_rc rc = pko_tx_begin(db, actor, &tx, err);
    if (rc)
        return rc;
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        rc = pko_tx_audit(tx, "read", json_string_value(json_array_get(v, 0)),
                          json_string_value(json_array_get(v, 1)),
                          pko_class_name((int)json_integer_value(json_array_get(v, 2))), err);
        if (rc) {
            pko_tx_rollback(tx);
            return rc;
        }
    }
    return pko_tx_commit(tx, err);
}

static void note_read(json_t *ids, const char *entity, const char *id, int cls)
{
    if (cls >= PKO_CLASS_CONFIDENTIAL)
        json_array_append_new(ids, json_pack("[s, s, i]", entity, id, cls));
}

/* ==== Solve ================================================================= */

typedef struct cand {
    double score;
    int r, p; /* row in block, pledge index in engine */
} cand;

static int cand_desc(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    if (x->r != y->r)
        return x->r < y->r ? -1 : 1;
    return x->p < y->p ? -1 : x->p > y->p;
}

/* Rearrange a[0..n) so that a[0..k) hold k of the highest scores
 * (quickselect, Hoare partition; 0 < k < n). */
static void top_k(cand *a, size_t n, size_t k)
{
    long lo = 0, hi = (long)n - 1, target = (long)k - 1;
    while (lo < hi) {
        double pv = a[lo + (hi - lo) / 2].score;
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i].score > pv)
                i++;
            while (a[j].score < pv)
                j--;
            if (i <= j) {
                cand t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        /* a[lo..j] >= pv, a[j+1..i-1] == pv, a[i..hi] <= pv */
        if (target <= j)
            hi = j;
        else if (target >= i)
            lo = i;
        else
            return;
    }
}

pko_rc pcrs_solve(pko_db *db, const pko_scope *scope, const pko_actor *actor, const char *today,
                  unsigned flags, json_t **out, json_t **versions, pko_err *err)
{
    char tbuf[11];
    if (!today) {
        time_t now = time(NULL);
        struct tm t;
        gmtime_r(&now, &t);
        strftime(tbuf, sizeof(tbuf), "%Y-%m-%d", &t);
        today = tbuf;
    }
    engine E;
    pko_rc rc = engine_load(&E, db, scope, today, false, err);
    if (rc) {
        engine_free(&E);
        return rc;
    }
    size_t n = E.nr, m = E.np;
    int *assign = pko_malloc((n ? n : 1) * sizeof(int));
    for (size_t i = 0; i < n; i++)
        assign[i] = -1;
    double *assigned_score = pko_calloc(n ? n : 1, sizeof(double));
    /* Requirements and pledges per unit type. */
    size_t nt = pcrs_n_unit_types;
    size_t *r_start = pko_calloc(nt + 1, sizeof(size_t)), *p_start = pko_calloc(nt + 1, sizeof(size_t));
    int *r_of = pko_malloc((n ? n : 1) * sizeof(int)), *p_of = pko_malloc((m ? m : 1) * sizeof(int));
    for (size_t i = 0; i < n; i++)
        if (E.r[i].type >= 0)
            r_start[E.r[i].type + 1]++;
    for (size_t j = 0; j < m; j++)
        if (E.p[j].type >= 0)
            p_start[E.p[j].type + 1]++;
    for (size_t t = 0; t < nt; t++) {
        r_start[t + 1] += r_start[t];
        p_start[t + 1] += p_start[t];
    }
    size_t *rf = pko_calloc(nt, sizeof(size_t)), *pf = pko_calloc(nt, sizeof(size_t));
    for (size_t i = 0; i < n; i++)
        if (E.r[i].type >= 0)
            r_of[r_start[E.r[i].type] + rf[E.r[i].type]++] = (int)i;
    for (size_t j = 0; j < m; j++)
        if (E.p[j].type >= 0)
            p_of[p_start[E.p[j].type] + pf[E.p[j].type]++] = (int)j;
    pko_free(rf);
    pko_free(pf);

    double greedy = 0;
    int *colmap = pko_malloc((m ? m : 1) * sizeof(int));
    for (size_t j = 0; j < m; j++)
        colmap[j] = -1;
    for (size_t t = 0; t < nt; t++) {
        size_t na = r_start[t + 1] - r_start[t], nb = p_start[t + 1] - p_start[t];
        if (!na || !nb)
            continue;
        const int *rows = r_of + r_start[t], *cols = p_of + p_start[t];
        size_t keep = na < nb ? na : nb;
        /* Each row's eligible pairs, cut to its 'keep' best. */
        cand *kept = pko_malloc(na * keep * sizeof(cand));
        cand *tmp = pko_malloc(nb * sizeof(cand));
        size_t nk = 0;
        for (size_t a = 0; a < na; a++) {
            const ereq *r = &E.r[rows[a]];
            size_t c = 0;
            for (size_t b = 0; b < nb; b++) {
                bool ok;
                double s = pair_total(&E, r, &E.p[cols[b]], &ok);
                if (ok)
                    tmp[c++] = (cand){s, (int)a, cols[b]};
            }
            if (c > keep) {
                top_k(tmp, c, keep);
                c = keep;
            }
            memcpy(kept + nk, tmp, c * sizeof(cand));
            nk += c;
        }
        pko_free(tmp);
        /* The kept columns. */
        int *colv = pko_malloc((nk ? nk : 1) * sizeof(int));
        size_t nc = 0;
        for (size_t k = 0; k < nk; k++)
            if (colmap[kept[k].p] < 0) {
                colmap[kept[k].p] = (int)nc;
                colv[nc++] = kept[k].p;
            }
        if (!(flags & PCRS_SOLVE_GREEDY_ONLY) && nc) {
            double *cost = pko_calloc(na * nc, sizeof(double));
            for (size_t k = 0; k < nk; k++)
                cost[(size_t)kept[k].r * nc + (size_t)colmap[kept[k].p]] = -kept[k].score;
            int *sub = pko_malloc(na * sizeof(int));
            pcrs_hungarian(cost, na, nc, sub);
            for (size_t a = 0; a < na; a++)
                if (sub[a] >= 0 && cost[a * nc + (size_t)sub[a]] < 0) {
                    assign[rows[a]] = colv[sub[a]];
                    assigned_score[rows[a]] = -cost[a * nc + (size_t)sub[a]];
                }
            pko_free(sub);
            pko_free(cost);
        }
        /* Greedy: best remaining pair first, over the same kept pairs. */
        qsort(kept, nk, sizeof(cand), cand_desc);
        char *used_r = pko_calloc(na, 1);
        for (size_t k = 0; k < nk; k++) {
            int c = colmap[kept[k].p];
            if (used_r[kept[k].r] || c < 0)
                continue;
            used_r[kept[k].r] = 1;
            colmap[kept[k].p] = -2 - c; /* taken */
            greedy += kept[k].score;
            if (flags & PCRS_SOLVE_GREEDY_ONLY) {
                assign[rows[kept[k].r]] = kept[k].p;
                assigned_score[rows[kept[k].r]] = kept[k].score;
            }
        }
        for (size_t k = 0; k < nc; k++)
            colmap[colv[k]] = -1;
        pko_free(used_r);
        pko_free(colv);
        pko_free(kept);
    }
    pko_free(colmap);
    pko_free(r_start);
    pko_free(p_start);
    pko_free(r_of);
    pko_free(p_of);

    /* The answer: every assignment explained by pcrs_score. */
    json_t *as = json_array(), *un = json_array(), *reads = json_array(), *contrib = json_object();
    if (versions)
        *versions = json_object();
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        ereq *r = &E.r[i];
        const char *rid = json_string_value(json_object_get(r->rec, "id"));
        note_read(reads, "pcrs_requirement", rid, r->cls);
        if (versions)
            json_object_set_new(*versions, rid, json_integer(r->version));
        if (assign[i] < 0) {
            json_array_append_new(un, json_string(rid));
            continue;
        }
        const epl *p = &E.p[assign[i]];
        note_read(reads, "pcrs_pledge", p->id, p->cls);
        const char *mk = E.missions.key[r->mission];
        json_t *c = json_object_get(contrib, mk);
        if (!c) {
            c = contributors_json(&E, r->mission);
            json_object_set_new(contrib, mk, c);
        }
        json_t *pj = pledge_json(&E, p);
        json_t *sc = pcrs_score(r->rec, pj, E.today_s, c);
        json_decref(pj);
        total += assigned_score[i];
        json_array_append_new(as, json_pack("{s:s, s:O, s:s, s:o}", "requirement_id", rid,
                                            "mission_id", json_object_get(r->rec, "mission_id"),
                                            "pledge_id", p->id, "score", sc));
    }
    json_decref(contrib);
    pko_free(assign);
    pko_free(assigned_score);
    engine_free(&E);
    rc = audit_reads(db, actor, reads, err);
    json_decref(reads);
    if (rc) {
        json_decref(as);
        json_decref(un);
        if (versions)
            json_decref(*versions);
        return rc;
    }
    *out = json_pack("{s:o, s:o, s:f, s:f, s:i, s:i}", "assignments", as, "unassigned", un,
                     "total_score", total, "greedy_total_score", greedy, "requirements", (int)n,
                     "pledges", (int)m);
    return PKO_OK;
}

/* ==== Gaps ================================================================== */

pko_rc pcrs_gaps(pko_db *db, const pko_scope *scope, const pko_actor *actor, const char *today,
                 json_t **out, pko_err *err)
{
    engine E;
    pko_rc rc = engine_load(&E, db, scope, today, true, err);
    if (rc) {
        engine_free(&E);
        return rc;
    }
    /* Pledges per unit type. */
    size_t nt = pcrs_n_unit_types;
    size_t *start = pko_calloc(nt + 1, sizeof(size_t)), *fill = pko_calloc(nt, sizeof(size_t));
    int *of = pko_malloc((E.np ? E.np : 1) * sizeof(int));
    for (size_t j = 0; j < E.np; j++)
        if (E.p[j].type >= 0)
            start[E.p[j].type + 1]++;
    for (size_t t = 0; t < nt; t++)
        start[t + 1] += start[t];
    for (size_t j = 0; j < E.np; j++)
        if (E.p[j].type >= 0)
            of[start[E.p[j].type] + fill[E.p[j].type]++] = (int)j;
    json_t *items = json_array(), *gaps = json_array(), *by_type = json_object(),
           *by_mission = json_object(), *reads = json_array();
    for (size_t i = 0; i < E.nr; i++) {
        const ereq *r = &E.r[i];
        int n = 0;
        long best = -1;
        if (r->type >= 0)
            for (size_t k = start[r->type]; k < start[r->type + 1]; k++) {
                const epl *p = &E.p[of[k]];
                if (p->until >= 0 && r->by >= 0 && p->until < r->by)
                    continue;
                n++;
                if (best < 0 || p->earliest < best)
                    best = p->earliest;
            }
        char best_s[11] = "";
        if (best >= 0)
            pcrs_format_day(best, best_s);
        const char *why = n == 0 ? "no_candidate" : best > r->by ? "late" : NULL;
        json_t *rec = r->rec;
        note_read(reads, "pcrs_requirement", json_string_value(json_object_get(rec, "id")),
                  r->cls);
        json_t *it = json_pack(
            "{s:O, s:O, s:O, s:O, s:i, s:s?, s:s?}", "requirement_id", json_object_get(rec, "id"),
            "mission_id", json_object_get(rec, "mission_id"), "unit_type",
            json_object_get(rec, "unit_type"), "required_by", json_object_get(rec, "required_by"),
            "candidates", n, "earliest_deployment", best_s[0] ? best_s : NULL, "gap", why);
        json_array_append(items, it);
        if (why) {
            json_array_append(gaps, it);
            const char *t = json_string_value(json_object_get(rec, "unit_type"));
            const char *mi = json_string_value(json_object_get(rec, "mission_id"));
            json_object_set_new(by_type, t,
                                json_integer(json_integer_value(json_object_get(by_type, t)) + 1));
            json_object_set_new(
                by_mission, mi,
                json_integer(json_integer_value(json_object_get(by_mission, mi)) + 1));
        }
        json_decref(it);
    }
    pko_free(start);
    pko_free(fill);
    pko_free(of);
    engine_free(&E);
    rc = audit_reads(db, actor, reads, err);
    json_decref(reads);
    if (rc) {
        json_decref(items);
        json_decref(gaps);
        json_decref(by_type);
        json_decref(by_mission);
        return rc;
    }
    *out = json_pack("{s:o, s:o, s:o, s:o}", "requirements", items, "gaps", gaps, "by_unit_type",
                     by_type, "by_mission", by_mission);
    return PKO_OK;
}

/* ==== Candidates ============================================================ */

static int cand_item_desc(const void *a, const void *b)
{
    double x =
        json_real_value(json_object_get(json_object_get(*(json_t *const *)a, "score"), "total"));
    double y =
        json_real_value(json_object_get(json_object_get(*(json_t *const *)b, "score"), "total"));
    return x < y ? 1 : x > y ? -1 : 0;
}

#define PLEDGE_COLS                                                                                \
    "id, version, classification, created_at, updated_at, country, unit_type, strength, level,"   \
    " status, available_from, available_until, women_share, languages, caveats, capabilities,"    \
    " self_sustainment, major_equipment, notes"

pko_rc pcrs_candidates(pko_db *db, const pko_scope *scope, const pko_actor *actor, json_t *r,
                       const char *today, json_t **out, pko_err *err)
{
    /* Contributors of the requirement's mission. */
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db,
                               "SELECT p.country, COUNT(*) FROM pcrs_requirements r"
                               " JOIN pcrs_pledges p ON p.id = r.pledge_id"
                               " WHERE r.mission_id = ?1 AND r.status = 'filled'"
                               " GROUP BY p.country",
                               &s, err);
    if (rc)
        return rc;
    const char *mid = json_string_value(json_object_get(r, "mission_id"));
    sqlite3_bind_text(s, 1, mid ? mid : "", -1, SQLITE_TRANSIENT);
    json_t *contrib = json_object();
    int row;
    while (!(rc = pko_db_step(db, s, &row, err)) && row)
        json_object_set_new(contrib, col_text(s, 0), json_integer(sqlite3_column_int64(s, 1)));
    sqlite3_reset(s);
    if (!rc)
        rc = pko_db_prepare(db,
                            "SELECT " PLEDGE_COLS " FROM pcrs_pledges WHERE unit_type = ?1"
                            " AND status = 'available' AND classification <= ?2 ORDER BY id",
                            &s, err);
    if (rc) {
        json_decref(contrib);
        return rc;
    }
    sqlite3_bind_text(s, 1, json_string_value(json_object_get(r, "unit_type")), -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 2, scope->clearance);
    size_t k = 0, cap = 0;
    json_t **c = NULL, *reads = json_array();
    while (!(rc = pko_db_step(db, s, &row, err)) && row) {
        json_t *p = row_record(s, &pko_entity_pcrs_pledge);
        json_t *sc = pcrs_score(r, p, today, contrib);
        if (sc) {
            if (k == cap) {
                cap = cap ? cap * 2 : 64;
                c = pko_realloc(c, cap * sizeof(json_t *));
            }
            note_read(reads, "pcrs_pledge", col_text(s, 0), sqlite3_column_int(s, 2));
            c[k++] = json_pack("{s:O, s:O, s:O, s:O, s:o}", "pledge_id", json_object_get(p, "id"),
                               "country", json_object_get(p, "country"), "level",
                               json_object_get(p, "level"), "strength",
                               json_object_get(p, "strength"), "score", sc);
        }
        json_decref(p);
    }
    sqlite3_reset(s);
    json_decref(contrib);
    if (c)
        qsort(c, k, sizeof(json_t *), cand_item_desc);
    json_t *items = json_array();
    for (size_t i = 0; i < k; i++)
        json_array_append_new(items, c[i]);
    pko_free(c);
    if (!rc)
        rc = audit_reads(db, actor, reads, err);
    json_decref(reads);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return PKO_OK;
}

/* ==== For the unit tests ==================================================== */

pko_rc pcrs_engine_check(pko_db *db, const char *today, double *max_diff, size_t *pairs,
                         pko_err *err)
{
    pko_scope all = {PKO_CLASS_STRICTLY_CONFIDENTIAL, true, "[]"};
    engine E;
    pko_rc rc = engine_load(&E, db, &all, today, false, err);
    *max_diff = 0;
    *pairs = 0;
    for (size_t i = 0; !rc && i < E.nr; i++) {
        json_t *c = contributors_json(&E, E.r[i].mission);
        for (size_t j = 0; j < E.np; j++) {
            if (E.p[j].type != E.r[i].type)
                continue;
            bool ok;
            double lean = pair_total(&E, &E.r[i], &E.p[j], &ok);
            json_t *pj = pledge_json(&E, &E.p[j]);
            json_t *sc = pcrs_score(E.r[i].rec, pj, today, c);
            double d = fabs(lean - json_real_value(json_object_get(sc, "total")));
            if (ok != json_is_true(json_object_get(sc, "eligible")))
                d = 1e9;
            if (d > *max_diff)
                *max_diff = d;
            (*pairs)++;
            json_decref(sc);
            json_decref(pj);
        }
        json_decref(c);
    }
    engine_free(&E);
    return rc;
}
