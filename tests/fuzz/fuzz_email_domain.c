/* fuzz_email_domain.c - email and website parsing: email_parse, website_host/registrable,
 * domain_registrable and domain_label on the same input. */
#include "domain.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    email_addr e;
    const char *why = NULL;
    if (email_parse(s, &e, &why) == EMAIL_OK) {
        if (!e.local || !e.host || !e.registrable)
            abort();   /* a parsed address has all its parts */
        free(domain_label(e.registrable));
    } else if (!why) {
        abort();   /* a refused address says why */
    }
    email_free(&e);
    char *host = website_host(s);
    free(host);
    char *reg = website_registrable(s);
    free(domain_label(reg));
    free(reg);
    free(domain_registrable(s));
    free(s);
    return 0;
}
