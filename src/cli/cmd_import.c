/* cmd_import.c - `l2a import-accounts`: a CRM export of accounts into Redis. */
#include <stdio.h>
#include <stdlib.h>

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

int cli_import_accounts(int argc, char **argv)
{
    redis_opts o;
    import_stats st;
    char err[512], *prefix = NULL;
    int rc = cli_parse_redis_opts(argc, argv, &import_cmd, "ACCOUNTS.csv", true, &o);
    if (rc != ARGS_RUN)
        return rc;
    if (cli_check_encoding(o.encoding) != 0)
        return 2;
    redisContext *c = cli_open_redis(&o, &prefix, NULL);
    if (!c)
        return 1;
    rc = import_accounts(c, prefix, o.file, o.encoding, o.delete_missing, &st, err, sizeof(err));
    if (rc != 0)
        cli_print_input_error("import-accounts", err);
    fprintf(stderr, "%simported %ld accounts: %ld new, %ld updated, %ld unchanged, %ld deleted",
            rc != 0 ? "l2a: before the error, " : "", st.added + st.updated + st.unchanged,
            st.added, st.updated, st.unchanged, st.deleted);
    if (st.repeated > 0)
        fprintf(stderr, " (%ld row%s repeated an earlier row's id: the later row won)", st.repeated,
                st.repeated == 1 ? "" : "s");
    fputc('\n', stderr);
    redisFree(c);
    free(prefix);
    return rc == 0 ? 0 : 1;
}
