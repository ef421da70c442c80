#!/usr/bin/env bash
# web.sh: install the playground's npm dependencies (only when needed) and
# bundle web/src into web/dist/ with esbuild. Quick and idempotent: npm ci runs
# only when node_modules is missing or older than package-lock.json, and the
# bundle is rebuilt only when a source is newer than it.
set -euo pipefail
cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)/web"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ ! -e node_modules/.package-lock.json ]; then
	echo "web: npm ci"
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.package-lock.json
fi

mkdir -p dist
stale=0
for out in dist/app.js dist/embed.js; do
	if [ ! -e "$out" ] || [ -n "$(find src package-lock.json -newer "$out" -print -quit)" ]; then stale=1; fi
done
if [ "$stale" = 0 ] && [ "${FORCE:-}" = "" ]; then
	echo "web: dist/app.js and dist/embed.js are up to date"
	exit 0
fi

node_modules/.bin/esbuild app=src/main.js embed=src/embed.js \
	--bundle --format=esm --minify --sourcemap --target=es2022 \
	--legal-comments=linked --log-level=warning \
	--outdir=dist
ls -l dist/app.js dist/embed.js | awk '{printf "web: %-16s %8d bytes\n", $NF, $5}'
