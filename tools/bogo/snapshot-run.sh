#!/bin/sh
# Runs BoGo against a snapshot of this checkout (so that editing the tree during a long run does
# not mix versions). Usage: tools/bogo/snapshot-run.sh <boringssl-dir> <out-dir> [runner flags...]
set -e
BSSL=$1; OUT=$2; shift 2
HERE=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$OUT/tree"
cp -r "$HERE/tools" "$HERE/boards" "$HERE/dist" "$HERE/package.json" "$OUT/tree/"
ln -sfn "$HERE/node_modules" "$OUT/tree/node_modules"
cd "$BSSL/ssl/test/runner"
exec go test . -timeout 3h -shim-path "$OUT/tree/tools/bogo/shim-wrapper" -shim-config "$OUT/tree/tools/bogo/config.json" \
  -num-workers 1 -allow-unimplemented -pipe -json-output "$OUT/results.json" "$@"
