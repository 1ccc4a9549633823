/* conf_yaml.c - libyaml events to a ynode tree with 1-based positions, for the config loader. */
#include "conf_yaml.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Parser state. root owns the whole tree built so far; stack borrows open containers. */
typedef struct ybuild {
    const char *file;
    const char *text;
    size_t len;
    char *err;
    size_t errlen;
    ynode *root;
    ynode *stack[CONF_YAML_MAX_DEPTH];
    size_t depth;
    int documents;
} ybuild;

int conf_yaml_errorf(char *err, size_t errlen, const char *file, size_t line, size_t col,
                     const char *fmt, ...)
{
    int n = snprintf(err, errlen, "%s:%zu:%zu: ", file, line, col);
    if (n >= 0 && (size_t)n < errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* conf_yaml_errorf for the file being parsed. */
#define fail_at(b, line, col, ...) conf_yaml_errorf((b)->err, (b)->errlen, (b)->file, line, col, \
                                                    __VA_ARGS__)

void conf_yaml_free(ynode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++)
        conf_yaml_free(n->kids[i]);
    free(n->kids);
    free(n->value);
    free(n);
}

const ynode *conf_yaml_get(const ynode *m, const char *key)
{
    if (!m || m->type != YN_MAP)
        return NULL;
    for (size_t i = 0; i + 1 < m->n; i += 2)
        if (strcmp(m->kids[i]->value, key) == 0)
            return m->kids[i + 1];
    return NULL;
}

static ynode *node_new(ynode_type type, const yaml_mark_t *mark)
{
    ynode *n = xcalloc(1, sizeof(*n));
    n->type = type;
    n->line = mark->line + 1;
    n->col = mark->column + 1;
    return n;
}

static bool is_null_text(const char *s)
{
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
           !strcmp(s, "NULL");
}

/* Builds a scalar node, or fails (returning NULL) when the text holds a NUL byte. */
static ynode *scalar_new(ybuild *b, const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    if (strlen(v) != len) {
        fail_at(b, ev->start_mark.line + 1, ev->start_mark.column + 1,
                "string contains a NUL byte");
        return NULL;
    }
    ynode *n = node_new(YN_SCALAR, &ev->start_mark);
    n->value = xstrndup(v, len);
    n->null = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && is_null_text(n->value);
    return n;
}

/* Checks a new mapping key against the keys already in parent m. */
static int check_key(ybuild *b, const ynode *m, const ynode *key)
{
    if (key->type != YN_SCALAR)
        return fail_at(b, key->line, key->col, "mapping keys must be plain strings");
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        const ynode *k = m->kids[i];
        if (strcmp(k->value, key->value) == 0)
            return fail_at(b, key->line, key->col,
                           "duplicate key \"%s\" (first defined at line %zu, column %zu)",
                           key->value, k->line, k->col);
    }
    return 0;
}

/* Hangs node under the innermost open container (or makes it the root). Takes node, even on
 * failure (it is freed then). */
static int attach(ybuild *b, ynode *node)
{
    if (b->depth == 0) {
        b->root = node;
        return 0;
    }
    ynode *parent = b->stack[b->depth - 1];
    if (parent->type == YN_MAP && parent->n % 2 == 0 && check_key(b, parent, node) < 0) {
        conf_yaml_free(node);
        return -1;
    }
    parent->kids = xrealloc(parent->kids, (parent->n + 1) * sizeof(*parent->kids));
    parent->kids[parent->n++] = node;
    return 0;
}

/* Attaches a new container and makes it the innermost open one. */
static int open_container(ybuild *b, ynode_type type, const yaml_mark_t *mark)
{
    if (b->depth == CONF_YAML_MAX_DEPTH)
        return fail_at(b, mark->line + 1, mark->column + 1, "nesting deeper than %d levels",
                       CONF_YAML_MAX_DEPTH);
    ynode *n = node_new(type, mark);
    if (attach(b, n) < 0)
        return -1;
    b->stack[b->depth++] = n;
    return 0;
}

/* Applies one event to the tree. Returns 1 at the end of the stream, 0 to go on, -1 on error. */
static int on_event(ybuild *b, const yaml_event_t *ev)
{
    size_t line = ev->start_mark.line + 1, col = ev->start_mark.column + 1;
    switch (ev->type) {
    case YAML_STREAM_END_EVENT:
        return 1;
    case YAML_DOCUMENT_START_EVENT:
        if (b->documents++ > 0)
            return fail_at(b, line, col, "only one YAML document is allowed");
        return 0;
    case YAML_ALIAS_EVENT:
        return fail_at(b, line, col, "YAML aliases (*%s) are not supported",
                       (const char *)ev->data.alias.anchor);
    case YAML_SCALAR_EVENT: {
        ynode *n = scalar_new(b, ev);
        return n ? attach(b, n) : -1;
    }
    case YAML_SEQUENCE_START_EVENT:
        return open_container(b, YN_SEQ, &ev->start_mark);
    case YAML_MAPPING_START_EVENT:
        return open_container(b, YN_MAP, &ev->start_mark);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        b->depth--;
        return 0;
    default:                            /* stream start, document end, no event */
        return 0;
    }
}

/* Line and column (1-based) of byte offset off in the text, for reader errors. */
static void offset_position(const ybuild *b, size_t off, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < b->len; i++) {
        if (b->text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)b->text[i] & 0xC0) != 0x80) {
            (*col)++;
        }
    }
}

static int syntax_error(ybuild *b, const yaml_parser_t *p)
{
    const char *problem = p->problem ? p->problem : "cannot parse";
    if (p->error == YAML_MEMORY_ERROR) {
        snprintf(b->err, b->errlen, "%s: out of memory parsing YAML", b->file);
        return -1;
    }
    if (p->error == YAML_READER_ERROR) {
        size_t line, col;
        offset_position(b, p->problem_offset, &line, &col);
        return fail_at(b, line, col, "YAML error: %s", problem);
    }
    if (p->context)
        return fail_at(b, p->problem_mark.line + 1, p->problem_mark.column + 1,
                       "YAML syntax error: %s (%s started at line %zu, column %zu)", problem,
                       p->context, p->context_mark.line + 1, p->context_mark.column + 1);
    return fail_at(b, p->problem_mark.line + 1, p->problem_mark.column + 1,
                   "YAML syntax error: %s", problem);
}

int conf_yaml_parse(const char *file, const char *text, size_t len, ynode **root,
                    char *err, size_t errlen)
{
    ybuild b = {.file = file, .text = text, .len = len, .err = err, .errlen = errlen};
    yaml_parser_t parser;
    int rc = -1;
    *root = NULL;
    if (!yaml_parser_initialize(&parser)) {
        snprintf(err, errlen, "%s: cannot initialise the YAML parser", file);
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            syntax_error(&b, &parser);
            goto fail;
        }
        int step = on_event(&b, &ev);
        yaml_event_delete(&ev);
        if (step < 0)
            goto fail;
        if (step > 0)
            break;
    }
    *root = b.root;
    b.root = NULL;
    rc = 0;
fail:
    conf_yaml_free(b.root);
    yaml_parser_delete(&parser);
    return rc;
}
