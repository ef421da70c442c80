#!/usr/bin/env bash
# Builds the engine for JavaScript hosts (`make wasm`): web/dist/stepwise.wasm
# from wasm/browser, with the toolchain's own wasm_exec.js beside it (copied,
# so it always matches the Go that built the module).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
GO=${GO:-go}
mkdir -p web/dist
GOOS=js GOARCH=wasm "$GO" build -trimpath -buildvcs=false -ldflags='-s -w -buildid=' \
	-o web/dist/stepwise.wasm ./wasm/browser
cp "$("$GO" env GOROOT)/lib/wasm/wasm_exec.js" web/dist/wasm_exec.js
