#!/usr/bin/env bash
# tests/integration/test_import_restore.sh - `l2a import-accounts` writes each account with one
# RESTORE of a payload it builds itself (src/redis/hash_dump.c): Redis checks every payload in
# full here (sanitize-dump-payload yes), and each hash is what DEL and HSET make for the same
# account (the import of a user without the RESTORE right, who gets that, with a note): the same
# encoding, byte for byte the same DUMP for a listpack, the same pairs for a hash table. The check
# RESTORE at the start writes nothing.
. "$(dirname "$0")/lib.sh"

require_own_redis
REDIS_ARGS=(--rdbcompression no --sanitize-dump-payload yes)
start_redis
P=$L2A_PREFIX
H=${P}h:  # the prefix of the import written with DEL and HSET

# Accounts at each listpack encoding's edges (integers of 7, 13, 16, 24, 32 and 64 bits, either
# sign; text that looks numeric but is not: a leading zero, -0, past int64; 63, 64 and 65 bytes),
# two with more fields than a listpack takes (128 in redis.conf, 512 when Redis has no config
# file), one in UTF-8.
python3 -c 'import csv, sys
extra = ["c%03d" % i for i in range(600)]
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["id", "name", "domains", "employees", "Region", "Note"] + extra)
def row(*cells, wide=0):
    cells = list(cells) + [""] * (6 - len(cells))
    w.writerow(cells + ["v%d" % i for i in range(wide)] + [""] * (600 - wide))
row("N1", "Small", "s.example", "0", "127", "128")
row("N2", "Neg", "n.example", "-1", "-4096", "-4097")
row("N3", "Mid", "m.example", "4095", "4096", "32767")
row("N4", "Wide", "w.example", "-32768", "-32769", "8388607")
row("N5", "Wider", "x.example", "-8388608", "-8388609", "2147483647")
row("N6", "Big", "b.example", "2147483648", "-2147483648", "-2147483649")
row("N7", "Max", "mx.example", "9223372036854775807", "-9223372036854775808", "9223372036854775808")
row("N8", "Not numbers", "z.example", "007", "-0", "1e5")
row("N9", "L" * 63, "d" * 64, "", "", "y" * 65)
row("N10", "Many fields", "many.example", "5", wide=130)
row("N11", "Ünïcödé GmbH", "ü.example", "", "Süd", "")
row("N12", "Long note", "ln.example", "", "", "q" * 5000)
row("N13", "More fields", "more.example", wide=600)
' >"$TEST_TMP/accounts.csv"

write_config "$TEST_TMP/restore.yaml"
l2a_run import-accounts --config "$TEST_TMP/restore.yaml" "$TEST_TMP/accounts.csv"
assert_eq "$RC" 0 "import with RESTORE ($ERR)"
assert_eq "$ERR" "imported 13 accounts: 13 new, 0 updated, 0 unchanged, 0 deleted" \
    "counts, and no note when RESTORE is there"
assert_eq "$(rcli exists "${P}account:")" 0 "the check RESTORE wrote nothing"

rcli acl setuser norestore on '>pw' '~*' +@all -restore >/dev/null
REDIS_URL="redis://norestore:pw@127.0.0.1:$REDIS_PORT" L2A_PREFIX=$H \
    write_config "$TEST_TMP/hset.yaml"
l2a_run import-accounts --config "$TEST_TMP/hset.yaml" "$TEST_TMP/accounts.csv"
assert_eq "$RC" 0 "import without the RESTORE right ($ERR)"
assert_contains "$ERR" "imported 13 accounts: 13 new, 0 updated, 0 unchanged, 0 deleted" \
    "counts (HSET)"
assert_contains "$ERR" "accounts written with DEL and HSET, slower" "the note"

# pairs KEY: the hash's field/value pairs, one "field=value" a line, sorted.
pairs() { rcli hgetall "$1" | paste -d= - - | sort; }
for n in $(seq 1 13); do
    a=${P}account:N$n b=${H}account:N$n
    enc=$(rcli object encoding "$a")
    assert_eq "$enc" "$(rcli object encoding "$b")" "N$n: the encoding HSET makes"
    assert_eq "$(pairs "$a")" "$(pairs "$b")" "N$n: the same fields and values"
    if [ "$enc" = listpack ]; then
        assert_eq "$(rcli --no-raw dump "$a")" "$(rcli --no-raw dump "$b")" "N$n: the same listpack"
    fi
done
assert_eq "$(rcli object encoding "${P}account:N7")" listpack "64-bit integers in a listpack"
assert_eq "$(rcli object encoding "${P}account:N9")" hashtable "a 65-byte value: a hash table"
assert_eq "$(rcli hlen "${P}account:N10")" 134 "134 fields"
assert_eq "$(rcli object encoding "${P}account:N13")" hashtable "over 512 fields: a hash table"
assert_eq "$(rcli hget "${P}account:N8" employees)" "007" "a leading zero kept"

# Again: nothing to write; a changed account replaced whole with its RESTORE.
l2a_run import-accounts --config "$TEST_TMP/restore.yaml" "$TEST_TMP/accounts.csv"
assert_eq "$ERR" "imported 13 accounts: 0 new, 0 updated, 13 unchanged, 0 deleted" "again"
sed -i 's/^N2,Neg,n.example,-1,/N2,Neg,n.example,,/' "$TEST_TMP/accounts.csv"
rcli hset "${P}account:N2" extra x >/dev/null
rcli hdel "${P}accounts:digests" N2 >/dev/null
l2a_run import-accounts --config "$TEST_TMP/restore.yaml" "$TEST_TMP/accounts.csv"
assert_eq "$ERR" "imported 13 accounts: 0 new, 1 updated, 12 unchanged, 0 deleted" "one changed"
assert_eq "$(rcli hgetall "${P}account:N2" | paste -sd' ')" \
    "id N2 name Neg domains n.example Region -4096 Note -4097" "replaced whole, in file order"
# An import into an empty store: the check Function for the first 8 batches (sent before any
# answer), then (the first all new) EXISTS for the next. A batch where EXISTS finds a key goes to
# the check after all: here a key of the wrong type, which stops the import with its name,
# nothing of its batch written.
python3 -c 'print("id,name"); [print("F%05d,Fresh %d" % (i, i)) for i in range(1, 12001)]' \
    >"$TEST_TMP/fresh.csv"
rcli config resetstat >/dev/null
rcli set "${P}account:F11500" "not a hash" >/dev/null
l2a_run import-accounts --config "$TEST_TMP/restore.yaml" "$TEST_TMP/fresh.csv"
assert_eq "$RC" 1 "wrong type found by the check after EXISTS"
assert_contains "$ERR" "key ${P}account:F11500 is a string, expected a hash" "named"
assert_eq "$(rcli exists "${P}account:F10999" "${P}account:F11001")" 1 "batch 11 written, not 12"
assert_contains "$(rcli info commandstats)" "cmdstat_fcall:calls=9," \
    "batches 9 to 11 written without the check Function"
rcli del "${P}account:F11500" >/dev/null
l2a_run import-accounts --config "$TEST_TMP/restore.yaml" "$TEST_TMP/fresh.csv"
assert_eq "$ERR" "imported 12000 accounts: 1000 new, 0 updated, 11000 unchanged, 0 deleted" \
    "the rest"
assert_eq "$(rcli scard "${P}accounts")" 12013 "every account in the set"
# Again, nothing changed: the digests hash exists, so every batch is pre-checked with HMGET of
# its digests and EXISTS. A batch where a hash is gone (its digest still kept) goes to the check
# Function after all: that account is new again.
rcli config resetstat >/dev/null
rcli del "${P}account:F11999" >/dev/null
rcli srem "${P}accounts" F05000 F10000 >/dev/null
l2a_run import-accounts --config "$TEST_TMP/restore.yaml" "$TEST_TMP/fresh.csv"
assert_eq "$ERR" "imported 12000 accounts: 1 new, 0 updated, 11999 unchanged, 0 deleted" \
    "unchanged but one"
assert_contains "$(rcli info commandstats)" "cmdstat_fcall:calls=1," \
    "batches 1 to 11 found unchanged without the check Function"
assert_eq "$(rcli hget "${P}account:F11999" name)" "Fresh 11999" "the lost hash written again"
assert_eq "$(rcli smismember "${P}accounts" F05000 F10000 | paste -sd" ")" "1 1" \
    "unchanged ids back in the set (by the Function, by the SADD after HMGET)"
echo "ok [$TEST_NAME]"
