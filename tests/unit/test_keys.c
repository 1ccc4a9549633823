/* test_keys.c - unit tests for keys.c: account keys appended one after another into a buffer are
 * key_account's names, each with its id where key_account_id_at says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "util.h"

static void check_appended(const char *prefix)
{
    const char *ids[] = {"001A", "", "x:y"};
    size_t at[3];
    strbuf sb;
    sb_init(&sb);
    sb_append(&sb, "head");
    for (size_t i = 0; i < 3; i++) {
        at[i] = sb.len;
        key_account_append(&sb, prefix, ids[i]);
    }
    for (size_t i = 0; i < 3; i++) {
        char *want = key_account(prefix, ids[i]);
        assert_string_equal(sb.buf + at[i], want);
        assert_string_equal(sb.buf + at[i] + key_account_id_at(prefix), ids[i]);
        free(want);
    }
    assert_int_equal(sb.len, at[2] + strlen(sb.buf + at[2]) + 1);
    sb_free(&sb);
}

static void test_account_append(void **state)
{
    (void)state;
    check_appended("l2a:");
    check_appended("");
    check_appended("{tenant-7}:l2a:");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_account_append),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
