#!/usr/bin/env bash
# tests/integration/test_web_review.sh - the review page over HTTP (curl) on alerts l2ad made:
# a login is needed; a wrong password and a login form without its token are refused; the
# session cookie is HttpOnly and SameSite=Strict and every page carries the CSP; a company of
# "<script>alert(1)</script>" is escaped on the list and the alert page; ids with < > / & and
# spaces have working links; POSTs without or with a wrong CSRF token change nothing (403);
# linking to a candidate converts the lead (contact in Redis, who and note recorded) and takes it
# off the list; account search finds an account in the index and linking to it works, also after
# FUNCTION FLUSH; a new account and a dismissal; two racing resolutions of one alert: exactly one
# is carried out, the other is told "already"; logout ends the session; an empty users file lets
# nobody in; the sixth failed login within the window is throttled (429) even with the right
# password; without Redis the page answers 503.
. "$(dirname "$0")/web_lib.sh"

web_start '{"id":"R1","email":"bob@acme.com","first_name":"Bob","title":"VP Sales"}' \
    '{"id":"R2","email":"carl@acme.com"}' \
    '{"id":"R3","email":"hal@newco.io","company":"NewCo Robotics"}' \
    '{"id":"X<1>","email":"eve@evil.io","company":"<script>alert(1)</script>"}' \
    '{"id":"S/1 x&y","email":"sam@acme.com"}'
J=$TEST_TMP/jar
for l in R1 R2 R3 'X<1>'; do
    assert_eq "$(rcli hget "${P}alert:$l" status)" open "$l is an open alert"
done

# ---- logging in ------------------------------------------------------------------------------
assert_eq "$(web_get "$J" /)" 303 "the list without a session"
assert_contains "$(cat "$TEST_TMP/headers")" "Location: /login" "sent to the login page"
assert_eq "$(web_login "$J" alice wrong-password)" 401 "a wrong password"
assert_contains "$(cat "$TEST_TMP/body")" "Wrong user name or password" "a wrong password: said"
assert_eq "$(grep -c l2a_session "$J" || true)" 0 "a wrong password: no session cookie"
assert_eq "$(web_get "$J" /)" 303 "still not logged in"
# a login form posted without its token (a forged cross-site login) is refused
assert_eq "$(web_post "$J" /login user=alice "password=$PASSWORD")" 403 "login without its token"
assert_eq "$(grep -c l2a_session "$J" || true)" 0 "login without its token: no session"

assert_eq "$(web_login "$J" alice "$PASSWORD")" 303 "the right password"
cookie=$(grep -i '^Set-Cookie: l2a_session=' "$TEST_TMP/headers")
assert_contains "$cookie" "HttpOnly" "session cookie HttpOnly"
assert_contains "$cookie" "SameSite=Strict" "session cookie SameSite=Strict"
assert_contains "$cookie" "Path=/" "session cookie path"
assert_eq "$(key_count "web:session:*")" 1 "the session is in Redis"

# ---- the list --------------------------------------------------------------------------------
assert_eq "$(web_get "$J" /)" 200 "the list"
assert_contains "$(cat "$TEST_TMP/headers")" "Content-Security-Policy: default-src 'none'; style-src 'self'; script-src 'self'" "CSP"
body=$(cat "$TEST_TMP/body")
for l in R1 R2 R3; do assert_contains "$body" "href=\"/alerts/$l\"" "$l listed"; done
assert_contains "$body" 'href="/alerts/X%3C1%3E">X&lt;1&gt;</a>' "an id with < > encoded and escaped"
assert_contains "$body" "&lt;script&gt;alert(1)&lt;/script&gt;" "the company escaped"
[[ "$body" != *"<script>alert"* ]] || fail "the list carries the company's <script> raw"
[[ "$body" != *"<script>"* ]] || fail "the list has an inline script"
assert_eq "$(web_get "$J" '/?kind=no_match')" 200 "kind filter"
assert_eq "$(grep -c 'class="lead"' "$TEST_TMP/body")" 2 "kind no_match: R3 and X<1>"
assert_eq "$(web_get "$J" '/?age=sla')" 200 "age filter"
assert_eq "$(grep -c 'class="lead"' "$TEST_TMP/body")" 0 "nothing is older than the SLA yet"
assert_eq "$(web_get "$J" '/alerts/X%3C1%3E')" 200 "the escaped lead's page"
body=$(cat "$TEST_TMP/body")
assert_contains "$body" "&lt;script&gt;alert(1)&lt;/script&gt;" "alert page: company escaped"
[[ "$body" != *"<script>alert"* ]] || fail "the alert page carries the company's <script> raw"
assert_eq "$(web_get "$J" /alerts/NOPE)" 404 "an unknown alert"
assert_contains "$(web_get "$J" / >/dev/null; cat "$TEST_TMP/body")" \
    'href="/alerts/S%2F1%20x%26y">S/1 x&amp;y</a>' "an id with / space & encoded in its link"
assert_eq "$(web_get "$J" '/alerts/S%2F1%20x%26y')" 200 "the page of an id with / space &"
assert_contains "$(cat "$TEST_TMP/body")" "<h1>Lead S/1 x&amp;y</h1>" "its page"

# ---- CSRF --------------------------------------------------------------------------------------
token=$(web_csrf "$J" /alerts/R1)
[ ${#token} -eq 64 ] || fail "no CSRF token on the alert page"
assert_eq "$(web_post "$J" /alerts/R1 link=001B)" 403 "a POST without the CSRF token"
assert_contains "$(cat "$TEST_TMP/body")" "CSRF" "the refusal says why"
# the token with its last hex digit changed (to 1 when it is 0, else to 0): never the token itself
wrong=${token%?}$([ "${token: -1}" = 0 ] && echo 1 || echo 0)
assert_eq "$(web_post "$J" /alerts/R1 link=001B "csrf=$wrong")" 403 "a wrong CSRF token"
assert_eq "$(web_post "$J" /logout x=1)" 403 "logout without the CSRF token"
assert_eq "$(rcli hget "${P}alert:R1" status)" open "nothing changed"
assert_eq "$(web_get "$J" /)" 200 "still logged in"

# ---- resolving -------------------------------------------------------------------------------
assert_eq "$(web_post "$J" /alerts/R1 link=001B "note=both on acme.com; <b>Holdings</b>" \
    "csrf=$token")" 303 "link R1 to 001B"
assert_contains "$(cat "$TEST_TMP/headers")" "Location: /?resolved=R1" "back to the list"
assert_eq "$(rcli hget "${P}alert:R1" status)" resolved "R1 resolved"
assert_eq "$(rcli hget "${P}alert:R1" resolution)" "account 001B" "R1 resolution"
assert_eq "$(rcli hget "${P}alert:R1" resolved_by)" alice "who resolved R1"
assert_eq "$(rcli hget "${P}alert:R1" note)" "both on acme.com; <b>Holdings</b>" "the note"
[ -n "$(rcli hget "${P}alert:R1" resolved_at)" ] || fail "when R1 was resolved"
contact=$(rcli hget "${P}lead:R1" contact_id)
[ -n "$contact" ] || fail "no contact for R1"
assert_eq "$(rcli hget "${P}contact:$contact" account_id)" 001B "R1's contact is in 001B"
assert_eq "$(rcli hget "${P}contact:$contact" email)" bob@acme.com "R1's contact email"
assert_eq "$(web_get "$J" /)" 200 "the list after"
[[ "$(cat "$TEST_TMP/body")" != *'href="/alerts/R1"'* ]] || fail "R1 still listed"
assert_eq "$(web_get "$J" /alerts/R1)" 200 "a closed alert's page"
assert_contains "$(cat "$TEST_TMP/body")" "account 001B" "the closed alert shows its resolution"
assert_contains "$(cat "$TEST_TMP/body")" "&lt;b&gt;Holdings&lt;/b&gt;" "the note escaped"

# account search (from the index) and linking to a result
assert_eq "$(web_get "$J" '/alerts/R3?q=initech')" 200 "search"
assert_contains "$(cat "$TEST_TMP/body")" 'name="link" class="link" value="001D"' "search finds 001D"
assert_eq "$(web_get "$J" '/alerts/R3?q=acme.com')" 200 "search by domain"
assert_eq "$(grep -o 'class="result"' "$TEST_TMP/body" | wc -l)" 2 "two accounts on acme.com"
assert_eq "$(web_post "$J" /alerts/R3 link=NOSUCH "csrf=$token")" 422 "link to no account"
assert_eq "$(rcli hget "${P}alert:R3" status)" open "R3 unchanged"
# the Function library gone from Redis (FUNCTION FLUSH): the page loads it again and resolves
rcli function flush >/dev/null
assert_eq "$(web_post "$J" /alerts/R3 link=001D "csrf=$token")" 303 "link R3 to a found account"
assert_eq "$(rcli hget "${P}lead:R3" account_id)" 001D "R3 converted into 001D"
# the page's resolution teaches as the CLI's does: NewCo Robotics at newco.io is 001D, by alice
fact=$(rcli hkeys "${P}learned" | grep "^always	newco.io	") || fail "no always fact learned from R3"
assert_contains "$(rcli hget "${P}learned" "$fact")" '"account_id":"001D"' "the learned account"
assert_contains "$(rcli hget "${P}learned" "$fact")" '"by":"alice"' "who taught it"

# a new account for X<1> (evil.io), and a dismissal of S/1 x&y with a note
assert_eq "$(web_post "$J" '/alerts/X%3C1%3E' new=1 "csrf=$token")" 303 "new account for X<1>"
assert_eq "$(rcli hget "${P}alert:X<1>" resolution)" "new account new:evil.io" "X<1> resolution"
assert_eq "$(rcli hget "${P}account:new:evil.io" name)" "<script>alert(1)</script>" \
    "the new account, named by the lead's company"
assert_eq "$(rcli hget "${P}lead:X<1>" account_id)" new:evil.io "X<1> converted into it"
assert_eq "$(web_post "$J" '/alerts/S%2F1%20x%26y' dismiss=1 note=spam "csrf=$token")" 303 \
    "dismiss S/1 x&y"
assert_eq "$(rcli hget "${P}alert:S/1 x&y" status)/$(rcli hget "${P}alert:S/1 x&y" note)" \
    dismissed/spam "S/1 x&y dismissed with its note"
assert_eq "$(rcli hget "${P}lead:S/1 x&y" contact_id)" "" "a dismissal converts nothing"
assert_eq "$(web_post "$J" /alerts/R2 link=001A dismiss=1 "csrf=$token")" 400 "two actions at once"

# two resolutions of R2 at once: one is carried out, the other is told
web_post "$J" /alerts/R2 link=001A "csrf=$token" >"$TEST_TMP/code1" &
p1=$!
cp "$J" "$J.2"
curl -s -m 10 -o "$TEST_TMP/body2" -w '%{http_code}' -b "$J.2" --data-urlencode dismiss=1 \
    --data-urlencode "csrf=$token" "$WEB/alerts/R2" >"$TEST_TMP/code2" &
p2=$!
wait "$p1" "$p2"
codes=$(sort "$TEST_TMP/code1" "$TEST_TMP/code2" | paste -sd' ')
assert_eq "$codes" "303 409" "racing resolutions: one done, one refused"
if [ "$(cat "$TEST_TMP/code1")" == 409 ]; then loser=$TEST_TMP/body; else loser=$TEST_TMP/body2; fi
assert_contains "$(cat "$loser")" "already" "the second is told it was already resolved"
events_dump >/dev/null
assert_eq "$(grep -P 'lead_id=R2(\t|$)' "$TEST_TMP/events.tsv" | grep -cE 'type=alert\.')" 1 \
    "R2 closed exactly once (one alert event)"
assert_eq "$(grep -P 'lead_id=R2(\t|$)' "$TEST_TMP/events.tsv" | grep -c 'type=lead.converted')" \
    "$(grep -c 'resolved' <<<"$(rcli hget "${P}alert:R2" status)")" "R2 converted at most once"

# ---- logout ----------------------------------------------------------------------------------
assert_eq "$(web_post "$J" /logout "csrf=$token")" 303 "logout"
assert_eq "$(key_count "web:session:*")" 0 "the session left Redis"
assert_eq "$(web_get "$J" /)" 303 "logged out"

# ---- an empty users file: nobody ---------------------------------------------------------------
cp "$USERS" "$USERS.saved"
: >"$USERS"
assert_eq "$(web_login "$TEST_TMP/jar2" alice "$PASSWORD")" 401 "empty users file: alice refused"
cp "$USERS.saved" "$USERS"

# ---- throttling --------------------------------------------------------------------------------
# the empty-file attempt counted one failure; four more, then the right password is refused too
for i in 1 2 3 4; do
    assert_eq "$(web_login "$TEST_TMP/jar3" alice "bad-$i")" 401 "failed login $i"
done
assert_eq "$(web_login "$TEST_TMP/jar3" alice "$PASSWORD")" 429 "the sixth attempt is throttled"
assert_contains "$(cat "$TEST_TMP/body")" "Too many failed logins" "the throttle says so"
ttl=$(rcli ttl "${P}web:throttle:alice|127.0.0.1")
{ [ "$ttl" -gt 0 ] && [ "$ttl" -le 900 ]; } || fail "throttle window TTL $ttl"
# another name from the same address is not held back
printf '%s\n' "$PASSWORD" | "$L2A" web passwd bob >>"$USERS"
assert_eq "$(web_login "$TEST_TMP/jar4" bob "$PASSWORD")" 303 "another user logs in"

# ---- Redis gone: the page says so (503), the daemon still stops cleanly ------------------------
if [ -z "$REDIS_EXTERNAL" ]; then
    stop_redis
    _unavailable() { [ "$(web_get "$TEST_TMP/jar4" /)" == 503 ]; }
    wait_until 10 "the list to answer 503 without Redis" _unavailable
    assert_contains "$(cat "$TEST_TMP/body")" "Redis cannot be reached" "503 says why"
fi
stop_daemon "$PID" d
echo "ok: review page over HTTP"
