/* index.h - the in-memory account index: accounts by id, domain, domain label, name token, joined
 * name and acronym, with rarity (IDF) weights and a typo index over the token vocabulary. */
#ifndef L2A_INDEX_H
#define L2A_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bump.h"
#include "normalize.h"
#include "postings.h"
#include "inputs.h"
#include "strmap.h"
#include "util.h"

/* An account's registrable domains, then its regional qualifiers ("uk" for "Acme (UK)") in the
 * same array, after the domains. */
typedef struct account_lists {
    char **v;                 /* the account's allocation */
    uint32_t n;               /* domains: v[0..n) */
    uint32_t nqualifiers;     /* qualifiers: v[n..n + nqualifiers) */
} account_lists;

/* One account as the matcher sees it, 128 bytes (two cache lines). Its strings and arrays live in
 * one allocation (owned, at domains.v), except type, owner_id, country and last_activity, which
 * point at copies the index shares between accounts (account_index.shared), and its domains,
 * which point at by_domain's keys; strings are NULL when absent. */
typedef struct account {
    uint32_t *tok;            /* vocabulary ids of its name tokens */
    uint32_t ntok;
    bool live;                /* false once deleted (slot kept so ids stay valid) */
    bool in_load_arena;       /* its block (domains.v) is in account_index.load_arena, not
                               * malloc'd: never freed alone */
    char *id;                 /* (these first: what scoring reads, in one or two cache lines) */
    char *joined;             /* tokens concatenated */
    char *joined_all;         /* tokens with stop words concatenated ("businessonbot") */
    char *acronym;            /* first letters of tokens when 3+ tokens, else NULL */
    char *name;
    char *type;
    char *parent_id;
    char *owner_id;
    char *country;
    char *last_activity;
    long employees;           /* -1 when unknown */
    uint32_t load_line;       /* the file line its id was first read on in the current load
                               * (load.c's duplicate warnings; 0: none); kept when replaced */
    uint32_t spare;           /* unused: keeps the record at two cache lines */
    account_lists domains;    /* registrable domains of its websites, deduplicated, and its name's
                               * qualifiers (account_qualifiers) */
} account;

_Static_assert(sizeof(account) == 128, "an account fills two cache lines");

/* The regional qualifiers of an account's name, as a strvec to read (not to change or free). */
static inline strvec account_qualifiers(const account *a)
{
    return (strvec){a->domains.v + a->domains.n, a->domains.nqualifiers, a->domains.nqualifiers};
}

/* The registrable domains of an account, as a strvec to read (not to change or free). */
static inline strvec account_domains(const account *a)
{
    return (strvec){a->domains.v, a->domains.n, a->domains.n};
}

/* What name retrieval reads of every account it weighs, packed per slot in 16 bytes (four to a
 * cache line, never split): the high half of its id's hash, the tie order's first key, and its
 * first KEY_WORDS word ids, so that one line answers "has it this word?" for most accounts
 * instead of the account and its token array (two more misses). */
#define KEY_WORDS 3
#define KEY_NONE 0x7fffffffu   /* no word in this place (vocabulary ids stay below it) */
#define KEY_MORE 0x80000000u   /* set on the last place: the account has more words (its tok) */
typedef struct slot_key {
    uint32_t hash_hi;
    uint32_t tok[KEY_WORDS];
} slot_key;

/* A vocabulary word with the size of its list (tok_post[].n, kept equal) beside it: scoring and
 * typo probing read both for every word they meet, in one line. */
typedef struct vocab_word {
    const char *str;          /* borrowed from vocab's keys */
    uint32_t df;              /* live accounts with the word: tok_post[id].n */
    uint32_t len;             /* strlen(str) */
} vocab_word;

/* A shared value (account_index.shared) remembered by its hash: most rows' types, owners,
 * countries and dates are found here without a probe of the map. */
#define SHARED_MEMO 4096
typedef struct shared_memo {
    uint64_t hash;            /* index_shared_hash */
    char *val;                /* the map's copy; NULL: empty */
    size_t len;               /* strlen(val) */
} shared_memo;

/* Where index_defer_typo sends each new vocabulary word: its text as the vocabulary stores it
 * (kept as long as the index), its length and its id, in id order. */
typedef void (*index_word_sink)(const char *word, uint32_t len, uint32_t id, void *ctx);

typedef struct account_index {
    account *acc;             /* slots, owned */
    slot_key *key;            /* per slot, owned */
    size_t n;
    size_t cap;
    size_t live;
    hashmulti by_id;          /* account id -> slot (the ids read from acc and key) */
    postings by_domain;       /* registrable domain -> slots */
    postings by_label;        /* label core of each domain -> slots */
    postings by_joined;       /* joined name -> slots */
    postings by_acronym;      /* acronym -> slots */
    u32singles singles;       /* the four maps' lists of one slot (postings_share_singles) */
    strmap *vocab;            /* token -> vocabulary id */
    strmap *shared;           /* the accounts' types, owners, countries and dates, each once (keys
                               * only; kept until the index is freed) */
    shared_memo *shared_memo; /* SHARED_MEMO entries by hash, owned */
    vocab_word *words;        /* vocabulary id -> token and its list's size */
    u32vec *tok_post;         /* vocabulary id -> slots of live accounts using it (df = n),
                               * ascending */
    u32pool tok_pool;         /* tok_post's arrays */
    size_t nvocab;
    size_t capvocab;
    hashmulti typo;           /* hash of each token and its 1-deletions -> vocabulary id */
    bump load_arena;          /* the blocks of the accounts added while loading (index_loading);
                               * one replaced later stays until index_free */
    bool loading;
    index_word_sink typo_sink;     /* while not NULL, new words go here, not into typo
                                    * (index_defer_typo) */
    void *typo_sink_ctx;
    bump prep_bump;           /* index_upsert's preparation of the record (emptied after it) */
    size_t malloced;          /* accounts whose block is malloc'd (not in load_arena) */
    uint64_t generation;      /* bumped by every upsert and delete: what was worked out from the
                               * lists stays right while it holds */
    norm_scratch *scratch;    /* index_upsert's name-parsing buffers; owned */
    const norm_rules *rules;  /* borrowed */
    const strvec *label_prefixes;  /* borrowed: stripped from domain labels ("try", "get") */
    const strvec *label_suffixes;  /* borrowed: ("hq", "group") */
    size_t *label_suffix_len;      /* strlen of each label suffix; owned */
    uint32_t *label_suffix_by_last; /* owned: [c]..[c + 1] the range of [257 + k], the suffixes
                                     * (their indices, in list order) ending with byte c, those
                                     * after the first empty one left out */
    uint8_t label_edge[256];       /* by byte: LABEL_PREFIX_FIRST when a label prefix starts with
                                    * it, LABEL_SUFFIX_LAST when a label suffix ends with it */
} account_index;

enum { LABEL_PREFIX_FIRST = 1, LABEL_SUFFIX_LAST = 2 };

void index_init(account_index *ix, const norm_rules *rules, const strvec *label_prefixes,
                const strvec *label_suffixes);
void index_free(account_index *ix);
/* A bulk load begins (on) or ends: meanwhile each account's block is carved from the index's
 * load arena instead of malloc'd, which saves a malloc each, their headers, and a free each when
 * the index is freed. */
void index_loading(account_index *ix, bool on);
/* The index's string maps (the vocabulary, the shared strings, the four postings' keys), for
 * their growths' memory to be made ahead while loading (strmap_table_wanted); returns how many. */
#define INDEX_STRMAPS 6
size_t index_strmaps(account_index *ix, strmap *maps[INDEX_STRMAPS]);
/* From now on (sink not NULL) each new word is passed to sink instead of being filed in the typo
 * index, for another thread to file with index_typo_file in the same order (the same table as
 * filing it here); the typo index must not be read meanwhile. NULL: filed here again. */
void index_defer_typo(account_index *ix, index_word_sink sink, void *ctx);
/* Files a word (what a sink was passed) in the typo index. Reads and writes nothing of ix but the
 * typo index, so it may run on another thread while that thread upserts (with a sink set). */
void index_typo_file(account_index *ix, const char *word, size_t len, uint32_t id);
/* Inserts or replaces (by id) the account described by rec (copied). Returns its slot. */
uint32_t index_upsert(account_index *ix, const account_rec *rec);
/* The keyed posting lists an account is filed under. */
enum index_list { INDEX_BY_DOMAIN, INDEX_BY_LABEL, INDEX_BY_JOINED, INDEX_BY_ACRONYM };

/* One key an account is filed under, with its hash_bytes() (computed once, where it is made). */
typedef struct index_key {
    const char *s;             /* borrowed from the account_prep (or account) it was made for */
    size_t len;
    uint64_t hash;
    enum index_list list;
} index_key;

/* The fields of a record whose values the index shares between accounts (account_index.shared). */
#define INDEX_SHARED_FIELDS 4

/* What index_upsert derives from a record alone: its registrable domains, parsed name, the keys
 * it is filed under and the hashes of everything the index looks up for it. */
typedef struct account_prep {
    strvec doms;
    uint64_t doms_plain;       /* bit i: doms.v[i] is plain (website_registrable_bump) */
    norm_name nn;
    uint64_t id_hash;
    uint64_t *tok_hash;        /* one per nn.tokens.v; owned (one block with keys) */
    uint32_t *tok_len;         /* strlen of each nn.tokens.v (in tok_hash's block) */
    uint64_t shared_hash[INDEX_SHARED_FIELDS];  /* type, owner_id, country, last_activity:
                                                 * index_shared_hash, 0 when absent */
    uint32_t shared_len[INDEX_SHARED_FIELDS];   /* their strlen */
    long employees;            /* as account.employees will hold it */
    index_key *keys;           /* in filing order: each domain then its label core (owned, like
                                * the rest), joined name, joined name with stop words, acronym */
    size_t nkeys;
} account_prep;

/* Fills p for rec, parsing the name in scratch (the calling thread's; NULL: buffers of its own).
 * Reads nothing of ix but its rules (read-only once built), so it may run on another thread while
 * ix changes; the PSL must have been used once before (domain.h). */
void index_prepare(const account_index *ix, const account_rec *rec, account_prep *p,
                   norm_scratch *scratch);
/* index_prepare with p's strings and arrays carved from b (NULL: malloc'd): p then lives as long
 * as b's current blocks, and is never passed to index_prep_free. */
void index_prepare_in(const account_index *ix, const account_rec *rec, account_prep *p,
                      norm_scratch *scratch, bump *b);
void index_prep_free(account_prep *p);
/* The hash the index files a shared value (account_index.shared) under, s of len bytes: eight
 * bytes a step (a value is hashed for each of four fields of every account), not hash_bytes. */
uint64_t index_shared_hash(const char *s, size_t len);
/* Asks the CPU for the slots an upsert of p will read first (id, tokens, keys): for a record to
 * be upserted soon after the current one. Changes nothing. */
void index_prefetch(const account_index *ix, const account_prep *p);
/* index_upsert with the record's preparation already done (p stays the caller's to free). */
uint32_t index_upsert_prepared(account_index *ix, const account_rec *rec, const account_prep *p);
/* Deletes by id; returns false when unknown. */
bool index_delete(account_index *ix, const char *id);
/* Slot of id, or -1. */
long index_find(const account_index *ix, const char *id);
/* Slot of id, deleted or not, or -1. */
long index_slot_of(const account_index *ix, const char *id);

/* The tie order's key of a slot: its account id's hash | 1 (never 0). Ties of key[].hash_hi,
 * the high half of it, are rare; this is what breaks them. */
uint64_t index_tie_hash(const account_index *ix, uint32_t slot);

/* Does slot a come before slot b in the tie order (their keys' hash_hi, then index_tie_hash,
 * then the ids)? The same order whatever order the accounts were loaded in. */
bool index_tie_first(const account_index *ix, uint32_t a, uint32_t b);

/* Has the account in slot the word id? One line of key for an account of up to KEY_WORDS
 * words. (A live account is in a word's list exactly when it has the word.) */
static inline bool index_has_word(const account_index *ix, uint32_t slot, uint32_t id)
{
    const slot_key *k = &ix->key[slot];
    for (size_t i = 0; i < KEY_WORDS; i++)
        if ((k->tok[i] & ~KEY_MORE) == id)
            return true;
    if (!(k->tok[KEY_WORDS - 1] & KEY_MORE))
        return false;
    const account *a = &ix->acc[slot];
    for (uint32_t t = KEY_WORDS; t < a->ntok; t++)
        if (a->tok[t] == id)
            return true;
    return false;
}

/* Vocabulary id of a token, or UINT32_MAX. */
uint32_t index_token_id(const account_index *ix, const char *tok);
/* The same for a token of len bytes whose hash_bytes() is hash. */
uint32_t index_token_id_h(const account_index *ix, const char *tok, size_t len, uint64_t hash);
/* Rarity weight of a token: log((N+1)/(df+1)) + 1, with df = 0 for unknown tokens. */
double index_weight_df(const account_index *ix, uint32_t df);
double index_token_weight(const account_index *ix, const char *tok);
/* Vocabulary ids within edit distance (optimal string alignment) 1, or 2 for tokens of 9+ chars,
 * of tok (tok itself excluded); tokens shorter than 5 chars get none. Appends to out. */
void index_typo_neighbours(const account_index *ix, const char *tok, u32vec *out);

/* Core of a domain label: hyphens removed, one configured prefix and suffix stripped when 3+
 * characters remain ("teaminvo" -> "invo", "gannongroup" -> "gannon"). malloc'd. */
char *index_label_core(const account_index *ix, const char *label);
/* The same for label[0..len), into core (len + 1 bytes). */
void index_label_core_into(const account_index *ix, const char *label, size_t len, char *core);
/* Length of the label of a registrable domain read off the domain itself, or 0 when
 * domain_label must be asked (label_core.c says when). */
size_t index_plain_label_len(const char *registrable);

/* Optimal string alignment distance, stopping early above max (returns max + 1 then). */
int osa_distance(const char *a, const char *b, int max);
/* The same for a and b of lengths la and lb, known already. */
int osa_distance_len(const char *a, size_t la, const char *b, size_t lb, int max);

#endif
