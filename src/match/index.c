/* index.c - the in-memory account index: upserts, deletes and posting lists (the typo index is
 * index_typo.c's). */
#include "index.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "huge.h"
#include "strmap.h"

/* ix->label_suffix_by_last from the nsuf suffixes' lengths: an empty suffix ends every search
 * (without_suffix: nothing after it is stripped), so the suffixes after the first are left out. */
static void label_suffixes_by_last(account_index *ix, size_t nsuf)
{
    size_t used = 0;
    while (used < nsuf && ix->label_suffix_len[used])
        used++;
    uint32_t *at = xcalloc(257 + used, sizeof(*at));
    for (size_t i = 0; i < used; i++)       /* counts by last byte, then where each run starts */
        at[(unsigned char)ix->label_suffixes->v[i][ix->label_suffix_len[i] - 1] + 1]++;
    for (size_t c = 0; c < 256; c++)
        at[c + 1] += at[c];
    uint32_t fill[256];
    memcpy(fill, at, sizeof(fill));
    for (size_t i = 0; i < used; i++)
        at[257 + fill[(unsigned char)ix->label_suffixes->v[i][ix->label_suffix_len[i] - 1]]++] =
            (uint32_t)i;
    ix->label_suffix_by_last = at;
}

void index_init(account_index *ix, const norm_rules *rules, const strvec *label_prefixes,
                const strvec *label_suffixes)
{
    memset(ix, 0, sizeof(*ix));
    hashmulti_init(&ix->by_id);
    ix->vocab = strmap_new();
    ix->shared = strmap_new();
    postings_init(&ix->by_domain);
    postings_init(&ix->by_label);
    postings_init(&ix->by_joined);
    postings_init(&ix->by_acronym);
    postings *all[] = {&ix->by_domain, &ix->by_label, &ix->by_joined, &ix->by_acronym};
    for (size_t i = 0; i < ARRAY_LEN(all); i++)
        postings_share_singles(all[i], &ix->singles);
    hashmulti_init(&ix->typo);
    bump_init_huge(&ix->load_arena);   /* read at random by scoring: huge pages */
    bump_init(&ix->prep_bump);
    u32pool_init(&ix->tok_pool);
    ix->scratch = norm_scratch_new();
    ix->shared_memo = xcalloc(SHARED_MEMO, sizeof(*ix->shared_memo));
    ix->rules = rules;
    ix->label_prefixes = label_prefixes;
    ix->label_suffixes = label_suffixes;
    size_t nsuf = label_suffixes ? label_suffixes->n : 0;
    ix->label_suffix_len = xcalloc(nsuf + 1, sizeof(*ix->label_suffix_len));
    for (size_t i = 0; i < nsuf; i++) {
        ix->label_suffix_len[i] = strlen(label_suffixes->v[i]);
        if (ix->label_suffix_len[i])
            ix->label_edge[(unsigned char)label_suffixes->v[i][ix->label_suffix_len[i] - 1]] |=
                LABEL_SUFFIX_LAST;
    }
    label_suffixes_by_last(ix, nsuf);
    for (size_t i = 0; label_prefixes && i < label_prefixes->n; i++)
        ix->label_edge[(unsigned char)label_prefixes->v[i][0]] |= LABEL_PREFIX_FIRST;
    ix->label_edge[0] = 0;          /* an empty prefix strips nothing */
}

static void account_clear(account_index *ix, account *a)
{
    if (a->domains.v && !a->in_load_arena) {
        free(a->domains.v);
        ix->malloced--;
    }
    memset(a, 0, sizeof(*a));
}

void index_free(account_index *ix)
{
    for (size_t i = 0; ix->malloced && i < ix->n; i++)   /* none after a load alone */
        account_clear(ix, &ix->acc[i]);
    xfree_huge(ix->acc, ix->cap * sizeof(*ix->acc));
    xfree_huge(ix->key, ix->cap * sizeof(*ix->key));
    for (size_t i = 0; i < ix->nvocab; i++)
        u32pool_forget(&ix->tok_pool, &ix->tok_post[i]);
    u32pool_free(&ix->tok_pool);
    xfree_huge(ix->tok_post, ix->capvocab * sizeof(*ix->tok_post));
    xfree_huge(ix->words, ix->capvocab * sizeof(*ix->words));
    hashmulti_free(&ix->by_id);
    strmap_free(ix->vocab);
    strmap_free(ix->shared);
    postings_free(&ix->by_domain);
    postings_free(&ix->by_label);
    postings_free(&ix->by_joined);
    postings_free(&ix->by_acronym);
    u32singles_free(&ix->singles);
    hashmulti_free(&ix->typo);
    bump_free(&ix->load_arena);
    bump_free(&ix->prep_bump);
    norm_scratch_free(ix->scratch);
    free(ix->shared_memo);
    free(ix->label_suffix_len);
    free(ix->label_suffix_by_last);
    memset(ix, 0, sizeof(*ix));
}

/* The lookup context of by_id: the id sought and the accounts holding the ids. */
typedef struct id_probe {
    const account_index *ix;
    const char *id;
    uint64_t hash;
} id_probe;

static bool slot_has_id(uint32_t slot, const void *ctx)
{
    const id_probe *p = ctx;
    return p->ix->key[slot].hash_hi == (uint32_t)(p->hash >> 32) &&
           strcmp(p->ix->acc[slot].id, p->id) == 0;
}

static uint32_t slot_of_hashed(const account_index *ix, const char *id, uint64_t hash)
{
    id_probe p = {ix, id, hash};
    return hashmulti_find(&ix->by_id, hash, slot_has_id, &p);
}

long index_slot_of(const account_index *ix, const char *id)
{
    uint32_t slot = slot_of_hashed(ix, id, hash_bytes(id, strlen(id)));
    return slot == UINT32_MAX ? -1 : (long)slot;
}

uint64_t index_tie_hash(const account_index *ix, uint32_t slot)
{
    const char *id = ix->acc[slot].id;
    return hash_bytes(id, strlen(id)) | 1;
}

bool index_tie_first(const account_index *ix, uint32_t a, uint32_t b)
{
    uint32_t ha = ix->key[a].hash_hi, hb = ix->key[b].hash_hi;
    if (ha != hb)
        return ha < hb;
    uint64_t fa = index_tie_hash(ix, a), fb = index_tie_hash(ix, b);
    if (fa != fb)
        return fa < fb;
    return strcmp(ix->acc[a].id, ix->acc[b].id) < 0;
}

long index_find(const account_index *ix, const char *id)
{
    long slot = index_slot_of(ix, id);
    return slot >= 0 && ix->acc[slot].live ? slot : -1;
}

uint32_t index_token_id_h(const account_index *ix, const char *tok, size_t len, uint64_t hash)
{
    uint32_t id;
    return strmap_getn_h(ix->vocab, tok, len, hash, &id) ? id : UINT32_MAX;
}

uint32_t index_token_id(const account_index *ix, const char *tok)
{
    uint32_t id;
    return strmap_get(ix->vocab, tok, &id) ? id : UINT32_MAX;
}

double index_weight_df(const account_index *ix, uint32_t df)
{
    return log(((double)ix->live + 1.0) / ((double)df + 1.0)) + 1.0;
}

double index_token_weight(const account_index *ix, const char *tok)
{
    uint32_t id = index_token_id(ix, tok);
    return index_weight_df(ix, id == UINT32_MAX ? 0 : ix->words[id].df);
}

/* ---- vocabulary ---- */

/* The vocabulary id of tok (len bytes; hash_bytes() of it is hash), a new one when it is new. */
static uint32_t vocab_intern(account_index *ix, const char *tok, size_t len, uint64_t hash)
{
    uint32_t id = (uint32_t)ix->nvocab;
    bool added;
    const char *key = strmap_get_or_put_h(ix->vocab, tok, len, hash, &id, &added);
    if (!added)
        return id;
    if (ix->nvocab >= KEY_NONE) {   /* the slot keys' ids have 31 bits: never near in memory */
        fprintf(stderr, "<2>l2a: more than %u distinct name words\n", KEY_NONE);
        abort();
    }
    if (ix->nvocab == ix->capvocab) {
        size_t had = ix->capvocab;
        ix->capvocab = ix->capvocab ? ix->capvocab * 2 : 1024;
        ix->words = xrealloc_huge(ix->words, had * sizeof(*ix->words),
                                  ix->capvocab * sizeof(*ix->words));
        ix->tok_post = xrealloc_huge(ix->tok_post, had * sizeof(*ix->tok_post),
                                     ix->capvocab * sizeof(*ix->tok_post));
    }
    ix->nvocab++;
    ix->words[id] = (vocab_word){key, 0, (uint32_t)len};
    ix->tok_post[id] = (u32vec){0};
    if (ix->typo_sink)
        ix->typo_sink(key, (uint32_t)len, id, ix->typo_sink_ctx);
    else
        index_typo_file(ix, key, len, id);
    return id;
}

/* ---- upsert and delete ---- */

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

/* The registrable domain of the website raw[0..n) (malloc'd), or NULL. */
static char *part_registrable(const char *raw, size_t n)
{
    char buf[256];
    char *part = n < sizeof(buf) ? buf : xmalloc(n + 1);
    memcpy(part, raw, n);
    part[n] = '\0';
    char *reg = website_registrable(part);
    if (part != buf)
        free(part);
    return reg;
}

/* Registrable domains of a ';'-separated list of websites, each once, into out (empty; its
 * strings and array in b, or malloc'd when b is NULL); bit i of *plain set when out->v[i] is a
 * plain domain (website_registrable_bump; never without b). */
static void registrable_domains(const char *raw, strvec *out, uint64_t *plain, bump *b)
{
    if (!raw)
        return;
    size_t parts = 1;
    for (const char *s = raw; (s = strchr(s, ';')); s++)
        parts++;
    out->v = b ? bump_alloc(b, parts * sizeof(*out->v)) : xmalloc(parts * sizeof(*out->v));
    out->cap = parts;
    for (const char *s = raw; *s;) {
        size_t n = strcspn(s, ";");
        bool is_plain = false;
        char *reg = !n  ? NULL
                    : b ? website_registrable_bump(s, n, b, &is_plain)
                        : part_registrable(s, n);
        if (reg && !sv_contains(out, reg)) {
            if (is_plain && out->n < 64)
                *plain |= (uint64_t)1 << out->n;
            out->v[out->n++] = reg;
        } else if (!b) {
            free(reg);              /* (in b, a duplicate stays unused) */
        }
        s += n + (s[n] == ';');
    }
}

static size_t str_bytes(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

/* Copies s of n bytes with its NUL (NULL stays NULL) at *cursor and moves it past the copy. */
static char *pack_str(char **cursor, const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *p = memcpy(*cursor, s, n);
    *cursor += n;
    return p;
}

/* Points list[0..from->n) at copies of from's strings. */
static void pack_strvec(char **cursor, char **list, const strvec *from)
{
    for (size_t i = 0; i < from->n; i++)
        list[i] = pack_str(cursor, from->v[i], strlen(from->v[i]) + 1);
}

/* The employees field as account.employees holds it: strtol's value, -1 when absent or empty.
 * Plain digits (up to 18: no overflow) are read here, anything else by strtol. */
static long employees_of(const char *s)
{
    if (!s || !*s)
        return -1;
    long v = 0;
    size_t i = 0;
    for (; s[i] >= '0' && s[i] <= '9' && i < 18; i++)
        v = v * 10 + (s[i] - '0');
    return s[i] == '\0' ? v : strtol(s, NULL, 10);
}

/* The account's own strings (in its block), in the order of account_strings' pointers: what
 * scoring reads (the id to order ties, the acronym to compare) first, right after the token ids.
 * Its joined names are by_joined's keys (keys_link). */
#define ACCOUNT_STRINGS 4

static void account_strings(account *a, char **dst[ACCOUNT_STRINGS])
{
    char **fields[ACCOUNT_STRINGS] = {&a->id, &a->acronym, &a->name, &a->parent_id};
    memcpy(dst, fields, sizeof(fields));
}

uint64_t index_shared_hash(const char *s, size_t len)
{
    const uint64_t mul = 0x9e3779b97f4a7c15ULL;
    uint64_t h = HASH_START ^ len, w;
    for (; len >= 8; len -= 8, s += 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * mul;
        h ^= h >> 29;
    }
    if (len) {
        w = 0;
        memcpy(&w, s, len);
        h = (h ^ w) * mul;
    }
    return hash_end(h);
}

/* The shared copy of a value that many accounts hold (type, owner, country, date; len bytes,
 * index_shared_hash() of it is hash), or NULL. */
static char *shared_value(account_index *ix, const char *s, size_t len, uint64_t hash)
{
    if (!s || !*s)
        return NULL;
    shared_memo *e = &ix->shared_memo[hash & (SHARED_MEMO - 1)];
    if (e->val && e->hash == hash && e->len == len && memcmp(e->val, s, len) == 0)
        return e->val;
    uint32_t unused = 0;
    char *val = (char *)strmap_get_or_put_h(ix->shared, s, len, hash, &unused, NULL);
    *e = (shared_memo){hash, val, len};
    return val;
}

/* The record's values that the index shares, in account_prep.shared_hash's order. */
static void shared_fields(const account_rec *rec, const char *v[INDEX_SHARED_FIELDS])
{
    const char *all[INDEX_SHARED_FIELDS] = {rec->type, rec->owner_id, rec->country,
                                            rec->last_activity};
    memcpy(v, all, sizeof(all));
}

static uint64_t hash_str(const char *s)
{
    return hash_bytes(s, strlen(s));
}

/* ---- the keys an account is filed under ---- */

static postings *key_postings(const account_index *ix, enum index_list list)
{
    const postings *all[] = {&ix->by_domain, &ix->by_label, &ix->by_joined, &ix->by_acronym};
    return (postings *)all[list];
}

static void key_push(account_prep *p, enum index_list list, const char *s, size_t len)
{
    p->keys[p->nkeys++] = (index_key){s, len, hash_bytes(s, len), list};
}

/* Adds the label core of a registrable domain to p's keys, the core in b (malloc'd when b is
 * NULL: index_prep_free frees it); nothing when the domain has no label. plain: the domain is
 * known to be plain (website_registrable_bump), its label what precedes its first dot. */
static void label_key_push(const account_index *ix, account_prep *p, const char *dom, bool plain,
                           bump *b)
{
    size_t len = plain ? strcspn(dom, ".") : index_plain_label_len(dom);
    char *label = len ? NULL : domain_label(dom);
    if (label)
        len = strlen(label);
    if (label || len) {
        char *core = b ? bump_alloc(b, len + 1) : xmalloc(len + 1);
        index_label_core_into(ix, label ? label : dom, len, core);
        size_t n = strlen(core);
        p->keys[p->nkeys++] = (index_key){core, n, hash_bytes(core, n), INDEX_BY_LABEL};
    }
    free(label);
}

/* The keys of an account with these domains and names (as account_fill stores them), into p
 * (whose keys array has room for 2 * doms->n + 3; the label cores in b, or malloc'd): each
 * domain and its label core, the joined name, the joined name with stop words when it differs,
 * the acronym. */
static void keys_collect(const account_index *ix, account_prep *p, const strvec *doms,
                         const char *joined, const char *joined_all, const char *acronym, bump *b)
{
    for (size_t i = 0; i < doms->n; i++) {
        key_push(p, INDEX_BY_DOMAIN, doms->v[i], strlen(doms->v[i]));
        label_key_push(ix, p, doms->v[i], i < 64 && (p->doms_plain >> i & 1), b);
    }
    if (*joined)
        key_push(p, INDEX_BY_JOINED, joined, strlen(joined));
    if (*joined_all && strcmp(joined_all, joined) != 0)
        key_push(p, INDEX_BY_JOINED, joined_all, strlen(joined_all));
    if (acronym)
        key_push(p, INDEX_BY_ACRONYM, acronym, strlen(acronym));
}

/* The names account_fill stores for a parsed name. */
static const char *stored_joined(const norm_name *nn)
{
    return nn->joined ? nn->joined : "";
}

static const char *stored_joined_all(const norm_name *nn)
{
    return nn->joined_all ? nn->joined_all : "";
}

static const char *stored_acronym(const norm_name *nn)
{
    return nn->tokens.n >= 3 && nn->acronym ? nn->acronym : NULL;
}

/* p's hash and key arrays (one block, in b or malloc'd), room for what keys_collect adds for
 * ndoms domains; with hashes given (the parse's in b), the key array alone, in b. */
static void prep_arrays(account_prep *p, size_t ntok, size_t ndoms, bump *b, const norm_name *given)
{
    size_t nkeys = 2 * ndoms + 3;
    if (given && given->tok_hash) {
        p->keys = bump_alloc(b, nkeys * sizeof(*p->keys));
        p->tok_hash = given->tok_hash;
        p->tok_len = given->tok_len;
        p->nkeys = 0;
        return;
    }
    size_t bytes = ntok * sizeof(*p->tok_hash) + nkeys * sizeof(*p->keys) +
                   ntok * sizeof(*p->tok_len);
    p->tok_hash = b ? bump_alloc(b, bytes) : xmalloc(bytes);
    p->keys = (index_key *)(p->tok_hash + ntok);
    p->tok_len = (uint32_t *)(p->keys + nkeys);
    for (size_t i = 0; given && i < ntok; i++) {
        p->tok_len[i] = (uint32_t)strlen(given->tokens.v[i]);
        p->tok_hash[i] = hash_bytes(given->tokens.v[i], p->tok_len[i]);
    }
    p->nkeys = 0;
}

void index_prepare(const account_index *ix, const account_rec *rec, account_prep *p,
                   norm_scratch *scratch)
{
    index_prepare_in(ix, rec, p, scratch, NULL);
}

void index_prepare_in(const account_index *ix, const account_rec *rec, account_prep *p,
                      norm_scratch *scratch, bump *b)
{
    const char *shared[INDEX_SHARED_FIELDS];
    sv_init(&p->doms);
    p->doms_plain = 0;
    registrable_domains(rec->domains, &p->doms, &p->doms_plain, b);
    if (b)
        norm_name_parse_bump(ix->rules, rec->name, &p->nn, scratch, b);
    else
        (void)norm_name_parse_in(ix->rules, rec->name, &p->nn, scratch);
    const norm_name *nn = &p->nn;
    p->id_hash = hash_str(rec->id);
    p->employees = employees_of(rec->employees);
    prep_arrays(p, nn->tokens.n, p->doms.n, b, nn);
    shared_fields(rec, shared);
    for (size_t i = 0; i < INDEX_SHARED_FIELDS; i++) {
        p->shared_len[i] = shared[i] ? (uint32_t)strlen(shared[i]) : 0;
        p->shared_hash[i] = shared[i] ? index_shared_hash(shared[i], p->shared_len[i]) : 0;
    }
    keys_collect(ix, p, &p->doms, stored_joined(nn), stored_joined_all(nn), stored_acronym(nn), b);
}

/* Frees the label cores among p's keys (malloc'd ones: keys_collect without a bump). */
static void labels_free(account_prep *p)
{
    for (size_t i = 0; i < p->nkeys; i++)
        if (p->keys[i].list == INDEX_BY_LABEL)
            free((char *)p->keys[i].s);
}

void index_prep_free(account_prep *p)
{
    sv_free(&p->doms);
    norm_name_free(&p->nn);
    labels_free(p);
    free(p->tok_hash);
}

void index_prefetch(const account_index *ix, const account_prep *p)
{
    hashmulti_prefetch(&ix->by_id, p->id_hash);
    for (size_t i = 0; i < p->nn.tokens.n; i++)
        strmap_prefetch_h(ix->vocab, p->tok_hash[i]);
    for (size_t i = 0; i < p->nkeys; i++)
        postings_prefetch_h(key_postings(ix, p->keys[i].list), p->keys[i].hash);
}

/* Fills a from rec in one allocation (at a->domains.v): the domain and qualifier pointer arrays,
 * the token ids, then its own strings. The domains and joined names are left for keys_link to
 * point at by_domain's and by_joined's keys; the type, owner, country and date point at copies
 * shared by every account holding that value. */
static void account_fill(account_index *ix, account *a, const account_rec *rec,
                         const account_prep *prep)
{
    const strvec doms = prep->doms;
    const norm_name nn = prep->nn;
    const char *src[ACCOUNT_STRINGS] = {rec->id, stored_acronym(&nn), rec->name,
                                        nonempty(rec->parent_id)};
    size_t nptr = doms.n + nn.qualifiers.n, len[ACCOUNT_STRINGS];
    size_t bytes = nptr * sizeof(char *) + nn.tokens.n * sizeof(uint32_t);
    for (size_t i = 0; i < ACCOUNT_STRINGS; i++)
        bytes += len[i] = str_bytes(src[i]);
    for (size_t i = 0; i < nn.qualifiers.n; i++)
        bytes += str_bytes(nn.qualifiers.v[i]);
    char **ptrs = ix->loading ? bump_alloc(&ix->load_arena, bytes) : xmalloc(bytes);
    a->in_load_arena = ix->loading;
    ix->malloced += !ix->loading;
    a->domains = (account_lists){ptrs, (uint32_t)doms.n, (uint32_t)nn.qualifiers.n};
    a->tok = (uint32_t *)(ptrs + nptr);
    a->ntok = (uint32_t)nn.tokens.n;
    for (uint32_t i = 0; i < a->ntok; i++)
        a->tok[i] = vocab_intern(ix, nn.tokens.v[i], prep->tok_len[i], prep->tok_hash[i]);
    char *cursor = (char *)(a->tok + a->ntok);
    char **dst[ACCOUNT_STRINGS];
    account_strings(a, dst);
    for (size_t i = 0; i < ACCOUNT_STRINGS; i++)
        *dst[i] = pack_str(&cursor, src[i], len[i]);
    a->joined = a->joined_all = (char *)"";    /* keys_link: by_joined's keys, when not empty */
    memset(ptrs, 0, doms.n * sizeof(*ptrs));   /* keys_link points them at by_domain's keys */
    pack_strvec(&cursor, ptrs + doms.n, &nn.qualifiers);
    const char *shared[INDEX_SHARED_FIELDS];
    shared_fields(rec, shared);
    char **to[INDEX_SHARED_FIELDS] = {&a->type, &a->owner_id, &a->country, &a->last_activity};
    for (size_t i = 0; i < INDEX_SHARED_FIELDS; i++)
        *to[i] = shared_value(ix, shared[i], prep->shared_len[i], prep->shared_hash[i]);
    a->employees = prep->employees;
    a->live = true;
}

/* Token lists are kept sorted by slot (index.h): appended at load, where slots only grow, and
 * inserted in place when an account is replaced. */
static void token_post_add(account_index *ix, uint32_t tok, uint32_t slot)
{
    u32vec *l = &ix->tok_post[tok];
    uint32_t at = !l->n || l->v[l->n - 1] < slot ? l->n : u32_lower_bound(l, slot);
    if (at < l->n && l->v[at] == slot)
        return;
    u32pool_push(&ix->tok_pool, l, slot);
    if (at + 1 < l->n) {            /* (appended, as at load: already in place) */
        memmove(l->v + at + 1, l->v + at, (l->n - 1 - at) * sizeof(*l->v));
        l->v[at] = slot;
    }
    ix->words[tok].df = l->n;
}

static void token_post_remove(account_index *ix, uint32_t tok, uint32_t slot)
{
    u32vec *l = &ix->tok_post[tok];
    uint32_t at = u32_lower_bound(l, slot);
    if (at == l->n || l->v[at] != slot)
        return;
    memmove(l->v + at, l->v + at + 1, (l->n - 1 - at) * sizeof(*l->v));
    l->n--;
    ix->words[tok].df = l->n;
}

/* Files the account under its keys (link) or takes it out of their lists. Its domains (the
 * INDEX_BY_DOMAIN keys, in their order) and joined names are pointed at the maps' copies of
 * them: one copy of each one's text, kept as long as the index; joined_all is joined when they
 * are equal (keys_collect files it once). */
static void keys_link(account_index *ix, const account_prep *p, uint32_t slot)
{
    account *a = &ix->acc[slot];
    char **dom = a->domains.v;
    for (size_t i = 0; i < p->nkeys; i++) {
        const index_key *k = &p->keys[i];
        char *stored = (char *)postings_add_h(key_postings(ix, k->list), k->s, k->len, k->hash,
                                              slot);
        if (k->list == INDEX_BY_DOMAIN)
            *dom++ = stored;
        else if (k->list == INDEX_BY_JOINED)
            *(k->s == p->nn.joined ? &a->joined : &a->joined_all) = stored;
    }
    if (!*a->joined_all && *stored_joined_all(&p->nn))
        a->joined_all = a->joined;
}

/* The slot's key from its account (index.h). */
static void key_fill(account_index *ix, uint32_t slot, uint64_t hash)
{
    const account *a = &ix->acc[slot];
    slot_key *k = &ix->key[slot];
    k->hash_hi = (uint32_t)(hash >> 32);
    for (uint32_t i = 0; i < KEY_WORDS; i++)
        k->tok[i] = i < a->ntok ? a->tok[i] : KEY_NONE;
    if (a->ntok > KEY_WORDS)
        k->tok[KEY_WORDS - 1] |= KEY_MORE;
}

static void keys_unlink(account_index *ix, const account_prep *p, uint32_t slot)
{
    for (size_t i = 0; i < p->nkeys; i++)
        postings_remove(key_postings(ix, p->keys[i].list), p->keys[i].s, slot);
}

static void account_link(account_index *ix, uint32_t slot, const account_prep *prep)
{
    const account *a = &ix->acc[slot];
    for (uint32_t i = 0; i < a->ntok; i++)
        __builtin_prefetch(&ix->tok_post[a->tok[i]], 1);
    keys_link(ix, prep, slot);
    for (uint32_t i = 0; i < a->ntok; i++)
        token_post_add(ix, a->tok[i], slot);
    ix->live++;
}

static void account_unlink(account_index *ix, uint32_t slot)
{
    const account *a = &ix->acc[slot];
    account_prep keys;
    strvec doms = account_domains(a);
    prep_arrays(&keys, 0, doms.n, NULL, NULL);
    keys.doms_plain = 0;
    keys_collect(ix, &keys, &doms, a->joined, a->joined_all, a->acronym, NULL);
    keys_unlink(ix, &keys, slot);
    labels_free(&keys);
    free(keys.tok_hash);
    for (uint32_t i = 0; i < a->ntok; i++)
        token_post_remove(ix, a->tok[i], slot);
    ix->live--;
}

size_t index_strmaps(account_index *ix, strmap *maps[INDEX_STRMAPS])
{
    strmap *all[INDEX_STRMAPS] = {ix->vocab, ix->shared, ix->by_domain.keys, ix->by_label.keys,
                                  ix->by_joined.keys, ix->by_acronym.keys};
    memcpy(maps, all, sizeof(all));
    return INDEX_STRMAPS;
}

void index_loading(account_index *ix, bool on)
{
    ix->loading = on;
    if (on)
        return;
    bump_drop_spare(&ix->load_arena);   /* (a block faulted in ahead, not carved from) */
    strmap *maps[INDEX_STRMAPS];
    for (size_t i = 0, n = index_strmaps(ix, maps); i < n; i++) {
        strmap_drop_spares(maps[i]);    /* (tables and slabs made ahead, not used) */
        strmap_expect(maps[i], 0);      /* (what the load expected: later growths double) */
    }
    hashmulti_expect(&ix->by_id, 0);
    hashmulti_expect(&ix->typo, 0);
}

uint32_t index_upsert(account_index *ix, const account_rec *rec)
{
    account_prep prep;
    index_prepare_in(ix, rec, &prep, ix->scratch, &ix->prep_bump);
    index_prefetch(ix, &prep);
    uint32_t slot = index_upsert_prepared(ix, rec, &prep);
    bump_reset(&ix->prep_bump);
    return slot;
}

uint32_t index_upsert_prepared(account_index *ix, const account_rec *rec, const account_prep *prep)
{
    uint64_t hash = prep->id_hash;
    uint32_t slot = slot_of_hashed(ix, rec->id, hash);
    if (slot != UINT32_MAX) {
        if (ix->acc[slot].live)
            account_unlink(ix, slot);
        uint32_t line = ix->acc[slot].load_line;
        account_clear(ix, &ix->acc[slot]);
        ix->acc[slot].load_line = line;
    } else {
        if (ix->n == ix->cap) {
            size_t had = ix->cap;
            ix->cap = ix->cap ? ix->cap * 2 : 1024;
            ix->acc = xrealloc_huge(ix->acc, had * sizeof(*ix->acc), ix->cap * sizeof(*ix->acc));
            ix->key = xrealloc_huge(ix->key, had * sizeof(*ix->key), ix->cap * sizeof(*ix->key));
        }
        slot = (uint32_t)ix->n++;
        memset(&ix->acc[slot], 0, sizeof(ix->acc[slot]));
        ix->key[slot].hash_hi = (uint32_t)(hash >> 32);
        hashmulti_add(&ix->by_id, hash, slot);
    }
    account_fill(ix, &ix->acc[slot], rec, prep);
    key_fill(ix, slot, hash);
    account_link(ix, slot, prep);
    ix->generation++;
    return slot;
}

bool index_delete(account_index *ix, const char *id)
{
    long slot = index_find(ix, id);
    if (slot < 0)
        return false;
    account_unlink(ix, (uint32_t)slot);
    ix->acc[slot].live = false;
    ix->generation++;
    return true;
}
