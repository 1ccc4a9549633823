/* test_huge.c - unit tests for huge.c: which blocks ask the kernel for 2 MiB pages (the VmFlags
 * of their mapping in /proc/self/smaps: hg asked, nh refused) in each huge_pages_mode; auto
 * refusing them after a slow first page and trying again after 256 MiB; a table (xcalloc_huge)
 * and a range given to huge_fault_in faulted in, each huge page timed; a grown block keeping its
 * bytes, also when its pages were given two advices; the mode names. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "huge.h"
#include "util.h"

#define MIB ((size_t)1 << 20)

/* The VmFlags line of the mapping holding p ("" when not found). */
static void flags_of(const void *p, char *out, int cap)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    assert_non_null(f);
    char line[512];
    bool inside = false;
    out[0] = '\0';
    while (fgets(line, sizeof(line), f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
            inside = (uintptr_t)p >= lo && (uintptr_t)p < hi;
        else if (inside && strncmp(line, "VmFlags:", 8) == 0) {
            snprintf(out, (size_t)cap, "%.*s", cap - 1, line + 8);
            break;
        }
    }
    fclose(f);
}

static bool has_flag(const void *p, const char *flag)
{
    char flags[256], want[8];
    flags_of(p, flags, (int)sizeof(flags));
    snprintf(want, sizeof(want), " %s", flag);
    return strstr(flags, want) != NULL;
}

/* Kernels built without transparent huge pages keep neither flag: the flag checks are skipped. */
static bool thp_present(void)
{
    return access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0;
}

static void expect_pages(const void *p, bool huge)
{
    if (!thp_present())
        return;
    assert_true(has_flag(p, huge ? "hg" : "nh"));
    assert_false(has_flag(p, huge ? "nh" : "hg"));
}

static huge_pages_report report(void)
{
    huge_pages_report r;
    huge_pages_report_get(&r);
    return r;
}

static void test_mode_names(void **state)
{
    (void)state;
    huge_pages_mode m = HUGE_PAGES_NEVER;
    assert_true(huge_pages_mode_parse("auto", &m));
    assert_int_equal(m, HUGE_PAGES_AUTO);
    assert_true(huge_pages_mode_parse("always", &m));
    assert_int_equal(m, HUGE_PAGES_ALWAYS);
    assert_true(huge_pages_mode_parse("never", &m));
    assert_int_equal(m, HUGE_PAGES_NEVER);
    assert_false(huge_pages_mode_parse("Always", &m));
    assert_false(huge_pages_mode_parse("", &m));
    assert_int_equal(m, HUGE_PAGES_NEVER);
}

/* A fault that took any time at all is slow: the first block is probed and refused huge pages,
 * the next is refused them without a probe. */
static void test_auto_refuses_after_a_slow_page(void **state)
{
    (void)state;
    huge_pages_set_mode(HUGE_PAGES_AUTO);
    huge_pages_set_costly_ns(-1);
    unsigned before = report().probes;
    char *a = xmalloc_huge(4 * MIB);
    assert_int_equal(report().probes, before + 1);
    assert_false(report().on_huge_pages);
    assert_true(report().slowest_probe_ns > 0);
    expect_pages(a, false);
    assert_int_equal(a[0], 0);   /* the probed page reads zero */
    char *b = xmalloc_huge(4 * MIB);
    assert_int_equal(report().probes, before + 1);
    expect_pages(b, false);
    xfree_huge(a, 4 * MIB);
    xfree_huge(b, 4 * MIB);
}

/* No fault is slow: each block is probed and keeps its huge pages. */
static void test_auto_keeps_cheap_pages(void **state)
{
    (void)state;
    huge_pages_set_mode(HUGE_PAGES_AUTO);
    huge_pages_set_costly_ns(LONG_MAX);
    unsigned before = report().probes, slow_before = report().costly_probes;
    char *a = xmalloc_huge(2 * MIB);
    char *b = xmalloc_huge(6 * MIB);
    assert_int_equal(report().probes, before + 2);
    assert_int_equal(report().costly_probes, slow_before);
    assert_true(report().on_huge_pages);
    expect_pages(a, true);
    expect_pages(b, true);
    xfree_huge(a, 2 * MIB);
    xfree_huge(b, 6 * MIB);
}

/* After a slow probe, 4 KiB pages until 256 MiB of blocks have been made: the block that reaches
 * it is probed again (untouched blocks: address space only). */
static void test_auto_reprobe_counts_bytes(void **state)
{
    (void)state;
    huge_pages_set_mode(HUGE_PAGES_AUTO);
    huge_pages_set_costly_ns(-1);
    char *first = xmalloc_huge(2 * MIB);
    unsigned probes = report().probes;
    char *blocks[4];
    for (int i = 0; i < 4; i++) {
        blocks[i] = xmalloc_huge(64 * MIB);
        assert_int_equal(report().probes, probes + (i == 3));
        expect_pages(blocks[i], false);
    }
    xfree_huge(first, 2 * MIB);
    for (int i = 0; i < 4; i++)
        xfree_huge(blocks[i], 64 * MIB);
}

static void test_always_and_never_do_not_probe(void **state)
{
    (void)state;
    huge_pages_set_costly_ns(-1);
    unsigned before = report().probes;
    huge_pages_set_mode(HUGE_PAGES_ALWAYS);
    char *a = xmalloc_huge(2 * MIB);
    expect_pages(a, true);
    huge_pages_set_mode(HUGE_PAGES_NEVER);
    char *b = xmalloc_huge(2 * MIB);
    expect_pages(b, false);
    assert_false(report().on_huge_pages);
    assert_int_equal(report().probes, before);
    xfree_huge(a, 2 * MIB);
    xfree_huge(b, 2 * MIB);
    huge_pages_set_mode(HUGE_PAGES_AUTO);
}

/* A block grown by xrealloc_huge keeps its bytes whichever pages its new part gets, and the new
 * part (probed when auto) reads zero. */
static void test_grown_block_keeps_bytes(void **state)
{
    (void)state;
    for (int slow = 0; slow < 2; slow++) {
        huge_pages_set_mode(HUGE_PAGES_AUTO);
        huge_pages_set_costly_ns(slow ? -1 : LONG_MAX);
        unsigned char *p = xmalloc_huge(3 * MIB);
        for (size_t i = 0; i < 3 * MIB; i++)
            p[i] = (unsigned char)(i * 7 + 1);
        unsigned before = report().probes;
        p = xrealloc_huge(p, 3 * MIB, 9 * MIB);
        assert_true(report().probes <= before + 1);
        for (size_t i = 0; i < 3 * MIB; i++)
            assert_int_equal(p[i], (unsigned char)(i * 7 + 1));
        for (size_t i = 4 * MIB; i < 9 * MIB; i += 4096)
            assert_int_equal(p[i], 0);
        expect_pages(p + 4 * MIB, !slow);
        xfree_huge(p, 9 * MIB);
    }
}

/* Whether every 4 KiB page of [p, p + bytes) is resident. */
static bool resident(void *p, size_t bytes)
{
    size_t pages = bytes / 4096;
    unsigned char *vec = xmalloc(pages);
    assert_int_equal(mincore(p, bytes, vec), 0);
    bool all = true;
    for (size_t i = 0; i < pages; i++)
        all = all && (vec[i] & 1);
    free(vec);
    return all;
}

/* A table is faulted in whole, a huge page at a time: a slow first page keeps its huge page and
 * the rest gets 4 KiB pages; cheap ones all stay huge; a table made while huge pages are refused
 * is faulted in whole on 4 KiB pages. */
static void test_table_faulted_in_whole(void **state)
{
    (void)state;
    huge_pages_set_mode(HUGE_PAGES_AUTO);
    huge_pages_set_costly_ns(LONG_MAX);
    unsigned before = report().probes;
    char *t = xcalloc_huge(8 * MIB);
    assert_int_equal(report().probes, before + 4);
    assert_true(resident(t, 8 * MIB));
    expect_pages(t + 6 * MIB, true);
    xfree_huge(t, 8 * MIB);

    huge_pages_set_costly_ns(-1);
    before = report().probes;
    t = xcalloc_huge(8 * MIB);
    assert_int_equal(report().probes, before + 1);
    assert_true(resident(t, 8 * MIB));
    expect_pages(t, true);
    expect_pages(t + 2 * MIB, false);
    for (size_t i = 0; i < 8 * MIB; i += 4096)
        assert_int_equal(t[i], 0);
    /* the next table, while huge pages are refused: no probe, 4 KiB pages faulted in at once */
    char *u = xcalloc_huge(6 * MIB);
    assert_int_equal(report().probes, before + 1);
    assert_true(resident(u, 6 * MIB));
    expect_pages(u, false);
    xfree_huge(u, 6 * MIB);
    xfree_huge(t, 8 * MIB);
}

/* huge_fault_in faults the range in; a slow page refuses the rest of the range huge pages, and
 * while they are refused (before 256 MiB) a range is faulted in on 4 KiB pages untimed. */
static void test_fault_in_ranges(void **state)
{
    (void)state;
    huge_pages_set_mode(HUGE_PAGES_AUTO);
    huge_pages_set_costly_ns(LONG_MAX);
    char *b = xmalloc_huge(16 * MIB);
    huge_fault_in(b + 2 * MIB, 4 * MIB);
    assert_true(resident(b + 2 * MIB, 4 * MIB));
    expect_pages(b + 4 * MIB, true);
    huge_pages_set_costly_ns(-1);
    unsigned before = report().probes;
    huge_fault_in(b + 6 * MIB, 4 * MIB);
    assert_int_equal(report().probes, before + 1);
    assert_true(resident(b + 6 * MIB, 4 * MIB));
    expect_pages(b + 8 * MIB, false);
    huge_fault_in(b + 10 * MIB + 4096, 100);
    assert_int_equal(report().probes, before + 1);
    assert_true(resident(b + 10 * MIB + 4096, 4096));
    expect_pages(b + 10 * MIB + 4096, false);
    xfree_huge(b, 16 * MIB);
}

/* A block whose pages were given two advices is two mappings: it still grows, keeping its bytes. */
static void test_grow_after_two_advices(void **state)
{
    (void)state;
    huge_pages_set_mode(HUGE_PAGES_AUTO);
    huge_pages_set_costly_ns(LONG_MAX);
    unsigned char *p = xmalloc_huge(8 * MIB);
    huge_pages_set_costly_ns(-1);
    huge_fault_in(p + 2 * MIB, 4 * MIB);   /* b + 4 MiB on: refused */
    for (size_t i = 0; i < 8 * MIB; i += 512)
        p[i] = (unsigned char)(i / 512 + 3);
    p = xrealloc_huge(p, 8 * MIB, 20 * MIB);
    for (size_t i = 0; i < 8 * MIB; i += 512)
        assert_int_equal(p[i], (unsigned char)(i / 512 + 3));
    assert_int_equal(p[19 * MIB], 0);
    xfree_huge(p, 20 * MIB);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mode_names),
        cmocka_unit_test(test_auto_refuses_after_a_slow_page),
        cmocka_unit_test(test_auto_keeps_cheap_pages),
        cmocka_unit_test(test_auto_reprobe_counts_bytes),
        cmocka_unit_test(test_always_and_never_do_not_probe),
        cmocka_unit_test(test_grown_block_keeps_bytes),
        cmocka_unit_test(test_table_faulted_in_whole),
        cmocka_unit_test(test_fault_in_ranges),
        cmocka_unit_test(test_grow_after_two_advices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
