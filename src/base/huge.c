/* huge.c - the large blocks of the account index, on 2 MiB pages while those come cheap here. */
#define _GNU_SOURCE /* mremap, MADV_POPULATE_WRITE */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include "huge.h"
#include "util.h"

/* Why the pages are probed: a huge page is taken from the kernel's free blocks of 2 MiB, and a
 * virtual machine whose host takes freed memory back (virtio-balloon free page reporting) hands
 * those blocks back after two seconds; the first touch of such a page then waits on the host
 * for all its 512 small pages. Measured on this project's 2-core VM: 512 MiB touched first in
 * 4.4-5.1 s on huge pages, 0.27 s on 4 KiB pages (these come from the kernel's smaller free
 * blocks, which stay with the guest), 0.09-0.18 s on huge pages freed a moment before. So each
 * new block's first huge page is faulted in at once and timed: slower than HUGE_COSTLY_NS and
 * the blocks after it get 4 KiB pages, until HUGE_REPROBE_BYTES of them have been made. */
#define HUGE_COSTLY_NS 4000000L                /* 2 MiB in 4 ms: 500 MB/s */
#define HUGE_REPROBE_BYTES ((size_t)256 << 20)

static _Atomic int mode = -1;                 /* a huge_pages_mode; -1: not yet read */
static _Atomic long costly_ns = HUGE_COSTLY_NS;
static _Atomic bool costly;                   /* the last probe was slow */
static _Atomic size_t small_since_probe;      /* bytes given 4 KiB pages since it */
static _Atomic unsigned probes, costly_probes;
static _Atomic long slowest_probe_ns;

bool huge_pages_mode_parse(const char *text, huge_pages_mode *out)
{
    static const char *const names[] = {"auto", "always", "never"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (strcmp(text, names[i]) == 0) {
            *out = (huge_pages_mode)i;
            return true;
        }
    return false;
}

static huge_pages_mode mode_from_env(void)
{
    const char *text = getenv(HUGE_PAGES_ENV);
    huge_pages_mode m = HUGE_PAGES_AUTO;
    if (text && *text && !huge_pages_mode_parse(text, &m))
        fprintf(stderr, "<4>l2a: %s='%s' is not auto, always or never; using auto\n",
                HUGE_PAGES_ENV, text);
    return m;
}

static huge_pages_mode current_mode(void)
{
    int m = atomic_load_explicit(&mode, memory_order_relaxed);
    if (m < 0) {
        m = (int)mode_from_env();
        atomic_store_explicit(&mode, m, memory_order_relaxed);
    }
    return (huge_pages_mode)m;
}

void huge_pages_set_mode(huge_pages_mode m)
{
    atomic_store(&mode, (int)m);
}

void huge_pages_set_costly_ns(long ns)
{
    atomic_store(&costly_ns, ns);
    atomic_store(&costly, false);
    atomic_store(&small_since_probe, 0);
}

void huge_pages_report_get(huge_pages_report *r)
{
    r->mode = current_mode();
    r->probes = atomic_load(&probes);
    r->costly_probes = atomic_load(&costly_probes);
    r->slowest_probe_ns = atomic_load(&slowest_probe_ns);
    r->on_huge_pages = !atomic_load(&costly) && r->mode != HUGE_PAGES_NEVER;
}

/* LeakSanitizer scans what malloc gave, not these mappings: a pointer kept only in one (a cached
 * word's copy in name_topk's tables) would be reported as leaked. Sanitizer builds name each
 * mapping a root region while it exists. */
#ifdef __SANITIZE_ADDRESS__
static void huge_root_add(void *p, size_t bytes)
{
    __lsan_register_root_region(p, bytes);
}
static void huge_root_drop(void *p, size_t bytes)
{
    __lsan_unregister_root_region(p, bytes);
}
#else
static void huge_root_add(void *p, size_t bytes)
{
    (void)p, (void)bytes;
}
static void huge_root_drop(void *p, size_t bytes)
{
    (void)p, (void)bytes;
}
#endif

static size_t huge_bytes(size_t n)
{
    return (n + HUGE_PAGE_BYTES - 1) & ~(HUGE_PAGE_BYTES - 1);
}

/* bytes (a multiple of HUGE_PAGE_BYTES) of fresh address space aligned to HUGE_PAGE_BYTES, its
 * pages not yet touched, reading and writing allowed when usable, else PROT_NONE (a place to
 * mremap to). The slack mapped for the alignment is given back at once. */
static void *huge_map(size_t bytes, bool usable)
{
    size_t span = bytes + HUGE_PAGE_BYTES;
    char *p = mmap(NULL, span, usable ? PROT_READ | PROT_WRITE : PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE * !usable, -1, 0);
    if (p == MAP_FAILED)
        oom_abort(bytes);
    char *at = (char *)(((uintptr_t)p + HUGE_PAGE_BYTES - 1) & ~(uintptr_t)(HUGE_PAGE_BYTES - 1));
    if (at > p)
        munmap(p, (size_t)(at - p));
    if (p + span > at + bytes)
        munmap(at + bytes, (size_t)(p + span - (at + bytes)));
    return at;
}

static long thread_cpu_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* Faults in bytes at p (within one huge page) as a write would, and says whether that took longer
 * than costly_ns of this thread's CPU (the kernel's time in the fault counts; another thread
 * running meanwhile does not). When the kernel cannot (before Linux 5.14: no
 * MADV_POPULATE_WRITE) or the range is not mapped (a range asked ahead for a block that has
 * moved since), nothing is faulted or timed: not slow. Nothing is ever written. */
static bool populate_costly(char *p, size_t bytes)
{
#ifdef MADV_POPULATE_WRITE
    long t0 = thread_cpu_ns();
    if (madvise(p, bytes, MADV_POPULATE_WRITE) != 0)
        return false;
    long took = thread_cpu_ns() - t0;
    long slowest = atomic_load_explicit(&slowest_probe_ns, memory_order_relaxed);
    while (took > slowest &&
           !atomic_compare_exchange_weak_explicit(&slowest_probe_ns, &slowest, took,
                                                  memory_order_relaxed, memory_order_relaxed)) {
    }
    atomic_fetch_add_explicit(&probes, 1, memory_order_relaxed);
    bool slow = took > atomic_load_explicit(&costly_ns, memory_order_relaxed);
    if (slow)
        atomic_fetch_add_explicit(&costly_probes, 1, memory_order_relaxed);
    atomic_store_explicit(&small_since_probe, 0, memory_order_relaxed);
    atomic_store_explicit(&costly, slow, memory_order_relaxed);
    return slow;
#else
    (void)p, (void)bytes;
    return false;
#endif
}

static void populate(char *p, size_t bytes)
{
#ifdef MADV_POPULATE_WRITE
    if (bytes)
        (void)madvise(p, bytes, MADV_POPULATE_WRITE);
#else
    (void)p, (void)bytes;
#endif
}

/* Faults in [p, end) a huge page at a time, timing each, or only the first unless whole; at the
 * first slow one the rest is refused huge pages and still faulted in when whole, else all of
 * [p, end) is (one advice: see xrealloc_huge). */
static void probe_pages(char *p, char *end, bool whole)
{
    char *first = p;
    while (p < end) {
        char *next = (char *)(((uintptr_t)p + HUGE_PAGE_BYTES) & ~(uintptr_t)(HUGE_PAGE_BYTES - 1));
        if (next > end)
            next = end;
        if (populate_costly(p, (size_t)(next - p))) {
            char *from = whole ? next : first;
            if (from < end)
                (void)madvise(from, (size_t)(end - from), MADV_NOHUGEPAGE);
            if (whole)
                populate(next, (size_t)(end - next));
            return;
        }
        if (!whole)
            return;
        p = next;
    }
}

/* Whether a new block of bytes is to be probed on huge pages (else it gets 4 KiB pages). */
static bool huge_try(size_t bytes)
{
    if (!atomic_load_explicit(&costly, memory_order_relaxed))
        return true;
    size_t since = atomic_fetch_add_explicit(&small_since_probe, bytes, memory_order_relaxed);
    return since + bytes >= HUGE_REPROBE_BYTES;
}

/* Asks for huge pages for p's bytes, from the first still untouched page at p + fresh (auto:
 * probed, the rest of the block refused them when it was slow; a table, written all over at
 * once, is faulted in whole, each huge page timed). */
static void *huge_advised(char *p, size_t bytes, size_t fresh, bool table)
{
    huge_root_add(p, bytes);
    huge_pages_mode m = current_mode();
    if (m == HUGE_PAGES_NEVER || (m == HUGE_PAGES_AUTO && !huge_try(bytes - fresh))) {
        (void)madvise(p, bytes, MADV_NOHUGEPAGE);
        if (table)   /* written all over at once: faulted in with one call, not a trap a page */
            populate(p + fresh, bytes - fresh);
        return p;
    }
    (void)madvise(p, bytes, MADV_HUGEPAGE);   /* a hint: without it, 4 KiB pages */
    if (m == HUGE_PAGES_AUTO && fresh < bytes)
        probe_pages(p + fresh, p + bytes, table);
    return p;
}

void huge_fault_in(void *at, size_t bytes)
{
    uintptr_t page = 4096, lo = (uintptr_t)at & ~(page - 1);
    uintptr_t hi = ((uintptr_t)at + bytes + page - 1) & ~(page - 1);
    if (hi <= lo)
        return;
    char *p = (char *)lo, *end = (char *)hi;
    if (current_mode() != HUGE_PAGES_AUTO)
        populate(p, (size_t)(end - p));
    else if (huge_try((size_t)(end - p)))
        probe_pages(p, end, true);
    else {
        (void)madvise(p, (size_t)(end - p), MADV_NOHUGEPAGE);
        populate(p, (size_t)(end - p));
    }
}

void *xmalloc_huge(size_t n)
{
    if (n < HUGE_PAGE_BYTES)
        return xmalloc(n);
    return huge_advised(huge_map(huge_bytes(n), true), huge_bytes(n), 0, false);
}

void *xcalloc_huge(size_t n)
{
    if (n < HUGE_PAGE_BYTES)
        return xcalloc(1, n);
    return huge_advised(huge_map(huge_bytes(n), true), huge_bytes(n), 0, true);   /* reads 0 */
}

void *xrealloc_huge(void *p, size_t old, size_t n)
{
    if (!p || old < HUGE_PAGE_BYTES) {
        if (n < HUGE_PAGE_BYTES)
            return xrealloc(p, n);
        void *q = xmalloc_huge(n);
        if (p)
            memcpy(q, p, old);
        free(p);
        return q;
    }
    if (n < HUGE_PAGE_BYTES) {
        void *q = memcpy(xmalloc(n), p, n);
        xfree_huge(p, old);
        return q;
    }
    size_t from = huge_bytes(old), to = huge_bytes(n);
    if (from == to)
        return p;
    /* mremap moves one mapping: a block whose pages were given two advices is two, until one
     * advice makes it one again (huge_advised gives the grown block its own after). */
    (void)madvise(p, from, MADV_NOHUGEPAGE);
    void *at = huge_map(to, false);
    void *q = mremap(p, from, to, MREMAP_MAYMOVE | MREMAP_FIXED, at);
    if (q == MAP_FAILED) {
        munmap(at, to);
        q = memcpy(xmalloc_huge(n), p, from < to ? from : to);
        xfree_huge(p, old);
        return q;
    }
    huge_root_drop(p, from);
    return huge_advised(q, to, from < to ? from : to, false);
}

void xfree_huge(void *p, size_t n)
{
    if (!p || n < HUGE_PAGE_BYTES)
        free(p);
    else {
        huge_root_drop(p, huge_bytes(n));
        munmap(p, huge_bytes(n));
    }
}
