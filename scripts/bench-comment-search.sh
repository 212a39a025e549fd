#!/usr/bin/env bash
# Creates the database nps_bench_search in the private 'bench' cluster, applies the migrations and runs
# scripts/bench-comment-search.sql (200,000 responses, EXPLAIN ANALYZE of the comment search).
set -euo pipefail
cd "$(dirname "$0")/.."
url="$(scripts/pg-cluster.sh start bench)"
port="$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$url")"
psql=(psql -h 127.0.0.1 -p "$port" -U postgres -X -q)
"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS nps_bench_search" -c "CREATE DATABASE nps_bench_search"
for migration in src/NpsGrpc.Storage/Migrations/*.sql; do
    "${psql[@]}" -d nps_bench_search -v ON_ERROR_STOP=1 -f "$migration"
done
"${psql[@]}" -d nps_bench_search -f scripts/bench-comment-search.sql
