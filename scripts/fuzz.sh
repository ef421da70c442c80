#!/usr/bin/env bash
# Runs every fuzz target of the given packages (default: ./engine/...) alone,
# for FUZZTIME each: `go test -fuzz` accepts one target per run.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

fuzztime=${FUZZTIME:-8s}
patterns=("$@")
[ ${#patterns[@]} -gt 0 ] || patterns=(./engine/...)

# corpus_size counts the committed inputs of a target (0 when none).
corpus_size() {
	if [ -d "$1" ]; then
		find "$1" -type f | wc -l
	else
		echo 0
	fi
}

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
		# The fuzzer can end a run with "context deadline exceeded" when the
		# time runs out while it minimises a new (not failing) input on a
		# loaded machine; that is no finding. Only a run that fails without
		# that message, or that leaves a crasher in testdata, counts.
		before=$(corpus_size "$dir/testdata/fuzz/$target")
		if ! out=$(go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" -fuzzminimizetime=10x "$pkg" 2>&1); then
			after=$(corpus_size "$dir/testdata/fuzz/$target")
			echo "$out"
			if grep -q 'context deadline exceeded' <<<"$out" && [ "$after" -eq "$before" ]; then
				echo "note: $pkg $target stopped while minimising an input; no crasher"
			else
				echo "FAIL $pkg $target (a crasher, if any, is in $dir/testdata/fuzz/$target)"
				status=1
			fi
		else
			echo "$out"
		fi
	done
done < <(go list -e -f '{{.ImportPath}}{{"\t"}}{{.Dir}}' "${patterns[@]}")

echo "fuzz targets run: $ran"
exit $status
