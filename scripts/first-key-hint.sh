#!/usr/bin/env bash
# Prints, for 'make run', how to create an API key. The server requires a key on every call and a fresh database
# has none, so the first admin key is written straight to the database with 'nps keys create --connection-string'.
# Reads the connection string from ConnectionStrings__Nps and prints it only as a shell expression, never its value,
# because it may contain a password.
#
#   scripts/first-key-hint.sh [CONFIGURATION]
set -euo pipefail

configuration=${1:-Release}
cli="dotnet src/NpsGrpc.Cli/bin/$configuration/net10.0/nps.dll"
if [ "${ConnectionStrings__Nps:-}" = "$(scripts/pg-cluster.sh url dev 2>/dev/null || true)" ]; then
    connection='"$(scripts/pg-cluster.sh url dev)"'
else
    connection='"$ConnectionStrings__Nps"'
fi

cat >&2 <<HINT
make run: every call needs an API key (docs/security.md). To create an admin key, run in another shell:
    export NPS_API_KEY=\$($cli keys create --connection-string $connection \\
        --name "admin-\$(whoami)" --scope admin --scope ingest --scope query --scope export)
  nps commands in that shell then send the key, because nps reads NPS_API_KEY.
  'Auth__DevelopmentMode=true make run' serves without keys, for local experiments only.
HINT
