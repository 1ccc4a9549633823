/* lines.c - one JSONL line to a decision: a lead that parses is decided, a line that does not is
 * an invalid decision that says why (and names the lead when its id can still be read). */
#include "engine.h"

#include <string.h>

/* The "id" of a line that is not valid JSON, when it can still be read ("id": "00Q1"), so that
 * the invalid decision names its lead. malloc'd or NULL. */
static char *salvage_id(const char *line)
{
    const char *p = strstr(line, "\"id\"");
    if (!p)
        return NULL;
    p += 4;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p++ != ':')
        return NULL;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p++ != '"')
        return NULL;
    const char *end = p;
    while (*end && *end != '"' && *end != '\\')
        end++;
    return *end == '"' && end > p ? xstrndup(p, (size_t)(end - p)) : NULL;
}

void matcher_decide_line(const matcher *m, const char *line, size_t len, long lineno,
                         decision *out)
{
    lead l;
    char err[256];
    lead_init(&l);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--; /* so that an error at the end is on the line, not after it */
    if (lineno == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
        line += 3, len -= 3; /* a UTF-8 byte order mark at the start of the file */
    if (lead_from_json(line, len, &l, err, sizeof(err)) != 0) {
        decision_init(out);
        out->kind = DECISION_INVALID;
        out->rule = "invalid";
        out->lead_id = l.id ? xstrdup(l.id) : salvage_id(line);
        decision_set_reason(out, "line %ld: %s", lineno, err);
    } else {
        matcher_decide(m, &l, out);
    }
    lead_free(&l);
}
