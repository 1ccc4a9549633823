/* weights.c - the rarity weight of a list size (index_weight_df), remembered per size: every word
 * of every candidate is weighed, and a log() each was a measurable share of a lead's work. */
#include "matcher_impl.h"

#include <stdlib.h>

df_weights *df_weights_new(void)
{
    return xcalloc(1, sizeof(df_weights));
}

void df_weights_free(df_weights *w)
{
    free(w);
}

double matcher_weight_df_slow(const matcher *m, uint32_t df)
{
    uint64_t live = (uint64_t)m->ix.live + 1;
    df_entry *e = df_entry_of(matcher_mem(m)->weights, df);
    e->w = index_weight_df(&m->ix, df);
    e->live = live;
    return e->w;
}
