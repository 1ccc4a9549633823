/* fuzz_normalize.c - company-name normalisation: norm_fold and norm_name_parse with the shipped
 * rules (conf/l2a.yaml's legal forms, abbreviations, stop words, qualifiers, junk values). */
#include "conf.h"
#include "engine.h"
#include "fuzz_common.h"
#include "matcher_impl.h"
#include "normalize.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static conf cfg;           /* the shipped config, loaded once */
static matcher *engine;    /* its rules: engine->rules */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char path[4096], err[1024];
    snprintf(path, sizeof(path), "%s/conf/l2a.yaml", fuzz_source_dir());
    if (conf_load(path, &cfg, err, sizeof(err)) != 0 ||
        !(engine = matcher_new(&cfg.eng, err, sizeof(err)))) {
        fprintf(stderr, "fuzz_normalize: %s\n", err);
        exit(1);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    free(norm_fold(s));
    norm_name n;
    if (norm_name_parse(engine->rules, s, &n) != 0)
        abort();   /* never fails */
    if (!n.joined || !n.acronym || (!n.junk && n.tokens.n == 0))
        abort();   /* a name that is not junk keeps a token */
    norm_name_free(&n);
    (void)norm_is_junk(engine->rules, s);
    free(s);
    return 0;
}
