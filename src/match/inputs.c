/* inputs.c - leads from JSON objects (a plain line read in one pass, anything else by jansson) and
 * from stream entries, within the daemon's entry limits. */
#include "inputs.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "inputs_impl.h"
#include "json_scan.h"
#include "text.h"

/* lead_fields in order (their bits in lead.owned). */
enum lead_field_no {
    F_ID, F_EMAIL, F_COMPANY, F_WEBSITE, F_FIRST_NAME, F_LAST_NAME, F_TITLE, F_COUNTRY, F_PHONE,
    F_SOURCE, F_SCORE, F_COUNT
};

#define LEAD_FIELD(no, f) [no] = {#f, sizeof(#f) - 1, offsetof(lead, f)}
static const struct field_def lead_fields[F_COUNT] = {
    LEAD_FIELD(F_ID, id),         LEAD_FIELD(F_EMAIL, email),   LEAD_FIELD(F_COMPANY, company),
    LEAD_FIELD(F_WEBSITE, website), LEAD_FIELD(F_FIRST_NAME, first_name),
    LEAD_FIELD(F_LAST_NAME, last_name), LEAD_FIELD(F_TITLE, title), LEAD_FIELD(F_COUNTRY, country),
    LEAD_FIELD(F_PHONE, phone),   LEAD_FIELD(F_SOURCE, source), LEAD_FIELD(F_SCORE, score),
};

/* The field no if the n bytes at key are its name, else NULL. */
static inline const struct field_def *field_if(const char *key, size_t n, enum lead_field_no no)
{
    const struct field_def *def = &lead_fields[no];
    return n == def->len && memcmp(key, def->name, n) == 0 ? def : NULL;
}

/* The field named by the n bytes at key: its length and first byte leave one name to compare
 * (two for "company" and "country"). test_inputs reads every field by its name. */
static const struct field_def *lead_field_n(const char *key, size_t n)
{
    switch (n) {
    case 2: return field_if(key, 2, F_ID);
    case 5:
        switch (key[0]) {
        case 'e': return field_if(key, 5, F_EMAIL);
        case 't': return field_if(key, 5, F_TITLE);
        case 'p': return field_if(key, 5, F_PHONE);
        case 's': return field_if(key, 5, F_SCORE);
        default: return NULL;
        }
    case 6: return field_if(key, 6, F_SOURCE);
    case 7:
        if (key[0] == 'w')
            return field_if(key, 7, F_WEBSITE);
        return key[2] == 'm' ? field_if(key, 7, F_COMPANY) : field_if(key, 7, F_COUNTRY);
    case 9: return field_if(key, 9, F_LAST_NAME);
    case 10: return field_if(key, 10, F_FIRST_NAME);
    default: return NULL;
    }
}

static const struct field_def *lead_field(const char *key)
{
    return lead_field_n(key, strlen(key));
}

_Static_assert(ARRAY_LEN(lead_fields) <= 16, "a bit of lead.owned per field");

void lead_init(lead *l)
{
    memset(l, 0, sizeof(*l));
}

void lead_free(lead *l)
{
    for (unsigned own = l->owned; own; own &= own - 1)
        free(*field_member(l, &lead_fields[__builtin_ctz(own)]));
    free(l->block);
    lead_init(l);
}

/* Puts text (owned, or NULL) in a field of l, freeing what the field held if it owned it (not
 * in l's block). */
static void lead_put(lead *l, const struct field_def *def, char *text)
{
    unsigned bit = 1u << (def - lead_fields);
    char **slot = field_member(l, def);
    if (l->owned & bit)
        free(*slot);
    *slot = text;
    l->owned = (uint16_t)(text ? l->owned | bit : l->owned & ~bit);
}

bool lead_field_known(const char *key)
{
    return lead_field(key) != NULL;
}

bool lead_set(lead *l, const char *key, const char *value)
{
    const struct field_def *def = lead_field(key);
    if (!def)
        return false;
    lead_put(l, def, value ? xstrdup(value) : NULL);
    return true;
}

/* Shortest of %.15g / %.17g that reads back as d. Caller frees. */
static char *real_text(double d)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%.15g", d);
    if (strtod(buf, NULL) != d)
        snprintf(buf, sizeof(buf), "%.17g", d);
    return xstrdup(buf);
}

/* Text of a string, number or null (NULL) into *out (caller frees); false for other types. */
static bool scalar_text(const json_t *v, char **out)
{
    char buf[32];
    *out = NULL;
    switch (json_typeof(v)) {
    case JSON_STRING:
        *out = xstrndup(json_string_value(v), json_string_length(v));
        return true;
    case JSON_INTEGER:
        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        *out = xstrdup(buf);
        return true;
    case JSON_REAL:
        *out = real_text(json_real_value(v));
        return true;
    case JSON_NULL:
        return true;
    default:
        return false;
    }
}

/* Sets one known field from a JSON value; 0, or -1 with err set. */
static int set_from_json(lead *l, const struct field_def *def, const json_t *v, char *err,
                         size_t errlen)
{
    char *text;
    if (!scalar_text(v, &text)) {
        err_set(err, errlen, "field '%s' is not a string", def->name);
        return -1;
    }
    lead_put(l, def, text);
    return 0;
}

/* jansson's words for what a lead's producer can get wrong, and ours. */
static const struct {
    const char *jansson; /* prefix of json_error_t.text */
    const char *ours;
    bool arg;            /* followed by jansson's next word (a byte: "0xe9") */
} json_words[] = {
    {"\\u0000 is not allowed without JSON_ALLOW_NUL", "a string holds a NUL character (\\u0000)",
     false},
    {"unable to decode byte ", "not valid UTF-8 (the file must be UTF-8): byte", true},
    {"unexpected newline", "a string is not closed before the end of the line", false},
    {"premature end of input", "the text ends inside the JSON", false},
    {"control character ", "a string holds an unescaped control character", true},
};

/* The reason of a parse error in l2a's words (jansson's own for the plain syntax errors). */
static void json_reason(const char *text, char *out, size_t len)
{
    for (size_t i = 0; i < ARRAY_LEN(json_words); i++) {
        size_t n = strlen(json_words[i].jansson);
        if (strncmp(text, json_words[i].jansson, n) != 0)
            continue;
        int w = json_words[i].arg ? (int)strcspn(text + n, " ") : 0;
        snprintf(out, len, "%s%s%.*s", json_words[i].ours, w ? " " : "", w < 8 ? w : 8, text + n);
        return;
    }
    snprintf(out, len, "%s", text);
}

static void json_syntax_err(const json_error_t *je, char *err, size_t errlen)
{
    char why[JSON_ERROR_TEXT_LENGTH + 64];
    json_reason(je->text, why, sizeof(why));
    if (je->line > 1)
        err_set(err, errlen, "invalid JSON at line %d, column %d: %s", je->line, je->column, why);
    else if (je->column > 0)
        err_set(err, errlen, "invalid JSON at column %d: %s", je->column, why);
    else
        err_set(err, errlen, "invalid JSON: %s", why);
}

/* Reads the id first, so that it is set even if another field is bad. */
static int read_id(lead *l, const json_t *root, char *err, size_t errlen)
{
    const json_t *v = json_object_get(root, "id");
    if (!v || json_is_null(v)) {
        err_set(err, errlen, "missing id");
        return -1;
    }
    if (set_from_json(l, lead_field("id"), v, err, errlen) < 0)
        return -1;
    if (l->id[0] == '\0') {
        err_set(err, errlen, "empty id");
        return -1;
    }
    return 0;
}

/* ---- the plain lines without jansson: a flat object of ASCII strings without escapes, integers
 * and nulls (what a lead's producer writes nearly always) is read in one pass; anything else (an
 * escape, a non-ASCII byte, a fraction, a nested value, an error of any kind) is left to jansson,
 * which decides it as before. Building jansson's tree was a fifth of a lead's instructions. The
 * readers below take the place to read from and return the place after what they read, or NULL
 * when the text is not plain there. ---- */

/* The line: [start, end). */
typedef struct plain_line {
    const char *start, *end;
} plain_line;

static inline const char *plain_space(const char *p, const char *end)
{
    while (p < end && (unsigned char)*p <= ' ' &&
           (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* p past white space and the byte c, or NULL. */
static inline const char *plain_char(const char *p, const char *end, char c)
{
    p = plain_space(p, end);
    return p < end && *p == c ? p + 1 : NULL;
}

/* p past the separator c: past c and the one space after it when the line has them at p (the
 * usual ": " and ", ": no white-space loop), else as plain_char. */
static inline const char *plain_sep(const char *p, const char *end, char c)
{
    if (end - p >= 2 && p[0] == c && p[1] == ' ')
        return p + 2;
    return plain_char(p, end, c);
}

/* The first byte from p on that ends a plain string's text ('"', '\\', a control byte or a byte
 * of 128 and over), or the line's end. */
static inline const char *plain_text_end(const char *p, const plain_line *ln)
{
    return p + json_plain_scan(p, (size_t)(ln->end - p), true, NULL);
}

/* A string of printable ASCII without escapes, p at its opening quote: its text in
 * [*s, *s + *n). */
static inline const char *plain_string(const char *p, const plain_line *ln, const char **s,
                                       size_t *n)
{
    const char *close = plain_text_end(p + 1, ln);
    if (close == ln->end || *close != '"')
        return NULL;
    *s = p + 1;
    *n = (size_t)(close - *s);
    return close + 1;
}

/* An integer as jansson prints it back ("%lld": no sign on 0, no leading zeros, no overflow). */
static const char *plain_integer(const char *p, const char *end, const char **s, size_t *n)
{
    const char *d = p;
    if (d < end && *d == '-')
        d++;
    const char *digits = d;
    while (d < end && *d >= '0' && *d <= '9')
        d++;
    size_t nd = (size_t)(d - digits);
    if (nd == 0 || nd > 18 || (*digits == '0' && (nd > 1 || digits != p)))
        return NULL;
    if (d < end && (*d == '.' || *d == 'e' || *d == 'E'))
        return NULL;
    *s = p;
    *n = (size_t)(d - p);
    return d;
}

/* One value: *s NULL for null. */
static const char *plain_value(const char *p, const plain_line *ln, const char **s, size_t *n)
{
    p = plain_space(p, ln->end);
    if (p == ln->end)
        return NULL;
    if (*p == '"')
        return plain_string(p, ln, s, n);
    if (ln->end - p >= 4 && memcmp(p, "null", 4) == 0) {
        *s = NULL;
        *n = 0;
        return p + 4;
    }
    return plain_integer(p, ln->end, s, n);
}

/* The known fields' values of a plain line, in the line (NULL for null); v[i] and n[i] are set
 * when seen has bit i. */
typedef struct plain_fields {
    const char *v[ARRAY_LEN(lead_fields)];
    size_t n[ARRAY_LEN(lead_fields)];
    uint16_t seen;
} plain_fields;

/* One "key": value into f (known keys; the last of a repeated key wins, as in jansson). */
static const char *plain_member(const char *p, const plain_line *ln, plain_fields *f)
{
    const char *k, *v;
    size_t kn, vn;
    p = plain_space(p, ln->end);
    if (p == ln->end || *p != '"' || !(p = plain_string(p, ln, &k, &kn)) ||
        !(p = plain_sep(p, ln->end, ':')) || !(p = plain_value(p, ln, &v, &vn)))
        return NULL;
    const struct field_def *def = lead_field_n(k, kn);
    if (def) {
        size_t i = (size_t)(def - lead_fields);
        f->v[i] = v;
        f->n[i] = vn;
        f->seen = (uint16_t)(f->seen | 1u << i);
    }
    return p;
}

/* The values of f, in the line [text, text + len), into l (emptied): the line copied once as l's
 * block and each value ended there in place (the byte after a value is its closing quote or what
 * ends the number or null: the line is read already). */
static void lead_take_plain(lead *l, const plain_fields *f, const char *text, size_t len)
{
    l->block = xmalloc(len + 1);
    memcpy(l->block, text, len);
    l->block[len] = '\0';
    for (unsigned seen = f->seen; seen; seen &= seen - 1) {
        unsigned i = (unsigned)__builtin_ctz(seen);
        if (!f->v[i])
            continue;
        char *value = l->block + (f->v[i] - text);
        value[f->n[i]] = '\0';
        *field_member(l, &lead_fields[i]) = value;
    }
}

/* The members of a plain object, p past its '{': p past its '}', or NULL. */
static const char *plain_members(const char *p, const plain_line *ln, plain_fields *f)
{
    const char *closed = plain_char(p, ln->end, '}');
    if (closed)
        return closed;
    for (;;) {
        if (!(p = plain_member(p, ln, f)))
            return NULL;
        if (ln->end - p >= 2 && p[0] == ',' && p[1] == ' ') {   /* the usual ", " */
            p += 2;
            continue;
        }
        p = plain_space(p, ln->end);
        if (p == ln->end)
            return NULL;
        if (*p++ != ',')
            return p[-1] == '}' ? p : NULL;
    }
}

/* A plain line without an id, or with a null or empty one, is refused as read_id refuses it on
 * jansson's path (an empty id is kept in l, as there). */
static int plain_id_refused(const plain_fields *f, lead *l, char *err, size_t errlen)
{
    if (!(f->seen & (1u << F_ID)) || !f->v[F_ID]) {
        err_set(err, errlen, "missing id");
        return -1;
    }
    lead_put(l, &lead_fields[F_ID], xstrdup(""));
    err_set(err, errlen, "empty id");
    return -1;
}

/* Reads a plain line into l (empty): 0 (l filled), -1 (a line read whose id is refused: err
 * set), or 1 when the line is not plain (l unchanged). */
static int lead_from_plain_json(const char *text, size_t len, lead *l, char *err, size_t errlen)
{
    plain_line ln = {text, text + len};
    plain_fields f;
    f.seen = 0;
    const char *p = plain_char(text, ln.end, '{');
    if (!p || !(p = plain_members(p, &ln, &f)) || plain_space(p, ln.end) != ln.end)
        return 1;
    if (!(f.seen & (1u << F_ID)) || !f.v[F_ID] || f.n[F_ID] == 0)
        return plain_id_refused(&f, l, err, errlen);
    lead_take_plain(l, &f, text, len);
    return 0;
}

int lead_from_json(const char *text, size_t len, lead *l, char *err, size_t errlen)
{
    int rc = -1;
    json_error_t je;
    const char *key;
    json_t *v;
    lead_free(l);
    int plain = text ? lead_from_plain_json(text, len, l, err, errlen) : 1;
    if (plain <= 0)
        return plain;
    json_t *root = json_loadb(text ? text : "", text ? len : 0, JSON_DECODE_ANY, &je);
    if (!root) {
        json_syntax_err(&je, err, errlen);
        goto out;
    }
    if (!json_is_object(root)) {
        err_set(err, errlen, "not an object");
        goto out;
    }
    if (read_id(l, root, err, errlen) < 0)
        goto out;
    json_object_foreach(root, key, v) {
        const struct field_def *def = lead_field(key);
        if (!def || def->off == offsetof(lead, id))
            continue;
        if (set_from_json(l, def, v, err, errlen) < 0)
            goto out;
    }
    rc = 0;
out:
    json_decref(root);
    return rc;
}

/* Checks an entry's size against lim; *json is its `json` field's value or NULL. */
static int entry_fits(const strvec *f, const entry_limits *lim, const char **json, char *err,
                      size_t errlen)
{
    size_t total = 0;
    *json = NULL;
    if (f->n / 2 > (size_t)lim->max_fields) {
        err_set(err, errlen, "entry has %zu fields, over daemon.max_entry_fields %d", f->n / 2,
                lim->max_fields);
        return -1;
    }
    for (size_t i = 0; i + 1 < f->n; i += 2) {
        size_t vl = strlen(f->v[i + 1]);
        total += strlen(f->v[i]) + vl;
        if (strcmp(f->v[i], "json") == 0) {
            *json = f->v[i + 1];
        } else if (vl > (size_t)lim->max_field_bytes) {
            err_set(err, errlen, "field '%s' is %zu bytes, over daemon.max_field_bytes %d",
                    f->v[i], vl, lim->max_field_bytes);
            return -1;
        }
    }
    if (total > (size_t)lim->max_entry_bytes) {
        err_set(err, errlen, "entry is %zu bytes, over daemon.max_entry_bytes %d", total,
                lim->max_entry_bytes);
        return -1;
    }
    return 0;
}

int lead_from_entry(const strvec *f, const entry_limits *lim, lead *l, char *err, size_t errlen)
{
    const char *json;
    if (entry_fits(f, lim, &json, err, errlen) < 0)
        return -1;
    if (json) {
        char why[256];
        if (lead_from_json(json, strlen(json), l, why, sizeof(why)) == 0)
            return 0;
        err_set(err, errlen, "field 'json': %s", why);
        return -1;
    }
    for (size_t i = 0; i + 1 < f->n; i += 2)
        (void)lead_set(l, f->v[i], f->v[i + 1]);
    if (!l->id || !*l->id) {
        err_set(err, errlen, "no 'id' field and no 'json' field");
        return -1;
    }
    return 0;
}
