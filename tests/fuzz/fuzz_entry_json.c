/* fuzz_entry_json.c - a stream entry's `json` field: lead_from_json, then lead_from_entry on it. */
#include "fuzz_common.h"
#include "inputs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    lead l;
    lead_init(&l);
    if (lead_from_json((const char *)data, size, &l, err, sizeof(err)) != 0 && !err[0])
        abort();   /* a refused line always says why */
    lead_free(&l);

    strvec f;
    sv_init(&f);
    sv_push(&f, "json");
    sv_push_owned(&f, fuzz_cstr(data, size));
    entry_limits lim = {64, 4096, 65536};
    lead_init(&l);
    if (lead_from_entry(&f, &lim, &l, err, sizeof(err)) == 0 && (!l.id || !*l.id))
        abort();   /* an accepted entry has an id */
    lead_free(&l);
    sv_free(&f);
    return 0;
}
