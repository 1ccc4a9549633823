/* cmd_import.c - `l2a import-accounts`: a CRM export of accounts into Redis. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "import.h"

static const args_cmd import_cmd = {
    "l2a import-accounts",
    "usage: l2a import-accounts [--redis URL] [--config FILE] [--delete-missing] ACCOUNTS.csv\n"
    "  loads or updates the accounts of a CRM export in Redis (one atomic script per account);\n"
    "  --delete-missing deletes the accounts the file no longer has. --redis overrides the\n"
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
    redisContext *c = cli_open_redis(&o, &prefix);
    if (!c)
        return 1;
    rc = import_accounts(c, prefix, o.file, o.delete_missing, &st, err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "l2a: import-accounts: %s\n", err);
    fprintf(stderr, "%simported %ld accounts: %ld new, %ld updated, %ld unchanged, %ld deleted\n",
            rc != 0 ? "l2a: before the error, " : "", st.added + st.updated + st.unchanged,
            st.added, st.updated, st.unchanged, st.deleted);
    redisFree(c);
    free(prefix);
    return rc == 0 ? 0 : 1;
}
