/* account_read.c - scripts/bench-start's measure of the loader's Redis side alone: every account
 * read as l2ad's loader reads it (account_feed_all), each dropped instead of indexed; prints the
 * count and the seconds. usage: account_read_bench HOST PORT [PREFIX] */
#include <stdio.h>
#include <stdlib.h>

#include "account_load.h"

static void drop(account_rec *a, void *ctx)
{
    (*(long *)ctx)++;
    account_rec_free(a);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s HOST PORT [PREFIX]\n", argv[0]);
        return 2;
    }
    redisContext *c = redisConnect(argv[1], atoi(argv[2]));
    if (!c || c->err) {
        fprintf(stderr, "account_read_bench: cannot connect: %s\n", c ? c->errstr : "no memory");
        return 1;
    }
    char pos[64], err[512];
    long dropped = 0;
    double t0 = epoch_ms_now();
    long n = account_feed_all(c, argc > 3 ? argv[3] : "l2a:", drop, &dropped, NULL, pos,
                              sizeof(pos), err, sizeof(err));
    double seconds = (epoch_ms_now() - t0) / 1000.0;
    redisFree(c);
    if (n < 0) {
        fprintf(stderr, "account_read_bench: %s\n", err);
        return 1;
    }
    printf("read %ld accounts in %.2f s\n", dropped, seconds);
    return 0;
}
