/* ascii.h - ASCII character classes and case, locale-free (bytes >= 0x80 are in no class). */
#ifndef L2A_ASCII_H
#define L2A_ASCII_H

#include <stdbool.h>

static inline bool ascii_is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

static inline bool ascii_is_lower(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}

static inline bool ascii_is_alpha(unsigned char c)
{
    return ascii_is_upper(c) || ascii_is_lower(c);
}

static inline bool ascii_is_alnum(unsigned char c)
{
    return ascii_is_alpha(c) || (c >= '0' && c <= '9');
}

/* c with A-Z made a-z, any other byte as it is. */
static inline char ascii_to_lower(char c)
{
    return ascii_is_upper((unsigned char)c) ? (char)(c - 'A' + 'a') : c;
}

#endif
