#!/usr/bin/env bash
# Generates the code of the Python and TypeScript clients from protos/nps/v1 with pinned tools.
#
#   scripts/generate-clients.sh          regenerate into clients/ (what `make clients` runs)
#   scripts/generate-clients.sh --check  regenerate into a temporary folder and fail when it differs
#                                        from the checked-in code (what `make test` runs)
#
# Python: Debian 12's protoc 3.21.12 (protobuf-compiler) with grpc_python_plugin 1.51.1
# (protobuf-compiler-grpc), the versions of the python3-protobuf and python3-grpcio runtimes.
# TypeScript: buf and protoc-gen-es, pinned in clients/typescript/package-lock.json.
# Both clients also get google/rpc/status.proto and error_details.proto, to decode the
# google.rpc.BadRequest details of errors. They come from the Google.Api.CommonProtos NuGet package
# at the version pinned in Directory.Packages.props, which the C# build restores anyway.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
expected_protoc="libprotoc 3.21.12"

log() { echo "generate-clients: $*" >&2; }
fail() { log "$*"; exit 1; }

# Prints the folder that contains google/rpc/*.proto, restoring the C# client project when the package is missing.
google_protos_dir() {
    local version packages dir
    version=$(grep -o 'Include="Google.Api.CommonProtos" Version="[^"]*"' "$root/Directory.Packages.props" \
        | grep -o 'Version="[^"]*"' | cut -d'"' -f2)
    [ -n "$version" ] || fail "Google.Api.CommonProtos has no version in Directory.Packages.props"
    packages=${NUGET_PACKAGES:-$(dotnet nuget locals global-packages -l | sed 's/^global-packages: //')}
    dir="${packages%/}/google.api.commonprotos/$version/content/protos"
    if [ ! -f "$dir/google/rpc/error_details.proto" ]; then
        log "restoring src/NpsGrpc.Client to get Google.Api.CommonProtos $version"
        dotnet restore "$root/src/NpsGrpc.Client" -v quiet >&2
    fi
    [ -f "$dir/google/rpc/error_details.proto" ] || fail "google/rpc/error_details.proto not found in $dir"
    echo "$dir"
}

generate_python() {
    local out=$1 google_dir=$2 package="$1/clients/python"
    command -v protoc >/dev/null || fail "protoc is missing: apt-get install protobuf-compiler (or run make clients)"
    command -v grpc_python_plugin >/dev/null \
        || fail "grpc_python_plugin is missing: apt-get install protobuf-compiler-grpc (or run make clients)"
    [ "$(protoc --version)" = "$expected_protoc" ] \
        || fail "protoc is '$(protoc --version)', expected '$expected_protoc' (Debian 12 protobuf-compiler)"

    rm -rf "$package/nps" "$package/npsgrpc/_rpc"
    mkdir -p "$package" "$package/npsgrpc/_rpc"
    protoc -I"$root/protos" --python_out="$package" --grpc_python_out="$package" \
        --plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" "$root"/protos/nps/v1/*.proto
    touch "$package/nps/__init__.py" "$package/nps/v1/__init__.py"

    # The google.rpc modules go inside the wrapper package, so they never clash with an installed
    # googleapis-common-protos. They import only google.protobuf modules, so moving them is safe.
    local scratch
    scratch=$(mktemp -d)
    protoc -I"$google_dir" --python_out="$scratch" "$google_dir/google/rpc/status.proto" \
        "$google_dir/google/rpc/error_details.proto"
    mv "$scratch/google/rpc/status_pb2.py" "$scratch/google/rpc/error_details_pb2.py" "$package/npsgrpc/_rpc/"
    touch "$package/npsgrpc/_rpc/__init__.py"
    rm -rf "$scratch"
}

generate_typescript() {
    local out=$1 google_dir=$2 client="$root/clients/typescript"
    [ -x "$client/node_modules/.bin/buf" ] || fail "clients/typescript/node_modules is missing: run npm ci --prefix clients/typescript"
    export PATH="$client/node_modules/.bin:$PATH"

    rm -rf "$out/clients/typescript/src/gen"
    mkdir -p "$out/clients/typescript"
    buf generate "$root/protos" --template "$client/buf.gen.yaml" -o "$out/clients/typescript"
    buf generate "$google_dir" --template "$client/buf.gen.yaml" -o "$out/clients/typescript" \
        --path "$google_dir/google/rpc/error_details.proto"
}

google_dir=$(google_protos_dir)

if [ "${1:-}" = "--check" ]; then
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    generate_python "$scratch" "$google_dir"
    generate_typescript "$scratch" "$google_dir"
    differences="$scratch/differences.diff"
    for folder in clients/python/nps clients/python/npsgrpc/_rpc clients/typescript/src/gen; do
        diff -ru "$root/$folder" "$scratch/$folder" >>"$differences" || true
    done
    if [ -s "$differences" ]; then
        head -n 80 "$differences" >&2
        log "files that differ: $(grep -c '^diff -ru' "$differences" || true), missing or extra: $(grep -c '^Only in' "$differences" || true), diff above (first 80 lines)"
        fail "the generated client code is out of date with protos/: run 'make clients' and commit the result"
    fi
    log "generated client code is up to date"
else
    generate_python "$root" "$google_dir"
    generate_typescript "$root" "$google_dir"
    log "regenerated clients/python/nps, clients/python/npsgrpc/_rpc and clients/typescript/src/gen"
fi
