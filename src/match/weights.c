/* weights.c - the rarity weight of a list size (index_weight_df), remembered per size: every word
 * of every candidate is weighed, and a log() each was a measurable share of a lead's work. */
#include "matcher_impl.h"

#include <stdlib.h>

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

df_weights *df_weights_new(void)
{
    return xcalloc(1, sizeof(df_weights));
}

void df_weights_free(df_weights *w)
{
    free(w);
}

double matcher_weight_df(const matcher *m, uint32_t df)
{
    uint64_t live = (uint64_t)m->ix.live + 1;
    df_entry *e;
    if (df < DF_MEMO) {
        e = &m->weights->e[df];
    } else {
        df_entry_large *l = &m->weights->large[(df * 0x9E3779B1u) >> 22];
        if (l->df != df)
            l->e.live = 0, l->df = df;
        e = &l->e;
    }
    if (e->live != live) {
        e->w = index_weight_df(&m->ix, df);
        e->live = live;
    }
    return e->w;
}
