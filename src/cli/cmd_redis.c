/* cli_redis.c - `l2a import-accounts` and `l2a push`: the Redis tools of the l2a command. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conf.h"
#include "import.h"
#include "push.h"
#include "rconn.h"

static const char import_usage[] =
    "usage: l2a import-accounts [--redis URL] [--config FILE] [--delete-missing] ACCOUNTS.csv\n";
static const char push_usage[] = "usage: l2a push [--redis URL] [--config FILE] [--flat] LEADS.jsonl\n";

typedef struct redis_opts {
    const char *url;      /* --redis, or NULL */
    const char *config;   /* --config, or NULL */
    const char *file;     /* the one positional argument */
    bool delete_missing;  /* import-accounts --delete-missing */
    bool flat;            /* push --flat */
} redis_opts;

/* Parses argv (from the subcommand name on); usage names the subcommand's flags. 0 or -1. */
static int parse_redis_opts(int argc, char **argv, const char *usage, redis_opts *o)
{
    static const struct option longopts[] = {
        {"redis", required_argument, NULL, 'r'},
        {"config", required_argument, NULL, 'c'},
        {"delete-missing", no_argument, NULL, 'd'},
        {"flat", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool import = usage == import_usage;
    int ch;
    memset(o, 0, sizeof(*o));
    optind = 1;
    while ((ch = getopt_long(argc, argv, "r:c:h", longopts, NULL)) != -1) {
        if (ch == 'r')
            o->url = optarg;
        else if (ch == 'c')
            o->config = optarg;
        else if (ch == 'd' && import)
            o->delete_missing = true;
        else if (ch == 'f' && !import)
            o->flat = true;
        else
            goto bad;
    }
    if (optind != argc - 1)
        goto bad;
    o->file = argv[optind];
    return 0;
bad:
    fputs(usage, stderr);
    return -1;
}

redisContext *cli_redis_connect(const conf *cfg, const char *url)
{
    redis_addr addr;
    char err[512];
    redisContext *c = NULL;
    memset(&addr, 0, sizeof(addr));
    if (redis_addr_parse(url ? url : cfg->redis_url, &addr, err, sizeof(err)) != 0) {
        fprintf(stderr, "l2a: %s\n", err);
        goto out;
    }
    if (err[0])
        fprintf(stderr, "l2a: %s\n", err); /* a note */
    c = rconn_connect(&addr, cfg->command_timeout_ms, err, sizeof(err));
    if (!c)
        fprintf(stderr, "l2a: %s\n", err);
out:
    redis_addr_free(&addr);
    return c;
}

/* Connects as the options and config say; sets *prefix (malloc'd, caller frees). The Redis URL
 * comes from --redis, else the config's redis.url, else its default. NULL on error (printed). */
static redisContext *open_redis(const redis_opts *o, char **prefix)
{
    conf cfg;
    char err[512];
    if (!o->config) {
        conf_defaults(&cfg);
    } else if (conf_load(o->config, &cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "l2a: %s\n", err);
        return NULL;
    }
    redisContext *c = cli_redis_connect(&cfg, o->url);
    if (c)
        *prefix = xstrdup(cfg.key_prefix);
    conf_free(&cfg);
    return c;
}

int cli_import_accounts(int argc, char **argv)
{
    redis_opts o;
    import_stats st;
    char err[512], *prefix = NULL;
    if (parse_redis_opts(argc, argv, import_usage, &o) != 0)
        return 2;
    redisContext *c = open_redis(&o, &prefix);
    if (!c)
        return 1;
    int rc = import_accounts(c, prefix, o.file, o.delete_missing, &st, err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "l2a: import-accounts: %s\n", err);
    fprintf(stderr, "%simported %ld accounts: %ld new, %ld updated, %ld unchanged, %ld deleted\n",
            rc != 0 ? "l2a: before the error, " : "", st.added + st.updated + st.unchanged,
            st.added, st.updated, st.unchanged, st.deleted);
    redisFree(c);
    free(prefix);
    return rc == 0 ? 0 : 1;
}

int cli_push(int argc, char **argv)
{
    redis_opts o;
    push_stats st;
    char err[512], *prefix = NULL;
    if (parse_redis_opts(argc, argv, push_usage, &o) != 0)
        return 2;
    redisContext *c = open_redis(&o, &prefix);
    if (!c)
        return 1;
    int rc = push_leads(c, prefix, o.file, o.flat, &st, err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "l2a: push: %s\n", err);
    if (st.unparsed > 0)
        fprintf(stderr, "l2a: %ld lines were not valid leads and were pushed as 'json' fields\n",
                st.unparsed);
    fprintf(stderr, "%spushed %ld leads\n", rc != 0 ? "l2a: before the error, " : "", st.pushed);
    redisFree(c);
    free(prefix);
    return rc == 0 ? 0 : 1;
}
