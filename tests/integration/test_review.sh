#!/usr/bin/env bash
# tests/integration/test_review.sh - l2a review list/show/resolve against a real redis-server, with alerts seeded in the documented format.
. "$(dirname "$0")/lib.sh"

SRC=${L2A_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
start_redis
P=$L2A_PREFIX
CFG=$TEST_TMP/l2a.yaml
LISTS=("lists:" "  freemail: $SRC/conf/freemail-domains.txt"
       "  disposable: $SRC/conf/disposable-email-domains.txt"
       "  legal_forms: $SRC/conf/legal-forms.tsv")
write_config "$CFG" "${LISTS[@]}"

# seed_alert PREFIX LEAD KIND AGE_SECONDS LEAD_JSON CANDIDATES REASON: an open alert exactly as
# the outcome script's flag() writes it (docs/redis-schema.md, "Review queue").
seed_alert() {
    local ms=$(($(date +%s%3N) - $4 * 1000))
    local at
    at=$(date -u -d "@$((ms / 1000))" +%Y-%m-%dT%H:%M:%S.000Z)
    rcli hset "$1alert:$2" lead_id "$2" status open kind "$3" reason "$7" candidates "$6" \
        score 0.82 created_at "$at" created_ms "$ms" lead "$5" >/dev/null
    rcli zadd "$1review:open" "$ms" "$2" >/dev/null
}

# count_events STREAM TYPE [LEAD]: entries of that type (and lead id).
count_events() {
    rcli xrange "$1" - + | awk -v t="$2" -v l="${3:-}" '
        /^[0-9]+-[0-9]+$/ { if (ok) n++; ok = 0; typ = ""; lid = ""; k = ""; next }
        k == "" { k = $0; next }
        { if (k == "type") typ = $0; if (k == "lead_id") lid = $0; k = ""
          ok = (typ == t && (l == "" || lid == l)) }
        END { if (ok) n++; print n + 0 }'
}

# Column N (1-based, blank-separated) of the data lines of `review list` output.
col() {
    printf '%s\n' "$OUT" | sed -n '2,$p' | grep -v ' open' | awk -v c="$1" '{ print $c }' |
        tr '\n' ' '
}

cat >"$TEST_TMP/accounts.csv" <<'EOF'
id,name,domains,type,owner_id
001A,Acme Corp,acme.com,Customer,005X
001B,Acme Holdings,acmeholdings.com,Customer,
EOF
l2a_run import-accounts --config "$CFG" "$TEST_TMP/accounts.csv"
assert_eq "$RC" 0 "import ($ERR)"

# Seeded out of age order: the list must sort by age, not by insertion.
seed_alert "$P" 00Q3 review 40 '{"id":"00Q3","email":"carl@gmail.com","company":"-"}' \
    '[]' 'free-mail address and junk company'
seed_alert "$P" 00Q1 review $((3 * 86400 + 4 * 3600 + 60)) \
    '{"id":"00Q1","email":"ann@acme.com","company":"Acme","first_name":"Ann","title":"VP Marketing"}' \
    '[{"account_id":"001A","score":0.82},{"account_id":"001B","score":0.8}]' \
    'two accounts on acme.com: Acme Corp 0.82, Acme Holdings 0.80; the company name does not decide between them'
seed_alert "$P" 00Q2 no_match $((2 * 3600 + 5 * 60 + 10)) \
    '{"id":"00Q2","email":"bob@newco.io","company":"NewCo","title":"CTO"}' '[]' \
    'no account for newco.io or the name NewCo'

# ---- list: oldest first, ages, lead fields, best candidate, footer -----------------------------
l2a_run review list --config "$CFG"
assert_eq "$RC" 0 "list exit status ($ERR)"
assert_eq "$(col 1)" "00Q1 00Q2 00Q3 " "list order (oldest first)"
assert_eq "$(col 2)" "review no_match review " "list kinds"
AGES=$(col 3)
[[ "$AGES" =~ ^3d4h\ 2h5m\ 4[0-9]s\ $ ]] || fail "list ages: got '$AGES'"
LINE1=$(printf '%s\n' "$OUT" | sed -n 2p)
assert_contains "$LINE1" "Acme " "company of 00Q1"
assert_contains "$LINE1" "ann@acme.com" "email of 00Q1"
assert_contains "$LINE1" "001A 0.82" "best candidate of 00Q1"
assert_contains "$LINE1" "two accounts on acme.com" "reason of 00Q1"
assert_contains "$LINE1" "..." "a long reason is shortened"
assert_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "3 open, oldest 3d4h" "list footer"

l2a_run review list --config "$CFG" --older-than 2h
assert_eq "$(col 1)" "00Q1 00Q2 " "--older-than 2h"
assert_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "3 open (2 older than 2h), oldest 3d4h" \
    "--older-than footer"
l2a_run review list --config "$CFG" --older-than 1d12h
assert_eq "$(col 1)" "00Q1 " "--older-than 1d12h"
l2a_run review list --redis "$REDIS_URL" --config "$CFG" --older-than 5d
assert_eq "$OUT" "3 open (0 older than 5d), oldest 3d4h" "--older-than 5d: nothing but the footer"
l2a_run review list --config "$CFG" --older-than 2x
assert_eq "$RC" 2 "a bad duration is a usage error"
assert_contains "$ERR" "usage: l2a review list" "usage on a bad duration"

# ---- list --json: one object a line ------------------------------------------------------------
l2a_run review list --config "$CFG" --json
assert_eq "$RC" 0 "list --json exit status ($ERR)"
printf '%s\n' "$OUT" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert [r["lead_id"] for r in rows] == ["00Q1", "00Q2", "00Q3"], rows
r = rows[0]
assert r["kind"] == "review" and r["reason"].startswith("two accounts on acme.com"), r
assert r["candidates"] == [{"account_id": "001A", "score": 0.82},
                           {"account_id": "001B", "score": 0.8}], r["candidates"]
assert r["lead"] == {"id": "00Q1", "email": "ann@acme.com", "company": "Acme",
                     "first_name": "Ann", "title": "VP Marketing"}, r["lead"]
assert 3 * 86400 + 4 * 3600 + 60 <= r["age_seconds"] < 3 * 86400 + 4 * 3600 + 600, r
assert r["created_at"].endswith("Z") and len(r["created_at"]) == 24, r["created_at"]
assert rows[1]["kind"] == "no_match" and rows[1]["candidates"] == [], rows[1]
assert 40 <= rows[2]["age_seconds"] < 600, rows[2]
assert set(r) == {"lead_id", "kind", "created_at", "age_seconds", "reason", "candidates", "lead"}
' || fail "list --json content"

# ---- show ---------------------------------------------------------------------------------------
l2a_run review show --config "$CFG" 00Q1
assert_eq "$RC" 0 "show exit status ($ERR)"
assert_contains "$OUT" "alert 00Q1: open review, created " "show header"
assert_contains "$OUT" "(3d4h ago)" "show age"
assert_contains "$OUT" "001A         0.82  Acme Corp [Customer]" "show candidate 1 with its name"
assert_contains "$OUT" "001B         0.80  Acme Holdings [Customer]" "show candidate 2"
assert_contains "$OUT" "  email                ann@acme.com" "show lead email"
assert_contains "$OUT" "  title                VP Marketing" "show lead title"
case "$OUT" in *closed:*) fail "an open alert shows no resolution" ;; esac
l2a_run review show --config "$CFG" nope
assert_eq "$RC" 1 "show of an unknown lead"
assert_eq "$ERR" "l2a: review show: no review alert for lead 'nope'" "show unknown message"
l2a_run review show --config "$CFG"
assert_eq "$RC" 2 "show without LEAD"

# ---- resolve: argument errors, unknown account, unknown lead: nothing written ----------------
EV0=$(rcli xlen "${P}events")
l2a_run review resolve --config "$CFG" 00Q1 --account 001A --dismiss
assert_eq "$RC" 2 "two resolutions at once"
l2a_run review resolve --config "$CFG" 00Q1
assert_eq "$RC" 2 "no resolution"
l2a_run review resolve --config "$CFG" 00Q2 --account 999
assert_eq "$RC" 1 "unknown account"
assert_contains "$ERR" "no account '999'" "unknown account message"
l2a_run review resolve --config "$CFG" nope --dismiss
assert_eq "$RC" 1 "resolve of an unknown lead"
assert_eq "$ERR" "l2a: review resolve: no review alert for lead 'nope'" "resolve unknown message"
assert_eq "$(rcli xlen "${P}events")" "$EV0" "failed resolutions write no event"
assert_eq "$(rcli hget "${P}alert:00Q2" status)" open "00Q2 still open"

# ---- resolve --account ---------------------------------------------------------------------------
l2a_run review resolve --config "$CFG" 00Q1 --account 001A --note "same domain, checked" --by alice
assert_eq "$RC" 0 "resolve --account ($ERR)"
assert_eq "$OUT" "resolved 00Q1 -> account 001A (contact C-00Q1)" "resolve --account output"
assert_eq "$(rcli hget "${P}contact:C-00Q1" account_id)" 001A "contact's account"
assert_eq "$(rcli hget "${P}contact:C-00Q1" email)" ann@acme.com "contact's email"
assert_eq "$(rcli hget "${P}contact:C-00Q1" first_name)" Ann "contact's first name"
assert_eq "$(rcli hget "${P}contacts:by_email" ann@acme.com)" C-00Q1 "email index"
assert_eq "$(rcli hget "${P}alert:00Q1" status)" resolved "alert status"
assert_eq "$(rcli hget "${P}alert:00Q1" resolved_by)" alice "resolved_by"
assert_eq "$(rcli hget "${P}alert:00Q1" note)" "same domain, checked" "note"
assert_eq "$(rcli hget "${P}alert:00Q1" resolution)" "account 001A" "resolution"
[[ "$(rcli hget "${P}alert:00Q1" resolved_at)" =~ ^20[0-9-]{8}T[0-9:]{8}\.[0-9]{3}Z$ ]] ||
    fail "resolved_at is not an ISO time"
assert_eq "$(rcli zscore "${P}review:open" 00Q1)" "" "00Q1 left the open set"
assert_eq "$(rcli hget "${P}lead:00Q1" account_id)" 001A "result hash: account"
assert_eq "$(rcli hget "${P}lead:00Q1" contact_id)" C-00Q1 "result hash: contact"
assert_eq "$(count_events "${P}events" lead.converted 00Q1)" 1 "one lead.converted"
assert_eq "$(count_events "${P}events" alert.resolved 00Q1)" 1 "one alert.resolved"
l2a_run review show --config "$CFG" 00Q1
assert_contains "$OUT" "alert 00Q1: resolved review" "show of a resolved alert"
assert_contains "$OUT" "  resolved_by          alice" "show: who"
assert_contains "$OUT" "  note                 same domain, checked" "show: why"
assert_contains "$OUT" "result ${P}lead:00Q1:" "show: the result hash"
assert_contains "$OUT" "  contact_id           C-00Q1" "show: result contact"

# ---- resolved again: the same way is done (exit 0), differently is refused (exit 1); nothing changes -
EV1=$(rcli xlen "${P}events")
l2a_run review resolve --config "$CFG" 00Q1 --account 001A --by bob
assert_eq "$RC" 0 "the same resolution again: exit status"
assert_contains "$OUT" "already resolved: account 001A (by alice at " "the same resolution again"
l2a_run review resolve --config "$CFG" 00Q1 --account 001B --by bob
assert_eq "$RC" 1 "a different resolution: exit status"
assert_contains "$ERR" "already resolved differently: account 001A (by alice at " "different: why"
assert_contains "$ERR" "not account 001B; nothing changed" "different: what was asked"
assert_eq "$(rcli xlen "${P}events")" "$EV1" "no new event"
assert_eq "$(rcli hget "${P}alert:00Q1" resolved_by)" alice "resolver kept"
assert_eq "$(rcli hget "${P}contact:C-00Q1" account_id)" 001A "contact unchanged"
assert_eq "$(rcli hlen "${P}contacts:by_email")" 1 "no new contact"

# ---- resolve --new-account ---------------------------------------------------------------------
l2a_run review resolve --redis "$REDIS_URL" 00Q2 --new-account
assert_eq "$RC" 1 "--new-account without the lists"
assert_contains "$ERR" "(pass --config FILE)" "--new-account without config says why"
assert_eq "$(rcli hget "${P}alert:00Q2" status)" open "00Q2 still open after the refusal"
l2a_run review resolve --config "$CFG" 00Q3 --new-account
assert_eq "$RC" 1 "--new-account for free-mail + junk company"
assert_contains "$ERR" "names no account to create" "free-mail + junk message"
CH0=$(rcli xlen "${P}accounts:changes")
l2a_run review resolve --config "$CFG" 00Q2 --new-account --by alice
assert_eq "$RC" 0 "resolve --new-account ($ERR)"
assert_eq "$OUT" "resolved 00Q2 -> new account new:newco.io (contact C-00Q2)" "--new-account output"
assert_eq "$(rcli hget "${P}account:new:newco.io" name)" NewCo "new account's name"
assert_eq "$(rcli hget "${P}account:new:newco.io" domains)" newco.io "new account's domain"
assert_eq "$(rcli hget "${P}account:new:newco.io" type)" Prospect "new account's type"
assert_eq "$(rcli sismember "${P}accounts" new:newco.io)" 1 "new account in the set"
assert_eq "$(rcli xlen "${P}accounts:changes")" $((CH0 + 1)) "one changes entry"
assert_eq "$(rcli xrevrange "${P}accounts:changes" + - count 1 | sed -n '2,5p' | paste -sd' ')" \
    "op upsert id new:newco.io" "changes entry is an upsert of the new account"
assert_eq "$(count_events "${P}events" account.created 00Q2)" 1 "one account.created"
assert_eq "$(rcli hget "${P}contact:C-00Q2" account_id)" new:newco.io "contact on the new account"
assert_eq "$(rcli hget "${P}alert:00Q2" resolution)" "new account new:newco.io" "resolution text"
l2a_run review resolve --config "$CFG" 00Q2 --new-account
assert_eq "$RC" 0 "--new-account twice: exit status"
assert_contains "$OUT" "already resolved: new account new:newco.io (by alice at " "--new-account twice"
assert_eq "$(count_events "${P}events" account.created)" 1 "still one account.created"

# ---- resolve --dismiss (resolver from $SUDO_USER) -------------------------------------------------
SUDO_USER=carol USER=dave l2a_run review resolve --config "$CFG" 00Q3 --dismiss --note spam
assert_eq "$RC" 0 "dismiss ($ERR)"
assert_eq "$OUT" "dismissed 00Q3" "dismiss output"
assert_eq "$(rcli hget "${P}alert:00Q3" status)" dismissed "dismissed status"
assert_eq "$(rcli hget "${P}alert:00Q3" resolved_by)" carol "resolver from SUDO_USER"
assert_eq "$(rcli exists "${P}contact:C-00Q3")" 0 "no contact for a dismissal"
assert_eq "$(rcli hexists "${P}contacts:by_email" carl@gmail.com)" 0 "no email index entry"
assert_eq "$(count_events "${P}events" alert.dismissed 00Q3)" 1 "one alert.dismissed"
assert_eq "$(count_events "${P}events" lead.converted 00Q3)" 0 "no lead.converted"
SUDO_USER= USER=dave l2a_run review resolve --config "$CFG" 00Q3 --dismiss
assert_eq "$RC" 0 "dismiss twice: exit status"
assert_contains "$OUT" "already resolved: dismissed (by carol at " "dismiss twice"
l2a_run review resolve --config "$CFG" 00Q3 --account 001A
assert_eq "$RC" 1 "an account after a dismissal: exit status"
assert_contains "$ERR" "already resolved differently: dismissed" "an account after a dismissal"
assert_eq "$(count_events "${P}events" alert.dismissed 00Q3)" 1 "still one alert.dismissed"

l2a_run review list --config "$CFG"
assert_eq "$OUT" "0 open" "empty queue"

# ---- opportunities and contact roles ------------------------------------------------------------
PO="${P}o:"
CFG_OPP=$TEST_TMP/opp.yaml
write_config "$CFG_OPP" "${LISTS[@]}" "opportunities:" "  enabled: true" \
    "contact_roles:" "  rules:" "    - pattern: '\\b(vp|chief|director)\\b'" \
    "      role: Decision Maker" "    - pattern: 'engineer'" "      role: Technical Evaluator"
sed -i "s/^  prefix: .*/  prefix: \"$PO\"/" "$CFG_OPP"
cat >"$TEST_TMP/opp_accounts.csv" <<'EOF'
id,name,domains,type,owner_id
001P,Prospect Inc,prospect.io,Prospect,005P
001C,Customer Co,customer.io,Customer,005C
EOF
l2a_run import-accounts --config "$CFG_OPP" "$TEST_TMP/opp_accounts.csv"
assert_eq "$RC" 0 "import into the opportunity prefix ($ERR)"
seed_alert "$PO" 00R1 review 3600 \
    '{"id":"00R1","email":"dana@prospect.io","company":"Prospect","title":"VP Sales"}' '[]' r
seed_alert "$PO" 00R2 review 3500 \
    '{"id":"00R2","email":"eve@prospect.io","company":"Prospect","title":"Software Engineer"}' '[]' r
seed_alert "$PO" 00R3 review 3400 \
    '{"id":"00R3","email":"dana@prospect.io","company":"Prospect","title":"VP Sales"}' '[]' r
seed_alert "$PO" 00R4 review 3300 \
    '{"id":"00R4","email":"gus@customer.io","company":"Customer","title":"VP Sales"}' '[]' r
seed_alert "$PO" 00R5 review 3200 \
    '{"id":"00R5","email":"hal@prospect.io","company":"Prospect","score":"150"}' '[]' r
OPP=${PO}opportunity:O-1

l2a_run review resolve --config "$CFG_OPP" 00R1 --account 001P
assert_eq "$OUT" "resolved 00R1 -> account 001P (contact C-00R1, opportunity O-1)" "first opp output"
assert_eq "$(rcli hget "$OPP" account_id)" 001P "opportunity account"
assert_eq "$(rcli hget "$OPP" type)" Acquisition "opportunity type"
assert_eq "$(rcli hget "$OPP" stage)" "Marketing Qualified" "opportunity stage"
assert_eq "$(rcli hget "$OPP" owner_id)" 005P "opportunity owner from the account"
[[ "$(rcli hget "$OPP" stage_marketing_qualified_at)" =~ ^20.*Z$ ]] || fail "stage stamp"
assert_eq "$(rcli hget "$OPP" role:C-00R1)" "Decision Maker" "role from the title"
assert_eq "$(count_events "${PO}events" opportunity.created)" 1 "opportunity.created"
OPP_EV=$(rcli xrange "${PO}events" - + | grep -B1 -A12 -x opportunity.created | paste -d= - -)
assert_eq "$(printf '%s\n' "$OPP_EV" | grep -c '^type=')" 1 "one type field in opportunity.created"
assert_contains "$OPP_EV" "opportunity_type=Acquisition" "opportunity.created names the type"
assert_eq "$(count_events "${PO}events" contact_role.added 00R1)" 1 "contact_role.added"

l2a_run review resolve --config "$CFG_OPP" 00R2 --account 001P
assert_eq "$OUT" "resolved 00R2 -> account 001P (contact C-00R2, opportunity O-1)" "second person"
assert_eq "$(rcli hget "$OPP" role:C-00R2)" "Technical Evaluator" "second role"
assert_eq "$(rcli get "${PO}seq:opportunity")" 1 "still one opportunity"
assert_eq "$(count_events "${PO}events" opportunity.created)" 1 "no second opportunity.created"
assert_eq "$(count_events "${PO}events" contact_role.added)" 2 "two roles added"

l2a_run review resolve --config "$CFG_OPP" 00R3 --account 001P
assert_eq "$OUT" "resolved 00R3 -> account 001P (contact C-00R1, opportunity O-1)" "same person"
assert_eq "$(rcli exists "${PO}contact:C-00R3")" 0 "no second contact for the same email"
assert_eq "$(rcli hlen "${PO}contacts:by_email")" 2 "two contacts in the email index"
assert_eq "$(rcli hkeys "$OPP" | grep -c '^role:')" 2 "still two roles"
assert_eq "$(count_events "${PO}events" contact_role.added)" 2 "no role added for the same person"
assert_eq "$(rcli hget "${PO}contact:C-00R1" last_lead_id)" 00R3 "contact remembers the last lead"

l2a_run review resolve --config "$CFG_OPP" 00R4 --account 001C
assert_eq "$OUT" "resolved 00R4 -> account 001C (contact C-00R4)" "Customer: no opportunity"
assert_eq "$(rcli exists "${PO}opportunity:open:001C")" 0 "no opportunity for a Customer"

l2a_run review resolve --config "$CFG_OPP" 00R5 --account 001P
assert_eq "$(rcli hget "$OPP" stage)" "Sales Accepted" "a score above advance_score moves the stage"
[[ "$(rcli hget "$OPP" stage_sales_accepted_at)" =~ ^20.*Z$ ]] || fail "new stage stamp"
assert_eq "$(count_events "${PO}events" opportunity.stage_changed 00R5)" 1 "stage_changed event"

# ---- lead data with control characters never reaches the terminal raw ------------------------------
ESC=$'\e'
seed_alert "$PO" "x${ESC}[2J" review 10 \
    "{\"id\":\"x\\u001b[2J\",\"company\":\"Evil${ESC}]0;title\\u0007 Co\",\"email\":\"e@evil.example\"}" \
    '[]' $'forged\nROW 00Q9 review'
l2a_run review list --config "$CFG_OPP"
[[ "$OUT" != *"$ESC"* ]] || fail "review list printed a raw ESC"
[[ "$OUT" != *$'\nROW 00Q9'* ]] || fail "review list let a newline forge a row"
l2a_run review show --config "$CFG_OPP" "x${ESC}[2J"
assert_eq "$RC" 0 "show of the alert with an ESC in its id ($ERR)"
[[ "$OUT" != *"$ESC"* ]] || fail "review show printed a raw ESC"
assert_contains "$OUT" 'alert x\x1B[2J:' "show: the id escaped"
assert_contains "$OUT" 'reason: forged\nROW 00Q9 review' "show: the newline escaped"

echo "PASS [$TEST_NAME]"
