/* inputs.h - accounts from CSV rows and leads from JSON: the input records of the matcher. */
#ifndef L2A_INPUTS_H
#define L2A_INPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

/* One CRM account as read from a CSV row or a Redis hash. Every string owned; missing = NULL. */
typedef struct account_rec {
    char *id;             /* required, non-empty */
    char *name;           /* required, non-empty */
    char *domains;        /* raw ';'-separated websites/domains as the CRM holds them */
    char *type;           /* e.g. Customer, Prospect */
    char *parent_id;
    char *country;
    char *owner_id;
    char *employees;      /* kept as text; parse where needed */
    char *last_activity;  /* ISO date YYYY-MM-DD as text */
    strvec attr_keys;     /* unknown columns, kept as attributes (parallel to attr_vals) */
    strvec attr_vals;
} account_rec;

void account_rec_init(account_rec *a);
void account_rec_free(account_rec *a);
/* Sets a field by column name, case-insensitive (known names go to their field, others to
 * attributes, replacing an attribute of the same name). Copies. A NULL value clears a known field
 * and is ignored for attributes. */
void account_rec_set(account_rec *a, const char *key, const char *value);

/* Reads an accounts CSV (header row, any column order). Calls cb for every valid row; rows without
 * id or name are reported through warn_cb (may be NULL) with "path:line: message" and skipped.
 * Returns the number of accounts read, or -1 with "path:line: message" in err on a malformed file
 * (missing id/name header, bad quoting, unreadable file). cb takes ownership of the record.
 * Details: header names are matched trimmed and case-insensitively; a column named twice is an
 * error, an unnamed column is ignored, other unknown columns become attributes (named as in the
 * header, trimmed). Values are trimmed of surrounding whitespace; an empty known field stays NULL,
 * an empty attribute is kept as "". A row whose field count differs from the header's is warned
 * about and skipped. Ownership: cb gets a pointer valid only during the call and owns the record's
 * contents: it keeps them (copying *a by value) or releases them with account_rec_free(a). Rows
 * before a malformed one have already been passed to cb when -1 is returned. A row whose id an
 * earlier row had is passed to cb too (the later row wins) and warned about: "path:N: account id
 * 'X' already on line M (the later row wins)". Bytes that are not UTF-8 and NUL bytes make the
 * file malformed ("path:N: not valid UTF-8 (byte 0xE9 in field 2)"). */
typedef void (*account_cb)(account_rec *a, void *ctx);
typedef void (*warn_cb)(const char *msg, void *ctx);
long accounts_read_csv(const char *path, account_cb cb, warn_cb warn, void *ctx,
                       char *err, size_t errlen);

/* accounts_read_csv with the choices it leaves out. */
typedef struct accounts_csv {
    const char *path;     /* opened, or, with file set, only the name used in messages */
    FILE *file;           /* NULL: read path; else read this stream (not closed) */
    const char *encoding; /* NULL: the file is UTF-8; else iconv converts it from this first */
    account_cb cb;
    warn_cb warn;         /* rows skipped (may be NULL) */
    warn_cb dup;          /* an id seen again (the row is still passed to cb); NULL: warn */
    /* NULL: the reader keeps a map of the ids read to warn about one seen again. Else it asks
     * seen_on, before passing the row (read on line) to cb, for the line an earlier row with this
     * id was read on (0: none); remembering the first line of each id is then the callee's job. */
    long (*seen_on)(const char *id, long line, void *ctx);
    bool borrow;          /* cb gets a record whose strings point into the reader's buffer, valid
                           * during the call only (cb neither keeps nor frees them), and whose
                           * attributes are not read: no copy of a field is made */
    bool lend_attrs;      /* with borrow: the attributes are read too, lent likewise (their vectors
                           * are the reader's, their names the header's) */
    void *ctx;
} accounts_csv;

/* As accounts_read_csv. With an encoding, a byte not valid in it is an error with its line. */
long accounts_read_csv_opts(const accounts_csv *o, char *err, size_t errlen);
/* The warning about an id read on line that line first had (to o->dup, else o->warn): for a
 * seen_on that finds duplicates later than the reader (on another thread). */
void accounts_csv_warn_duplicate(const accounts_csv *o, const char *id, long line, long first);

/* One lead. Every string owned; missing or JSON null = NULL. Numbers in string fields are kept as
 * their text. */
typedef struct lead {
    char *id;
    char *email;
    char *company;
    char *website;
    char *first_name;
    char *last_name;
    char *title;
    char *country;
    char *phone;
    char *source;
    char *score;          /* text of the number ("45"), NULL if absent */
    /* The fields are owned: those whose bits are set in owned (by field order in inputs.c)
     * each its own allocation, the others in block (a lead read from plain JSON: a copy of its
     * line, each value ended in place) or NULL. */
    char *block;          /* owned, or NULL */
    uint16_t owned;
} lead;

void lead_init(lead *l);
void lead_free(lead *l);
/* Sets a field by name; unknown names are ignored (returns false). Copies value. */
bool lead_set(lead *l, const char *key, const char *value);
/* Whether key names a lead field ("id", "email", ...). */
bool lead_field_known(const char *key);
/* Parses one JSON object (one JSONL line; trailing newline allowed). Returns 0, or -1 with a short
 * reason in err ("invalid JSON at column 17: ...", "not an object", "missing id", "field 'email' is
 * not a string"). On failure, l->id is still set if it could be read, so the decision can name it.
 * l must be initialised (lead_init); its previous contents are freed first, and it owns what is read
 * (free with lead_free, also after a failure). Details: a field may be a string, a number (kept as
 * its text: 45 -> "45", 0.5 -> "0.5") or null (NULL); a boolean, object or array is an error. Unknown
 * fields are ignored, a duplicated key takes its last value. id must be present, non-null and
 * non-empty ("missing id", "empty id"). Syntax errors past the first line say "at line L, column C". */
int lead_from_json(const char *text, size_t len, lead *l, char *err, size_t errlen) MUSTCHECK;

/* Limits on a stream entry (the daemon's daemon.max_entry_fields, max_field_bytes,
 * max_entry_bytes). */
typedef struct entry_limits {
    int max_fields;        /* field/value pairs */
    int max_field_bytes;   /* one value (not the json field) */
    int max_entry_bytes;   /* all names and values together */
} entry_limits;

/* The lead a stream entry carries: f holds its field/value pairs (names at even indexes, an odd
 * trailing name is ignored); one field `json` holds the object (lead_from_json), otherwise the
 * fields are the lead's, flat (lead_set; an `id` is required). Returns 0, or -1 with the reason in
 * err ("entry has N fields, over daemon.max_entry_fields M", "field 'json': missing id", ...).
 * l as for lead_from_json (initialised; it owns what is read). */
int lead_from_entry(const strvec *f, const entry_limits *lim, lead *l, char *err,
                    size_t errlen) MUSTCHECK;

#endif
