/* main_l2a.c - the `l2a` command line: offline matching, config checks and the Redis tools. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

static const args_cmd l2a_cmd = {
    "l2a",
    "usage: l2a <command> [options]    (l2a <command> --help: the command's usage)\n"
    "commands:\n"
    "  match --config FILE --accounts ACCOUNTS.csv --leads LEADS.jsonl\n"
    "        decide every lead offline; one JSON decision per line on stdout\n"
    "  import-accounts [--redis URL] [--config FILE] [--delete-missing] ACCOUNTS.csv\n"
    "        load or update accounts in Redis (atomic batches of up to 1,000 accounts)\n"
    "  push [--redis URL] [--config FILE] [--flat] LEADS.jsonl\n"
    "        append leads to the input stream, as a marketing-automation platform does\n"
    "  review list|show|resolve [--redis URL] [--config FILE] ...\n"
    "        the RevOps review queue: list [--older-than 2d] [--json], show LEAD,\n"
    "        resolve LEAD --account ID | --new-account | --dismiss [--note TEXT] [--by NAME]\n"
    "  replay --config NEW.yaml [--redis URL] [--since 7d] [--json]\n"
    "        decide the leads recorded in a window again with a new config (read-only) and\n"
    "        show what would change\n"
    "  web passwd NAME < PASSWORD\n"
    "        a line for the review page's users file (web.users_file)\n"
    "  learned list|export|import|forget [--redis URL] [--config FILE] ...\n"
    "        facts learned from reviews: list, export as YAML, import FILE.yaml,\n"
    "        forget always NAME DOMAIN | never NAME ACCOUNT | domain DOMAIN\n"
    "  check-config [--engine-json] FILE\n"
    "        validate a config; prints file:line:column: message on error\n"
    "  version, --version\n"
    "        print the version\n"
    "exit status: 0 ok, 1 error, 2 usage error\n",
};

typedef int (*command_fn)(int argc, char **argv);

static command_fn command_of(const char *name)
{
    static const struct {
        const char *name;
        command_fn fn;
    } commands[] = {
        {"match", cli_match},   {"import-accounts", cli_import_accounts},
        {"push", cli_push},     {"review", cli_review},
        {"replay", cli_replay},
        {"learned", cli_learned},
        {"check-config", cli_check_config}, {"web", cli_web},
    };
    for (size_t i = 0; i < ARRAY_LEN(commands); i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].fn;
    return NULL;
}

static bool is_one_of(const char *s, const char *a, const char *b, const char *c)
{
    return strcmp(s, a) == 0 || strcmp(s, b) == 0 || (c && strcmp(s, c) == 0);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return args_usage_error(&l2a_cmd, "missing command");
    const char *cmd = argv[1];
    command_fn fn = command_of(cmd);
    if (fn)
        return fn(argc - 1, argv + 1);
    bool version = is_one_of(cmd, "version", "--version", NULL);
    bool help = is_one_of(cmd, "help", "--help", "-h");
    if ((version || help) && argc > 2)
        return args_usage_error(&l2a_cmd, "unexpected argument '%s'", argv[2]);
    if (version) {
        printf("l2a %s\n", L2A_VERSION);
        return 0;
    }
    if (help)
        return args_help(&l2a_cmd);
    if (cmd[0] == '-')
        return args_usage_error(&l2a_cmd, "unknown option '%s'", cmd);
    return args_usage_error(&l2a_cmd, "unknown command '%s'", cmd);
}
