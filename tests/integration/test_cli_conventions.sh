#!/usr/bin/env bash
# tests/integration/test_cli_conventions.sh - the command-line conventions of l2a and l2ad, on the real binaries and without Redis: --help and --version, usage errors (exit 2, what was wrong on stderr), unreadable inputs (exit 1), and configs check-config and l2ad refuse alike with file:line:column.
. "$(dirname "$0")/lib.sh"

SRC=${L2A_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
L2AD=$BUILD_DIR/l2ad
ROOT_ARGS=()    # l2ad refuses to run as root without --allow-root (the suite may run as root)
[ "$(id -u)" -ne 0 ] || ROOT_ARGS=(--allow-root)
CASE=$SRC/tests/cases/domain_exact

# run PROGRAM ARGS...: OUT gets stdout, ERR stderr, RC the exit status.
run() {
    RC=0
    OUT=$("$@" 2>"$TEST_TMP/stderr") || RC=$?
    ERR=$(cat "$TEST_TMP/stderr")
}

# expect_help PROGRAM ARGS...: exit 0, the usage on stdout, nothing on stderr.
expect_help() {
    run "$@"
    assert_eq "$RC" 0 "$* exit status"
    [ -n "$OUT" ] || fail "$*: nothing on stdout"
    assert_contains "$OUT" "usage" "$* prints the usage"
    assert_eq "$ERR" "" "$* stderr"
}

# expect_usage_error NEEDLE PROGRAM ARGS...: exit 2, stdout empty, NEEDLE then the usage on stderr.
expect_usage_error() {
    local needle=$1
    shift
    run "$@"
    assert_eq "$RC" 2 "$* exit status"
    assert_eq "$OUT" "" "$* stdout"
    assert_eq "$(head -n 1 <<<"$ERR")" "$needle" "$* says what was wrong"
    assert_contains "$ERR" "usage:" "$* prints the usage after the error"
}

# ---- --help and --version ----------------------------------------------------------------------
for args in "--help" "-h" "help" "match --help" "check-config --help" "import-accounts --help" \
    "push --help" "review --help" "review list --help" "review show --help" \
    "review resolve --help" "replay --help" "web --help" "web passwd --help" "learned --help" \
    "learned list --help" "learned export --help" "learned import --help" \
    "learned forget --help"; do
    read -ra argv <<<"$args"
    expect_help "$L2A" "${argv[@]}"
done
expect_help "$L2AD" --help
# --help wins over what else is (or is not) there
expect_help "$L2A" match --leads x --help
expect_help "$L2A" review resolve LEAD --help
# each review subcommand's help is its own
for sub in list show resolve; do
    expect_help "$L2A" review "$sub" --help
    assert_contains "$OUT" "usage: l2a review $sub " "review $sub --help: its usage"
    for other in list show resolve; do
        [ "$other" == "$sub" ] || [[ "$OUT" != *"l2a review $other "* ]] ||
            fail "review $sub --help shows review $other's usage"
    done
done

run "$L2A" --version
assert_eq "$RC/$ERR" "0/" "l2a --version"
[[ "$OUT" =~ ^l2a\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "l2a --version printed '$OUT'"
run "$L2AD" --version
assert_eq "$RC/$ERR" "0/" "l2ad --version"
[[ "$OUT" =~ ^l2ad\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "l2ad --version printed '$OUT'"
assert_eq "${OUT#l2ad }" "$("$L2A" --version | cut -d' ' -f2)" "both programs have one version"

# ---- usage errors ------------------------------------------------------------------------------
expect_usage_error "l2a: missing command" "$L2A"
expect_usage_error "l2a: unknown command 'foo'" "$L2A" foo
expect_usage_error "l2a: unknown option '--bogus'" "$L2A" --bogus
expect_usage_error "l2a: unexpected argument 'x'" "$L2A" --version x
expect_usage_error "l2a match: --config is required" "$L2A" match --accounts a --leads l
expect_usage_error "l2a match: --accounts is required" "$L2A" match --config c --leads l
expect_usage_error "l2a match: --leads is required" "$L2A" match --config c --accounts a
expect_usage_error "l2a match: unexpected argument 'x'" "$L2A" match --config c --accounts a \
    --leads l x
expect_usage_error "l2a match: unknown option '--nope'" "$L2A" match --nope
expect_usage_error "l2a match: option '--config' needs a value" "$L2A" match --config
expect_usage_error "l2a web: missing subcommand (passwd)" "$L2A" web
expect_usage_error "l2a web: unknown subcommand 'x' (passwd)" "$L2A" web x
expect_usage_error "l2a web passwd: NAME is required" "$L2A" web passwd
expect_usage_error "l2a web passwd: unexpected argument 'b'" "$L2A" web passwd a b
expect_usage_error "l2a web passwd: bad NAME 'a:b' (1 to 64 letters, digits and . _ @ -)" \
    "$L2A" web passwd a:b
expect_usage_error "l2a check-config: FILE is required" "$L2A" check-config
expect_usage_error "l2a check-config: unexpected argument 'b'" "$L2A" check-config a b
expect_usage_error "l2a check-config: unknown option '--json'" "$L2A" check-config --json a
expect_usage_error "l2a import-accounts: ACCOUNTS.csv is required" "$L2A" import-accounts
expect_usage_error "l2a import-accounts: '--flat' is not an option of this command" "$L2A" \
    import-accounts --flat a.csv
expect_usage_error "l2a push: LEADS.jsonl is required" "$L2A" push --redis redis://h
expect_usage_error "l2a push: unexpected argument 'x'" "$L2A" push leads.jsonl x
expect_usage_error "l2a push: option '--redis' needs a value" "$L2A" push leads.jsonl --redis
expect_usage_error "l2a review: missing subcommand (list, show or resolve)" "$L2A" review
expect_usage_error "l2a review: unknown subcommand 'purge' (list, show or resolve)" "$L2A" \
    review purge
expect_usage_error "l2a review list: unexpected argument 'x'" "$L2A" review list x
expect_usage_error "l2a review list: bad duration '2x' for --older-than (e.g. 2d, 36h, 1d12h)" \
    "$L2A" review list --older-than 2x
expect_usage_error "l2a review list: '--account' is not an option of this command" "$L2A" \
    review list --account 001A
expect_usage_error "l2a review show: LEAD is required" "$L2A" review show
expect_usage_error "l2a review show: unexpected argument 'B'" "$L2A" review show A B
expect_usage_error "l2a review resolve: one of --account, --new-account and --dismiss is required" \
    "$L2A" review resolve 00Q1
expect_usage_error "l2a review resolve: give only one of --account, --new-account and --dismiss" \
    "$L2A" review resolve 00Q1 --dismiss --account 001A
expect_usage_error "l2a replay: --config is required" "$L2A" replay --since 7d
expect_usage_error "l2a replay: unexpected argument 'x'" "$L2A" replay --config c x
expect_usage_error "l2a replay: bad duration '7x' for --since (e.g. 7d, 36h, 30m)" "$L2A" replay \
    --config c --since 7x
expect_usage_error "l2a replay: option '--since' needs a value" "$L2A" replay --config c --since
expect_usage_error "l2a replay: option '--json' takes no value" "$L2A" replay --config c --json=1
expect_usage_error "l2a learned: missing subcommand (list, export, import or forget)" "$L2A" learned
expect_usage_error "l2a learned list: unexpected argument 'x'" "$L2A" learned list x
expect_usage_error "l2a learned import: FILE is required" "$L2A" learned import
expect_usage_error "l2a learned forget: forget always takes 2 arguments after it" "$L2A" learned \
    forget always acme
expect_usage_error "l2a learned forget: forget what: always NAME DOMAIN, never NAME ACCOUNT [DOMAIN] or domain DOMAIN" \
    "$L2A" learned forget sometimes
expect_usage_error "l2ad: --config is required" "$L2AD"
expect_usage_error "l2ad: unexpected argument 'extra'" "$L2AD" --config c.yaml extra
expect_usage_error "l2ad: unknown option '--bogus'" "$L2AD" --bogus
expect_usage_error "l2ad: option '--config' needs a value" "$L2AD" --config

# ---- inputs that cannot be read: exit 1, naming the path ---------------------------------------
run "$L2A" match --config "$CASE/l2a.yaml" --accounts "$CASE/accounts.csv" --leads "$TEST_TMP"
assert_eq "$RC/$OUT" "1/" "match --leads DIR"
assert_eq "$ERR" "l2a match: $TEST_TMP: is a directory" "match --leads DIR says so"
run "$L2A" match --config "$CASE/l2a.yaml" --accounts "$TEST_TMP" --leads "$CASE/leads.jsonl"
assert_eq "$RC/$OUT" "1/" "match --accounts DIR"
assert_eq "$ERR" "l2a match: $TEST_TMP: is a directory" "match --accounts DIR says so"
run "$L2A" match --config "$CASE/l2a.yaml" --accounts "$CASE/accounts.csv" --leads "$TEST_TMP/no"
assert_eq "$RC" 1 "match --leads MISSING"
assert_eq "$ERR" "l2a match: $TEST_TMP/no: No such file or directory" "match --leads MISSING"
run "$L2A" check-config "$TEST_TMP"
assert_eq "$RC" 1 "check-config DIR"
assert_contains "$ERR" "$TEST_TMP" "check-config DIR names it"

# ---- configs l2ad refuses at start: check-config refuses them too, at file:line:column ---------
mkdir -p "$TEST_TMP/conf"
cp "$SRC"/conf/*.txt "$SRC"/conf/*.tsv "$TEST_TMP/conf/"
CFG=$TEST_TMP/conf/l2a.yaml

# expect_refused YAML_LINE WHERE NEEDLE: a config with the line (after a daemon section) makes
# check-config and l2ad exit 1 with "CFG:WHERE: ...NEEDLE...".
expect_refused() {
    printf 'daemon:\n  batch_size: 10\n%s\n' "$1" >"$CFG"
    run "$L2A" check-config "$CFG"
    assert_eq "$RC/$OUT" "1/" "check-config on '$1'"
    [[ "$ERR" =~ ^/.*l2a.yaml:[0-9]+:[0-9]+:\  ]] || fail "check-config on '$1': no file:line:column in '$ERR'"
    assert_eq "${ERR%%: *}" "$CFG:$2" "check-config on '$1' points at the value"
    assert_contains "$ERR" "$3" "check-config on '$1' says why"
    local msg=$ERR
    run timeout 20 "$L2AD" --config "$CFG" "${ROOT_ARGS[@]}"
    assert_eq "$RC" 1 "l2ad --config with '$1'"
    assert_contains "$ERR" "l2ad: $msg" "l2ad on '$1' says what check-config says"
}

expect_refused 'redis: {url: "http://foo"}' 3:14 "redis.url: unsupported Redis URL scheme 'http'"
expect_refused 'redis: {url: "redis://h:notaport"}' 3:14 "redis.url: Redis URL: bad port"
expect_refused 'http: {listen: "nonsense"}' 3:16 "http.listen: 'nonsense': expected host:port"
expect_refused 'http: {listen: ":99999"}' 3:16 "http.listen: ':99999': expected host:port"
expect_refused 'lists: {freemail: missing.txt}' 3:19 \
    "lists.freemail: cannot read $TEST_TMP/conf/missing.txt: No such file or directory"
expect_refused 'lists: {legal_forms: /tmp}' 3:22 "lists.legal_forms: cannot read /tmp: is a directory"
expect_refused 'daemon2: {}' 3:1 'unknown key "daemon2"'

# the same file, corrected, is fine
printf 'daemon:\n  batch_size: 10\nhttp: {listen: ":0"}\nredis: {url: "unix:///run/r.sock?db=2"}\n' \
    >"$CFG"
run "$L2A" check-config "$CFG"
assert_eq "$RC/$OUT/$ERR" "0/$CFG: ok/" "check-config on a good config"
# l2a match checks the config as check-config does
printf 'lists: {freemail: missing.txt}\n' >"$CFG"
run "$L2A" match --config "$CFG" --accounts "$CASE/accounts.csv" --leads "$CASE/leads.jsonl"
assert_eq "$RC/$OUT" "1/" "match with a missing list file"
assert_contains "$ERR" "$CFG:1:19: lists.freemail: cannot read" "match names the key's line:column"

# ---- l2a match's progress line: on a terminal stderr only while the decisions go elsewhere, and
# ended with a newline ----------------------------------------------------------------------------
if command -v script >/dev/null; then
    args="--config $CASE/l2a.yaml --accounts $CASE/accounts.csv --leads $CASE/leads.jsonl"
    script -qec "$L2A match $args >$TEST_TMP/decisions.jsonl" "$TEST_TMP/tty1" >/dev/null
    tr -d '\r' <"$TEST_TMP/tty1" | grep -qE '^l2a: [0-9]+ leads decided$' ||
        fail "no progress line ended by a newline on the terminal: $(cat -A "$TEST_TMP/tty1" | head -c 300)"
    script -qec "$L2A match $args" "$TEST_TMP/tty2" >/dev/null
    ! grep -q 'leads decided' "$TEST_TMP/tty2" || fail "a progress line among the decisions"
fi

echo "PASS [$TEST_NAME]"
