#!/usr/bin/env bash
# tests/lua/test_accounts_import.sh - the account_import_check Function on a real redis-server:
# one code per account (2 absent, 0 stored with the same digest, 1 stored and different); a hash
# without a digest is compared by its own digest, which is kept when it agrees; unchanged ids go
# back into the accounts set; a wrong key type anywhere fails naming the key, nothing written.
. "$(dirname "$0")/lua_lib.sh"

SET=${P}accounts
CHANGES=${P}accounts:changes
DIGESTS=${P}accounts:digests

# digest FIELD VALUE ...: the digest docs/redis-schema.md defines, computed here independently.
digest() {
    python3 -c 'import hashlib, sys
a = sys.argv[1:]
pairs = sorted(zip(a[0::2], a[1::2]), key=lambda p: p[0].encode())
text = b"".join(b"%d:%s%d:%s" % (len(k.encode()), k.encode(), len(v.encode()), v.encode()) for k, v in pairs)
print(hashlib.sha1(text).hexdigest()[:16])' "$@"
}

check() { # ID DIGEST ...: the check of these accounts
    local keys=() args=()
    while [ $# -gt 0 ]; do
        keys+=("${P}account:$1")
        args+=("$1" "$2")
        shift 2
    done
    fcall "$FN_ACCOUNT_IMPORT_CHECK" $((3 + ${#keys[@]})) "$SET" "$CHANGES" "$DIGESTS" "${keys[@]}" \
        "${args[@]}"
}

dA=$(digest id 001A name Acme domains acme.com)
dB=$(digest id 001B name "Bé, Inc." Region EMEA)
expect_noop "two absent accounts" "2 2" check 001A "$dA" 001B "$dB"

rcli hset "${P}account:001A" id 001A name Acme domains acme.com >/dev/null
rcli hset "${P}account:001B" id 001B name "Bé, Inc." Region EMEA >/dev/null
rcli sadd "$SET" 001A 001B >/dev/null
rcli hset "$DIGESTS" 001A "$dA" >/dev/null
expect_noop "stored with the same digest" "0" check 001A "$dA"
assert_eq "$(check 001A "$dA" 001B "$dB" | paste -sd' ')" "0 0" "and one without a digest"
assert_eq "$(rcli hget "$DIGESTS" 001B)" "$dB" \
    "the digest computed from the stored hash is the documented one, and kept"
expect_noop "a new digest for a stored account" "1 2" check 001A "$(digest id 001A name Other)" \
    001C "$dA"
rcli hdel "$DIGESTS" 001A >/dev/null
expect_noop "no digest and a differing hash" "1" check 001A "$(digest id 001A name Acme)"
assert_eq "$(rcli hexists "$DIGESTS" 001A)" 0 "no digest kept for a differing hash"
rcli srem "$SET" 001B >/dev/null
assert_eq "$(check 001B "$dB")" 0 "unchanged, though out of the set"
assert_eq "$(rcli sismember "$SET" 001B)" 1 "an unchanged id goes back into the set"

# ---- wrong types and bad arguments: an error naming the key, nothing written ---------------------------
for case in "string $SET" "hash $CHANGES" "set $DIGESTS" "string ${P}account:001C"; do
    set -- $case
    [ "$(rcli exists "$2")" == 0 ] || rcli rename "$2" "$2:saved" >/dev/null
    wrong_key "$1" "$2"
    # 001D first and absent: one EXISTS of the others finds 001C; 001A first: a TYPE each
    for first in 001D 001A; do
        expect_fail_unchanged "check, $first first, $2 as a $1" "WRONGTYPE l2a: key $2 is a $1" \
            "$FN_ACCOUNT_IMPORT_CHECK" 5 "$SET" "$CHANGES" "$DIGESTS" "${P}account:$first" \
            "${P}account:001C" "$first" "$dA" 001C "$dA"
    done
    rcli del "$2" >/dev/null
    [ "$(rcli exists "$2:saved")" == 0 ] || rcli rename "$2:saved" "$2" >/dev/null
done
expect_fail_unchanged "an id without a digest" "2 account keys but 3 arguments" \
    "$FN_ACCOUNT_IMPORT_CHECK" 5 "$SET" "$CHANGES" "$DIGESTS" "${P}account:001A" \
    "${P}account:001C" 001A "$dA" 001C
expect_fail_unchanged "no account" "1 to 1000 accounts" \
    "$FN_ACCOUNT_IMPORT_CHECK" 3 "$SET" "$CHANGES" "$DIGESTS"
echo "ok [$TEST_NAME]"
