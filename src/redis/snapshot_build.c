/* snapshot_build.c - an index built from the live account snapshot and brought current with the
 * account changes made after it: what l2ad's loader and `l2a replay` start from. */
#include "snapshot.h"

#include <stdio.h>
#include <string.h>

#include "account_changes.h"

long snapshot_build(redisContext *c, const char *prefix, const engine_opts *eng, matcher **m,
                    const atomic_bool *stop, snapshot_info *info, char *why, size_t whylen,
                    char *err, size_t errlen)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        long n = snapshot_load(c, prefix, *m, stop, info, why, whylen);
        if (n >= 0)
            return n;
        matcher_free(*m);            /* it may hold part of the snapshot */
        *m = matcher_new(eng, err, errlen);
        snapshot_info now;
        char ignored[256];
        if (!*m || !info->gen[0] || (stop && atomic_load(stop)) ||
            snapshot_info_read(c, prefix, &now, ignored, sizeof(ignored)) != 1 ||
            strcmp(now.gen, info->gen) == 0)
            break;
    }
    return -1;
}

static void catch_up_upsert(const account_rec *a, void *ctx)
{
    (void)matcher_upsert_account(ctx, a);
}

static void catch_up_delete(const char *id, void *ctx)
{
    (void)matcher_delete_account(ctx, id);
}

long snapshot_catch_up(redisContext *c, const char *prefix, matcher *m, char *pos, size_t poslen,
                       char *err, size_t errlen)
{
    const change_ops ops = {.upsert = catch_up_upsert, .remove = catch_up_delete, .ctx = m};
    char last[64];
    long n = account_changes_read(c, prefix, pos, &ops, last, sizeof(last), NULL, err, errlen);
    if (n >= 0)
        snprintf(pos, poslen, "%s", last);
    return n;
}
