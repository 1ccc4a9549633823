/* bump.c - the bump allocator: large blocks in a list, each carved from its start. */
#include "bump.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "huge.h"
#include "util.h"

#define BUMP_BLOCK_BYTES (64 * 1024)
#define BUMP_ALIGN 8

struct bump_block {
    bump_block *next;
    size_t size;        /* bytes of data[] */
    size_t used;
    bool huge;          /* from xmalloc_huge (freed by xfree_huge) */
    _Alignas(BUMP_ALIGN) unsigned char data[];
};

void bump_init(bump *b)
{
    b->used = NULL;
    b->spare = NULL;
    b->huge = false;
}

void bump_init_huge(bump *b)
{
    bump_init(b);
    b->huge = true;
}

/* The usual size of b's blocks' data. */
static size_t block_bytes(const bump *b)
{
    return b->huge ? HUGE_PAGE_BYTES - sizeof(bump_block) : BUMP_BLOCK_BYTES;
}

static void block_free(bump_block *k)
{
    if (k->huge)
        xfree_huge(k, sizeof(*k) + k->size);
    else
        free(k);
}

static void blocks_free(bump_block *k)
{
    while (k) {
        bump_block *next = k->next;
        block_free(k);
        k = next;
    }
}

void bump_free(bump *b)
{
    bool huge = b->huge;
    blocks_free(b->used);
    blocks_free(b->spare);
    bump_init(b);
    b->huge = huge;
}

/* Blocks of the usual size go back to the spare list; a larger one (for one big request) is
 * freed. */
void bump_reset(bump *b)
{
    while (b->used) {
        bump_block *k = b->used;
        b->used = k->next;
        if (k->size != block_bytes(b)) {
            block_free(k);
            continue;
        }
        k->used = 0;
        k->next = b->spare;
        b->spare = k;
    }
}

static bump_block *block_new(const bump *b, size_t size)
{
    bump_block *k = b->huge ? xmalloc_huge(sizeof(*k) + size) : xmalloc(sizeof(*k) + size);
    k->next = NULL;
    k->size = size;
    k->used = 0;
    k->huge = b->huge;
    return k;
}

/* A block with room for n bytes, made the newest used one. */
static bump_block *block_for(bump *b, size_t n)
{
    bump_block *k;
    size_t usual = block_bytes(b);
    if (n <= usual && b->spare) {
        k = b->spare;
        b->spare = k->next;
    } else {
        k = block_new(b, n > usual ? n : usual);
    }
    k->next = b->used;
    b->used = k;
    return k;
}

void *bump_alloc(bump *b, size_t n)
{
    n = (n + BUMP_ALIGN - 1) & ~(size_t)(BUMP_ALIGN - 1);
    bump_block *k = b->used;
    if (!k || k->size - k->used < n)
        k = block_for(b, n);
    void *p = k->data + k->used;
    k->used += n;
    return p;
}

bump_block *bump_block_new(const bump *b)
{
    return block_new(b, block_bytes(b));
}

void *bump_block_span(bump_block *k, size_t *bytes)
{
    *bytes = sizeof(*k) + k->size;
    return k;
}

void bump_add_spare(bump *b, bump_block *k)
{
    k->next = b->spare;
    b->spare = k;
}

bool bump_has_spare(const bump *b)
{
    return b->spare != NULL;
}

void bump_drop_spare(bump *b)
{
    blocks_free(b->spare);
    b->spare = NULL;
}

void bump_block_discard(bump_block *k)
{
    block_free(k);
}

char *bump_strdup(bump *b, const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(bump_alloc(b, n), s, n);
}
