/* suffix_list.h - the Public Suffix List libpsl's psl_latest would load, given to libpsl and, when
 * it is a DAFSA file, read into a hash table of its rules: registrable domains with libpsl's
 * answers for a few hash lookups instead of libpsl's walks of the DAFSA. */
#ifndef L2A_SUFFIX_LIST_H
#define L2A_SUFFIX_LIST_H

#include <libpsl.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct suffix_list suffix_list;

/* The list psl_latest(NULL) loads (the newest of Debian's files that is newer than libpsl's
 * built-in list, else the built-in list), read once: the bytes libpsl is given are the bytes the
 * table is read from. Never NULL (the libpsl context may be NULL, as psl_builtin may be). */
suffix_list *suffix_list_latest(void);
void suffix_list_free(suffix_list *l);   /* NULL-safe */

/* The libpsl context of the list (NULL when libpsl has none). */
const psl_ctx_t *suffix_list_psl(const suffix_list *l);

/* How many rules the table holds: 0 when there is none (the built-in list, a list in text form,
 * a DAFSA that could not be read) and libpsl answers every question. */
size_t suffix_list_rules(const suffix_list *l);

/* psl_registrable_domain(suffix_list_psl(l), h) for h of len bytes (NUL-terminated), from the
 * table: true with *reg set (a tail of h, or NULL for a public suffix), or false when the table
 * cannot answer for h (none, an empty label, a byte below '!', non-ASCII bytes a list without
 * UTF-8 rules would have libpsl convert to punycode): ask libpsl. */
bool suffix_list_registrable(const suffix_list *l, const char *h, size_t len, const char **reg);
/* suffix_list_registrable of a host host_normalize gave (valid: no empty label, no byte below
 * '!'), its checks left out. */
bool suffix_list_registrable_host(const suffix_list *l, const char *h, size_t len,
                                  const char **reg);

#endif
