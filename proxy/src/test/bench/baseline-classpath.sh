#!/usr/bin/env bash
# Prints the class path of the proxy's benchmark server (BenchServer) as built in CHECKOUT, a checkout of another
# commit (e.g. the one before a change), for LoadBench --baseline-classpath (docs/BENCHMARKS.md):
#
#   git worktree add --detach /tmp/before REV
#   CP=$(proxy/src/test/bench/baseline-classpath.sh /tmp/before)
#
# It compiles protocol and proxy there (main and test classes) and prints the class path the proxy's tests were
# compiled with: CHECKOUT's own classes, its protocol module's classes (taken from the reactor, so nothing is installed
# into the local Maven repository and the protocol snapshot the current code needs stays as it is), then the
# dependencies of CHECKOUT's poms. The class path is read from the compiler plugin's debug output (its testPath),
# because that needs no plugin beyond those of the build itself: the offline build here has no dependency or exec
# plugin to print it.
set -euo pipefail
checkout=$(cd "${1:?usage: baseline-classpath.sh CHECKOUT}" && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! (cd "$checkout" && mvn -B -o -X -pl proxy -am test-compile) >"$log" 2>&1; then
    grep -E '^\[ERROR\]' "$log" >&2 || tail -20 "$log" >&2
    exit 1
fi
grep -F "(f) testPath = [$checkout/proxy/target/test-classes, " "$log" | tail -1 \
    | sed -e 's/^.*(f) testPath = \[//' -e 's/\]$//' -e 's/, /:/g'
