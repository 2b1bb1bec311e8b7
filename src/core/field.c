/* SPDX-License-Identifier: MIT */
#include "core/field.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool pko_field_null(const json_t *v)
{
    return !v || json_is_null(v);
}

json_t *pko_field_merged(json_t *f, const json_t *cur, const char *name)
{
    json_t *v = json_object_get(f, name);
    if (!v && cur)
        v = json_object_get(cur, name);
    return json_is_null(v) ? NULL : v;
}

bool pko_field_in(const char *const *list, const char *v)
{
    for (size_t i = 0; v && list[i]; i++)
        if (strcmp(list[i], v) == 0)
            return true;
    return false;
}

bool pko_date_valid(const char *s, int min_year)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < min_year || m < 1 || m > 12 || d < 1)
        return false;
    return d <= mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

pko_rc pko_field_enum(json_t *f, const char *name, const char *const *list, bool required,
                      pko_err *err)
{
    json_t *v = json_object_get(f, name);
    if (pko_field_null(v)) {
        if (required && v)
            return pko_err_field(err, PKO_EINVAL, name, "%s is required", name);
        return PKO_OK;
    }
    if (json_is_string(v) && pko_field_in(list, json_string_value(v)))
        return PKO_OK;
    char allowed[512];
    size_t o = 0;
    allowed[0] = 0;
    for (size_t i = 0; list[i] && o < sizeof(allowed) - 1; i++)
        o += (size_t)snprintf(allowed + o, sizeof(allowed) - o, "%s%s", i ? ", " : "", list[i]);
    return pko_err_field(err, PKO_EINVAL, name, "%s must be one of: %s", name, allowed);
}

pko_rc pko_field_text(json_t *f, const char *name, size_t max, pko_err *err)
{
    json_t *v = json_object_get(f, name);
    if (pko_field_null(v))
        return PKO_OK;
    if (!json_is_string(v) || !*json_string_value(v) || strlen(json_string_value(v)) > max)
        return pko_err_field(err, PKO_EINVAL, name,
                             "%s must be a non-empty text of at most %zu bytes", name, max);
    return PKO_OK;
}

pko_rc pko_field_date(json_t *f, const char *name, const char *today, pko_err *err)
{
    json_t *v = json_object_get(f, name);
    if (pko_field_null(v))
        return PKO_OK;
    if (!pko_date_valid(json_string_value(v), PKO_MIN_YEAR))
        return pko_err_field(err, PKO_EINVAL, name, "%s must be a date YYYY-MM-DD", name);
    if (today && strcmp(json_string_value(v), today) > 0)
        return pko_err_field(err, PKO_EINVAL, name, "%s %s is in the future (today is %s)", name,
                             json_string_value(v), today);
    return PKO_OK;
}
