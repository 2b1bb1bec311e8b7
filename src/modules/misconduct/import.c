/* SPDX-License-Identifier: MIT
 *
 * Import of the UN "table of allegations" (Conduct in UN Field Missions,
 * conduct.unmissions.org): one row per allegation of sexual exploitation
 * and abuse, 15 columns of semi-structured text. The cells are read as the
 * UN writes them:
 *
 *   Date                  "7/2024"                      -> reported_on 2024-07
 *   Date of incident      "April / 2014 - Unspecified / 2015", "Unknown"
 *                                                       -> incident_from/_to
 *   Personnel Type        "Military (MC),6" (several, blank-line separated)
 *                                                       -> personnel, personnel_type
 *   Victim                "Child (2)\n\nAdult (4)"      -> victims_child/_adult
 *   Allegation            "SA (Rape)\n\nSE (...)"       -> allegation_types
 *   Investigation (days)  "UN OIOS (238)", "TCC (Pending)" -> entity, status, days
 *   Result                "Substantiated (Rape) (1)"    -> result, result_detail
 *
 * A row is kept whole or rejected whole. A row already imported is
 * recognised by a digest of its 15 cells (and its rank among identical
 * rows of the file), so importing the same table twice adds nothing.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/csv.h"
#include "modules/misconduct/misconduct.h"

static const char *const header[15] = {"Date",
                                       "Mission",
                                       "Date of incident",
                                       "Personnel Type",
                                       "Nationality",
                                       "Victim",
                                       "Allegation",
                                       "Paternity claim",
                                       "Paternity established",
                                       "NIO appointed",
                                       "Investigation (days)",
                                       "Result",
                                       "Interim Action",
                                       "Final Action",
                                       "Referral for criminal accountability"};

#define SOURCE_NAME                                                                               \
    "United Nations, Conduct in UN Field Missions: table of allegations "                        \
    "(conduct.unmissions.org)"

/* ==== Small text helpers ================================================= */

/* Copy 's' without leading/trailing white space into 'out' (size n). */
static void trim_copy(const char *s, size_t len, char *out, size_t n)
{
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len >= n)
        len = n - 1;
    memcpy(out, s, len);
    out[len] = 0;
}

/* Split a cell on line breaks into trimmed non-empty parts (at most 'max',
 * each up to 255 bytes). Returns the count. */
static size_t split_lines(const char *cell, char parts[][256], size_t max)
{
    size_t n = 0;
    const char *p = cell;
    while (*p && n < max) {
        const char *e = strpbrk(p, "\r\n");
        size_t len = e ? (size_t)(e - p) : strlen(p);
        trim_copy(p, len, parts[n], 256);
        /* A line that only closes the previous one's parenthesis (the UN
         * wraps some long results) belongs to it. */
        if (n && parts[n][0] == ')') {
            size_t o = strlen(parts[n - 1]), add = strlen(parts[n]);
            if (o + add < 256)
                memcpy(parts[n - 1] + o, parts[n], add + 1);
        } else if (parts[n][0])
            n++;
        if (!e)
            break;
        p = e + 1;
    }
    return n;
}

/* The cell as one line: parts joined by "; ". NULL for "", "N/A". */
static json_t *joined(const char *cell)
{
    char parts[32][256];
    size_t n = split_lines(cell, parts, 32);
    if (n == 0 || (n == 1 && strcmp(parts[0], "N/A") == 0))
        return json_null();
    char buf[4096];
    size_t o = 0;
    for (size_t i = 0; i < n && o < sizeof(buf) - 1; i++)
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? "; " : "", parts[i]);
    return json_string(buf);
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

/* "Adult (4)" -> name "Adult", count 4 ('*has' true); "Adult" -> has false. */
static void name_count(const char *part, char name[256], long *count, bool *has)
{
    *has = false;
    *count = 0;
    snprintf(name, 256, "%s", part);
    size_t n = strlen(name);
    if (n && name[n - 1] == ')') {
        char *open = strrchr(name, '(');
        if (open) {
            char num[32];
            size_t len = (size_t)(name + n - 1 - open - 1);
            if (len > 0 && len < sizeof(num)) {
                memcpy(num, open + 1, len);
                num[len] = 0;
                if (all_digits(num)) {
                    *count = strtol(num, NULL, 10);
                    *has = true;
                    *open = 0;
                    trim_copy(name, strlen(name), name, 256);
                }
            }
        }
    }
}

/* ==== Cells ============================================================== */

static const char *const months[] = {"january", "february", "march",     "april",
                                     "may",     "june",     "july",      "august",
                                     "september", "october", "november", "december"};

/* "April / 2014" -> "2014-04"; "Unspecified / 2015" -> "2015"; "" or
 * "Unspecified" -> "" (open). false when malformed. */
static bool incident_part(const char *p, char out[16])
{
    char t[64];
    trim_copy(p, strlen(p), t, sizeof(t));
    out[0] = 0;
    if (!t[0] || strcasecmp(t, "Unspecified") == 0)
        return true;
    char *slash = strchr(t, '/');
    if (!slash)
        return false;
    char mon[32], yr[16];
    trim_copy(t, (size_t)(slash - t), mon, sizeof(mon));
    trim_copy(slash + 1, strlen(slash + 1), yr, sizeof(yr));
    if (strlen(yr) != 4 || !all_digits(yr))
        return false;
    if (strcasecmp(mon, "Unspecified") == 0) {
        snprintf(out, 16, "%s", yr);
        return true;
    }
    for (int i = 0; i < 12; i++)
        if (strcasecmp(mon, months[i]) == 0) {
            snprintf(out, 16, "%s-%02d", yr, i + 1);
            return true;
        }
    return false;
}

static pko_rc cell_incident(const char *cell, json_t *f, pko_err *err)
{
    char t[256];
    trim_copy(cell, strlen(cell), t, sizeof(t));
    if (!t[0] || strcasecmp(t, "Unknown") == 0)
        return PKO_OK;
    char a[16], b[16];
    char *dash = strstr(t, " - ");
    bool ok;
    if (dash) {
        *dash = 0;
        ok = incident_part(t, a) && incident_part(dash + 3, b);
    } else {
        ok = incident_part(t, a);
        b[0] = 0;
    }
    if (!ok || !a[0])
        return pko_err_field(err, PKO_EINVAL, "Date of incident",
                             "Date of incident \"%.60s\" is not \"Month / YYYY\", \"Unspecified / "
                             "YYYY\", a range \"A - B\" of them, or \"Unknown\"",
                             cell);
    json_object_set_new(f, "incident_from", json_string(a));
    if (b[0])
        json_object_set_new(f, "incident_to", json_string(b));
    return PKO_OK;
}

static const struct {
    const char *label;
    const char *type;
} personnel_map[] = {
    {"Military (MC)", "military_contingent"},
    {"Military (MO)", "military_observer"},
    {"Military (Staff Officer)", "military_staff_officer"},
    {"Police (UNPOL)", "police_unpol"},
    {"Police (FPU)", "police_fpu"},
    {"Police (GPP)", "police_government_provided"},
    {"Civilian (INT)", "civilian_international"},
    {"Civilian (NS)", "civilian_national"},
    {"Civilian (UNV)", "civilian_unv"},
    {"Civilian (Contractor)", "civilian_contractor"},
    {"Civilian (Vendor Employee)", "civilian_vendor"},
    {"Civilian ((Legacy) Daily Casual Workers)", "civilian_daily_worker"},
};

/* Collapse runs of white space inside 's' (the UN pads some labels). */
static void squeeze(char *s)
{
    char *w = s;
    bool sp = false;
    for (char *r = s; *r; r++) {
        if (isspace((unsigned char)*r)) {
            sp = true;
            continue;
        }
        if (sp && w != s && *r != ')')
            *w++ = ' ';
        sp = false;
        *w++ = *r;
    }
    *w = 0;
}

static pko_rc cell_personnel(const char *cell, json_t *f, pko_err *err)
{
    char parts[32][256];
    size_t n = split_lines(cell, parts, 32);
    if (n == 0)
        return pko_err_field(err, PKO_EINVAL, "Personnel Type", "Personnel Type is empty");
    json_t *arr = json_array();
    long total = 0;
    bool any_count = false;
    for (size_t i = 0; i < n; i++) {
        char *label = parts[i];
        long count = -1;
        char *comma = strrchr(label, ',');
        if (comma && all_digits(comma + 1)) {
            if (strlen(comma + 1) > 6) {
                json_decref(arr);
                return pko_err_field(err, PKO_EINVAL, "Personnel Type",
                                     "Personnel Type count %.20s is too large", comma + 1);
            }
            count = strtol(comma + 1, NULL, 10);
            *comma = 0;
        }
        squeeze(label);
        const char *type = NULL;
        for (size_t j = 0; j < sizeof(personnel_map) / sizeof(personnel_map[0]); j++)
            if (strcasecmp(label, personnel_map[j].label) == 0)
                type = personnel_map[j].type;
        if (!type) {
            json_decref(arr);
            return pko_err_field(err, PKO_EINVAL, "Personnel Type",
                                 "unknown personnel type \"%.60s\"", label);
        }
        json_array_append_new(arr, json_pack("{s:s, s:o}", "type", type, "count",
                                             count >= 0 ? json_integer(count) : json_null()));
        if (count >= 0) {
            total += count;
            any_count = true;
        }
    }
    json_object_set(f, "personnel_type", json_object_get(json_array_get(arr, 0), "type"));
    json_object_set_new(f, "personnel", arr);
    if (any_count)
        json_object_set_new(f, "personnel_count", json_integer(total));
    return PKO_OK;
}

static pko_rc cell_victims(const char *cell, json_t *f, pko_err *err)
{
    char parts[16][256];
    size_t n = split_lines(cell, parts, 16);
    long adult = 0, child = 0, unknown = 0;
    bool has_a = false, has_c = false, has_u = false;
    char note[256] = "";
    for (size_t i = 0; i < n; i++) {
        char name[256];
        long c;
        bool has;
        name_count(parts[i], name, &c, &has);
        if (c > 100000)
            return pko_err_field(err, PKO_EINVAL, "Victim", "Victim count %ld is too large", c);
        long *slot;
        bool *seen;
        if (strcasecmp(name, "Adult") == 0)
            slot = &adult, seen = &has_a;
        else if (strcasecmp(name, "Child") == 0)
            slot = &child, seen = &has_c;
        else if (strcasecmp(name, "Unknown") == 0)
            slot = &unknown, seen = &has_u;
        else
            return pko_err_field(err, PKO_EINVAL, "Victim",
                                 "Victim \"%.60s\" is not Adult, Child or Unknown with a count",
                                 parts[i]);
        if (has) {
            *slot += c;
            *seen = true;
        } else {
            size_t o = strlen(note);
            snprintf(note + o, sizeof(note) - o, "%s%s victims, number not stated", o ? "; " : "",
                     name);
        }
    }
    if (has_a)
        json_object_set_new(f, "victims_adult", json_integer(adult));
    if (has_c)
        json_object_set_new(f, "victims_child", json_integer(child));
    if (has_u)
        json_object_set_new(f, "victims_unknown_age", json_integer(unknown));
    if (note[0])
        json_object_set_new(f, "victims_note", json_string(note));
    return PKO_OK;
}

static pko_rc cell_allegation(const char *cell, json_t *f, pko_err *err)
{
    char parts[32][256];
    size_t n = split_lines(cell, parts, 32);
    if (n == 0)
        return pko_err_field(err, PKO_EINVAL, "Allegation", "Allegation is empty");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(parts[i]));
    json_object_set_new(f, "allegation_types", arr);
    return PKO_OK;
}

/* Yes/No/Pending/N/A cells. 'no_ok' false for cells without "No". */
static pko_rc cell_tri(const char *cell, const char *col, const char *field, json_t *f,
                       pko_err *err)
{
    char t[64];
    trim_copy(cell, strlen(cell), t, sizeof(t));
    const char *v = NULL;
    if (strcasecmp(t, "Yes") == 0)
        v = "yes";
    else if (strcasecmp(t, "No") == 0)
        v = "no";
    else if (strcasecmp(t, "Pending") == 0)
        v = "pending";
    else if (strcasecmp(t, "N/A") == 0 || !t[0])
        v = "not_applicable";
    if (!v)
        return pko_err_field(err, PKO_EINVAL, col, "%s \"%.40s\" is not Yes, No, Pending or N/A",
                             col, cell);
    json_object_set_new(f, field, json_string(v));
    return PKO_OK;
}

static pko_rc cell_nio(const char *cell, json_t *f, pko_err *err)
{
    char t[64];
    trim_copy(cell, strlen(cell), t, sizeof(t));
    const char *v = NULL;
    if (strcasecmp(t, "Yes") == 0)
        v = "yes";
    else if (strcasecmp(t, "No (no response)") == 0 || strcasecmp(t, "No") == 0)
        v = "no_response";
    else if (strcasecmp(t, "No (declined)") == 0)
        v = "declined";
    else if (strcasecmp(t, "Pending") == 0)
        v = "pending";
    else if (strcasecmp(t, "N/A") == 0 || !t[0])
        v = "not_applicable";
    if (!v)
        return pko_err_field(err, PKO_EINVAL, "NIO appointed",
                             "NIO appointed \"%.40s\" is not Yes, No (no response), No "
                             "(declined), Pending or N/A",
                             cell);
    json_object_set_new(f, "nio_appointed", json_string(v));
    return PKO_OK;
}

static pko_rc cell_investigation(const char *cell, json_t *f, pko_err *err)
{
    char t[256];
    trim_copy(cell, strlen(cell), t, sizeof(t));
    if (!t[0])
        return PKO_OK;
    size_t n = strlen(t);
    char *open = strrchr(t, '(');
    if (!open || t[n - 1] != ')' || open == t)
        return pko_err_field(err, PKO_EINVAL, "Investigation (days)",
                             "Investigation (days) \"%.60s\" is not \"ENTITY (days|Pending|N/A)\"",
                             cell);
    t[n - 1] = 0;
    char ent[200], what[64];
    trim_copy(t, (size_t)(open - t), ent, sizeof(ent));
    trim_copy(open + 1, strlen(open + 1), what, sizeof(what));
    if (strcmp(ent, "Pending") != 0)
        json_object_set_new(f, "investigating_entity", json_string(ent));
    if (all_digits(what) && strlen(what) <= 5) {
        json_object_set_new(f, "investigation_status", json_string("completed"));
        json_object_set_new(f, "investigation_days", json_integer(strtol(what, NULL, 10)));
    } else if (strcasecmp(what, "Pending") == 0)
        json_object_set_new(f, "investigation_status", json_string("pending"));
    else if (strcasecmp(what, "N/A") == 0)
        json_object_set_new(f, "investigation_status", json_string("not_applicable"));
    else
        return pko_err_field(err, PKO_EINVAL, "Investigation (days)",
                             "Investigation (days) \"%.60s\": days must be a number, Pending or "
                             "N/A",
                             cell);
    return PKO_OK;
}

/* The overall result of a cell that may list several: substantiated if any
 * part is, else pending if any is, else unsubstantiated, else incomplete,
 * else not_applicable. */
static pko_rc cell_result(const char *cell, json_t *f, pko_err *err)
{
    char parts[16][256];
    size_t n = split_lines(cell, parts, 16);
    static const char *const order[] = {"substantiated", "pending", "unsubstantiated",
                                        "incomplete", "not_applicable"};
    static const char *const label[] = {"Substantiated", "Pending", "Unsubstantiated",
                                        "Incomplete", "N/A"};
    int best = 5;
    for (size_t i = 0; i < n; i++) {
        int k = -1;
        for (int j = 0; j < 5 && k < 0; j++)
            if (strncasecmp(parts[i], label[j], strlen(label[j])) == 0)
                k = j;
        if (k < 0)
            return pko_err_field(err, PKO_EINVAL, "Result",
                                 "Result \"%.60s\" does not start with Substantiated, "
                                 "Unsubstantiated, Pending, Incomplete or N/A",
                                 parts[i]);
        if (k < best)
            best = k;
    }
    if (best < 5)
        json_object_set_new(f, "result", json_string(order[best]));
    json_object_set_new(f, "result_detail", joined(cell));
    return PKO_OK;
}

/* ==== One row ============================================================ */

pko_rc misconduct_parse_row(const char *const cols[15], const char *today, json_t **out,
                            pko_err *err)
{
    (void)today;
    *out = NULL;
    json_t *f = json_object();
    char t[128];
    pko_rc rc = PKO_OK;
    /* Date: M/YYYY */
    trim_copy(cols[0], strlen(cols[0]), t, sizeof(t));
    char *slash = strchr(t, '/');
    int mon = slash ? atoi(t) : 0;
    if (!slash || slash == t || slash - t > 2 || !all_digits(slash + 1) ||
        strlen(slash + 1) != 4 || mon < 1 || mon > 12) {
        json_decref(f);
        return pko_err_field(err, PKO_EINVAL, "Date", "Date \"%.40s\" is not a month M/YYYY",
                             cols[0]);
    }
    for (char *p = t; p < slash; p++)
        if (!isdigit((unsigned char)*p)) {
            json_decref(f);
            return pko_err_field(err, PKO_EINVAL, "Date", "Date \"%.40s\" is not a month M/YYYY",
                                 cols[0]);
        }
    char rep[16];
    snprintf(rep, sizeof(rep), "%.4s-%02d", slash + 1, mon);
    json_object_set_new(f, "reported_on", json_string(rep));
    /* Mission */
    trim_copy(cols[1], strlen(cols[1]), t, sizeof(t));
    if (!t[0]) {
        json_decref(f);
        return pko_err_field(err, PKO_EINVAL, "Mission",
                             "Mission is empty: every allegation belongs to a mission");
    }
    json_object_set_new(f, "mission", json_string(t));
    json_object_set_new(f, "category", json_string("sexual_exploitation_and_abuse"));
    /* Nationality */
    trim_copy(cols[4], strlen(cols[4]), t, sizeof(t));
    if (t[0] && strcmp(t, "N/A") != 0)
        json_object_set_new(f, "nationality", json_string(t));
    /* Paternity claim: Yes/No */
    trim_copy(cols[7], strlen(cols[7]), t, sizeof(t));
    if (strcasecmp(t, "Yes") == 0)
        json_object_set_new(f, "paternity_claim", json_true());
    else if (strcasecmp(t, "No") == 0)
        json_object_set_new(f, "paternity_claim", json_false());
    else if (t[0] && strcmp(t, "N/A") != 0)
        rc = pko_err_field(err, PKO_EINVAL, "Paternity claim",
                           "Paternity claim \"%.40s\" is not Yes or No", cols[7]);
    if (!rc)
        rc = cell_incident(cols[2], f, err);
    if (!rc)
        rc = cell_personnel(cols[3], f, err);
    if (!rc)
        rc = cell_victims(cols[5], f, err);
    if (!rc)
        rc = cell_allegation(cols[6], f, err);
    if (!rc)
        rc = cell_tri(cols[8], "Paternity established", "paternity_established", f, err);
    if (!rc)
        rc = cell_nio(cols[9], f, err);
    if (!rc)
        rc = cell_investigation(cols[10], f, err);
    if (!rc)
        rc = cell_result(cols[11], f, err);
    if (!rc) {
        json_object_set_new(f, "interim_action", joined(cols[12]));
        json_object_set_new(f, "final_action", joined(cols[13]));
        rc = cell_tri(cols[14], "Referral for criminal accountability", "referral_criminal", f,
                      err);
    }
    if (rc) {
        json_decref(f);
        return rc;
    }
    /* A paternity established "N/A" on a row without claim is the table's
     * way of saying nothing; keep the rule of the register otherwise. */
    json_object_set_new(f, "source", json_string(SOURCE_NAME));
    *out = f;
    return PKO_OK;
}

/* ==== The import ========================================================= */

/* Digest of the 15 cells (each length-prefixed) as 32 hex digits. */
static void row_key(const char *const cols[15], char out[33])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 16);
    for (int i = 0; i < 15; i++) {
        uint32_t n = (uint32_t)strlen(cols[i]);
        unsigned char len[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
                                (unsigned char)(n >> 8), (unsigned char)n};
        crypto_generichash_update(&h, len, 4);
        crypto_generichash_update(&h, (const unsigned char *)cols[i], n);
    }
    unsigned char d[16];
    crypto_generichash_final(&h, d, sizeof(d));
    sodium_bin2hex(out, 33, d, sizeof(d));
}

static void reject(json_t *list, long line, const pko_err *e)
{
    json_array_append_new(list, json_pack("{s:I, s:s, s:s}", "line", (json_int_t)line, "column",
                                          e->field[0] ? e->field : "", "message", e->msg));
}

pko_rc misconduct_import(pko_db *db, const pko_actor *actor, const char *data, size_t len,
                         int classification, misconduct_import_summary *sum, json_t **rejected,
                         pko_err *err)
{
    memset(sum, 0, sizeof(*sum));
    if (rejected)
        *rejected = NULL;
    if (classification < PKO_CLASS_CONFIDENTIAL)
        return pko_err_field(err, PKO_EINVAL, "classification",
                             "allegations are classified confidential or strictly_confidential");
    pko_csv *c = pko_csv_open_mem(data, len, PKO_CSV_UTF8);
    bool eof = false;
    pko_rc rc = pko_csv_next(c, &eof, err);
    if (!rc && eof)
        rc = pko_err_set(err, PKO_EINVAL, "the file is empty: expected the UN table of "
                                          "allegations with its header row");
    for (int i = 0; !rc && i < 15; i++) {
        char h[128];
        const char *v = pko_csv_field(c, (size_t)i);
        trim_copy(v, strlen(v), h, sizeof(h));
        if (strcasecmp(h, header[i]) != 0)
            rc = pko_err_set(err, PKO_EINVAL,
                             "column %d of the header is \"%.60s\", expected \"%s\": this is not "
                             "the UN table of allegations (docs/conduct.md)",
                             i + 1, v, header[i]);
    }
    if (rc) {
        pko_csv_close(c);
        return rc;
    }
    json_t *bad = json_array();
    json_t *seen = json_object(); /* row digest -> times seen in this file */
    char today[11];
    pko_today(today);
    pko_tx *tx = NULL;
    rc = pko_tx_begin(db, actor, &tx, err);
    if (!rc)
        rc = pko_tx_bulk(tx, "import_misconduct", "UN table of allegations", err);
    static const char q_exists[] = "SELECT 1 FROM misconduct_allegations WHERE source_key = ?1";
    while (!rc) {
        pko_err re;
        pko_err_clear(&re);
        pko_rc r = pko_csv_next(c, &eof, &re);
        if (r == PKO_ETOOBIG) {
            rc = pko_err_set(err, PKO_EINVAL, "%s", re.msg);
            break;
        }
        if (!r && eof)
            break;
        sum->rows++;
        long line = pko_csv_line(c);
        if (r) {
            sum->rejected++;
            reject(bad, line, &re);
            continue;
        }
        if (pko_csv_nfields(c) != 15) {
            pko_err_set(&re, PKO_EINVAL, "the row has %zu columns; the table has 15",
                        pko_csv_nfields(c));
            sum->rejected++;
            reject(bad, line, &re);
            continue;
        }
        const char *cols[15];
        for (size_t i = 0; i < 15; i++)
            cols[i] = pko_csv_field(c, i);
        json_t *f;
        r = misconduct_parse_row(cols, today, &f, &re);
        if (!r) {
            r = misconduct_validate(f, 1, NULL, today, &re);
            if (r)
                json_decref(f);
        }
        if (r) {
            sum->rejected++;
            reject(bad, line, &re);
            continue;
        }
        char key[72], digest[33];
        row_key(cols, digest);
        json_int_t rank = json_integer_value(json_object_get(seen, digest)) + 1;
        json_object_set_new(seen, digest, json_integer(rank));
        snprintf(key, sizeof(key), "%s#%lld", digest, (long long)rank);
        pko_stmt *s;
        int row = 0;
        rc = pko_db_prepare(db, q_exists, &s, err);
        if (!rc) {
            sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
            rc = pko_db_step(db, s, &row, err);
            sqlite3_reset(s);
        }
        if (!rc && row) {
            sum->unchanged++;
            json_decref(f);
            continue;
        }
        json_object_set_new(f, "source_key", json_string(key));
        json_object_set_new(f, "classification", json_string(pko_class_name(classification)));
        char id[PKO_ID_LEN];
        if (!rc)
            rc = pko_tx_insert(tx, &pko_entity_misconduct_allegation, f, id, err);
        json_decref(f);
        if (!rc)
            sum->inserted++;
    }
    pko_csv_close(c);
    json_decref(seen);
    if (!rc)
        rc = pko_tx_commit(tx, err);
    else
        pko_tx_rollback(tx);
    if (rc) {
        json_decref(bad);
        sum->inserted = 0;
        return rc;
    }
    if (rejected)
        *rejected = bad;
    else
        json_decref(bad);
    return PKO_OK;
}
