/* main_l2ad.c - l2ad, the lead-to-account daemon: l2ad --config FILE [--redis URL]. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: l2ad --config FILE [--redis URL] [--verbose] [--allow-root]\n"
               "  --redis       redis://[[user]:password@]host:port[/db] or a unix socket path;\n"
               "                overrides the config's redis.url\n"
               "  --allow-root  run even as root (refused otherwise)\n");
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
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"redis", required_argument, NULL, 'r'},
        {"verbose", no_argument, NULL, 'v'},      {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},      {"allow-root", no_argument, NULL, 'R'},
        {NULL, 0, NULL, 0},
    };
    bool allow_root = false;
    const char *config = NULL, *redis = NULL;
    enum log_level lvl = LOG_LVL_INFO;
    int ch;
    while ((ch = getopt_long(argc, argv, "c:r:vhV", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': config = optarg; break;
        case 'r': redis = optarg; break;
        case 'v': lvl = LOG_LVL_DEBUG; break;
        case 'R': allow_root = true; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("l2ad %s\n", L2A_VERSION); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!config) {
        usage(stderr);
        return 2;
    }
    if (root_refused(allow_root))
        return 2;
    log_init("l2ad", lvl);
    l2ad d;
    char err[1024];
    if (l2ad_init(&d, config, redis, err, sizeof(err)) != 0) {
        if (log_to_journal())       /* said once: as a journal entry, or as plain text */
            log_err("startup_failed", "error=\"%s\"", log_q(err));
        else
            fprintf(stderr, "l2ad: %s\n", err);
        l2ad_free(&d);
        return 1;
    }
    int rc = l2ad_run(&d);
    l2ad_free(&d);
    return rc;
}
