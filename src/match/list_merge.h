/* list_merge.h - the values two ascending lists of distinct values both hold. */
#ifndef L2A_LIST_MERGE_H
#define L2A_LIST_MERGE_H

#include <stdint.h>

#include "postings.h"

/* Writes the values both small and large hold to out (room for small->n), ascending; how many. A
 * merge that reads both in order, compares blocks of each at once and decides every step without
 * a branch (the lists of two common words are long, and which one moves on is a coin toss). */
uint32_t u32_common(const u32vec *small, const u32vec *large, uint32_t *out);

#endif
