/* index_memory.c - what each structure of the account index holds once a CSV is loaded, in MB
 * (10^6 bytes), beside the process's VmRSS and VmHWM: built and run by scripts/index-memory. */
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "engine.h"
#include "matcher_impl.h"
#include "strmap.h"

static double mb(size_t bytes)
{
    return (double)bytes / 1e6;
}

static size_t str_size(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

static void print_postings(const char *name, const postings *p)
{
    size_t keys = strmap_count(p->keys), text = 0, pooled = 0, values = 0;
    size_t pos = 0;
    const char *key;
    uint32_t val;
    while (strmap_next(p->keys, &pos, &key, &val))
        text += strlen(key) + 1;
    for (size_t i = 0; i < p->nlists; i++) {
        const u32vec *l = &p->lists[i];
        values += l->n;
        pooled += l->cap * sizeof(uint32_t);
    }
    printf("%-11s keys %8zu: map slots %6.1f, key text %5.1f, heads of the %zu longer lists "
           "%4.1f, their arrays %4.1f (%zu values)\n", name, keys, mb(strmap_slots(p->keys) * 12),
           mb(text), p->nlists, mb(p->nlists * sizeof(u32vec)), mb(pooled), values);
}

static void print_blocks(const account_index *ix)
{
    size_t ptrs = 0, tok = 0, id = 0, name = 0, other = 0;
    for (size_t i = 0; i < ix->n; i++) {
        const account *a = &ix->acc[i];
        ptrs += (a->domains.n + a->domains.nqualifiers) * sizeof(char *);
        for (uint32_t q = 0; q < a->domains.nqualifiers; q++)
            other += str_size(a->domains.v[a->domains.n + q]);
        tok += a->ntok * sizeof(uint32_t);
        id += str_size(a->id);
        name += str_size(a->name);
        other += str_size(a->acronym) + str_size(a->parent_id);
    }
    printf("blocks      %.1f: ids %.1f, names %.1f, token ids %.1f, domain and qualifier "
           "pointers %.1f, acronyms, parents and qualifiers %.1f\n",
           mb(ptrs + tok + id + name + other), mb(id), mb(name), mb(tok), mb(ptrs), mb(other));
}

static void print_index(const account_index *ix)
{
    printf("accounts    %zu: records %.1f, slot keys %.1f\n", ix->n,
           mb(ix->n * sizeof(account)), mb(ix->n * sizeof(slot_key)));
    printf("by_id       %zu of %zu slots: %.1f\n", ix->by_id.n, ix->by_id.cap,
           mb(ix->by_id.cap * sizeof(hashmulti_slot)));
    printf("typo        %zu of %zu slots: %.1f\n", ix->typo.n, ix->typo.cap,
           mb(ix->typo.cap * sizeof(hashmulti_slot)));
    print_postings("by_domain", &ix->by_domain);
    print_postings("by_label", &ix->by_label);
    print_postings("by_joined", &ix->by_joined);
    print_postings("by_acronym", &ix->by_acronym);
    printf("singles     %zu lists of one value: %.1f\n", ix->singles.n,
           mb(ix->singles.n * sizeof(u32vec)));
    size_t text = 0, arrays = 0;
    for (size_t i = 0; i < ix->nvocab; i++) {
        text += ix->words[i].len + 1;
        arrays += ix->tok_post[i].cap * sizeof(uint32_t);
    }
    printf("vocabulary  %zu words: map slots %.1f, text %.1f, words and list heads %.1f, "
           "list arrays %.1f\n", ix->nvocab, mb(strmap_slots(ix->vocab) * 12), mb(text),
           mb(ix->nvocab * (sizeof(vocab_word) + sizeof(u32vec))), mb(arrays));
    print_blocks(ix);
}

static void print_rss(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "VmRSS", 5) == 0 || strncmp(line, "VmHWM", 5) == 0)
            fputs(line, stdout);
    if (f)
        fclose(f);
}

int main(int argc, char **argv)
{
    conf cfg;
    char err[512];
    if (argc != 3) {
        fprintf(stderr, "usage: index-memory CONFIG ACCOUNTS.csv\n");
        return 2;
    }
    if (conf_load(argv[1], &cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    matcher *m = matcher_new(&cfg.eng, err, sizeof(err));
    if (!m || matcher_load_accounts_csv(m, argv[2], err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    print_index(&m->ix);
    print_rss();
    return 0;
}
