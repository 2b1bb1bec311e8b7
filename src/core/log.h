/* SPDX-License-Identifier: MIT
 *
 * One line per event on stderr in logfmt ("ts=... level=info event=request
 * method=GET status=200"). Values with spaces, quotes or '=' are quoted.
 * Thread-safe: each line is written with one write(2).
 */
#ifndef PKO_CORE_LOG_H
#define PKO_CORE_LOG_H

#include "core/err.h"

typedef enum pko_log_level { PKO_LOG_DEBUG, PKO_LOG_INFO, PKO_LOG_WARN, PKO_LOG_ERROR } pko_log_level;

/* Lines below 'min' are dropped. Default: PKO_LOG_INFO. */
void pko_log_set_level(pko_log_level min);

/* Log 'event' with key/value pairs given as alternating const char * strings
 * terminated by NULL: pko_log(PKO_LOG_INFO, "listening", "addr", a, NULL). */
void pko_log(pko_log_level level, const char *event, ...) __attribute__((sentinel));

#endif
