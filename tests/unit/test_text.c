/* test_text.c - unit tests for UTF-8 validation and the iconv conversion to UTF-8 (text.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"
#include "text.h"
#include "util.h"

static void test_utf8_invalid_at(void **state)
{
    (void)state;
    assert_int_equal(utf8_invalid_at("", 0), 0);
    assert_int_equal(utf8_invalid_at("abc", 3), 3);
    assert_int_equal(utf8_invalid_at("Soci\xc3\xa9t\xc3\xa9", 9), 9);
    assert_int_equal(utf8_invalid_at("Soci\xe9t\xe9", 7), 4);
    assert_int_equal(utf8_invalid_at("a\0b", 3), 3); /* NUL is UTF-8; callers check it apart */
    assert_int_equal(utf8_invalid_at("\xc0\x80", 2), 0);         /* overlong NUL */
    assert_int_equal(utf8_invalid_at("\xe0\x80\xaf", 3), 0);     /* overlong 3-byte */
    assert_int_equal(utf8_invalid_at("\xf0\x8f\xbf\xbf", 4), 0); /* overlong 4-byte */
    assert_int_equal(utf8_invalid_at("x\xed\xbf\xbf", 4), 1);    /* surrogate */
    assert_int_equal(utf8_invalid_at("\xf5\x80\x80\x80", 4), 0); /* past U+10FFFF */
    assert_int_equal(utf8_invalid_at("ab\xe2\x82", 4), 2);       /* cut short */
    assert_int_equal(utf8_invalid_at("\xe2\x82\xac\xf0\x9f\x98\x80", 7), 7);
    assert_true(utf8_valid("\xef\xbb\xbf", 3));
    assert_false(utf8_valid("\xff", 1));

    /* Long ASCII runs are passed 8 bytes at a time: a bad byte, or a sequence cut short, is found
     * wherever it sits against those words, and a good sequence after a run is read as one. */
    char buf[48];
    for (size_t at = 0; at < 40; at++) {
        memset(buf, 'a', sizeof(buf));
        buf[at] = (char)0xE9;
        assert_int_equal(utf8_invalid_at(buf, 40), at);
        buf[at] = (char)0xC3;
        buf[at + 1] = (char)0xA9;
        assert_int_equal(utf8_invalid_at(buf, 40), at + 1 < 40 ? 40 : at);
        assert_int_equal(utf8_invalid_at(buf, at + 1), at);
        buf[at] = (char)0x7F;
        buf[at + 1] = 'a';
        assert_int_equal(utf8_invalid_at(buf, 40), 40);
    }
}

/* A temporary file holding len bytes of text, rewound. */
static FILE *file_of(const char *text, size_t len)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    rewind(f);
    return f;
}

/* The whole content of f as a NUL-terminated string (caller frees). */
static char *slurp(FILE *f)
{
    strbuf sb;
    char buf[4096];
    size_t n;
    sb_init(&sb);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        sb_appendn(&sb, buf, n);
    return sb_take(&sb);
}

static void test_recode_cp1252(void **state)
{
    (void)state;
    char err[256] = "";
    FILE *in = file_of("id,name\n1,Soci\xe9t\xe9 G\xe9n\xe9rale \x80\n", 29);
    FILE *out = text_recode(in, "windows-1252", err, sizeof(err));
    assert_non_null(out);
    char *text = slurp(out);
    assert_string_equal(text, "id,name\n1,Soci\xc3\xa9t\xc3\xa9 G\xc3\xa9n\xc3\xa9rale \xe2\x82\xac\n");
    free(text);
    fclose(out);
    fclose(in);
}

static void test_recode_bad_byte_names_line(void **state)
{
    (void)state;
    char err[256] = "";
    FILE *in = file_of("a\nb\nc\x81\n", 7); /* 0x81 is undefined in windows-1252 */
    assert_null(text_recode(in, "windows-1252", err, sizeof(err)));
    assert_string_equal(err, "line 3: byte 0x81 is not valid windows-1252");
    fclose(in);
}

static void test_recode_truncated_and_unknown(void **state)
{
    (void)state;
    char err[256] = "";
    FILE *in = file_of("ok\n\xc3", 4);
    assert_null(text_recode(in, "UTF-8", err, sizeof(err)));
    assert_string_equal(err, "line 2: the file ends inside a UTF-8 character");
    fclose(in);
    in = file_of("x", 1);
    assert_null(text_recode(in, "no-such-encoding", err, sizeof(err)));
    assert_string_equal(err, "unknown encoding 'no-such-encoding' (iconv -l lists the names)");
    fclose(in);
    assert_true(text_encoding_known("latin1"));
    assert_false(text_encoding_known("no-such-encoding"));
}

/* A multi-byte character across the reader's 64 KiB chunks: carried over, not an error. */
static void test_recode_across_chunks(void **state)
{
    (void)state;
    size_t n = 65535 + 4 * 1000;
    char *text = xmalloc(n);
    memset(text, 'a', 65535);
    for (size_t i = 65535; i < n; i += 4)
        memcpy(text + i, "\xf0\x9f\x98\x80", 4);
    char err[256] = "";
    FILE *in = file_of(text, n);
    FILE *out = text_recode(in, "UTF-8", err, sizeof(err));
    assert_non_null(out);
    char *got = slurp(out);
    assert_int_equal(strlen(got), n);
    assert_memory_equal(got, text, n);
    free(got);
    free(text);
    fclose(out);
    fclose(in);
}

/* JSON strings are copied a run at a time between escapes (util.c); every escape, at the start,
 * in the middle and at the end, and a long string that makes the buffer grow mid-run. */
static void test_json_str_escapes(void **state)
{
    (void)state;
    strbuf sb;
    sb_init(&sb);
    sb_append_json_str(&sb, "\"a\\b\nc\rd\te\x01" "f\x1f");
    assert_string_equal(sb.buf, "\"\\\"a\\\\b\\nc\\rd\\te\\u0001f\\u001f\"");
    sb_reset(&sb);
    sb_append_json_str(&sb, "");
    sb_append_json_str(&sb, "Soci\xc3\xa9t\xc3\xa9");
    assert_string_equal(sb.buf, "\"\"\"Soci\xc3\xa9t\xc3\xa9\"");
    char longer[300];
    memset(longer, 'x', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    longer[150] = '"';
    sb_reset(&sb);
    sb_append_json_str(&sb, longer);
    assert_int_equal(sb.len, 302);
    assert_int_equal(sb.buf[151], '\\');
    assert_int_equal(sb.buf[152], '"');
    sb_appendf(&sb, "%s=%d", "n", 12345);
    assert_string_equal(sb.buf + 302, "n=12345");
    sb_free(&sb);
}

/* The escapes byte by byte, as the writer was before it looked 16 bytes at a time. */
static void json_str_reference(strbuf *sb, const char *s)
{
    sb_putc(sb, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            sb_appendf(sb, "\\%c", c);
        else if (c == '\n')
            sb_append(sb, "\\n");
        else if (c == '\r')
            sb_append(sb, "\\r");
        else if (c == '\t')
            sb_append(sb, "\\t");
        else if (c < 0x20)
            sb_appendf(sb, "\\u%04x", c);
        else
            sb_putc(sb, (char)c);
    }
    sb_putc(sb, '"');
}

/* util.c finds the bytes to escape 16 at a time, the last 16 overlapping those before: each
 * special byte (and a byte over 127, which is not one) at each place of strings of 1 to 40
 * bytes, alone and with a second one after it, comes out as the byte-by-byte writer's. */
static void test_json_str_every_place(void **state)
{
    (void)state;
    const char special[] = {'"', '\\', '\n', '\x01', '\x1f', '\t', (char)0xe9, ' ', (char)0x7f};
    strbuf got, want;
    sb_init(&got);
    sb_init(&want);
    char s[41];
    for (size_t n = 1; n < sizeof(s); n++)
        for (size_t at = 0; at < n; at++)
            for (size_t k = 0; k < sizeof(special); k++) {
                memset(s, 'a' + (int)(at % 26), n);
                s[n] = '\0';
                s[at] = special[k];
                if (at + 5 < n)
                    s[at + 5] = special[(k + 1) % sizeof(special)];
                sb_reset(&got);
                sb_reset(&want);
                sb_append_json_str(&got, s);
                json_str_reference(&want, s);
                assert_string_equal(got.buf, want.buf);
            }
    sb_reset(&got);
    sb_append_json_strn(&got, "a\0b", 3);
    assert_string_equal(got.buf, "\"a\\u0000b\"");
    sb_free(&got);
    sb_free(&want);
}

/* The first byte of s[0..n) a plain run stops at, byte by byte. */
static size_t plain_len_reference(const char *s, size_t n, bool high)
{
    size_t i = 0;
    while (i < n && (unsigned char)s[i] >= 0x20 && s[i] != '"' && s[i] != '\\' &&
           !(high && (unsigned char)s[i] >= 0x80))
        i++;
    return i;
}

/* json_plain_scan (the JSON writer's and the lead reader's scanner: SSE2, 16 bytes at a time, the
 * last 16 overlapping) stops where the byte-by-byte scan does, with and without high bytes,
 * for each special byte at each place of strings of 1 to 40 bytes. */
static void test_json_plain_scan_every_place(void **state)
{
    (void)state;
    const char special[] = {'"', '\\', '\n', '\0', '\x1f', (char)0xe9, (char)0x80, ' ', '\x7f'};
    char s[41];
    for (size_t n = 1; n < sizeof(s); n++)
        for (size_t at = 0; at < n; at++)
            for (size_t k = 0; k < sizeof(special); k++) {
                memset(s, 'b', n);
                s[at] = special[k];
                assert_int_equal(json_plain_scan(s, n, false, NULL), plain_len_reference(s, n, false));
                assert_int_equal(json_plain_scan(s, n, true, NULL), plain_len_reference(s, n, true));
            }
    assert_int_equal(json_plain_scan("", 0, true, NULL), 0);
}

/* text_lower_ascii lower-cases A-Z only, 16 at a time then byte by byte, in place or not, and
 * says whether every byte was ASCII: a capital and a high byte at each place of 1 to 40 bytes. */
static void test_lower_ascii_every_place(void **state)
{
    (void)state;
    char s[41], out[41], want[41];
    for (size_t n = 1; n < sizeof(s); n++)
        for (size_t at = 0; at < n; at++) {
            for (size_t i = 0; i < n; i++)
                s[i] = (char)("Az@[`{09-"[i % 9]);
            s[at] = (char)0xC4;
            for (size_t i = 0; i < n; i++)
                want[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
            assert_false(text_lower_ascii(s, n, out));
            assert_memory_equal(out, want, n);
            s[at] = 'Q';
            want[at] = 'q';
            assert_true(text_lower_ascii(s, n, s));
            assert_memory_equal(s, want, n);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_invalid_at),
        cmocka_unit_test(test_recode_cp1252),
        cmocka_unit_test(test_recode_bad_byte_names_line),
        cmocka_unit_test(test_recode_truncated_and_unknown),
        cmocka_unit_test(test_recode_across_chunks),
        cmocka_unit_test(test_json_str_escapes),
        cmocka_unit_test(test_json_str_every_place),
        cmocka_unit_test(test_json_plain_scan_every_place),
        cmocka_unit_test(test_lower_ascii_every_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
