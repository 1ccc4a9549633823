# tests/integration/outcomes_lib.sh - helpers for the outcome tests on top of daemon_lib.sh: the
# shipped config with a few keys changed, and the events stream read back as lines.
#
# Usage, in tests/integration/test_outcomes_x.sh (run as `test_outcomes_x.sh BUILD_DIR`):
#   . "$(dirname "$0")/outcomes_lib.sh"
#   shipped_config FILE HTTP_PORT [section.key=value ...]
#   events_dump; ev_count TYPE [field=value ...]; ev_dups
. "$(dirname "$0")/daemon_lib.sh"

# shipped_config FILE HTTP_PORT [section.key=value ...]: conf/l2a.yaml as shipped (its comments,
# rules and contact roles), pointed at the test server, prefix and port, the lists by absolute
# path, then the given one-line keys replaced. A key that is not in the file fails the test.
shipped_config() {
    local file=$1 port=$2
    shift 2
    python3 - "$SRC_DIR/conf/l2a.yaml" "$file" "redis.url=\"$REDIS_URL\"" \
        "redis.prefix=\"$L2A_PREFIX\"" "http.listen=\"127.0.0.1:$port\"" \
        "lists.freemail=\"$SRC_DIR/conf/freemail-domains.txt\"" \
        "lists.disposable=\"$SRC_DIR/conf/disposable-email-domains.txt\"" \
        "lists.legal_forms=\"$SRC_DIR/conf/legal-forms.tsv\"" "$@" <<'EOF' || fail "shipped_config $*"
import re, sys
src, dst, sets = sys.argv[1], sys.argv[2], {}
for a in sys.argv[3:]:
    k, v = a.split("=", 1)
    sets[k] = v
section, out, done = None, [], set()
for line in open(src, encoding="utf-8"):
    m = re.match(r"^([a-z_]+):", line)
    if m:
        section = m.group(1)
    m = re.match(r"^  ([a-z_]+):", line)
    key = m and "%s.%s" % (section, m.group(1))
    if key in sets and key not in done:
        line = "  %s: %s\n" % (m.group(1), sets[key])
        done.add(key)
    out.append(line)
missing = set(sets) - done
if missing:
    sys.exit("keys not in the shipped config: %s" % sorted(missing))
open(dst, "w", encoding="utf-8").write("".join(out))
EOF
    "$L2A" check-config "$file" >/dev/null || fail "shipped_config: $file is not valid"
}

# Every event of the prefix's events stream as one line of tab-separated field=value pairs, in
# stream order, into $TEST_TMP/events.tsv (also printed count). One server-side script.
EVENTS_LUA='
local out = {}
for _, e in ipairs(redis.call("XRANGE", KEYS[1], "-", "+")) do
  local f = {}
  for i = 1, #e[2], 2 do f[#f + 1] = e[2][i] .. "=" .. e[2][i + 1] end
  out[#out + 1] = table.concat(f, "\t")
end
return out'
events_dump() {
    rcli eval "$EVENTS_LUA" 1 "${L2A_PREFIX}events" >"$TEST_TMP/events.tsv"
    wc -l <"$TEST_TMP/events.tsv"
}

# ev_count TYPE [field=value ...]: events of that type carrying every given field=value (reads
# the last events_dump).
ev_count() {
    local t=$1
    shift
    awk -F'\t' -v t="type=$t" -v want="$(printf '%s\n' "$@")" '
        BEGIN { n = split(want, w, "\n"); if (want == "") n = 0 }
        { ok = 0; for (i = 1; i <= NF; i++) if ($i == t) ok = 1
          for (j = 1; j <= n && ok; j++) { hit = 0
              for (i = 1; i <= NF; i++) if ($i == w[j]) hit = 1
              ok = hit }
          c += ok }
        END { print c + 0 }' "$TEST_TMP/events.tsv"
}

# ev_dups: events that say the same thing twice (the same line once the time "at" is left out);
# prints them, nothing when every event is unique.
ev_dups() {
    sed 's/\tat=[^\t]*//' "$TEST_TMP/events.tsv" | sort | uniq -d
}

# Keys matching a pattern under the prefix (SCAN, server side).
COUNT_LUA='
local cursor, n = "0", 0
repeat
  local r = redis.call("SCAN", cursor, "MATCH", ARGV[1], "COUNT", 1000)
  cursor = r[1]
  n = n + #r[2]
until cursor == "0"
return n'
key_count() {
    rcli eval "$COUNT_LUA" 0 "${L2A_PREFIX}$1"
}

# push_json LINE...: the leads (JSON objects) appended to the input stream through `l2a push`.
push_json() {
    printf '%s\n' "$@" >"$TEST_TMP/push.jsonl"
    "$L2A" push --config "$TOOLS_CFG" "$TEST_TMP/push.jsonl" >/dev/null 2>&1 || fail "l2a push"
}
