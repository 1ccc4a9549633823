/* weights.c - the rarity weight of a list size (index_weight_df), remembered per size: every word
 * of every candidate is weighed, and a log() each was a measurable share of a lead's work. */
#include "matcher_impl.h"

#include <stdlib.h>

/* List sizes below this are remembered (most words are rare). */
#define DF_MEMO 2048

typedef struct df_entry {
    double w;
    uint64_t live;           /* ix->live + 1 when w was worked out; 0: never */
} df_entry;

struct df_weights {
    df_entry e[DF_MEMO];
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
    if (df >= DF_MEMO)
        return index_weight_df(&m->ix, df);
    df_entry *e = &m->weights->e[df];
    uint64_t live = (uint64_t)m->ix.live + 1;
    if (e->live != live) {
        e->w = index_weight_df(&m->ix, df);
        e->live = live;
    }
    return e->w;
}
