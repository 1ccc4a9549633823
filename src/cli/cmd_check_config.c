/* cmd_check_config.c - `l2a check-config`: a config file checked as l2ad would load it; with
 * --engine-json, the engine's options it yields printed as JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conf.h"
#include "engine.h"

static const args_cmd check_config_cmd = {
    "l2a check-config",
    "usage: l2a check-config [--engine-json] FILE\n"
    "  checks a config as l2ad loads it at start (every key, redis.url, http.listen, the lists'\n"
    "  files): prints FILE: ok, or file:line:column: message and exits 1. --engine-json prints\n"
    "  the engine options the config yields, as JSON. Exit 0 ok, 1 error, 2 usage error.\n",
};

int cli_parse_check_config_opts(int argc, char **argv, check_config_opts *o)
{
    static const struct option longopts[] = {
        {"engine-json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof(*o));
    args_reset();
    int ch;
    while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (ch == 'j')
            o->engine_json = true;
        else if (ch == 'h')
            return args_help(&check_config_cmd);
        else
            return args_option_error(&check_config_cmd, ch, argv);
    }
    if (optind == argc)
        return args_usage_error(&check_config_cmd, "FILE is required");
    o->file = argv[optind++];
    return args_no_operands(&check_config_cmd, argc, argv);
}

/* The config and the engine it yields, as l2ad builds them at start. 0 or 1 (printed). */
static int check(const check_config_opts *o, conf *cfg)
{
    char err[512];
    if (conf_load(o->file, cfg, err, sizeof(err)) != 0 ||
        conf_check_files(cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    matcher *m = matcher_new(&cfg->eng, err, sizeof(err));
    if (!m) {
        fprintf(stderr, "%s: %s\n", o->file, err);
        return 1;
    }
    matcher_free(m);
    return 0;
}

int cli_check_config(int argc, char **argv)
{
    check_config_opts o;
    conf cfg;
    int rc = cli_parse_check_config_opts(argc, argv, &o);
    if (rc != ARGS_RUN)
        return rc;
    rc = check(&o, &cfg);
    if (rc == 0 && o.engine_json) {
        char *json = conf_engine_json(&cfg);
        puts(json);
        free(json);
    } else if (rc == 0) {
        printf("%s: ok\n", o.file);
    }
    conf_free(&cfg);
    return rc;
}
