/* reply_arena.c - hiredis reply objects carved from an arena owned by the reply's root (see
 * reply_arena.h): hiredis creates a reply's root first (an array's element nodes after it), finds
 * it in its task stack's first task, and frees only roots. */
#include "reply_arena.h"

#include <hiredis/hiredis.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The first block's room after the root (most replies fit), and the largest block made for many
 * small nodes (a larger string gets a block of its own size). */
#define FIRST_ROOM 512
#define MAX_BLOCK (64 * 1024)

typedef struct arena_block {
    struct arena_block *next;
    alignas(max_align_t) char data[];
} arena_block;

/* A root's allocation: the arena's state, the root node, then the first block's room. */
typedef struct arena_head {
    arena_block *more;       /* blocks after the first, newest first (owned) */
    char *at, *end;          /* free room of the newest block */
    size_t last;             /* size of the newest block */
    redisReply root;
    alignas(max_align_t) char room[];
} arena_head;

static arena_head *head_of(redisReply *root)
{
    return (arena_head *)(void *)((char *)root - offsetof(arena_head, root));
}

/* A new block of at least n bytes; its room becomes the arena's free room. */
static void *block_alloc(arena_head *h, size_t n)
{
    size_t size = h->last * 2 < MAX_BLOCK ? h->last * 2 : MAX_BLOCK;
    if (size < n)
        size = n;
    arena_block *b = xmalloc(sizeof(*b) + size);
    b->next = h->more;
    h->more = b;
    h->last = size;
    h->at = b->data + n;
    h->end = b->data + size;
    return b->data;
}

static void *arena_alloc(arena_head *h, size_t n)
{
    n = (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
    if ((size_t)(h->end - h->at) < n)
        return block_alloc(h, n);
    void *p = h->at;
    h->at += n;
    return p;
}

/* A node of task: the root (with its arena, extra bytes of room for it) or a node in the root's
 * arena, hung into its parent array; *extra_out: extra bytes beside it (NULL for none). */
static redisReply *node_new(const redisReadTask *task, int type, size_t extra, void **extra_out)
{
    redisReply *r;
    if (!task->parent) {
        size_t room = extra > FIRST_ROOM ? extra : FIRST_ROOM;
        arena_head *h = xmalloc(sizeof(*h) + room);
        h->more = NULL;
        h->last = room;
        h->at = h->room;
        h->end = h->room + room;
        r = &h->root;
        *extra_out = extra ? arena_alloc(h, extra) : NULL;
    } else {
        const redisReadTask *t = task;
        while (t->parent)
            t = t->parent;
        arena_head *h = head_of(t->obj);
        r = arena_alloc(h, sizeof(*r));
        *extra_out = extra ? arena_alloc(h, extra) : NULL;
        redisReply *parent = task->parent->obj;
        parent->element[task->idx] = r;
    }
    memset(r, 0, sizeof(*r));
    r->type = type;
    return r;
}

static void *create_string(const redisReadTask *task, char *str, size_t len)
{
    void *room;
    redisReply *r = node_new(task, task->type, len + 1, &room);
    r->str = room;
    memcpy(r->str, str, len);
    r->str[len] = '\0';
    r->len = len;
    return r;
}

static void *create_array(const redisReadTask *task, int elements)
{
    void *room;
    size_t n = elements > 0 ? (size_t)elements : 0;
    redisReply *r = node_new(task, REDIS_REPLY_ARRAY, n * sizeof(redisReply *), &room);
    r->elements = n;
    r->element = room;
    if (n)
        memset(r->element, 0, n * sizeof(redisReply *));
    return r;
}

static void *create_integer(const redisReadTask *task, long long value)
{
    void *room;
    redisReply *r = node_new(task, REDIS_REPLY_INTEGER, 0, &room);
    r->integer = value;
    return r;
}

static void *create_nil(const redisReadTask *task)
{
    void *room;
    return node_new(task, REDIS_REPLY_NIL, 0, &room);
}

/* hiredis frees roots only: the whole arena goes with it. */
static void free_root(void *reply)
{
    if (!reply)
        return;
    arena_head *h = head_of(reply);
    for (arena_block *b = h->more, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(h);
}

static redisReplyObjectFunctions arena_functions = {create_string, create_array, create_integer,
                                                    create_nil, free_root};

void reply_arena_use(redisReader *reader)
{
    reader->fn = &arena_functions;
}
