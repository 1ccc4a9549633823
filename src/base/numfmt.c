/* numfmt.c - "%.4g", "%.2f" and "%ld" without printf, byte for byte what printf writes. A value
 * is scaled to an integer of the digits wanted and rounded; when the scaled value lies so near a
 * rounding boundary that the scaling's own error could decide it, or outside the plain range
 * (negative, huge, tiny, not finite), printf is asked instead. */
#include "numfmt.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How near .5 a scaled value may come before printf decides its rounding: far above the error
 * of one multiplication of values below 1e9 (about 1e-7 at most), far below any real distance. */
#define TIE_WINDOW 1e-6

/* s (>= 0, below 1e9) rounded to the nearest integer, or -1 when s is too near a tie to tell. */
static int64_t round_scaled(double s)
{
    double whole = (double)(int64_t)s, frac = s - whole;   /* floor, s being >= 0 */
    if (fabs(frac - 0.5) < TIE_WINDOW)
        return -1;
    return (int64_t)whole + (frac > 0.5);
}

/* Writes the digits of v (>= 0) backwards from end; returns where they start. */
static char *digits_back(uint64_t v, char *end)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

static size_t copy_out(const char *from, const char *end, char *buf)
{
    size_t n = (size_t)(end - from);
    for (size_t i = 0; i < n; i++)
        buf[i] = from[i];
    buf[n] = '\0';
    return n;
}

size_t numfmt_long(long v, char *buf)
{
    char tmp[NUMFMT_ROOM], *end = tmp + sizeof(tmp);
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char *p = digits_back(mag, end);
    if (v < 0)
        *--p = '-';
    return copy_out(p, end, buf);
}

/* printf's own answer, for the values the plain path leaves (g4: "%.4g", else "%.2f"). */
static size_t by_printf(bool g4, double x, char *buf)
{
    int n = g4 ? snprintf(buf, NUMFMT_ROOM, "%.4g", x) : snprintf(buf, NUMFMT_ROOM, "%.2f", x);
    return n > 0 ? (size_t)n : 0;
}

size_t numfmt_f2(double x, char *buf)
{
    if (!(x >= 0 && x < 1e6) || signbit(x))
        return by_printf(false, x, buf);
    int64_t n = round_scaled(x * 100.0);
    if (n < 0)
        return by_printf(false, x, buf);
    char tmp[NUMFMT_ROOM], *end = tmp + sizeof(tmp);
    char *p = digits_back((uint64_t)n % 100 + 100, end);   /* "1dd": the two decimals */
    *p = '.';
    p = digits_back((uint64_t)n / 100, p);
    return copy_out(p, end, buf);
}

/* The decimal exponent of x in [1e-4, 1e4): 10^e <= x < 10^(e+1) (as far as the doubles tell;
 * the scaled value's range check catches the rest). A score (0.1 to 1) is the first case. */
static int exponent_of(double x)
{
    static const double pow10[] = {1e-4, 1e-3, 1e-2, 1e-1, 1, 1e1, 1e2, 1e3};
    if (x >= 0.1 && x < 1)
        return -1;
    int e = -4;
    while (e < 3 && x >= pow10[e + 5])
        e++;
    return e;
}

/* "00" to "99", two bytes each. */
static const char two_digits[200] =
    "0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849"
    "5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

/* The four digits d of n (< 10000) with the decimal exponent e (-4..3) into buf as "%.4g" writes
 * them: "0.00" and the digits for e < 0, else the point after digit e; trailing zeros of the
 * fraction dropped. Fixed-size copies, no byte loops. Returns the length. */
static size_t g4_digits(uint32_t n, int e, char *buf)
{
    char d[4];
    memcpy(d, two_digits + 2 * (n / 100), 2);
    memcpy(d + 2, two_digits + 2 * (n % 100), 2);
    int last = 3;                             /* trailing zeros of the fraction go */
    while (last > e && last > 0 && d[last] == '0')
        last--;
    size_t k;
    if (e < 0) {                              /* "0.", -e-1 zeros, the digits */
        memcpy(buf, "0.000", 5);
        memcpy(buf + 1 - e, d, 4);
        k = (size_t)(2 - e + last);
    } else {                                  /* digits 0..e, then '.' and the rest if any */
        memcpy(buf, d, 4);
        k = (size_t)e + 1;
        if (last > e) {
            buf[k] = '.';
            memcpy(buf + k + 1, d + k, 4 - k);
            k = (size_t)last + 2;
        }
    }
    buf[k] = '\0';
    return k;
}

size_t numfmt_g4(double x, char *buf)
{
    if (x == 0 && !signbit(x)) {
        buf[0] = '0', buf[1] = '\0';
        return 1;
    }
    if (!(x >= 1e-4 && x < 9999) || signbit(x))
        return by_printf(true, x, buf);
    static const double scale[] = {1e7, 1e6, 1e5, 1e4, 1e3, 1e2, 1e1, 1};
    int e = exponent_of(x);
    double s = x * scale[e + 4];              /* four digits before the point */
    int64_t n = s >= 1000 && s < 10000 ? round_scaled(s) : -1;
    if (n < 0)
        return by_printf(true, x, buf);
    if (n == 10000)
        n = 1000, e++;
    return g4_digits((uint32_t)n, e, buf);
}

double numfmt_leading_number(const char *s)
{
    uint64_t v = 0;
    size_t n = 0;
    for (; n < 16 && s[n] >= '0' && s[n] <= '9'; n++)
        v = v * 10 + (uint64_t)(s[n] - '0');
    char next = s[n];
    if (n == 0 || n > 15 || next == '.' || next == 'e' || next == 'E' || next == 'x' ||
        next == 'X')
        return strtod(s, NULL);
    return (double)v;
}
