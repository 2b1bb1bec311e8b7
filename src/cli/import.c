/* SPDX-License-Identifier: MIT
 *
 * `pko import ucdp|acled|csv FILE`: stream a dataset into the incidents
 * module. Exit codes: 0 every row imported, 1 some rows rejected (and
 * reported), 2 unusable input or usage, 3 database cannot be opened.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "modules/incidents/incidents.h"
#include "modules/misconduct/misconduct.h"

static int cli_import_misconduct(int argc, char **argv);

static const char import_help[] =
    "Usage: pko import ucdp FILE  [--mission ACR] [options]\n"
    "       pko import acled FILE [--mission ACR] [--encoding cp1252] [options]\n"
    "       pko import csv FILE --map MAPPING.json [--mission ACR] [options]\n"
    "       pko import misconduct FILE [--classification LVL] [--db PATH]\n"
    "       pko import fatalities FILE [options]  (pko import fatalities --help)\n"
    "\n"
    "Import incidents from a UCDP GED CSV, an ACLED CSV (current or pre-2019\n"
    "column names) or any CSV described by a mapping file (docs/incidents.md).\n"
    "The file is streamed and imported in one transaction: nothing is visible\n"
    "until every accepted row is committed. Rows already imported (same source\n"
    "id) are updated, never duplicated. Rejected rows are listed, with line and\n"
    "reason, in the error report; the import goes on without them.\n"
    "\n"
    "Options:\n"
    "  --db PATH              database file (default: $PKO_DB or ./pko.db)\n"
    "  --mission ACR          attach the events to this mission (its acronym)\n"
    "  --classification LVL   classify the events (default unclassified)\n"
    "  --encoding ENC         utf-8 (default) or cp1252\n"
    "  --map FILE             column mapping for `csv`\n"
    "  --errors FILE          where to write rejected rows (default: ./NAME.errors.txt)\n"
    "  --quiet                no progress bar\n"
    "\n"
    "Exit codes: 0 all rows imported, 1 some rows rejected, 2 unusable input,\n"
    "3 database cannot be opened.\n"
    "\n"
    "Example:\n"
    "  pko import ucdp ged231.csv --mission MINUSCA --db pko.db\n";

int cli_import(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(import_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : 0;
    }
    incidents_import_opts o = {0};
    const char *kind = argv[1];
    if (strcmp(kind, "misconduct") == 0)
        return cli_import_misconduct(argc, argv);
    if (strcmp(kind, "fatalities") == 0)
        return cli_import_fatalities(argc, argv);
    if (strcmp(kind, "ucdp") == 0)
        o.format = INC_IMPORT_UCDP;
    else if (strcmp(kind, "acled") == 0)
        o.format = INC_IMPORT_ACLED;
    else if (strcmp(kind, "csv") == 0)
        o.format = INC_IMPORT_CSV;
    else {
        fprintf(stderr, "pko import: unknown format %s (ucdp, acled or csv)\n\n%s", kind,
                import_help);
        return CLI_USAGE;
    }
    const char *db = cli_db_default(), *map = NULL, *errors = NULL;
    bool quiet = false;
    static const struct option opts[] = {{"db", 1, 0, 'd'},       {"mission", 1, 0, 'm'},
                                         {"classification", 1, 0, 'c'},
                                         {"encoding", 1, 0, 'e'}, {"map", 1, 0, 'M'},
                                         {"errors", 1, 0, 'E'},   {"quiet", 0, 0, 'q'},
                                         {"help", 0, 0, 'h'},     {0, 0, 0, 0}};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'm': o.mission = optarg; break;
        case 'c':
            o.classification = pko_class_parse(optarg);
            if (o.classification < 0) {
                fprintf(stderr, "pko import: --classification must be unclassified, confidential "
                                "or strictly_confidential\n");
                return CLI_USAGE;
            }
            break;
        case 'e':
            if (strcmp(optarg, "cp1252") == 0 || strcmp(optarg, "windows-1252") == 0)
                o.cp1252 = true;
            else if (strcmp(optarg, "utf-8") != 0 && strcmp(optarg, "utf8") != 0) {
                fprintf(stderr, "pko import: --encoding must be utf-8 or cp1252\n");
                return CLI_USAGE;
            }
            break;
        case 'M': map = optarg; break;
        case 'E': errors = optarg; break;
        case 'q': quiet = true; break;
        default: fputs(import_help, c == 'h' ? stdout : stderr); return c == 'h' ? 0 : CLI_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "pko import %s: which file?\n", kind);
        return CLI_USAGE;
    }
    const char *path = argv[optind];
    if (o.format == INC_IMPORT_CSV && !map) {
        fprintf(stderr, "pko import csv: give the column mapping with --map FILE\n");
        return CLI_USAGE;
    }
    if (map) {
        json_error_t je;
        o.mapping = json_load_file(map, JSON_REJECT_DUPLICATES, &je);
        if (!o.mapping) {
            fprintf(stderr, "pko import: %s line %d: %s\n", map, je.line, je.text);
            return CLI_USAGE;
        }
    }
    FILE *in = fopen(path, "rb");
    if (!in) {
        fprintf(stderr, "pko import: cannot read %s\n", path);
        json_decref(o.mapping);
        return CLI_USAGE;
    }
    struct stat sb;
    if (fstat(fileno(in), &sb) == 0)
        o.total_bytes = (size_t)sb.st_size;
    /* Default report: next to where we run, never beside the input (which
     * may be read-only shared data). */
    char errpath[4096];
    const char *base = strrchr(path, '/');
    snprintf(errpath, sizeof(errpath), "%s.errors.txt", base ? base + 1 : path);
    if (!errors)
        errors = errpath;
    o.errors = fopen(errors, "w");
    if (!o.errors) {
        fprintf(stderr, "pko import: cannot write the error report %s\n", errors);
        fclose(in);
        json_decref(o.mapping);
        return CLI_USAGE;
    }
    o.progress = !quiet && isatty(STDERR_FILENO);

    pko_store *st;
    int rc = cli_open_store(db, false, &st, NULL);
    if (rc) {
        fclose(in);
        fclose(o.errors);
        json_decref(o.mapping);
        return rc;
    }
    pko_db *d = pko_store_acquire(st);
    pko_err err;
    pko_err_clear(&err);
    incidents_import_summary sum;
    static const pko_actor cli_actor = {"system", "cli"};
    pko_rc r = incidents_import(d, &cli_actor, in, &o, &sum, &err);
    pko_store_release(st, d);
    pko_store_close(st);
    fclose(in);
    long report_size = ftell(o.errors);
    fclose(o.errors);
    json_decref(o.mapping);
    if (r) {
        fprintf(stderr, "pko import: %s: nothing was imported: %s\n", path, err.msg);
        return r == PKO_EINVAL ? CLI_USAGE : CLI_FAIL;
    }
    if (report_size == 0)
        unlink(errors);
    printf("%s: %llu rows in %.1f s (%.0f rows/s): %llu inserted, %llu updated, %llu unchanged, "
           "%llu rejected; %llu new actors\n",
           path, (unsigned long long)sum.rows, sum.seconds,
           sum.seconds > 0 ? (double)sum.rows / sum.seconds : 0.0,
           (unsigned long long)sum.inserted, (unsigned long long)sum.updated,
           (unsigned long long)sum.unchanged, (unsigned long long)sum.rejected,
           (unsigned long long)sum.actors_created);
    if (sum.rejected) {
        printf("rejected rows are listed in %s\n", errors);
        return CLI_FAIL;
    }
    return 0;
}

/* ==== pko import misconduct ================================================ */

static const char misconduct_help[] =
    "Usage: pko import misconduct FILE [--classification LVL] [--db PATH] [--errors FILE]\n"
    "\n"
    "Import the UN table of allegations of sexual exploitation and abuse\n"
    "(conduct.unmissions.org, CSV with its 15-column header) into the restricted\n"
    "misconduct register, in one transaction. Rows already imported are left\n"
    "unchanged; unusable rows are rejected whole and listed (line, column,\n"
    "reason) in the error report. See docs/conduct.md.\n"
    "\n"
    "Options:\n"
    "  --classification LVL   confidential or strictly_confidential (default)\n"
    "  --db PATH              database file (default: $PKO_DB or ./pko.db)\n"
    "  --errors FILE          where to write rejected rows (default: ./NAME.errors.txt)\n"
    "\n"
    "Exit codes: 0 all rows imported, 1 some rows rejected, 2 unusable input,\n"
    "3 database cannot be opened.\n";

static int cli_import_misconduct(int argc, char **argv)
{
    const char *db = cli_db_default(), *errors = NULL;
    int cls = PKO_CLASS_STRICTLY_CONFIDENTIAL;
    static const struct option opts[] = {{"db", 1, 0, 'd'},
                                         {"classification", 1, 0, 'c'},
                                         {"errors", 1, 0, 'E'},
                                         {"help", 0, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'E': errors = optarg; break;
        case 'c':
            cls = pko_class_parse(optarg);
            if (cls < PKO_CLASS_CONFIDENTIAL) {
                fprintf(stderr, "pko import misconduct: --classification must be confidential "
                                "or strictly_confidential\n");
                return CLI_USAGE;
            }
            break;
        default:
            fputs(misconduct_help, c == 'h' ? stdout : stderr);
            return c == 'h' ? 0 : CLI_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "pko import misconduct: which file?\n\n%s", misconduct_help);
        return CLI_USAGE;
    }
    const char *path = argv[optind];
    FILE *in = fopen(path, "rb");
    if (!in) {
        fprintf(stderr, "pko import misconduct: cannot read %s\n", path);
        return CLI_USAGE;
    }
    char *data = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 1 << 20;
            if (cap > (256u << 20)) {
                fprintf(stderr, "pko import misconduct: %s is over 256 MB\n", path);
                free(data);
                fclose(in);
                return CLI_USAGE;
            }
            char *nd = realloc(data, cap);
            if (!nd) {
                free(data);
                fclose(in);
                return CLI_FAIL;
            }
            data = nd;
        }
        size_t got = fread(data + len, 1, cap - len, in);
        len += got;
        if (got == 0)
            break;
    }
    bool read_err = ferror(in);
    fclose(in);
    if (read_err) {
        fprintf(stderr, "pko import misconduct: error reading %s\n", path);
        free(data);
        return CLI_USAGE;
    }
    pko_store *st;
    int rc = cli_open_store(db, false, &st, NULL);
    if (rc) {
        free(data);
        return rc;
    }
    pko_db *d = pko_store_acquire(st);
    pko_err err;
    pko_err_clear(&err);
    misconduct_import_summary sum;
    json_t *rejected = NULL;
    static const pko_actor cli_actor = {"system", "cli"};
    pko_rc r = misconduct_import(d, &cli_actor, data, len, cls, &sum, &rejected, &err);
    pko_store_release(st, d);
    pko_store_close(st);
    free(data);
    if (r) {
        fprintf(stderr, "pko import misconduct: %s: nothing was imported: %s\n", path, err.msg);
        return r == PKO_EINVAL ? CLI_USAGE : CLI_FAIL;
    }
    printf("%s: %llu rows: %llu inserted, %llu unchanged, %llu rejected\n", path,
           (unsigned long long)sum.rows, (unsigned long long)sum.inserted,
           (unsigned long long)sum.unchanged, (unsigned long long)sum.rejected);
    if (sum.rejected) {
        char errpath[4096];
        const char *base = strrchr(path, '/');
        snprintf(errpath, sizeof(errpath), "%s.errors.txt", base ? base + 1 : path);
        if (!errors)
            errors = errpath;
        FILE *ef = fopen(errors, "w");
        size_t i;
        json_t *e;
        json_array_foreach(rejected, i, e)
        {
            fprintf(ef ? ef : stderr, "line %lld: %s: %s\n",
                    (long long)json_integer_value(json_object_get(e, "line")),
                    json_string_value(json_object_get(e, "column")),
                    json_string_value(json_object_get(e, "message")));
        }
        if (ef) {
            fclose(ef);
            printf("rejected rows are listed in %s\n", errors);
        }
    }
    json_decref(rejected);
    return sum.rejected ? CLI_FAIL : 0;
}
