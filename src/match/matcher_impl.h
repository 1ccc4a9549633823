/* matcher_impl.h - inside the engine: the matcher struct (rules, lists, account index) that
 * engine.h keeps opaque. Only src/match/ and the engine's unit tests include it. */
#ifndef L2A_MATCHER_IMPL_H
#define L2A_MATCHER_IMPL_H

#include <string.h>

#include "engine.h"
#include "domain.h"
#include "index.h"
#include "normalize.h"
#include "inputs.h"
#include "learned.h"
#include "score.h"

/* Reusable per-lead working memory (name_topk.c). */
typedef struct match_scratch match_scratch;
match_scratch *match_scratch_new(void);
void match_scratch_free(match_scratch *s);

/* index_weight_df remembered per list size for the index's current size (weights.c): every word
 * of every candidate is weighed, so the remembered answer is read inline. */
typedef struct df_weights df_weights;

/* Name candidates considered for one lead. */
#define NAME_CANDIDATES 40

struct matcher {
    const engine_opts *cfg;          /* borrowed: must outlive the matcher */
    norm_rules *rules;        /* owned */
    domain_set *freemail;     /* owned */
    domain_set *disposable;   /* owned */
    account_index ix;         /* owned */
    learned_table *learned;   /* owned: facts learned from reviews, consulted before scoring */
    score_params sp;
    uint64_t id;              /* unique in the process: whose working memory a thread holds */
};

/* A thread's working memory for its decisions with one matcher (thread_mem.c): each thread that
 * decides has its own, so that several threads decide with one const matcher at once. */
typedef struct thread_mem {
    uint64_t matcher_id;      /* the id of the matcher it serves; 0: none */
    match_scratch *scratch;   /* owned: name_candidates' working memory */
    norm_scratch *name_scratch;   /* owned: the lead's company parsed in it */
    bump name_mem;            /* owned: the lead's parsed company (lead_evidence.name), made
                               * anew for each lead: no malloc and free per string */
} thread_mem;

/* The calling thread's (thread_mem.c); matcher_mem is how it is reached. */
extern _Thread_local thread_mem matcher_thread_mem;
/* A new matcher's id (never 0). */
uint64_t matcher_new_id(void);
/* The calling thread's working memory made anew for m (what it held for another one freed). */
thread_mem *matcher_mem_renew(const matcher *m);

/* The calling thread's working memory for m. */
static inline thread_mem *matcher_mem(const matcher *m)
{
    return matcher_thread_mem.matcher_id == m->id ? &matcher_thread_mem : matcher_mem_renew(m);
}

/* List sizes below this are remembered each in its own entry (most words are rare)... */
#define DF_MEMO 2048
/* ...and larger ones in these, by size (the common words are few and come back lead after lead). */
#define DF_MEMO_LARGE 1024

typedef struct df_entry {
    double w;
    uint64_t live;           /* ix->live + 1 when w was worked out; 0: never */
} df_entry;

typedef struct df_entry_large {
    df_entry e;
    uint32_t df;             /* the list size e.w is for */
} df_entry_large;

struct df_weights {
    df_entry e[DF_MEMO];
    df_entry_large large[DF_MEMO_LARGE];
};

/* The entry that remembers df's weight (a large one taken over for df when another size held it). */
static inline df_entry *df_entry_of(df_weights *w, uint32_t df)
{
    if (df < DF_MEMO)
        return &w->e[df];
    df_entry_large *l = &w->large[(df * 0x9E3779B1u) >> 22];
    if (l->df != df)
        l->e.live = 0, l->df = df;
    return &l->e;
}

/* The calling thread's remembered weights (weights.c). A weight depends on nothing but the list
 * size and the index's live count, which each entry is stamped with: one table serves every
 * matcher the thread decides with. */
extern _Thread_local df_weights matcher_df_weights;

/* df's weight worked out and remembered (weights.c). */
double matcher_weight_df_slow(const matcher *m, uint32_t df);

static inline double matcher_weight_df(const matcher *m, uint32_t df)
{
    const df_entry *e = df_entry_of(&matcher_df_weights, df);
    return e->live == (uint64_t)m->ix.live + 1 ? e->w : matcher_weight_df_slow(m, df);
}


/* Initialises an embedded matcher (matcher_new without the allocation); matcher_release undoes
 * it. 0, or -1 with the reason in err. */
int matcher_init(matcher *m, const engine_opts *cfg, char *err, size_t errlen) MUSTCHECK;
void matcher_release(matcher *m);

/* A string looked up in several maps, hashed once: its length and hash_bytes(). */
typedef struct hashed {
    const char *s;
    size_t len;
    uint64_t h;
} hashed;

static inline hashed hashed_of(const char *s)
{
    size_t len = strlen(s);
    return (hashed){s, len, hash_bytes(s, len)};
}

/* The best NAME_CANDIDATES accounts for a lead's name by the summed rarity weights of the words
 * they share with it (typo neighbours, joined forms and acronym included), best first; ties in
 * the order of the account ids' hashes, then ids. ids, when not NULL, holds the vocabulary id
 * (index_token_id) of each of the name's first SCORE_MAX_TOKENS tokens, already looked up by the
 * caller; joined, when not NULL, the name's joined and joined_all hashed (hashed_of). Fills
 * slots, returns how many (name_topk.c). */
size_t name_candidates(const matcher *m, const norm_name *name, const uint32_t *ids,
                       const hashed *joined, uint32_t *slots);

#endif
