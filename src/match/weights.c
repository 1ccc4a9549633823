/* weights.c - the rarity weight of a list size (index_weight_df), remembered per size: every word
 * of every candidate is weighed, and a log() each was a measurable share of a lead's work. */
#include "matcher_impl.h"

_Thread_local df_weights matcher_df_weights;

double matcher_weight_df_slow(const matcher *m, uint32_t df)
{
    uint64_t live = (uint64_t)m->ix.live + 1;
    df_entry *e = df_entry_of(&matcher_df_weights, df);
    e->w = index_weight_df(&m->ix, df);
    e->live = live;
    return e->w;
}
