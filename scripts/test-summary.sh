#!/usr/bin/env bash
# Adds up the counters of the TRX and JUnit XML files in a folder and prints "N passed, N failed, N skipped".
# Exits non-zero when a test failed or no test ran.
set -euo pipefail
folder=${1:-.artifacts/test-results}
passed=0 failed=0 skipped=0
shopt -s nullglob
for trx in "$folder"/*.trx; do
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    value() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]\+' || echo 0; }
    passed=$((passed + $(value passed)))
    failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
    skipped=$((skipped + $(value notExecuted)))
done
# JUnit XML of the Python (pytest) and TypeScript (node --test) client tests.
for junit in "$folder"/*.junit.xml; do
    count() { grep -o "<$1[ />]" "$junit" | wc -l || true; }
    cases=$(count testcase) failures=$(($(count failure) + $(count error))) skips=$(count skipped)
    passed=$((passed + cases - failures - skips))
    failed=$((failed + failures))
    skipped=$((skipped + skips))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
