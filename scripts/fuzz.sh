#!/usr/bin/env bash
# Runs every fuzz target of the given packages (default: ./engine/...) alone,
# for FUZZTIME each: `go test -fuzz` accepts one target per run.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

fuzztime=${FUZZTIME:-8s}
patterns=("$@")
[ ${#patterns[@]} -gt 0 ] || patterns=(./engine/...)

status=0
ran=0
while IFS=$'\t' read -r pkg dir; do
	# Skip packages without a Fuzz function before paying for a test build.
	grep -qs '^func Fuzz' "$dir"/*_test.go || continue
	if ! list=$(go test -list '^Fuzz' "$pkg" 2>&1); then
		echo "$list"
		echo "FAIL cannot list fuzz targets of $pkg"
		status=1
		continue
	fi
	for target in $(grep '^Fuzz' <<<"$list" || true); do
		echo "--- $pkg $target ($fuzztime)"
		ran=$((ran + 1))
		if ! go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "$pkg"; then
			echo "FAIL $pkg $target (a crasher, if any, is in $dir/testdata/fuzz/$target)"
			status=1
		fi
	done
done < <(go list -e -f '{{.ImportPath}}{{"\t"}}{{.Dir}}' "${patterns[@]}")

echo "fuzz targets run: $ran"
exit $status
