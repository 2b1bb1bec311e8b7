/* SPDX-License-Identifier: MIT
 *
 * Every limit on input in one place (rule: growable buffers fed by input have
 * a hard cap set at init). Values are defaults; `pko serve` flags may lower
 * or raise the body limit.
 */
#ifndef PKO_CORE_LIMITS_H
#define PKO_CORE_LIMITS_H

#define PKO_MAX_BODY_BYTES (1024 * 1024)     /* request body */
#define PKO_MAX_HEADER_BYTES (32 * 1024)     /* all request headers */
#define PKO_MAX_JSON_DEPTH 32                /* nesting of arrays/objects */
#define PKO_MAX_QUERY_PARAMS 64              /* query string pairs */
#define PKO_MAX_QUERY_BYTES 8192             /* raw query string */
#define PKO_REQUEST_TIMEOUT_SEC 30           /* idle connection / slow client */
#define PKO_REQUEST_DEADLINE_MS 10000        /* handler work incl. SQL */
#define PKO_PAGE_DEFAULT 50                  /* list page size */
#define PKO_PAGE_MAX 500                     /* list page size cap */
#define PKO_MAX_FIELD_BYTES (64 * 1024)      /* one text field */
#define PKO_SESSION_TTL_SEC (8 * 3600)       /* absolute session lifetime */
#define PKO_LOGIN_MAX_FAILURES 5             /* before throttling */
#define PKO_LOGIN_WINDOW_SEC (15 * 60)       /* failure counting window */

#endif
