/* args.c - the command-line conventions l2a and l2ad share: help on stdout, usage errors on
 * stderr with what was wrong, getopt_long's failures said in words. */
#include "args.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void args_reset(void)
{
    optind = 0;                 /* glibc: 0 also resets its state between two argv */
    opterr = 0;                 /* messages are ours (args_option_error) */
}

int args_help(const args_cmd *cmd)
{
    fputs(cmd->usage, stdout);
    return 0;
}

int args_usage_error(const args_cmd *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s", cmd->usage);
    return ARGS_EXIT_USAGE;
}

/* The option getopt_long just read, as typed: "--name" (without "=value") or "-c". An option
 * read with its value in the next argument ("--account ID") is two back. */
static void option_text(int ch, char **argv, char *buf, size_t len)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    if (arg[0] != '-' && optind > 1)
        arg = argv[optind - 2];
    if (strncmp(arg, "--", 2) == 0)
        snprintf(buf, len, "%.*s", (int)strcspn(arg, "="), arg);
    else
        snprintf(buf, len, "-%c", ch == '?' || ch == ':' ? optopt : ch);
}

int args_option_error(const args_cmd *cmd, int ch, char **argv)
{
    char opt[128];
    option_text(ch, argv, opt, sizeof(opt));
    if (ch == ':')
        return args_usage_error(cmd, "option '%s' needs a value", opt);
    if (ch == '?' && optopt && strncmp(opt, "--", 2) == 0)
        return args_usage_error(cmd, "option '%s' takes no value", opt);  /* --flag=x */
    if (ch == '?')
        return args_usage_error(cmd, "unknown option '%s'", opt);
    return args_usage_error(cmd, "'%s' is not an option of this command", opt);
}

int args_no_operands(const args_cmd *cmd, int argc, char **argv)
{
    if (optind < argc)
        return args_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    return ARGS_RUN;
}

int args_subcommand(const args_cmd *cmd, int argc, char **argv, const char *const *subs,
                    size_t n, const char *names, size_t *index)
{
    if (argc < 2)
        return args_usage_error(cmd, "missing subcommand (%s)", names);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return argc == 2 ? args_help(cmd)
                         : args_usage_error(cmd, "unexpected argument '%s'", argv[2]);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(argv[1], subs[i]) == 0) {
            *index = i;
            return ARGS_RUN;
        }
    }
    return args_usage_error(cmd, "unknown subcommand '%s' (%s)", argv[1], names);
}
