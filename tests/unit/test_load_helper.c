/* test_load_helper.c - unit tests for the load's helper thread: memory it is asked to fault in is
 * resident (and still zero) once load_helper_populated returns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "load_helper.h"

/* Pages of [at, at + bytes) resident. */
static size_t resident_pages(void *at, size_t bytes, size_t page)
{
    unsigned char vec[256];
    size_t n = bytes / page, resident = 0;
    assert_true(n <= sizeof(vec));
    assert_int_equal(mincore(at, bytes, vec), 0);
    for (size_t i = 0; i < n; i++)
        resident += vec[i] & 1;
    return resident;
}

static void test_populate_faults_in(void **state)
{
    (void)state;
    size_t page = (size_t)sysconf(_SC_PAGESIZE), bytes = 64 * page;
    char *a = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *b = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(a != MAP_FAILED && b != MAP_FAILED);
    assert_int_equal(resident_pages(a, bytes, page), 0);
    account_index ix;
    memset(&ix, 0, sizeof(ix));
    load_helper *h = load_helper_start(&ix);
    assert_non_null(h);
    mem_range r[2] = {{a + 8 * page, 16 * page}, {b, bytes}};
    assert_true(load_helper_populate(h, r, 2));
    load_helper_populated(h);
#ifdef MADV_POPULATE_WRITE
    assert_int_equal(resident_pages(a, bytes, page), 16);
    assert_int_equal(resident_pages(b, bytes, page), 64);
#endif
    for (size_t i = 0; i < bytes; i++)
        assert_int_equal(a[i] | b[i], 0);
    assert_false(load_helper_populate(h, r, HELPER_RANGES + 1));
    load_helper_finish(h);
    munmap(a, bytes);
    munmap(b, bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_populate_faults_in),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
