/* functions_tool.c - what the C side knows about the Function library, printed for tests/lua:
 * the library source, the function names and stream caps, the key names keys.c builds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "functions.h"
#include "keys.h"

/* Shell assignments: LIBRARY, FN_<NAME> for each function, EVENTS_CAP, CHANGES_CAP. */
static void print_names(void)
{
    static const char *const vars[FN_COUNT] = {
        [FN_RECORD] = "FN_RECORD", [FN_RECORD_LEADS] = "FN_RECORD_LEADS", [FN_DEAD] = "FN_DEAD",
        [FN_RESOLVE] = "FN_RESOLVE",
        [FN_ACCOUNT_UPSERT] = "FN_ACCOUNT_UPSERT", [FN_ACCOUNT_DELETE] = "FN_ACCOUNT_DELETE",
        [FN_ACCOUNT_UPSERT_BATCH] = "FN_ACCOUNT_UPSERT_BATCH",
        [FN_ACCOUNT_IMPORT_CHECK] = "FN_ACCOUNT_IMPORT_CHECK",
        [FN_FORGET_CONSUMERS] = "FN_FORGET_CONSUMERS", [FN_LEARNED] = "FN_LEARNED",
        [FN_WEBHOOK_LEASE] = "FN_WEBHOOK_LEASE", [FN_WEBHOOK_ADVANCE] = "FN_WEBHOOK_ADVANCE",
        [FN_WEBHOOK_SLA_CLAIM] = "FN_WEBHOOK_SLA_CLAIM",
        [FN_SNAPSHOT_PUBLISH] = "FN_SNAPSHOT_PUBLISH", [FN_SNAPSHOT_UNLOCK] = "FN_SNAPSHOT_UNLOCK"};
    printf("LIBRARY=%s\n", functions_library_name());
    for (int fn = 0; fn < FN_COUNT; fn++)
        printf("%s=%s\n", vars[fn], functions_name((functions_fn)fn));
    printf("EVENTS_CAP=%s\nCHANGES_CAP=%s\n", L2A_EVENTS_MAXLEN, L2A_CHANGES_MAXLEN);
}

typedef char *(*key_fn)(const char *prefix);
typedef char *(*id_key_fn)(const char *prefix, const char *id);

/* "<name> <key>" per key name: the lines lib.lua's keys table gives (tests/lua sorts both). */
static void print_keys(const char *prefix, const char *id)
{
    static const struct { const char *name; key_fn fn; } plain[] = {
        {"accounts", key_accounts}, {"changes", key_changes},
        {"account_digests", key_account_digests},
        {"contacts_by_email", key_contacts_by_email}, {"dead", key_dead},
        {"dead_ids", key_dead_ids}, {"events", key_events}, {"leads", key_leads},
        {"review_open", key_review_open}, {"seq_opportunity", key_seq_opportunity},
        {"learned", key_learned}, {"learned_domains", key_learned_domains},
        {"snapshot", key_snapshot}, {"snapshot_lock", key_snapshot_lock},
        {"snapshot_seq", key_snapshot_seq}};
    static const struct { const char *name; id_key_fn fn; } with_id[] = {
        {"account", key_account}, {"account_contacts", key_account_contacts}, {"alert", key_alert},
        {"contact", key_contact}, {"lead", key_lead}, {"opportunity", key_opportunity},
        {"opportunity_open", key_opportunity_open}, {"snapshot_chunk", key_snapshot_chunk}};
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        char *k = plain[i].fn(prefix);
        printf("%s %s\n", plain[i].name, k);
        free(k);
    }
    for (size_t i = 0; i < sizeof(with_id) / sizeof(with_id[0]); i++) {
        char *k = with_id[i].fn(prefix, id);
        printf("%s %s\n", with_id[i].name, k);
        free(k);
    }
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "source") == 0)
        fputs(functions_library_source(), stdout);
    else if (argc == 2 && strcmp(argv[1], "names") == 0)
        print_names();
    else if (argc == 4 && strcmp(argv[1], "keys") == 0)
        print_keys(argv[2], argv[3]);
    else {
        fprintf(stderr, "usage: functions_tool source | names | keys PREFIX ID\n");
        return 2;
    }
    return 0;
}
