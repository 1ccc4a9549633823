/* cmd_push.c - `l2a push`: leads from a JSONL file onto the input stream, as a MAP does. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "push.h"

static const char push_usage[] = "usage: l2a push [--redis URL] [--config FILE] [--flat] LEADS.jsonl\n";

int cli_push(int argc, char **argv)
{
    redis_opts o;
    push_stats st;
    long max_entry = 0;
    char err[512], *prefix = NULL;
    if (cli_parse_redis_opts(argc, argv, push_usage, false, &o) != 0)
        return 2;
    redisContext *c = cli_open_redis(&o, &prefix, &max_entry);
    if (!c)
        return 1;
    int rc = push_leads(c, prefix, o.file, o.flat, max_entry, &st, err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "l2a: push: %s\n", err);
    if (st.unparsed > 0)
        fprintf(stderr, "l2a: %ld lines were not valid leads and were pushed as 'json' fields\n",
                st.unparsed);
    fprintf(stderr, "%spushed %ld leads\n", rc != 0 ? "l2a: before the error, " : "", st.pushed);
    if (st.refused > 0)
        fprintf(stderr, "l2a: push: %ld lines over daemon.max_entry_bytes %ld were not pushed "
                "(see above)\n", st.refused, max_entry);
    redisFree(c);
    free(prefix);
    return rc == 0 && st.refused == 0 ? 0 : 1;
}
