/* engine_fixture.h - the engine on the shipped config for unit tests: conf/l2a.yaml (from
 * L2A_SOURCE_DIR) and a matcher on it, without accounts. Header only: each test is one program. */
#ifndef L2A_ENGINE_FIXTURE_H
#define L2A_ENGINE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "conf.h"
#include "matcher_impl.h"

typedef struct fixture {
    conf cfg;
    matcher m;
} fixture;

/* A fixture, or NULL with the reason on stderr. */
static fixture *fixture_new(void)
{
    const char *src = getenv("L2A_SOURCE_DIR");
    char path[4096], err[512] = "";
    snprintf(path, sizeof(path), "%s/conf/l2a.yaml", src ? src : ".");
    fixture *fx = calloc(1, sizeof(*fx));
    if (conf_load(path, &fx->cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "setup: %s\n", err);
        free(fx);
        return NULL;
    }
    if (matcher_init(&fx->m, &fx->cfg.eng, err, sizeof(err)) != 0) {
        fprintf(stderr, "setup: %s\n", err);
        conf_free(&fx->cfg);
        free(fx);
        return NULL;
    }
    return fx;
}

static void fixture_free(fixture *fx)
{
    matcher_release(&fx->m);
    conf_free(&fx->cfg);
    free(fx);
    domain_shutdown();
}

#endif
