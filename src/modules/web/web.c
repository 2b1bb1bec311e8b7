/* SPDX-License-Identifier: MIT
 *
 * The web module: the browser interface, embedded in the binary.
 *
 * GET / answers index.html; GET /assets/{name} one embedded file, with its
 * Content-Type, a Cache-Control suited to it (our files revalidate, the npm
 * libraries keep a day), a strong ETag (If-None-Match -> 304) and the
 * interface's Content-Security-Policy. Unknown names are 404 in the one
 * error shape. Both routes are public: the page logs in through the API.
 * GET / serves the page to clients that accept HTML (browsers, curl); a bare
 * API client without an Accept header keeps the API's 404 there.
 */
#include "modules/web/web.h"

#include <string.h>

#include "http/http.h"

const web_asset *web_asset_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < web_n_assets; i++)
        if (strcmp(web_assets[i].name, name) == 0)
            return &web_assets[i];
    return NULL;
}

/* Does an If-None-Match list ("a", "b" or *) name 'etag'? */
static int etag_matches(const char *inm, const char *etag)
{
    if (!inm)
        return 0;
    if (strcmp(inm, "*") == 0)
        return 1;
    size_t n = strlen(etag);
    for (const char *p = strstr(inm, etag); p; p = strstr(p + 1, etag)) {
        char after = p[n];
        if (after == '\0' || after == ',' || after == ' ')
            return 1;
    }
    return 0;
}

static pko_rc serve(pko_req *req, const web_asset *a)
{
    pko_req_add_header(req, "Content-Security-Policy", WEB_CSP);
    pko_req_add_header(req, "Cache-Control", a->cache_control);
    pko_req_add_header(req, "ETag", a->etag);
    if (etag_matches(pko_req_header(req, "If-None-Match"), a->etag)) {
        pko_req_reply_raw(req, 304, a->content_type, "", 0);
        return PKO_OK;
    }
    pko_req_reply_raw(req, 200, a->content_type, (const char *)a->data, a->len);
    return PKO_OK;
}

static pko_rc h_index(pko_req *req, pko_err *err)
{
    const web_asset *a = web_asset_find("index.html");
    if (!a)
        return pko_err_set(err, PKO_ENOTFOUND, "the web interface is not built in");
    return serve(req, a);
}

static pko_rc h_asset(pko_req *req, pko_err *err)
{
    const char *name = pko_req_param(req, "name");
    const web_asset *a = web_asset_find(name);
    if (!a)
        return pko_err_set(err, PKO_ENOTFOUND, "no asset named %.64s", name ? name : "");
    return serve(req, a);
}

static const pko_route web_routes[] = {
    {"GET", "/", h_index, NULL, PKO_ROUTE_PUBLIC, 0},
    {"GET", "/assets/{name}", h_asset, NULL, PKO_ROUTE_PUBLIC, 0},
    {"GET", "/api/v1/boundaries", web_h_boundaries, NULL, 0, 0},
    {"GET", "/api/v1/boundaries/{name}", web_h_boundary, NULL, 0, 0},
};

const pko_module pko_module_web = {
    .name = "web",
    .summary = "the browser interface (map, incident workflow, dashboards), embedded",
    .routes = web_routes,
    .n_routes = sizeof(web_routes) / sizeof(web_routes[0]),
};
