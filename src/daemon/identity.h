/* identity.h - l2ad's default consumer name in the group, stable across restarts (identity.c). */
#ifndef L2A_IDENTITY_H
#define L2A_IDENTITY_H

/* "host:unit" under an l2ad systemd unit, else "host:N" for the first free slot N on the host
 * among the workers of scope (the Redis they share and the key prefix, as a string);
 * *lock_fd is the slot's lock (-1 for a unit name): keep it open for the process's life. The
 * name is malloc'd. */
char *identity_consumer_name(const char *scope, int *lock_fd);

#endif
