/* cmd_import.c - `l2a import-accounts`: a CRM export of accounts into Redis. */
#include <stdio.h>
#include <stdlib.h>

#include <hiredis/hiredis.h>

#include "cli.h"
#include "import.h"

static const args_cmd import_cmd = {
    "l2a import-accounts",
    "usage: l2a import-accounts [--redis URL] [--config FILE] [--delete-missing]\n"
    "                           [--encoding NAME] ACCOUNTS.csv\n"
    "  loads or updates the accounts of a CRM export in Redis (batches of up to 1,000 accounts,\n"
    "  each written in one MULTI/EXEC);\n"
    "  --delete-missing deletes the accounts the file no longer has; --encoding NAME reads a CSV\n"
    "  in another encoding (iconv: windows-1252, latin1, ...). --redis overrides the\n"
    "  config's redis.url. Exit 0 ok, 1 error, 2 usage error.\n",
};

/* A second connection for the account snapshot written beside the import, when the config
 * lets l2ad start from one (accounts.snapshot); NULL else or when it cannot be had (the import
 * goes on without: l2ad then writes the snapshot at its first start). */
static redisContext *snapshot_connection(const cli_session *s, const redis_opts *o)
{
    return s->cfg.accounts_snapshot ? cli_redis_connect(&s->cfg, o->url) : NULL;
}

static void print_summary(int rc, const import_stats *st, bool snapshot_asked)
{
    fprintf(stderr, "%simported %ld accounts: %ld new, %ld updated, %ld unchanged, %ld deleted",
            rc != 0 ? "l2a: before the error, " : "", st->added + st->updated + st->unchanged,
            st->added, st->updated, st->unchanged, st->deleted);
    if (st->repeated > 0)
        fprintf(stderr, " (%ld row%s repeated an earlier row's id: the later row won)",
                st->repeated, st->repeated == 1 ? "" : "s");
    fputc('\n', stderr);
    if (rc == 0 && snapshot_asked && st->snapshot < 0)
        fprintf(stderr, "l2a: warning: no account snapshot written (l2ad writes one at its first "
                "start): %s\n", st->snapshot_why);
}

int cli_import_accounts(int argc, char **argv)
{
    redis_opts o;
    import_stats st;
    cli_session s;
    char err[512];
    int rc = cli_parse_redis_opts(argc, argv, &import_cmd, "ACCOUNTS.csv", true, &o);
    if (rc != ARGS_RUN)
        return rc;
    if (cli_check_encoding(o.encoding) != 0)
        return 2;
    if (cli_session_open(&s, o.config, o.url) != 0)
        return 1;
    redisContext *snap = snapshot_connection(&s, &o);
    rc = import_accounts(s.c, snap, s.cfg.key_prefix, o.file, o.encoding, o.delete_missing, &st,
                         err, sizeof(err));
    if (rc != 0)
        cli_print_input_error("import-accounts", err);
    print_summary(rc, &st, snap != NULL);
    if (snap)
        redisFree(snap);
    cli_session_close(&s);
    return rc == 0 ? 0 : 1;
}
