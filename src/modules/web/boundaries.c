/* SPDX-License-Identifier: MIT
 *
 * Administrative boundaries for the map: GeoJSON files (GADM extracts) in
 * the directory named by the environment variable PKO_BOUNDARIES_DIR.
 *
 * GET /api/v1/boundaries lists them ({items: [{name, bytes}]}, empty when
 * the variable is unset or the directory unreadable); GET
 * /api/v1/boundaries/{name} streams one file. A name is the file's stem and
 * must be 1 to 64 of [A-Za-z0-9_] naming a regular file NAME.geojson in that
 * directory: no dots, no slashes, so nothing outside it can be addressed.
 * Both routes need a signed-in user (any role).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "http/http.h"
#include "modules/web/web.h"

#define BOUNDARY_EXT ".geojson"

bool web_boundary_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return false;
    }
    return true;
}

static const char *boundaries_dir(void)
{
    const char *d = getenv("PKO_BOUNDARIES_DIR");
    return d && *d ? d : NULL;
}

/* Full path of boundary 'name' into 'out' when it is a regular file. */
static bool boundary_path(const char *dir, const char *name, char *out, size_t len, off_t *size)
{
    if (!dir || !web_boundary_name_ok(name))
        return false;
    int n = snprintf(out, len, "%s/%s" BOUNDARY_EXT, dir, name);
    if (n < 0 || (size_t)n >= len)
        return false;
    struct stat sb;
    if (stat(out, &sb) != 0 || !S_ISREG(sb.st_mode))
        return false;
    *size = sb.st_size;
    return true;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "name")),
                  json_string_value(json_object_get(*(json_t *const *)b, "name")));
}

pko_rc web_h_boundaries(pko_req *req, pko_err *err)
{
    (void)err;
    json_t *items = json_array();
    const char *dir = boundaries_dir();
    DIR *d = dir ? opendir(dir) : NULL;
    json_t *found[256];
    size_t n = 0;
    for (struct dirent *e; d && n < 256 && (e = readdir(d));) {
        size_t len = strlen(e->d_name), ext = strlen(BOUNDARY_EXT);
        if (len <= ext || strcmp(e->d_name + len - ext, BOUNDARY_EXT) != 0 || len - ext > 64)
            continue;
        char stem[65];
        memcpy(stem, e->d_name, len - ext);
        stem[len - ext] = '\0';
        char path[4096];
        off_t size;
        if (!boundary_path(dir, stem, path, sizeof(path), &size))
            continue;
        found[n++] = json_pack("{s:s, s:I}", "name", stem, "bytes", (json_int_t)size);
    }
    if (d)
        closedir(d);
    qsort(found, n, sizeof(found[0]), by_name);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, found[i]);
    pko_req_reply(req, 200, json_pack("{s:o}", "items", items));
    return PKO_OK;
}

static long read_file(void *ctx, char *buf, size_t max)
{
    FILE *f = ctx;
    size_t got = fread(buf, 1, max, f);
    if (got == 0)
        return ferror(f) ? -1 : 0;
    return (long)got;
}

static void close_file(void *ctx)
{
    fclose(ctx);
}

pko_rc web_h_boundary(pko_req *req, pko_err *err)
{
    const char *name = pko_req_param(req, "name");
    char path[4096];
    off_t size;
    if (!web_boundary_name_ok(name))
        return pko_err_field(err, PKO_ENOTFOUND, "name",
                             "a boundary name is 1 to 64 letters, digits or '_'");
    FILE *f = NULL;
    if (boundary_path(boundaries_dir(), name, path, sizeof(path), &size))
        f = fopen(path, "rb");
    if (!f)
        return pko_err_set(err, PKO_ENOTFOUND, "no boundary file named %.64s", name);
    pko_req_add_header(req, "Cache-Control", "private, max-age=3600");
    pko_req_reply_stream(req, 200, "application/geo+json", read_file, f, close_file);
    return PKO_OK;
}
