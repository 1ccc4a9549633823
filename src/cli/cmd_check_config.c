/* cmd_check_config.c - `l2a check-config`: a config file checked as l2ad would load it. */
#include <stdio.h>

#include "cli.h"
#include "conf.h"
#include "engine.h"

int cli_check_config(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: l2a check-config FILE\n");
        return 2;
    }
    conf cfg;
    matcher *m;
    char err[512];
    if (conf_load(argv[1], &cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int rc = 0;
    if (!(m = matcher_new(&cfg.eng, err, sizeof(err)))) {
        fprintf(stderr, "%s: %s\n", argv[1], err);
        rc = 1;
    } else {
        matcher_free(m);
        printf("%s: ok\n", argv[1]);
    }
    conf_free(&cfg);
    return rc;
}
