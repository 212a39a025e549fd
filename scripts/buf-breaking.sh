#!/usr/bin/env bash
# Checks protos/ for breaking changes with `buf breaking` (rules in protos/buf.yaml).
#
#   scripts/buf-breaking.sh                       compare the working tree with the baseline commit below
#   scripts/buf-breaking.sh --against-dir DIR [--input DIR]
#                                                 compare two folders of protos (used by the tests)
#
# Baseline commit, the first that applies:
#   1. $BUF_BREAKING_AGAINST, any git revision (a release tag, for example);
#   2. on a branch other than main: the merge base of HEAD and main (main's last commit when the branch
#      is up to date), so changes that main gained later are not reported as deletions;
#   3. when HEAD is main's last commit (CI on a fresh clone of main): HEAD's first parent, which for a
#      merge commit is main before the merge, so the whole merged change is checked, with any
#      uncommitted change on top.
# Without such a commit (the first commit, or a shallow clone without the parent or the merge base) the
# check is skipped with a message, because there is nothing to compare with.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
buf="$root/tools/node_modules/.bin/buf"

log() { echo "buf-breaking: $*" >&2; }

[ -x "$buf" ] || { log "buf is missing: run 'npm ci --prefix tools' (make lint does)"; exit 1; }

# Compares the protos in $1 (the change) with those in $2 (the baseline) and exits non-zero on a break.
compare() {
    local input=$1 baseline=$2
    # buf reads the rules from the input's buf.yaml; the baseline only supplies the old definitions.
    (cd "$input" && "$buf" breaking . --against "$baseline")
}

main_ref() {
    local ref
    for ref in main origin/main; do
        if git -C "$root" rev-parse --verify --quiet "$ref^{commit}" >/dev/null; then
            echo "$ref"
            return
        fi
    done
}

baseline_commit() {
    if [ -n "${BUF_BREAKING_AGAINST:-}" ]; then
        git -C "$root" rev-parse --verify "$BUF_BREAKING_AGAINST^{commit}"
        return
    fi

    local main head
    main=$(main_ref)
    head=$(git -C "$root" rev-parse HEAD)
    if [ -n "$main" ] && [ "$(git -C "$root" rev-parse "$main")" != "$head" ]; then
        git -C "$root" merge-base HEAD "$main" || true
        return
    fi
    git -C "$root" rev-parse --verify --quiet "HEAD^1^{commit}" || true
}

if [ "${1:-}" = "--against-dir" ]; then
    against=${2:?--against-dir needs a folder}
    input="$root/protos"
    if [ "${3:-}" = "--input" ]; then
        input=${4:?--input needs a folder}
    fi
    compare "$input" "$against"
    exit
fi

commit=$(baseline_commit)
if [ -z "$commit" ]; then
    log "no baseline commit (first commit or shallow clone); breaking-change check skipped"
    exit 0
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if ! git -C "$root" cat-file -e "$commit:protos/buf.yaml" 2>/dev/null; then
    log "commit $commit has no protos/buf.yaml; breaking-change check skipped"
    exit 0
fi
git -C "$root" archive "$commit" protos | tar -x -C "$scratch"

log "comparing protos/ with commit $(git -C "$root" rev-parse --short "$commit")"
compare "$root/protos" "$scratch/protos"
log "no breaking change"
