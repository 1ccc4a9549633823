#!/usr/bin/env bash
# tests/lua/test_consumers.sh - the forget_consumers Function on a real redis-server: a consumer
# idle past the limit with nothing pending is removed; one holding a pending entry, one idle less
# than the limit, and the caller itself are kept; a wrong-type stream key fails with no write.
. "$(dirname "$0")/lua_lib.sh"

forget() { # IDLE_MS SELF
    fcall "$FN_FORGET_CONSUMERS" 1 "${P}leads" l2a "$1" "$2"
}
consumers() {
    rcli xinfo consumers "${P}leads" l2a | awk 'p { print; p = 0 } $0 == "name" { p = 1 }' | sort |
        paste -sd' '
}

rcli xgroup create "${P}leads" l2a '$' mkstream >/dev/null
rcli xgroup createconsumer "${P}leads" l2a gone >/dev/null
rcli xgroup createconsumer "${P}leads" l2a me >/dev/null
pending_entry id L1 >/dev/null          # delivered to consumer t: t holds one pending entry
wait_idle() { sleep 0.3; }
wait_idle
assert_eq "$(consumers)" "gone me t" "consumers before"
assert_eq "$(forget 60000 me)" 0 "nobody idle for a minute"
assert_eq "$(consumers)" "gone me t" "consumers after a limit nobody reached"
assert_eq "$(forget 200 me)" 1 "gone removed (t holds an entry, me is the caller)"
assert_eq "$(consumers)" "me t" "consumers after"

rcli xack "${P}leads" l2a "$(rcli xrange "${P}leads" - + | head -n 1)" >/dev/null
wait_idle
assert_eq "$(forget 200 me)" 1 "t removed once it holds nothing"
assert_eq "$(consumers)" "me" "the caller is never removed"

wrong_key string "${P}other"
expect_fail_unchanged "a string where the stream should be" WRONGTYPE \
    "$FN_FORGET_CONSUMERS" 1 "${P}other" l2a 200 me
echo "ok [$TEST_NAME]"
