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
#include "strmap.h"
#include "text.h"

/* ---- tokens ---- */

enum { SEG_MAIN, SEG_PAREN, SEG_DASH, SEG_COMMA };

typedef struct tok {
    size_t off, len;                /* bytes in toklist.arena */
    uint64_t hash;                  /* hash_bytes() of them */
    uint32_t seg;                   /* segment number (parentheses, " - ", "," start one) */
    uint8_t kind;                   /* SEG_* of the segment */
    uint8_t flags;                  /* WF_* */
    uint8_t legal;                  /* the most tokens of a legal form ending with it (0: none;
                                     * WF_LEGAL_LEN_MAX: that many or more) */
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

/* norm_word_val of s, whose hash_bytes() is hash. */
static uint32_t word_val_h(const norm_rules *r, const char *s, size_t len, uint64_t hash)
{
    uint32_t v = 0;
    if (r && norm_word_maybe(r, hash) && strmap_getn_h(r->words, s, len, hash, &v))
        return v;
    return 0;
}

uint32_t norm_word_val(const norm_rules *r, const char *s, size_t len)
{
    return r ? word_val_h(r, s, len, hash_bytes(s, len)) : 0;
}

/* Adds the token arena[off, off+len), hashed to hash, whose word_val is v. */
static void tl_add(toklist *tl, uint32_t v, size_t off, size_t len, uint64_t hash, uint32_t seg,
                   uint8_t kind)
{
    if (tl->n == tl->cap) {
        tl->cap = tl->cap ? tl->cap * 2 : 16;
        tl->v = xrealloc(tl->v, tl->cap * sizeof(*tl->v));
    }
    uint8_t flags = (uint8_t)(v & (WF_STOP | WF_QUAL | WF_LEGAL_END));
    uint8_t legal = (uint8_t)(v >> WF_LEGAL_LEN_SHIFT & WF_LEGAL_LEN_MAX);
    tl->v[tl->n++] = (tok){.off = off, .len = len, .hash = hash, .seg = seg, .kind = kind,
                           .flags = flags, .legal = legal};
}

/* Adds the token arena[off, off+len), whose hash_bytes() is hash, replaced by its expansion when
 * it is an abbreviation. */
static void tl_push_h(toklist *tl, const norm_rules *r, size_t off, size_t len, uint64_t hash,
                      uint32_t seg, uint8_t kind)
{
    uint32_t v = word_val_h(r, tl->arena.buf + off, len, hash);
    if (!(v >> WF_ABBREV_SHIFT)) {
        tl_add(tl, v, off, len, hash, seg, kind);
        return;
    }
    const char *e = r->expansions.v[(v >> WF_ABBREV_SHIFT) - 1];
    tl->arena.len = off;            /* drop the abbreviation's bytes */
    while (*e) {
        size_t n = strcspn(e, " ");
        size_t at = tl->arena.len;
        sb_appendn(&tl->arena, e, n);
        uint64_t h = hash_bytes(tl->arena.buf + at, n);
        tl_add(tl, word_val_h(r, tl->arena.buf + at, n, h), at, n, h, seg, kind);
        e += n + (e[n] == ' ');
    }
}

static void tl_push(toklist *tl, const norm_rules *r, size_t off, size_t len, uint32_t seg,
                    uint8_t kind)
{
    tl_push_h(tl, r, off, len, hash_bytes(tl->arena.buf + off, len), seg, kind);
}

/* The "&" of a name: the token "and". */
static void tl_push_and(toklist *tl, const norm_rules *r, uint32_t seg, uint8_t kind)
{
    sb_append(&tl->arena, "and");
    tl_push(tl, r, tl->arena.len - 3, 3, seg, kind);
}

/* What a separator that is not deleted does to the segment: "," opens one, brackets one of
 * theirs and closing ones one of the main text, a dash with a space on either side one. */
static void segment_mark(int32_t cp, int32_t prev, int32_t next, uint32_t *seg, uint8_t *kind)
{
    if (cp == ',') {
        ++*seg, *kind = SEG_COMMA;
    } else if (cp == '(' || cp == '[' || cp == '{') {
        ++*seg, *kind = SEG_PAREN;
    } else if (cp == ')' || cp == ']' || cp == '}') {
        ++*seg, *kind = SEG_MAIN;
    } else if (cp_is_dash(cp) && (cp_is_space(prev) || cp_is_space(next))) {
        ++*seg, *kind = SEG_DASH;
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
            if (cp == '&')
                tl_push_and(tl, r, seg, kind);
            else
                segment_mark(cp, prev, next, &seg, &kind);
        }
        prev = cp;
        i += k;
    }
    if (start != SIZE_MAX)
        tl_push(tl, r, start, tl->arena.len - start, seg, kind);
}

/* norm_camel_split_ascii's test at u[i], an upper-case letter after a letter or digit: whether
 * the split puts a space before it (n1, n2: the bytes after it, 0 past the end). */
static bool camel_split_at(const unsigned char *u, size_t i)
{
    unsigned char n1 = u[i + 1], n2 = n1 ? u[i + 2] : 0;
    if (ascii_is_lower(u[i - 1]))
        return ascii_is_alpha(n1);
    return ascii_is_upper(u[i - 1]) && ascii_is_lower(n1) && ascii_is_lower(n2);
}

/* tokenize of what norm_camel_split_ascii and lower-casing make of ASCII raw (len bytes, then a
 * NUL), in one pass over raw: a camelCase boundary ends a token as the space the split puts
 * there would (between two letters, so that no dash sees it as its neighbour); each token is
 * hashed as it is copied. false, tl left for the caller to empty, at a byte that is not ASCII. */
static bool tokenize_ascii(const norm_rules *r, const char *raw, size_t len, toklist *tl)
{
    const unsigned char *u = (const unsigned char *)raw;
    uint32_t seg = 0;
    uint8_t kind = SEG_MAIN;
    size_t start = SIZE_MAX;        /* arena offset of the token being built */
    uint64_t h = HASH_START;        /* its bytes so far, hashed */
    unsigned char prev = ' ';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = u[i];
        if (ascii_is_alnum(c)) {
            if (start != SIZE_MAX && ascii_is_upper(c) && camel_split_at(u, i)) {
                tl_push_h(tl, r, start, tl->arena.len - start, hash_end(h), seg, kind);
                start = SIZE_MAX;
            }
            if (start == SIZE_MAX) {
                sb_reserve(&tl->arena, len - i);    /* room for the rest of the token */
                start = tl->arena.len;
                h = HASH_START;
            }
            char low = ascii_to_lower((char)c);
            tl->arena.buf[tl->arena.len++] = low;
            h = hash_add(h, &low, 1);
        } else if (c >= 0x80) {
            return false;
        } else if (!cp_is_deleted(c)) {
            if (start != SIZE_MAX)
                tl_push_h(tl, r, start, tl->arena.len - start, hash_end(h), seg, kind);
            start = SIZE_MAX;
            if (c == '&')
                tl_push_and(tl, r, seg, kind);
            else
                segment_mark(c, prev, u[i + 1] ? u[i + 1] : ' ', &seg, &kind);
        }
        prev = c;
    }
    if (start != SIZE_MAX)
        tl_push_h(tl, r, start, tl->arena.len - start, hash_end(h), seg, kind);
    return true;
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

/* norm_is_junk of ASCII raw (len bytes): its folded form is it lower-cased, and what a
 * camelCase split adds lies between letters, never at the trimmed ends; key: scratch. */
static bool ascii_is_junk(const norm_rules *r, const char *raw, size_t len, strbuf *key)
{
    size_t a = 0, b = len;
    while (a < b && !ascii_is_alnum((unsigned char)raw[a]))
        a++;
    while (b > a && !ascii_is_alnum((unsigned char)raw[b - 1]))
        b--;
    if (a == b)
        return true;
    if (!r || b - a > r->junk_max)
        return false;
    sb_reset(key);
    norm_ascii_lower_into(raw + a, b - a, key);
    return strmap_getn(r->junk, key->buf, key->len, NULL);
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

/* Removes the longest legal form ending at `end` (keeping >= 1 token before it); false if none.
 * Only as many tokens are tried as the longest legal form ending with the last one has. */
static bool strip_one_legal(const norm_rules *r, toklist *tl, size_t end, strbuf *key)
{
    const tok *last = &tl->v[end - 1];
    if (!(last->flags & WF_LEGAL_END))
        return false;
    size_t most = last->legal < WF_LEGAL_LEN_MAX ? last->legal : r->legal_max;
    size_t kmax = most < end - 1 ? most : end - 1;
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

/* emit_tokens into out's bump: one block for the tokens' array, their hashes and lengths
 * (norm_name.tok_hash, tok_len), their text, joined and acronym. */
static void emit_tokens_bump(const toklist *tl, name_out *out)
{
    norm_name *nn = out->nn;
    size_t n = tl->n, text = 0;
    for (size_t i = 0; i < n; i++)
        text += tl->v[i].len;
    size_t arrays = n * (sizeof(char *) + sizeof(uint64_t) + sizeof(uint32_t));
    char *block = bump_alloc(out->b, arrays + (text + n) + (text + 1) * 2);
    char **tokens = (char **)block;
    nn->tok_hash = (uint64_t *)(tokens + n);
    nn->tok_len = (uint32_t *)(nn->tok_hash + n);
    char *str = (char *)(nn->tok_len + n), *joined = str + text + n, *acro = joined + text + 1;
    nn->joined = joined;
    nn->acronym = acro;
    for (size_t i = 0; i < n; i++) {
        const char *s = tl->arena.buf + tl->v[i].off;
        size_t len = tl->v[i].len;
        int32_t cp;
        tokens[i] = memcpy(str, s, len);
        str[len] = '\0';
        str += len + 1;
        nn->tok_hash[i] = tl->v[i].hash;
        nn->tok_len[i] = (uint32_t)len;
        joined = (char *)memcpy(joined, s, len) + len;
        size_t first = cp_next(s, len, 0, false, &cp);
        acro = (char *)memcpy(acro, s, first) + first;
    }
    *joined = *acro = '\0';
    nn->tokens = (strvec){n ? tokens : NULL, n, n};
    if (!n)
        nn->tok_hash = NULL, nn->tok_len = NULL;
}

/* The tokens (an array of exactly their number), joined and acronym; joined, acro: scratch. */
static void emit_tokens(const toklist *tl, name_out *out, strbuf *joined, strbuf *acro)
{
    norm_name *nn = out->nn;
    if (out->b) {
        emit_tokens_bump(tl, out);
        return;
    }
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
    n->tok_hash = NULL;
    n->tok_len = NULL;
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

/* Steps 1-3 and the tokens of a name that is not ASCII (len bytes) into s->tl; false when junk. */
static bool tokens_of_text(const norm_rules *r, const char *raw, size_t len, norm_scratch *s)
{
    bool latin1 = !norm_utf8_valid(raw, len);
    size_t split = norm_camel_split(raw, len, latin1, &s->text);
    norm_fold_into(s->text.buf ? s->text.buf : "", &s->folded);
    /* step 1 on the raw value folded: when camel_split changed nothing, that is `folded` */
    if (split ? norm_is_junk(r, raw) : junk_folded(r, s->folded.buf, s->folded.len))
        return false;
    tokenize(r, s->folded.buf, s->folded.len, &s->tl);
    return true;
}

/* The same for any name: an ASCII one in one pass over its bytes (tokenize_ascii). */
static bool tokens_of(const norm_rules *r, const char *raw, norm_scratch *s)
{
    size_t len = strlen(raw);
    if (tokenize_ascii(r, raw, len, &s->tl))
        return !ascii_is_junk(r, raw, len, &s->key);
    scratch_reset(s);
    return tokens_of_text(r, raw, len, s);
}

/* norm_name_parse in s's buffers (emptied first), its results where out says. */
static void parse_in(const norm_rules *r, const char *raw, name_out *out, norm_scratch *s)
{
    toklist *tl = &s->tl;
    scratch_reset(s);
    if (!tokens_of(r, raw, s)) {
        out->nn->junk = true;
        return;
    }
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
