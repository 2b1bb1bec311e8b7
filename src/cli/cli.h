/* SPDX-License-Identifier: MIT
 * Helpers shared by the `pko` subcommands (src/cli). */
#ifndef PKO_CLI_H
#define PKO_CLI_H

#include "http/http.h"

#define CLI_FAIL 1
#define CLI_USAGE 2
#define CLI_DB 3

/* --db default: $PKO_DB or ./pko.db */
const char *cli_db_default(void);
/* Open the store, register entities, apply migrations; prints the error and
 * returns CLI_DB on failure. */
int cli_open_store(const char *path, bool create, pko_store **st, int *applied);
/* `pko import ...` */
int cli_import(int argc, char **argv);
/* `pko import fatalities ...` (registers.c) */
int cli_import_fatalities(int argc, char **argv);
/* `pko report sg-figures ...` (registers.c) */
int cli_report(int argc, char **argv);

#endif
