/* main_l2a.c - the `l2a` command line: offline matching, config checks and the Redis tools. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: l2a <command> [options]\n"
            "commands:\n"
            "  match --config FILE --accounts ACCOUNTS.csv --leads LEADS.jsonl\n"
            "        decide every lead offline; one JSON decision per line on stdout\n"
            "  import-accounts [--redis URL] [--config FILE] [--delete-missing] ACCOUNTS.csv\n"
            "        load or update accounts in Redis (one atomic script per account)\n"
            "  push [--redis URL] [--config FILE] [--flat] LEADS.jsonl\n"
            "        append leads to the input stream, as a marketing-automation platform does\n"
            "  review list|show|resolve [--redis URL] [--config FILE] ...\n"
            "        the RevOps review queue: list [--older-than 2d] [--json], show LEAD,\n"
            "        resolve LEAD --account ID | --new-account | --dismiss [--note TEXT] [--by NAME]\n"
            "  check-config FILE\n"
            "        validate a config; prints file:line:column: message on error\n"
            "  version\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "match") == 0)
        return cli_match(argc - 1, argv + 1);
    if (strcmp(cmd, "import-accounts") == 0)
        return cli_import_accounts(argc - 1, argv + 1);
    if (strcmp(cmd, "push") == 0)
        return cli_push(argc - 1, argv + 1);
    if (strcmp(cmd, "review") == 0)
        return cli_review(argc - 1, argv + 1);
    if (strcmp(cmd, "check-config") == 0)
        return cli_check_config(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("l2a %s\n", L2A_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "l2a: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
