/* main_l2ad.c - l2ad, the lead-to-account daemon: l2ad --config FILE [--redis URL]. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "daemon.h"
#include "log.h"

static const args_cmd l2ad_cmd = {
    "l2ad",
    "usage: l2ad --config FILE [--redis URL] [--verbose] [--allow-root]\n"
    "       l2ad --help | --version\n"
    "  --config      the YAML config (l2a check-config FILE checks it without starting)\n"
    "  --redis       redis://[[user]:password@]host:port[/db] or a unix socket path;\n"
    "                overrides the config's redis.url\n"
    "  --verbose     debug lines too, among them one per lead with its decision\n"
    "  --allow-root  run even as root (refused otherwise)\n"
    "environment: L2A_REDIS_PASSWORD (when neither the URL nor redis.password_file gives one),\n"
    "  L2A_HUGE_PAGES=auto|always|never (2 MiB pages for the index: auto, the default, only\n"
    "  while they fault in fast; docs/operations.md \"Memory and huge pages\")\n"
    "exit status: 0 stopped cleanly, 1 error, 2 usage error\n",
};

typedef struct l2ad_args {
    const char *config;
    const char *redis;
    enum log_level lvl;
    bool allow_root;
} l2ad_args;

/* The options. ARGS_RUN, or the exit status after the help, the version or a usage error. */
static int parse_args(int argc, char **argv, l2ad_args *a)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"redis", required_argument, NULL, 'r'},
        {"verbose", no_argument, NULL, 'v'},      {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},      {"allow-root", no_argument, NULL, 'R'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    args_reset();
    while ((ch = getopt_long(argc, argv, ":c:r:vhV", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': a->config = optarg; break;
        case 'r': a->redis = optarg; break;
        case 'v': a->lvl = LOG_LVL_DEBUG; break;
        case 'R': a->allow_root = true; break;
        case 'h': return args_help(&l2ad_cmd);
        case 'V': printf("l2ad %s\n", L2A_VERSION); return 0;
        default: return args_option_error(&l2ad_cmd, ch, argv);
        }
    }
    if (optind < argc)
        return args_no_operands(&l2ad_cmd, argc, argv);
    if (!a->config)
        return args_usage_error(&l2ad_cmd, "--config is required");
    return ARGS_RUN;
}

/* Running as root is refused unless asked for: l2ad needs no privileges. */
static bool root_refused(bool allow_root)
{
    if (geteuid() != 0 || allow_root)
        return false;
    fprintf(stderr, "l2ad: refusing to run as root: run it as an unprivileged user "
                    "(systemd User=), or pass --allow-root\n");
    return true;
}

int main(int argc, char **argv)
{
    l2ad_args a = {.lvl = LOG_LVL_INFO};
    int rc = parse_args(argc, argv, &a);
    if (rc != ARGS_RUN)
        return rc;
    if (root_refused(a.allow_root))
        return 2;
    log_init("l2ad", a.lvl);
    l2ad d;
    char err[1024];
    if (l2ad_init(&d, a.config, a.redis, err, sizeof(err)) != 0) {
        if (log_to_journal())       /* said once: as a journal entry, or as plain text */
            log_err("startup_failed", "error=\"%s\"", log_q(err));
        else
            fprintf(stderr, "l2ad: %s\n", err);
        l2ad_free(&d);
        return 1;
    }
    rc = l2ad_run(&d);
    l2ad_free(&d);
    return rc;
}
