/* fuzz_csv.c - the accounts CSV reader: accounts_read_csv over the input as a temp file, and the
 * raw csv_next records over it as an in-memory FILE. */
#include "csv.h"
#include "fuzz_common.h"
#include "inputs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void take_account(account_rec *a, void *ctx)
{
    long *n = ctx;
    if (!a->id || !a->name || !*a->id || !*a->name)
        abort();   /* rows without id or name are skipped, never passed on */
    (*n)++;
    account_rec_free(a);
}

static void ignore_warning(const char *msg, void *ctx)
{
    (void)ctx;
    if (!msg || !*msg)
        abort();
}

/* Every record of the input through csv_next, from memory. */
static void read_records(const uint8_t *data, size_t size)
{
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        return;   /* glibc refuses an empty buffer */
    csv_reader *r = csv_reader_new(f);
    strvec fields;
    sv_init(&fields);
    char err[256];
    int rc, malformed = 0;
    while ((rc = csv_next(r, &fields, err, sizeof(err))) != 0 && malformed < 1000)
        malformed += rc < 0;
    sv_free(&fields);
    csv_reader_free(r);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_records(data, size);
    char path[] = "/tmp/l2a-fuzz-csv-XXXXXX.csv", err[1024] = "";
    fuzz_write_temp(path, 4, data, size);
    long n = 0;
    long got = accounts_read_csv(path, take_account, ignore_warning, &n, err, sizeof(err));
    unlink(path);
    if ((got < 0 && !err[0]) || (got >= 0 && got != n))
        abort();   /* an error says why; the count is what cb saw */
    return 0;
}
