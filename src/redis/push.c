/* push.c - append leads from a JSONL file to the input stream, as a marketing-automation platform does. */
#include "push.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "rconn.h"
#include "inputs.h"

#define PUSH_BATCH 1000

/* Counts one XADD reply (a stream id). */
static int on_xadd_reply(const rpipe_cmd *cmd, const redisReply *r, void *ctx, char *err,
                         size_t errlen)
{
    push_stats *st = ctx;
    (void)cmd;
    if (r->type == REDIS_REPLY_STRING) {
        st->pushed++;
        return 0;
    }
    snprintf(err, errlen, "XADD: %s",
             r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
    return -1;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

/* Fills argv/lens (from index 3 on) with the known fields of a parsed lead; returns the count. */
static int flat_fields(const lead *l, const char **argv, size_t *lens)
{
    const char *names[] = {"id", "email", "company", "website", "first_name", "last_name",
                           "title", "country", "phone", "score", "source"};
    const char *vals[] = {l->id, l->email, l->company, l->website, l->first_name, l->last_name,
                          l->title, l->country, l->phone, l->score, l->source};
    int n = 3;
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        if (!vals[i])
            continue;
        argv[n] = names[i];
        lens[n++] = strlen(names[i]);
        argv[n] = vals[i];
        lens[n++] = strlen(vals[i]);
    }
    return n;
}

/* Queues XADD <leads> * (json <line> | field value ...). */
static int queue_line(rpipe *p, const char *stream, const char *line, size_t len, bool flat,
                      push_stats *st, char *err, size_t errlen)
{
    const char *argv[3 + 2 * 11] = {"XADD", stream, "*", "json", line};
    size_t lens[3 + 2 * 11] = {4, strlen(stream), 1, 4, len};
    int argc = 5;
    char perr[256];
    lead l;
    lead_init(&l);
    if (flat) {
        if (lead_from_json(line, len, &l, perr, sizeof(perr)) == 0)
            argc = flat_fields(&l, argv, lens);
        else
            st->unparsed++;
    }
    int rc = rpipe_add(p, argc, argv, lens, err, errlen);
    lead_free(&l);
    return rc;
}

/* Reads the lines and queues them; 0 or -1 with err set. */
static int push_lines(FILE *f, const char *path, rpipe *p, const char *stream, bool flat,
                      push_stats *st, char *err, size_t errlen)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while ((n = getline(&line, &cap, f)) != -1) {
        size_t len = (size_t)n;
        if (blank(line, len))
            continue;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if ((rc = queue_line(p, stream, line, len, flat, st, err, errlen)) != 0)
            break;
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    if (rc == 0)
        rc = rpipe_flush(p, err, errlen);
    free(line);
    return rc;
}

int push_leads(redisContext *c, const char *prefix, const char *path, bool flat,
               push_stats *st, char *err, size_t errlen)
{
    rpipe p;
    int rc = -1;
    char *stream = key_leads(prefix);
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    memset(st, 0, sizeof(*st));
    rpipe_init(&p, c, PUSH_BATCH, NULL, on_xadd_reply, st);
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    rc = push_lines(f, path, &p, stream, flat, st, err, errlen);
out:
    if (f && f != stdin)
        fclose(f);
    rpipe_free(&p);
    free(stream);
    return rc;
}
