/* tiebreak.c - configurable tie-breaks between equally good accounts: hierarchy, account type,
 * latest activity, size. */
#include <string.h>
#include <strings.h>

#include <stdlib.h>

#include "evidence.h"

typedef struct tie_ctx {
    const matcher *m;
    const uint32_t *slots;
    size_t n;
    strvec company;           /* folded words of the lead's company, legal form included */
} tie_ctx;

typedef long (*tie_rank_fn)(const tie_ctx *t, const account *a);

#define WORD_DELIMS " \t,.;:()&'\"-/"
#define SPELLING_WORDS 64   /* an account's words compared with the company's, at most */

/* Folded words of a name: every run of letters and digits. */
static void surface_words(const char *name, strvec *out)
{
    char *folded = norm_fold(name ? name : "");
    char *save = NULL;
    for (char *w = strtok_r(folded, WORD_DELIMS, &save); w; w = strtok_r(NULL, WORD_DELIMS, &save))
        sv_push(out, w);
    free(folded);
}

/* Splits a folded name in place into its words (as surface_words): the first max in w; returns
 * how many there are in all. */
static size_t split_words(char *folded, const char **w, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(folded, WORD_DELIMS, &save); t; t = strtok_r(NULL, WORD_DELIMS, &save))
        if (n++ < max)
            w[n - 1] = t;
    return n;
}

/* Words shared with the company, in thousandths of the Dice coefficient. The account's words are
 * read in place in its folded name: no copy of each (a tie_break reads every tied account). */
static long rank_spelling(const tie_ctx *t, const account *a)
{
    char *folded = norm_fold(a->name ? a->name : "");
    const char *words[SPELLING_WORDS];
    size_t nwords = split_words(folded, words, SPELLING_WORDS);
    size_t scan = nwords < SPELLING_WORDS ? nwords : SPELLING_WORDS;
    bool used[SPELLING_WORDS] = {false};
    long common = 0;
    for (size_t i = 0; i < t->company.n; i++)
        for (size_t j = 0; j < scan; j++)
            if (!used[j] && strcmp(t->company.v[i], words[j]) == 0) {
                used[j] = true;
                common++;
                break;
            }
    free(folded);
    size_t total = t->company.n + nwords;
    return total ? 2000 * common / (long)total : 0;
}

/* Higher rank wins. */
static long rank_parent(const tie_ctx *t, const account *a)
{
    long r = 0;
    for (size_t i = 0; i < t->n; i++) {
        const account *o = &t->m->ix.acc[t->slots[i]];
        if (o != a && o->parent_id && strcmp(o->parent_id, a->id) == 0)
            r++;
    }
    return r;
}

static long rank_child(const tie_ctx *t, const account *a)
{
    for (size_t i = 0; i < t->n; i++) {
        const account *o = &t->m->ix.acc[t->slots[i]];
        if (o != a && a->parent_id && strcmp(a->parent_id, o->id) == 0)
            return 1;
    }
    return 0;
}

static long rank_type(const tie_ctx *t, const account *a)
{
    const strvec *order = &t->m->cfg->type_order;
    for (size_t i = 0; a->type && i < order->n; i++)
        if (strcasecmp(order->v[i], a->type) == 0)
            return (long)(order->n - i);
    return 0;
}

/* ISO dates compare as text: YYYYMMDD as a number. */
static long rank_activity(const tie_ctx *t, const account *a)
{
    (void)t;
    if (!a->last_activity || strlen(a->last_activity) < 10)
        return 0;
    const char *d = a->last_activity;
    long v = 0;
    for (int i = 0; i < 10; i++)
        if (d[i] >= '0' && d[i] <= '9')
            v = v * 10 + (d[i] - '0');
    return v;
}

static long rank_employees(const tie_ctx *t, const account *a)
{
    (void)t;
    return a->employees;
}

static tie_rank_fn rank_fn(const char *name)
{
    if (strcmp(name, "spelling") == 0)
        return rank_spelling;
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
static size_t keep_best(tie_ctx *t, tie_rank_fn fn, uint32_t *slots, size_t n)
{
    long best = 0;
    long ranks[EVIDENCE_MAX_CANDIDATES];
    t->slots = slots;
    t->n = n;
    for (size_t i = 0; i < n; i++) {
        ranks[i] = fn(t, &t->m->ix.acc[slots[i]]);
        if (i == 0 || ranks[i] > best)
            best = ranks[i];
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (ranks[i] == best)
            slots[k++] = slots[i];
    return k;
}

long tie_break(const matcher *m, const char *company, const uint32_t *slots, size_t n,
               const char **why)
{
    uint32_t left[EVIDENCE_MAX_CANDIDATES];
    if (n > EVIDENCE_MAX_CANDIDATES)
        n = EVIDENCE_MAX_CANDIDATES;
    memcpy(left, slots, n * sizeof(*slots));
    tie_ctx t = {.m = m};
    sv_init(&t.company);
    surface_words(company, &t.company);
    long pick = -1;
    const strvec *order = &m->cfg->tie_breaks;
    for (size_t i = 0; i < order->n && n > 1 && pick < 0; i++) {
        tie_rank_fn fn = rank_fn(order->v[i]);
        if (!fn)
            continue;
        n = keep_best(&t, fn, left, n);
        if (n == 1) {
            *why = order->v[i];
            pick = left[0];
        }
    }
    sv_free(&t.company);
    return pick;
}
