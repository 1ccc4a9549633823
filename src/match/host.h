/* host.h - host names normalised (lower case, A-labels decoded, one trailing dot dropped) and
 * validated as DNS names: what domain.c's emails, websites and domain sets are keyed by. */
#ifndef L2A_HOST_H
#define L2A_HOST_H

#include <stdbool.h>
#include <stddef.h>

#define HOST_MAX 253  /* bytes of a host name without its trailing dot */

/* Normalised host of s[0..n): lower case (utf8proc for non-ASCII: lower case + NFKC), A-labels
 * decoded, one trailing dot removed, then validated (two labels or more, each 1..63 bytes of
 * letters, digits and inner '-', the TLD not all digits). Returns a malloc'd string (caller
 * frees) or NULL when it is not a valid host name. */
char *host_normalize(const char *s, size_t n);

/* host_normalize of ASCII s[0..n) holding no A-label, into h (n + 1 bytes): false when it is no
 * valid host. *done false (h undefined) when s is not such a string: host_normalize takes it. */
bool host_normalize_ascii_into(const char *s, size_t n, char *h, bool *done);

/* Whether host_normalize gives h, a host it gave (or a tail of one of two labels or more: valid,
 * no trailing dot), back as it is: ASCII without capitals or an A-label. */
bool host_plain_normal(const char *h);

/* Whether s[0..n) is nothing but the digits 0-9 (true when empty). */
bool host_all_digits(const char *s, size_t n);

#endif
