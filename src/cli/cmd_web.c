/* cmd_web.c - `l2a web passwd NAME`: a users-file line for the review page, the password read on
 * standard input and hashed with yescrypt. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "webusers.h"

static const args_cmd web_cmd = {
    "l2a web", "usage: l2a web passwd NAME    (l2a web passwd --help)\n"
               "  the review page's users\n"
               "Exit 0 ok, 1 error, 2 usage error.\n"};
static const args_cmd passwd_cmd = {
    "l2a web passwd",
    "usage: l2a web passwd NAME < PASSWORD\n"
    "  reads a password (the first line of standard input; asked for without echo on a\n"
    "  terminal) and prints the line \"NAME:HASH\" (yescrypt) for web.users_file;\n"
    "  NAME: 1 to 64 letters, digits and . _ @ -\n"
    "Exit 0 ok, 1 error, 2 usage error.\n"};

/* The first line of stdin into buf (line end removed), echo off on a terminal. 0, or -1 (said
 * why). */
static int read_password(char *buf, size_t len)
{
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fprintf(stderr, "password: ");
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *got = fgets(buf, (int)len, stdin);
    if (tty) {
        (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fprintf(stderr, "\n");
    }
    size_t n = got ? strlen(buf) : 0;
    if (got && n == len - 1 && buf[n - 1] != '\n') {
        fprintf(stderr, "l2a web passwd: the password is longer than %d bytes\n",
                WEBUSERS_PASSWORD_MAX);
        return -1;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    if (n == 0) {
        fprintf(stderr, "l2a web passwd: no password on standard input\n");
        return -1;
    }
    return 0;
}

/* argv starts at "passwd". ARGS_RUN with *name set, or the exit status. */
static int parse_passwd(int argc, char **argv, const char **name)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int ch;
    args_reset();
    while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (ch == 'h')
            return args_help(&passwd_cmd);
        return args_option_error(&passwd_cmd, ch, argv);
    }
    if (optind == argc)
        return args_usage_error(&passwd_cmd, "NAME is required");
    *name = argv[optind++];
    if (!webusers_name_ok(*name))
        return args_usage_error(&passwd_cmd, "bad NAME '%s' (1 to %d letters, digits and . _ @ -)",
                                *name, WEBUSERS_NAME_MAX);
    return args_no_operands(&passwd_cmd, argc, argv);
}

static int do_passwd(int argc, char **argv)
{
    const char *name = NULL;
    char password[WEBUSERS_PASSWORD_MAX + 2], err[256];
    int rc = parse_passwd(argc, argv, &name);
    if (rc != ARGS_RUN)
        return rc;
    if (read_password(password, sizeof(password)) != 0)
        return 1;
    char *hash = webusers_hash(password, err, sizeof(err));
    explicit_bzero(password, sizeof(password));
    if (!hash) {
        fprintf(stderr, "l2a web passwd: %s\n", err);
        return 1;
    }
    printf("%s:%s\n", name, hash);
    free(hash);
    return 0;
}

int cli_web(int argc, char **argv)
{
    if (argc < 2)
        return args_usage_error(&web_cmd, "missing subcommand (passwd)");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return argc == 2 ? args_help(&web_cmd)
                         : args_usage_error(&web_cmd, "unexpected argument '%s'", argv[2]);
    if (strcmp(argv[1], "passwd") == 0)
        return do_passwd(argc - 1, argv + 1);
    return args_usage_error(&web_cmd, "unknown subcommand '%s' (passwd)", argv[1]);
}
