/* tiebreak.c - configurable tie-breaks between equally good accounts: hierarchy, account type,
 * latest activity, size. */
#include <string.h>
#include <strings.h>

#include "evidence.h"

typedef long (*tie_rank_fn)(const matcher *m, const account *a, const uint32_t *slots, size_t n);

/* Higher rank wins. */
static long rank_parent(const matcher *m, const account *a, const uint32_t *slots, size_t n)
{
    long r = 0;
    for (size_t i = 0; i < n; i++) {
        const account *o = &m->ix.acc[slots[i]];
        if (o != a && o->parent_id && strcmp(o->parent_id, a->id) == 0)
            r++;
    }
    return r;
}

static long rank_child(const matcher *m, const account *a, const uint32_t *slots, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const account *o = &m->ix.acc[slots[i]];
        if (o != a && a->parent_id && strcmp(a->parent_id, o->id) == 0)
            return 1;
    }
    return 0;
}

static long rank_type(const matcher *m, const account *a, const uint32_t *slots, size_t n)
{
    (void)slots;
    (void)n;
    const strvec *order = &m->cfg->type_order;
    for (size_t i = 0; a->type && i < order->n; i++)
        if (strcasecmp(order->v[i], a->type) == 0)
            return (long)(order->n - i);
    return 0;
}

/* ISO dates compare as text: YYYYMMDD as a number. */
static long rank_activity(const matcher *m, const account *a, const uint32_t *slots, size_t n)
{
    (void)m;
    (void)slots;
    (void)n;
    if (!a->last_activity || strlen(a->last_activity) < 10)
        return 0;
    const char *d = a->last_activity;
    long v = 0;
    for (int i = 0; i < 10; i++)
        if (d[i] >= '0' && d[i] <= '9')
            v = v * 10 + (d[i] - '0');
    return v;
}

static long rank_employees(const matcher *m, const account *a, const uint32_t *slots, size_t n)
{
    (void)m;
    (void)slots;
    (void)n;
    return a->employees;
}

static tie_rank_fn rank_fn(const char *name)
{
    if (strcmp(name, "parent") == 0)
        return rank_parent;
    if (strcmp(name, "child") == 0)
        return rank_child;
    if (strcmp(name, "type") == 0)
        return rank_type;
    if (strcmp(name, "last_activity") == 0)
        return rank_activity;
    if (strcmp(name, "employees") == 0)
        return rank_employees;
    return NULL;
}

/* Keeps the slots with the highest rank; returns how many remain. */
static size_t keep_best(const matcher *m, tie_rank_fn fn, uint32_t *slots, size_t n)
{
    long best = 0;
    long ranks[EVIDENCE_MAX_CANDIDATES];
    for (size_t i = 0; i < n; i++) {
        ranks[i] = fn(m, &m->ix.acc[slots[i]], slots, n);
        if (i == 0 || ranks[i] > best)
            best = ranks[i];
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (ranks[i] == best)
            slots[k++] = slots[i];
    return k;
}

long tie_break(const matcher *m, const uint32_t *slots, size_t n, const char **why)
{
    uint32_t left[EVIDENCE_MAX_CANDIDATES];
    if (n > EVIDENCE_MAX_CANDIDATES)
        n = EVIDENCE_MAX_CANDIDATES;
    memcpy(left, slots, n * sizeof(*slots));
    const strvec *order = &m->cfg->tie_breaks;
    for (size_t i = 0; i < order->n && n > 1; i++) {
        tie_rank_fn fn = rank_fn(order->v[i]);
        if (!fn)
            continue;
        size_t k = keep_best(m, fn, left, n);
        if (k == 1) {
            *why = order->v[i];
            return left[0];
        }
        n = k;
    }
    return -1;
}
