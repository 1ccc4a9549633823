/* cli.h - subcommands of the `l2a` tool; each takes argv starting at the subcommand name and
 * returns the process exit status. */
#ifndef L2A_CLI_H
#define L2A_CLI_H

#include <stdbool.h>

#include "args.h"
#include "conf.h"

int cli_match(int argc, char **argv);
int cli_check_config(int argc, char **argv);
int cli_import_accounts(int argc, char **argv);
int cli_push(int argc, char **argv);

/* cmd_match.c: the options of `l2a match`, borrowed from argv. */
typedef struct match_opts {
    const char *config;
    const char *accounts;
    const char *leads;    /* a path, or - for stdin */
    const char *encoding; /* --encoding of the accounts CSV, or NULL (UTF-8) */
    int threads;          /* --threads: the leads decided on this many threads (1: this one) */
} match_opts;

/* Parses argv (from the subcommand name on). ARGS_RUN, or the exit status after printing the
 * help (0) or a usage error (2). */
int cli_parse_match_opts(int argc, char **argv, match_opts *o);

/* cmd_check_config.c: the options of `l2a check-config`, borrowed from argv. */
typedef struct check_config_opts {
    const char *file;
    bool engine_json;     /* --engine-json */
} check_config_opts;

/* As cli_parse_match_opts. */
int cli_parse_check_config_opts(int argc, char **argv, check_config_opts *o);

/* redis_opts.c: the options and connection of the commands that talk to Redis. */
typedef struct redis_opts {
    const char *url;      /* --redis, or NULL */
    const char *config;   /* --config, or NULL */
    const char *file;     /* the one positional argument */
    bool delete_missing;  /* import-accounts --delete-missing */
    bool flat;            /* push --flat */
    const char *encoding; /* import-accounts --encoding, or NULL */
} redis_opts;

/* Parses argv (from the subcommand name on): --redis, --config, --help, one file (named
 * operand in messages), and --delete-missing and --encoding (import true) or --flat (import false). ARGS_RUN,
 * or the exit status after printing the help (0) or a usage error (2). */
int cli_parse_redis_opts(int argc, char **argv, const args_cmd *cmd, const char *operand,
                         bool import, redis_opts *o);
/* Connects to --redis URL (NULL: the config's redis.url) with the config's command timeout.
 * Returns a context (caller frees with redisFree) or NULL with the reason printed. */
struct conf;
struct redisContext;
struct redisContext *cli_redis_connect(const struct conf *cfg, const char *url);
/* Connects as the options and config say; sets *prefix (malloc'd, caller frees) and, when not
 * NULL, *max_entry_bytes (daemon.max_entry_bytes). The Redis URL comes from --redis, else the
 * config's redis.url, else its default. NULL on error (printed). */
struct redisContext *cli_open_redis(const redis_opts *o, char **prefix, long *max_entry_bytes);
/* input_opts.c: 0 when encoding is NULL or a name iconv knows, else -1 with the reason printed. */
int cli_check_encoding(const char *encoding);
/* Prints "l2a: [cmd: ]err", with a hint on --encoding when the file is not UTF-8. */
void cli_print_input_error(const char *cmd, const char *err);
/* A command's configuration (--config, else the defaults) and Redis connection. Both owned. */
typedef struct cli_session {
    struct conf cfg;
    struct redisContext *c;
} cli_session;
/* Loads config (NULL: the defaults) into s->cfg and connects as cli_redis_connect does. 0, or
 * -1 with the reason printed (nothing left to free). */
int cli_session_open(cli_session *s, const char *config, const char *url);
void cli_session_close(cli_session *s);
/* cmd_review.c */
int cli_review(int argc, char **argv);
/* cmd_replay.c */
int cli_replay(int argc, char **argv);
/* cmd_web.c */
int cli_web(int argc, char **argv);
/* cmd_learned.c */
int cli_learned(int argc, char **argv);

#endif
