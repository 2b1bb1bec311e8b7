/* SPDX-License-Identifier: MIT
 *
 * The design catalogue: data/catalogue/<name>.json embedded by
 * scripts/embed_catalogue.py (which checks the invariants at build time:
 * 30 models, 6 modalities, 21 components, every entry with its source),
 * parsed once on first use and then only read.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/design/design.h"

extern const char *const design_catalogue_names[];
extern const char *const design_catalogue_texts[];
extern const size_t design_catalogue_count;

#define CAT_MAX 16
static json_t *cat_docs[CAT_MAX];
static pthread_once_t cat_once = PTHREAD_ONCE_INIT;

static void cat_load(void)
{
    for (size_t i = 0; i < design_catalogue_count && i < CAT_MAX; i++) {
        json_error_t e;
        cat_docs[i] = json_loads(design_catalogue_texts[i], 0, &e);
        if (!cat_docs[i]) {
            /* The build checked these strings; a failure here is a bug. */
            fprintf(stderr, "design: embedded catalogue %s does not parse: %s\n",
                    design_catalogue_names[i], e.text);
            abort();
        }
    }
}

const json_t *design_catalogue(const char *name)
{
    pthread_once(&cat_once, cat_load);
    for (size_t i = 0; name && i < design_catalogue_count && i < CAT_MAX; i++)
        if (strcmp(design_catalogue_names[i], name) == 0)
            return cat_docs[i];
    return NULL;
}

const json_t *design_catalogue_list(const char *name, const char *key)
{
    return json_object_get(design_catalogue(name), key);
}

static const json_t *find_by(const char *file, const char *list, const char *key,
                             const char *sval, json_int_t ival)
{
    const json_t *arr = design_catalogue_list(file, list);
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
    {
        json_t *v = json_object_get(x, key);
        if (sval ? (json_is_string(v) && strcmp(json_string_value(v), sval) == 0)
                 : (json_is_integer(v) && json_integer_value(v) == ival))
            return x;
    }
    return NULL;
}

const json_t *design_model(int id)
{
    return find_by("models", "models", "id", NULL, id);
}

const json_t *design_capability(const char *code)
{
    return code ? find_by("capabilities", "capabilities", "code", code, 0) : NULL;
}

const json_t *design_component(int id)
{
    return find_by("mandate_components", "components", "id", NULL, id);
}

const json_t *design_modality(const char *id)
{
    return id ? find_by("modalities", "modalities", "id", id, 0) : NULL;
}

const json_t *design_signal(const char *code)
{
    return code ? find_by("signals", "signals", "code", code, 0) : NULL;
}

const json_t *design_rule(const char *id)
{
    return id ? find_by("mandate_rules", "rules", "id", id, 0) : NULL;
}

void design_cite(const json_t *source, char *out, size_t cap)
{
    const char *file = json_string_value(json_object_get(source, "file"));
    json_int_t line = json_integer_value(json_object_get(source, "line"));
    json_int_t end = json_integer_value(json_object_get(source, "end_line"));
    if (!file)
        snprintf(out, cap, "(no source)");
    else if (end > line)
        snprintf(out, cap, "%s:%lld-%lld", file, (long long)line, (long long)end);
    else
        snprintf(out, cap, "%s:%lld", file, (long long)line);
}
