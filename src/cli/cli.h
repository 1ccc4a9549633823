/* cli.h - subcommands of the `l2a` tool; each takes argv starting at the subcommand name and
 * returns the process exit status. */
#ifndef L2A_CLI_H
#define L2A_CLI_H

int cli_match(int argc, char **argv);
int cli_check_config(int argc, char **argv);
/* cli_redis.c */
int cli_import_accounts(int argc, char **argv);
int cli_push(int argc, char **argv);
/* Connects to --redis URL (NULL: the config's redis.url) with the config's command timeout.
 * Returns a context (caller frees with redisFree) or NULL with the reason printed. */
struct conf;
struct redisContext;
struct redisContext *cli_redis_connect(const struct conf *cfg, const char *url);
/* cli_review.c */
int cli_review(int argc, char **argv);

#endif
