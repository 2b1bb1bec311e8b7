/* SPDX-License-Identifier: MIT
 *
 * The `pko` command line: init, serve, user, check, backup, version, routes.
 *
 * Exit codes (docs/cli.md): 0 success; 1 the operation failed or a check
 * found a problem; 2 usage error; 3 the database could not be opened.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "modules/reports/reports.h"
#include "core/log.h"
#include "http/http.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define EXIT_DB 3

static const pko_actor cli_actor = {"system", "cli"};

const char *cli_db_default(void)
{
    const char *e = getenv("PKO_DB");
    return e && *e ? e : "pko.db";
}

static int fail(const pko_err *err, int code)
{
    fprintf(stderr, "pko: %s\n", err->msg[0] ? err->msg : pko_rc_name(err->code));
    return code;
}

/* Open the store at 'path', register entities and apply migrations. */
int cli_open_store(const char *path, bool create, pko_store **st, int *applied)
{
    pko_err err;
    pko_err_clear(&err);
    pko_store_opts o = {.create = create};
    if (pko_store_open(path, &o, st, &err))
        return fail(&err, EXIT_DB);
    int n = 0;
    if (pko_modules_setup(*st, &n, &err)) {
        pko_store_close(*st);
        *st = NULL;
        return fail(&err, EXIT_DB);
    }
    if (applied)
        *applied = n;
    return 0;
}

/* ==== init =============================================================== */

static const char init_help[] =
    "Usage: pko init [--db PATH]\n"
    "\n"
    "Create a PKO database (or bring an existing one up to date) and print its\n"
    "node id. Safe to run twice.\n"
    "\n"
    "Options:\n"
    "  --db PATH   database file (default: $PKO_DB or ./pko.db)\n"
    "\n"
    "Example:\n"
    "  pko init --db /var/lib/pko/pko.db\n";

static int cmd_init(int argc, char **argv)
{
    const char *db = cli_db_default();
    static const struct option opts[] = {{"db", 1, 0, 'd'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'd')
            db = optarg;
        else {
            fputs(init_help, c == 'h' ? stdout : stderr);
            return c == 'h' ? 0 : EXIT_USAGE;
        }
    }
    pko_store *st;
    int applied;
    int rc = cli_open_store(db, true, &st, &applied);
    if (rc)
        return rc;
    printf("database %s ready (node %s, %d migration%s applied)\n", db, pko_store_node_id(st),
           applied, applied == 1 ? "" : "s");
    pko_store_close(st);
    return 0;
}

/* ==== serve ============================================================== */

static const char serve_help[] =
    "Usage: pko serve [--db PATH] [--listen ADDR:PORT] [--threads N]\n"
    "                 [--tls-cert FILE --tls-key FILE]\n"
    "\n"
    "Serve the API and web interface until SIGINT or SIGTERM. Pending migrations\n"
    "are applied first. Logs one logfmt line per request on stderr.\n"
    "\n"
    "Options:\n"
    "  --db PATH            database file (default: $PKO_DB or ./pko.db)\n"
    "  --listen ADDR:PORT   address to bind (default 127.0.0.1:8080; [::1]:8080 for IPv6)\n"
    "  --threads N          worker threads (default 4)\n"
    "  --tls-cert FILE      PEM certificate; with --tls-key, serve HTTPS\n"
    "  --tls-key FILE       PEM private key\n"
    "\n"
    "Example:\n"
    "  pko serve --db pko.db --listen 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem\n";

static int cmd_serve(int argc, char **argv)
{
    const char *db = cli_db_default();
    pko_server_opts so = {.listen = "127.0.0.1:8080"};
    static const struct option opts[] = {{"db", 1, 0, 'd'},       {"listen", 1, 0, 'l'},
                                         {"tls-cert", 1, 0, 'c'}, {"tls-key", 1, 0, 'k'},
                                         {"threads", 1, 0, 't'},  {"help", 0, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'l': so.listen = optarg; break;
        case 'c': so.tls_cert = optarg; break;
        case 'k': so.tls_key = optarg; break;
        case 't': {
            char *end;
            errno = 0;
            long v = strtol(optarg, &end, 10);
            if (errno || end == optarg || *end || v < 1 || v > 64) {
                fprintf(stderr, "pko serve: --threads must be a number from 1 to 64, not \"%s\"\n",
                        optarg);
                return EXIT_USAGE;
            }
            so.threads = (int)v;
            break;
        }
        default: fputs(serve_help, c == 'h' ? stdout : stderr); return c == 'h' ? 0 : EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "pko serve: unexpected argument %s\n\n%s", argv[optind], serve_help);
        return EXIT_USAGE;
    }
    if (!so.tls_cert != !so.tls_key) {
        fprintf(stderr, "pko serve: --tls-cert and --tls-key go together\n");
        return EXIT_USAGE;
    }
    pko_err lerr;
    pko_err_clear(&lerr);
    if (pko_server_check_listen(so.listen, &lerr)) {
        fprintf(stderr, "pko serve: %s\n", lerr.msg);
        return EXIT_USAGE;
    }
    pko_store *st;
    pko_store_opts o = {.pool_size = (so.threads ? so.threads : 4) + 2};
    pko_err err;
    pko_err_clear(&err);
    if (pko_store_open(db, &o, &st, &err))
        return fail(&err, EXIT_DB);
    if (pko_modules_setup(st, NULL, &err)) {
        pko_store_close(st);
        return fail(&err, EXIT_DB);
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    pko_server *srv;
    if (pko_server_start(&so, st, &srv, &err)) {
        pko_store_close(st);
        /* PKO_EINVAL: a malformed --listen (or TLS option), a usage error;
         * anything else (address in use, unreadable certificate) failed. */
        return fail(&err, err.code == PKO_EINVAL ? EXIT_USAGE : EXIT_FAIL);
    }
    char port[16];
    snprintf(port, sizeof(port), "%d", pko_server_port(srv));
    pko_log(PKO_LOG_INFO, "listening", "listen", so.listen, "port", port, "db", db, "node",
            pko_store_node_id(st), "tls", so.tls_cert ? "on" : "off", "version", PKO_VERSION,
            NULL);
    int sig;
    sigwait(&set, &sig);
    pko_log(PKO_LOG_INFO, "stopping", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM", NULL);
    pko_server_stop(srv);
    pko_store_close(st);
    reports_shutdown(); /* font caches of the report figures */
    pko_log(PKO_LOG_INFO, "stopped", NULL);
    return 0;
}

/* ==== user =============================================================== */

static const char user_help[] =
    "Usage: pko user add NAME --role ROLE[:MISSION]... [--clearance LEVEL] --password-stdin\n"
    "       pko user list\n"
    "       pko user passwd NAME --password-stdin\n"
    "       pko user disable NAME | enable NAME\n"
    "       pko user grant NAME ROLE[:MISSION]\n"
    "       pko user revoke NAME ROLE[:MISSION]\n"
    "       pko user clearance NAME LEVEL\n"
    "   (each also takes --db PATH)\n"
    "\n"
    "Roles: viewer, reporter, analyst, planner, force_generation_officer,\n"
    "conduct_officer, mission_admin, system_admin. A role without :MISSION holds\n"
    "for all missions. Clearance: unclassified (default), confidential,\n"
    "strictly_confidential. Passwords have at least 10 characters.\n"
    "\n"
    "Example:\n"
    "  printf '%s\\n' 'long passphrase' | pko user add amina --role analyst:MINUSCA \\\n"
    "      --clearance confidential --password-stdin --db pko.db\n";

/* The terminal settings to restore if a signal ends a password prompt. */
static struct termios tty_saved;
static volatile sig_atomic_t tty_quiet;

static void tty_restore_and_die(int sig)
{
    if (tty_quiet)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &tty_saved);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Read one line of password from standard input. From a terminal, prompt
 * on stderr and do not echo what is typed. */
static int read_password(char *out, size_t n)
{
    bool tty = isatty(STDIN_FILENO);
    if (tty) {
        if (tcgetattr(STDIN_FILENO, &tty_saved) == 0) {
            struct termios quiet = tty_saved;
            quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
            signal(SIGINT, tty_restore_and_die);
            signal(SIGTERM, tty_restore_and_die);
            signal(SIGHUP, tty_restore_and_die);
            if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0)
                tty_quiet = 1;
        }
        fputs("Password: ", stderr); /* once echo is off */
        fflush(stderr);
    }
    char *got = fgets(out, (int)n, stdin);
    if (tty_quiet) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &tty_saved);
        tty_quiet = 0;
    }
    if (tty) {
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        fputc('\n', stderr);
    }
    if (!got) {
        fprintf(stderr, "pko: no password on standard input\n");
        return EXIT_USAGE;
    }
    size_t l = strlen(out);
    while (l && (out[l - 1] == '\n' || out[l - 1] == '\r'))
        out[--l] = '\0';
    return 0;
}

static int cmd_user(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(user_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    const char *sub = argv[1];
    const char *db = cli_db_default();
    pko_grant grants[PKO_MAX_GRANTS];
    size_t n_grants = 0;
    int clearance = PKO_CLASS_UNCLASSIFIED;
    bool pw_stdin = false;
    pko_err err;
    pko_err_clear(&err);
    static const struct option opts[] = {{"db", 1, 0, 'd'},
                                         {"role", 1, 0, 'r'},
                                         {"clearance", 1, 0, 'c'},
                                         {"password-stdin", 0, 0, 'p'},
                                         {"help", 0, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'r':
            if (n_grants == PKO_MAX_GRANTS || pko_grant_parse(optarg, &grants[n_grants], &err))
                return fail(&err, EXIT_USAGE);
            n_grants++;
            break;
        case 'c':
            clearance = pko_class_parse(optarg);
            if (clearance < 0) {
                fprintf(stderr, "pko: clearance must be unclassified, confidential or "
                                "strictly_confidential\n");
                return EXIT_USAGE;
            }
            break;
        case 'p': pw_stdin = true; break;
        default: fputs(user_help, c == 'h' ? stdout : stderr); return c == 'h' ? 0 : EXIT_USAGE;
        }
    }
    const char *name = optind < argc ? argv[optind] : NULL;
    const char *arg2 = optind + 1 < argc ? argv[optind + 1] : NULL;
    bool is_list = strcmp(sub, "list") == 0;
    /* Every usage error is reported before the database is opened (or a
     * password read). */
    static const char *const subs[] = {"add",   "list",  "passwd", "disable",
                                       "enable", "grant", "revoke", "clearance"};
    bool known = false;
    for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
        known = known || strcmp(sub, subs[i]) == 0;
    if (!known) {
        fprintf(stderr, "pko user: unknown subcommand %s\n\n%s", sub, user_help);
        return EXIT_USAGE;
    }
    if (!is_list && !name) {
        fprintf(stderr, "pko user %s: which user?\n\n%s", sub, user_help);
        return EXIT_USAGE;
    }
    bool needs_pw = strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0;
    if (needs_pw && !pw_stdin) {
        fprintf(stderr, "pko user %s: give the password with --password-stdin\n", sub);
        return EXIT_USAGE;
    }
    pko_grant g;
    if (strcmp(sub, "grant") == 0 || strcmp(sub, "revoke") == 0) {
        if (!arg2) {
            fprintf(stderr, "pko user %s %s: which role? (ROLE or ROLE:MISSION)\n", sub, name);
            return EXIT_USAGE;
        }
        if (pko_grant_parse(arg2, &g, &err))
            return fail(&err, EXIT_USAGE);
    }
    int cl = -1;
    if (strcmp(sub, "clearance") == 0) {
        cl = arg2 ? pko_class_parse(arg2) : -1;
        if (cl < 0) {
            fprintf(stderr, "pko user clearance %s: LEVEL must be unclassified, confidential or "
                            "strictly_confidential\n",
                    name);
            return EXIT_USAGE;
        }
    }
    char pw[1100];
    int rc = needs_pw ? read_password(pw, sizeof(pw)) : 0;
    if (rc)
        return rc;
    pko_store *st;
    rc = cli_open_store(db, false, &st, NULL);
    if (rc) {
        sodium_memzero(pw, sizeof(pw));
        return rc;
    }
    pko_db *d = pko_store_acquire(st);
    pko_rc r = PKO_OK;
    if (strcmp(sub, "add") == 0) {
        char id[PKO_ID_LEN];
        r = pko_user_add(d, &cli_actor, name, pw, clearance, grants, n_grants, id, &err);
        if (!r)
            printf("user %s created (id %s)\n", name, id);
    } else if (is_list) {
        json_t *users;
        r = pko_user_list(d, &users, &err);
        if (!r) {
            size_t i;
            json_t *u;
            printf("%-24s %-22s %-9s %s\n", "USERNAME", "CLEARANCE", "STATUS", "ROLES");
            json_array_foreach(users, i, u)
            {
                char *roles = json_dumps(json_object_get(u, "roles"), JSON_COMPACT);
                printf("%-24s %-22s %-9s %s\n", json_string_value(json_object_get(u, "username")),
                       json_string_value(json_object_get(u, "clearance")),
                       json_is_true(json_object_get(u, "disabled")) ? "disabled" : "active",
                       roles);
                free(roles);
            }
            json_decref(users);
        }
    } else if (strcmp(sub, "passwd") == 0) {
        r = pko_user_passwd(d, &cli_actor, name, pw, &err);
        if (!r)
            printf("password of %s changed; its sessions and API tokens are revoked\n", name);
    } else if (strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0) {
        bool dis = sub[0] == 'd';
        r = pko_user_set_disabled(d, &cli_actor, name, dis, &err);
        if (!r)
            printf("user %s %s\n", name,
                   dis ? "disabled; its sessions and API tokens are revoked" : "enabled");
    } else if (strcmp(sub, "grant") == 0 || strcmp(sub, "revoke") == 0) {
        bool gr = sub[0] == 'g';
        r = gr ? pko_user_grant(d, &cli_actor, name, &g, &err)
               : pko_user_revoke(d, &cli_actor, name, &g, &err);
        if (!r)
            printf("%s %s %s %s\n", gr ? "granted" : "revoked", arg2, gr ? "to" : "from", name);
    } else { /* clearance */
        r = pko_user_set_clearance(d, &cli_actor, name, cl, &err);
        if (!r)
            printf("clearance of %s set to %s\n", name, arg2);
    }
    sodium_memzero(pw, sizeof(pw));
    pko_store_release(st, d);
    pko_store_close(st);
    if (r)
        return fail(&err, EXIT_FAIL);
    return rc;
}

/* ==== check and backup =================================================== */

static const char check_help[] =
    "Usage: pko check [--db PATH]\n"
    "\n"
    "Verify the database: SQLite integrity_check and foreign keys, the audit\n"
    "trail's hash chain, that every change record matches the digest its\n"
    "audit entry sealed, and that every row of every data table matches the\n"
    "row digest of its latest change record (an edit made with another SQLite\n"
    "client shows). Prints the chain head; exits 0 only if all verify.\n"
    "Pending migrations are applied first.\n"
    "\n"
    "Example:\n"
    "  pko check --db pko.db && echo verified\n";

static int cmd_check(int argc, char **argv)
{
    const char *db = cli_db_default();
    static const struct option opts[] = {{"db", 1, 0, 'd'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'd')
            db = optarg;
        else {
            fputs(check_help, c == 'h' ? stdout : stderr);
            return c == 'h' ? 0 : EXIT_USAGE;
        }
    }
    pko_store *st;
    pko_err err;
    pko_err_clear(&err);
    pko_store_opts o = {.pool_size = 1};
    if (pko_store_open(db, &o, &st, &err))
        return fail(&err, EXIT_DB);
    /* The row check needs every module's entities (and their tables). */
    if (pko_modules_setup(st, NULL, &err)) {
        pko_store_close(st);
        return fail(&err, EXIT_DB);
    }
    pko_db *d = pko_store_acquire(st);
    int64_t n = 0;
    char head[65] = "";
    int rc = 0;
    if (pko_db_integrity_check(d, &err)) {
        printf("integrity:   FAILED  %s\n", err.msg);
        rc = EXIT_FAIL;
    } else {
        printf("integrity:   ok\n");
    }
    pko_err_clear(&err);
    if (pko_db_audit_verify(d, &n, head, &err)) {
        printf("audit chain: FAILED  %s (after %lld good entries)\n", err.msg, (long long)n);
        rc = EXIT_FAIL;
    } else {
        printf("audit chain: ok      %lld entries, head %s\n", (long long)n, head);
    }
    pko_err_clear(&err);
    pko_rows_report rows;
    if (pko_db_rows_verify(d, &rows, &err)) {
        printf("rows:        FAILED  %s\n", err.msg);
        rc = EXIT_FAIL;
    } else if (rows.legacy) {
        printf("rows:        ok      %lld rows in %d tables (%lld written before row digests, "
               "not compared)\n",
               (long long)rows.rows, rows.tables, (long long)rows.legacy);
    } else {
        printf("rows:        ok      %lld rows in %d tables\n", (long long)rows.rows,
               rows.tables);
    }
    pko_store_release(st, d);
    pko_store_close(st);
    return rc;
}

static const char backup_help[] =
    "Usage: pko backup DEST [--db PATH]\n"
    "\n"
    "Copy the live database to DEST (a new file) with SQLite's online backup;\n"
    "the server may keep running. The copy passes `pko check`.\n"
    "\n"
    "Example:\n"
    "  pko backup /media/usb/pko-$(date +%F).db --db pko.db\n";

static int cmd_backup(int argc, char **argv)
{
    const char *db = cli_db_default();
    static const struct option opts[] = {{"db", 1, 0, 'd'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'd')
            db = optarg;
        else {
            fputs(backup_help, c == 'h' ? stdout : stderr);
            return c == 'h' ? 0 : EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fputs(backup_help, stderr);
        return EXIT_USAGE;
    }
    pko_store *st;
    pko_err err;
    pko_err_clear(&err);
    pko_store_opts o = {.pool_size = 1};
    if (pko_store_open(db, &o, &st, &err))
        return fail(&err, EXIT_DB);
    pko_rc r = pko_store_backup(st, argv[optind], &err);
    pko_store_close(st);
    if (r)
        return fail(&err, EXIT_FAIL);
    printf("backup of %s written to %s\n", db, argv[optind]);
    return 0;
}

/* ==== routes and version ================================================= */

static void print_route(const pko_route *r, void *arg)
{
    (void)arg;
    printf("%-7s %-32s %s\n", r->method, r->pattern,
           (r->flags & PKO_ROUTE_PUBLIC) ? "public" : (r->perm ? r->perm : "authenticated"));
}

static int cmd_routes(void)
{
    pko_router *r = pko_router_new();
    pko_err err;
    pko_err_clear(&err);
    for (size_t i = 0; i < pko_n_modules; i++)
        if (pko_router_add_module(r, pko_modules[i], &err)) {
            pko_router_free(r);
            return fail(&err, EXIT_FAIL);
        }
    pko_router_each(r, print_route, NULL);
    pko_router_free(r);
    return 0;
}

static const char main_help[] =
    "pko - peacekeeping operations information system\n"
    "\n"
    "Usage: pko COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  init      create or upgrade a database\n"
    "  serve     run the HTTP API and web interface\n"
    "  user      add, list and change users and their roles\n"
    "  check     verify database integrity and the audit chain\n"
    "  backup    copy the live database to a file\n"
    "  import    import incidents (UCDP, ACLED, mapped CSV) or UN fatalities\n"
    "  report    the Secretary-General's report figures (SVG, PNG, PDF, CSV)\n"
    "  routes    list the HTTP routes and the permission each needs\n"
    "  version   print the version\n"
    "\n"
    "Run `pko COMMAND --help` for the options of each, with an example.\n"
    "Exit codes: 0 success, 1 failure, 2 usage error, 3 database cannot be opened.\n";

int main(int argc, char **argv)
{
    /* Databases, their WAL and backups hold every record and the password
     * hashes: nothing pko creates is readable by others. */
    umask(077);
    if (sodium_init() < 0) {
        fprintf(stderr, "pko: libsodium failed to initialise\n");
        return EXIT_FAIL;
    }
    if (argc < 2) {
        fputs(main_help, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(main_help, stdout);
        return 0;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("pko %s (SQLite %s, libsodium %s)\n", PKO_VERSION, sqlite3_libversion(),
               sodium_version_string());
        return 0;
    }
    if (strcmp(cmd, "init") == 0)
        return cmd_init(argc - 1, argv + 1);
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "user") == 0)
        return cmd_user(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "backup") == 0)
        return cmd_backup(argc - 1, argv + 1);
    if (strcmp(cmd, "routes") == 0)
        return cmd_routes();
    if (strcmp(cmd, "import") == 0)
        return cli_import(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return cli_report(argc - 1, argv + 1);
    fprintf(stderr, "pko: unknown command %s\n\n%s", cmd, main_help);
    return EXIT_USAGE;
}
