/* main_l2ad.c - l2ad, the lead-to-account daemon: l2ad --config FILE [--redis URL]. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "daemon.h"
#include "log.h"

static const args_cmd l2ad_cmd = {
    "l2ad",
    "usage: l2ad --config FILE [--redis URL] [--verbose]\n"
    "       l2ad --help | --version\n"
    "  --config   the YAML config (l2a check-config FILE checks it without starting)\n"
    "  --redis    redis://[:password@]host:port[/db] or a unix socket path; overrides\n"
    "             the config's redis.url\n"
    "  --verbose  debug logs\n"
    "exit status: 0 stopped cleanly, 1 error, 2 usage error\n",
};

/* The options. ARGS_RUN, or the exit status after the help, the version or a usage error. */
static int parse_args(int argc, char **argv, const char **config, const char **redis,
                      enum log_level *lvl)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"redis", required_argument, NULL, 'r'},
        {"verbose", no_argument, NULL, 'v'},      {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0},
    };
    int ch;
    args_reset();
    while ((ch = getopt_long(argc, argv, ":c:r:vhV", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': *config = optarg; break;
        case 'r': *redis = optarg; break;
        case 'v': *lvl = LOG_LVL_DEBUG; break;
        case 'h': return args_help(&l2ad_cmd);
        case 'V': printf("l2ad %s\n", L2A_VERSION); return 0;
        default: return args_option_error(&l2ad_cmd, ch, argv);
        }
    }
    if (optind < argc)
        return args_no_operands(&l2ad_cmd, argc, argv);
    if (!*config)
        return args_usage_error(&l2ad_cmd, "--config is required");
    return ARGS_RUN;
}

int main(int argc, char **argv)
{
    const char *config = NULL, *redis = NULL;
    enum log_level lvl = LOG_LVL_INFO;
    int rc = parse_args(argc, argv, &config, &redis, &lvl);
    if (rc != ARGS_RUN)
        return rc;
    log_init("l2ad", lvl);
    l2ad d;
    char err[1024];
    if (l2ad_init(&d, config, redis, err, sizeof(err)) != 0) {
        log_err("startup_failed", "error=\"%s\"", log_q(err));
        fprintf(stderr, "l2ad: %s\n", err);
        l2ad_free(&d);
        return 1;
    }
    rc = l2ad_run(&d);
    l2ad_free(&d);
    return rc;
}
