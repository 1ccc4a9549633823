/* webhtml.h - the review page's HTML: escaping, the page frame, and the stylesheet and script it
 * serves as files (no inline style or script, so the Content-Security-Policy holds). */
#ifndef L2A_WEBHTML_H
#define L2A_WEBHTML_H

#include "util.h"

/* The policy every page is sent with: nothing but this origin's stylesheet, script and forms. */
#define WEBHTML_CSP                                                                            \
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "                \
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/* Appends s with & < > " ' as character references (NULL appends nothing): safe inside element
 * text and quoted attribute values. */
void html_esc(strbuf *sb, const char *s);
/* Appends s percent-encoded but for letters, digits and - . _ ~ (a path segment or a query value). */
void html_url_esc(strbuf *sb, const char *s);

/* An alert page's address, "/alerts/<lead id percent-encoded>", escaped for an attribute. */
void html_alert_href(strbuf *sb, const char *lead_id);

/* The start of a page: title (escaped), the stylesheet and script, and, for a logged-in user, a
 * bar with the name and a logout button carrying the CSRF token. user NULL: no bar. */
void html_page_begin(strbuf *sb, const char *title, const char *user, const char *csrf);
void html_page_end(strbuf *sb);
/* A hidden form field with the CSRF token. */
void html_csrf_field(strbuf *sb, const char *csrf);

/* The static files: path below /static/ ("l2a.css", "l2a.js") to its content type and text;
 * NULL for any other. */
const char *webhtml_static(const char *name, const char **ctype);

#endif
