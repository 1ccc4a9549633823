/* fuzz_entry_flat.c - a flat stream entry: field/value pairs (split at NUL or newline) through
 * lead_from_entry, the daemon's own path from an entry to a lead. */
#include "fuzz_common.h"
#include "inputs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Splits the input at every NUL or '\n' into f: name, value, name, value ... */
static void split_fields(const uint8_t *data, size_t size, strvec *f)
{
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || data[i] == '\0' || data[i] == '\n') {
            sv_push_owned(f, fuzz_cstr(data + start, i - start));
            start = i + 1;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512] = "";
    strvec f;
    sv_init(&f);
    split_fields(data, size, &f);
    /* small limits, so that the fuzzer reaches them */
    entry_limits lim = {16, 256, 2048};
    lead l;
    lead_init(&l);
    int rc = lead_from_entry(&f, &lim, &l, err, sizeof(err));
    if (rc == 0 && (!l.id || !*l.id))
        abort();   /* an accepted entry has an id */
    if (rc != 0 && !err[0])
        abort();   /* a refused one says why */
    lead_free(&l);
    sv_free(&f);
    return 0;
}
