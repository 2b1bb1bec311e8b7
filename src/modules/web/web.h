/* SPDX-License-Identifier: MIT
 *
 * The web module: serves the browser interface (web/ and the npm libraries
 * it uses) from arrays embedded at build time by scripts/embed_assets.py.
 * Routes: GET / (index.html) and GET /assets/{name}, both public; and the
 * administrative boundaries for the map overlay (signed-in users).
 */
#ifndef PKO_MODULES_WEB_WEB_H
#define PKO_MODULES_WEB_WEB_H

#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"

typedef struct web_asset {
    const char *name;          /* "app.js": one path segment under /assets/ */
    const char *content_type;  /* "text/javascript; charset=utf-8" */
    const char *cache_control; /* "no-cache" for ours, a day for npm libraries */
    const char *etag;          /* strong ETag, quoted */
    const unsigned char *data;
    size_t len;
} web_asset;

extern const web_asset web_assets[];
extern const size_t web_n_assets;

/* The asset called 'name', or NULL. */
const web_asset *web_asset_find(const char *name);

/* The Content-Security-Policy of every page and asset: no inline scripts or
 * styles, nothing from another origin. */
#define WEB_CSP                                                                                    \
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "              \
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

/* Administrative boundaries from PKO_BOUNDARIES_DIR (boundaries.c):
 * GET /api/v1/boundaries and GET /api/v1/boundaries/{name}. */
bool web_boundary_name_ok(const char *name);
pko_rc web_h_boundaries(pko_req *req, pko_err *err);
pko_rc web_h_boundary(pko_req *req, pko_err *err);

#endif
