/* table.h - slot placement and growth sizing shared by the open-addressing tables. */
#ifndef L2A_TABLE_H
#define L2A_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "huge.h"

/* The open-addressing tables (strmap, postings.h's hashmulti) take any number of slots: a 32-bit
 * hash's home slot is its multiply-shift into [0, cap), a probe goes on to the next slot. */
static inline size_t table_home(uint32_t hash, size_t cap)
{
    return (size_t)(((uint64_t)hash * cap) >> 32);
}

static inline size_t table_next(size_t i, size_t cap)
{
    return i + 1 == cap ? 0 : i + 1;
}

/* The slots of a table of cap slots grown: twice as many, or, once it fills a huge page and when
 * want (the slots its expected entries need at its load limit; 0: not known) is less, want and a
 * sixteenth (at least a quarter more than cap); from HUGE_PAGE_BYTES on, as many as fill its huge
 * pages (xcalloc_huge). */
static inline size_t table_grown_cap(size_t cap, size_t want, size_t slot_bytes)
{
    size_t slots = cap * 2, fit = want + want / 16;
    if (want && cap * slot_bytes >= HUGE_PAGE_BYTES && fit < slots)
        slots = fit > cap + cap / 4 ? fit : cap + cap / 4;
    if (slots * slot_bytes >= HUGE_PAGE_BYTES)
        slots = (slots * slot_bytes + HUGE_PAGE_BYTES - 1) / HUGE_PAGE_BYTES * HUGE_PAGE_BYTES /
                slot_bytes;
    return slots;
}

#endif
