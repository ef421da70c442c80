#!/usr/bin/env bash
# Rewrites golden files: runs TestGolden with -update in every package that
# has one. Only those packages define the -update flag, so `go test ./...
# -update` would fail in the others.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

pkgs=()
while IFS=$'\t' read -r pkg dir; do
	if grep -qs "^func TestGolden" "$dir"/*_test.go; then pkgs+=("$pkg"); fi
done < <(go list -e -f '{{.ImportPath}}{{"\t"}}{{.Dir}}' ./...)

if [ ${#pkgs[@]} -eq 0 ]; then
	echo "no package has a TestGolden yet"
	exit 0
fi
go test -count=1 -run '^TestGolden' "${pkgs[@]}" -update
echo "updated golden files in: ${pkgs[*]}"
echo "review them with: git diff -- '*/testdata/golden'"
