/* input_opts.c - what the l2a commands that read an operator's files share: the --encoding check
 * and how an input error is shown. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "text.h"

int cli_check_encoding(const char *encoding)
{
    if (!encoding || text_encoding_known(encoding))
        return 0;
    fprintf(stderr, "l2a: --encoding %s: unknown encoding (`iconv -l` lists the names iconv knows, "
                    "e.g. windows-1252, latin1, utf-16)\n", encoding);
    return -1;
}

void cli_print_input_error(const char *cmd, const char *err)
{
    fprintf(stderr, "l2a: %s%s%s\n", cmd ? cmd : "", cmd ? ": " : "", err);
    if (strstr(err, "not valid UTF-8"))
        fprintf(stderr, "l2a: hint: a file in another encoding can be read with --encoding NAME "
                        "(e.g. --encoding windows-1252 for an Excel export)\n");
}
