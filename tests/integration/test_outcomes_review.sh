#!/usr/bin/env bash
# tests/integration/test_outcomes_review.sh - the review queue from alerts that l2ad itself made
# (shipped config, no_match.policy flag, opportunities on): a review with its candidates, a
# corporate no match, a free-mail no match; `l2a review list` shows them and /metrics
# l2a_review_open counts them; they are resolved to an account (an opportunity, a role, and for
# the same person's second alert the same contact and a stage move), to a new account (which the
# running daemon then matches by domain) and dismissed; the queue and the gauge end at 0; every
# event exactly once.
. "$(dirname "$0")/outcomes_lib.sh"

outcomes_start 'id,name,domains,type,owner_id
001A,Acme Corp,acme.com,Prospect,005A
001B,Acme Holdings,acme.com,Prospect,
001D,Initech Software,initech.com,Customer,005D'

PORT=$(free_port)
CFG=$TEST_TMP/l2ad.yaml
shipped_config "$CFG" "$PORT" no_match.policy=flag opportunities.enabled=true \
    daemon.claim_idle_ms=2000
start_daemon d "$CFG"
PID=$DAEMON_PID
wait_ready "$PORT"

h() { rcli hget "$P$1" "$2"; }
_metric_is() { [ "$(metric "$PORT" "$1")" == "$2" ]; }

push_json \
    '{"id":"R1","email":"bob@acme.com","company":"Acme","first_name":"Bob","title":"VP Sales","source":"Webinar"}' \
    '{"id":"R2","email":"hal@newco.io","company":"NewCo Robotics","title":"CTO"}' \
    '{"id":"R3","email":"jo@gmail.com","company":"Zebra Lantern Studio"}' \
    '{"id":"R4","email":"kit@initech.com","company":"Initech"}' \
    '{"id":"R6","email":"Bob@Acme.com","company":"Acme","title":"VP Sales","score":150}'
wait_group_idle 20

# ---- the daemon's alerts -------------------------------------------------------------------------
assert_eq "$(h lead:R4 outcome)" converted "R4 (a match) is not flagged"
assert_eq "$(rcli exists "${P}alert:R4")" 0 "no alert for a match"
for l in R1 R2 R3 R6; do
    assert_eq "$(h lead:$l outcome)" flagged "$l outcome"
    assert_eq "$(h lead:$l alert_id)" "$l" "$l alert id"
    assert_eq "$(h alert:$l status)" open "$l alert status"
done
assert_eq "$(h lead:R1 decision)" review "R1 decision"
assert_eq "$(h alert:R1 kind)" review "R1 alert kind"
assert_contains "$(h alert:R1 reason)" "ambiguous: 2 accounts" "R1 alert reason"
# (equal scores: their order is the index's, so compared as a set)
assert_eq "$(h alert:R1 candidates | python3 -c 'import json, sys
print(sorted((c["account_id"], c["score"]) for c in json.load(sys.stdin)))')" \
    "[('001A', 1), ('001B', 1)]" "R1 alert candidates"
# one number format everywhere: the alert's candidates and score read as the result's
assert_eq "$(h alert:R1 candidates)" "$(h lead:R1 candidates)" "R1 candidates: alert = result"
assert_eq "$(h alert:R1 score)" "$(h lead:R1 score)" "R1 score: alert = result"
assert_eq "$(h alert:R2 kind)" no_match "R2 alert kind (policy flag)"
assert_contains "$(h alert:R2 reason)" "no account on domain newco.io" "R2 alert reason"
assert_eq "$(h alert:R2 candidates)" "[]" "R2 alert candidates"
assert_eq "$(rcli exists "${P}account:new:newco.io")" 0 "policy flag creates no account"
assert_eq "$(rcli zcard "${P}review:open")" 4 "open alerts"

l2a_run review list --config "$CFG"
assert_eq "$RC" 0 "review list ($ERR)"
assert_eq "$(printf '%s\n' "$OUT" | sed '1d;$d' | awk '{ print $1 }' | sort | paste -sd' ')" \
    "R1 R2 R3 R6" "leads listed"
assert_contains "$(printf '%s\n' "$OUT" | grep '^R1 ')" "bob@acme.com" "R1 line: email"
assert_contains "$(printf '%s\n' "$OUT" | grep '^R1 ')" " 1.00 " "R1 line: best candidate's score"
assert_contains "$(printf '%s\n' "$OUT" | grep '^R2 ')" "no_match" "R2 line: kind"
assert_contains "$(printf '%s\n' "$OUT" | tail -n 1)" "4 open, oldest " "list footer"
l2a_run review list --config "$CFG" --json
printf '%s\n' "$OUT" | python3 -c '
import json, sys
rows = {r["lead_id"]: r for r in map(json.loads, sys.stdin)}
assert sorted(rows) == ["R1", "R2", "R3", "R6"], rows
r = rows["R1"]
assert sorted(c["account_id"] for c in r["candidates"]) == ["001A", "001B"], r
assert all(c["score"] == 1 for c in r["candidates"]), r
assert r["lead"] == {"id": "R1", "email": "bob@acme.com", "company": "Acme", "first_name": "Bob",
                     "title": "VP Sales", "source": "Webinar"}, r["lead"]
assert rows["R6"]["lead"]["score"] == "150", rows["R6"]["lead"]
assert rows["R3"]["kind"] == "no_match" and "free-mail" in rows["R3"]["reason"], rows["R3"]
' || fail "review list --json"

wait_until 10 "l2a_review_open 4 in /metrics" _metric_is l2a_review_open 4

# ---- resolve to an account: contact, opportunity, role -------------------------------------------
l2a_run review resolve --config "$CFG" R1 --account 001A --by alice --note "the US entity"
assert_eq "$RC" 0 "resolve R1 ($ERR)"
assert_eq "$OUT" "resolved R1 -> account 001A (contact C-R1, opportunity O-1)" "resolve R1 output"
assert_eq "$(h contact:C-R1 account_id)" 001A "R1 contact's account"
assert_eq "$(h contact:C-R1 lead_source)" Webinar "R1 contact's source"
assert_eq "$(h lead:R1 account_id)" 001A "R1 result: account"
assert_eq "$(h lead:R1 outcome)" converted "R1 result: outcome"
assert_eq "$(h lead:R1 resolved_by)" alice "R1 result: resolved_by"
assert_eq "$(h opportunity:O-1 account_id)" 001A "O-1 on 001A"
assert_eq "$(h opportunity:O-1 owner_id)" 005A "O-1 owner"
assert_eq "$(h opportunity:O-1 role:C-R1)" "Decision Maker" "R1's role"
assert_eq "$(h alert:R1 status)" resolved "R1 alert resolved"
assert_eq "$(rcli zscore "${P}review:open" R1)" "" "R1 left the open set"

# the same person's second alert: the same contact, no new role, the score moves the stage
l2a_run review resolve --config "$CFG" R6 --account 001A --by alice
assert_eq "$OUT" "resolved R6 -> account 001A (contact C-R1, opportunity O-1)" "resolve R6 output"
assert_eq "$(rcli exists "${P}contact:C-R6")" 0 "no second contact for bob@acme.com"
assert_eq "$(h contact:C-R1 last_lead_id)" R6 "contact's last lead"
assert_eq "$(h contact:C-R1 lead_source)" Webinar "contact's source kept"
assert_eq "$(h opportunity:O-1 stage)" "Sales Accepted" "score 150 moved O-1"
[[ "$(h opportunity:O-1 stage_sales_accepted_at)" =~ ^20.*Z$ ]] || fail "Sales Accepted stamp"

# ---- resolve to a new account; the running daemon matches the company's next lead to it ---------
l2a_run review resolve --config "$CFG" R2 --new-account --by bob
assert_eq "$RC" 0 "resolve R2 ($ERR)"
assert_eq "$OUT" "resolved R2 -> new account new:newco.io (contact C-R2, opportunity O-2)" \
    "resolve R2 output"
assert_eq "$(h account:new:newco.io name)" "NewCo Robotics" "new account's name"
assert_eq "$(h account:new:newco.io type)" Prospect "new account's type"
assert_eq "$(rcli sismember "${P}accounts" new:newco.io)" 1 "new account in the set"
assert_eq "$(h lead:R2 outcome)" account_created "R2 result: outcome"
assert_eq "$(h lead:R2 account_id)" new:newco.io "R2 result: account"
assert_eq "$(h opportunity:O-2 role:C-R2)" "Decision Maker" "R2's role"
wait_until 10 "the daemon to index the new account" _metric_is l2a_accounts_indexed 4
push_json '{"id":"R5","email":"ivy@newco.io","title":"Data Engineer"}'
wait_group_idle 20
assert_eq "$(h lead:R5 decision)" match "R5: the new account matches"
assert_eq "$(h lead:R5 rule)" domain "R5 rule"
assert_eq "$(h lead:R5 account_id)" new:newco.io "R5 account"
assert_eq "$(h lead:R5 opportunity_id)" O-2 "R5 joins O-2"
assert_eq "$(h opportunity:O-2 role:C-R5)" "Technical Evaluator" "R5's role"

# ---- dismiss -------------------------------------------------------------------------------------
l2a_run review resolve --config "$CFG" R3 --dismiss --by carol --note spam
assert_eq "$OUT" "dismissed R3" "dismiss R3 output"
assert_eq "$(h alert:R3 status)" dismissed "R3 alert dismissed"
assert_eq "$(h lead:R3 outcome)" dismissed "R3 result: outcome"
assert_eq "$(rcli exists "${P}contact:C-R3")" 0 "no contact for a dismissal"
assert_eq "$(rcli hexists "${P}contacts:by_email" jo@gmail.com)" 0 "no email entry for a dismissal"

l2a_run review list --config "$CFG"
assert_eq "$OUT" "0 open" "queue empty"
wait_until 10 "l2a_review_open 0 in /metrics" _metric_is l2a_review_open 0
assert_eq "$(metric "$PORT" l2a_review_oldest_age_seconds)" 0 "oldest age of an empty queue"

# ---- every event once ----------------------------------------------------------------------------
assert_eq "$(events_dump)" 20 "events"
assert_eq "$(ev_dups)" "" "events repeated"
assert_eq "$(ev_count lead.flagged)" 4 "lead.flagged"
assert_eq "$(ev_count lead.flagged lead_id=R1 alert_id=R1 kind=review)" 1 "R1 flagged as review"
assert_eq "$(ev_count lead.flagged lead_id=R2 kind=no_match)" 1 "R2 flagged as no_match"
assert_eq "$(ev_count alert.resolved)" 3 "alert.resolved"
assert_eq "$(ev_count alert.resolved lead_id=R1 'resolution=account 001A' by=alice)" 1 "R1 resolved"
assert_eq "$(ev_count alert.resolved lead_id=R2 'resolution=new account new:newco.io' by=bob)" 1 \
    "R2 resolved"
assert_eq "$(ev_count alert.dismissed lead_id=R3 resolution=dismissed by=carol)" 1 "R3 dismissed"
assert_eq "$(ev_count alert.dismissed)" 1 "alert.dismissed"
assert_eq "$(ev_count account.created)" 1 "account.created"
assert_eq "$(ev_count account.created lead_id=R2 account_id=new:newco.io)" 1 "R2's account.created"
assert_eq "$(ev_count lead.converted)" 5 "lead.converted (R1 R2 R4 R5 R6)"
assert_eq "$(ev_count lead.converted lead_id=R6 contact_id=C-R1 new_contact=0)" 1 "R6 converted"
assert_eq "$(ev_count opportunity.created)" 2 "opportunity.created"
assert_eq "$(ev_count contact_role.added)" 3 "contact_role.added (C-R1, C-R2, C-R5)"
assert_eq "$(ev_count opportunity.stage_changed lead_id=R6 opportunity_id=O-1)" 1 "stage_changed"
assert_eq "$(ev_count opportunity.stage_changed)" 1 "stage_changed once"

stop_daemon "$PID" d
echo "ok [$TEST_NAME]"
