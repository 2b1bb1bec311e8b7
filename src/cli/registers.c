/* SPDX-License-Identifier: MIT
 *
 * `pko import fatalities FILE`: the UN fatalities dataset into the
 * fatalities register. `pko report sg-figures`: the figures of the
 * Secretary-General's report on peacekeeping performance from live data.
 * Exit codes: 0 done, 1 some rows rejected / nothing to report, 2 usage or
 * unusable input, 3 database cannot be opened.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "modules/fatalities/fatalities.h"
#include "modules/reports/reports.h"

static const pko_actor cli_actor = {"system", "cli"};

static const char fat_help[] =
    "Usage: pko import fatalities FILE [--db PATH] [--no-create-missions] [options]\n"
    "\n"
    "Import the UN dataset \"Fatalities in PKOs and SPMs since 1948\"\n"
    "(psdata.un.org, DPPADPOSS-FATALITIES; columns id, incident_date,\n"
    "casualty_id, mission_acronym, type_of_casualty, gender,\n"
    "casualty_nationality, casualty_personnel_type, type_of_incident, ...)\n"
    "into the fatalities register, in one transaction. A casualty is keyed by\n"
    "casualty_id: importing the file again updates, never duplicates. A row\n"
    "repeating a casualty_id of an earlier row is reported as a duplicate and\n"
    "skipped. Missions not in the database are created (status closed) unless\n"
    "--no-create-missions is given, in which case their rows are rejected.\n"
    "\n"
    "Options:\n"
    "  --db PATH                database file (default: $PKO_DB or ./pko.db)\n"
    "  --classification LVL     classify the records (default unclassified)\n"
    "  --no-create-missions     reject rows of unknown missions\n"
    "  --errors FILE            report of rejected and duplicate rows\n"
    "                           (default: ./NAME.errors.txt)\n"
    "\n"
    "Exit codes: 0 all rows imported (duplicates skipped), 1 some rows\n"
    "rejected, 2 unusable input, 3 database cannot be opened.\n"
    "\n"
    "Example:\n"
    "  pko import fatalities DPPADPOSS-FATALITIES.csv --db pko.db\n";

int cli_import_fatalities(int argc, char **argv)
{
    const char *db = cli_db_default(), *errors = NULL;
    fatalities_import_opts o = {.create_missions = true};
    static const struct option opts[] = {
        {"db", 1, 0, 'd'},     {"classification", 1, 0, 'c'}, {"no-create-missions", 0, 0, 'n'},
        {"errors", 1, 0, 'E'}, {"quiet", 0, 0, 'q'},          {"help", 0, 0, 'h'},
        {0, 0, 0, 0}};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'c':
            o.classification = pko_class_parse(optarg);
            if (o.classification < 0) {
                fprintf(stderr, "pko import fatalities: --classification must be unclassified, "
                                "confidential or strictly_confidential\n");
                return CLI_USAGE;
            }
            break;
        case 'n': o.create_missions = false; break;
        case 'E': errors = optarg; break;
        case 'q': break;
        default: fputs(fat_help, c == 'h' ? stdout : stderr); return c == 'h' ? 0 : CLI_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "pko import fatalities: which file?\n\n%s", fat_help);
        return CLI_USAGE;
    }
    const char *path = argv[optind];
    FILE *in = fopen(path, "rb");
    if (!in) {
        fprintf(stderr, "pko import fatalities: cannot read %s\n", path);
        return CLI_USAGE;
    }
    char errpath[4096];
    const char *base = strrchr(path, '/');
    snprintf(errpath, sizeof(errpath), "%s.errors.txt", base ? base + 1 : path);
    if (!errors)
        errors = errpath;
    o.errors = fopen(errors, "w");
    if (!o.errors) {
        fprintf(stderr, "pko import fatalities: cannot write the report %s\n", errors);
        fclose(in);
        return CLI_USAGE;
    }
    pko_store *st;
    int rc = cli_open_store(db, false, &st, NULL);
    if (rc) {
        fclose(in);
        fclose(o.errors);
        return rc;
    }
    pko_db *d = pko_store_acquire(st);
    pko_err err;
    pko_err_clear(&err);
    fatalities_import_summary sum;
    pko_rc r = fatalities_import(d, &cli_actor, in, &o, &sum, &err);
    pko_store_release(st, d);
    pko_store_close(st);
    fclose(in);
    long report_size = ftell(o.errors);
    fclose(o.errors);
    if (r) {
        fprintf(stderr, "pko import fatalities: %s: nothing was imported: %s\n", path, err.msg);
        return r == PKO_EINVAL ? CLI_USAGE : CLI_FAIL;
    }
    if (report_size == 0)
        unlink(errors);
    printf("%s: %llu rows in %.1f s: %llu inserted, %llu updated, %llu unchanged, %llu "
           "duplicates skipped, %llu rejected; %llu missions created\n",
           path, (unsigned long long)sum.rows, sum.seconds, (unsigned long long)sum.inserted,
           (unsigned long long)sum.updated, (unsigned long long)sum.unchanged,
           (unsigned long long)sum.duplicates, (unsigned long long)sum.rejected,
           (unsigned long long)sum.missions_created);
    if (report_size)
        printf("rejected and duplicate rows are listed in %s\n", errors);
    return sum.rejected ? CLI_FAIL : 0;
}

/* ==== report ================================================================= */

static const char report_help[] =
    "Usage: pko report sg-figures [--from DATE] [--to DATE] [--format FMT]\n"
    "                             [--figure LIST] [--missions LIST] [--out FILE]\n"
    "                             [--db PATH]\n"
    "\n"
    "Compute the figures of the Secretary-General's report on peacekeeping\n"
    "performance from the data in the database: I uniformed women by category\n"
    "and year, II uniformed fatalities from malicious acts with the share\n"
    "caused by explosive ordnance or IEDs, III investigation and prosecution\n"
    "of crimes against peacekeepers (cumulative), IV allegations of misconduct\n"
    "by year reported. Each figure states its definition and data source.\n"
    "\n"
    "Options:\n"
    "  --from DATE      first day of the period, YYYY-MM-DD (default 1948-01-01)\n"
    "  --to DATE        last day, YYYY-MM-DD, not in the future (default today)\n"
    "  --format FMT     svg (default), png, pdf, csv or json\n"
    "  --figure LIST    all (default) or a list such as II,III\n"
    "  --missions LIST  only these missions, e.g. MINUSCA,MONUSCO (figures II\n"
    "                   and III; I and IV are world-wide)\n"
    "  --out FILE       write there instead of standard output\n"
    "  --db PATH        database file (default: $PKO_DB or ./pko.db)\n"
    "\n"
    "Exit codes: 0 written, 1 no selected figure has data in the period\n"
    "(nothing written), 2 usage error, 3 database cannot be opened.\n"
    "\n"
    "Example:\n"
    "  pko report sg-figures --from 2017-01-01 --to 2023-12-31 --format pdf --out sg.pdf\n";

int cli_report(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(report_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : 0;
    }
    if (strcmp(argv[1], "sg-figures") != 0) {
        fprintf(stderr, "pko report: unknown report %s (sg-figures)\n\n%s", argv[1], report_help);
        return CLI_USAGE;
    }
    char today[11];
    fatalities_today(today);
    const char *db = cli_db_default(), *from = "1948-01-01", *to = today, *format = "svg",
               *outp = NULL, *figs = "all", *missions = NULL;
    static const struct option opts[] = {
        {"db", 1, 0, 'd'},       {"from", 1, 0, 'f'},   {"to", 1, 0, 't'},
        {"format", 1, 0, 'F'},   {"figure", 1, 0, 'g'}, {"out", 1, 0, 'o'},
        {"missions", 1, 0, 'm'}, {"help", 0, 0, 'h'},   {0, 0, 0, 0}};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'f': from = optarg; break;
        case 't': to = optarg; break;
        case 'F': format = optarg; break;
        case 'g': figs = optarg; break;
        case 'o': outp = optarg; break;
        case 'm': missions = optarg; break;
        default: fputs(report_help, c == 'h' ? stdout : stderr); return c == 'h' ? 0 : CLI_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "pko report sg-figures: unexpected argument %s\n", argv[optind]);
        return CLI_USAGE;
    }
    pko_err err;
    pko_err_clear(&err);
    if (reports_check_period(from, to, today, &err)) {
        fprintf(stderr, "pko report sg-figures: --%s: %s\n", err.field, err.msg);
        return CLI_USAGE;
    }
    unsigned which = reports_parse_figures(figs);
    if (!which) {
        fprintf(stderr,
                "pko report sg-figures: --figure must be all or a list of I, II, III, IV\n");
        return CLI_USAGE;
    }
    bool json = strcmp(format, "json") == 0;
    if (!json && strcmp(format, "svg") && strcmp(format, "png") && strcmp(format, "pdf") &&
        strcmp(format, "csv")) {
        fprintf(stderr, "pko report sg-figures: --format must be svg, png, pdf, csv or json\n");
        return CLI_USAGE;
    }
    pko_scope everything = {PKO_CLASS_STRICTLY_CONFIDENTIAL, true, "[]"}, scope = everything;
    char *narrowed = NULL;
    if (missions && reports_narrow_scope(&everything, missions, &scope, &narrowed, &err)) {
        fprintf(stderr, "pko report sg-figures: --missions: %s\n", err.msg);
        return CLI_USAGE;
    }
    pko_store *st;
    int rc = cli_open_store(db, false, &st, NULL);
    if (rc) {
        free(narrowed);
        return rc;
    }
    pko_db *d = pko_store_acquire(st);
    json_t *res = NULL;
    pko_rc r = reports_sg_figures(d, &scope, from, to, which, &res, &err);
    free(narrowed);
    pko_store_release(st, d);
    pko_store_close(st);
    if (r) {
        fprintf(stderr, "pko report sg-figures: %s\n", err.msg);
        return CLI_FAIL;
    }
    if (json_is_true(json_object_get(res, "empty"))) {
        fprintf(stderr,
                "pko report sg-figures: no selected figure has data between %s and %s: nothing "
                "written\n",
                from, to);
        json_decref(res);
        return CLI_FAIL;
    }
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(res, "figures"), i, f)
    {
        if (json_is_true(json_object_get(f, "empty")))
            fprintf(stderr, "figure %s: %s\n", json_string_value(json_object_get(f, "id")),
                    json_string_value(json_object_get(f, "note")));
    }
    pko_buf b;
    pko_buf_init(&b, 256u * 1024 * 1024);
    const char *ctype;
    if (json) {
        char *s = json_dumps(res, JSON_INDENT(2));
        r = pko_buf_puts(&b, s);
        free(s);
        if (!r)
            r = pko_buf_puts(&b, "\n");
    } else {
        r = reports_render(res, format, &b, &ctype, &err);
        reports_shutdown();
    }
    json_decref(res);
    if (r) {
        fprintf(stderr, "pko report sg-figures: %s\n", err.msg);
        pko_buf_free(&b);
        return CLI_FAIL;
    }
    FILE *o = outp ? fopen(outp, "wb") : stdout;
    if (!o) {
        fprintf(stderr, "pko report sg-figures: cannot write %s\n", outp);
        pko_buf_free(&b);
        return CLI_FAIL;
    }
    bool ok = fwrite(b.data ? b.data : "", 1, b.len, o) == b.len;
    ok = (outp ? fclose(o) : fflush(o)) == 0 && ok;
    pko_buf_free(&b);
    if (!ok) {
        fprintf(stderr, "pko report sg-figures: write failed\n");
        if (outp)
            unlink(outp);
        return CLI_FAIL;
    }
    if (outp)
        fprintf(stderr, "wrote %s\n", outp);
    return 0;
}
