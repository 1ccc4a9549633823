/* reply_arena.h - hiredis reply objects from one arena per reply: a reply's nodes and strings are
 * carved from blocks owned by its root, so a reply of n nodes costs a few mallocs and one free of
 * the root frees it all (an XREADGROUP batch is hundreds of nodes). */
#ifndef L2A_REPLY_ARENA_H
#define L2A_REPLY_ARENA_H

#include <hiredis/read.h>

/* Makes reader build its replies in arenas. Set before it parses anything: a reply it holds is
 * freed by these functions' freeObject (which hiredis calls on the root, and only there). The
 * replies are plain redisReply trees to read, but must never go to freeReplyObject. */
void reply_arena_use(redisReader *reader);

#endif
