/* name_topk.c - the accounts whose names share the most rarity-weighted words with a lead's
 * company (the best NAME_CANDIDATES by summed weight), found without visiting every account of a
 * common word's long list. */
#include "name_topk_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "huge.h"
#include "list_merge.h"

match_scratch *match_scratch_new(void)
{
    return xcalloc(1, sizeof(match_scratch));
}

void match_scratch_free(match_scratch *s)
{
    if (!s)
        return;
    free(s->in_exact);
    free(s->exact);
    free(s->w);
    free(s->pos);
    free(s->pos_at);
    free(s->ops);
    xfree_huge(s->prefix, PREFIX_CACHE * sizeof(*s->prefix));
    free(s->pair_prefix);
    u32_free(&s->cross);
    for (size_t i = 0; s->near_cache && i < NEAR_CACHE; i++) {
        free(s->near_cache[i].word);
        u32_free(&s->near_cache[i].ids);
    }
    xfree_huge(s->near_cache, NEAR_CACHE * sizeof(*s->near_cache));
    for (size_t i = 0; s->pair_cache && i < PAIR_CACHE; i++)
        u32_free(&s->pair_cache[i].both);
    xfree_huge(s->pair_cache, PAIR_CACHE * sizeof(*s->pair_cache));
    free(s->merge);
    free(s->sel);
    free(s);
}

static bool bit_get(const uint64_t *b, uint32_t i)
{
    return (b[i >> 6] >> (i & 63)) & 1;
}

static void bit_set(uint64_t *b, uint32_t i)
{
    b[i >> 6] |= 1ull << (i & 63);
}

static void bit_clear(uint64_t *b, uint32_t i)
{
    b[i >> 6] &= ~(1ull << (i & 63));
}

static void scratch_fit(match_scratch *s, const account_index *ix)
{
    if (s->nslots >= ix->n)
        return;
    size_t words = (ix->n + 63) / 64, old = (s->nslots + 63) / 64;
    s->in_exact = xrealloc(s->in_exact, words * sizeof(uint64_t));
    memset(s->in_exact + old, 0, (words - old) * sizeof(uint64_t));
    s->nslots = ix->n;
}

/* Room for twice as many of "exact" (out of line: seldom). */
static void exact_grow(match_scratch *s)
{
    s->capexact = s->capexact ? s->capexact * 2 : 256;
    s->exact = xrealloc(s->exact, s->capexact * sizeof(*s->exact));
    s->w = xrealloc(s->w, s->capexact * sizeof(*s->w));
    s->pos_at = xrealloc(s->pos_at, s->capexact * sizeof(*s->pos_at));
}

/* Inline: some 70 a lead, each a few instructions. */
static inline void add_exact(match_scratch *s, uint32_t slot)
{
    if (bit_get(s->in_exact, slot))
        return;
    bit_set(s->in_exact, slot);
    if (s->nexact == s->capexact)
        exact_grow(s);
    s->w[s->nexact] = 0;
    s->exact[s->nexact++] = slot;
}

static size_t pos_home(uint32_t slot, uint32_t bits)
{
    return (size_t)((slot * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}

/* Fills the table exact slot -> k, at most a quarter full (a lookup then seldom probes past its
 * first entry, so the probe loop's exit is predicted: at half full, 21 mispredictions a lead more
 * in callgrind's model); the entries it takes are emptied again by scratch_clear (pos_at), so that
 * a lookup compares the slot alone. */
static void pos_build(match_scratch *s)
{
    uint32_t bits = 6;
    while (((size_t)1 << bits) < 4 * s->nexact)
        bits++;
    if (bits > s->pos_room) {
        free(s->pos);
        s->pos_room = bits;
        s->pos = xmalloc(((size_t)1 << s->pos_room) * sizeof(*s->pos));
        memset(s->pos, 0xff, ((size_t)1 << s->pos_room) * sizeof(*s->pos));   /* POS_EMPTY */
    }
    s->pos_bits = bits;
    size_t mask = ((size_t)1 << bits) - 1;
    for (size_t k = 0; k < s->nexact; k++) {
        size_t at = pos_home(s->exact[k], bits);
        while (s->pos[at].slot != POS_EMPTY)
            at = (at + 1) & mask;
        s->pos[at] = (slot_pos){s->exact[k], (uint32_t)k};
        s->pos_at[k] = (uint32_t)at;
    }
}

/* k of a slot of "exact" in the table pos of 1 << bits entries. */
static inline size_t pos_of(const slot_pos *pos, uint32_t bits, uint32_t slot)
{
    size_t mask = ((size_t)1 << bits) - 1, at = pos_home(slot, bits);
    while (pos[at].slot != slot)
        at = (at + 1) & mask;
    return pos[at].k;
}

/* ---- the set "exact": every found account that is not a lone member of one bulk list ---- */

/* Past this ratio of their lengths two lists are intersected by galloping through the longer. */
#define GALLOP_RATIO 16

/* Appends to out the values of small that large holds (both ascending): galloping through large
 * when it is much the longer, else a merge that reads both in order and decides every step without
 * a branch (the lists of two common words are long, and which one moves on is a coin toss). */
static void intersect(match_scratch *s, const u32vec *small, const u32vec *large, u32vec *out)
{
    if (large->n / GALLOP_RATIO > small->n) {
        uint32_t at = 0;
        for (uint32_t k = 0; k < small->n && at < large->n; k++) {
            at = u32_gallop(large->v, large->n, at, small->v[k]);
            if (at < large->n && large->v[at] == small->v[k])
                u32_push(out, small->v[k]);
        }
        return;
    }
    if (s->capmerge < small->n) {
        s->capmerge = small->n;
        s->merge = xrealloc(s->merge, s->capmerge * sizeof(*s->merge));
    }
    uint32_t n = u32_common(small, large, s->merge);
    if (n == 0)
        return;
    if (out->cap < out->n + n) {
        out->cap = out->n + n;
        out->v = xrealloc(out->v, out->cap * sizeof(*out->v));
    }
    memcpy(out->v + out->n, s->merge, n * sizeof(*s->merge));
    out->n += n;
}

/* Where the word pair (a, b) goes in a pair-keyed cache of `size` entries (a power of two). */
static size_t pair_home(uint32_t a, uint32_t b, size_t size)
{
    return (a * 0x9E3779B1u ^ b * 0x85EBCA77u) & (size - 1);
}

/* The accounts in both word lists a and b (ascending), from the cache when it holds them. */
static const u32vec *both_lists(const account_index *ix, match_scratch *s, uint32_t a, uint32_t b)
{
    if (!s->pair_cache)
        s->pair_cache = xcalloc_huge(PAIR_CACHE * sizeof(*s->pair_cache));
    pair_entry *e = &s->pair_cache[pair_home(a, b, PAIR_CACHE)];
    if (e->gen == ix->generation + 1 && e->a == a && e->b == b)
        return &e->both;
    e->gen = ix->generation + 1;
    e->a = a;
    e->b = b;
    e->both.n = 0;
    const u32vec *small = &ix->tok_post[a], *large = &ix->tok_post[b];
    if (small->n > large->n) {
        const u32vec *t = small;
        small = large;
        large = t;
    }
    intersect(s, small, large, &e->both);
    return &e->both;
}

/* Keeps the accounts of bulk list b and the list at i (both) as a pair_bulk when they are many,
 * op only re-ranks, both weights are positive (rank_bulk relies on it) and room is left: the
 * accounts they share with another pair of b go to "exact" (they weigh three lists' weights),
 * the rest are ranked as the pair's. Else false. */
static bool keep_pair(match_scratch *s, size_t b, size_t i, const u32vec *both)
{
    const list_op *op = &s->ops[i];
    if (op->full || both->n <= PAIR_BULK || s->npairs == PAIRS_MAX || op->w <= 0 ||
        s->ops[b].w <= 0)
        return false;
    for (size_t p = 0; p < s->npairs; p++) {
        if (s->pairs[p].bulk != b)
            continue;
        s->cross.n = 0;
        intersect(s, both, s->ops[s->pairs[p].op].l, &s->cross);
        for (uint32_t k = 0; k < s->cross.n; k++)
            add_exact(s, s->cross.v[k]);
    }
    s->pairs[s->npairs++] = (pair_bulk){b, i, (0.0 + s->ops[b].w) + op->w};
    return true;
}

/* Adds to "exact" the accounts of the list at i that the bulk lists before it hold (or keeps
 * them as a pair_bulk). */
static void add_found_again(const account_index *ix, match_scratch *s, size_t i)
{
    const list_op *op = &s->ops[i];
    for (size_t b = 0; b < s->nbulk; b++) {
        const list_op *bulk = &s->ops[s->bulk[b]];
        if (op->vocab != UINT32_MAX) {
            const u32vec *both = both_lists(ix, s, bulk->vocab, op->vocab);
            if (keep_pair(s, s->bulk[b], i, both))
                continue;
            for (uint32_t k = 0; k < both->n; k++)
                add_exact(s, both->v[k]);
            continue;
        }
        for (uint32_t k = 0; k < op->l->n; k++) {
            uint32_t at = u32_lower_bound(bulk->l, op->l->v[k]);
            if (at < bulk->l->n && bulk->l->v[at] == op->l->v[k])
                add_exact(s, op->l->v[k]);
        }
    }
}

/* Decides each list's mode as the weights would be summed list after list (a list of a common
 * word adds new accounts only while fewer than NAME_CANDIDATES are found) and collects "exact":
 * the accounts of the lists that are not bulk, and the accounts a later list finds again in a
 * bulk list. Whatever else is found belongs to exactly one bulk list and to nothing else. */
static void collect_exact(const account_index *ix, match_scratch *s)
{
    s->nbulk = 0;
    s->npairs = 0;
    for (size_t i = 0; i < s->nops; i++) {
        list_op *op = &s->ops[i];
        if (!op->l)
            continue;
        bool enough = s->nbulk > 0 || s->nexact >= NAME_CANDIDATES;
        op->full = !(op->l->n > COMMON_POSTINGS && enough);
        op->bulk = op->full && op->vocab != UINT32_MAX && op->l->n > BULK_POSTINGS &&
                   s->nbulk < ARRAY_LEN(s->bulk);
        if (op->full && !op->bulk) {
            for (uint32_t k = 0; k < op->l->n; k++)
                add_exact(s, op->l->v[k]);
            continue;
        }
        add_found_again(ix, s, i);
        if (op->bulk)
            s->bulk[s->nbulk++] = i;
    }
}

static void weigh(match_scratch *s, const list_op *op, size_t k)
{
    if (op->full || s->w[k] != 0)
        s->w[k] += op->w;
}

/* Up to this many accounts in "exact", their presence in a word's list is read from their own
 * word ids (their slot keys): a line each, which stays cached from one list to the next, where
 * the lists are long and cold. Past it those lines no longer stay cached, and the lists are searched instead. */
#define OWN_WORDS_MAX 256

/* A word's list this many times shorter than "exact" (or, past OWN_WORDS_MAX, not this many
 * times longer) is read whole, each of its accounts looked up in "exact", instead of each account
 * of "exact" being looked up in it. */
#define OWN_WORDS_PER_LISTED 2
#define SEARCHES_PER_LISTED 4

/* Weighs the accounts of "exact" that a list holds, reading the list (as weigh does; the scratch's
 * fields in locals: the weights' stores keep the compiler from holding them in registers). */
static void weigh_listed(match_scratch *s, const list_op *op)
{
    const uint64_t *in = s->in_exact;
    const slot_pos *pos = s->pos;
    const uint32_t *v = op->l->v, n = op->l->n, bits = s->pos_bits;
    double *w = s->w, add = op->w;
    if (op->full && !op->bulk) {   /* collect_exact put every account of it in "exact" */
        for (uint32_t i = 0; i < n; i++)
            w[pos_of(pos, bits, v[i])] += add;
        return;
    }
    if (op->full) {   /* (a loop each: the test of full is not made per account) */
        for (uint32_t i = 0; i < n; i++)
            if (bit_get(in, v[i]))
                w[pos_of(pos, bits, v[i])] += add;
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (!bit_get(in, v[i]))
            continue;
        size_t k = pos_of(pos, bits, v[i]);
        if (w[k] != 0)
            w[k] += add;
    }
}

/* Is a word's list read whole (rather than "exact"'s accounts looked up in it)? */
static bool read_listed(const match_scratch *s, const list_op *op)
{
    return s->nexact <= OWN_WORDS_MAX ? (size_t)op->l->n * OWN_WORDS_PER_LISTED <= s->nexact
                                      : op->l->n <= s->nexact * SEARCHES_PER_LISTED;
}

/* Will a list be searched for "exact"'s accounts (which needs them in ascending order)? */
static bool any_searched(const match_scratch *s)
{
    if (s->nexact <= OWN_WORDS_MAX)
        return false;
    for (size_t i = 0; i < s->nops; i++)
        if (s->ops[i].l && s->ops[i].vocab != UINT32_MAX && !read_listed(s, &s->ops[i]))
            return true;
    return false;
}

/* Weighs the accounts of "exact" found in a word's (ascending) list, by whichever way reads less:
 * the list, the accounts' own words, or searches of the list. */
static void sum_word(const account_index *ix, match_scratch *s, const list_op *op)
{
    bool few = s->nexact <= OWN_WORDS_MAX;
    if (read_listed(s, op)) {
        weigh_listed(s, op);
        return;
    }
    if (few) {
        for (size_t k = 0; k < s->nexact; k++)
            if (index_has_word(ix, s->exact[k], op->vocab))
                weigh(s, op, k);
        return;
    }
    uint32_t at = 0;
    for (size_t k = 0; k < s->nexact && at < op->l->n; k++) {
        at = u32_gallop(op->l->v, op->l->n, at, s->exact[k]);
        if (at < op->l->n && op->l->v[at] == s->exact[k])
            weigh(s, op, k);
    }
}

/* Sums the weights of the accounts in "exact" (all live: every one came from a list), list after
 * list as the lists come: a full list adds its weight to each of its accounts, another list only
 * to accounts already weighed. Each account gains a list's weight once, however its presence in
 * the list is found. */
static void sum_exact(const account_index *ix, match_scratch *s)
{
    if (s->nexact <= OWN_WORDS_MAX) {
        for (size_t k = 0; k < s->nexact; k++)
            __builtin_prefetch(&ix->key[s->exact[k]]);
        for (size_t k = 0; k < s->nexact; k++)
            if (ix->key[s->exact[k]].tok[KEY_WORDS - 1] & KEY_MORE)
                __builtin_prefetch(&ix->acc[s->exact[k]].tok);
    } else if (any_searched(s)) {
        if (s->capmerge < s->nexact) {
            s->capmerge = s->capexact;
            s->merge = xrealloc(s->merge, s->capmerge * sizeof(*s->merge));
        }
        u32_sort(s->exact, s->merge, s->nexact);
    }
    pos_build(s);
    for (size_t i = 0; i < s->nops; i++) {
        const list_op *op = &s->ops[i];
        if (!op->l)
            continue;
        if (op->vocab != UINT32_MAX) {
            sum_word(ix, s, op);
            continue;
        }
        weigh_listed(s, op);
    }
}

/* ---- ranking ---- */

__extension__ typedef unsigned __int128 rank_key;

/* A ranked account as one key: its weight's bits (high 64), the complement of its key's hash_hi,
 * then its slot (low 32). While no weight is negative (nor -0.0 nor NaN) a greater key ranks
 * higher, but for accounts of equal weight and hash_hi, which tie_first orders (keyed_walk). */
typedef struct slot_weight {
    rank_key key;
} slot_weight;

static slot_weight sw_make(uint32_t slot, uint32_t h, double w)
{
    uint64_t bits;
    memcpy(&bits, &w, sizeof(bits));
    return (slot_weight){((rank_key)bits << 64) | ((rank_key)(uint32_t)~h << 32) | slot};
}

static uint32_t sw_slot(const slot_weight *a)
{
    return (uint32_t)a->key;
}

static uint32_t sw_h(const slot_weight *a)
{
    return ~(uint32_t)(a->key >> 32);
}

static double sw_w(const slot_weight *a)
{
    uint64_t bits = (uint64_t)(a->key >> 64);
    double w;
    memcpy(&w, &bits, sizeof(w));
    return w;
}

/* Equal weight and hash_hi: only tie_first orders them. */
static bool same_rank_key(const slot_weight *a, const slot_weight *b)
{
    return ((a->key ^ b->key) >> 32) == 0;
}

/* The tie order (index_tie_first), whatever the load order; ha and hb are the slots' keys'
 * hash_hi, carried with them, so that the keys are read only on a tie of those. */
static bool tie_first(const account_index *ix, uint32_t ha, uint32_t a, uint32_t hb, uint32_t b)
{
    return ha != hb ? ha < hb : index_tie_first(ix, a, b);
}

/* Higher weight first; equal weights in the tie order (its first key here, the rest seldom
 * needed). Any weights. */
static bool better(const account_index *ix, const slot_weight *a, const slot_weight *b)
{
    double wa = sw_w(a), wb = sw_w(b);
    if (wa != wb)
        return wa > wb;
    return tie_first(ix, sw_h(a), sw_slot(a), sw_h(b), sw_slot(b));
}

/* Moves best[k], just placed by its key, among the accounts of its weight and hash_hi (next to
 * it) to its place in the tie order (out of line: seldom). */
static __attribute__((noinline)) void tie_settle(const account_index *ix, slot_weight *best,
                                                 size_t n, size_t k)
{
    slot_weight t;
    for (; k > 0 && same_rank_key(&best[k], &best[k - 1]) &&
           better(ix, &best[k], &best[k - 1]); k--)
        t = best[k], best[k] = best[k - 1], best[k - 1] = t;
    for (; k + 1 < n && same_rank_key(&best[k], &best[k + 1]) &&
           better(ix, &best[k + 1], &best[k]); k++)
        t = best[k], best[k] = best[k + 1], best[k + 1] = t;
}

/* Offers sw to best (n entries, best first, at most NAME_CANDIDATES): the worse ones moved down
 * one, from the last up, until one is not worse (the order is total: slots differ). One compare
 * for each one moved (which a halving search moves as well), and one branch the CPU mispredicts,
 * the last: a halving's every step is a coin's toss. Any weights (out of line: a lead whose keys
 * cannot order it, or a tie with the last). */
static __attribute__((noinline)) void offer_any(const account_index *ix, slot_weight *best,
                                                size_t *n, slot_weight sw)
{
    if (*n == NAME_CANDIDATES && !better(ix, &sw, &best[*n - 1]))
        return;
    size_t k = *n < NAME_CANDIDATES ? (*n)++ : *n - 1;
    for (; k > 0 && better(ix, &sw, &best[k - 1]); k--)
        best[k] = best[k - 1];
    best[k] = sw;
}

/* offer_any, by the keys when they order the lead's accounts (keyed): a step of the walk is one
 * compare of two 128-bit keys, sw's without its slot (above every key of a lower weight and
 * hash_hi, below every other), so that the walk stops at the first account of sw's weight and
 * hash_hi, which tie_settle orders. Inline: a lead makes some 30 offers, and a call's saving and
 * restoring cost as much as the walk. */
static inline void offer(const account_index *ix, slot_weight *best, size_t *n, slot_weight sw,
                         bool keyed)
{
    rank_key bare = sw.key & ~(rank_key)UINT32_MAX;
    if (!keyed) {
        offer_any(ix, best, n, sw);
        return;
    }
    if (*n == NAME_CANDIDATES && !(bare > best[*n - 1].key)) {
        if (same_rank_key(&sw, &best[*n - 1]))
            offer_any(ix, best, n, sw);
        return;
    }
    size_t k = *n < NAME_CANDIDATES ? (*n)++ : *n - 1;
    for (; k > 0 && bare > best[k - 1].key; k--)
        best[k] = best[k - 1];
    best[k] = sw;
    if (k > 0 && same_rank_key(&sw, &best[k - 1]))
        tie_settle(ix, best, *n, k);
}

/* Would sw enter best (n entries)? */
static bool enters(const account_index *ix, const slot_weight *best, size_t n,
                   const slot_weight *sw, bool keyed)
{
    if (n < NAME_CANDIDATES)
        return true;
    if (!keyed || same_rank_key(sw, &best[n - 1]))
        return better(ix, sw, &best[n - 1]);
    return sw->key > best[n - 1].key;
}

/* Can the keys order a lead's accounts: is every list's weight (so every sum of them) neither
 * negative nor -0.0 nor NaN? */
static bool weights_keyed(const match_scratch *s)
{
    for (size_t i = 0; i < s->nops; i++)
        if (s->ops[i].l && !(s->ops[i].w >= 0 && !signbit(s->ops[i].w)))
            return false;
    return true;
}

/* An account weighing less than the last of a full best cannot enter it (better() compares the
 * weights first): its key, a likely miss when "exact" is large, is not read. */
/* The k-th greatest (from 0) of v[0..n), k < n; v is reordered. */
static double kth_greatest(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n;     /* the answer's place in order is in [lo, hi) */
    while (hi - lo > 1) {
        double pivot = v[lo + (hi - lo) / 2], t;
        size_t more = lo, i = lo, less = hi;   /* [lo, more) > pivot, [less, hi) < pivot */
        while (i < less) {
            if (v[i] > pivot) {
                t = v[i], v[i++] = v[more], v[more++] = t;
            } else if (v[i] < pivot) {
                t = v[i], v[i] = v[--less], v[less] = t;
            } else {
                i++;
            }
        }
        if (k < more)
            hi = more;
        else if (k >= less)
            lo = less;
        else
            return pivot;
    }
    return v[lo];
}

/* The least weight the best NAME_CANDIDATES of "exact" can have: NAME_CANDIDATES of them weigh at
 * least this, so an account weighing less cannot enter best. 0 when all can. */
static double entry_weight(match_scratch *s)
{
    if (s->nexact <= NAME_CANDIDATES)
        return 0;
    if (s->capsel < s->nexact) {
        s->capsel = s->capexact;
        s->sel = xrealloc(s->sel, s->capsel * sizeof(*s->sel));
    }
    memcpy(s->sel, s->w, s->nexact * sizeof(*s->sel));
    return kth_greatest(s->sel, s->nexact, NAME_CANDIDATES - 1);
}

/* Offers the accounts of "exact" that can enter best: none weighing less than entry_weight, nor,
 * once best is full, less than its last (bar: the greater of the two). */
static void rank_exact(const account_index *ix, match_scratch *s, slot_weight *best, size_t *n)
{
    double least = entry_weight(s), bar = least;
    for (size_t i = 0; i < s->nexact; i++) {
        size_t ahead = i + PREFETCH_AHEAD;
        if (ahead < s->nexact && s->w[ahead] >= bar)
            __builtin_prefetch(&ix->key[s->exact[ahead]]);
        if (s->w[i] < bar)
            continue;
        offer(ix, best, n, sw_make(s->exact[i], ix->key[s->exact[i]].hash_hi, s->w[i]), s->keyed);
        if (*n == NAME_CANDIDATES && sw_w(&best[*n - 1]) > least)
            bar = sw_w(&best[*n - 1]);
    }
}

/* Fills p with the first HASH_PREFIX accounts of l in tie order, for the words vocab and other. */
static void prefix_fill(const account_index *ix, hash_prefix *p, const u32vec *l, uint32_t vocab,
                        uint32_t other)
{
    p->gen = ix->generation + 1;
    p->vocab = vocab;
    p->other = other;
    p->n = 0;
    for (uint32_t k = 0; k < l->n; k++) {
        if (k + PREFETCH_AHEAD < l->n)
            __builtin_prefetch(&ix->key[l->v[k + PREFETCH_AHEAD]]);
        uint32_t slot = l->v[k];
        uint32_t h = ix->key[slot].hash_hi;
        if (p->n == HASH_PREFIX && !tie_first(ix, h, slot, p->h[p->n - 1], p->slots[p->n - 1]))
            continue;
        uint32_t lo = 0, hi = p->n;   /* its place by halving, as in offer */
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (tie_first(ix, h, slot, p->h[mid], p->slots[mid]))
                hi = mid;
            else
                lo = mid + 1;
        }
        uint32_t last = p->n < HASH_PREFIX ? p->n++ : p->n - 1;
        memmove(&p->slots[lo + 1], &p->slots[lo], (last - lo) * sizeof(*p->slots));
        memmove(&p->h[lo + 1], &p->h[lo], (last - lo) * sizeof(*p->h));
        p->slots[lo] = slot;
        p->h[lo] = h;
    }
}

/* The first HASH_PREFIX accounts of a word's list in tie order, built when missing or stale. */
static const hash_prefix *prefix_of(const account_index *ix, match_scratch *s, const list_op *op)
{
    if (!s->prefix)
        s->prefix = xcalloc_huge(PREFIX_CACHE * sizeof(*s->prefix));
    hash_prefix *p = &s->prefix[op->vocab & (PREFIX_CACHE - 1)];
    if (p->gen != ix->generation + 1 || p->vocab != op->vocab)
        prefix_fill(ix, p, op->l, op->vocab, UINT32_MAX);
    return p;
}

/* The first HASH_PREFIX of a pair's common accounts in tie order, built when missing or stale (from
 * the pair cache, which may have dropped them since collect_exact: both_lists finds them again). */
static const hash_prefix *pair_prefix_of(const account_index *ix, match_scratch *s,
                                         const pair_bulk *pair)
{
    uint32_t a = s->ops[pair->bulk].vocab, b = s->ops[pair->op].vocab;
    if (!s->pair_prefix)
        s->pair_prefix = xcalloc(PAIR_PREFIX_CACHE, sizeof(*s->pair_prefix));
    hash_prefix *p = &s->pair_prefix[pair_home(a, b, PAIR_PREFIX_CACHE)];
    if (p->gen != ix->generation + 1 || p->vocab != a || p->other != b)
        prefix_fill(ix, p, both_lists(ix, s, a, b), a, b);
    return p;
}

/* Offers the accounts of a tie-order prefix that are not in "exact", each weighing w, in tie
 * order, stopping at the first that cannot enter best: every later one ties with it and comes
 * after it. Nothing is read when best is full of accounts weighing more than w. */
static void offer_prefix(const account_index *ix, const match_scratch *s, const hash_prefix *p,
                         double w, slot_weight *best, size_t *n)
{
    for (uint32_t k = 0; k < p->n; k++) {
        uint32_t slot = p->slots[k];
        if (bit_get(s->in_exact, slot))
            continue;
        slot_weight sw = sw_make(slot, p->h[k], w);
        if (!enters(ix, best, *n, &sw, s->keyed))
            return;
        offer(ix, best, n, sw, s->keyed);
    }
}

/* Whether best is full of accounts weighing more than w (none weighing w can enter). */
static bool full_above(const slot_weight *best, size_t n, double w)
{
    return n == NAME_CANDIDATES && sw_w(&best[n - 1]) > w;
}

/* Offers a pair's accounts that no other list names (weight: the pair's); the accounts it skips
 * (in "exact") weigh more than the pair. It runs before the bulk lists' (which weigh less). */
static void rank_pair(const account_index *ix, match_scratch *s, const pair_bulk *pair,
                      slot_weight *best, size_t *n)
{
    if (!full_above(best, *n, pair->w))
        offer_prefix(ix, s, pair_prefix_of(ix, s, pair), pair->w, best, n);
}

/* Offers the lone accounts of a bulk list (weight: the list's own). A bulk list with a pair_bulk
 * is not read at all: the pair's more than NAME_CANDIDATES accounts all weigh more than the list
 * (weights are positive), so rank_pair has filled best with them or better ones. The prefix
 * cannot run out first: the accounts it skips (in "exact") all weigh more than the list's weight,
 * so when NAME_CANDIDATES of them are there the list is not read at all, and otherwise more than
 * NAME_CANDIDATES lone accounts are offered, the last of which stops the walk (so for a pair's). */
_Static_assert(HASH_PREFIX >= 2 * NAME_CANDIDATES, "the prefix must outlast the skipped accounts");
_Static_assert(PAIR_BULK >= HASH_PREFIX, "a pair's prefix must be whole");
static void rank_bulk(const account_index *ix, match_scratch *s, const list_op *op,
                      slot_weight *best, size_t *n)
{
    if (!full_above(best, *n, op->w))
        offer_prefix(ix, s, prefix_of(ix, s, op), op->w, best, n);
}

/* Leaves the scratch as found: no bits set, the slot -> k table empty. */
static void scratch_clear(match_scratch *s)
{
    for (size_t i = 0; i < s->nexact; i++) {
        bit_clear(s->in_exact, s->exact[i]);
        s->pos[s->pos_at[i]].slot = POS_EMPTY;
    }
    s->nexact = 0;
}

size_t name_candidates(const matcher *m, const norm_name *name, const uint32_t *ids,
                       const hashed *joined, uint32_t *slots)
{
    const account_index *ix = &m->ix;
    match_scratch *s = matcher_mem(m)->scratch;
    scratch_fit(s, ix);
    name_ops(m, s, name, ids, joined);
    collect_exact(ix, s);
    sum_exact(ix, s);
    s->keyed = weights_keyed(s);
    slot_weight best[NAME_CANDIDATES];
    size_t n = 0;
    rank_exact(ix, s, best, &n);
    for (size_t p = 0; p < s->npairs; p++)
        rank_pair(ix, s, &s->pairs[p], best, &n);
    for (size_t i = 0; i < s->nops; i++)
        if (s->ops[i].l && s->ops[i].bulk)
            rank_bulk(ix, s, &s->ops[i], best, &n);
    scratch_clear(s);
    for (size_t i = 0; i < n; i++)
        slots[i] = sw_slot(&best[i]);
    return n;
}
