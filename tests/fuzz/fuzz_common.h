/* fuzz_common.h - helpers shared by the libFuzzer targets: the input as a C string, a temp file. */
#ifndef L2A_FUZZ_COMMON_H
#define L2A_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The input as a NUL-terminated copy (an embedded NUL ends it, as in a C string). malloc'd. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Writes the input to a fresh temp file named like tmpl ("/tmp/l2a-fuzz-XXXXXX.yaml", suffix
 * length sfx); tmpl receives the name. Aborts when the file cannot be written. */
static inline void fuzz_write_temp(char *tmpl, int sfx, const uint8_t *data, size_t size)
{
    int fd = mkstemps(tmpl, sfx);
    if (fd < 0)
        abort();
    size_t off = 0;
    while (off < size) {
        ssize_t n = write(fd, data + off, size - off);
        if (n <= 0)
            abort();
        off += (size_t)n;
    }
    close(fd);
}

/* Where the source tree is: $L2A_SOURCE_DIR, else the one this was built from. */
static inline const char *fuzz_source_dir(void)
{
    const char *s = getenv("L2A_SOURCE_DIR");
    return s && *s ? s : L2A_SOURCE_DIR;
}

#endif
