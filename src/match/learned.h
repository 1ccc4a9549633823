/* learned.h - facts learned from review decisions (a company at a corporate domain is always one
 * account; a company is never a given account), kept in a small table the matcher consults
 * before scoring. */
#ifndef L2A_LEARNED_H
#define L2A_LEARNED_H

#include <stdbool.h>
#include <stddef.h>

typedef enum learned_kind {
    LEARNED_ALWAYS = 0,   /* name + corporate domain -> account */
    LEARNED_NEVER,        /* name -> an account it is not */
} learned_kind;

/* One learned fact. In learned_fact the strings are borrowed; in the table's copies, owned. */
typedef struct learned_fact {
    learned_kind kind;
    const char *name;        /* the company as the engine normalises it (lead_facts.name_key) */
    const char *domain;      /* the lead's corporate email domain: required for always; for
                              * never, NULL when the lead had none (free-mail, no email) */
    const char *account_id;  /* always: the account to match; never: the account to exclude */
    const char *by;          /* who resolved the review (may be NULL) */
    const char *at;          /* when, ISO-8601 UTC (may be NULL) */
    const char *lead_id;     /* the lead whose review taught it (may be NULL) */
} learned_fact;

/* The fields of a fact as its text forms name them (JSON, stream entries, YAML): "kind", then
 * the strings "name", "domain", "account_id", "by", "at", "lead_id". */
#define LEARNED_NFIELDS 7
extern const char *const learned_field_names[LEARNED_NFIELDS];
/* Where string field k (1..LEARNED_NFIELDS-1) of f lives; NULL for k 0 (kind). */
const char **learned_fact_field(learned_fact *f, size_t k);

/* "always" / "never"; learned_kind_parse: 0, or -1 for any other text. */
const char *learned_kind_name(learned_kind k);
int learned_kind_parse(const char *s, learned_kind *k);

/* ---- the table (inside the engine) ---- */

typedef struct learned_table learned_table;

learned_table *learned_new(void);
void learned_free(learned_table *t);    /* NULL-safe */
/* Adds or replaces the fact with the same key (kind, name, domain or account). false when a
 * required field is missing (name and account; domain for always). */
bool learned_put(learned_table *t, const learned_fact *f);
/* Removes the fact with f's key (kind, domain, name, and for never the account; the rest is
 * ignored); false when it was not there. */
bool learned_del(learned_table *t, const learned_fact *f);
size_t learned_count(const learned_table *t);
/* The i-th fact (0 <= i < learned_count), strings borrowed from the table. */
learned_fact learned_get(const learned_table *t, size_t i);
/* The always fact for (domain, name), or NULL. Borrowed. */
const learned_fact *learned_always(const learned_table *t, const char *domain, const char *name);
/* The never fact for (domain, name, account), or NULL. A never fact holds for leads of its
 * name from its domain (domain NULL: leads without a corporate domain). Borrowed. */
const learned_fact *learned_never(const learned_table *t, const char *domain, const char *name,
                                  const char *account_id);
/* Whether any never fact names this company. */
bool learned_names_never(const learned_table *t, const char *name);
/* "learned from a review by ann on 2026-12-02" (who and when as far as known), appended to sb. */
struct strbuf;
void learned_describe(const learned_fact *f, struct strbuf *sb);

#endif
