#!/usr/bin/env bash
# Shows that the breaking-change check of scripts/buf-breaking.sh works with the rules in protos/buf.yaml:
# each case edits a temporary copy of protos/ and runs the check against a baseline copy. Breaking edits
# of nps.v1 must fail the check with the expected buf message; additions, a changed copy in a new
# nps.v2 package and a change inside an unstable nps.v2beta1 package must pass.
# Prints one line per case and "N passed, N failed"; exits non-zero when a case fails.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
passed=0 failed=0

# Runs one case: $1 its name, $2 a function that edits the copy in $work (and may change $baseline),
# $3 "fails" or "passes", $4 for a failing case, text that buf's output must contain.
run_case() {
    local name=$1 edit=$2 expected=$3 message=${4:-} outcome
    work="$scratch/$name/input"
    baseline="$root/protos"
    mkdir -p "$scratch/$name"
    cp -r "$root/protos" "$work"
    "$edit"

    local log="$scratch/$name/buf.log"
    if "$root/scripts/buf-breaking.sh" --against-dir "$baseline" --input "$work" >"$log" 2>&1; then
        outcome=passes
    else
        outcome=fails
    fi

    if [ "$outcome" != "$expected" ]; then
        report_failure "$name" "the check $outcome, expected: $expected" "$log"
    elif [ -n "$message" ] && ! grep -qF -- "$message" "$log"; then
        report_failure "$name" "buf's output lacks: $message" "$log"
    else
        passed=$((passed + 1))
        echo "ok: $name ($outcome)"
    fi
}

report_failure() {
    failed=$((failed + 1))
    echo "FAILED: $1: $2; buf output:"
    sed 's/^/    /' "$3"
}

# Replaces the line that equals $2 in file $1 with the text $3; exits when no line equals $2.
replace_line() {
    local file=$1 old=$2 new=$3
    grep -qxF -- "$old" "$file" || { echo "test setup: no line '$old' in $file" >&2; exit 2; }
    OLD="$old" NEW="$new" /usr/bin/python3 -c '
import os, sys
path = sys.argv[1]
lines = open(path).read().split("\n")
open(path, "w").write("\n".join(os.environ["NEW"] if line == os.environ["OLD"] else line for line in lines))
' "$file"
}

# Copies survey.proto into package nps.$1 without its description field.
add_package_version() {
    local version=$1
    mkdir -p "$work/nps/$version"
    sed -e "s/^package nps\.v1;/package nps.$version;/" \
        -e "s/NpsGrpc\.V1/NpsGrpc.${version^}/" \
        -e '/^  string description = 3;$/d' \
        "$work/nps/v1/survey.proto" >"$work/nps/$version/survey.proto"
}

delete_field() { replace_line "$work/nps/v1/survey.proto" "  string description = 3;" "  reserved 3;"; }
change_field_type() { replace_line "$work/nps/v1/survey.proto" "  string display_name = 2;" "  bytes display_name = 2;"; }
renumber_field() { replace_line "$work/nps/v1/survey.proto" "  string description = 3;" "  string description = 5;"; }
remove_rpc() {
    replace_line "$work/nps/v1/survey.proto" "  rpc ListSurveys(ListSurveysRequest) returns (ListSurveysResponse);" ""
}
add_field() {
    replace_line "$work/nps/v1/survey.proto" "  google.protobuf.Timestamp create_time = 4;" \
        "  google.protobuf.Timestamp create_time = 4;
  // Team that owns the survey.
  string owner = 5;"
}
add_v2_package() { add_package_version v2; }
# The baseline has nps.v2beta1 too, so the edit is a change inside an existing unstable package.
change_beta_package() {
    add_package_version v2beta1
    baseline="$scratch/change-beta-package/baseline"
    cp -r "$work" "$baseline"
    replace_line "$work/nps/v2beta1/survey.proto" "  string display_name = 2;" "  bytes display_name = 2;"
}

run_case delete-field delete_field fails 'field "3" with name "description" on message "Survey" was deleted'
run_case change-field-type change_field_type fails 'changed type from "string" to "bytes"'
run_case renumber-field renumber_field fails 'field "3" with name "description" on message "Survey" was deleted'
run_case remove-rpc remove_rpc fails 'RPC "ListSurveys" on service "SurveyService" was deleted'
run_case add-field add_field passes
run_case add-v2-package add_v2_package passes
run_case change-beta-package change_beta_package passes

echo "buf breaking cases: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
