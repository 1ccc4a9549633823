/* webhtml.c - HTML escaping, the page frame and the static stylesheet and script of the review
 * page. */
#include "webhtml.h"

#include <string.h>

#include "ascii.h"

void html_esc(strbuf *sb, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            sb_append(sb, "&amp;");
            break;
        case '<':
            sb_append(sb, "&lt;");
            break;
        case '>':
            sb_append(sb, "&gt;");
            break;
        case '"':
            sb_append(sb, "&quot;");
            break;
        case '\'':
            sb_append(sb, "&#39;");
            break;
        default:
            sb_putc(sb, *s);
        }
    }
}

void html_url_esc(strbuf *sb, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (ascii_is_alnum(c) || strchr("-._~", c)) {
            sb_putc(sb, (char)c);
        } else {
            sb_putc(sb, '%');
            sb_putc(sb, hex[c >> 4]);
            sb_putc(sb, hex[c & 15]);
        }
    }
}

void html_alert_href(strbuf *sb, const char *lead_id)
{
    strbuf url;
    sb_init(&url);
    sb_append(&url, "/alerts/");
    html_url_esc(&url, lead_id);
    html_esc(sb, url.buf);
    sb_free(&url);
}

void html_csrf_field(strbuf *sb, const char *csrf)
{
    sb_append(sb, "<input type=\"hidden\" name=\"csrf\" value=\"");
    html_esc(sb, csrf);
    sb_append(sb, "\">");
}

void html_page_begin(strbuf *sb, const char *title, const char *user, const char *csrf)
{
    sb_append(sb, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                  "<title>");
    html_esc(sb, title);
    sb_append(sb, " - l2a review</title><link rel=\"stylesheet\" href=\"/static/l2a.css\">"
                  "<script src=\"/static/l2a.js\" defer></script></head>\n<body>\n");
    sb_append(sb, "<header><a class=\"home\" href=\"/\">l2a review</a>");
    if (user) {
        sb_append(sb, "<form class=\"logout\" method=\"post\" action=\"/logout\"><span>");
        html_esc(sb, user);
        sb_append(sb, "</span> ");
        html_csrf_field(sb, csrf);
        sb_append(sb, "<button type=\"submit\" id=\"logout\">Log out</button></form>");
    }
    sb_append(sb, "</header>\n<main>\n");
}

void html_page_end(strbuf *sb)
{
    sb_append(sb, "</main>\n</body></html>\n");
}

static const char css[] =
    "body{font:15px/1.4 system-ui,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}\n"
    "header{display:flex;justify-content:space-between;align-items:center;padding:.5em 1em;"
    "background:#243447;color:#fff}\n"
    "header a.home{color:#fff;font-weight:600;text-decoration:none}\n"
    "header form.logout span{margin-right:.5em}\n"
    "main{padding:1em;max-width:80em}\n"
    "table{border-collapse:collapse;width:100%;background:#fff}\n"
    "th,td{text-align:left;padding:.35em .6em;border-bottom:1px solid #dde1e6;vertical-align:top}\n"
    "tr.overdue td{background:#fdecea}\n"
    ".badge{display:inline-block;padding:0 .4em;border-radius:.3em;font-size:.85em;"
    "background:#c62828;color:#fff}\n"
    ".ok{background:#2e7d32}\n"
    ".notice{padding:.6em 1em;margin:0 0 1em;background:#e8f5e9;border:1px solid #a5d6a7}\n"
    ".error{padding:.6em 1em;margin:0 0 1em;background:#fdecea;border:1px solid #ef9a9a}\n"
    "form.filters{display:flex;gap:1em;align-items:end;margin-bottom:1em;flex-wrap:wrap}\n"
    "form.filters label,form.login label{display:flex;flex-direction:column;font-size:.9em}\n"
    "form.login{display:flex;flex-direction:column;gap:.8em;max-width:20em}\n"
    "dl.lead{display:grid;grid-template-columns:10em 1fr;gap:.2em 1em;background:#fff;"
    "padding:.6em}\n"
    "dl.lead dt{color:#5b6670}\n"
    "section{margin:1.2em 0}\n"
    "textarea{width:100%;max-width:40em}\n"
    "button{cursor:pointer}\n"
    ".muted{color:#5b6670}\n";

static const char js[] =
    "// l2a.js - small comforts for the review page; everything works without it.\n"
    "'use strict';\n"
    "document.addEventListener('DOMContentLoaded', function () {\n"
    "  // filters apply as soon as one changes\n"
    "  document.querySelectorAll('form.filters select').forEach(function (s) {\n"
    "    s.addEventListener('change', function () { s.form.submit(); });\n"
    "  });\n"
    "  // a dismissal asks first\n"
    "  document.querySelectorAll('button[data-confirm]').forEach(function (b) {\n"
    "    b.addEventListener('click', function (e) {\n"
    "      if (!window.confirm(b.getAttribute('data-confirm'))) e.preventDefault();\n"
    "    });\n"
    "  });\n"
    "});\n";

const char *webhtml_static(const char *name, const char **ctype)
{
    if (strcmp(name, "l2a.css") == 0) {
        *ctype = "text/css; charset=utf-8";
        return css;
    }
    if (strcmp(name, "l2a.js") == 0) {
        *ctype = "text/javascript; charset=utf-8";
        return js;
    }
    return NULL;
}
