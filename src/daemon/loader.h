/* loader.h - a new matcher built on a thread while the loop keeps serving: the accounts read from
 * Redis, and for a reload a new configuration; swapped in on the loop (loader.c). */
#ifndef L2A_LOADER_H
#define L2A_LOADER_H

#include <stdbool.h>
#include <stddef.h>

struct l2ad;

/* 0, or -1 with err (the wake-up pipe could not be made). */
int loader_init(struct l2ad *d, char *err, size_t errlen);
/* Waits for a build in progress, then frees what it made. */
void loader_free(struct l2ad *d);
/* Starts a build: the accounts (reload false), or the config file and the accounts (reload
 * true, SIGHUP). Requests while a build runs coalesce into one more build after it; a reload
 * request wins over an account load. The result reaches ready_accounts_done (accounts) and the
 * log, metrics and systemd status (reload). */
void loader_request(struct l2ad *d, bool reload);

#endif
