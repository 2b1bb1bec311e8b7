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
 *    candidates). In a block of n requirements each first keeps its 16
 *    best eligible pledges; the Hungarian algorithm (rectangular, O(n^2 m),
 *    no padding) runs on the union of the kept pledges with every pair at
 *    its true cost, and its row potentials prove the answer optimal over
 *    the whole block when no left-out pair could undercut them
 *    (block_hungarian). When they do not, each requirement keeps its n
 *    best instead, which loses nothing: in an optimal assignment a
 *    requirement given a pledge outside its n best could take one of them
 *    instead (the other n - 1 requirements hold at most n - 1);
 *  - greedy (the baseline) with a heap of requirements keyed by their best
 *    free pledge, extending a requirement to all its pairs only when its
 *    kept ones are taken: the same pairs as sorting all of them.
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

/* What scoring reads of a pledge, packed for the pair loops. */
typedef struct hot {
    long earliest, until;
    double share, s_cav;
    int country, j;
} hot;

typedef struct engine {
    pko_arena ar;
    hot *hot;
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
    pko_free(E->hot);
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
    E->hot = pko_malloc((E->np ? E->np : 1) * sizeof(hot));
    for (size_t j = 0; j < E->np; j++) {
        const epl *p = &E->p[j];
        E->hot[j] = (hot){p->earliest, p->until, p->share, p->s_cav, p->country, (int)j};
    }

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
static inline double pair_total(const engine *E, const ereq *r, int j, bool *eligible)
{
    const hot *p = &E->hot[j];
    *eligible = !(p->until >= 0 && r->by >= 0 && p->until < r->by);
    double s_time = 1;
    if (r->by >= 0 && p->earliest > r->by) {
        long late = p->earliest - r->by;
        s_time = late >= 180 ? 0 : 1.0 - (double)late / 180.0;
    }
    double s_cap = 1;
    if (r->ncap) {
        const uint64_t *b = E->capbits + (size_t)j * E->capw;
        int have = 0;
        for (int k = 0; k < r->ncap; k++) {
            int c = E->rcaps[r->cap0 + k];
            have += (int)((b[c >> 6] >> (c & 63)) & 1);
        }
        s_cap = (double)have / (double)r->ncap;
    }
    double s_lang = 1;
    if (r->lang >= 0 &&
        !((E->langbits[(size_t)j * E->langw + (size_t)(r->lang >> 6)] >> (r->lang & 63)) & 1))
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

/* Pledges each requirement keeps at first (see block_hungarian). */
#define FIRST_KEEP 16

/* Blocks solved on the first try and with each row's n best (tests). */
static _Atomic long n_first, n_fallback;

void pcrs_solve_stats(long *first, long *fallback)
{
    *first = n_first;
    *fallback = n_fallback;
}

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

/* Within a row: higher score first, then lower pledge index. */
static inline bool better(const cand *x, const cand *y)
{
    return x->score > y->score || (x->score == y->score && x->p < y->p);
}

static int cand_row_order(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    return better(x, y) ? -1 : better(y, x) ? 1 : 0;
}

/* Rearrange a[0..n) (one row's pairs, distinct pledges) so that a[0..k)
 * are its k best by 'better' (quickselect, Hoare partition; 0 < k < n). */
static void top_k(cand *a, size_t n, size_t k)
{
    long lo = 0, hi = (long)n - 1, target = (long)k - 1;
    while (lo < hi) {
        cand pv = a[lo + (hi - lo) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (better(&a[i], &pv))
                i++;
            while (better(&pv, &a[j]))
                j--;
            if (i <= j) {
                cand t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        /* a[lo..j] before pv, a[j+1..i-1] is pv, a[i..hi] after pv */
        if (target <= j)
            hi = j;
        else if (target >= i)
            lo = i;
        else
            return;
    }
}

/* The eligible pairs of block row 'a' (requirement 'r') with the block's
 * pledges 'cols', into 'out' (nb entries); returns their number. */
static size_t row_pairs(const engine *E, const ereq *r, int a, const int *cols, size_t nb, cand *out)
{
    size_t c = 0;
    for (size_t b = 0; b < nb; b++) {
        bool ok;
        double s = pair_total(E, r, cols[b], &ok);
        if (ok)
            out[c++] = (cand){s, a, cols[b]};
    }
    return c;
}

/* A block's rows: each row's best pairs, sorted ('list', 'len'), whether
 * that is all its eligible pairs ('complete'), and the best score left
 * out ('rest', -1 when none). */
typedef struct block {
    const engine *E;
    const int *rows, *cols;
    size_t na, nb, k;
    cand **list;
    size_t *len;
    bool *complete;
    double *rest;
} block;

static void block_rows(block *B, cand *tmp)
{
    for (size_t a = 0; a < B->na; a++) {
        size_t c = row_pairs(B->E, &B->E->r[B->rows[a]], (int)a, B->cols, B->nb, tmp);
        B->rest[a] = -1;
        B->complete[a] = c <= B->k;
        if (c > B->k) {
            top_k(tmp, c, B->k);
            for (size_t q = B->k; q < c; q++)
                if (tmp[q].score > B->rest[a])
                    B->rest[a] = tmp[q].score;
            c = B->k;
        }
        qsort(tmp, c, sizeof(cand), cand_row_order);
        B->list[a] = pko_malloc((c ? c : 1) * sizeof(cand));
        memcpy(B->list[a], tmp, c * sizeof(cand));
        B->len[a] = c;
    }
}

/* Row 'a' gets all its eligible pairs, sorted. */
static void block_complete_row(block *B, size_t a, cand *tmp)
{
    size_t c = row_pairs(B->E, &B->E->r[B->rows[a]], (int)a, B->cols, B->nb, tmp);
    qsort(tmp, c, sizeof(cand), cand_row_order);
    pko_free(B->list[a]);
    B->list[a] = pko_malloc((c ? c : 1) * sizeof(cand));
    memcpy(B->list[a], tmp, c * sizeof(cand));
    B->len[a] = c;
    B->complete[a] = true;
    B->rest[a] = -1;
}

/* The Hungarian algorithm on the block's rows and the union of their kept
 * pledges, every pair at its true cost.
 *
 * With 'check' (rows keep only their k best): with u the row potentials,
 * the answer is optimal over all the block's pledges when no left-out
 * pair costs less than u_i, which holds when u_i <= 0 and u_i <= -(the
 * row's best left-out score); returns false, assigning nothing, when that
 * does not hold or when fewer pledges than rows are kept.
 *
 * Without 'check' (rows keep their n best) the answer is optimal anyway. */
static bool block_hungarian(block *B, int *assign, double *assigned_score, int *colmap,
                            bool check)
{
    int *colv = pko_malloc((B->nb ? B->nb : 1) * sizeof(int));
    size_t nc = 0;
    for (size_t a = 0; a < B->na; a++)
        for (size_t q = 0; q < B->len[a]; q++)
            if (colmap[B->list[a][q].p] < 0) {
                colmap[B->list[a][q].p] = (int)nc;
                colv[nc++] = B->list[a][q].p;
            }
    bool ok = !(check && nc < B->na);
    if (ok && nc) {
        double *cost = pko_malloc(B->na * nc * sizeof(double));
        for (size_t a = 0; a < B->na; a++) {
            const ereq *r = &B->E->r[B->rows[a]];
            for (size_t c = 0; c < nc; c++) {
                bool el;
                double sc = pair_total(B->E, r, colv[c], &el);
                cost[a * nc + c] = el ? -sc : 0;
            }
        }
        int *sub = pko_malloc(B->na * sizeof(int));
        if (check) {
            double *u = pko_malloc(B->na * sizeof(double));
            pcrs_hungarian_duals(cost, B->na, nc, sub, u);
            if (nc < B->nb)
                for (size_t a = 0; ok && a < B->na; a++)
                    if (u[a] > (B->rest[a] >= 0 ? -B->rest[a] : 0) + 1e-9)
                        ok = false;
            pko_free(u);
        } else {
            pcrs_hungarian(cost, B->na, nc, sub);
        }
        for (size_t a = 0; ok && a < B->na; a++)
            if (sub[a] >= 0 && cost[a * nc + (size_t)sub[a]] < 0) {
                assign[B->rows[a]] = colv[sub[a]];
                assigned_score[B->rows[a]] = -cost[a * nc + (size_t)sub[a]];
            }
        pko_free(sub);
        pko_free(cost);
    }
    for (size_t c = 0; c < nc; c++)
        colmap[colv[c]] = -1;
    pko_free(colv);
    return ok;
}

/* Greedy, best remaining pair first, in the order of cand_desc (score,
 * then row, then pledge): the pairs a scan of all the block's pairs
 * sorted would take. A heap of rows keyed by their best pair whose pledge
 * was free when last looked at; a key can only be too high, so a root
 * whose pair is still free is the best pair left. A row whose kept pairs
 * are all taken gets all its pairs. Returns the total; fills 'assign'
 * when 'fill'. */
static double block_greedy(block *B, char *taken, cand *tmp, bool fill, int *assign,
                           double *assigned_score)
{
    size_t *head = pko_calloc(B->na, sizeof(size_t));
    size_t *heap = pko_malloc((B->na ? B->na : 1) * sizeof(size_t)), nh = 0;
#define HEAD(a) (&B->list[a][head[a]])
#define FIRST(x, y) (cand_desc(HEAD(x), HEAD(y)) < 0)
    for (size_t a = 0; a < B->na; a++) {
        if (!B->len[a])
            continue;
        size_t i = nh++;
        heap[i] = a;
        while (i && FIRST(heap[i], heap[(i - 1) / 2])) {
            size_t t = heap[i];
            heap[i] = heap[(i - 1) / 2];
            heap[(i - 1) / 2] = t;
            i = (i - 1) / 2;
        }
    }
    double total = 0;
    while (nh) {
        size_t a = heap[0], before = head[a];
        cand *was = B->list[a];
        while (head[a] < B->len[a] && taken[HEAD(a)->p])
            head[a]++;
        if (head[a] == B->len[a] && !B->complete[a]) {
            block_complete_row(B, a, tmp);
            head[a] = 0;
            while (head[a] < B->len[a] && taken[HEAD(a)->p])
                head[a]++;
        }
        if (head[a] == B->len[a]) {
            heap[0] = heap[--nh]; /* nothing left for this row */
        } else if (head[a] == before && B->list[a] == was) {
            cand *c = HEAD(a); /* the best pair left */
            taken[c->p] = 1;
            total += c->score;
            if (fill) {
                assign[B->rows[a]] = c->p;
                assigned_score[B->rows[a]] = c->score;
            }
            heap[0] = heap[--nh];
        }
        /* else: the root's key dropped; sift it down and look again. */
        size_t i = 0;
        for (;;) {
            size_t l = 2 * i + 1, r = l + 1, mm = i;
            if (l < nh && FIRST(heap[l], heap[mm]))
                mm = l;
            if (r < nh && FIRST(heap[r], heap[mm]))
                mm = r;
            if (mm == i)
                break;
            size_t t = heap[i];
            heap[i] = heap[mm];
            heap[mm] = t;
            i = mm;
        }
    }
#undef FIRST
#undef HEAD
    pko_free(head);
    pko_free(heap);
    return total;
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
    char *taken = pko_calloc(m ? m : 1, 1);
    cand *tmp = pko_malloc((m ? m : 1) * sizeof(cand));
    for (size_t t = 0; t < nt; t++) {
        size_t na = r_start[t + 1] - r_start[t], nb = p_start[t + 1] - p_start[t];
        if (!na || !nb)
            continue;
        block B = {&E, r_of + r_start[t], p_of + p_start[t], na, nb, 0, NULL, NULL, NULL, NULL};
        B.list = pko_calloc(na, sizeof(cand *));
        B.len = pko_calloc(na, sizeof(size_t));
        B.complete = pko_calloc(na, sizeof(bool));
        B.rest = pko_calloc(na, sizeof(double));
        /* First each row's FIRST_KEEP best pledges; if the Hungarian answer
         * on those is not provably optimal over the whole block, each
         * row's n best (which always is: see the file comment). */
        size_t keep = na < nb ? na : nb;
        B.k = keep < FIRST_KEEP ? keep : FIRST_KEEP;
        block_rows(&B, tmp);
        if (!(flags & PCRS_SOLVE_GREEDY_ONLY)) {
            if (block_hungarian(&B, assign, assigned_score, colmap, B.k < keep)) {
                n_first++;
            } else {
                n_fallback++;
                for (size_t a = 0; a < na; a++)
                    pko_free(B.list[a]);
                B.k = keep;
                block_rows(&B, tmp);
                (void)block_hungarian(&B, assign, assigned_score, colmap, false);
            }
        }
        greedy += block_greedy(&B, taken, tmp, flags & PCRS_SOLVE_GREEDY_ONLY, assign,
                               assigned_score);
        for (size_t a = 0; a < na; a++)
            pko_free(B.list[a]);
        pko_free(B.list);
        pko_free(B.len);
        pko_free(B.complete);
        pko_free(B.rest);
    }
    pko_free(tmp);
    pko_free(taken);
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
            double lean = pair_total(&E, &E.r[i], (int)j, &ok);
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
