/* SPDX-License-Identifier: MIT
 *
 * Scoring a pledge against a statement of unit requirement. The score is a
 * weighted sum of five components, each in [0, 1], returned with the
 * reasons that produced it so that a force generation officer can see why
 * one pledge ranks above another:
 *
 *   time        0.30  earliest deployment (max(today, available_from) + the
 *                     level's days to deploy) against required_by: 1 when
 *                     on time, falling linearly to 0 at 180 days late
 *   capability  0.25  share of required capabilities the unit type's tags
 *                     and the pledge's own capabilities cover (1 when none)
 *   language    0.15  1 when the pledge lists the requirement's language
 *   gender      0.15  share of women against the requirement's target,
 *                     capped at 1 (1 when there is no target)
 *   caveats     0.10  1 without caveats, minus 0.25 per caveat
 *   diversity   0.05  1 / (1 + units the pledge's country already deploys
 *                     to the requirement's mission), so that a mission
 *                     draws on more contributors
 *
 * A pledge of another unit type is not a candidate. A pledge that is
 * withdrawn or deployed, or whose availability ends before required_by, is
 * scored but marked not eligible.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "modules/pcrs/pcrs.h"

const char *const pcrs_levels[] = {"registered", "level_1",          "level_2",
                                   "level_3",    "rapid_deployment", NULL};

int pcrs_level_index(const char *level)
{
    for (int i = 0; level && pcrs_levels[i]; i++)
        if (strcmp(pcrs_levels[i], level) == 0)
            return i;
    return -1;
}

int pcrs_level_days(int i)
{
    /* Rapid Deployment Level: within 60 days of a request; Level 3 units
     * are ready and assessed (90); lower levels need more preparation. */
    static const int days[] = {180, 150, 120, 90, 60};
    return i >= 0 && i < 5 ? days[i] : 180;
}

long pcrs_day_number(const char *s)
{
    if (!s || strlen(s) != 10)
        return -1;
    /* The common case, digits in place: days from the civil date
     * (H. Hinnant's algorithm), as timegm would count them. */
    bool plain = s[4] == '-' && s[7] == '-';
    for (int i = 0; plain && i < 10; i++)
        plain = i == 4 || i == 7 || (s[i] >= '0' && s[i] <= '9');
    if (plain) {
        long y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        long m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
        if (m >= 1 && m <= 12) {
            y -= m <= 2;
            long era = (y >= 0 ? y : y - 399) / 400;
            long yoe = y - era * 400;
            long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
            long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
            return era * 146097 + doe - 719468;
        }
    }
    int y, m, d;
    if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return -1;
    struct tm t = {0};
    t.tm_year = y - 1900;
    t.tm_mon = m - 1;
    t.tm_mday = d;
    t.tm_hour = 12;
    time_t tt = timegm(&t);
    return (long)(tt / 86400);
}

void pcrs_format_day(long days, char out[11])
{
    time_t tt = (time_t)days * 86400 + 43200;
    struct tm t;
    gmtime_r(&tt, &t);
    strftime(out, 11, "%Y-%m-%d", &t);
}

static bool array_has(json_t *a, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) if (json_is_string(v) &&
                                    strcmp(json_string_value(v), s) == 0) return true;
    return false;
}

json_t *pcrs_score(json_t *r, json_t *p, const char *today, json_t *contributors)
{
    const char *rtype = json_string_value(json_object_get(r, "unit_type"));
    const char *ptype = json_string_value(json_object_get(p, "unit_type"));
    if (!rtype || !ptype || strcmp(rtype, ptype) != 0)
        return NULL;
    const pcrs_unit_type *ut = pcrs_unit_type_find(ptype);
    json_t *reasons = json_array();
    bool eligible = true;
    const char *status = json_string_value(json_object_get(p, "status"));
    if (status && strcmp(status, "available") != 0) {
        eligible = false;
        json_array_append_new(reasons, json_sprintf("pledge is %s", status));
    }

    /* time */
    int li = pcrs_level_index(json_string_value(json_object_get(p, "level")));
    long now = pcrs_day_number(today);
    long from = pcrs_day_number(json_string_value(json_object_get(p, "available_from")));
    long start = from > now ? from : now;
    long earliest = start + pcrs_level_days(li);
    long by = pcrs_day_number(json_string_value(json_object_get(r, "required_by")));
    double s_time = 1;
    if (by >= 0 && earliest > by) {
        long late = earliest - by;
        s_time = late >= 180 ? 0 : 1.0 - (double)late / 180.0;
        json_array_append_new(reasons, json_sprintf("deploys %ld days after required_by", late));
    }
    long until = pcrs_day_number(json_string_value(json_object_get(p, "available_until")));
    if (until >= 0 && by >= 0 && until < by) {
        eligible = false;
        json_array_append_new(reasons, json_string("availability ends before required_by"));
    }
    char earliest_s[11];
    pcrs_format_day(earliest, earliest_s);

    /* capability */
    json_t *req_caps = json_object_get(r, "required_capabilities");
    json_t *own_caps = json_object_get(p, "capabilities");
    size_t n_req = json_array_size(req_caps), n_have = 0;
    size_t i;
    json_t *c;
    json_array_foreach(req_caps, i, c)
    {
        const char *cap = json_string_value(c);
        if (cap && (pcrs_unit_type_has(ut, cap) || array_has(own_caps, cap)))
            n_have++;
        else if (cap)
            json_array_append_new(reasons, json_sprintf("lacks capability %s", cap));
    }
    double s_cap = n_req ? (double)n_have / (double)n_req : 1;

    /* language */
    const char *lang = json_string_value(json_object_get(r, "language"));
    double s_lang = 1;
    if (lang && !array_has(json_object_get(p, "languages"), lang)) {
        s_lang = 0;
        json_array_append_new(reasons, json_sprintf("does not list language %s", lang));
    }

    /* gender */
    json_t *tv = json_object_get(r, "women_target");
    double target = json_is_number(tv) ? json_number_value(tv) : 0;
    json_t *wv = json_object_get(p, "women_share");
    double share = json_is_number(wv) ? json_number_value(wv) : 0;
    double s_gender = 1;
    if (target > 0 && share < target) {
        s_gender = share / target;
        json_array_append_new(reasons,
                              json_sprintf("share of women %.2f below target %.2f", share, target));
    }

    /* caveats */
    size_t n_cav = json_array_size(json_object_get(p, "caveats"));
    double s_cav = 1.0 - 0.25 * (double)n_cav;
    if (s_cav < 0)
        s_cav = 0;
    if (n_cav)
        json_array_append_new(reasons, json_sprintf("%zu national caveat(s)", n_cav));

    /* diversity */
    const char *country = json_string_value(json_object_get(p, "country"));
    json_int_t already = country ? json_integer_value(json_object_get(contributors, country)) : 0;
    double s_div = 1.0 / (1.0 + (double)(already > 0 ? already : 0));
    if (already > 0)
        json_array_append_new(reasons,
                              json_sprintf("%s already deploys %lld unit(s) to this mission",
                                           country, (long long)already));

    double total = 0.30 * s_time + 0.25 * s_cap + 0.15 * s_lang + 0.15 * s_gender + 0.10 * s_cav +
                   0.05 * s_div;
    return json_pack("{s:f, s:b, s:s, s:i, s:{s:f, s:f, s:f, s:f, s:f, s:f}, s:o}", "total", total,
                     "eligible", eligible, "earliest_deployment", earliest_s, "days_to_deploy",
                     pcrs_level_days(li), "components", "time", s_time, "capability", s_cap,
                     "language", s_lang, "gender", s_gender, "caveats", s_cav, "diversity", s_div,
                     "reasons", reasons);
}
