/* learned.c - the table of learned facts: entries in an array, a map from each fact's key
 * (kind, name, domain or account) to its slot, and a count of never facts per name. */
#include "learned.h"

#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "util.h"

/* One fact with its own copies of the strings; view points into them. */
typedef struct learned_entry {
    char *str[6];            /* owned: name, domain, account_id, by, at, lead_id */
    learned_fact view;
} learned_entry;

struct learned_table {
    learned_entry *v;        /* owned */
    size_t n, cap;
    strmap *by_key;          /* fact key -> slot */
    strmap *never_names;     /* name -> number of never facts */
};

const char *const learned_field_names[LEARNED_NFIELDS] = {"kind", "name", "domain", "account_id",
                                                           "by", "at", "lead_id"};

const char **learned_fact_field(learned_fact *f, size_t k)
{
    const char **slots[LEARNED_NFIELDS] = {NULL, &f->name, &f->domain, &f->account_id, &f->by,
                                           &f->at, &f->lead_id};
    return k < LEARNED_NFIELDS ? slots[k] : NULL;
}

const char *learned_kind_name(learned_kind k)
{
    return k == LEARNED_NEVER ? "never" : "always";
}

int learned_kind_parse(const char *s, learned_kind *k)
{
    if (s && strcmp(s, "always") == 0)
        *k = LEARNED_ALWAYS;
    else if (s && strcmp(s, "never") == 0)
        *k = LEARNED_NEVER;
    else
        return -1;
    return 0;
}

learned_table *learned_new(void)
{
    learned_table *t = xcalloc(1, sizeof(*t));
    t->by_key = strmap_new();
    t->never_names = strmap_new();
    return t;
}

static void entry_free(learned_entry *e)
{
    for (size_t i = 0; i < ARRAY_LEN(e->str); i++)
        free(e->str[i]);
    memset(e, 0, sizeof(*e));
}

void learned_free(learned_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        entry_free(&t->v[i]);
    free(t->v);
    strmap_free(t->by_key);
    strmap_free(t->never_names);
    free(t);
}

/* "a\t<domain>\t<name>" or "n\t<domain>\t<name>\t<account>" (domain "" when none): a tab is in
 * no normalised name or domain. */
static char *fact_key(learned_kind kind, const char *domain, const char *name, const char *account)
{
    strbuf sb;
    sb_init(&sb);
    if (kind == LEARNED_NEVER)
        sb_appendf(&sb, "n\t%s\t%s\t%s", domain ? domain : "", name, account);
    else
        sb_appendf(&sb, "a\t%s\t%s", domain, name);
    return sb_take(&sb);
}

static char *key_of(const learned_fact *f)
{
    return fact_key(f->kind, f->domain, f->name, f->account_id);
}

static bool filled(const char *s)
{
    return s && *s;
}

/* What names the fact: its name and, for always, the domain; for never, the account. */
static bool keyed(const learned_fact *f)
{
    return filled(f->name) && filled(f->kind == LEARNED_NEVER ? f->account_id : f->domain);
}

static bool complete(const learned_fact *f)
{
    return keyed(f) && filled(f->account_id);
}

static char *dup_or_null(const char *s)
{
    return s && *s ? xstrdup(s) : NULL;
}

static void entry_set(learned_entry *e, const learned_fact *f)
{
    const char *src[] = {f->name, f->domain, f->account_id,
                         f->by, f->at, f->lead_id};
    for (size_t i = 0; i < ARRAY_LEN(e->str); i++)
        e->str[i] = dup_or_null(src[i]);
    e->view = (learned_fact){f->kind, e->str[0], e->str[1], e->str[2], e->str[3], e->str[4],
                             e->str[5]};
}

static void count_never(learned_table *t, const char *name, int delta)
{
    uint32_t n = 0;
    (void)strmap_get(t->never_names, name, &n);
    n = (uint32_t)((int)n + delta);
    if (n)
        strmap_put(t->never_names, name, n);
    else
        (void)strmap_del(t->never_names, name);
}

bool learned_put(learned_table *t, const learned_fact *f)
{
    if (!complete(f))
        return false;
    char *key = key_of(f);
    uint32_t slot;
    if (strmap_get(t->by_key, key, &slot)) {
        entry_free(&t->v[slot]);
    } else {
        if (t->n == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 16;
            t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
        }
        slot = (uint32_t)t->n++;
        strmap_put(t->by_key, key, slot);
        if (f->kind == LEARNED_NEVER)
            count_never(t, f->name, 1);
    }
    entry_set(&t->v[slot], f);
    free(key);
    return true;
}

bool learned_del(learned_table *t, const learned_fact *f)
{
    if (!keyed(f))
        return false;
    char *key = key_of(f);
    uint32_t slot;
    bool found = strmap_get(t->by_key, key, &slot);
    if (found) {
        (void)strmap_del(t->by_key, key);
        if (f->kind == LEARNED_NEVER)
            count_never(t, f->name, -1);
        entry_free(&t->v[slot]);
        if (slot != t->n - 1) {    /* the last entry fills the hole */
            t->v[slot] = t->v[t->n - 1];
            char *moved = key_of(&t->v[slot].view);
            strmap_put(t->by_key, moved, slot);
            free(moved);
        }
        t->n--;
    }
    free(key);
    return found;
}

size_t learned_count(const learned_table *t)
{
    return t->n;
}

learned_fact learned_get(const learned_table *t, size_t i)
{
    return t->v[i].view;
}

static const learned_fact *find(const learned_table *t, char *key)
{
    uint32_t slot;
    bool found = strmap_get(t->by_key, key, &slot);
    free(key);
    return found ? &t->v[slot].view : NULL;
}

const learned_fact *learned_always(const learned_table *t, const char *domain, const char *name)
{
    if (!t->n || !domain || !name)
        return NULL;
    return find(t, fact_key(LEARNED_ALWAYS, domain, name, NULL));
}

const learned_fact *learned_never(const learned_table *t, const char *domain, const char *name,
                                  const char *account_id)
{
    if (!t->n || !name || !account_id)
        return NULL;
    return find(t, fact_key(LEARNED_NEVER, domain, name, account_id));
}

bool learned_names_never(const learned_table *t, const char *name)
{
    return t->n && name && strmap_has(t->never_names, name);
}

void learned_describe(const learned_fact *f, strbuf *sb)
{
    sb_append(sb, "learned from a review");
    if (f->by && *f->by)
        sb_appendf(sb, " by %s", f->by);
    if (f->at && strlen(f->at) >= 10)
        sb_appendf(sb, " on %.10s", f->at);
    if (f->lead_id && *f->lead_id)
        sb_appendf(sb, " of lead %s", f->lead_id);
}
