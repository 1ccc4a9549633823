#!/usr/bin/env bash
# tests/lua/test_record_leads.sh - the record_leads Function (what l2ad sends: several leads in one
# call, flat arguments) on a real redis-server: a convert (with the opportunity's nested next
# stages), a flag and a create_account in one call, one code each and every entry acknowledged; a
# resend gives 2, other fields 3, an entry no longer pending 0 (one XPENDING for the call: entries
# of others between the call's own, and a reply cut at its count, change nothing); a lead whose
# key has the wrong type fails alone (its entry stays pending, nothing of it written) while the
# others are recorded; a shared key of the wrong type fails every lead (checked once per call, but
# for each); a malformed call fails before any write. A plain convert (nothing beyond the fixed
# places: recorded straight from its arguments) writes what the same convert through the plan
# writes, fields in the same order, and a wrong-typed contact set fails it with nothing written; a
# plain flag writes the result, alert, queue place and event of the same flag through the plan.
. "$(dirname "$0")/lua_lib.sh"

NOW=(2026-01-01T00:00:00.000Z 1767225600000)

# section NAME FIELD VALUE ...: a plan section (name, count, pairs) appended to S.
section() {
    local name=$1
    shift
    S+=("$name" "$#" "$@")
}

# lead_fields ID EMAIL FIRST TITLE SCORE: the lead's 11 fields in their places (LEAD).
lead_fields() {
    LEAD=("$1" "$2" "$3" "" "$4" "" "" "" "" "$5" "")
}

# plan_convert LEAD EMAIL ACCOUNT SCORE / plan_flag LEAD / plan_create LEAD EMAIL DOMAIN: the lead's
# arguments after its entry id and digest (record_args_put's layout) in PLAN: now, now_ms, action,
# the result (decision, account_id, score, rule, reason, candidates), the lead's fields, the plan's
# account_id and role, the rest of the plan (its count, then its sections).
plan_convert() {
    lead_fields "$1" "$2" Ann CTO "$4"
    S=()
    section opp create 1 type Acquisition first_stage "Marketing Qualified" owner_id U1 \
        advance_score 50
    section opp.next "Marketing Qualified" "Sales Accepted"
    PLAN=("${NOW[@]}" convert match "$3" 1 domain "" "[]" "${LEAD[@]}" "$3" "Decision Maker"
          "${#S[@]}" "${S[@]}")
}
plan_flag() {
    lead_fields "$1" "x@$1.example" "" "" 5
    PLAN=("${NOW[@]}" flag review "" 0.8 name "close call" '[{"account_id":"001A","score":0.8}]'
          "${LEAD[@]}" "" "" 0)
}
plan_plain() {   # a convert with nothing beyond the fixed places (most of l2ad's leads)
    LEAD=("$1" "$2" Cy Lu "" Acme "+1 555" US web "$4" "")
    PLAN=("${NOW[@]}" convert match "$3" 0.9 domain "" "[]" "${LEAD[@]}" "$3" User 0)
}
plan_planned() {   # the same through lib.prepare/commit: a learn_domain section for another account
    plan_plain "$@"
    S=()
    section learn_domain account_id other domain "$2"
    PLAN=("${PLAN[@]:0:${#PLAN[@]}-1}" "${#S[@]}" "${S[@]}")
}
plan_create() {
    lead_fields "$1" "$2" "" "" 10
    S=()
    section new_account id "new:$3" name "New $3" domains "$3" type Prospect
    PLAN=("${NOW[@]}" create_account no_match "" 0 none "" "[]" "${LEAD[@]}" "" User
          "${#S[@]}" "${S[@]}")
}

# add ENTRY LEAD DIGEST PLAN-FN PLAN-ARGS...: one lead appended to the call (KEYS_ and ARGS_).
add() {
    local entry=$1 lead=$2 digest=$3 fn=$4
    shift 4
    "$fn" "$lead" "$@"
    KEYS_+=("${P}lead:$lead")
    ARGS_+=("$entry" "$digest" "${PLAN[@]}")
}
reset_call() { KEYS_=(); ARGS_=(); }
# call: the Function's reply, one line per lead (redis-cli puts an empty line after an error)
call() {
    fcall "$FN_RECORD_LEADS" $((${#KEYS_[@]} + 1)) "${P}leads" "${KEYS_[@]}" l2a "$P" \
        "$EVENTS_CAP" "$CHANGES_CAP" "${ARGS_[@]}" | sed '/^$/d'
}
pending() { rcli xpending "${P}leads" l2a | head -n 1; }

# ---- three leads, three outcomes, one call ---------------------------------------------------------
e1=$(pending_entry id L1)
e2=$(pending_entry id F1)
e3=$(pending_entry id N1)
reset_call
add "$e1" L1 d1 plan_convert ann@acme.com 001A 80
add "$e2" F1 d2 plan_flag
add "$e3" N1 d3 plan_create bo@newco.io newco.io
assert_eq "$(call | paste -sd' ')" "1 1 1" "three leads recorded"
assert_eq "$(pending)" 0 "the three entries acknowledged"
assert_eq "$(rcli hget "${P}lead:L1" outcome)" converted "L1 outcome"
assert_eq "$(rcli hget "${P}lead:L1" lead_digest)" d1 "L1 digest stored"
assert_eq "$(rcli hget "${P}lead:L1" decision)" match "L1 result field"
assert_eq "$(rcli hget "${P}lead:L1" lead_id),$(rcli hget "${P}lead:L1" stream_id)" "L1,$e1" \
    "L1 lead and entry ids"
assert_eq "$(rcli hget "${P}lead:L1" processed_at)" "${NOW[0]}" "L1 processed_at: the plan's now"
assert_eq "$(rcli hexists "${P}lead:L1" reason)" 0 "an empty value left out"
assert_eq "$(rcli hget "${P}alert:F1" reason),$(rcli hget "${P}alert:F1" kind)" "close call,review" \
    "F1 alert: the result's reason and kind"
assert_eq "$(rcli hget "${P}alert:F1" lead)" '{"id":"F1","score":"5","email":"x@F1.example"}' \
    "F1 alert: the lead as JSON"
assert_eq "$(rcli hget "${P}contact:C-L1" account_id)" 001A "L1 contact"
assert_eq "$(rcli hget "${P}contacts:by_email" ann@acme.com)" C-L1 "email index"
assert_eq "$(rcli hget "${P}opportunity:O-1" stage)" "Sales Accepted" "stage moved (opp.next read)"
assert_eq "$(rcli hget "${P}opportunity:O-1" role:C-L1)" "Decision Maker" "contact role"
assert_eq "$(rcli hget "${P}alert:F1" created_ms)" 1767225600000 "F1 alert"
assert_eq "$(rcli zscore "${P}review:open" F1)" 1767225600000 "F1 in the review queue"
assert_eq "$(rcli hget "${P}lead:N1" outcome)" account_created "N1 outcome"
assert_eq "$(rcli hget "${P}account:new:newco.io" name)" "New newco.io" "N1 account"

# ---- resend 2, other fields 3, not pending 0 -------------------------------------------------------
r1=$(pending_entry id L1)
r2=$(pending_entry id F1)
before=$(snapshot | grep -v "^${P}leads \|^${P}events ")
reset_call
add "$r1" L1 d1 plan_convert ann@acme.com 001A 80
add "$r2" F1 other plan_flag
add "$e3" N1 d3 plan_create bo@newco.io newco.io
assert_eq "$(call | paste -sd' ')" "2 3 0" "resend, other fields, no longer pending"
assert_eq "$(pending)" 0 "resend and repeat acknowledged"
assert_eq "$(snapshot | grep -v "^${P}leads \|^${P}events ")" "$before" "nothing but acks and an event"
assert_eq "$(rcli xrange "${P}events" - + | grep -cx lead.repeated)" 1 "a lead.repeated event"

# ---- pending or not, asked once for the call: entries between the call's own (pending for
# another consumer, or acknowledged) change nothing; past the reply's count, a lead is asked alone
a1=$(pending_entry id A1)
for i in $(seq 1 40); do pending_entry id "between$i" >/dev/null; done
gone=$(pending_entry id A2)
rcli xack "${P}leads" l2a "$gone" >/dev/null
a3=$(pending_entry id A3)
reset_call
add "$a1" A1 d plan_flag
add "$gone" A2 d plan_flag
add "$a3" A3 d plan_flag
assert_eq "$(call | paste -sd' ')" "1 0 1" "pending, acknowledged, pending past the 22 asked"
assert_eq "$(rcli exists "${P}lead:A2")" 0 "nothing for the acknowledged entry"
reset_call
add "$a3" A3 d plan_flag
add "$a1" A1 d plan_flag
add 0-1 A4 d plan_flag
assert_eq "$(call | paste -sd' ')" "0 0 0" "acknowledged by the call before, an id never read"
rcli xack "${P}leads" l2a $(rcli xpending "${P}leads" l2a - + 100 | awk 'NR % 4 == 1') >/dev/null

# ---- plain converts: a new contact, then the same email matched to another account -------------
p1=$(pending_entry id P1)
p2=$(pending_entry id P2)
reset_call
add "$p1" P1 d plan_plain cy@acme.com 001P 70
assert_eq "$(call)" 1 "a plain convert recorded"
assert_eq "$(rcli hgetall "${P}contact:C-P1" | paste -sd' ')" \
    "id C-P1 email cy@acme.com lead_source web first_touch_at ${NOW[0]} first_lead_id P1 created_at ${NOW[0]} account_id 001P last_lead_id P1 updated_at ${NOW[0]} first_name Cy last_name Lu phone +1 555 country US company Acme last_score 70" \
    "its new contact, fields in order"
q1=$(pending_entry id Q1)
reset_call
add "$q1" Q1 d plan_planned qi@acme.com 001P 70
assert_eq "$(call)" 1 "the same convert through the plan"
assert_eq "$(rcli hgetall "${P}lead:P1" | sed "s/$p1/ENTRY/;s/C-P1/C-Q1/;s/^P1$/Q1/" | paste -sd' ')" \
    "$(rcli hgetall "${P}lead:Q1" | sed "s/$q1/ENTRY/" | paste -sd' ')" \
    "its result hash: the fields and their order of a planned convert's"
assert_eq "$(rcli hgetall "${P}contact:C-P1" | sed 's/P1/Q1/;s/cy@/qi@/' | paste -sd' ')" \
    "$(rcli hgetall "${P}contact:C-Q1" | paste -sd' ')" "its contact: a planned convert's"
wrong_key string "${P}account_contacts:002P"
reset_call
add "$p2" P2 d plan_plain cy@acme.com 002P 90
before=$(snapshot | grep -v "^${P}leads ")
assert_contains "$(call)" "WRONGTYPE l2a: key ${P}account_contacts:002P is a string" \
    "the new account's contact set of the wrong type fails the lead"
assert_eq "$(snapshot | grep -v "^${P}leads ")" "$before" "nothing written for it"
rcli del "${P}account_contacts:002P" >/dev/null
assert_eq "$(call)" 1 "recorded once the set is right"
assert_eq "$(rcli hget "${P}contact:C-P1" account_id),$(rcli hget "${P}contact:C-P1" last_score)" \
    "002P,90" "the contact moved to the other account"
assert_eq "$(rcli sismember "${P}account_contacts:001P" C-P1),$(rcli smembers "${P}account_contacts:002P")" \
    "0,C-P1" "and from one account's contacts to the other's"
assert_eq "$(rcli xrange "${P}events" - + | grep -A11 -x lead.converted | tail -n 6 | paste -sd' ')" \
    "contact_id C-P1 account_id 002P new_contact 0" "its event"

# ---- a plain flag against the same flag through the plan -----------------------------------------
plan_flag_planned() {   # plan_flag through lib.prepare/commit: a learn_domain section (a flag ignores it)
    plan_flag "$@"
    S=()
    section learn_domain account_id other domain example.org
    PLAN=("${PLAN[@]:0:${#PLAN[@]}-1}" "${#S[@]}" "${S[@]}")
}
fp=$(pending_entry id FP1)
fq=$(pending_entry id FQ1)
reset_call
add "$fp" FP1 d plan_flag
add "$fq" FQ1 d plan_flag_planned
assert_eq "$(call | paste -sd' ')" "1 1" "a plain flag and a planned one recorded"
assert_eq "$(rcli hgetall "${P}lead:FP1" | sed "s/$fp/ENTRY/;s/FP1/FQ1/g" | paste -sd' ')" \
    "$(rcli hgetall "${P}lead:FQ1" | sed "s/$fq/ENTRY/" | paste -sd' ')" \
    "the plain flag's result hash: a planned flag's fields in its order"
assert_eq "$(rcli hgetall "${P}alert:FP1" | sed 's/FP1/FQ1/g' | paste -sd' ')" \
    "$(rcli hgetall "${P}alert:FQ1" | paste -sd' ')" "its alert: a planned flag's, its lead's JSON too"
assert_eq "$(rcli zscore "${P}review:open" FP1)" "$(rcli zscore "${P}review:open" FQ1)" \
    "its place in the review queue"
flagged_event() {   # the lead.flagged event of lead $1 (its fields, one line), without its stream id
    rcli xrange "${P}events" - + | grep -A8 -x lead.flagged | grep -vx -- -- |
        paste -d' ' - - - - - - - - - | grep "^lead.flagged lead_id $1 "
}
assert_eq "$(flagged_event FP1 | sed 's/FP1/FQ1/g')" "$(flagged_event FQ1)" "its event"

# ---- one lead's key of the wrong type: that lead fails alone ---------------------------------------
g1=$(pending_entry id G1)
w1=$(pending_entry id W1)
g2=$(pending_entry id G2)
wrong_key string "${P}contact:C-W1"
reset_call
add "$g1" G1 d plan_convert g1@acme.com 001B 10
add "$w1" W1 d plan_convert w1@acme.com 001B 10
add "$g2" G2 d plan_flag
out=$(call)
assert_eq "$(sed -n 1p <<<"$out"),$(sed -n 3p <<<"$out")" "1,1" "the other two recorded"
assert_contains "$(sed -n 2p <<<"$out")" "WRONGTYPE l2a: key ${P}contact:C-W1 is a string" \
    "the failing lead's own error"
assert_eq "$(rcli xpending "${P}leads" l2a - + 10 | sed -n 1p)" "$w1" "its entry stays pending"
assert_eq "$(rcli exists "${P}lead:W1")" 0 "no result for it"
assert_eq "$(rcli hget "${P}contacts:by_email" w1@acme.com)" "" "no contact for it"
rcli del "${P}contact:C-W1" >/dev/null
reset_call
add "$w1" W1 d plan_convert w1@acme.com 001B 10
assert_eq "$(call)" 1 "recorded once its key is right"

# ---- a plain lead's own keys (its result hash, its alert: EXISTS first, TYPE when there) ----------
k1=$(pending_entry id K1)
k2=$(pending_entry id K2)
k3=$(pending_entry id K3)
wrong_key list "${P}lead:K1"
wrong_key string "${P}alert:K2"
rcli hset "${P}lead:K3" note "written by someone else" >/dev/null
reset_call
add "$k1" K1 d plan_plain k1@acme.com 001K 10
add "$k2" K2 d plan_flag
add "$k3" K3 d plan_flag
before=$(snapshot | grep -v "^${P}leads ")
out=$(call)
assert_contains "$(sed -n 1p <<<"$out")" "WRONGTYPE l2a: key ${P}lead:K1 is a list" \
    "a plain convert's result hash of the wrong type fails it"
assert_contains "$(sed -n 2p <<<"$out")" "WRONGTYPE l2a: key ${P}alert:K2 is a string" \
    "a plain flag's alert of the wrong type fails it"
assert_eq "$(sed -n 3p <<<"$out")" 2 "a result hash there without a digest: already recorded"
assert_eq "$(snapshot | grep -v "^${P}leads ")" "$before" "nothing written for any of them"
assert_eq "$(rcli xpending "${P}leads" l2a - + 10 | awk 'NR % 4 == 1' | paste -sd' ')" \
    "$k1 $k2" "the failed entries stay pending"
rcli del "${P}lead:K1" "${P}alert:K2" >/dev/null
reset_call
add "$k1" K1 d plan_plain k1@acme.com 001K 10
add "$k2" K2 d plan_flag
assert_eq "$(call | paste -sd' ')" "1 1" "recorded once their keys are right"
k4=$(pending_entry id K2)
reset_call
add "$k4" K2 d plan_flag
assert_eq "$(call)" 2 "a plain flag sent again: already recorded"

# ---- a key every lead shares of the wrong type: each lead fails, nothing written ------------------
s1=$(pending_entry id S1)
s2=$(pending_entry id S2)
wrong_key string "${P}review:open"
reset_call
add "$s1" S1 d plan_flag
add "$s2" S2 d plan_flag
before=$(snapshot)
out=$(call)
assert_eq "$(grep -c "WRONGTYPE l2a: key ${P}review:open is a string" <<<"$out")" 2 "both leads fail"
assert_eq "$(snapshot)" "$before" "nothing written"
rcli del "${P}review:open" >/dev/null
assert_eq "$(call | paste -sd' ')" "1 1" "both recorded once the queue is right"

# ---- malformed calls: refused before any write -----------------------------------------------------
m1=$(pending_entry id M1)
reset_call
add "$m1" M1 d plan_flag
KEYS_+=("${P}lead:M2")
expect_fail_unchanged "more keys than leads" "2 result keys but 1 leads" "$FN_RECORD_LEADS" 3 \
    "${P}leads" "${KEYS_[@]}" l2a "$P" "$EVENTS_CAP" "$CHANGES_CAP" "${ARGS_[@]}"
reset_call
add "$m1" M1 d plan_flag
unset 'ARGS_[${#ARGS_[@]}-1]'
expect_fail_unchanged "a lead cut short" "is cut" "$FN_RECORD_LEADS" 2 "${P}leads" "${KEYS_[@]}" \
    l2a "$P" "$EVENTS_CAP" "$CHANGES_CAP" "${ARGS_[@]}"
expect_fail_unchanged "no lead" "1 to 1000 leads" "$FN_RECORD_LEADS" 1 "${P}leads" l2a "$P" \
    "$EVENTS_CAP" "$CHANGES_CAP"
wrong_key hash "${P}otherleads"
reset_call
add "$m1" M1 d plan_flag
expect_fail_unchanged "the leads stream as a hash" "WRONGTYPE l2a: key ${P}otherleads is a hash" \
    "$FN_RECORD_LEADS" 2 "${P}otherleads" "${KEYS_[@]}" l2a "$P" "$EVENTS_CAP" "$CHANGES_CAP" \
    "${ARGS_[@]}"
echo "ok [$TEST_NAME]"
