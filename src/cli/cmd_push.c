/* cmd_push.c - `l2a push`: leads from a JSONL file onto the input stream, as a MAP does. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "push.h"

static const args_cmd push_cmd = {
    "l2a push",
    "usage: l2a push [--redis URL] [--config FILE] [--flat] LEADS.jsonl\n"
    "  appends each lead (one JSON object a line) to the input stream, as a marketing-automation\n"
    "  platform does; --flat writes the lead's fields as stream fields instead of one 'json'\n"
    "  field. --redis overrides the config's redis.url. Exit 0 ok, 1 error, 2 usage error.\n",
};

int cli_push(int argc, char **argv)
{
    redis_opts o;
    push_stats st;
    long max_entry = 0;
    char err[512], *prefix = NULL;
    int rc = cli_parse_redis_opts(argc, argv, &push_cmd, "LEADS.jsonl", false, &o);
    if (rc != ARGS_RUN)
        return rc;
    redisContext *c = cli_open_redis(&o, &prefix, &max_entry);
    if (!c)
        return 1;
    rc = push_leads(c, prefix, o.file, o.flat, max_entry, &st, err, sizeof(err));
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
