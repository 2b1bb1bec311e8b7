/* SPDX-License-Identifier: MIT
 *
 * Imports of UCDP GED, ACLED and mapped CSV files. One pass over a stream:
 * each row is mapped to incident fields, validated like an API write, and
 * upserted by its source id (a re-import updates in place, never
 * duplicates). Rejected rows are reported with their line and reason and
 * skipped. The whole file is one transaction in the store's bulk mode:
 * every row gets its change record, one audit entry seals the import, and
 * nothing is visible until all accepted rows are committed.
 */
#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/csv.h"
#include "modules/incidents/incidents_int.h"

/* ==== Small string map (actor cache) ===================================== */

typedef struct smap {
    char **k, **v;
    size_t n, cap; /* cap is a power of two */
} smap;

static uint64_t hash_s(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static const char *smap_get(const smap *m, const char *k)
{
    if (!m->cap)
        return NULL;
    for (size_t i = hash_s(k) & (m->cap - 1); m->k[i]; i = (i + 1) & (m->cap - 1))
        if (strcmp(m->k[i], k) == 0)
            return m->v[i];
    return NULL;
}

static void smap_put(smap *m, const char *k, const char *v)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 256;
        char **nk = pko_calloc(cap, sizeof(char *)), **nv = pko_calloc(cap, sizeof(char *));
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->k[i])
                continue;
            size_t j = hash_s(m->k[i]) & (cap - 1);
            while (nk[j])
                j = (j + 1) & (cap - 1);
            nk[j] = m->k[i];
            nv[j] = m->v[i];
        }
        pko_free(m->k);
        pko_free(m->v);
        m->k = nk;
        m->v = nv;
        m->cap = cap;
    }
    size_t i = hash_s(k) & (m->cap - 1);
    while (m->k[i])
        i = (i + 1) & (m->cap - 1);
    m->k[i] = pko_strdup(k);
    m->v[i] = pko_strdup(v);
    m->n++;
}

static void smap_free(smap *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        pko_free(m->k[i]);
        pko_free(m->v[i]);
    }
    pko_free(m->k);
    pko_free(m->v);
}

/* ==== Columns ============================================================ */

/* Lower-case a header and fold spaces and dashes to underscores. */
static void norm(const char *in, char *out, size_t n)
{
    size_t o = 0;
    for (; *in && o + 1 < n; in++) {
        char c = *in;
        out[o++] = (c == ' ' || c == '-') ? '_' : (char)tolower((unsigned char)c);
    }
    out[o] = '\0';
}

typedef struct cols {
    char names[PKO_CSV_MAX_FIELDS][64]; /* normalised header names */
    size_t n;
} cols;

/* Index of the first of the '|'-separated aliases present, or -1. */
static int col(const cols *c, const char *aliases)
{
    char want[64];
    const char *p = aliases;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t l = bar ? (size_t)(bar - p) : strlen(p);
        if (l >= sizeof(want))
            l = sizeof(want) - 1;
        memcpy(want, p, l);
        want[l] = '\0';
        for (size_t i = 0; i < c->n; i++)
            if (strcmp(c->names[i], want) == 0)
                return (int)i;
        if (!bar)
            break;
        p = bar + 1;
    }
    return -1;
}

/* ==== The import run ===================================================== */

typedef struct run {
    pko_db *db;
    pko_tx *tx;
    const incidents_import_opts *o;
    incidents_import_summary *sum;
    pko_csv *csv;
    cols hdr;
    char mission_id[PKO_ID_LEN];
    const char *source_system;
    smap actors;
    int64_t last_progress_us, start_us;
} run;

static const char *field(run *r, int i)
{
    return i < 0 ? "" : pko_csv_field(r->csv, (size_t)i);
}

static void report(run *r, long line, const char *fieldname, const char *msg)
{
    r->sum->rejected++;
    if (r->o->errors && strncmp(msg, "line ", 5) == 0)
        fprintf(r->o->errors, "%s\n", msg); /* the CSV reader named line and column */
    else if (r->o->errors)
        fprintf(r->o->errors, "line %ld%s%s: %s\n", line, fieldname ? ", column " : "",
                fieldname ? fieldname : "", msg);
    if (r->o->error_list && json_array_size(r->o->error_list) < 1000)
        json_array_append_new(r->o->error_list,
                              json_pack("{s:I, s:s?, s:s}", "line", (json_int_t)line, "field",
                                        fieldname, "message", msg));
}

static void progress(run *r, bool last)
{
    if (!r->o->progress)
        return;
    int64_t now = pko_mono_us();
    if (!last && now - r->last_progress_us < 200000)
        return;
    r->last_progress_us = now;
    double secs = (double)(now - r->start_us) / 1e6;
    double rate = secs > 0 ? (double)r->sum->rows / secs : 0;
    size_t done = pko_csv_offset(r->csv);
    if (r->o->total_bytes) {
        int pct = (int)(100.0 * (double)done / (double)r->o->total_bytes);
        if (pct > 100)
            pct = 100;
        char bar[31];
        int fill = pct * 30 / 100;
        for (int i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r[%s] %3d%%  %llu rows  %.0f rows/s  %llu rejected ", bar, pct,
                (unsigned long long)r->sum->rows, rate, (unsigned long long)r->sum->rejected);
    } else {
        fprintf(stderr, "\r%llu rows  %.0f rows/s  %llu rejected ",
                (unsigned long long)r->sum->rows, rate, (unsigned long long)r->sum->rejected);
    }
    if (last)
        fputc('\n', stderr);
    fflush(stderr);
}

/* Find or create an actor; cached for the run. 'out' gets its id. */
static pko_rc actor(run *r, const char *name, const char *type, const char *src_id,
                    char out[PKO_ID_LEN], pko_err *err)
{
    char key[512];
    snprintf(key, sizeof(key), "%s|%s|%s", r->source_system, src_id ? src_id : "", name);
    const char *hit = smap_get(&r->actors, key);
    if (hit) {
        snprintf(out, PKO_ID_LEN, "%s", hit);
        return PKO_OK;
    }
    bool created;
    pko_rc rc = inc_actor_upsert(r->tx, name, type, src_id ? r->source_system : NULL, src_id, out,
                                 &created, err);
    if (rc)
        return rc;
    if (created)
        r->sum->actors_created++;
    smap_put(&r->actors, key, out);
    return PKO_OK;
}

static void set_str(json_t *f, const char *k, const char *v)
{
    if (v && *v)
        json_object_set_new(f, k, json_string(v));
}

static bool set_int(json_t *f, const char *k, const char *v)
{
    if (!v || !*v)
        return true;
    char *end;
    double d = strtod(v, &end);
    if (*end || d != (double)(long long)d)
        return false;
    json_object_set_new(f, k, json_integer((json_int_t)d));
    return true;
}

static bool set_real(json_t *f, const char *k, const char *v)
{
    if (!v || !*v)
        return true;
    char *end;
    double d = strtod(v, &end);
    if (*end)
        return false;
    json_object_set_new(f, k, json_real(d));
    return true;
}

/* Write "YYYY-MM-DD" (already range-checked parts) into 'out'. */
static void ymd(char out[11], int y, int m, int d)
{
    char tmp[48]; /* wide enough for any int, so the compiler sees no truncation */
    snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", y, m, d);
    memcpy(out, tmp, 10);
    out[10] = '\0';
}

/* Dates: "2013-01-03", "2013-01-03 00:00:00[.000]", "7/21/2016",
 * "15 January 2020". Writes "YYYY-MM-DD" to 'out'. */
static bool parse_date(const char *s, char out[11])
{
    int y, m, d;
    char tail;
    if (strlen(s) >= 10 && s[4] == '-' && s[7] == '-') {
        memcpy(out, s, 10);
        out[10] = '\0';
        int32_t t;
        return incidents_parse_time(out, &t) == PKO_OK;
    }
    if (sscanf(s, "%d/%d/%d%c", &m, &d, &y, &tail) == 3) {
        if (y < 0 || y > 9999 || m < 0 || m > 99 || d < 0 || d > 99)
            return false;
        ymd(out, y, m, d);
        int32_t t;
        return incidents_parse_time(out, &t) == PKO_OK;
    }
    static const char *const months[] = {"january", "february", "march",     "april",
                                         "may",     "june",     "july",      "august",
                                         "september", "october", "november", "december"};
    char mon[16];
    if (sscanf(s, "%d %15s %d%c", &d, mon, &y, &tail) == 3) {
        for (int i = 0; mon[i]; i++)
            mon[i] = (char)tolower((unsigned char)mon[i]);
        for (int i = 0; i < 12; i++) {
            if (strcmp(mon, months[i]) == 0) {
                if (y < 0 || y > 9999 || d < 0 || d > 99)
                    return false;
                ymd(out, y, i + 1, d);
                int32_t t;
                return incidents_parse_time(out, &t) == PKO_OK;
            }
        }
    }
    return false;
}

/* ---- UCDP GED ------------------------------------------------------------ */

typedef struct ucdp_cols {
    int id, tov, side_a, side_a_id, side_b, side_b_id, dyad, where_prec, where_coord, where_desc,
        adm1, adm2, lat, lon, country, date_prec, date_start, date_end, deaths_a, deaths_b,
        deaths_civ, best, low, high, headline, office;
} ucdp_cols;

static const char *actor_type_ucdp(const char *name)
{
    if (strncmp(name, "Government of", 13) == 0)
        return "state_forces";
    if (strcmp(name, "Civilians") == 0)
        return "civilians";
    return "armed_group";
}

static pko_rc ucdp_row(run *r, const ucdp_cols *c, json_t *f, const char **bad, pko_err *err)
{
    char date[11];
    static const char *const cats[] = {"ucdp.state_based", "ucdp.non_state", "ucdp.one_sided"};
    const char *tov = field(r, c->tov);
    if (strlen(tov) != 1 || tov[0] < '1' || tov[0] > '3') {
        *bad = "type_of_violence";
        return pko_err_field(err, PKO_EINVAL, "category", "type_of_violence must be 1, 2 or 3");
    }
    json_object_set_new(f, "category", json_string(cats[tov[0] - '1']));
    const char *dyad = field(r, c->dyad), *where = field(r, c->where_coord);
    char title[320];
    snprintf(title, sizeof(title), "%s%s%s", *dyad ? dyad : "UCDP event", *where ? " - " : "",
             where);
    json_object_set_new(f, "title", json_string(title));
    char narrative[2048];
    snprintf(narrative, sizeof(narrative), "%s%s%s", field(r, c->where_desc),
             *field(r, c->headline) ? ". " : "", field(r, c->headline));
    set_str(f, "narrative", narrative);
    if (!parse_date(field(r, c->date_start), date)) {
        *bad = "date_start";
        return pko_err_field(err, PKO_EINVAL, "occurred_start", "date_start is not a date");
    }
    json_object_set_new(f, "occurred_start", json_string(date));
    if (c->date_end >= 0 && *field(r, c->date_end)) {
        if (!parse_date(field(r, c->date_end), date)) {
            *bad = "date_end";
            return pko_err_field(err, PKO_EINVAL, "occurred_end", "date_end is not a date");
        }
        json_object_set_new(f, "occurred_end", json_string(date));
    }
    if (!set_int(f, "date_precision", field(r, c->date_prec))) {
        *bad = "date_prec";
        return pko_err_field(err, PKO_EINVAL, "date_precision", "date_prec is not a number");
    }
    if (!set_real(f, "lat", field(r, c->lat)) || !*field(r, c->lat)) {
        *bad = "latitude";
        return pko_err_field(err, PKO_EINVAL, "lat", "latitude is not a number");
    }
    if (!set_real(f, "lon", field(r, c->lon)) || !*field(r, c->lon)) {
        *bad = "longitude";
        return pko_err_field(err, PKO_EINVAL, "lon", "longitude is not a number");
    }
    if (!set_int(f, "location_precision", field(r, c->where_prec))) {
        *bad = "where_prec";
        return pko_err_field(err, PKO_EINVAL, "location_precision", "where_prec is not a number");
    }
    set_str(f, "place", where);
    set_str(f, "admin1", field(r, c->adm1));
    set_str(f, "admin2", field(r, c->adm2));
    set_str(f, "country", field(r, c->country));
    const char *a = field(r, c->side_a), *b = field(r, c->side_b);
    char aid[PKO_ID_LEN], bid[PKO_ID_LEN];
    pko_rc rc;
    if (*a) {
        const char *sid = field(r, c->side_a_id);
        if ((rc = actor(r, a, actor_type_ucdp(a), *sid ? sid : NULL, aid, err)))
            return rc;
        json_object_set_new(f, "perpetrator_id", json_string(aid));
    }
    if (*b) {
        const char *sid = field(r, c->side_b_id);
        if ((rc = actor(r, b, actor_type_ucdp(b), *sid ? sid : NULL, bid, err)))
            return rc;
        json_object_set_new(f, "target_id", json_string(bid));
    }
    /* Deaths of side a / side b go to security forces or armed groups by
     * who the side is; the best estimate is the total killed. */
    json_t *tmp = json_object();
    bool ok = set_int(tmp, "a", field(r, c->deaths_a)) && set_int(tmp, "b", field(r, c->deaths_b)) &&
              set_int(f, "killed_civilians", field(r, c->deaths_civ)) &&
              set_int(f, "killed_total", field(r, c->best)) &&
              set_int(f, "killed_low", field(r, c->low)) &&
              set_int(f, "killed_high", field(r, c->high));
    if (ok) {
        json_int_t sf = 0, ag = 0;
        json_int_t da = json_integer_value(json_object_get(tmp, "a"));
        json_int_t db = json_integer_value(json_object_get(tmp, "b"));
        if (strcmp(actor_type_ucdp(a), "state_forces") == 0)
            sf += da;
        else
            ag += da;
        if (strcmp(actor_type_ucdp(b), "state_forces") == 0)
            sf += db;
        else if (strcmp(actor_type_ucdp(b), "armed_group") == 0)
            ag += db;
        if (sf)
            json_object_set_new(f, "killed_security_forces", json_integer(sf));
        if (ag)
            json_object_set_new(f, "killed_armed_groups", json_integer(ag));
    }
    json_decref(tmp);
    if (!ok) {
        *bad = "deaths";
        return pko_err_field(err, PKO_EINVAL, "killed_total",
                             "a deaths column (deaths_a, deaths_b, deaths_civilians, best, low, "
                             "high) is not a whole number");
    }
    json_object_set_new(f, "source_type", json_string("dataset"));
    json_object_set_new(f, "source_id", json_string(field(r, c->id)));
    return PKO_OK;
}

/* ---- ACLED ---------------------------------------------------------------- */

typedef struct acled_cols {
    int id, date, event_type, sub_event_type, actor1, actor1_type, actor2, actor2_type, country,
        admin1, admin2, location, lat, lon, geo_prec, source, notes, fatalities;
} acled_cols;

static const char *acled_category(const char *event_type, const char *sub)
{
    char e[128], s[128];
    norm(event_type, e, sizeof(e));
    norm(sub, s, sizeof(s));
    static const struct {
        const char *key, *code;
    } subs[] = {
        {"armed_clash", "battles.armed_clash"},
        {"government_regains_territory", "battles.government_regains_territory"},
        {"non_state_actor_overtakes_territory", "battles.non_state_actor_overtakes_territory"},
        {"chemical_weapon", "explosions.chemical_weapon"},
        {"air/drone_strike", "explosions.air_drone_strike"},
        {"suicide_bomb", "explosions.suicide_bomb"},
        {"shelling/artillery/missile_attack", "explosions.shelling_artillery_missile"},
        {"remote_explosive/landmine/ied", "explosions.remote_explosive_landmine_ied"},
        {"grenade", "explosions.grenade"},
        {"sexual_violence", "violence_against_civilians.sexual_violence"},
        {"attack", "violence_against_civilians.attack"},
        {"abduction/forced_disappearance",
         "violence_against_civilians.abduction_forced_disappearance"},
        {"peaceful_protest", "protests.peaceful_protest"},
        {"protest_with_intervention", "protests.protest_with_intervention"},
        {"excessive_force_against_protesters", "protests.excessive_force_against_protesters"},
        {"violent_demonstration", "riots.violent_demonstration"},
        {"mob_violence", "riots.mob_violence"},
        {"agreement", "strategic_developments.agreement"},
        {"arrests", "strategic_developments.arrests"},
        {"change_to_group/activity", "strategic_developments.change_to_group_activity"},
        {"disrupted_weapons_use", "strategic_developments.disrupted_weapons_use"},
        {"headquarters_or_base_established",
         "strategic_developments.headquarters_or_base_established"},
        {"looting/property_destruction", "strategic_developments.looting_property_destruction"},
        {"non_violent_transfer_of_territory",
         "strategic_developments.non_violent_transfer_of_territory"},
        {"other", "strategic_developments.other"},
    };
    for (size_t i = 0; *s && i < sizeof(subs) / sizeof(subs[0]); i++)
        if (strcmp(s, subs[i].key) == 0)
            return subs[i].code;
    /* Event types, including the older combined names of ACLED before 2019
     * ("Battle-No change of territory", "Riots/Protests", "Remote violence"). */
    static const struct {
        const char *prefix, *code;
    } types[] = {
        {"battle_non_state_actor_overtakes", "battles.non_state_actor_overtakes_territory"},
        {"battle_government_regains", "battles.government_regains_territory"},
        {"battle_no_change", "battles.armed_clash"},
        {"battle", "battles"},
        {"explosions", "explosions"},
        {"remote_violence", "explosions"},
        {"violence_against_civilians", "violence_against_civilians"},
        {"riots/protests", "riots"},
        {"protests", "protests"},
        {"riots", "riots"},
        {"headquarters_or_base", "strategic_developments.headquarters_or_base_established"},
        {"non_violent_transfer", "strategic_developments.non_violent_transfer_of_territory"},
        {"strategic_development", "strategic_developments"},
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strncmp(e, types[i].prefix, strlen(types[i].prefix)) == 0)
            return types[i].code;
    return NULL;
}

static const char *actor_type_acled(const char *t)
{
    char n[96];
    norm(t, n, sizeof(n));
    if (strstr(n, "militia"))
        return "militia";
    if (strstr(n, "government") || strstr(n, "state_forces") || strstr(n, "police") ||
        strstr(n, "military"))
        return "state_forces";
    if (strstr(n, "rebel"))
        return "armed_group";
    if (strstr(n, "civilian"))
        return "civilians";
    if (strstr(n, "rioter"))
        return "rioters";
    if (strstr(n, "protester"))
        return "protesters";
    if (strstr(n, "external") || strstr(n, "outside"))
        return "external_forces";
    if (strstr(n, "political"))
        return "political_party";
    return "other";
}

static pko_rc acled_row(run *r, const acled_cols *c, json_t *f, const char **bad, pko_err *err)
{
    const char *cat = acled_category(field(r, c->event_type), field(r, c->sub_event_type));
    if (!cat) {
        *bad = "event_type";
        return pko_err_field(err, PKO_EINVAL, "category", "unknown ACLED event type \"%s\"",
                             field(r, c->event_type));
    }
    json_object_set_new(f, "category", json_string(cat));
    char title[320];
    snprintf(title, sizeof(title), "%s%s%s", field(r, c->event_type),
             *field(r, c->location) ? " - " : "", field(r, c->location));
    json_object_set_new(f, "title", json_string(title));
    char narrative[8192];
    snprintf(narrative, sizeof(narrative), "%s%s%s", field(r, c->notes),
             *field(r, c->source) ? "\nSource: " : "", field(r, c->source));
    set_str(f, "narrative", narrative);
    char date[11];
    if (!parse_date(field(r, c->date), date)) {
        *bad = "event_date";
        return pko_err_field(err, PKO_EINVAL, "occurred_start", "the event date is not a date");
    }
    json_object_set_new(f, "occurred_start", json_string(date));
    if (!set_real(f, "lat", field(r, c->lat)) || !*field(r, c->lat)) {
        *bad = "latitude";
        return pko_err_field(err, PKO_EINVAL, "lat", "latitude is not a number");
    }
    if (!set_real(f, "lon", field(r, c->lon)) || !*field(r, c->lon)) {
        *bad = "longitude";
        return pko_err_field(err, PKO_EINVAL, "lon", "longitude is not a number");
    }
    if (!set_int(f, "location_precision", field(r, c->geo_prec))) {
        *bad = "geo_precision";
        return pko_err_field(err, PKO_EINVAL, "location_precision", "geo_precision is not a number");
    }
    if (!set_int(f, "killed_total", field(r, c->fatalities))) {
        *bad = "fatalities";
        return pko_err_field(err, PKO_EINVAL, "killed_total", "fatalities is not a whole number");
    }
    set_str(f, "place", field(r, c->location));
    set_str(f, "admin1", field(r, c->admin1));
    set_str(f, "admin2", field(r, c->admin2));
    set_str(f, "country", field(r, c->country));
    const char *a1 = field(r, c->actor1), *a2 = field(r, c->actor2);
    char id[PKO_ID_LEN];
    pko_rc rc;
    if (*a1) {
        if ((rc = actor(r, a1, actor_type_acled(field(r, c->actor1_type)), NULL, id, err)))
            return rc;
        json_object_set_new(f, "perpetrator_id", json_string(id));
    }
    if (*a2) {
        if ((rc = actor(r, a2, actor_type_acled(field(r, c->actor2_type)), NULL, id, err)))
            return rc;
        json_object_set_new(f, "target_id", json_string(id));
    }
    json_object_set_new(f, "source_type", json_string("dataset"));
    json_object_set_new(f, "source_id", json_string(field(r, c->id)));
    return PKO_OK;
}

/* ---- Mapped CSV ----------------------------------------------------------- */

static pko_rc mapped_row(run *r, json_t *map, json_t *f, const char **bad, pko_err *err)
{
    json_t *columns = json_object_get(map, "columns"), *values = json_object_get(map, "values");
    json_t *consts = json_object_get(map, "constants");
    const char *k;
    json_t *v;
    json_object_foreach(consts, k, v) json_object_set(f, k, v);
    json_object_foreach(columns, k, v)
    {
        char hname[64];
        norm(json_string_value(v), hname, sizeof(hname));
        int i = col(&r->hdr, hname);
        const char *raw = field(r, i);
        if (!*raw)
            continue;
        json_t *vmap = json_object_get(values, k);
        if (vmap) {
            json_t *m = json_object_get(vmap, raw);
            if (!m) {
                *bad = json_string_value(v);
                return pko_err_field(err, PKO_EINVAL, k, "value \"%s\" has no mapping for %s",
                                     raw, k);
            }
            json_object_set(f, k, m);
            continue;
        }
        const pko_col *c = NULL;
        for (size_t j = 0; j < pko_entity_incident.n_cols; j++)
            if (strcmp(pko_entity_incident.cols[j].name, k) == 0)
                c = &pko_entity_incident.cols[j];
        bool ok = true;
        if (strcmp(k, "occurred_start") == 0 || strcmp(k, "occurred_end") == 0) {
            char date[11];
            int32_t t;
            if (incidents_parse_time(raw, &t) == PKO_OK)
                json_object_set_new(f, k, json_string(raw));
            else if (parse_date(raw, date))
                json_object_set_new(f, k, json_string(date));
            else
                ok = false;
        } else if (c && c->type == PKO_COL_INT) {
            ok = set_int(f, k, raw);
        } else if (c && c->type == PKO_COL_REAL) {
            ok = set_real(f, k, raw);
        } else {
            json_object_set_new(f, k, json_string(raw));
        }
        if (!ok) {
            *bad = json_string_value(v);
            return pko_err_field(err, PKO_EINVAL, k, "%s: \"%s\" is not valid here", k, raw);
        }
    }
    return PKO_OK;
}

/* ==== Driver ============================================================= */

/* Run one statement with no result rows on the import's connection. */
static pko_rc exec1(pko_db *db, const char *sql, int64_t arg, pko_err *err)
{
    pko_stmt *s;
    int row;
    pko_rc rc = pko_db_prepare(db, sql, &s, err);
    if (rc)
        return rc;
    if (arg >= 0)
        sqlite3_bind_int64(s, 1, arg);
    rc = pko_db_step(db, s, &row, err);
    sqlite3_reset(s);
    return rc;
}

/* Defer the full-text index of new rows to the end of the import. */
static pko_rc fts_defer(run *r, pko_err *err)
{
    static const char q[] = "INSERT INTO incidents_fts_defer(since)"
                            " SELECT coalesce(max(rowid), 0) FROM incidents";
    return exec1(r->db, q, -1, err);
}

/* Index the rows added since the import began, in one statement, and put
 * the trigger back in charge. */
static pko_rc fts_catch_up(run *r, pko_err *err)
{
    static const char q_fill[] =
        "INSERT INTO incidents_fts(rowid, title, narrative, place)"
        " SELECT rowid, title, narrative, place FROM incidents"
        " WHERE rowid > (SELECT since FROM incidents_fts_defer)";
    static const char q_done[] = "DELETE FROM incidents_fts_defer";
    pko_rc rc = exec1(r->db, q_fill, -1, err);
    if (!rc)
        rc = exec1(r->db, q_done, -1, err);
    return rc;
}

static pko_rc existing(run *r, const char *source_id, char out[PKO_ID_LEN], bool *found,
                       pko_err *err)
{
    static const char q[] = "SELECT id FROM incidents WHERE source_system = ?1 AND source_id = ?2";
    pko_stmt *s;
    int row;
    pko_rc rc = pko_db_prepare(r->db, q, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, r->source_system, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, source_id, -1, SQLITE_TRANSIENT);
    rc = pko_db_step(r->db, s, &row, err);
    *found = !rc && row;
    if (*found)
        snprintf(out, PKO_ID_LEN, "%s", sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return rc;
}

/* Write one mapped row: validate, derive, upsert. Returns PKO_EINVAL for a
 * row to reject (err says why), other codes to stop the import. */
static pko_rc upsert(run *r, json_t *f, pko_err *err)
{
    if (r->mission_id[0])
        json_object_set_new(f, "mission_id", json_string(r->mission_id));
    if (!json_object_get(f, "status"))
        json_object_set_new(f, "status", json_string("verified"));
    json_object_set_new(f, "source_system", json_string(r->source_system));
    if (r->o->classification)
        json_object_set_new(f, "classification",
                            json_string(pko_class_name(r->o->classification)));
    const char *sid = json_string_value(json_object_get(f, "source_id"));
    if (!sid || !*sid)
        return pko_err_field(err, PKO_EINVAL, "source_id", "the row has no source id");
    pko_rc rc = incidents_validate(f, err);
    if (rc)
        return rc;
    incidents_derive(f);
    char id[PKO_ID_LEN];
    bool found;
    rc = existing(r, sid, id, &found, err);
    if (rc)
        return rc;
    if (!found) {
        rc = pko_tx_insert(r->tx, &pko_entity_incident, f, id, err);
        if (!rc)
            r->sum->inserted++;
        return rc;
    }
    json_object_del(f, "source_system");
    json_object_del(f, "source_id");
    json_object_del(f, "status"); /* a re-import does not undo the workflow */
    uint64_t before = 0;
    pko_store_stats st;
    pko_store_get_stats(pko_db_store(r->db), &st);
    before = st.changes;
    rc = pko_tx_update(r->tx, &pko_entity_incident, id, f, 0, err);
    if (rc)
        return rc;
    pko_store_get_stats(pko_db_store(r->db), &st);
    if (st.changes > before)
        r->sum->updated++;
    else
        r->sum->unchanged++;
    return PKO_OK;
}

static pko_rc resolve_mission(run *r, pko_err *err)
{
    static const char q[] = "SELECT id FROM missions WHERE acronym = ?1";
    if (!r->o->mission)
        return PKO_OK;
    pko_stmt *s;
    int row;
    pko_rc rc = pko_db_prepare(r->db, q, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, r->o->mission, -1, SQLITE_TRANSIENT);
    rc = pko_db_step(r->db, s, &row, err);
    if (!rc && row)
        snprintf(r->mission_id, sizeof(r->mission_id), "%s", sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    if (!rc && !row)
        rc = pko_err_field(err, PKO_EINVAL, "mission", "no mission with acronym %s", r->o->mission);
    return rc;
}

pko_rc incidents_import(pko_db *db, const pko_actor *who, FILE *in, const incidents_import_opts *o,
                        incidents_import_summary *sum, pko_err *err)
{
    memset(sum, 0, sizeof(*sum));
    run r = {.db = db, .o = o, .sum = sum};
    r.start_us = pko_mono_us();
    r.source_system = o->format == INC_IMPORT_UCDP    ? "ucdp"
                      : o->format == INC_IMPORT_ACLED ? "acled"
                                                      : json_string_value(json_object_get(o->mapping, "source_system"));
    if (!r.source_system || !*r.source_system)
        return pko_err_field(err, PKO_EINVAL, "mapping",
                             "the mapping must name its \"source_system\" (e.g. \"sage\")");
    if (o->format == INC_IMPORT_CSV &&
        (!json_is_object(json_object_get(o->mapping, "columns")) ||
         !json_object_get(json_object_get(o->mapping, "columns"), "source_id")))
        return pko_err_field(err, PKO_EINVAL, "mapping",
                             "the mapping needs \"columns\" with at least \"source_id\"");
    pko_rc rc = resolve_mission(&r, err);
    if (rc)
        return rc;
    r.csv = pko_csv_open(in, o->cp1252 ? PKO_CSV_CP1252 : PKO_CSV_UTF8);
    bool eof;
    rc = pko_csv_next(r.csv, &eof, err);
    if (!rc && eof)
        rc = pko_err_set(err, PKO_EINVAL, "the file is empty");
    if (rc) {
        pko_csv_close(r.csv);
        if (rc == PKO_EINVAL || rc == PKO_ETOOBIG)
            return pko_err_set(err, PKO_EINVAL, "cannot read the header: %s", err->msg);
        return rc;
    }
    r.hdr.n = pko_csv_nfields(r.csv);
    for (size_t i = 0; i < r.hdr.n; i++)
        norm(pko_csv_field(r.csv, i), r.hdr.names[i], sizeof(r.hdr.names[i]));

    ucdp_cols uc;
    acled_cols ac;
    memset(&uc, 0, sizeof(uc));
    memset(&ac, 0, sizeof(ac));
    const char *missing = NULL;
    if (o->format == INC_IMPORT_UCDP) {
        uc = (ucdp_cols){col(&r.hdr, "id"), col(&r.hdr, "type_of_violence"),
                         col(&r.hdr, "side_a"), col(&r.hdr, "side_a_new_id|side_a_dset_id"),
                         col(&r.hdr, "side_b"), col(&r.hdr, "side_b_new_id|side_b_dset_id"),
                         col(&r.hdr, "dyad_name"), col(&r.hdr, "where_prec"),
                         col(&r.hdr, "where_coordinates"), col(&r.hdr, "where_description"),
                         col(&r.hdr, "adm_1"), col(&r.hdr, "adm_2"), col(&r.hdr, "latitude"),
                         col(&r.hdr, "longitude"), col(&r.hdr, "country"),
                         col(&r.hdr, "date_prec"), col(&r.hdr, "date_start"),
                         col(&r.hdr, "date_end"), col(&r.hdr, "deaths_a"),
                         col(&r.hdr, "deaths_b"), col(&r.hdr, "deaths_civilians"),
                         col(&r.hdr, "best"), col(&r.hdr, "low"), col(&r.hdr, "high"),
                         col(&r.hdr, "source_headline"), col(&r.hdr, "source_office")};
        missing = uc.id < 0           ? "id"
                  : uc.tov < 0        ? "type_of_violence"
                  : uc.lat < 0        ? "latitude"
                  : uc.lon < 0        ? "longitude"
                  : uc.date_start < 0 ? "date_start"
                  : uc.best < 0       ? "best"
                                      : NULL;
    } else if (o->format == INC_IMPORT_ACLED) {
        ac = (acled_cols){col(&r.hdr, "event_id_cnty|data_id|id"),
                          col(&r.hdr, "event_date|date"),
                          col(&r.hdr, "event_type"),
                          col(&r.hdr, "sub_event_type"),
                          col(&r.hdr, "actor1|actor_1"),
                          col(&r.hdr, "inter1|actor_1_type"),
                          col(&r.hdr, "actor2|actor_2"),
                          col(&r.hdr, "inter2|actor_2_type"),
                          col(&r.hdr, "country"),
                          col(&r.hdr, "admin1"),
                          col(&r.hdr, "admin2"),
                          col(&r.hdr, "location"),
                          col(&r.hdr, "latitude"),
                          col(&r.hdr, "longitude"),
                          col(&r.hdr, "geo_precision"),
                          col(&r.hdr, "source"),
                          col(&r.hdr, "notes"),
                          col(&r.hdr, "fatalities")};
        missing = ac.id < 0           ? "event_id_cnty (or id)"
                  : ac.date < 0       ? "event_date (or date)"
                  : ac.event_type < 0 ? "event_type"
                  : ac.lat < 0        ? "latitude"
                  : ac.lon < 0        ? "longitude"
                                      : NULL;
    } else {
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(o->mapping, "columns"), k, v)
        {
            char h[64];
            norm(json_string_value(v) ? json_string_value(v) : "", h, sizeof(h));
            if (col(&r.hdr, h) < 0) {
                missing = json_string_value(v) ? json_string_value(v) : k;
                break;
            }
        }
    }
    if (missing) {
        pko_csv_close(r.csv);
        return pko_err_set(err, PKO_EINVAL, "the header has no column %s", missing);
    }

    char detail[256];
    snprintf(detail, sizeof(detail), "%s import", r.source_system);
    rc = pko_tx_begin(db, who, &r.tx, err);
    if (!rc)
        rc = pko_tx_bulk(r.tx, "import", detail, err);
    if (!rc)
        rc = fts_defer(&r, err);
    while (!rc) {
        pko_err rowerr;
        pko_err_clear(&rowerr);
        pko_rc crc = pko_csv_next(r.csv, &eof, &rowerr);
        if (crc == PKO_OK && eof)
            break;
        long line = pko_csv_line(r.csv);
        sum->rows++;
        if (crc == PKO_ETOOBIG) {
            rc = pko_err_set(err, PKO_EINVAL, "%s", rowerr.msg);
            break;
        }
        if (crc) {
            report(&r, line, NULL, rowerr.msg);
            progress(&r, false);
            continue;
        }
        json_t *f = json_object();
        const char *bad = NULL;
        pko_rc mrc = o->format == INC_IMPORT_UCDP    ? ucdp_row(&r, &uc, f, &bad, &rowerr)
                     : o->format == INC_IMPORT_ACLED ? acled_row(&r, &ac, f, &bad, &rowerr)
                                                     : mapped_row(&r, o->mapping, f, &bad, &rowerr);
        if (!mrc)
            mrc = upsert(&r, f, &rowerr);
        json_decref(f);
        if (mrc == PKO_EINVAL || mrc == PKO_ECONFLICT || mrc == PKO_ETOOBIG) {
            report(&r, line, bad ? bad : (rowerr.field[0] ? rowerr.field : NULL), rowerr.msg);
        } else if (mrc) {
            rc = mrc;
            memcpy(err, &rowerr, sizeof(rowerr));
        }
        progress(&r, false);
    }
    if (r.tx && !rc)
        rc = fts_catch_up(&r, err);
    if (r.tx) {
        if (rc)
            pko_tx_rollback(r.tx);
        else
            rc = pko_tx_commit(r.tx, err);
    }
    progress(&r, true);
    pko_csv_close(r.csv);
    smap_free(&r.actors);
    sum->seconds = (double)(pko_mono_us() - r.start_us) / 1e6;
    if (rc)
        memset(sum, 0, sizeof(*sum) - sizeof(sum->seconds));
    return rc;
}

/* ==== API ================================================================ */

pko_rc inc_h_import(pko_req *req, pko_err *err)
{
    const char *format = pko_req_query(req, "format");
    incidents_import_opts o = {0};
    if (!format || strcmp(format, "ucdp") == 0)
        o.format = INC_IMPORT_UCDP;
    else if (strcmp(format, "acled") == 0)
        o.format = INC_IMPORT_ACLED;
    else
        return pko_err_field(err, PKO_EINVAL, "format",
                             "format must be ucdp or acled (mapped CSV imports use the CLI)");
    o.mission = pko_req_query(req, "mission");
    const char *enc = pko_req_query(req, "encoding");
    if (enc && strcmp(enc, "cp1252") != 0 && strcmp(enc, "utf-8") != 0)
        return pko_err_field(err, PKO_EINVAL, "encoding", "encoding must be utf-8 or cp1252");
    o.cp1252 = enc && strcmp(enc, "cp1252") == 0;
    const char *body;
    size_t len;
    pko_req_raw_body(req, &body, &len);
    if (!len)
        return pko_err_set(err, PKO_EINVAL, "send the CSV file as the request body");
    FILE *in = fmemopen((void *)body, len, "r");
    if (!in)
        return pko_err_set(err, PKO_ENOMEM, "cannot read the body");
    o.error_list = json_array();
    incidents_import_summary sum;
    pko_db_set_deadline(pko_req_db(req), 0); /* imports take as long as they take */
    pko_rc rc = incidents_import(pko_req_db(req), pko_req_actor(req), in, &o, &sum, err);
    fclose(in);
    if (rc) {
        json_decref(o.error_list);
        return rc;
    }
    pko_err ignore;
    pko_err_clear(&ignore);
    if (inc_sync(pko_req_db(req), &ignore))
        pko_err_clear(&ignore); /* the next query catches up */
    pko_req_reply(req, sum.rejected ? 207 : 200,
                  json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:o}", "rows",
                            (json_int_t)sum.rows, "inserted", (json_int_t)sum.inserted, "updated",
                            (json_int_t)sum.updated, "unchanged", (json_int_t)sum.unchanged,
                            "rejected", (json_int_t)sum.rejected, "actors_created",
                            (json_int_t)sum.actors_created, "seconds", sum.seconds, "errors",
                            o.error_list));
    return PKO_OK;
}
