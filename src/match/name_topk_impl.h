/* name_topk_impl.h - what name_topk.c (the summing and ranking) and name_ops.c (the lists a
 * lead's name names) share: the per-lead working memory and its limits. */
#ifndef L2A_NAME_TOPK_IMPL_H
#define L2A_NAME_TOPK_IMPL_H

#include "matcher_impl.h"

/* Lists longer than this add weight only to accounts already found, once enough are found: a
 * word shared by thousands of accounts re-ranks candidates, it does not find better ones. */
#define COMMON_POSTINGS 1000

/* A word's list longer than this that adds new accounts is a "bulk" list: its accounts that no
 * other list names all end with the same weight, the list's own, so only the few first in the
 * tie order can be candidates; they are read from the list in that order (hash_prefix) instead
 * of every account being visited. */
#define BULK_POSTINGS 128

/* Accounts of a bulk list kept in tie order, and how many such lists are kept. */
#define HASH_PREFIX 128
#define PREFIX_CACHE 4096

/* A bulk list's accounts that a later word's list (one that only re-ranks) names too, when there
 * are more than this many: those no other list names all weigh the two lists' weights, so they are
 * ranked like a bulk list's ("Community College": thousands of accounts, of which only the first
 * few in tie order can be candidates). How many such pairs a lead keeps, and how many pairs' tie
 * order prefixes are kept. */
#define PAIR_BULK 128
#define PAIRS_MAX 16
#define PAIR_PREFIX_CACHE 1024

/* How many entries ahead a walk over slots asks for the memory it will touch. */
#define PREFETCH_AHEAD 16

/* Where an account of "exact" is in it: a slot and its index there (slot_pos table). */
typedef struct slot_pos {
    uint32_t slot;           /* POS_EMPTY: none */
    uint32_t k;
} slot_pos;

#define POS_EMPTY UINT32_MAX

/* One list the lead's words name, in the order the weights are summed. */
typedef struct list_op {
    const u32vec *l;         /* NULL when absent or over max_postings (borrowed) */
    double w;
    uint32_t vocab;          /* its word's id when l is a word's (ascending) list, else UINT32_MAX */
    bool full;               /* adds new accounts, else only weights accounts already found */
    bool bulk;               /* full, ascending and longer than BULK_POSTINGS */
} list_op;

/* The first HASH_PREFIX accounts of a word's list (or of two words' lists' common accounts) in
 * tie order, as of an index generation. */
typedef struct hash_prefix {
    uint64_t gen;            /* the index generation + 1 it was built at; 0 = empty */
    uint32_t vocab;
    uint32_t other;          /* the second word's id of a pair's, else UINT32_MAX */
    uint32_t n;
    uint32_t slots[HASH_PREFIX];
    uint32_t h[HASH_PREFIX];  /* their keys' hash_hi */
} hash_prefix;

/* A word's typo neighbours, as of an index generation: common words come back lead after lead, and
 * probing the typo index is dear (~3,200 instructions and ~7 last-level misses a word at 1M
 * accounts). 200k leads of /tmp/q1m name 110k distinct words in 406k; a direct-mapped cache of
 * 16384 entries misses 152k times, of 65536 130k (simulated). */
#define NEAR_CACHE 65536

typedef struct near_entry {
    uint64_t gen;            /* the index generation + 1 it was found at; 0 = empty */
    char *word;              /* owned */
    u32vec ids;              /* owned */
} near_entry;

/* The accounts two words' lists share, as of an index generation: a common word and its typo
 * neighbour ("solutions", "solution") come back together lead after lead, and their lists are
 * long. */
#define PAIR_CACHE 65536

typedef struct pair_entry {
    uint64_t gen;            /* the index generation + 1 it was found at; 0 = empty */
    uint32_t a, b;           /* the word ids */
    u32vec both;             /* ascending (owned) */
} pair_entry;

/* A bulk list and a later word's list that only re-ranks, whose common accounts are many (more
 * than PAIR_BULK): those of them that no other list names (are not in "exact") weigh w. */
typedef struct pair_bulk {
    size_t bulk, op;         /* the two lists' places in ops */
    double w;                /* the bulk list's weight plus the other's, in sum_exact's order */
} pair_bulk;

/* Per-lead working memory, reused: nothing is cleared but what was used. */
struct match_scratch {
    uint64_t *in_exact;      /* bit per slot: weight summed exactly (the set "exact") (owned) */
    size_t nslots;
    uint32_t *exact;         /* the slots of in_exact (owned) */
    double *w;               /* w[k]: the summed weight of exact[k], 0 while untouched (owned);
                              * kept beside "exact", not by slot: a lead touches a few hundred
                              * accounts of a million, and a per-slot array costs a miss each */
    size_t nexact, capexact;
    slot_pos *pos;           /* open addressing, exact's slots -> their k (owned) */
    uint32_t *pos_at;        /* pos_at[k]: exact[k]'s entry in pos, to empty it (owned) */
    uint32_t pos_bits;       /* the lead at hand uses 1 << pos_bits entries */
    uint32_t pos_room;       /* and 1 << pos_room are allocated, all empty between leads (0: none
                              * yet) */
    list_op *ops;            /* owned */
    size_t nops, capops;
    hash_prefix *prefix;     /* PREFIX_CACHE entries, by word id; allocated on first use (owned) */
    hash_prefix *pair_prefix; /* PAIR_PREFIX_CACHE entries, by the word ids; made on first use */
    near_entry *near_cache;  /* NEAR_CACHE entries, by the word's hash; allocated on first use */
    pair_entry *pair_cache;  /* PAIR_CACHE entries, by the word ids; allocated on first use */
    size_t bulk[SCORE_MAX_TOKENS * 4];  /* the ops that are bulk lists, so far */
    double *sel;             /* a copy of w to select in (owned) */
    size_t capsel;
    uint32_t *merge;         /* intersect's result before it is copied, or the working space of
                              * sorting "exact" (owned) */
    size_t capmerge;
    size_t nbulk;
    pair_bulk pairs[PAIRS_MAX];
    size_t npairs;
    u32vec cross;            /* accounts of two pairs of one bulk list (owned) */
    bool keyed;              /* the lead's ranking keys order it: no weight negative */
};

/* Fills s->ops with every list of the name, in the order their weights are summed: its words
 * rarest first (each with its typo neighbours' and joined lists), then its joined forms or its
 * acronym; lists over max_postings are left NULL (name_ops.c). known and joined: as
 * name_candidates takes them. */
void name_ops(const matcher *m, match_scratch *s, const norm_name *name, const uint32_t *known,
              const hashed *joined);

#endif
