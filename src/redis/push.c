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

/* One push: where it goes and what it has done. */
typedef struct push_ctx {
    rpipe *p;
    const char *stream;     /* borrowed */
    const char *path;       /* borrowed, for messages */
    bool flat;
    long max_entry_bytes;   /* entries the daemon would dead-letter are refused here */
    push_stats *st;         /* borrowed */
} push_ctx;

/* The bytes of an entry as the daemon counts them: its field names and values. */
static size_t entry_bytes(int argc, const size_t *lens)
{
    size_t total = 0;
    for (int i = 3; i < argc; i++)
        total += lens[i];
    return total;
}

/* Queues XADD <leads> * (json <line> | field value ...), or refuses a line over the size limit
 * (reported, counted in refused). */
static int queue_line(push_ctx *x, const char *line, size_t len, long lineno, char *err,
                      size_t errlen)
{
    const char *argv[3 + 2 * 11] = {"XADD", x->stream, "*", "json", line};
    size_t lens[3 + 2 * 11] = {4, strlen(x->stream), 1, 4, len};
    int argc = 5, rc = 0;
    char perr[256];
    lead l;
    lead_init(&l);
    if (x->flat) {
        if (lead_from_json(line, len, &l, perr, sizeof(perr)) == 0)
            argc = flat_fields(&l, argv, lens);
        else
            x->st->unparsed++;
    }
    size_t bytes = entry_bytes(argc, lens);
    if (bytes > (size_t)x->max_entry_bytes) {
        fprintf(stderr, "l2a: push: %s:%ld: the lead is %zu bytes, over daemon.max_entry_bytes "
                "%ld; not pushed\n", x->path, lineno, bytes, x->max_entry_bytes);
        x->st->refused++;
    } else {
        rc = rpipe_add(x->p, argc, argv, lens, err, errlen);
    }
    lead_free(&l);
    return rc;
}

/* Reads the lines and queues them; 0 or -1 with err set. */
static int push_lines(push_ctx *x, FILE *f, char *err, size_t errlen)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    int rc = 0;
    while ((n = getline(&line, &cap, f)) != -1) {
        char *text = line;
        size_t len = (size_t)n;
        if (++lineno == 1 && len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
            text += 3, len -= 3; /* a UTF-8 byte order mark */
        if (blank(text, len))
            continue;
        while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
            len--;
        if ((rc = queue_line(x, text, len, lineno, err, errlen)) != 0)
            break;
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "%s: %s", x->path, strerror(errno));
        rc = -1;
    }
    if (rc == 0)
        rc = rpipe_flush(x->p, err, errlen);
    free(line);
    return rc;
}

int push_leads(redisContext *c, const char *prefix, const char *path, bool flat,
               long max_entry_bytes, push_stats *st, char *err, size_t errlen)
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
    push_ctx x = {&p, stream, path, flat, max_entry_bytes, st};
    rc = push_lines(&x, f, err, errlen);
out:
    if (f && f != stdin)
        fclose(f);
    rpipe_free(&p);
    free(stream);
    return rc;
}
