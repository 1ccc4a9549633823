/* test_index.c - unit tests for the account index: upserts, deletes, weights, typo index, labels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain.h"
#include "index.h"
#include "load_helper.h"

#define EPS 1e-9

static norm_rules *rules;       /* built once in group setup */
static strvec prefixes;         /* domain label prefixes */
static strvec suffixes;         /* domain label suffixes */

static int group_setup(void **state)
{
    (void)state;
    rules = norm_rules_new();
    const char *stop[] = {"the", "of", "and"};
    for (size_t i = 0; i < ARRAY_LEN(stop); i++)
        norm_rules_add_stopword(rules, stop[i]);
    norm_rules_add_abbrev(rules, "intl", "international");
    sv_init(&prefixes);
    sv_init(&suffixes);
    const char *pre[] = {"try", "get", "team"};
    const char *suf[] = {"hq", "group", "inc"};
    for (size_t i = 0; i < ARRAY_LEN(pre); i++)
        sv_push(&prefixes, pre[i]);
    for (size_t i = 0; i < ARRAY_LEN(suf); i++)
        sv_push(&suffixes, suf[i]);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    norm_rules_free(rules);
    sv_free(&prefixes);
    sv_free(&suffixes);
    domain_shutdown();
    return 0;
}

static int setup_index(void **state)
{
    account_index *ix = calloc(1, sizeof(*ix));
    index_init(ix, rules, &prefixes, &suffixes);
    *state = ix;
    return 0;
}

static int teardown_index(void **state)
{
    account_index *ix = *state;
    index_free(ix);
    free(ix);
    return 0;
}

/* Upserts one account; type may be NULL. */
static uint32_t put(account_index *ix, const char *id, const char *name, const char *domains,
                    const char *type)
{
    account_rec r;
    account_rec_init(&r);
    account_rec_set(&r, "id", id);
    account_rec_set(&r, "name", name);
    if (domains)
        account_rec_set(&r, "domains", domains);
    if (type)
        account_rec_set(&r, "type", type);
    uint32_t slot = index_upsert(ix, &r);
    account_rec_free(&r);
    return slot;
}

static uint32_t df(const account_index *ix, const char *tok)
{
    uint32_t id = index_token_id(ix, tok);
    return id == UINT32_MAX ? 0 : ix->tok_post[id].n;
}

static bool posted(const postings *p, const char *key, uint32_t slot)
{
    const u32vec *l = postings_get(p, key);
    return l && u32_contains(l, slot);
}

static void test_upsert_find_delete(void **state)
{
    account_index *ix = *state;
    uint32_t s1 = put(ix, "A1", "Zyntra Widgets Inc",
                      "https://www.zyntra.com/en/;ZYNTRA.co.uk;zyntra.com", "Customer");
    uint32_t s2 = put(ix, "A2", "Northern Pacific Rail", "nprail.com", NULL);
    assert_int_equal(s1, 0);
    assert_int_equal(s2, 1);
    assert_int_equal(ix->live, 2);
    assert_int_equal(index_find(ix, "A1"), 0);
    assert_int_equal(index_find(ix, "A2"), 1);
    assert_int_equal(index_find(ix, "A3"), -1);
    assert_int_equal(index_find(ix, "a1"), -1);

    const account *a = &ix->acc[s1];
    assert_string_equal(a->id, "A1");
    assert_string_equal(a->name, "Zyntra Widgets Inc");
    assert_string_equal(a->type, "Customer");
    assert_null(a->parent_id);
    assert_int_equal(a->employees, -1);
    assert_int_equal(a->domains.n, 2);                 /* deduplicated, registrable */
    assert_string_equal(a->domains.v[0], "zyntra.com");
    assert_string_equal(a->domains.v[1], "zyntra.co.uk");
    assert_int_equal(a->ntok, 2);                      /* "inc" is a legal form */
    assert_string_equal(ix->words[a->tok[0]].str, "zyntra");
    assert_string_equal(ix->words[a->tok[1]].str, "widgets");
    assert_string_equal(a->joined, "zyntrawidgets");
    assert_null(a->acronym);                           /* fewer than 3 tokens */
    assert_true(a->live);

    assert_true(posted(&ix->by_domain, "zyntra.com", s1));
    assert_true(posted(&ix->by_domain, "zyntra.co.uk", s1));
    assert_true(posted(&ix->by_label, "zyntra", s1));
    assert_true(posted(&ix->by_joined, "zyntrawidgets", s1));
    assert_int_equal(postings_get(&ix->by_label, "zyntra")->n, 1);   /* two domains, one core */
    assert_string_equal(ix->acc[s2].acronym, "npr");
    assert_true(posted(&ix->by_acronym, "npr", s2));
    assert_int_equal(df(ix, "zyntra"), 1);
    assert_int_equal(df(ix, "rail"), 1);

    assert_true(index_delete(ix, "A1"));
    assert_int_equal(index_find(ix, "A1"), -1);
    assert_false(index_delete(ix, "A1"));              /* already gone */
    assert_false(index_delete(ix, "nope"));
    assert_int_equal(ix->live, 1);
    assert_false(ix->acc[s1].live);
    assert_false(posted(&ix->by_domain, "zyntra.com", s1));
    assert_false(posted(&ix->by_domain, "zyntra.co.uk", s1));
    assert_false(posted(&ix->by_label, "zyntra", s1));
    assert_false(posted(&ix->by_joined, "zyntrawidgets", s1));
    assert_int_equal(df(ix, "zyntra"), 0);
    assert_int_equal(df(ix, "widgets"), 0);
    assert_int_equal(index_find(ix, "A2"), 1);         /* the other account is untouched */
    assert_true(posted(&ix->by_domain, "nprail.com", s2));

    /* Upserting a deleted id brings it back in its old slot. */
    assert_int_equal(put(ix, "A1", "Zyntra Widgets", "zyntra.com", NULL), s1);
    assert_int_equal(index_find(ix, "A1"), (long)s1);
    assert_int_equal(ix->live, 2);
    assert_int_equal(ix->n, 2);
    assert_true(posted(&ix->by_domain, "zyntra.com", s1));
    assert_int_equal(df(ix, "zyntra"), 1);
    assert_null(ix->acc[s1].type);
}

static void test_reupsert_moves_postings(void **state)
{
    account_index *ix = *state;
    uint32_t s = put(ix, "B1", "Zyntra Widgets", "zyntra.com", "Prospect");
    put(ix, "B2", "Other Widgets", "other-widgets.com", NULL);
    assert_int_equal(df(ix, "widgets"), 2);

    assert_int_equal(put(ix, "B1", "Quorvex Labs", "www.quorvex.io", NULL), s);
    assert_int_equal(ix->n, 2);
    assert_int_equal(ix->live, 2);
    assert_int_equal(index_find(ix, "B1"), (long)s);
    /* The old domain, label, name and joined name no longer find it. */
    assert_false(posted(&ix->by_domain, "zyntra.com", s));
    assert_false(posted(&ix->by_label, "zyntra", s));
    assert_false(posted(&ix->by_joined, "zyntrawidgets", s));
    assert_int_equal(df(ix, "zyntra"), 0);
    assert_int_equal(df(ix, "widgets"), 1);            /* only B2 now */
    /* The new ones do. */
    assert_true(posted(&ix->by_domain, "quorvex.io", s));
    assert_true(posted(&ix->by_label, "quorvex", s));
    assert_true(posted(&ix->by_joined, "quorvexlabs", s));
    assert_int_equal(df(ix, "quorvex"), 1);
    assert_int_equal(df(ix, "labs"), 1);
    assert_string_equal(ix->acc[s].name, "Quorvex Labs");
    assert_null(ix->acc[s].type);                      /* not kept from the old record */
    assert_int_equal(ix->acc[s].domains.n, 1);
    assert_string_equal(ix->acc[s].domains.v[0], "quorvex.io");

    /* The same record twice changes nothing. */
    put(ix, "B1", "Quorvex Labs", "www.quorvex.io", NULL);
    assert_int_equal(ix->live, 2);
    assert_int_equal(postings_get(&ix->by_domain, "quorvex.io")->n, 1);
    assert_int_equal(df(ix, "quorvex"), 1);
}

/* A token's list of slots stays ascending (retrieval looks slots up in it) when accounts are
 * replaced, deleted and brought back in earlier slots. */
static void test_token_lists_stay_ascending(void **state)
{
    account_index *ix = *state;
    const char *ids[] = {"T0", "T1", "T2", "T3", "T4", "T5"};
    for (size_t i = 0; i < ARRAY_LEN(ids); i++)
        put(ix, ids[i], "Harbor Widgets", NULL, NULL);
    put(ix, "T1", "Quorvex Labs", NULL, NULL);          /* leaves widgets, slot 1 */
    assert_true(index_delete(ix, "T3"));
    put(ix, "T1", "Harbor Widgets Widgets", NULL, NULL); /* back in slot 1, the word twice */
    put(ix, "T3", "Widgets Harbor", NULL, NULL);
    put(ix, "T6", "Widgets", NULL, NULL);
    const uint32_t want[] = {0, 1, 2, 3, 4, 5, 6};
    const u32vec *l = &ix->tok_post[index_token_id(ix, "widgets")];
    assert_int_equal(l->n, ARRAY_LEN(want));
    for (size_t i = 0; i < ARRAY_LEN(want); i++)
        assert_int_equal(l->v[i], want[i]);
    assert_int_equal(u32_lower_bound(l, 4), 4);
    assert_int_equal(u32_lower_bound(l, 7), 7);
    assert_int_equal(df(ix, "harbor"), 6);              /* T6 has none */
}

/* Every live slot's key against its account: the id hash's high half, and "has word v" for every
 * word of the vocabulary, for names of one to seven words, replaced by longer and shorter ones. */
static void expect_keys_agree(const account_index *ix)
{
    for (uint32_t slot = 0; slot < ix->n; slot++) {
        const account *a = &ix->acc[slot];
        if (!a->live)
            continue;
        uint64_t h = hash_bytes(a->id, strlen(a->id));
        assert_int_equal(index_tie_hash(ix, slot), h | 1);
        assert_int_equal(ix->key[slot].hash_hi, (uint32_t)(h >> 32));
        for (uint32_t v = 0; v < ix->nvocab; v++) {
            bool has = false;
            for (uint32_t t = 0; t < a->ntok; t++)
                has |= a->tok[t] == v;
            if (index_has_word(ix, slot, v) != has)
                fail_msg("slot %u ('%s', %u words), word '%s': key says %d", slot, a->name,
                         a->ntok, ix->words[v].str, !has);
        }
        assert_false(index_has_word(ix, slot, (uint32_t)ix->nvocab));
    }
    for (uint32_t v = 0; v < ix->nvocab; v++) {   /* the words' records agree with their lists */
        assert_int_equal(ix->words[v].df, ix->tok_post[v].n);
        assert_int_equal(ix->words[v].len, strlen(ix->words[v].str));
    }
}

static void test_slot_keys(void **state)
{
    account_index *ix = *state;
    const char *names[] = {"Alfa", "Alfa Bravo", "Bravo Charlie Delta", "Charlie Delta Echo Golf",
                           "Delta Echo Golf Hotel India", "India Juliett Kilo Lima Mike Oscar",
                           "Papa Papa Quebec Romeo Sierra Tango Uniform"};
    char id[16];
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        snprintf(id, sizeof(id), "K%zu", i);
        put(ix, id, names[i], NULL, NULL);
    }
    expect_keys_agree(ix);
    put(ix, "K0", "Victor Whiskey Xray Yankee Zulu", NULL, NULL);   /* longer, same slot */
    put(ix, "K5", "Zulu", NULL, NULL);                                /* shorter */
    assert_true(index_delete(ix, "K2"));
    expect_keys_agree(ix);
    assert_int_equal(index_find(ix, "K5"), 5);
    assert_int_equal(index_find(ix, "K2"), -1);
}

static void test_weights(void **state)
{
    account_index *ix = *state;
    put(ix, "C1", "Global Zyntra", NULL, NULL);
    put(ix, "C2", "Global Quorvex", NULL, NULL);
    put(ix, "C3", "Global Brindle", NULL, NULL);
    put(ix, "C4", "Harbour Brindle", NULL, NULL);
    assert_int_equal(ix->live, 4);
    assert_int_equal(df(ix, "global"), 3);
    assert_int_equal(df(ix, "brindle"), 2);
    assert_int_equal(df(ix, "zyntra"), 1);

    for (uint32_t d = 0; d <= 4; d++)
        assert_float_equal(index_weight_df(ix, d), log(5.0 / (d + 1.0)) + 1.0, EPS);
    for (uint32_t d = 0; d < 4; d++)
        assert_true(index_weight_df(ix, d) > index_weight_df(ix, d + 1));
    assert_float_equal(index_weight_df(ix, 4), 1.0, EPS);    /* in every account */

    assert_float_equal(index_token_weight(ix, "zyntra"), log(5.0 / 2.0) + 1.0, EPS);
    assert_float_equal(index_token_weight(ix, "brindle"), log(5.0 / 3.0) + 1.0, EPS);
    assert_float_equal(index_token_weight(ix, "global"), log(5.0 / 4.0) + 1.0, EPS);
    assert_float_equal(index_token_weight(ix, "unseen"), log(5.0) + 1.0, EPS);
    assert_int_equal(index_token_id(ix, "unseen"), UINT32_MAX);
    assert_true(index_token_weight(ix, "zyntra") > index_token_weight(ix, "global"));

    /* Deleting an account lowers df and N. */
    assert_true(index_delete(ix, "C1"));
    assert_int_equal(df(ix, "global"), 2);
    assert_float_equal(index_token_weight(ix, "global"), log(4.0 / 3.0) + 1.0, EPS);
    assert_float_equal(index_token_weight(ix, "zyntra"), log(4.0) + 1.0, EPS);
}

static bool has_neighbour(const account_index *ix, const u32vec *out, const char *tok)
{
    uint32_t id = index_token_id(ix, tok);
    return id != UINT32_MAX && u32_contains(out, id);
}

static void test_typo_neighbours(void **state)
{
    account_index *ix = *state;
    put(ix, "D1", "Zyntra Widgets", NULL, NULL);
    put(ix, "D2", "Quorvexal Acme", NULL, NULL);
    u32vec out = {0};

    index_typo_neighbours(ix, "zyntro", &out);         /* substitution */
    assert_int_equal(out.n, 1);
    assert_true(has_neighbour(ix, &out, "zyntra"));
    out.n = 0;
    index_typo_neighbours(ix, "zyntar", &out);         /* transposition */
    assert_int_equal(out.n, 1);
    assert_true(has_neighbour(ix, &out, "zyntra"));
    out.n = 0;
    index_typo_neighbours(ix, "zyntrax", &out);        /* insertion */
    assert_int_equal(out.n, 1);
    assert_true(has_neighbour(ix, &out, "zyntra"));
    out.n = 0;
    index_typo_neighbours(ix, "widget", &out);         /* deletion */
    assert_int_equal(out.n, 1);
    assert_true(has_neighbour(ix, &out, "widgets"));

    out.n = 0;
    index_typo_neighbours(ix, "zyntra", &out);         /* the token itself is excluded */
    assert_int_equal(out.n, 0);
    index_typo_neighbours(ix, "zxntrx", &out);         /* 2 edits in a 6-char word */
    assert_int_equal(out.n, 0);

    /* 9+ chars: 2 edits allowed (insert one letter, drop another), 3 are not. */
    index_typo_neighbours(ix, "quozrvexa", &out);
    assert_int_equal(out.n, 1);
    assert_true(has_neighbour(ix, &out, "quorvexal"));
    out.n = 0;
    index_typo_neighbours(ix, "quarvaxel", &out);      /* 3 substitutions */
    assert_int_equal(out.n, 0);
    index_typo_neighbours(ix, "zyqtrb", &out);
    assert_int_equal(out.n, 0);

    /* Short tokens: neither probed ("acne") nor indexed ("acme" is not found from "acmes"). */
    index_typo_neighbours(ix, "acne", &out);
    assert_int_equal(out.n, 0);
    index_typo_neighbours(ix, "acmes", &out);
    assert_int_equal(out.n, 0);

    /* Appends without duplicates. */
    u32_push(&out, 12345);
    index_typo_neighbours(ix, "zyntro", &out);
    index_typo_neighbours(ix, "zyntri", &out);
    assert_int_equal(out.n, 2);
    assert_int_equal(out.v[0], 12345);
    assert_true(has_neighbour(ix, &out, "zyntra"));

    /* Tokens of deleted accounts are not offered. */
    assert_true(index_delete(ix, "D1"));
    out.n = 0;
    index_typo_neighbours(ix, "zyntro", &out);
    assert_int_equal(out.n, 0);
    u32_free(&out);
}

static void expect_core(const account_index *ix, const char *label, const char *core)
{
    char *got = index_label_core(ix, label);
    if (strcmp(got, core) != 0) {
        char msg[256];
        snprintf(msg, sizeof(msg), "core of '%s': expected '%s', got '%s'", label, core, got);
        free(got);
        fail_msg("%s", msg);
    }
    free(got);
}

static void test_label_core(void **state)
{
    account_index *ix = *state;
    expect_core(ix, "teaminvo", "invo");
    expect_core(ix, "gannongroup", "gannon");
    expect_core(ix, "tryacmehq", "acme");              /* one prefix and one suffix */
    expect_core(ix, "team-invo-group", "invo");        /* hyphens removed first */
    expect_core(ix, "dc-storm", "dcstorm");
    expect_core(ix, "trygetacme", "getacme");          /* only one prefix */
    expect_core(ix, "acmeinchq", "acmeinc");           /* only one suffix */
    expect_core(ix, "getabc", "abc");                  /* exactly 3 left */
    expect_core(ix, "abchq", "abc");
    expect_core(ix, "getab", "getab");                 /* would leave 2: kept */
    expect_core(ix, "abhq", "abhq");
    expect_core(ix, "group", "group");
    expect_core(ix, "zyntra", "zyntra");
    expect_core(ix, "", "");
    expect_core(ix, "tgroupq", "tgroupq");             /* a prefix's first byte, a suffix's last */
    expect_core(ix, "---", "");
    expect_core(ix, "get-hq", "get");                  /* "gethq": no prefix (2 left), a suffix */

    /* An empty prefix or suffix in a list matches every label: it ends the search there. */
    strvec empty_first;
    sv_init(&empty_first);
    sv_push(&empty_first, "");
    sv_push(&empty_first, "try");
    account_index odd;
    index_init(&odd, rules, &empty_first, &empty_first);
    expect_core(&odd, "tryacme", "tryacme");
    index_free(&odd);
    sv_free(&empty_first);

    /* Suffixes tried by the label's last byte, in list order within it, none after an empty
     * one. */
    strvec by_last;
    sv_init(&by_last);
    const char *sufs[] = {"hq", "up", "group", "p", "", "me"};
    for (size_t i = 0; i < ARRAY_LEN(sufs); i++)
        sv_push(&by_last, sufs[i]);
    account_index ordered;
    index_init(&ordered, rules, NULL, &by_last);
    expect_core(&ordered, "acmegroup", "acmegro");     /* "up" before "group" and "p" */
    expect_core(&ordered, "acmeshop", "acmesho");
    expect_core(&ordered, "acmehq", "acme");
    expect_core(&ordered, "acmeme", "acmeme");         /* "me" follows the empty suffix */
    index_free(&ordered);
    sv_free(&by_last);

    /* No configured lists: only hyphens go. */
    account_index bare;
    index_init(&bare, rules, NULL, NULL);
    expect_core(&bare, "team-invo-group", "teaminvogroup");
    index_free(&bare);

    /* Accounts are posted under the core of each domain label. */
    uint32_t s = put(ix, "E1", "Invo", "teaminvo.com;https://gannongroup.co.uk/", NULL);
    assert_true(posted(&ix->by_label, "invo", s));
    assert_true(posted(&ix->by_label, "gannon", s));
    assert_null(postings_get(&ix->by_label, "teaminvo"));
}

/* Thousands of accounts (past the id table's first growths): each found by id, the repeated
 * values (type, country, owner, date) one shared copy, a replaced account's values its new ones,
 * and labels read off plain domains and A-label domains alike. */
static void test_many_accounts_ids_and_shared_values(void **state)
{
    account_index *ix = *state;
    char id[32], name[64], dom[64];
    const uint32_t n = 3000;
    for (uint32_t i = 0; i < n; i++) {
        account_rec r;
        account_rec_init(&r);
        snprintf(id, sizeof(id), "ID%u", i);
        snprintf(name, sizeof(name), "Company%u Holdings", i);
        snprintf(dom, sizeof(dom), "https://www.company%u.com/", i);
        account_rec_set(&r, "id", id);
        account_rec_set(&r, "name", name);
        account_rec_set(&r, "domains", dom);
        account_rec_set(&r, "type", i % 2 ? "Customer" : "Prospect");
        account_rec_set(&r, "country", "Germany");
        account_rec_set(&r, "owner_id", "005X");
        account_rec_set(&r, "last_activity", "2026-01-02");
        assert_int_equal(index_upsert(ix, &r), i);
        account_rec_free(&r);
    }
    for (uint32_t i = 0; i < n; i++) {
        snprintf(id, sizeof(id), "ID%u", i);
        snprintf(dom, sizeof(dom), "company%u", i);
        assert_int_equal(index_find(ix, id), (long)i);
        assert_true(posted(&ix->by_label, dom, i));
    }
    assert_int_equal(index_find(ix, "ID3000"), -1);
    assert_ptr_equal(ix->acc[0].country, ix->acc[n - 1].country);
    assert_ptr_equal(ix->acc[0].type, ix->acc[2].type);
    assert_string_equal(ix->acc[1].type, "Customer");
    assert_string_equal(ix->acc[7].owner_id, "005X");
    assert_string_equal(ix->acc[7].last_activity, "2026-01-02");

    assert_int_equal(put(ix, "ID7", "Other Seven", "xn--bcher-kva.de", "Partner"), 7);
    assert_string_equal(ix->acc[7].type, "Partner");
    assert_null(ix->acc[7].country);
    assert_string_equal(ix->acc[1].type, "Customer");
    assert_true(posted(&ix->by_label, "b\xc3\xbc" "cher", 7));
    assert_false(posted(&ix->by_label, "company7", 7));
    assert_true(index_delete(ix, "ID8"));
    assert_int_equal(index_find(ix, "ID8"), -1);
    assert_int_equal(index_slot_of(ix, "ID8"), 8);
    assert_int_equal(ix->live, n - 1);
}

/* Words filed in the typo index by a load_helper's thread (index_defer_typo) make the same table,
 * slot for slot, as words filed by the upserts: 3,000 accounts of new words (several segments of
 * words, several growths of the table), published every 100 accounts. */
static void test_typo_filed_on_a_thread(void **state)
{
    account_index *inline_ix = *state, threaded;
    index_init(&threaded, rules, &prefixes, &suffixes);
    load_helper *f = load_helper_start(&threaded);
    assert_non_null(f);
    char id[32], name[96];
    for (uint32_t i = 0; i < 3000; i++) {
        snprintf(id, sizeof(id), "ID%u", i);
        snprintf(name, sizeof(name), "Zorvan%u Kelmira%u Plaxton%u", i, i * 7, i % 50);
        account_rec r;
        account_rec_init(&r);
        account_rec_set(&r, "id", id);
        account_rec_set(&r, "name", name);
        (void)index_upsert(inline_ix, &r);
        (void)index_upsert(&threaded, &r);
        account_rec_free(&r);
        if (i % 100 == 99)
            load_helper_publish(f);
    }
    load_helper_finish(f);
    assert_null(threaded.typo_sink);
    assert_true(inline_ix->nvocab > 6000);
    assert_int_equal(threaded.typo.n, inline_ix->typo.n);
    assert_int_equal(threaded.typo.cap, inline_ix->typo.cap);
    assert_memory_equal(threaded.typo.slot, inline_ix->typo.slot,
                        inline_ix->typo.cap * sizeof(*inline_ix->typo.slot));
    u32vec out = {0};
    index_typo_neighbours(&threaded, "zorvan17x", &out);
    assert_true(has_neighbour(&threaded, &out, "zorvan17"));
    u32_free(&out);
    index_free(&threaded);
}

/* What index_prepare works out ahead (possibly on another thread) is what the upsert files the
 * account under: each domain then its label core, the joined names, the acronym, each hashed as
 * hash_bytes hashes it; token and id hashes likewise. */
static void test_prepare_keys_and_hashes(void **state)
{
    account_index *ix = *state;
    account_rec r;
    account_rec_init(&r);
    account_rec_set(&r, "id", "P1");
    account_rec_set(&r, "name", "The Zyntra Widgets Intl");
    account_rec_set(&r, "domains", "teaminvo.com;https://gannongroup.co.uk/;xn--bcher-kva.de");
    account_rec_set(&r, "owner_id", "005");
    account_prep p;
    index_prepare(ix, &r, &p, NULL);
    const struct {
        enum index_list list;
        const char *key;
    } want[] = {{INDEX_BY_DOMAIN, "teaminvo.com"}, {INDEX_BY_LABEL, "invo"},
                {INDEX_BY_DOMAIN, "gannongroup.co.uk"}, {INDEX_BY_LABEL, "gannon"},
                {INDEX_BY_DOMAIN, "bücher.de"}, {INDEX_BY_LABEL, "bücher"},
                {INDEX_BY_JOINED, "zyntrawidgetsinternational"},
                {INDEX_BY_JOINED, "thezyntrawidgetsinternational"},
                {INDEX_BY_ACRONYM, "zwi"}};
    assert_int_equal(p.nkeys, ARRAY_LEN(want));
    for (size_t i = 0; i < ARRAY_LEN(want); i++) {
        assert_int_equal(p.keys[i].list, want[i].list);
        assert_string_equal(p.keys[i].s, want[i].key);
        assert_int_equal(p.keys[i].len, strlen(want[i].key));
        assert_true(p.keys[i].hash == hash_bytes(want[i].key, strlen(want[i].key)));
    }
    assert_true(p.id_hash == hash_bytes("P1", 2));
    assert_int_equal(p.nn.tokens.n, 3);
    for (size_t i = 0; i < p.nn.tokens.n; i++)
        assert_true(p.tok_hash[i] == hash_bytes(p.nn.tokens.v[i], strlen(p.nn.tokens.v[i])));
    assert_true(p.shared_hash[1] == index_shared_hash("005", 3));
    assert_int_equal(p.shared_len[1], 3);
    assert_true(index_shared_hash("Customer", 8) != index_shared_hash("Customer", 7));
    assert_true(index_shared_hash("2026-01-02", 10) != index_shared_hash("2026-01-03", 10));
    assert_true(p.shared_hash[0] == 0);                 /* no type */

    index_prefetch(ix, &p);
    uint32_t s = index_upsert_prepared(ix, &r, &p);
    const postings *lists[] = {&ix->by_domain, &ix->by_label, &ix->by_joined, &ix->by_acronym};
    for (size_t i = 0; i < ARRAY_LEN(want); i++)
        assert_true(posted(lists[want[i].list], want[i].key, s));
    assert_int_equal(index_find(ix, "P1"), (long)s);
    assert_int_equal(index_token_id(ix, "widgets"), ix->acc[s].tok[1]);
    assert_string_equal(ix->acc[s].owner_id, "005");
    index_prep_free(&p);
    account_rec_free(&r);

    /* Replaced, it leaves every one of those lists. */
    put(ix, "P1", "Quorvex", "quorvex.io", NULL);
    for (size_t i = 0; i < ARRAY_LEN(want); i++)
        assert_false(posted(lists[want[i].list], want[i].key, s));
}

/* Every string and key of a preparation, for comparing two of them. */
static void assert_same_prep(const account_prep *a, const account_prep *b)
{
    assert_int_equal(a->doms.n, b->doms.n);
    for (size_t i = 0; i < a->doms.n; i++)
        assert_string_equal(a->doms.v[i], b->doms.v[i]);
    const strvec *lists[][2] = {{&a->nn.tokens, &b->nn.tokens},
                                {&a->nn.qualifiers, &b->nn.qualifiers}};
    for (size_t l = 0; l < ARRAY_LEN(lists); l++) {
        assert_int_equal(lists[l][0]->n, lists[l][1]->n);
        for (size_t i = 0; i < lists[l][0]->n; i++)
            assert_string_equal(lists[l][0]->v[i], lists[l][1]->v[i]);
    }
    assert_string_equal(a->nn.joined, b->nn.joined);
    assert_string_equal(a->nn.joined_all, b->nn.joined_all);
    assert_string_equal(a->nn.acronym, b->nn.acronym);
    assert_int_equal(a->nn.junk, b->nn.junk);
    assert_true(a->id_hash == b->id_hash);
    assert_memory_equal(a->shared_hash, b->shared_hash, sizeof(a->shared_hash));
    assert_memory_equal(a->shared_len, b->shared_len, sizeof(a->shared_len));
    for (size_t i = 0; i < a->nn.tokens.n; i++)
        assert_true(a->tok_hash[i] == b->tok_hash[i]);
    assert_int_equal(a->nkeys, b->nkeys);
    for (size_t i = 0; i < a->nkeys; i++) {
        assert_int_equal(a->keys[i].list, b->keys[i].list);
        assert_int_equal(a->keys[i].len, b->keys[i].len);
        assert_true(a->keys[i].hash == b->keys[i].hash);
        assert_string_equal(a->keys[i].s, b->keys[i].s);
    }
}

/* A preparation made in a bump allocator is the same preparation as a malloc'd one, none of its
 * strings in the other's memory, and indexes the same; the allocator's blocks are reused. */
static void test_prepare_in_bump(void **state)
{
    account_index *ix = *state;
    const char *names[] = {"The Zyntra Widgets Intl (UK)", "", "Ab"};
    const char *domains[] = {"teaminvo.com;https://gannongroup.co.uk/;xn--bcher-kva.de", NULL,
                             "not a domain;ab.io"};
    bump b;
    bump_init(&b);
    for (int round = 0; round < 2; round++) {
        for (size_t n = 0; n < ARRAY_LEN(names); n++) {
            account_rec r;
            account_prep plain, in_bump;
            account_rec_init(&r);
            account_rec_set(&r, "id", "K1");
            account_rec_set(&r, "name", names[n]);
            account_rec_set(&r, "domains", domains[n]);
            index_prepare(ix, &r, &plain, NULL);
            index_prepare_in(ix, &r, &in_bump, NULL, &b);
            assert_same_prep(&plain, &in_bump);
            if (in_bump.nkeys)
                assert_ptr_not_equal(in_bump.keys[0].s, plain.keys[0].s);
            uint32_t s = index_upsert_prepared(ix, &r, &in_bump);
            assert_int_equal(index_find(ix, "K1"), (long)s);
            index_prep_free(&plain);
            account_rec_free(&r);
        }
        bump_reset(&b);
    }
    char *big = bump_alloc(&b, 200000); /* larger than a block: a block of its own */
    memset(big, 'x', 200000);
    assert_string_equal(bump_strdup(&b, "after"), "after");
    bump_free(&b);
}

/* An account's employees are strtol's reading of the field (digits read directly), -1 without. */
static void test_employees(void **state)
{
    account_index *ix = *state;
    const char *given[] = {"250", "0012", " 7", "-3", "12abc", "abc", "", NULL,
                           "123456789012345678", "1234567890123456789", "99999999999999999999"};
    for (size_t i = 0; i < ARRAY_LEN(given); i++) {
        account_rec r;
        account_rec_init(&r);
        account_rec_set(&r, "id", "E1");
        account_rec_set(&r, "name", "Zyntra");
        if (given[i])
            account_rec_set(&r, "employees", given[i]);
        uint32_t s = index_upsert(ix, &r);
        long want = given[i] && *given[i] ? strtol(given[i], NULL, 10) : -1;
        assert_true(ix->acc[s].employees == want);
        account_rec_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_upsert_find_delete, setup_index, teardown_index),
        cmocka_unit_test_setup_teardown(test_many_accounts_ids_and_shared_values, setup_index,
                                        teardown_index),
        cmocka_unit_test_setup_teardown(test_reupsert_moves_postings, setup_index, teardown_index),
        cmocka_unit_test_setup_teardown(test_token_lists_stay_ascending, setup_index, teardown_index),
        cmocka_unit_test_setup_teardown(test_slot_keys, setup_index, teardown_index),
        cmocka_unit_test_setup_teardown(test_weights, setup_index, teardown_index),
        cmocka_unit_test_setup_teardown(test_typo_neighbours, setup_index, teardown_index),
        cmocka_unit_test_setup_teardown(test_typo_filed_on_a_thread, setup_index, teardown_index),
        cmocka_unit_test_setup_teardown(test_label_core, setup_index, teardown_index),
        cmocka_unit_test_setup_teardown(test_prepare_keys_and_hashes, setup_index,
                                        teardown_index),
        cmocka_unit_test_setup_teardown(test_prepare_in_bump, setup_index, teardown_index),
        cmocka_unit_test_setup_teardown(test_employees, setup_index, teardown_index),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
