/* load_typo.h - a thread that files a load's new vocabulary words in the typo index, in the order
 * they came, while the load's other threads read and index the accounts (index_defer_typo). */
#ifndef L2A_LOAD_TYPO_H
#define L2A_LOAD_TYPO_H

#include "index.h"

typedef struct typo_filer typo_filer;

/* Starts the thread and makes ix pass it its new words (index_defer_typo); NULL when the thread
 * could not be started (the words are then filed by the upserts, as without it). */
typo_filer *typo_filer_start(account_index *ix);
/* Lets the thread file the words passed so far (by the upserts of the calling thread). */
void typo_filer_publish(typo_filer *f);
/* Files what is left, ends the thread and makes ix file its new words itself again; frees f. */
void typo_filer_finish(typo_filer *f);

#endif
