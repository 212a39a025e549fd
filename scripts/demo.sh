#!/usr/bin/env bash
# Demonstrates the NpsGrpc server and the nps command-line client on the bundled airline survey
# (samples/airlines): starts a server on a fresh database, ingests both CSV files with the CLI,
# prints the NPS per airline and exports the survey as a Parquet star schema.
#
#   scripts/demo.sh        (or: make demo)
#
# Expects a Release build (make build). Uses the private PostgreSQL cluster 'demo' (see
# scripts/pg-cluster.sh), recreates the database nps_demo in it, and stops the server on exit. The
# cluster keeps running; stop it with: scripts/pg-cluster.sh stop demo
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
configuration=${CONFIGURATION:-Release}
server_dll="$root/src/NpsGrpc.Server/bin/$configuration/net10.0/NpsGrpc.Server.dll"
cli_dll="$root/src/NpsGrpc.Cli/bin/$configuration/net10.0/nps.dll"
database=nps_demo

log() { echo "demo: $*" >&2; }

for dll in "$server_dll" "$cli_dll"; do
    if [ ! -f "$dll" ]; then
        log "$dll is missing; run 'make build' first"
        exit 1
    fi
done

port_is_free() { [ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }

pick_port() {
    local port
    for _ in $(seq 1 200); do
        port=$((40000 + RANDOM % 20000))
        if port_is_free "$port"; then
            echo "$port"
            return
        fi
    done
    log "no free port found between 40000 and 60000"
    exit 1
}

find_psql() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$dir" ] && [ -x "$dir/psql" ]; then
        echo "$dir/psql"
    else
        command -v psql
    fi
}

# Start the cluster and recreate the demo database in it.
cluster=$("$root/scripts/pg-cluster.sh" start demo)
pg_port=$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$cluster")
psql=$(find_psql) || { log "psql not found"; exit 1; }
PGOPTIONS="-c client_min_messages=warning" "$psql" -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres \
    -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" -c "CREATE DATABASE $database"
connection_string="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$database"

# A fresh database has no API keys. Create one for this demo straight in the database (the bootstrap path) and
# hand it to every nps call through NPS_API_KEY; only the key goes to stdout.
NPS_API_KEY=$(dotnet "$cli_dll" keys create --connection-string "$connection_string" --name demo \
    --scope admin --scope ingest --scope query --scope export)
export NPS_API_KEY

# Start the server. The EXIT trap stops it when the script exits, after success or an error.
port=$(pick_port)
server_url="http://127.0.0.1:$port"
server_log=$(mktemp -t nps-demo-server.XXXXXX)
export_dir=$(mktemp -d -t nps-demo-export.XXXXXX)
# Port 0 gives the metrics listener a free port, so the demo runs beside a server that holds the default 9464.
ConnectionStrings__Nps="$connection_string" Kestrel__Endpoints__Grpc__Url="$server_url" \
    Telemetry__Prometheus__Url="http://127.0.0.1:0" dotnet "$server_dll" --contentRoot "$root/src/NpsGrpc.Server" >"$server_log" 2>&1 &
server_pid=$!

stop_server() {
    if kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid"
        wait "$server_pid" 2>/dev/null || true
        log "server stopped"
    fi
    rm -f "$server_log"
    rm -rf "$export_dir"
}
trap stop_server EXIT

nps() { dotnet "$cli_dll" --server "$server_url" "$@"; }

log "starting the server on $server_url (database $database)"
for attempt in $(seq 1 60); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        log "the server exited during startup; its log:"
        cat "$server_log" >&2
        exit 1
    fi
    if nps surveys list >/dev/null 2>&1; then
        break
    fi
    if [ "$attempt" = 60 ]; then
        log "the server did not accept requests within 30 s; its log:"
        cat "$server_log" >&2
        exit 1
    fi
    sleep 0.5
done

nps surveys create --id airlines --name "Airline NPS" \
    --description "Prep Air against other airlines (Preppin' Data 2022, via PrepBench)"

score_column="How likely are you to recommend this airline?"
ingest() {
    nps ingest "$1" --survey airlines --customer-id CustomerID --score "$score_column" \
        --attribute airline=Airline --responded-at 2022-01-01T00:00:00Z
}

echo
echo "== Ingesting samples/airlines/input_01.csv (other airlines)"
# A spreadsheet turned three customer ids of this file into long numbers. The server rejects those
# rows, so exit code 1 is expected here.
status=0
ingest "$root/samples/airlines/input_01.csv" || status=$?
if [ "$status" -gt 1 ]; then
    exit "$status"
fi

echo
echo "== Ingesting samples/airlines/input_02.csv (Prep Air)"
ingest "$root/samples/airlines/input_02.csv"

echo
echo "== NPS by airline (groups with fewer than 50 responses are flagged)"
nps nps --survey airlines --by airline --min-n 50

echo
echo "Prep Air row: the known answer is 74 promoters, 75 passives, 35 detractors out of 184,"
echo "so NPS = 100 x (74 - 35) / 184 = 21.196, shown as 21.2."

echo
echo "== Exporting the survey as Parquet to $export_dir"
nps exports create airlines-export --destination "$export_dir/airlines" --survey airlines --segment airline
nps exports run airlines-export --wait --timeout 120
echo
echo "Files of the export (the manifest _manifests/latest.json lists them with checksums):"
(cd "$export_dir/airlines" && find . -name '*.parquet' -o -name 'latest.json' | sort)
