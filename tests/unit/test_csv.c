/* test_csv.c - unit tests for the streaming CSV reader (csv.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "util.h"

/* A reader over an in-memory text, with the fields and error buffer of the test. */
typedef struct fixture {
    FILE *f;
    csv_reader *r;
    strvec fields;
    char err[256];
} fixture;

static void fx_open_n(fixture *fx, const char *text, size_t len)
{
    fx->f = tmpfile();
    assert_non_null(fx->f);
    assert_int_equal(fwrite(text, 1, len, fx->f), len);
    rewind(fx->f);
    fx->r = csv_reader_new(fx->f);
    sv_init(&fx->fields);
    fx->err[0] = '\0';
}

static void fx_open(fixture *fx, const char *text)
{
    fx_open_n(fx, text, strlen(text));
}

static void fx_close(fixture *fx)
{
    sv_free(&fx->fields);
    csv_reader_free(fx->r);
    fclose(fx->f);
}

static int fx_next(fixture *fx)
{
    return csv_next(fx->r, &fx->fields, fx->err, sizeof(fx->err));
}

/* Asserts the next record is exactly the n given fields, starting at line. */
static void expect_record(fixture *fx, long line, size_t n, ...)
{
    assert_int_equal(fx_next(fx), 1);
    assert_int_equal(csv_line(fx->r), line);
    assert_int_equal(fx->fields.n, n);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(fx->fields.v[i], va_arg(ap, const char *));
    va_end(ap);
}

static void expect_eof(fixture *fx)
{
    assert_int_equal(fx_next(fx), 0);
    assert_int_equal(fx->fields.n, 0);
}

static void test_simple(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "id,name,domains\n001,Acme,acme.com\n");
    expect_record(&fx, 1, 3, "id", "name", "domains");
    expect_record(&fx, 2, 3, "001", "Acme", "acme.com");
    expect_eof(&fx);
    expect_eof(&fx);
    fx_close(&fx);
}

static void test_no_final_newline_and_empty_fields(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, ",,\na,\n\"\"\nlast");
    expect_record(&fx, 1, 3, "", "", "");
    expect_record(&fx, 2, 2, "a", "");
    expect_record(&fx, 3, 1, ""); /* a quoted empty field is a record, not a blank line */
    expect_record(&fx, 4, 1, "last");
    expect_eof(&fx);
    fx_close(&fx);
}

static void test_empty_input(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "");
    expect_eof(&fx);
    fx_close(&fx);
}

static void test_quotes(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "\"a\",\"say \"\"hi\"\"\",\"\"\"\",c\n");
    expect_record(&fx, 1, 4, "a", "say \"hi\"", "\"", "c");
    expect_eof(&fx);
    fx_close(&fx);
}

static void test_embedded_comma_newline(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "\"Acme, Inc.\",\"line1\nline2\n\",x\nnext,\"\n\"\n");
    expect_record(&fx, 1, 3, "Acme, Inc.", "line1\nline2\n", "x");
    expect_record(&fx, 4, 2, "next", "\n");
    expect_eof(&fx);
    fx_close(&fx);
}

static void test_crlf(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "a,b\r\n\"q\",\"l1\r\nl2\"\r\nlone\rcr,z\r\n");
    expect_record(&fx, 1, 2, "a", "b");
    expect_record(&fx, 2, 2, "q", "l1\r\nl2");
    expect_record(&fx, 4, 2, "lone\rcr", "z");
    expect_eof(&fx);
    fx_close(&fx);
}

static void test_bom_only_at_start(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "\xEF\xBB\xBFid,name\n\xEF\xBB\xBFx,y\n");
    expect_record(&fx, 1, 2, "id", "name");
    expect_record(&fx, 2, 2, "\xEF\xBB\xBFx", "y");
    expect_eof(&fx);
    fx_close(&fx);
}

static void test_bom_then_quote(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "\xEF\xBB\xBF\"id\",name");
    expect_record(&fx, 1, 2, "id", "name");
    expect_eof(&fx);
    fx_close(&fx);
}

static void test_blank_lines_and_spaces(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "\n\na\n\r\n\n  b , c  \n\n");
    expect_record(&fx, 3, 1, "a");
    expect_record(&fx, 6, 2, "  b ", " c  ");
    expect_eof(&fx);
    fx_close(&fx);
}

static void test_utf8_and_inner_quote(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "Soci\xC3\xA9t\xC3\xA9 G\xC3\xA9n\xC3\xA9rale,\xE6\x9D\xB1\xE4\xBA\xAC,12\" pipe\n");
    expect_record(&fx, 1, 3, "Soci\xC3\xA9t\xC3\xA9 G\xC3\xA9n\xC3\xA9rale", "\xE6\x9D\xB1\xE4\xBA\xAC",
                  "12\" pipe");
    expect_eof(&fx);
    fx_close(&fx);
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "a,b\n\"x\ny\",ok\nc,\"open\nmore\n");
    expect_record(&fx, 1, 2, "a", "b");
    expect_record(&fx, 2, 2, "x\ny", "ok");
    assert_int_equal(fx_next(&fx), -1);
    assert_string_equal(fx.err, "line 4: unterminated quoted field");
    assert_int_equal(fx.fields.n, 0);
    expect_eof(&fx);
    fx_close(&fx);
}

static void test_stray_quote_resyncs(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "ok\n\"ab\"c,d\nnext\n");
    expect_record(&fx, 1, 1, "ok");
    assert_int_equal(fx_next(&fx), -1);
    assert_string_equal(fx.err, "line 2: unexpected character after closing quote (stray quote?)");
    expect_record(&fx, 3, 1, "next");
    expect_eof(&fx);
    fx_close(&fx);
}

static void test_long_field(void **state)
{
    (void)state;
    const size_t n = 100000, m = 70000;
    strbuf in, quoted, plain;
    sb_init(&in);
    sb_init(&quoted);
    sb_init(&plain);
    for (size_t i = 0; i < n; i++)
        sb_putc(&quoted, (char)('a' + i % 26));
    quoted.buf[n / 2] = ',';
    quoted.buf[n / 3] = '\n';
    for (size_t i = 0; i < m; i++)
        sb_putc(&plain, (char)('A' + i % 26));
    /* The quoted field crosses the reader's 64 KiB buffer boundary; so does the plain one. */
    sb_append(&in, "head\n\"");
    sb_appendn(&in, quoted.buf, quoted.len);
    sb_append(&in, "\",");
    sb_appendn(&in, plain.buf, plain.len);
    sb_append(&in, "\ntail\n");

    fixture fx;
    fx_open_n(&fx, in.buf, in.len);
    expect_record(&fx, 1, 1, "head");
    assert_int_equal(fx_next(&fx), 1);
    assert_int_equal(fx.fields.n, 2);
    assert_int_equal(strlen(fx.fields.v[0]), n);
    assert_memory_equal(fx.fields.v[0], quoted.buf, n);
    assert_int_equal(strlen(fx.fields.v[1]), m);
    assert_memory_equal(fx.fields.v[1], plain.buf, m);
    expect_record(&fx, 4, 1, "tail");
    expect_eof(&fx);
    fx_close(&fx);
    sb_free(&in);
    sb_free(&quoted);
    sb_free(&plain);
}

static void test_field_too_long(void **state)
{
    (void)state;
    size_t n = (16u << 20) + 10;
    char *big = xmalloc(n + 2);
    big[0] = '"';
    memset(big + 1, 'x', n);
    big[n + 1] = '\0';
    fixture fx;
    fx_open_n(&fx, big, n + 1);
    assert_int_equal(fx_next(&fx), -1);
    assert_string_equal(fx.err, "line 1: field longer than 16777216 bytes");
    fx_close(&fx);
    free(big);
}

static void test_null_err_buffer(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "\"x");
    assert_int_equal(csv_next(fx.r, &fx.fields, NULL, 0), -1);
    fx_close(&fx);
}

static void test_not_utf8(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "id,name\n1,Soci\xe9t\xe9\n2,Ok\n");
    expect_record(&fx, 1, 2, "id", "name");
    assert_int_equal(fx_next(&fx), -1);
    assert_string_equal(fx.err, "line 2: not valid UTF-8 (byte 0xE9 in field 2)");
    assert_int_equal(fx.fields.n, 0);
    expect_record(&fx, 3, 2, "2", "Ok"); /* the reader goes on at the next line */
    expect_eof(&fx);
    fx_close(&fx);
}

static void test_not_utf8_forms(void **state)
{
    (void)state;
    /* overlong '/', a UTF-16 surrogate, past U+10FFFF, a lone continuation byte, a truncated
     * sequence at the end of the field */
    const char *bad[] = {"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80", "ab\xe2\x82"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        char text[64];
        snprintf(text, sizeof(text), "a,%s\n", bad[i]);
        fixture fx;
        fx_open(&fx, text);
        assert_int_equal(fx_next(&fx), -1);
        assert_non_null(strstr(fx.err, "line 1: not valid UTF-8 (byte 0x"));
        fx_close(&fx);
    }
    fixture fx; /* 2-, 3- and 4-byte forms, and the highest code point */
    fx_open(&fx, "\xc3\xa9,\xe2\x82\xac,\xf0\x9f\x98\x80,\xf4\x8f\xbf\xbf\n");
    expect_record(&fx, 1, 4, "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf");
    fx_close(&fx);
}

static void test_bad_byte_line_in_quoted_field(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "x,\"one\ntwo\nthr\xe9" "e\",y\nnext\n");
    assert_int_equal(fx_next(&fx), -1);
    assert_string_equal(fx.err, "line 3: not valid UTF-8 (byte 0xE9 in field 2)");
    expect_record(&fx, 4, 1, "next");
    fx_close(&fx);
}

static void test_nul_byte(void **state)
{
    (void)state;
    static const char text[] = "id,name\n1,Ac\0me\n";
    fixture fx;
    fx_open_n(&fx, text, sizeof(text) - 1);
    expect_record(&fx, 1, 2, "id", "name");
    assert_int_equal(fx_next(&fx), -1);
    assert_string_equal(fx.err, "line 2: NUL byte in field 2");
    expect_eof(&fx);
    fx_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple),
        cmocka_unit_test(test_no_final_newline_and_empty_fields),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_embedded_comma_newline),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_bom_only_at_start),
        cmocka_unit_test(test_bom_then_quote),
        cmocka_unit_test(test_blank_lines_and_spaces),
        cmocka_unit_test(test_utf8_and_inner_quote),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_stray_quote_resyncs),
        cmocka_unit_test(test_long_field),
        cmocka_unit_test(test_field_too_long),
        cmocka_unit_test(test_null_err_buffer),
        cmocka_unit_test(test_not_utf8),
        cmocka_unit_test(test_not_utf8_forms),
        cmocka_unit_test(test_bad_byte_line_in_quoted_field),
        cmocka_unit_test(test_nul_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
