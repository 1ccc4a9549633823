/* huge.h - the large blocks of the account index, on 2 MiB pages while those come cheap. */
#ifndef L2A_HUGE_H
#define L2A_HUGE_H

#include <stdbool.h>
#include <stddef.h>

/* Allocation wrappers (util.h's, aborting when memory runs out) for the large tables read at
 * random (the account index's): from HUGE_PAGE_BYTES on,
 * the block is aligned to and rounded up to 2 MiB pages, which the kernel is asked to back with
 * huge pages before anything touches them (MADV_HUGEPAGE, while they come cheap: see
 * huge_pages_mode below): one TLB entry then covers 2 MiB, where
 * with 4 KiB pages nearly every lookup in a table of a million entries missed the TLB too. Such a
 * block is mapped on its own (pages never touched take no memory: a table's unused capacity
 * costs nothing), grows by remapping its pages (xrealloc_huge: no copy, so old and new are never
 * both resident) and is freed with xfree_huge, given the size it was last asked for (old: the
 * size p was asked for). Below HUGE_PAGE_BYTES these are xmalloc, xcalloc, xrealloc and free. */
#define HUGE_PAGE_BYTES ((size_t)2 << 20)
void *xmalloc_huge(size_t n);
void *xcalloc_huge(size_t n);
void *xrealloc_huge(void *p, size_t old, size_t n);
void xfree_huge(void *p, size_t n);
/* Whether those blocks ask for 2 MiB pages: auto (the default) faults each new block's first
 * huge page in at once and times it; when that was slow (a host that took the memory back, see
 * huge.c), the blocks after it get 4 KiB pages until 256 MiB of them have been made, then a new
 * block is tried again. always and never do not measure. Read from L2A_HUGE_PAGES at the first
 * block unless set before. */
typedef enum { HUGE_PAGES_AUTO, HUGE_PAGES_ALWAYS, HUGE_PAGES_NEVER } huge_pages_mode;
#define HUGE_PAGES_ENV "L2A_HUGE_PAGES"
bool huge_pages_mode_parse(const char *text, huge_pages_mode *out);
void huge_pages_set_mode(huge_pages_mode m);
/* The first-touch time of one huge page above which auto stops asking for them (default 4 ms);
 * also forgets the last probe (for tests). */
void huge_pages_set_costly_ns(long ns);
typedef struct huge_pages_report {
    huge_pages_mode mode;
    unsigned probes, costly_probes;
    long slowest_probe_ns;     /* thread CPU of the slowest probe's fault so far */
    bool on_huge_pages;        /* new blocks ask for huge pages now */
} huge_pages_report;
void huge_pages_report_get(huge_pages_report *r);
/* Faults in the pages of [at, at + bytes) of such a block ahead of the writes (MADV_POPULATE_WRITE;
 * nothing on kernels before 5.14); auto times each huge page and refuses the rest of the range
 * huge pages at the first slow one. */
void huge_fault_in(void *at, size_t bytes);

#endif
