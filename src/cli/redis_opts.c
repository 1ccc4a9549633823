/* redis_opts.c - what the l2a commands that talk to Redis share: their options (--redis,
 * --config, one file) and the connection the config and options name. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conf.h"
#include "rconn.h"

int cli_parse_redis_opts(int argc, char **argv, const args_cmd *cmd, const char *operand,
                         bool import, redis_opts *o)
{
    static const struct option longopts[] = {
        {"redis", required_argument, NULL, 'r'},  {"config", required_argument, NULL, 'c'},
        {"delete-missing", no_argument, NULL, 'd'}, {"flat", no_argument, NULL, 'f'},
        {"encoding", required_argument, NULL, 'e'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    memset(o, 0, sizeof(*o));
    args_reset();
    while ((ch = getopt_long(argc, argv, ":r:c:h", longopts, NULL)) != -1) {
        if (ch == 'r')
            o->url = optarg;
        else if (ch == 'c')
            o->config = optarg;
        else if (ch == 'd' && import)
            o->delete_missing = true;
        else if (ch == 'f' && !import)
            o->flat = true;
        else if (ch == 'e' && import)
            o->encoding = optarg;
        else if (ch == 'h')
            return args_help(cmd);
        else
            return args_option_error(cmd, ch, argv);
    }
    if (optind == argc)
        return args_usage_error(cmd, "%s is required", operand);
    o->file = argv[optind++];
    return args_no_operands(cmd, argc, argv);
}

redisContext *cli_redis_connect(const conf *cfg, const char *url)
{
    redis_addr addr;
    char err[512];
    redisContext *c = NULL;
    memset(&addr, 0, sizeof(addr));
    if (rconn_addr_from_conf(cfg, url, &addr, err, sizeof(err)) != 0) {
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

redisContext *cli_open_redis(const redis_opts *o, char **prefix, long *max_entry_bytes)
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
    if (c && max_entry_bytes)
        *max_entry_bytes = cfg.max_entry_bytes;
    conf_free(&cfg);
    return c;
}


int cli_session_open(cli_session *s, const char *config, const char *url)
{
    char err[512];
    s->c = NULL;
    if (!config) {
        conf_defaults(&s->cfg);
    } else if (conf_load(config, &s->cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "l2a: %s\n", err);
        return -1;
    }
    s->c = cli_redis_connect(&s->cfg, url);
    if (!s->c) {
        conf_free(&s->cfg);
        return -1;
    }
    return 0;
}

void cli_session_close(cli_session *s)
{
    redisFree(s->c);
    conf_free(&s->cfg);
}
