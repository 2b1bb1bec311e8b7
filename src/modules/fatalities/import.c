/* SPDX-License-Identifier: MIT
 *
 * Import of the UN dataset "Fatalities in PKOs and SPMs since 1948"
 * (psdata.un.org, DPPADPOSS-FATALITIES), the public data derived from
 * NOTICAS. One transaction in the store's bulk mode: nothing is visible
 * until every accepted row is committed, and a failure leaves nothing.
 *
 * Mapping (docs/registers.md):
 *   casualty_id              -> source_id (source_system "un_fatalities")
 *   incident_date            -> incident_date (not in the future)
 *   mission_acronym          -> mission_id (the mission with that acronym,
 *                               upper-cased; created closed if allowed)
 *   type_of_casualty         -> casualty_type (Fatality, Injury)
 *   gender                   -> gender (M male, F female, empty null)
 *   casualty_nationality     -> nationality_name
 *   isocode3                 -> nationality
 *   casualty_personnel_type  -> person_category (Military, Police,
 *       Military Observer, International Civilian, Local -> national_staff,
 *       National Staff, Other)
 *   type_of_incident         -> incident_type
 * The dataset has no weapon: imported malicious acts have weapon null.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/csv.h"
#include "modules/fatalities/fatalities.h"
#include "modules/missions/missions.h"

#define SOURCE "un_fatalities"

enum { C_DATE, C_CASUALTY, C_MISSION, C_TYPE, C_GENDER, C_NAT, C_PERS, C_INC, C_ISO, C_N };
const char *const fatalities_csv_columns[FATALITIES_CSV_COLUMNS] = {
    "incident_date",           "casualty_id",      "mission_acronym",
    "type_of_casualty",        "gender",           "casualty_nationality",
    "casualty_personnel_type", "type_of_incident", "isocode3"};

typedef struct run {
    pko_tx *tx;
    const fatalities_import_opts *o;
    fatalities_import_summary *sum;
    char today[11];
    json_t *missions; /* acronym -> id */
    json_t *seen;     /* casualty_id -> line */
} run;

static void report(run *r, long line, const char *field, const char *msg)
{
    if (r->o->errors)
        fprintf(r->o->errors, "line %ld%s%s: %s\n", line, field ? ", " : "", field ? field : "",
                msg);
    if (r->o->error_list && json_array_size(r->o->error_list) < 1000)
        json_array_append_new(r->o->error_list,
                              json_pack("{s:I, s:s?, s:s}", "line", (json_int_t)line, "field",
                                        field, "message", msg));
}

/* Trim and lower-case 'in' into 'out', spaces and '-' as '_'. */
static void norm(const char *in, char *out, size_t n)
{
    while (isspace((unsigned char)*in))
        in++;
    size_t k = 0;
    for (; *in && k + 1 < n; in++)
        out[k++] = (*in == ' ' || *in == '-') ? '_' : (char)tolower((unsigned char)*in);
    while (k && out[k - 1] == '_')
        k--;
    out[k] = 0;
}

static const char *map_category(const char *s)
{
    char k[64];
    norm(s, k, sizeof(k));
    if (strcmp(k, "local") == 0 || strcmp(k, "national_staff") == 0 ||
        strcmp(k, "national_civilian") == 0)
        return "national_staff";
    if (strcmp(k, "military_observer") == 0 || strcmp(k, "military_observers") == 0)
        return "military_observer";
    int i = fatalities_index(fatalities_categories, k);
    return i < 0 ? NULL : fatalities_categories[i];
}

static const char *map_incident(const char *s)
{
    char k[64];
    norm(s, k, sizeof(k));
    int i = fatalities_index(fatalities_incident_types, k);
    return i < 0 ? NULL : fatalities_incident_types[i];
}

/* The id of the mission 'acr', creating it (closed) when allowed. */
static pko_rc mission_id(run *r, const char *raw, const char **out, const char **field,
                         pko_err *err)
{
    char acr[40];
    size_t k = 0;
    for (const char *p = raw; *p && k + 1 < sizeof(acr); p++)
        if (!isspace((unsigned char)*p))
            acr[k++] = (char)toupper((unsigned char)*p);
    acr[k] = 0;
    *field = "mission_acronym";
    json_t *known = json_object_get(r->missions, acr);
    if (known) {
        *out = json_string_value(known);
        return PKO_OK;
    }
    char id[PKO_ID_LEN];
    pko_rc rc = fatalities_mission_by_acronym(pko_tx_db(r->tx), acr, id, err);
    if (rc == PKO_ENOTFOUND) {
        pko_err_clear(err);
        if (!r->o->create_missions)
            return pko_err_field(err, PKO_EINVAL, "mission_acronym",
                                 "no mission %s: create it first (this import does not "
                                 "create missions)",
                                 acr);
        json_t *m = json_pack("{s:s, s:s, s:s}", "acronym", acr, "name", acr, "status", "closed");
        rc = missions_validate(m, 1, err);
        if (!rc)
            rc = pko_tx_insert(r->tx, &pko_entity_mission, m, id, err);
        json_decref(m);
        if (rc)
            return rc;
        r->sum->missions_created++;
    } else if (rc) {
        return rc;
    }
    json_object_set_new(r->missions, acr, json_string(id));
    *out = json_string_value(json_object_get(r->missions, acr));
    return PKO_OK;
}

pko_rc fatalities_parse_row(const char *const v[FATALITIES_CSV_COLUMNS], const char *today,
                            json_t *f, const char **field, pko_err *err)
{
    *field = "incident_date";
    json_object_set_new(f, "incident_date", json_string(v[C_DATE]));
    pko_rc rc = fatalities_check_date(f, "incident_date", true, today, err);
    if (rc)
        return rc;
    *field = "casualty_id";
    size_t n = strlen(v[C_CASUALTY]);
    if (n == 0 || n > 64)
        return pko_err_field(err, PKO_EINVAL, "casualty_id",
                             "casualty_id must be 1 to 64 characters");
    *field = "type_of_casualty";
    char k[64];
    norm(v[C_TYPE], k, sizeof(k));
    if (fatalities_index(fatalities_casualty_types, k) < 0)
        return pko_err_field(err, PKO_EINVAL, "type_of_casualty",
                             "type_of_casualty must be Fatality or Injury, not \"%.40s\"",
                             v[C_TYPE]);
    json_object_set_new(f, "casualty_type", json_string(k));
    *field = "casualty_personnel_type";
    const char *cat = map_category(v[C_PERS]);
    if (!cat)
        return pko_err_field(err, PKO_EINVAL, "casualty_personnel_type",
                             "unknown personnel type \"%.40s\"", v[C_PERS]);
    json_object_set_new(f, "person_category", json_string(cat));
    *field = "type_of_incident";
    const char *inc = map_incident(v[C_INC]);
    if (!inc)
        return pko_err_field(err, PKO_EINVAL, "type_of_incident",
                             "unknown type of incident \"%.40s\"", v[C_INC]);
    json_object_set_new(f, "incident_type", json_string(inc));
    *field = "gender";
    norm(v[C_GENDER], k, sizeof(k));
    if (strcmp(k, "m") == 0 || strcmp(k, "male") == 0)
        json_object_set_new(f, "gender", json_string("male"));
    else if (strcmp(k, "f") == 0 || strcmp(k, "female") == 0)
        json_object_set_new(f, "gender", json_string("female"));
    else if (k[0])
        return pko_err_field(err, PKO_EINVAL, "gender", "gender must be M, F or empty");
    else
        json_object_set_new(f, "gender", json_null());
    char iso[8];
    norm(v[C_ISO], iso, sizeof(iso));
    for (char *p = iso; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    json_object_set_new(f, "nationality", iso[0] ? json_string(iso) : json_null());
    json_object_set_new(f, "nationality_name", v[C_NAT][0] ? json_string(v[C_NAT]) : json_null());
    json_object_set_new(f, "weapon", json_null());
    *field = NULL;
    rc = fatalities_validate(f, today, err);
    if (rc) {
        *field = err->field[0] ? err->field : NULL;
        return rc;
    }
    *field = "mission_acronym";
    char acr[40];
    size_t k2 = 0;
    for (const char *p = v[C_MISSION]; *p && k2 + 1 < sizeof(acr); p++)
        if (!isspace((unsigned char)*p))
            acr[k2++] = (char)toupper((unsigned char)*p);
    acr[k2] = 0;
    if (!acr[0] || strlen(v[C_MISSION]) > 32)
        return pko_err_field(err, PKO_EINVAL, "mission_acronym",
                             "mission_acronym must be 1 to 32 characters");
    json_object_set_new(f, "mission_acronym", json_string(acr));
    *field = NULL;
    return PKO_OK;
}

static pko_rc row_fields(run *r, const char *const *v, json_t *f, const char **field, pko_err *err)
{
    pko_rc rc = fatalities_parse_row(v, r->today, f, field, err);
    if (rc)
        return rc;
    const char *mid = NULL;
    rc = mission_id(r, json_string_value(json_object_get(f, "mission_acronym")), &mid, field, err);
    if (rc)
        return rc;
    json_object_set_new(f, "mission_id", json_string(mid));
    json_object_del(f, "mission_acronym");
    return PKO_OK;
}

/* Insert, update or leave the casualty 'sid'. */
static pko_rc upsert(run *r, const char *sid, json_t *f, pko_err *err)
{
    pko_db *db = pko_tx_db(r->tx);
    pko_stmt *s;
    pko_rc rc = pko_db_prepare(db,
                               "SELECT id, mission_id, incident_date, casualty_type,"
                               " person_category, nationality, nationality_name, gender,"
                               " incident_type FROM fatalities"
                               " WHERE source_system = '" SOURCE "' AND source_id = ?1",
                               &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, sid, -1, SQLITE_TRANSIENT);
    int row;
    rc = pko_db_step(db, s, &row, err);
    if (rc) {
        sqlite3_reset(s);
        return rc;
    }
    if (!row) {
        sqlite3_reset(s);
        json_object_set_new(f, "source_system", json_string(SOURCE));
        json_object_set_new(f, "source_id", json_string(sid));
        if (r->o->classification > 0)
            json_object_set_new(f, "classification",
                                json_string(pko_class_name(r->o->classification)));
        char id[PKO_ID_LEN];
        rc = pko_tx_insert(r->tx, &pko_entity_fatality, f, id, err);
        if (!rc)
            r->sum->inserted++;
        return rc;
    }
    char id[PKO_ID_LEN];
    snprintf(id, sizeof(id), "%s", (const char *)sqlite3_column_text(s, 0));
    /* The fields that differ from the stored row. mission_id is read-only:
     * a casualty moved to another mission is rejected. */
    if (strcmp((const char *)sqlite3_column_text(s, 1),
               json_string_value(json_object_get(f, "mission_id"))) != 0) {
        sqlite3_reset(s);
        return pko_err_field(err, PKO_EINVAL, "mission_acronym",
                             "casualty %.64s was imported before under another mission", sid);
    }
    static const char *const cols[] = {"incident_date", "casualty_type",    "person_category",
                                       "nationality",   "nationality_name", "gender",
                                       "incident_type"};
    json_t *upd = json_object();
    for (int i = 0; i < 7; i++) {
        const char *old = (const char *)sqlite3_column_text(s, i + 2);
        json_t *nv = json_object_get(f, cols[i]);
        const char *nw = json_string_value(nv);
        if ((old == NULL) != (nw == NULL) || (old && strcmp(old, nw) != 0))
            json_object_set(upd, cols[i], nv);
    }
    sqlite3_reset(s);
    if (json_object_size(upd) == 0) {
        r->sum->unchanged++;
    } else {
        rc = pko_tx_update(r->tx, &pko_entity_fatality, id, upd, 0, err);
        if (!rc)
            r->sum->updated++;
    }
    json_decref(upd);
    return rc;
}

pko_rc fatalities_csv_header(const char *const *names, size_t n, int idx[FATALITIES_CSV_COLUMNS],
                             pko_err *err)
{
    for (int c = 0; c < C_N; c++) {
        idx[c] = -1;
        for (size_t i = 0; i < n; i++) {
            char h[64];
            norm(names[i], h, sizeof(h));
            if (strcmp(h, fatalities_csv_columns[c]) == 0) {
                idx[c] = (int)i;
                break;
            }
        }
        if (idx[c] < 0 && c != C_ISO && c != C_NAT && c != C_GENDER)
            return pko_err_set(err, PKO_EINVAL,
                               "the header has no column %s: is this the UN fatalities dataset "
                               "(id, incident_date, casualty_id, mission_acronym, ...)?",
                               fatalities_csv_columns[c]);
    }
    return PKO_OK;
}

pko_rc fatalities_import(pko_db *db, const pko_actor *actor, FILE *in,
                         const fatalities_import_opts *o, fatalities_import_summary *sum,
                         pko_err *err)
{
    memset(sum, 0, sizeof(*sum));
    int64_t t0 = pko_mono_us();
    run r = {.o = o, .sum = sum};
    fatalities_today(r.today);
    pko_csv *csv = pko_csv_open(in, PKO_CSV_UTF8);
    bool eof;
    pko_rc rc = pko_csv_next(csv, &eof, err);
    if (!rc && eof)
        rc = pko_err_set(err, PKO_EINVAL, "the file is empty: expected a header line");
    if (rc) {
        pko_csv_close(csv);
        if (rc != PKO_EINVAL)
            return rc == PKO_ETOOBIG ? pko_err_set(err, PKO_EINVAL, "%s", err->msg) : rc;
        return rc;
    }
    int idx[C_N];
    const char *names[PKO_CSV_MAX_FIELDS];
    size_t nf = pko_csv_nfields(csv);
    for (size_t i = 0; i < nf; i++)
        names[i] = pko_csv_field(csv, i);
    rc = fatalities_csv_header(names, nf, idx, err);
    if (rc) {
        pko_csv_close(csv);
        return rc;
    }
    r.missions = json_object();
    r.seen = json_object();
    rc = pko_tx_begin(db, actor, &r.tx, err);
    if (!rc)
        rc = pko_tx_bulk(r.tx, "import", "un_fatalities import", err);
    while (!rc) {
        pko_err rowerr;
        pko_err_clear(&rowerr);
        pko_rc crc = pko_csv_next(csv, &eof, &rowerr);
        if (crc == PKO_OK && eof)
            break;
        long line = pko_csv_line(csv);
        sum->rows++;
        if (crc == PKO_ETOOBIG) {
            rc = pko_err_set(err, PKO_EINVAL, "%s", rowerr.msg);
            break;
        }
        if (crc) {
            report(&r, line, NULL, rowerr.msg);
            sum->rejected++;
            continue;
        }
        const char *v[C_N];
        for (int c = 0; c < C_N; c++)
            v[c] = idx[c] >= 0 ? pko_csv_field(csv, (size_t)idx[c]) : "";
        char sid[80];
        snprintf(sid, sizeof(sid), "%s", v[C_CASUALTY]);
        json_t *prev = json_object_get(r.seen, sid);
        if (prev && sid[0]) {
            char msg[200];
            snprintf(msg, sizeof(msg),
                     "casualty %.64s was already given on line %lld: this row (nationality "
                     "%.40s) is a duplicate and was skipped",
                     sid, (long long)json_integer_value(prev), v[C_NAT]);
            report(&r, line, "casualty_id", msg);
            sum->duplicates++;
            continue;
        }
        json_t *f = json_object();
        const char *field = NULL;
        pko_rc mrc = row_fields(&r, v, f, &field, &rowerr);
        if (!mrc)
            mrc = upsert(&r, sid, f, &rowerr);
        json_decref(f);
        if (!mrc) {
            json_object_set_new(r.seen, sid, json_integer(line));
        } else if (mrc == PKO_EINVAL || mrc == PKO_ECONFLICT || mrc == PKO_ETOOBIG) {
            report(&r, line, field ? field : (rowerr.field[0] ? rowerr.field : NULL), rowerr.msg);
            sum->rejected++;
        } else {
            rc = mrc;
            memcpy(err, &rowerr, sizeof(rowerr));
        }
    }
    if (r.tx) {
        if (rc)
            pko_tx_rollback(r.tx);
        else
            rc = pko_tx_commit(r.tx, err);
    }
    pko_csv_close(csv);
    json_decref(r.missions);
    json_decref(r.seen);
    sum->seconds = (double)(pko_mono_us() - t0) / 1e6;
    if (rc) {
        double secs = sum->seconds;
        memset(sum, 0, sizeof(*sum));
        sum->seconds = secs;
    }
    return rc;
}
