/* test_name_topk.c - name_candidates (name_topk.c) against a plain reference: every list walked,
 * every found account weighed and ranked, on an index whose common words have lists long enough
 * for every path (bulk lists, their tie-order prefix running out, lists that only re-rank, a bulk
 * list's many accounts that such lists name too, by one and by two of them), before and after
 * accounts change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine_fixture.h"


/* ---- the reference: the lists summed one after another into a weight per slot ---- */

typedef struct ref {
    const matcher *m;
    double *acc;
    uint32_t cap;
    size_t found;
} ref;

static void ref_add(ref *r, const u32vec *l, double w)
{
    if (!l || l->n > r->cap)
        return;
    bool rerank_only = l->n > 1000 && r->found >= NAME_CANDIDATES;
    for (uint32_t i = 0; i < l->n; i++) {
        uint32_t slot = l->v[i];
        if (rerank_only && r->acc[slot] == 0)
            continue;
        r->found += r->acc[slot] == 0;
        r->acc[slot] += w;
    }
}

static void ref_word(ref *r, const char *tok)
{
    const account_index *ix = &r->m->ix;
    uint32_t id = index_token_id(ix, tok);
    if (id != UINT32_MAX)
        ref_add(r, &ix->tok_post[id], index_weight_df(ix, ix->tok_post[id].n));
    u32vec near = {0};
    index_typo_neighbours(ix, tok, &near);
    for (uint32_t i = 0; i < near.n; i++) {
        const u32vec *l = &ix->tok_post[near.v[i]];
        ref_add(r, l, r->m->sp.typo * index_weight_df(ix, l->n));
    }
    u32_free(&near);
    ref_add(r, postings_get(&ix->by_joined, tok), index_weight_df(ix, 0));
}

/* Higher weight first, then the lower id hash | 1, then the lower id. */
static int ref_cmp(const ref *r, uint32_t a, uint32_t b)
{
    const account_index *ix = &r->m->ix;
    if (r->acc[a] != r->acc[b])
        return r->acc[a] > r->acc[b] ? -1 : 1;
    uint64_t ha = hash_bytes(ix->acc[a].id, strlen(ix->acc[a].id)) | 1;
    uint64_t hb = hash_bytes(ix->acc[b].id, strlen(ix->acc[b].id)) | 1;
    if (ha != hb)
        return ha < hb ? -1 : 1;
    return strcmp(ix->acc[a].id, ix->acc[b].id);
}

static size_t ref_candidates(const matcher *m, const norm_name *name, uint32_t *best)
{
    const account_index *ix = &m->ix;
    ref r = {m, calloc(ix->n, sizeof(double)), (uint32_t)m->cfg->max_postings, 0};
    size_t n_tok = name->tokens.n, order[SCORE_MAX_TOKENS];
    for (size_t i = 0; i < n_tok; i++) {   /* rarest first, ties in name order */
        size_t j = i;
        uint32_t id = index_token_id(ix, name->tokens.v[i]);
        uint32_t df = id == UINT32_MAX ? 0 : ix->tok_post[id].n;
        while (j > 0) {
            uint32_t pid = index_token_id(ix, name->tokens.v[order[j - 1]]);
            if ((pid == UINT32_MAX ? 0 : ix->tok_post[pid].n) <= df)
                break;
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    for (size_t i = 0; i < n_tok; i++)
        ref_word(&r, name->tokens.v[order[i]]);
    double w0 = index_weight_df(ix, 0);
    if (n_tok > 1) {
        ref_add(&r, postings_get(&ix->by_joined, name->joined), w0);
        if (strcmp(name->joined_all, name->joined) != 0)
            ref_add(&r, postings_get(&ix->by_joined, name->joined_all), w0);
        uint32_t id = index_token_id(ix, name->joined);
        if (id != UINT32_MAX)
            ref_add(&r, &ix->tok_post[id], w0);
    } else {
        ref_add(&r, postings_get(&ix->by_acronym, name->tokens.v[0]), m->cfg->w_acronym);
    }
    size_t n = 0;
    for (uint32_t slot = 0; slot < ix->n; slot++) {
        if (r.acc[slot] == 0 || (n == NAME_CANDIDATES && ref_cmp(&r, slot, best[n - 1]) > 0))
            continue;
        size_t j = n < NAME_CANDIDATES ? n++ : n - 1;
        while (j > 0 && ref_cmp(&r, slot, best[j - 1]) < 0) {
            best[j] = best[j - 1];
            j--;
        }
        best[j] = slot;
    }
    free(r.acc);
    return n;
}

/* ---- the index ---- */

/* Common words and the share of accounts (in 1/1000) carrying each: "solutions" and its typo
 * neighbour "solution" are long enough to only re-rank once candidates are found, "alpha" and
 * "alphas" are bulk lists that mostly overlap, the rest lie between. */
static const struct {
    const char *word;
    unsigned per_mille;
} common[] = {
    {"solutions", 450}, {"solution", 380}, {"systems", 120}, {"global", 90},
    {"alpha", 70},      {"alphas", 66},    {"partners", 30}, {"dental", 8},
};

static void put_account(matcher *m, unsigned i, unsigned variant)
{
    char id[32], name[256];
    snprintf(id, sizeof(id), "acc%05u", i);
    int len = snprintf(name, sizeof(name), "Zorb%c%c%u", 'a' + (i * 7 + variant) % 26,
                       'a' + i % 13, i % 97);
    for (size_t w = 0; w < ARRAY_LEN(common); w++) {
        unsigned draw = (i * 2654435761u + (unsigned)w * 40503u + variant * 977u) % 1000u;
        if (w == 5 && draw < 1000)   /* "alphas" goes with "alpha" */
            draw = (i * 2654435761u + 4u * 40503u + variant * 977u) % 1000u;
        if (draw < common[w].per_mille)
            len += snprintf(name + len, sizeof(name) - (size_t)len, " %s", common[w].word);
    }
    account_rec r;
    account_rec_init(&r);
    account_rec_set(&r, "id", id);
    account_rec_set(&r, "name", name);
    (void)matcher_upsert_account(m, &r);
    account_rec_free(&r);
}

#define ACCOUNTS 3000

/* Accounts found again by the joined forms and acronyms of the names below (lists that are not a
 * word's), each with its own other words so that their weights differ. */
static const char *const joined_names[] = {
    "Global Dental",           "GlobalDental",           "Global Dental Systems",
    "Alpha Partners",          "AlphaPartners Global",   "Alpha Partners Dental",
    "Dental Partners",         "DentalPartners",         "DentalPartners Alpha Systems",
    "Global Solutions Partners", "Global Systems Partners", "Gsp Dental",
};

static void put_joined_accounts(matcher *m)
{
    for (size_t i = 0; i < ARRAY_LEN(joined_names); i++) {
        char id[32];
        snprintf(id, sizeof(id), "joined%02zu", i);
        account_rec r;
        account_rec_init(&r);
        account_rec_set(&r, "id", id);
        account_rec_set(&r, "name", joined_names[i]);
        (void)matcher_upsert_account(m, &r);
        account_rec_free(&r);
    }
}

static int setup(void **state)
{
    fixture *fx = fixture_new();
    if (!fx)
        return -1;
    for (unsigned i = 0; i < ACCOUNTS; i++)
        put_account(&fx->m, i, 0);
    put_joined_accounts(&fx->m);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_free(*state);
    return 0;
}

static const char *const names[] = {
    "Zorbaa0 Solutions", "Solutions", "Global Solutions", "Alpha Partners", "Alpha Alphas",
    "Alphas", "Zorbqx Alpha", "Systems Global Solutions", "Dental Partners", "Solution",
    "Zorbkb3 Systems Alpha", "Solutins Global", "Alpha Solutions Systems Partners",
    "Zorbzz Nothing", "GlobalSolutions", "Global Dental", "Partners Alpha Alphas Dental",
    "GlobalDental", "Alpha Partners Dental", "DentalPartners Alpha", "Gsp", "AlphaPartners",
    "Dental Partners Systems", "Systems Solutions", "Zorbqx Systems Solution",
    "Zorbaa0 Alpha Solution", "Partners Systems Solutions", "Global Solutions Solution",
};

/* A parsed name: the same accounts in the same order as the reference (i: which of the two ways
 * the word ids are given). */
static void expect_same_parsed(const matcher *m, const char *name, const norm_name *nn, size_t i)
{
    uint32_t got[NAME_CANDIDATES], want[NAME_CANDIDATES];
    uint32_t ids[SCORE_MAX_TOKENS];
    hashed joined[2] = {hashed_of(nn->joined), hashed_of(nn->joined_all)};
    for (size_t t = 0; t < nn->tokens.n && t < SCORE_MAX_TOKENS; t++)
        ids[t] = index_token_id(&m->ix, nn->tokens.v[t]);
    size_t ng = nn->tokens.n ? name_candidates(m, nn, i % 2 ? ids : NULL, i % 2 ? joined : NULL, got) : 0;
    size_t nw = nn->tokens.n ? ref_candidates(m, nn, want) : 0;
    if (ng != nw || memcmp(got, want, ng * sizeof(*got)) != 0)
        fail_msg("'%s'%s: %zu candidates, reference %zu (first %u vs %u)", name,
                 nn->tok_hash ? " (hashes kept)" : "", ng, nw, ng ? got[0] : 0, nw ? want[0] : 0);
}

/* A name, parsed as a lead's is (its tokens' hashes kept, which name_ops uses) and without them. */
static void expect_same_name(const matcher *m, const char *name, size_t i)
{
    norm_name nn;
    (void)norm_name_parse(m->rules, name, &nn);
    expect_same_parsed(m, name, &nn, i);
    norm_name_free(&nn);
    norm_scratch *scratch = norm_scratch_new();
    bump b;
    bump_init(&b);
    norm_name_parse_bump(m->rules, name, &nn, scratch, &b);
    assert_true(nn.tokens.n == 0 || nn.tok_hash != NULL);
    expect_same_parsed(m, name, &nn, i + 1);
    bump_free(&b);
    norm_scratch_free(scratch);
}

/* Every name: the same accounts in the same order as the reference. */
static void expect_same(const matcher *m)
{
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        expect_same_name(m, names[i], i);
}

static void test_same_as_reference(void **state)
{
    fixture *fx = *state;
    expect_same(&fx->m);
    expect_same(&fx->m); /* again, with the tie-order prefixes already built */
}

/* Every two and three different common words in every order, alone and after a rare word: which
 * lists are bulk, which only re-rank, and which pairs of them share many accounts, all vary. */
static void test_word_orders(void **state)
{
    fixture *fx = *state;
    const size_t nw = ARRAY_LEN(common);
    size_t tried = 0;
    for (size_t a = 0; a < nw; a++)
        for (size_t b = 0; b < nw; b++)
            for (size_t c = 0; c <= nw; c++) {   /* c == nw: two words only */
                if (b == a || c == a || c == b)
                    continue;
                char name[128];
                snprintf(name, sizeof(name), "%s%s %s %s", tried % 3 ? "" : "Zorbqx ",
                         common[a].word, common[b].word, c < nw ? common[c].word : "");
                expect_same_name(&fx->m, name, tried++);
            }
    assert_int_equal(tried, nw * (nw - 1) * (nw - 1));
}

/* Words random names are drawn from: the common words, two of them misspelt, and rare words. */
static const char *const random_words[] = {
    "solutions", "solution", "systems", "global", "alpha", "alphas", "partners", "dental",
    "solutins", "systms", "zorbaa0", "zorbkb3", "zorbqx", "zorbzz", "gsp", "nothing",
};

/* 3,000 names of one to five words drawn at random (a fixed seed), after accounts changed too. */
static void test_random_names(void **state)
{
    fixture *fx = *state;
    uint32_t x = 12345;
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < 1500; i++) {
            char name[256];
            size_t len = 0, words = 1 + (x = x * 1103515245u + 12345u) % 5;
            for (size_t w = 0; w < words; w++) {
                x = x * 1103515245u + 12345u;
                len += (size_t)snprintf(name + len, sizeof(name) - len, "%s%s", w ? " " : "",
                                        random_words[(x >> 8) % ARRAY_LEN(random_words)]);
            }
            expect_same_name(&fx->m, name, i);
        }
        for (unsigned i = 0; i < ACCOUNTS; i += 7)
            put_account(&fx->m, i, 2);
    }
}

/* Every account's hash_hi cut to its top two bits (the tie order unchanged: the full hash decides
 * after them), so that most accounts of equal weight tie on it too and name_topk's 128-bit ranking
 * keys (weight, hash_hi, slot) leave them to the tie order: the slot must not decide. Restored
 * after (by_id probes compare it). */
static void test_hash_hi_ties(void **state)
{
    fixture *fx = *state;
    account_index *ix = &fx->m.ix;
    uint32_t *kept = malloc(ix->n * sizeof(*kept));
    assert_non_null(kept);
    for (uint32_t slot = 0; slot < ix->n; slot++) {
        kept[slot] = ix->key[slot].hash_hi;
        ix->key[slot].hash_hi &= 0xC0000000u;
    }
    expect_same(&fx->m);
    expect_same(&fx->m);
    for (uint32_t slot = 0; slot < ix->n; slot++)
        ix->key[slot].hash_hi = kept[slot];
    free(kept);
}

/* Accounts renamed and deleted between leads: what was kept of the old lists must not be used. */
static void test_after_changes(void **state)
{
    fixture *fx = *state;
    expect_same(&fx->m);
    for (unsigned i = 0; i < ACCOUNTS; i += 3)
        put_account(&fx->m, i, 1);
    expect_same(&fx->m);
    char id[32];
    for (unsigned i = 1; i < ACCOUNTS; i += 5) {
        snprintf(id, sizeof(id), "acc%05u", i);
        assert_true(matcher_delete_account(&fx->m, id));
    }
    expect_same(&fx->m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_same_as_reference, setup, teardown),
        cmocka_unit_test_setup_teardown(test_after_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_word_orders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hash_hi_ties, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
