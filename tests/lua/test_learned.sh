#!/usr/bin/env bash
# tests/lua/test_learned.sh - learning inside the Functions on a real redis-server: the resolve
# Function records always/never facts (hash + accounts:changes entry) from the plan's learn object
# and the alert's candidates; the record Function adds a learned domain to the account (evidence,
# upsert change, event); the learned Function puts and forgets facts and domains; wrong key types
# and bad facts fail before any write (DUMP of every key unchanged).
. "$(dirname "$0")/lua_lib.sh"

NOW='"now":"2026-12-02T10:00:00.000Z","now_ms":1764669600000'
changes() { rcli xrange "${P}accounts:changes" - + | paste -sd' '; }

# open_alert LEAD CANDIDATES_JSON: an open alert as the record Function's flag step leaves it.
open_alert() {
    rcli hset "${P}alert:$1" lead_id "$1" status open kind review reason x candidates "$2" \
        score 0.9 created_ms 1764669600000 lead "{\"id\":\"$1\"}" >/dev/null
    rcli zadd "${P}review:open" 1764669600000 "$1" >/dev/null
    rcli hset "${P}lead:$1" lead_id "$1" decision review >/dev/null
}
# plan ACTION LEAD TARGET LEARN: TARGET the account_id member (or ""), LEARN the learn object.
plan() {
    echo "{\"action\":\"$1\",\"lead\":{\"id\":\"$2\",\"email\":\"x@acme.com\"},$NOW$3,\"learn\":$4}"
}
resolve() { # LEAD PLAN
    fcall "$FN_RESOLVE" 0 "$P" "$1" "$2" ann "" "account" "$EVENTS_CAP" "$CHANGES_CAP"
}
CANDS='[{"account_id":"001A","score":0.99},{"account_id":"001B","score":0.99},{"account_id":"001C","score":0.5}]'

# ---- resolve: always + never for every other candidate -------------------------------------------
open_alert R1 "$CANDS"
assert_eq "$(resolve R1 "$(plan convert R1 ',"account_id":"001B"' '{"name":"acme","domain":"acme.com"}')" | head -n 1)" 1 "resolve R1"
assert_eq "$(rcli hkeys "${P}learned" | LC_ALL=C sort | tr '\t' '|' | paste -sd' ')" \
    "always|acme.com|acme never|acme.com|acme|001A never|acme.com|acme|001C" "R1's facts"
fact=$(rcli hget "${P}learned" "$(printf 'always\tacme.com\tacme')")
assert_contains "$fact" '"account_id":"001B"' "always: the account"
assert_contains "$fact" '"by":"ann"' "always: who"
assert_contains "$fact" '"at":"2026-12-02T10:00:00.000Z"' "always: when"
assert_contains "$(changes)" "op learn kind always name acme domain acme.com account_id 001B by ann" \
    "the change entry every worker follows"
assert_eq "$(rcli xlen "${P}accounts:changes")" 3 "one change per fact"

# a dismissal from free-mail: never facts without a domain; no learn object: nothing learned
open_alert R2 '[{"account_id":"001S","score":0.9}]'
resolve R2 "$(plan dismiss R2 '' '{"name":"stark industrial"}')" >/dev/null
assert_contains "$(rcli hget "${P}learned" "$(printf 'never\t\tstark industrial\t001S')")" '"lead_id":"R2"' \
    "never without a domain"
open_alert R3 "$CANDS"
before=$(rcli hlen "${P}learned")
resolve R3 "{\"action\":\"dismiss\",\"lead\":{\"id\":\"R3\"},$NOW}" >/dev/null
assert_eq "$(rcli hlen "${P}learned")" "$before" "no learn object: nothing learned"

# wrong types of the learned hash or the changes stream: the resolution fails, nothing written
open_alert R4 "$CANDS"
P4=$(plan convert R4 ',"account_id":"001B"' '{"name":"acme","domain":"acme.com"}')
for case in "string ${P}learned" "hash ${P}accounts:changes"; do
    read -r type key <<<"$case"
    rcli rename "$key" "$key:saved" >/dev/null
    wrong_key "$type" "$key"
    expect_fail_unchanged "$key as a $type" "WRONGTYPE l2a: key $key is a $type" \
        "$FN_RESOLVE" 0 "$P" R4 "$P4" ann "" account "$EVENTS_CAP" "$CHANGES_CAP"
    rcli del "$key" >/dev/null
    rcli rename "$key:saved" "$key" >/dev/null
done
expect_fail_unchanged "a learn name with a tab" "learned fact name is not a non-empty string" \
    "$FN_RESOLVE" 0 "$P" R4 "$(plan convert R4 ',"account_id":"001B"' "{\"name\":\"a\\tb\"}")" \
    ann "" account "$EVENTS_CAP" "$CHANGES_CAP"
assert_eq "$(rcli hget "${P}alert:R4" status)" open "R4 still open"

# ---- record: a domain learned from a contact ----------------------------------------------------
rcli hset "${P}account:001W" id 001W name "Wayne Enterprises" domains "" >/dev/null
rcli xgroup create "${P}leads" l2a '$' MKSTREAM >/dev/null
# record_lead LEAD: one stream entry delivered, then the record Function with a learn_domain plan.
record_lead() {
    local sid
    sid=$(rcli xadd "${P}leads" '*' id "$1")
    rcli xreadgroup group l2a w1 count 1 streams "${P}leads" '>' >/dev/null
    fcall "$FN_RECORD" 2 "${P}leads" "${P}lead:$1" l2a "$sid" "$P" "{\"lead_id\":\"$1\"}" \
        "{\"action\":\"convert\",\"lead\":{\"id\":\"$1\",\"email\":\"b@wayne-ent.com\"},$NOW,\"account_id\":\"001W\",\"learn_domain\":{\"account_id\":\"001W\",\"domain\":\"wayne-ent.com\"}}" \
        "$EVENTS_CAP" "$CHANGES_CAP"
}
n0=$(rcli xlen "${P}accounts:changes")
rcli hset "${P}accounts:digests" 001W 0123456789abcdef >/dev/null
assert_eq "$(record_lead W1)" 1 "record W1"
assert_eq "$(rcli hexists "${P}accounts:digests" 001W)" 0 "a learned domain drops the import's digest"
assert_eq "$(rcli hget "${P}account:001W" domains)" wayne-ent.com "the account learned the domain"
assert_eq "$(rcli hget "${P}lead:W1" learned_domain)" wayne-ent.com "the result says so"
assert_contains "$(rcli hget "${P}learned:domains" wayne-ent.com)" '"lead_id":"W1"' "evidence"
assert_eq "$(rcli xlen "${P}accounts:changes")" $((n0 + 1)) "one upsert change"
assert_contains "$(changes)" "op upsert id 001W name Wayne Enterprises domains wayne-ent.com" \
    "the upsert carries the whole account"
assert_eq "$(rcli xrange "${P}events" - + | grep -c '^account.domain_learned$')" 1 "event"
assert_eq "$(record_lead W2)" 1 "record W2"
assert_eq "$(rcli hget "${P}account:001W" domains)" wayne-ent.com "learned once"
assert_eq "$(rcli xlen "${P}accounts:changes")" $((n0 + 1)) "no second change"
rcli rename "${P}learned:domains" "${P}ld:saved" >/dev/null
wrong_key string "${P}learned:domains"
sid=$(rcli xadd "${P}leads" '*' id W3)
rcli xreadgroup group l2a w1 count 1 streams "${P}leads" '>' >/dev/null
expect_fail_unchanged "learned:domains as a string" "WRONGTYPE l2a: key ${P}learned:domains" \
    "$FN_RECORD" 2 "${P}leads" "${P}lead:W3" l2a "$sid" "$P" '{"lead_id":"W3"}' \
    "{\"action\":\"convert\",\"lead\":{\"id\":\"W3\"},$NOW,\"account_id\":\"001W\",\"learn_domain\":{\"account_id\":\"001W\",\"domain\":\"we.io\"}}" \
    "$EVENTS_CAP" "$CHANGES_CAP"
rcli del "${P}learned:domains" >/dev/null
rcli rename "${P}ld:saved" "${P}learned:domains" >/dev/null

# ---- the learned Function ------------------------------------------------------------------------
learned() { fcall "$FN_LEARNED" 0 "$P" "$CHANGES_CAP" "$@"; }
assert_eq "$(learned put '{"kind":"never","name":"globex","account_id":"001G","by":"bob"}')" 1 "put"
assert_eq "$(learned forget '{"kind":"never","name":"globex","account_id":"001G"}')" 1 "forget"
assert_eq "$(learned forget '{"kind":"never","name":"globex","account_id":"001G"}')" 0 "forget again"
assert_contains "$(changes)" "op unlearn kind never name globex account_id 001G" "unlearn change"
assert_eq "$(learned forget '{"kind":"always","name":"acme","domain":"acme.com"}')" 1 "forget always"
rcli hset "${P}accounts:digests" 001W 0123456789abcdef >/dev/null
assert_eq "$(learned forget '{"kind":"domain","domain":"wayne-ent.com"}')" 1 "forget a domain"
assert_eq "$(rcli hexists "${P}accounts:digests" 001W)" 0 "forgetting a domain drops the digest"
assert_eq "$(rcli hget "${P}account:001W" domains)" "" "the domain is off the account"
assert_eq "$(rcli hexists "${P}learned:domains" wayne-ent.com)" 0 "its evidence gone"
expect_fail_unchanged "a fact without a name" "learned fact without name" \
    "$FN_LEARNED" 0 "$P" "$CHANGES_CAP" put '{"kind":"never","account_id":"1"}'
expect_fail_unchanged "an always fact without a domain" "learned fact without domain" \
    "$FN_LEARNED" 0 "$P" "$CHANGES_CAP" put '{"kind":"always","name":"a","account_id":"1"}'
expect_fail_unchanged "an unknown kind" "kind is maybe" \
    "$FN_LEARNED" 0 "$P" "$CHANGES_CAP" put '{"kind":"maybe","name":"a","account_id":"1"}'
expect_fail_unchanged "not JSON" "not a JSON object" "$FN_LEARNED" 0 "$P" "$CHANGES_CAP" put '{'
rcli rename "${P}learned" "${P}learned:saved" >/dev/null
wrong_key list "${P}learned"
expect_fail_unchanged "learned as a list" "WRONGTYPE l2a: key ${P}learned is a list" \
    "$FN_LEARNED" 0 "$P" "$CHANGES_CAP" put '{"kind":"never","name":"a","account_id":"1"}'
echo "ok [$TEST_NAME]"
