/* domain.h - email and website parsing, registrable domains (libpsl) and free-mail/disposable lists. */
#ifndef L2A_DOMAIN_H
#define L2A_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "bump.h"
#include "util.h"

/* Result of parsing an email address. All strings owned by the struct (free with email_free). */
typedef struct email_addr {
    char *local;        /* local part, lower-cased */
    char *host;         /* full host, lower-cased, IDNA not applied, trailing dot removed */
    char *registrable;  /* registrable domain of host per the Public Suffix List (e.g. acme.co.uk) */
} email_addr;

typedef enum email_status {
    EMAIL_OK = 0,
    EMAIL_EMPTY,        /* missing or blank */
    EMAIL_MALFORMED,    /* not local@host: no '@', several '@', "x at y", spaces, empty part ... */
    EMAIL_BAD_DOMAIN,   /* host is not a valid DNS name, or is itself a public suffix (a@co.uk) */
} email_status;

/* Parses strictly (trims surrounding whitespace and one pair of <>). On error, *err_text (static
 * string) says why in a few words, e.g. "missing @", "more than one @", "empty local part",
 * "contains spaces", "invalid domain", "domain is a public suffix". err_text may be NULL. On
 * success out owns its strings (email_free); on error out is zeroed (email_free is harmless). */
email_status email_parse(const char *raw, email_addr *out, const char **err_text) MUSTCHECK;
void email_free(email_addr *e);
/* email_parse with out's strings carved from b (good until its reset; email_free not called):
 * registrable is a tail of host. *plain: the host was plain ASCII, so host_normalize gives it
 * back as it is (host_plain_normal) and so does the registrable domain. */
email_status email_parse_bump(const char *raw, email_addr *out, const char **err_text, bump *b,
                              bool *plain) MUSTCHECK;

/* Host of a website in any form a CRM holds ("www.x.com", "https://x.com/en/", "X.COM:8080",
 * "http://user@x.com?q"), lower-cased. Returns malloc'd host or NULL when there is none. */
char *website_host(const char *raw);

/* Registrable domain of host via libpsl (psl_latest: Debian's publicsuffix data, with the built-in
 * list as fallback). Returns malloc'd string, or NULL when host is a public suffix or invalid. */
char *domain_registrable(const char *host);

/* Registrable domain of a website string: website_host then domain_registrable. */
char *website_registrable(const char *raw);
/* website_registrable of raw[0..n) (no NUL needed there), carved from b: without a malloc for a
 * plain ASCII host (the usual one). *plain tells whether the domain is of [a-z0-9.-] with no
 * A-label (its label is then what precedes its first dot). */
char *website_registrable_bump(const char *raw, size_t n, bump *b, bool *plain);

/* The "label" of a registrable domain: the part before its public suffix ("acme" for acme.co.uk,
 * "dc-storm" for dc-storm.com). Returns malloc'd string or NULL. */
char *domain_label(const char *registrable);

/* The Public Suffix List is loaded on first use and kept in a static handle. That first use is not
 * thread-safe: a multi-threaded program calls any domain_* function once before starting threads.
 * domain_shutdown frees the list (for leak checkers); a later call loads it again. */
void domain_shutdown(void);

/* A set of domains (free-mail or disposable). Matching is on the exact host and on every parent
 * domain of it (mail.yahoo.co.uk matches yahoo.co.uk). */
typedef struct domain_set domain_set;

domain_set *domain_set_new(void);
void domain_set_free(domain_set *s);
/* Loads one domain a line; '#' comments and blank lines ignored; entries lower-cased. Returns 0, or
 * -1 with a message "path:line: ..." or "path: strerror" in err. All or nothing: on error the set
 * is unchanged. */
int domain_set_load(domain_set *s, const char *path, char *err, size_t errlen) MUSTCHECK;
/* add/remove normalise domain like a host (lower case, trailing dot dropped); add ignores a string
 * that is not a valid domain name. An entry that is a public suffix never matches (see contains). */
void domain_set_add(domain_set *s, const char *domain);
void domain_set_remove(domain_set *s, const char *domain);
/* True when host or one of its parent domains down to its registrable domain is in the set; a bare
 * public suffix (co.uk, github.io) is never checked. */
bool domain_set_contains(const domain_set *s, const char *host);
/* domain_set_contains of one host in two sets, the host normalised and its registrable domain
 * found once. */
void domain_sets_contain(const domain_set *a, const domain_set *b, const char *host, bool *in_a,
                         bool *in_b);
/* domain_sets_contain of host, or-ed with that of reg (a registrable domain) when host's own
 * registrable domain is not reg (host's walk down to its registrable domain checks reg itself).
 * host_reg: NULL, or host's registrable domain when host and host_reg are an address's host and
 * registrable domain as email_parse_bump read them (unchanged since) and it found the host plain
 * (*plain): then the host is not normalised nor its registrable domain looked up again. */
void domain_sets_contain_either(const domain_set *a, const domain_set *b, const char *host,
                                const char *host_reg, const char *reg, bool *in_a, bool *in_b);
size_t domain_set_count(const domain_set *s);

#endif
