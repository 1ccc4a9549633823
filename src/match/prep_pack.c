/* prep_pack.c - an account's preparation moved into a bump allocator, its own allocations freed
 * at once: a batch of preparations kept for a while is then dropped in one go, and the malloc'd
 * pieces, freed right after they were made, are reused by the next row (malloc's per-thread
 * cache) instead of piling up in its bins. */
#include "index.h"

#include <string.h>

#define NAME_STRINGS 3 /* joined, joined_all, acronym */

/* A copy of list (strings and pointer array) in b; list is left as it is. */
static strvec strvec_copy(const strvec *list, bump *b)
{
    strvec copy = {.v = NULL, .n = list->n, .cap = list->n};
    if (list->n)
        copy.v = bump_alloc(b, list->n * sizeof(*copy.v));
    for (size_t i = 0; i < list->n; i++)
        copy.v[i] = bump_strdup(b, list->v[i]);
    return copy;
}

/* The strings of a preparation that its keys may point at, and their copies. */
typedef struct prep_strings {
    strvec doms;
    char *names[NAME_STRINGS];
    char *labels;               /* the label cores' buffer (p->labels.len bytes) */
} prep_strings;

static void names_of(norm_name *nn, char **out[NAME_STRINGS])
{
    char **all[NAME_STRINGS] = {&nn->joined, &nn->joined_all, &nn->acronym};
    memcpy(out, all, sizeof(all));
}

static void strings_copy(account_prep *p, bump *b, prep_strings *to)
{
    char **names[NAME_STRINGS];
    names_of(&p->nn, names);
    to->doms = strvec_copy(&p->doms, b);
    for (size_t i = 0; i < NAME_STRINGS; i++)
        to->names[i] = *names[i] ? bump_strdup(b, *names[i]) : NULL;
    to->labels = p->labels.len ? bump_alloc(b, p->labels.len) : NULL;
    if (to->labels)
        memcpy(to->labels, p->labels.buf, p->labels.len);
}

/* Where key string s of p points among the copies (s itself when p does not own it: ""). */
static const char *key_moved(account_prep *p, const prep_strings *to, const char *s)
{
    char **names[NAME_STRINGS];
    if (p->labels.len && s >= p->labels.buf && s < p->labels.buf + p->labels.len)
        return to->labels + (s - p->labels.buf);
    for (size_t i = 0; i < p->doms.n; i++)
        if (s == p->doms.v[i])
            return to->doms.v[i];
    names_of(&p->nn, names);
    for (size_t i = 0; i < NAME_STRINGS; i++)
        if (s == *names[i])
            return to->names[i];
    return s;
}

/* A copy of p's hash and key arrays (one block) in b, each key at its string's copy. */
static uint64_t *keys_copy(account_prep *p, bump *b, const prep_strings *to)
{
    size_t ntok = p->nn.tokens.n;
    size_t bytes = ntok * sizeof(*p->tok_hash) + p->nkeys * sizeof(*p->keys);
    uint64_t *block = bump_alloc(b, bytes ? bytes : 1);
    memcpy(block, p->tok_hash, bytes);
    index_key *keys = (index_key *)(block + ntok);
    for (size_t i = 0; i < p->nkeys; i++)
        keys[i].s = key_moved(p, to, keys[i].s);
    return block;
}

void index_prep_pack(account_prep *p, bump *b)
{
    prep_strings to;
    char **names[NAME_STRINGS];
    strings_copy(p, b, &to);
    uint64_t *block = keys_copy(p, b, &to);
    strvec tokens = strvec_copy(&p->nn.tokens, b);
    strvec qualifiers = strvec_copy(&p->nn.qualifiers, b);
    size_t labels_len = p->labels.len;
    bool junk = p->nn.junk;
    index_prep_free(p);
    p->nn.junk = junk;
    p->doms = to.doms;
    p->nn.tokens = tokens;
    p->nn.qualifiers = qualifiers;
    names_of(&p->nn, names);
    for (size_t i = 0; i < NAME_STRINGS; i++)
        *names[i] = to.names[i];
    p->tok_hash = block;
    p->keys = (index_key *)(block + tokens.n);
    p->labels = (strbuf){.buf = to.labels, .len = labels_len, .cap = labels_len};
}
