/* load_helper.h - the third thread of a two-thread load: it files the load's new vocabulary words
 * in the typo index, in the order they came (index_defer_typo), and faults in the memory the
 * indexing thread is about to write, while the other threads read and index the accounts. */
#ifndef L2A_LOAD_HELPER_H
#define L2A_LOAD_HELPER_H

#include <stdbool.h>
#include <stddef.h>

#include "bump.h"
#include "index.h"

typedef struct load_helper load_helper;

/* Starts the thread and makes ix pass it its new words (index_defer_typo); NULL when the thread
 * could not be started (the words are then filed by the upserts, as without it). */
load_helper *load_helper_start(account_index *ix);
/* Lets the thread file the words passed so far (by the upserts of the calling thread). */
void load_helper_publish(load_helper *h);

/* A range of memory for the thread to fault in (writable, zero-filled, contents untouched). */
typedef struct mem_range {
    void *at;
    size_t bytes;
} mem_range;

#define HELPER_RANGES 2

/* Asks the thread to fault in the n ranges (up to HELPER_RANGES) before what it files next;
 * false, nothing asked, while it still works on an earlier request (n 0: true once it has done
 * every request). The memory must stay mapped where it is until the request is done or taken
 * back (load_helper_settle). */
bool load_helper_populate(load_helper *h, const mem_range *r, size_t n);
/* Leaves no request to fault memory in: waits for one the thread has begun, takes back one it
 * has not begun (it may be busy for a while: a growth of the typo index). true when everything
 * asked has been faulted in, false when a request was taken back. */
bool load_helper_settle(load_helper *h);

/* The indexing thread's turn to hand blocks over (between batches): gives arena the block made
 * for it, if one is ready, and asks for the next one when arena has no spare block left, so that
 * the thread makes it and faults it in (a 2 MiB page of the load arena, 4-8 ms here) before it
 * is carved from. arena must stay the same bump, and stay of the same kind, until
 * load_helper_finish. The same for the index's string maps: the table of a map's next growth
 * and its next key slab, asked for shortly before they are needed (index_strmaps), a table only
 * when the load is expected to need it, from read: the share of the source read so far (0: not
 * known, no table asked). */
void load_helper_feed(load_helper *h, bump *arena, double read);

/* Files what is left, ends the thread and makes ix file its new words itself again; frees h. */
void load_helper_finish(load_helper *h);

#endif
