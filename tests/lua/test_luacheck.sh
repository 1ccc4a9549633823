#!/usr/bin/env bash
# tests/lua/test_luacheck.sh - luacheck (Debian lua-check, installed by scripts/deps) is clean on
# src/redis/lua/*.lua with src/redis/lua/.luacheckrc, and that config does catch a global write
# and an unused variable (a file with both must fail). No redis-server needed.
set -euo pipefail
SRC_DIR=${L2A_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
LUA_DIR=$SRC_DIR/src/redis/lua

fail() {
    echo "FAIL [test_luacheck]: $*" >&2
    exit 1
}

command -v luacheck >/dev/null || fail "luacheck not found (Debian package lua-check: scripts/deps installs it)"
luacheck --no-color --config "$LUA_DIR/.luacheckrc" "$LUA_DIR"/*.lua || fail "luacheck found problems"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/l2a-luacheck.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
printf 'local unused = 1\ncount = redis.call("DBSIZE")\n' >"$tmp/bad.lua"
if luacheck --no-color --config "$LUA_DIR/.luacheckrc" "$tmp/bad.lua" >"$tmp/out" 2>&1; then
    fail "luacheck passed a file that sets a global and leaves a variable unused"
fi
grep -q "setting non-standard global variable 'count'" "$tmp/out" || fail "no global-write warning: $(cat "$tmp/out")"
grep -q "unused variable 'unused'" "$tmp/out" || fail "no unused-variable warning: $(cat "$tmp/out")"
echo "ok [test_luacheck]"
