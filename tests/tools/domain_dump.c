/* domain_dump.c - what domain.c makes of every dotted token of some files, one line each. */
/* A line: the token, its website host, registrable domain and label, its email status, host (or
 * error) and registrable domain. Two builds' outputs compared show whether a change of domain.c
 * changed an answer (scripts/check-domains). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "util.h"

#define NOT_IN_HOSTS ",;\"'<>()[]{}| \t\r\n" /* where a file's tokens are split */

static void put(const char *s)
{
    fputs(s ? s : "-", stdout);
}

/* token: its website host, registrable domain and label, and as an email its host and
 * registrable domain (or the parse error). */
static void dump(const char *token)
{
    char *host = website_host(token), *reg = website_registrable(token);
    char *label = reg ? domain_label(reg) : NULL;
    email_addr e;
    const char *err = NULL;
    email_status st = email_parse(token, &e, &err);
    fputs(token, stdout);
    putchar('\t');
    put(host);
    putchar('\t');
    put(reg);
    putchar('\t');
    put(label);
    printf("\t%d\t", (int)st);
    put(st == EMAIL_OK ? e.host : err);
    putchar('\t');
    put(e.registrable);
    putchar('\n');
    email_free(&e);
    free(host);
    free(reg);
    free(label);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        char *text = read_file(argv[i], NULL), *save = NULL;
        if (!text) {
            fprintf(stderr, "domain_dump: %s: cannot read\n", argv[i]);
            return 1;
        }
        for (char *t = strtok_r(text, NOT_IN_HOSTS, &save); t;
             t = strtok_r(NULL, NOT_IN_HOSTS, &save))
            if (strchr(t, '.'))
                dump(t);
        free(text);
    }
    domain_shutdown();
    return 0;
}
