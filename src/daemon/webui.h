/* webui.h - RevOps' review page on the web listener (web.listen): login, the open alerts, an
 * alert's page and its resolution. All state is in Redis, so any worker can serve any request. */
#ifndef L2A_WEBUI_H
#define L2A_WEBUI_H

struct l2ad;

/* Registers the page's routes on d->web (/, /alerts/, /login, /logout, /static/). */
void webui_init(struct l2ad *d);

#endif
