/* cmd_check_config.c - `l2a check-config`: a config file checked as l2ad would load it; with
 * --engine-json, the engine's options it yields printed as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conf.h"
#include "engine.h"

static const char usage[] = "usage: l2a check-config [--engine-json] FILE\n";

int cli_check_config(int argc, char **argv)
{
    bool dump = argc == 3 && strcmp(argv[1], "--engine-json") == 0;
    if (argc != 2 + dump || argv[argc - 1][0] == '-') {
        fputs(usage, stderr);
        return 2;
    }
    const char *path = argv[argc - 1];
    conf cfg;
    matcher *m;
    char err[512];
    if (conf_load(path, &cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int rc = 0;
    if (!(m = matcher_new(&cfg.eng, err, sizeof(err)))) {
        fprintf(stderr, "%s: %s\n", path, err);
        rc = 1;
    } else if (dump) {
        char *json = conf_engine_json(&cfg);
        puts(json);
        free(json);
    } else {
        printf("%s: ok\n", path);
    }
    matcher_free(m);
    conf_free(&cfg);
    return rc;
}
