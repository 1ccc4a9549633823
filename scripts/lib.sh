# scripts/lib.sh - shell helpers shared by the demo and the benchmark scripts (sourced, not run).

# A free loopback TCP port (the kernel picks it).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Links the shipped lists (conf/*.txt, conf/*.tsv) into DIR, so that a config copied there finds
# them by the relative names conf/l2a.yaml uses. Run from the repository root.
link_lists() {
    local f
    for f in conf/*.txt conf/*.tsv; do ln -s "$(pwd)/$f" "$1/$(basename "$f")"; done
}

# The checked-out commit for a benchmark's header line, "unknown" outside a git checkout (a
# release tarball), without git's own complaint on stderr. bench_commit BIN: the commit of the
# checkout BIN was built in (a build directory inside it), which need not be this one.
bench_commit() {
    git -C "$(dirname "${1:-.}")" rev-parse --short HEAD 2>/dev/null || echo unknown
}
