/* list_merge.c - the values two ascending lists of distinct values both hold: blocks of each
 * compared at once (SSE2, and AVX2 where the CPU has it), then a plain merge for the ends. */
#include "list_merge.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define AVX2_MERGE 1
#endif

/* A step of a block merge: the block with the smaller last value moves on (both when equal), by a
 * compare's result, not by a branch. */
static inline void block_step(uint32_t alast, uint32_t blast, uint32_t *x, uint32_t *y,
                              uint32_t awide, uint32_t bwide)
{
    *x += (uint32_t)(alast <= blast) * awide;
    *y += (uint32_t)(blast <= alast) * bwide;
}

#ifdef AVX2_MERGE
/* Is each of a[0..7] among b[0..7]? A lane of all ones per hit. */
__attribute__((target("avx2"))) static inline __m256i block_hits8(__m256i va, const uint32_t *b)
{
    __m256i vb = _mm256_loadu_si256((const __m256i *)b);
    __m256i sw = _mm256_permute2x128_si256(vb, vb, 1);   /* its halves swapped */
    __m256i low = _mm256_or_si256(
        _mm256_or_si256(_mm256_cmpeq_epi32(va, vb),
                        _mm256_cmpeq_epi32(va, _mm256_shuffle_epi32(vb, 0x39))),
        _mm256_or_si256(_mm256_cmpeq_epi32(va, _mm256_shuffle_epi32(vb, 0x4e)),
                        _mm256_cmpeq_epi32(va, _mm256_shuffle_epi32(vb, 0x93))));
    __m256i high = _mm256_or_si256(
        _mm256_or_si256(_mm256_cmpeq_epi32(va, sw),
                        _mm256_cmpeq_epi32(va, _mm256_shuffle_epi32(sw, 0x39))),
        _mm256_or_si256(_mm256_cmpeq_epi32(va, _mm256_shuffle_epi32(sw, 0x4e)),
                        _mm256_cmpeq_epi32(va, _mm256_shuffle_epi32(sw, 0x93))));
    return _mm256_or_si256(low, high);
}

/* The blocks of eight of a against eight of b, or sixteen when b is at least twice as long, from
 * *i and *j while both have a block left; how many values were written to out. */
__attribute__((target("avx2"))) static uint32_t merge_avx2(const u32vec *a, const u32vec *b,
                                                           uint32_t *i, uint32_t *j, uint32_t *out)
{
    const uint32_t *av = a->v, *bv = b->v;   /* (locals: out's stores could alias the vectors) */
    uint32_t x = *i, y = *j, n = 0, na = a->n, nb = b->n, wide = nb / 2 >= na ? 16 : 8;
    while (x + 8 <= na && y + wide <= nb) {
        __m256i va = _mm256_loadu_si256((const __m256i *)(av + x));
        __m256i eq = block_hits8(va, bv + y);
        if (wide == 16)
            eq = _mm256_or_si256(eq, block_hits8(va, bv + y + 8));
        for (unsigned hits = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(eq)); hits;
             hits &= hits - 1)
            out[n++] = av[x + (uint32_t)__builtin_ctz(hits)];
        block_step(av[x + 7], bv[y + wide - 1], &x, &y, 8, wide);
    }
    *i = x;
    *j = y;
    return n;
}
#endif

#ifdef __SSE2__
/* Is each of a[0..3] among b[0..3]? A bit per lane of a. */
static unsigned block_hits(const uint32_t *a, const uint32_t *b)
{
    __m128i va = _mm_loadu_si128((const __m128i *)a), vb = _mm_loadu_si128((const __m128i *)b);
    __m128i eq = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi32(va, vb), _mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, 0x39))),
        _mm_or_si128(_mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, 0x4e)),
                     _mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, 0x93))));
    return (unsigned)_mm_movemask_ps(_mm_castsi128_ps(eq));
}
#endif

/* The blocks of four of a against four of b, or eight when b is at least twice as long, from *i
 * and *j while both have a block left; how many values were written to out. */
static uint32_t merge_sse2(const u32vec *a, const u32vec *b, uint32_t *i, uint32_t *j,
                           uint32_t *out)
{
    uint32_t n = 0;
#ifdef __SSE2__
    const uint32_t *av = a->v, *bv = b->v;
    uint32_t x = *i, y = *j, na = a->n, nb = b->n, wide = nb / 2 >= na ? 8 : 4;
    while (x + 4 <= na && y + wide <= nb) {
        unsigned hits = block_hits(av + x, bv + y);
        if (wide == 8)
            hits |= block_hits(av + x, bv + y + 4);
        for (; hits; hits &= hits - 1)
            out[n++] = av[x + (uint32_t)__builtin_ctz(hits)];
        block_step(av[x + 3], bv[y + wide - 1], &x, &y, 4, wide);
    }
    *i = x;
    *j = y;
#else
    (void)a;
    (void)b;
    (void)i;
    (void)j;
    (void)out;
#endif
    return n;
}

uint32_t u32_common(const u32vec *small, const u32vec *large, uint32_t *out)
{
    uint32_t i = 0, j = 0, n = 0;
#ifdef AVX2_MERGE
    if (__builtin_cpu_supports("avx2"))
        n = merge_avx2(small, large, &i, &j, out);
#endif
    n += merge_sse2(small, large, &i, &j, out + n);
    while (i < small->n && j < large->n) {
        uint32_t x = small->v[i], y = large->v[j];
        out[n] = x;      /* kept when equal; in bounds: n counts the matches of small's first i */
        n += x == y;
        i += x <= y;
        j += y <= x;
    }
    return n;
}
