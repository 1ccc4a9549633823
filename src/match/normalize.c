/* normalize.c - company-name normalisation: tokens, legal forms, qualifiers, names. */
#include "normalize.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "ascii.h"
#include "normalize_fold.h"
#include "normalize_impl.h"
#include "text.h"

/* ---- tokens ---- */

enum { SEG_MAIN, SEG_PAREN, SEG_DASH, SEG_COMMA };

typedef struct tok {
    size_t off, len;                /* bytes in toklist.arena */
    uint32_t seg;                   /* segment number (parentheses, " - ", "," start one) */
    uint8_t kind;                   /* SEG_* of the segment */
    uint8_t flags;                  /* WF_* */
} tok;

/* Tokens of one name. Owns arena and v. */
typedef struct toklist {
    strbuf arena;                   /* token bytes, not separated */
    tok *v;
    size_t n, cap;
} toklist;

static void tl_init(toklist *tl)
{
    sb_init(&tl->arena);
    tl->v = NULL;
    tl->n = tl->cap = 0;
}

static void tl_free(toklist *tl)
{
    sb_free(&tl->arena);
    free(tl->v);
    tl_init(tl);
}

uint32_t norm_word_val(const norm_rules *r, const char *s, size_t len)
{
    uint32_t v = 0;
    if (r && strmap_getn(r->words, s, len, &v))
        return v;
    return 0;
}

/* Adds the token arena[off, off+len) whose word_val is v. */
static void tl_add(toklist *tl, uint32_t v, size_t off, size_t len, uint32_t seg, uint8_t kind)
{
    if (tl->n == tl->cap) {
        tl->cap = tl->cap ? tl->cap * 2 : 16;
        tl->v = xrealloc(tl->v, tl->cap * sizeof(*tl->v));
    }
    uint8_t flags = (uint8_t)(v & (WF_STOP | WF_QUAL | WF_LEGAL_END));
    tl->v[tl->n++] = (tok){ .off = off, .len = len, .seg = seg, .kind = kind, .flags = flags };
}

/* Adds the token arena[off, off+len), replaced by its expansion when it is an abbreviation. */
static void tl_push(toklist *tl, const norm_rules *r, size_t off, size_t len, uint32_t seg,
                    uint8_t kind)
{
    uint32_t v = norm_word_val(r, tl->arena.buf + off, len);
    if (!(v >> WF_ABBREV_SHIFT)) {
        tl_add(tl, v, off, len, seg, kind);
        return;
    }
    const char *e = r->expansions.v[(v >> WF_ABBREV_SHIFT) - 1];
    tl->arena.len = off;            /* drop the abbreviation's bytes */
    while (*e) {
        size_t n = strcspn(e, " ");
        size_t at = tl->arena.len;
        sb_appendn(&tl->arena, e, n);
        tl_add(tl, norm_word_val(r, tl->arena.buf + at, n), at, n, seg, kind);
        e += n + (e[n] == ' ');
    }
}

/* Splits folded text into tokens (step 4/5 of norm_name_parse): "&" is the token "and", dots and
 * apostrophes vanish, any other non-alphanumeric separates; "(", " - " and "," open segments.
 * r may be NULL (no abbreviations, no flags). */
static void tokenize(const norm_rules *r, const char *s, size_t len, toklist *tl)
{
    uint32_t seg = 0;
    uint8_t kind = SEG_MAIN;
    size_t start = SIZE_MAX;        /* arena offset of the token being built */
    int32_t prev = ' ';
    for (size_t i = 0; i < len;) {
        int32_t cp;
        size_t k = cp_next(s, len, i, false, &cp);
        if (cp < 0x80 ? ascii_is_alnum((unsigned char)cp) : cp_is_alnum(cp)) {
            /* with the ASCII letters and digits right after it */
            if (start == SIZE_MAX)
                start = tl->arena.len;
            size_t end = i + k;
            while (end < len && ascii_is_alnum((unsigned char)s[end]))
                end++;
            sb_appendn(&tl->arena, s + i, end - i);
            prev = (unsigned char)s[end - 1] < 0x80 ? (unsigned char)s[end - 1] : cp;
            i = end;
            continue;
        } else if (!cp_is_deleted(cp)) {
            if (start != SIZE_MAX)
                tl_push(tl, r, start, tl->arena.len - start, seg, kind);
            start = SIZE_MAX;
            int32_t next = ' ';
            if (i + k < len)
                cp_next(s, len, i + k, false, &next);
            if (cp == '&') {
                sb_append(&tl->arena, "and");
                tl_push(tl, r, tl->arena.len - 3, 3, seg, kind);
            } else if (cp == ',') {
                seg++, kind = SEG_COMMA;
            } else if (cp == '(' || cp == '[' || cp == '{') {
                seg++, kind = SEG_PAREN;
            } else if (cp == ')' || cp == ']' || cp == '}') {
                seg++, kind = SEG_MAIN;
            } else if (cp_is_dash(cp) && (cp_is_space(prev) || cp_is_space(next))) {
                seg++, kind = SEG_DASH;
            }
        }
        prev = cp;
        i += k;
    }
    if (start != SIZE_MAX)
        tl_push(tl, r, start, tl->arena.len - start, seg, kind);
}

/* Appends the tokens [from, to) joined by sep (0: no separator) to out. */
static void tl_join(const toklist *tl, size_t from, size_t to, char sep, strbuf *out)
{
    for (size_t i = from; i < to; i++) {
        if (sep && i > from)
            sb_putc(out, sep);
        sb_appendn(out, tl->arena.buf + tl->v[i].off, tl->v[i].len);
    }
}

static void tl_remove(toklist *tl, size_t from, size_t to)
{
    memmove(tl->v + from, tl->v + to, (tl->n - to) * sizeof(*tl->v));
    tl->n -= to - from;
}

size_t norm_fold_words_two(const norm_rules *r, const char *s, bool camel, strbuf *out,
                           strbuf *expanded)
{
    size_t len = strlen(s), splits = 0;
    bool latin1 = !norm_utf8_valid(s, len);
    strbuf text, folded;
    toklist tl;
    sb_init(&text);
    sb_init(&folded);
    tl_init(&tl);
    if (camel)
        splits = norm_camel_split(s, len, latin1, &text);
    else
        norm_put_text(&text, s, len, latin1);
    if (camel && !splits)
        goto out;
    norm_fold_into(text.buf ? text.buf : "", &folded);
    if (out) {
        tokenize(NULL, folded.buf ? folded.buf : "", folded.len, &tl);
        tl_join(&tl, 0, tl.n, ' ', out);
    }
    if (expanded) {
        sb_reset(&tl.arena);
        tl.n = 0;
        tokenize(r, folded.buf ? folded.buf : "", folded.len, &tl);
        tl_join(&tl, 0, tl.n, ' ', expanded);
    }
out:
    sb_free(&text);
    sb_free(&folded);
    tl_free(&tl);
    return splits;
}

void norm_fold_words(const norm_rules *r, const char *s, bool camel, strbuf *out)
{
    if (norm_fold_words_two(r, s, camel, r ? NULL : out, r ? out : NULL) == 0 && camel)
        (void)norm_fold_words_two(r, s, false, r ? NULL : out, r ? out : NULL);
}

/* Span of folded s left after trimming non-alphanumeric code points at both ends. */
void norm_trim_span(const char *s, size_t len, size_t *from, size_t *to)
{
    size_t a = 0, b = len;
    while (a < b) {
        int32_t cp;
        size_t k = cp_next(s, len, a, false, &cp);
        if (cp_is_alnum(cp))
            break;
        a += k;
    }
    while (b > a) {
        size_t c = b - 1;
        while (c > a && ((unsigned char)s[c] & 0xC0) == 0x80)
            c--;
        int32_t cp;
        cp_next(s, len, c, false, &cp);
        if (cp_is_alnum(cp))
            break;
        b = c;
    }
    *from = a;
    *to = b;
}

/* ---- names ---- */

static bool junk_folded(const norm_rules *r, const char *f, size_t len)
{
    size_t a, b;
    norm_trim_span(f, len, &a, &b);
    if (b == a)
        return true;
    return r && b - a <= r->junk_max && strmap_getn(r->junk, f + a, b - a, NULL);
}

bool norm_is_junk(const norm_rules *r, const char *raw)
{
    if (!raw)
        return true;
    char *f = norm_fold(raw);
    bool junk = junk_folded(r, f, strlen(f));
    free(f);
    return junk;
}

/* norm_is_junk of raw; when raw is ASCII (its length ascii_len, else SIZE_MAX) its folded form is
 * it lower-cased, into scratch. */
static bool raw_is_junk(const norm_rules *r, const char *raw, size_t ascii_len, strbuf *scratch)
{
    if (ascii_len == SIZE_MAX)
        return norm_is_junk(r, raw);
    sb_reset(scratch);
    norm_ascii_lower_into(raw, ascii_len, scratch);
    return junk_folded(r, scratch->buf, scratch->len);
}

bool norm_is_stopword(const norm_rules *r, const char *folded_token)
{
    return folded_token && (norm_word_val(r, folded_token, strlen(folded_token)) & WF_STOP);
}

/* Where a parse puts the strings and arrays it returns: malloc'd blocks (b NULL: norm_name_free
 * frees them), or blocks of b. qcap: room for qualifiers in b (the name's token count). */
typedef struct name_out {
    norm_name *nn;
    bump *b;
    size_t qcap;
} name_out;

static void *out_alloc(const name_out *o, size_t n)
{
    return o->b ? bump_alloc(o->b, n) : xmalloc(n);
}

static char *out_strndup(const name_out *o, const char *s, size_t n)
{
    char *p = out_alloc(o, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void push_qualifier(const toklist *tl, size_t i, name_out *o)
{
    strvec *q = &o->nn->qualifiers;
    char *s = out_strndup(o, tl->arena.buf + tl->v[i].off, tl->v[i].len);
    if (!o->b) {
        sv_push_owned(q, s);
        return;
    }
    if (!q->v) {
        q->v = bump_alloc(o->b, o->qcap * sizeof(*q->v));
        q->cap = o->qcap;
    }
    q->v[q->n++] = s;
}

/* Step 4: segments in parentheses, after " - " or "," made only of qualifiers move out, unless
 * nothing would be left. */
static void move_segment_qualifiers(toklist *tl, name_out *out)
{
    size_t kept = 0;
    for (size_t i = 0; i < tl->n;) {
        size_t j = i;
        bool all = true;
        for (; j < tl->n && tl->v[j].seg == tl->v[i].seg; j++)
            all = all && (tl->v[j].flags & WF_QUAL);
        bool eligible = all && tl->v[i].kind != SEG_MAIN && tl->v[i].seg != tl->v[0].seg;
        for (size_t k = i; k < j; k++)
            tl->v[k].flags |= eligible ? WF_MOVE : 0;
        kept += eligible ? 0 : j - i;
        i = j;
    }
    size_t n = 0;
    for (size_t i = 0; i < tl->n; i++) {
        if (kept && (tl->v[i].flags & WF_MOVE))
            push_qualifier(tl, i, out);
        else
            tl->v[n++] = tl->v[i];
    }
    tl->n = n;
}

/* Removes the longest legal form ending at `end` (keeping >= 1 token before it); false if none. */
static bool strip_one_legal(const norm_rules *r, toklist *tl, size_t end, strbuf *key)
{
    if (!(tl->v[end - 1].flags & WF_LEGAL_END))
        return false;
    size_t kmax = r->legal_max < end - 1 ? r->legal_max : end - 1;
    size_t starts[LEGAL_MAX_TOKENS];        /* key offset where token end-kmax+i starts */
    sb_reset(key);
    for (size_t i = 0; i < kmax; i++) {
        if (i)
            sb_putc(key, ' ');
        starts[i] = key->len;
        const tok *t = &tl->v[end - kmax + i];
        sb_appendn(key, tl->arena.buf + t->off, t->len);
    }
    for (size_t k = kmax; k >= 1; k--) {
        size_t at = starts[kmax - k];
        if (strmap_getn(r->legal, key->buf + at, key->len - at, NULL)) {
            tl_remove(tl, end - k, end);
            return true;
        }
    }
    return false;
}

/* Step 6: legal forms at the end of the name, skipping trailing qualifiers (key: scratch). */
static void strip_legal_forms(const norm_rules *r, toklist *tl, strbuf *key)
{
    for (;;) {
        size_t end = tl->n;
        while (end > 0 && (tl->v[end - 1].flags & WF_QUAL))
            end--;
        if (end <= 1 || !strip_one_legal(r, tl, end, key))
            break;
    }
}

/* Step 7: a trailing run of qualifiers moves out, the first token always stays. A run that follows
 * a stop word is part of the name ("Bank of America", "Universidad de las Americas"). */
static void move_trailing_qualifiers(toklist *tl, name_out *out)
{
    size_t s = tl->n;
    while (s > 1 && (tl->v[s - 1].flags & WF_QUAL))
        s--;
    if (s < tl->n && (tl->v[s - 1].flags & WF_STOP))
        return;
    for (size_t i = s; i < tl->n; i++)
        push_qualifier(tl, i, out);
    tl->n = s;
}

/* Step 8: stop words go; when all tokens are stop words the last one stays. */
static void drop_stopwords(toklist *tl)
{
    size_t n = 0;
    for (size_t i = 0; i < tl->n; i++)
        if (!(tl->v[i].flags & WF_STOP))
            tl->v[n++] = tl->v[i];
    if (n == 0 && tl->n > 0)
        tl->v[n++] = tl->v[tl->n - 1];
    tl->n = n;
}

/* Every remaining token, stop words included, without spaces ("businessonbot"); buf: scratch. */
static void emit_joined_all(const toklist *tl, name_out *out, strbuf *buf)
{
    sb_reset(buf);
    for (size_t i = 0; i < tl->n; i++)
        sb_appendn(buf, tl->arena.buf + tl->v[i].off, tl->v[i].len);
    out->nn->joined_all = out_strndup(out, buf->buf ? buf->buf : "", buf->len);
}

/* The tokens (an array of exactly their number), joined and acronym; joined, acro: scratch. */
static void emit_tokens(const toklist *tl, name_out *out, strbuf *joined, strbuf *acro)
{
    norm_name *nn = out->nn;
    sb_reset(joined);
    sb_reset(acro);
    if (tl->n) {
        nn->tokens.v = out_alloc(out, tl->n * sizeof(*nn->tokens.v));
        nn->tokens.cap = tl->n;
    }
    for (size_t i = 0; i < tl->n; i++) {
        const char *s = tl->arena.buf + tl->v[i].off;
        int32_t cp;
        nn->tokens.v[nn->tokens.n++] = out_strndup(out, s, tl->v[i].len);
        sb_appendn(joined, s, tl->v[i].len);
        sb_appendn(acro, s, cp_next(s, tl->v[i].len, 0, false, &cp));
    }
    nn->joined = out_strndup(out, joined->buf ? joined->buf : "", joined->len);
    nn->acronym = out_strndup(out, acro->buf ? acro->buf : "", acro->len);
}

/* The strings start NULL: a parsed name gets them from emit_*, a junk one from name_fill_empty
 * (three allocations fewer per name than copies of "" replaced right away). */
static void name_init(norm_name *n)
{
    sv_init(&n->tokens);
    sv_init(&n->qualifiers);
    n->joined = NULL;
    n->joined_all = NULL;
    n->acronym = NULL;
    n->junk = false;
}

/* Strings not set by the parse are "" (norm_name's contract: never NULL after a parse). */
static void name_fill_empty(const name_out *o)
{
    norm_name *n = o->nn;
    char **s[] = {&n->joined, &n->joined_all, &n->acronym};
    for (size_t i = 0; i < ARRAY_LEN(s); i++)
        if (!*s[i])
            *s[i] = out_strndup(o, "", 0);
}

/* The buffers a parse works in: the camel-split text, its folded form, legal-form keys (then
 * the joined names), the acronym and the token list. All owned. */
struct norm_scratch {
    strbuf text, folded, key, acro;
    toklist tl;
};

static void scratch_init(norm_scratch *s)
{
    sb_init(&s->text);
    sb_init(&s->folded);
    sb_init(&s->key);
    sb_init(&s->acro);
    tl_init(&s->tl);
}

static void scratch_release(norm_scratch *s)
{
    sb_free(&s->text);
    sb_free(&s->folded);
    sb_free(&s->key);
    sb_free(&s->acro);
    tl_free(&s->tl);
}

norm_scratch *norm_scratch_new(void)
{
    norm_scratch *s = xmalloc(sizeof(*s));
    scratch_init(s);
    return s;
}

void norm_scratch_free(norm_scratch *s)
{
    if (!s)
        return;
    scratch_release(s);
    free(s);
}

/* Empties the buffers, keeping their memory. */
static void scratch_reset(norm_scratch *s)
{
    sb_reset(&s->text);
    sb_reset(&s->folded);
    sb_reset(&s->key);
    sb_reset(&s->tl.arena);
    s->tl.n = 0;
}

/* norm_name_parse in s's buffers (emptied first), its results where out says. */
static void parse_in(const norm_rules *r, const char *raw, name_out *out, norm_scratch *s)
{
    size_t len;
    bool ascii = norm_is_ascii(raw, &len);   /* then valid UTF-8, split and folded on its bytes */
    if (!ascii)
        len += strlen(raw + len);
    bool latin1 = !ascii && !norm_utf8_valid(raw, len);
    toklist *tl = &s->tl;
    scratch_reset(s);
    size_t split;
    if (ascii) {                        /* split into folded, lower-cased there */
        split = norm_camel_split_ascii(raw, len, &s->folded);
        (void)text_lower_ascii(s->folded.buf, s->folded.len, s->folded.buf);
    } else {
        split = norm_camel_split(raw, len, latin1, &s->text);
        norm_fold_into(s->text.buf ? s->text.buf : "", &s->folded);
    }
    /* step 1 on the raw value folded: when camel_split changed nothing, that is `folded` */
    if (split ? raw_is_junk(r, raw, ascii ? len : SIZE_MAX, &s->text)
              : junk_folded(r, s->folded.buf, s->folded.len)) {
        out->nn->junk = true;
        return;
    }
    tokenize(r, s->folded.buf, s->folded.len, tl);
    out->qcap = tl->n;
    move_segment_qualifiers(tl, out);
    if (r)
        strip_legal_forms(r, tl, &s->key);
    move_trailing_qualifiers(tl, out);
    emit_joined_all(tl, out, &s->key);
    drop_stopwords(tl);
    emit_tokens(tl, out, &s->key, &s->acro);
    out->nn->junk = tl->n == 0;
}

/* norm_name_parse_in with its results in b (NULL: malloc'd). */
static void parse_to(const norm_rules *r, const char *raw, norm_name *nn, norm_scratch *scratch,
                     bump *b)
{
    name_out out = {.nn = nn, .b = b};
    name_init(nn);
    if (!raw) {
        nn->junk = true;
    } else if (scratch) {
        parse_in(r, raw, &out, scratch);
    } else {
        norm_scratch local;
        scratch_init(&local);
        parse_in(r, raw, &out, &local);
        scratch_release(&local);
    }
    name_fill_empty(&out);
}

int norm_name_parse_in(const norm_rules *r, const char *raw, norm_name *out,
                       norm_scratch *scratch)
{
    parse_to(r, raw, out, scratch, NULL);
    return 0;
}

void norm_name_parse_bump(const norm_rules *r, const char *raw, norm_name *out,
                          norm_scratch *scratch, bump *b)
{
    parse_to(r, raw, out, scratch, b);
}

int norm_name_parse(const norm_rules *r, const char *raw, norm_name *out)
{
    return norm_name_parse_in(r, raw, out, NULL);
}

void norm_name_free(norm_name *n)
{
    if (!n)
        return;
    sv_free(&n->tokens);
    sv_free(&n->qualifiers);
    free(n->joined);
    free(n->joined_all);
    free(n->acronym);
    n->joined = NULL;
    n->acronym = NULL;
    n->junk = false;
}
