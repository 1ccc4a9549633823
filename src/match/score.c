/* score.c - token alignment (exact, joined words, typos, prefixes) and weighted Dice scoring. */
#include "score.h"

#include <stdbool.h>
#include <string.h>

#include "index.h"

typedef struct alignment {
    const name_view *l;
    const name_view *a;
    uint32_t lused;                  /* bit i: lead word i is matched */
    uint32_t aused;                  /* bit j: account word j is matched */
    double lw[SCORE_MAX_TOKENS];     /* lead weights after substitution, set where lused (the
                                      * others are l->w's) */
    bool lw_moved;                   /* some lw[i] differs from l->w[i] */
    double credit;                   /* sum of credit * (lw + aw) over matched pairs */
} alignment;

/* Lead word i takes weight w. */
static void set_lead_weight(alignment *al, size_t i, double w)
{
    al->lw[i] = w;
    al->lw_moved |= w != al->l->w[i];
}

_Static_assert(SCORE_MAX_TOKENS <= 32, "a name's words are bits of a uint32_t");

static inline bool bit_of(uint32_t used, size_t i)
{
    return (used >> i) & 1;
}

/* How many bits are set: a name's few matched words (the build has no popcnt instruction). */
static inline int bits_set(uint32_t used)
{
    int n = 0;
    for (; used; used &= used - 1)
        n++;
    return n;
}

/* The bits of a view's n words. */
static inline uint32_t words_mask(size_t n)
{
    return n >= 32 ? UINT32_MAX : ((uint32_t)1 << n) - 1;
}

static void pair(alignment *al, size_t i, size_t j, double credit)
{
    al->lused |= (uint32_t)1 << i;
    al->aused |= (uint32_t)1 << j;
    set_lead_weight(al, i, al->a->w[j]);
    al->credit += credit * 2.0 * al->a->w[j];
}

/* align_exact when both views have their words' ids: equal ids are equal words (no word read). */
static int align_exact_ids(alignment *al)
{
    int n = 0;
    for (size_t i = 0; i < al->l->n; i++) {
        uint32_t id = al->l->id[i];
        if (id == UINT32_MAX)
            continue;
        for (size_t j = 0; j < al->a->n; j++)
            if (!bit_of(al->aused, j) && al->a->id[j] == id) {
                pair(al, i, j, 1.0);
                n++;
                break;
            }
    }
    return n;
}

static int align_exact(alignment *al)
{
    if (al->l->by_id && al->a->by_id)
        return align_exact_ids(al);
    int n = 0;
    for (size_t i = 0; i < al->l->n; i++)
        for (size_t j = 0; j < al->a->n; j++)
            if (!bit_of(al->aused, j) && strcmp(al->l->tok[i], al->a->tok[j]) == 0) {
                pair(al, i, j, 1.0);
                n++;
                break;
            }
    return n;
}

/* Does `whole` equal the concatenation of parts[from..from+k), all unused? (The caller has
 * compared the lengths: they seldom add up.) */
static bool concat_equals(const char *whole, const name_view *parts, uint32_t used, size_t from,
                          size_t k)
{
    if ((used >> from) & words_mask(k))
        return false;
    size_t off = 0;
    for (size_t t = from; t < from + k; t++) {
        if (memcmp(whole + off, parts->tok[t], parts->len[t]) != 0)
            return false;
        off += parts->len[t];
    }
    return true;
}

/* Are fewer than two of side's n tokens unused (so that none can be joined)? */
static bool fewer_than_two_free(uint32_t used, size_t n)
{
    uint32_t free_tokens = ~used & words_mask(n);
    return (free_tokens & (free_tokens - 1)) == 0;   /* at most one bit */
}

/* One token on side x equals 2-3 consecutive unused tokens on side y. */
static int align_joined_one_way(alignment *al, bool lead_whole)
{
    const name_view *x = lead_whole ? al->l : al->a, *y = lead_whole ? al->a : al->l;
    uint32_t *xused = lead_whole ? &al->lused : &al->aused;
    uint32_t *yused = lead_whole ? &al->aused : &al->lused;
    int n = 0;
    if (fewer_than_two_free(*yused, y->n))
        return 0;   /* most names: the exact words leave nothing to join */
    size_t upto[SCORE_MAX_TOKENS + 1];   /* upto[t]: the lengths of y's first t tokens added */
    upto[0] = 0;
    for (size_t t = 0; t < y->n; t++)
        upto[t + 1] = upto[t] + y->len[t];
    for (size_t i = 0; i < x->n; i++) {
        if (bit_of(*xused, i))
            continue;
        for (size_t k = 2; k <= 3; k++) {
            for (size_t from = 0; from + k <= y->n; from++) {
                if (upto[from + k] - upto[from] != x->len[i] ||
                    !concat_equals(x->tok[i], y, *yused, from, k))
                    continue;
                double wsum = 0;
                for (size_t t = from; t < from + k; t++)
                    wsum += y->w[t];
                *yused |= words_mask(k) << from;
                *xused |= (uint32_t)1 << i;
                if (lead_whole) {
                    set_lead_weight(al, i, wsum);
                    al->credit += 2.0 * wsum;
                } else {
                    for (size_t t = from; t < from + k; t++)
                        al->lw[t] = y->w[t];
                    al->credit += wsum + x->w[i];
                }
                n++;
                goto next;
            }
        }
    next:;
    }
    return n;
}

/* The lengths of a view's tokens (lens) and of its runs of 2 and 3 consecutive tokens (sums), a bit
 * per length: a word can only be a run joined when a bit of one side's lens is in the other's
 * sums, so most pairs of names need no joined alignment at all. */
static void length_masks(const name_view *v, uint64_t *lens, uint64_t *sums)
{
    *lens = *sums = 0;
    for (size_t i = 0; i < v->n; i++)
        name_masks_add(v, i, lens, sums);
}

void name_view_masks(name_view *v)
{
    length_masks(v, &v->lens, &v->sums);
    v->has_masks = true;
    v->wsum = 0;
    v->all_known = true;
    for (size_t i = 0; i < v->n; i++) {
        v->wsum += v->w[i];
        v->all_known &= v->known[i];
    }
    v->has_totals = true;
}

/* v's masks, worked out here unless it has them. */
static void masks_of(const name_view *v, uint64_t *lens, uint64_t *sums)
{
    if (v->has_masks) {
        *lens = v->lens;
        *sums = v->sums;
        return;
    }
    length_masks(v, lens, sums);
}

/* Joined words both ways: a lead word for account words first, then the other way. */
static int align_joined(alignment *al)
{
    uint64_t llens, lsums, alens, asums;
    masks_of(al->l, &llens, &lsums);
    masks_of(al->a, &alens, &asums);
    int n = (llens & asums) ? align_joined_one_way(al, true) : 0;
    return n + ((alens & lsums) ? align_joined_one_way(al, false) : 0);
}

/* Is a lead word neither known nor matched yet (the only words read as typos or prefixes)? */
static bool unknown_unused(const alignment *al)
{
    for (size_t i = 0; i < al->l->n; i++)
        if (!bit_of(al->lused, i) && !al->l->known[i])
            return true;
    return false;
}

static int align_fuzzy(alignment *al, const score_params *p, bool prefix_mode)
{
    int n = 0;
    for (size_t i = 0; i < al->l->n; i++) {
        if (bit_of(al->lused, i) || al->l->known[i])
            continue;
        const char *lt = al->l->tok[i];
        size_t ll = al->l->len[i];
        for (size_t j = 0; j < al->a->n; j++) {
            if (bit_of(al->aused, j))
                continue;
            const char *at = al->a->tok[j];
            size_t la = al->a->len[j];
            bool ok;
            if (prefix_mode) {
                size_t shorter = ll < la ? ll : la;
                ok = shorter >= 4 && ll != la && lt[0] == at[0] &&
                     strncmp(lt, at, shorter) == 0;
            } else {
                /* people seldom mistype a word's first letter ("eastbrook" is not a
                 * misspelt "westbrook") */
                int maxd = (ll >= 9 && la >= 9) ? 2 : 1;
                ok = ll >= 5 && la >= 5 && lt[0] == at[0] &&
                     osa_distance_len(lt, ll, at, la, maxd) <= maxd;
            }
            if (ok) {
                pair(al, i, j, prefix_mode ? p->prefix : p->typo);
                n++;
                break;
            }
        }
    }
    return n;
}

/* The lead's weights after substitution added up (from 0, in order), and its words left unmatched:
 * the view's wsum when no weight moved. */
static double lead_total(const alignment *al, int *unused)
{
    const name_view *l = al->l;
    *unused = (int)l->n - bits_set(al->lused);
    if (l->has_totals && !al->lw_moved)
        return l->wsum;
    double total = 0;
    for (size_t i = 0; i < l->n; i++)
        total += bit_of(al->lused, i) ? al->lw[i] : l->w[i];
    return total;
}

double name_similarity(const name_view *lv, const name_view *av, const score_params *p,
                       score_explain *ex)
{
    alignment al;   /* lw is read only where lused: only those are set */
    al.l = lv;
    al.a = av;
    al.credit = 0;
    al.lw_moved = false;
    al.lused = al.aused = 0;
    score_explain unread, *e = ex ? ex : &unread;   /* (filled in place, not copied) */
    *e = (score_explain){0};
    e->exact = align_exact(&al);
    e->joined = align_joined(&al);
    if (!(lv->has_totals && lv->all_known) && unknown_unused(&al)) {
        e->typo = align_fuzzy(&al, p, false);
        e->prefix = align_fuzzy(&al, p, true);
    }
    double total = lead_total(&al, &e->lead_extra);
    for (size_t j = 0; j < av->n; j++)
        total += av->w[j];
    e->acct_extra = (int)av->n - bits_set(al.aused);
    return total > 0 ? al.credit / total : 0.0;
}
