/* thread_mem.c - each thread's working memory for its decisions with a matcher (name candidates'
 * scratch, the lead's parsed name), so that threads share a const matcher. */
#include "matcher_impl.h"

#include <stdatomic.h>

_Thread_local thread_mem matcher_thread_mem;

static atomic_uint_least64_t last_matcher_id;

uint64_t matcher_new_id(void)
{
    return atomic_fetch_add(&last_matcher_id, 1) + 1;
}

void matcher_thread_end(void)
{
    thread_mem *t = &matcher_thread_mem;
    match_scratch_free(t->scratch);
    norm_scratch_free(t->name_scratch);
    bump_free(&t->name_mem);
    *t = (thread_mem){0};
}

thread_mem *matcher_mem_renew(const matcher *m)
{
    thread_mem *t = &matcher_thread_mem;
    matcher_thread_end();
    t->matcher_id = m->id;
    t->scratch = match_scratch_new();
    t->name_scratch = norm_scratch_new();
    bump_init(&t->name_mem);
    return t;
}
