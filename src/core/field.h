/* SPDX-License-Identifier: MIT */
/*
 * Checks of one field of a JSON request body, shared by the modules'
 * validators. Each names the field in the error (pko_err_field) and takes an
 * absent or null field as "not given": whether a field is required is the
 * caller's rule, except for pko_field_enum's 'required', which refuses an
 * explicit null.
 */
#ifndef PKO_CORE_FIELD_H
#define PKO_CORE_FIELD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* Dates before this year are taken for typing errors (the UN's first
 * peacekeeping operation is of 1948). */
#define PKO_MIN_YEAR 1945

/* Absent or JSON null. */
bool pko_field_null(const json_t *v);

/* For an update: field 'name' of the new fields 'f' when given, else of the
 * current record 'cur' (may be NULL); NULL when that value is JSON null. */
json_t *pko_field_merged(json_t *f, const json_t *cur, const char *name);

/* 'v' is one of the NULL-terminated 'list' (false for NULL). */
bool pko_field_in(const char *const *list, const char *v);

/* 's' is a calendar date YYYY-MM-DD of year 'min_year' or later. */
bool pko_date_valid(const char *s, int min_year);

/* Field 'name' of 'f', when given, is one of 'list' ("name must be one of:
 * a, b, c"); with 'required', an explicit null is refused too. */
PKO_MUST_USE pko_rc pko_field_enum(json_t *f, const char *name, const char *const *list,
                                   bool required, pko_err *err);

/* Field 'name', when given, is a non-empty text of at most 'max' bytes. */
PKO_MUST_USE pko_rc pko_field_text(json_t *f, const char *name, size_t max, pko_err *err);

/* Field 'name', when given, is a date YYYY-MM-DD from PKO_MIN_YEAR, not after
 * 'today' (YYYY-MM-DD; NULL: no upper bound). */
PKO_MUST_USE pko_rc pko_field_date(json_t *f, const char *name, const char *today, pko_err *err);

#endif
