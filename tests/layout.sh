#!/usr/bin/env bash
# tests/layout.sh - the source layout keeps its promises: the engine library links no Redis, event
# loop or YAML code, nothing outside src/match/ includes the engine's internal headers, the folders
# include one way (base <- match <- conf <- redis <- daemon, cli) and no two sources share a name.
# Usage: layout.sh SOURCE_DIR ENGINE_LIBRARY [ENGINE_ONLY_PROGRAM]
set -euo pipefail
src=$1/src
lib=$2
program=${3:-}
bad=0

complain() { echo "layout: $*" >&2; bad=1; }

# 1. The engine archive needs nothing from hiredis, libevent, libyaml or libsystemd.
undefined=$(nm -u "$lib" | awk '{print $NF}' | sort -u)
foreign=$(grep -E '^(redis|event_|evhttp|evbuffer|bufferevent|yaml_|sd_)' <<<"$undefined" || true)
[ -z "$foreign" ] || complain "$lib needs symbols from outside the engine: $(tr '\n' ' ' <<<"$foreign")"

# 1b. A program linked to the engine alone (tests/golden_engine.c) loads none of those libraries.
if [ -n "$program" ]; then
    loaded=$(ldd "$program" | grep -E 'libhiredis|libevent|libyaml|libsystemd' || true)
    [ -z "$loaded" ] || complain "$program loads: $loaded"
fi

# 2. The engine's internals stay inside src/match/ (its one public header is engine.h).
internal='"(matcher_impl|evidence|index|normalize|score|domain)\.h"'
leaks=$(grep -lE "#include $internal" "$src"/{conf,redis,daemon,cli}/*.[ch] || true)
[ -z "$leaks" ] || complain "engine internals included outside src/match/: $leaks"

# 3. Includes point one way: a folder includes headers of the folders below it only.
below() {
    case $1 in
    base) echo "" ;;
    match) echo "base" ;;
    conf) echo "base match" ;;
    redis) echo "base match conf" ;;
    daemon | cli) echo "base match conf redis" ;;
    esac
}
for dir in base match conf redis daemon cli; do
    allowed="$dir $(below "$dir")"
    for f in "$src/$dir"/*.[ch]; do
        for inc in $(sed -nE 's/^#include "([^"]+)"/\1/p' "$f"); do
            home=$(cd "$src" && ls -d -- */"$inc" 2>/dev/null | head -n 1 | cut -d/ -f1)
            [ -n "$home" ] || continue   # generated or system header
            grep -qw "$home" <<<"$allowed" || complain "$f includes $home/$inc (against the layering)"
        done
    done
done

# 4. No two source files share a name.
dups=$(find "$src" -name '*.[ch]' -printf '%f\n' | sort | uniq -d)
[ -z "$dups" ] || complain "source files sharing a name: $dups"

[ "$bad" -eq 0 ] && echo "layout: ok"
exit "$bad"
