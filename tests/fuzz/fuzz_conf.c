/* fuzz_conf.c - the config loader: conf_load on the input as a YAML file (list files are named,
 * not read), then the engine JSON and the reload check of what loaded. */
#include "conf.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/l2a-fuzz-conf-XXXXXX.yaml", err[2048] = "";
    fuzz_write_temp(path, 5, data, size);
    conf c;
    int rc = conf_load(path, &c, err, sizeof(err));
    unlink(path);
    if (rc != 0) {
        if (!err[0])
            abort();   /* a refused file says why */
        conf_free(&c);   /* zeroed on failure: harmless */
        return 0;
    }
    free(conf_engine_json(&c));
    conf c2;
    conf_defaults(&c2);
    char why[512];
    (void)conf_reload_compatible(&c2, &c, why, sizeof(why));
    conf_free(&c2);
    conf_free(&c);
    return 0;
}
