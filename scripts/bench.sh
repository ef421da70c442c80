#!/usr/bin/env bash
# The engine benchmarks (`make bench`): build bin/stepwise natively and
# bin/stepwise.wasm (GOOS=js GOARCH=wasm), run every workload of
# ../shared/bench/workloads with both through `stepwise bench DIR` (the
# adapter contract of ../shared/bench/README.md), save the JSON lines to
# bin/bench-results.jsonl and print a table against the README's Go floor.
#
#   scripts/bench.sh                    every workload
#   scripts/bench.sh pass-chain-1000    only the named workloads
#   NATIVE_ONLY=1 scripts/bench.sh      skip the wasm runs
#   NO_SERVER=1 scripts/bench.sh        skip the server benchmark
#
# With no workload named, the server benchmark (scripts/bench-server.sh:
# stepwise serve against moto under concurrent load) runs last.
#
# Node runs the wasm build and prints the table, so it is required.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

GO=${GO:-go}
BENCH_DIR=${BENCH_DIR:-"$(git rev-parse --show-toplevel)/../shared/bench"}
WORKLOADS="$BENCH_DIR/workloads"
# Same flags as the Makefile's build: reproducible binaries.
FLAGS=(-trimpath -buildvcs=false "-ldflags=-s -w -buildid=")
RESULTS=bin/bench-results.jsonl

if [ ! -d "$WORKLOADS" ]; then
	echo "bench: no workloads at $WORKLOADS (set BENCH_DIR)" >&2
	exit 1
fi
if ! command -v node >/dev/null; then
	echo "bench: node is required (wasm runs and the table)" >&2
	exit 1
fi

mkdir -p bin
echo "building bin/stepwise and bin/stepwise.wasm" >&2
"$GO" build "${FLAGS[@]}" -o bin/stepwise ./cmd/stepwise
if [ -z "${NATIVE_ONLY:-}" ]; then
	GOOS=js GOARCH=wasm "$GO" build "${FLAGS[@]}" -o bin/stepwise.wasm ./cmd/stepwise
fi
WASM_EXEC="$("$GO" env GOROOT)/lib/wasm/wasm_exec_node.js"

# GNU time measures the Node process's peak RSS (kB); without it the wasm
# rows keep the 0 the command reports.
gnu_time=""
if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then
	gnu_time=/usr/bin/time
fi

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for d in "$WORKLOADS"/*/; do
		names+=("$(basename "$d")")
	done
fi

: >"$RESULTS"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for name in "${names[@]}"; do
	dir="$WORKLOADS/$name"
	echo "running $name (native)" >&2
	if ! bin/stepwise bench "$dir" >"$tmp/line"; then
		printf '{"engine":"stepwise","workload":"%s","status":"ERROR"}\n' "$name" >"$tmp/line"
	fi
	cat "$tmp/line" >>"$RESULTS"
	[ -n "${NATIVE_ONLY:-}" ] && continue

	echo "running $name (wasm in Node)" >&2
	cmd=(node "$WASM_EXEC" bin/stepwise.wasm bench "$dir")
	rm -f "$tmp/rss"
	if [ -n "$gnu_time" ]; then
		cmd=("$gnu_time" -f %M -o "$tmp/rss" "${cmd[@]}")
	fi
	if ! "${cmd[@]}" >"$tmp/line"; then
		printf '{"engine":"stepwise-wasm","workload":"%s","status":"ERROR"}\n' "$name" >"$tmp/line"
	fi
	if [ -s "$tmp/rss" ]; then
		# GNU time appends its figure as the last line (after any notice).
		kb=$(tail -n 1 "$tmp/rss")
		node -e '
			const l = JSON.parse(process.argv[1]);
			l.peak_rss_mb = Number(process.argv[2]) / 1024;
			console.log(JSON.stringify(l));' "$(cat "$tmp/line")" "$kb" >"$tmp/line2"
		mv "$tmp/line2" "$tmp/line"
	fi
	cat "$tmp/line" >>"$RESULTS"
done

echo "raw results: $RESULTS" >&2
# The table: native and wasm side by side, rates from the native run, the
# Go floor (native column of the README's peer table) and our ratio to it.
node - "$RESULTS" "$BENCH_DIR/README.md" <<'EOF'
const fs = require("fs");
const [results, readme] = process.argv.slice(2);
const rows = new Map();
for (const line of fs.readFileSync(results, "utf8").split("\n")) {
	if (!line.trim()) continue;
	const r = JSON.parse(line);
	const row = rows.get(r.workload) || {};
	row[r.engine === "stepwise-wasm" ? "wasm" : "native"] = r;
	rows.set(r.workload, row);
}
// Peer table rows: | workload | floor native | floor wasm | ...
const floor = {};
for (const line of fs.readFileSync(readme, "utf8").split("\n")) {
	const cells = line.split("|").map((c) => c.trim());
	if (cells.length < 4) continue;
	const native = parseFloat(cells[2]), wasm = parseFloat(cells[3]);
	if (!isNaN(native) && !isNaN(wasm)) floor[cells[1]] = { native, wasm };
}
const fmt = (x, d) => (x === undefined || x === null || isNaN(x) ? "-" : x.toFixed(d));
const secs = (r) => (r && r.status === "SUCCEEDED" ? r.seconds_to_finish : NaN);
const head = ["workload", "status", "native s", "wasm s", "wasm/native", "transitions/s", "events/s",
	"RSS MB", "wasm RSS MB", "floor s", "native/floor", "wasm floor s", "wasm/floor"];
const out = [head];
for (const [name, { native, wasm }] of rows) {
	const n = secs(native), w = secs(wasm), f = floor[name] || {};
	const status = [native, wasm].filter(Boolean).map((r) => r.status)
		.filter((s, i, a) => a.indexOf(s) === i).join("/");
	out.push([name, status, fmt(n, 4), fmt(w, 4), fmt(w / n, 2),
		fmt(native && native.state_entered / n, 0), fmt(native && native.history_events / n, 0),
		fmt(native && native.peak_rss_mb, 1), fmt(wasm && wasm.peak_rss_mb, 1),
		fmt(f.native, 4), fmt(n / f.native, 2), fmt(f.wasm, 3), fmt(w / f.wasm, 2)]);
}
const width = head.map((_, i) => Math.max(...out.map((r) => String(r[i]).length)));
for (const r of out) {
	console.log(r.map((c, i) => (i < 2 ? String(c).padEnd(width[i]) : String(c).padStart(width[i]))).join("  "));
}
EOF

if [ $# -eq 0 ] && [ -z "${NO_SERVER:-}" ]; then
	bash scripts/bench-server.sh
fi
