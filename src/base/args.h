/* args.h - the command-line conventions l2a and l2ad share: --help prints the usage on stdout
 * (exit 0); a usage error says what was wrong on stderr, then the usage (exit 2). */
#ifndef L2A_ARGS_H
#define L2A_ARGS_H

#include <stddef.h>

#define ARGS_RUN (-1)           /* a parser's "go on": anything else is the exit status */
#define ARGS_EXIT_USAGE 2       /* the exit status of a usage error */

/* A command as its messages name it. Both strings static. */
typedef struct args_cmd {
    const char *name;           /* "l2a match", "l2ad" */
    const char *usage;          /* the whole usage text, ending in a newline */
} args_cmd;

/* Prepares getopt_long for a fresh scan of a new argv (it also prints nothing itself). Use an
 * optstring that starts with ':' so that a missing value is told from an unknown option. */
void args_reset(void);
/* The usage on stdout. Returns 0 (the exit status). */
int args_help(const args_cmd *cmd);
/* "NAME: message" and the usage on stderr. Returns ARGS_EXIT_USAGE. */
int args_usage_error(const args_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The usage error for what getopt_long returned as ch: ':' a missing value, '?' an unknown
 * option, anything else an option this command does not take. argv is the scanned argv. */
int args_option_error(const args_cmd *cmd, int ch, char **argv);
/* The subcommand argv[1] among subs[0..n-1]: *index gets its position. cmd (the command, for
 * messages) prints its help for "--help"/"-h" alone; a missing or unknown subcommand is a usage
 * error naming the choices (names: "list, show or resolve"). ARGS_RUN, or the exit status. */
int args_subcommand(const args_cmd *cmd, int argc, char **argv, const char *const *subs,
                    size_t n, const char *names, size_t *index);
/* ARGS_RUN when getopt left no operand in argv, else the usage error naming the first. */
int args_no_operands(const args_cmd *cmd, int argc, char **argv);

#endif
