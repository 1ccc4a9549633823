/* cli.h - subcommands of the `l2a` tool; each takes argv starting at the subcommand name and
 * returns the process exit status. */
#ifndef L2A_CLI_H
#define L2A_CLI_H

int cli_match(int argc, char **argv);
int cli_check_config(int argc, char **argv);
/* cli_redis.c */
int cli_import_accounts(int argc, char **argv);
int cli_push(int argc, char **argv);

#endif
