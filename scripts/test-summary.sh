#!/usr/bin/env bash
# Adds up the counters of the TRX and JUnit XML files in a folder and prints "N passed, N failed, N skipped".
# Each failed test is named first, with the first line of its message, so that the end of a CI log shows what
# failed. Exits non-zero when a test failed or no test ran.
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
if [ "$failed" -gt 0 ]; then
    echo "Failed tests:"
    python3 - "$folder" <<'PY'
import glob, sys, xml.etree.ElementTree as ET

folder = sys.argv[1]
failing = {"Failed", "Error", "Timeout", "Aborted"}
for path in sorted(glob.glob(folder + "/*.trx")):
    for result in ET.parse(path).getroot().iter():
        if result.tag.endswith("UnitTestResult") and result.get("outcome") in failing:
            message = next((e.text or "" for e in result.iter() if e.tag.endswith("Message")), "")
            first = message.strip().splitlines()[0] if message.strip() else ""
            print(f"  {result.get('testName')}: {first[:300]}")
for path in sorted(glob.glob(folder + "/*.junit.xml")):
    for case in ET.parse(path).getroot().iter("testcase"):
        for problem in list(case.findall("failure")) + list(case.findall("error")):
            first = (problem.get("message") or problem.text or "").strip().splitlines()
            print(f"  {case.get('classname')}.{case.get('name')}: {(first[0] if first else '')[:300]}")
PY
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
