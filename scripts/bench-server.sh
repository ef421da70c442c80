#!/usr/bin/env bash
# The server benchmark (`make bench-server`; also the last step of a full
# `make bench`): throughput and latency of StartExecution +
# DescribeExecution on a one-Pass-state machine, under concurrent load
# from a second process (scripts/loadgen) on loopback. Each target server
# starts on a free port, is measured and stopped; the JSON lines go to
# bin/bench-server.jsonl and a table with each row against moto's follows.
#
#   scripts/bench-server.sh                 targets memory, durable, moto
#   scripts/bench-server.sh memory moto     only these
#   scripts/bench-server.sh fsync           durable with --fsync (not run by default)
#
# Targets: memory (`stepwise serve --in-memory`), durable (`stepwise serve
# --data-dir` a fresh directory: the default store), moto (`moto_server`,
# or `python3 -m moto.server`, the peer figure; it records executions but
# does not run them). A target whose server is missing is reported as
# SKIPPED; a durable run that left its data directory empty as
# NOT_DURABLE.
#
# Settings (environment): WORKERS (8), DURATION (10s), WARMUP (2s), COUNT
# (measure this many executions instead of a duration), PARKED (start this
# many executions of a day-long Wait first: they stay RUNNING),
# MEMORY_FLAGS and DURABLE_FLAGS (the serve flags of each stepwise target,
# replacing the detected ones), RESULTS (bin/bench-server.jsonl).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

GO=${GO:-go}
WORKERS=${WORKERS:-8}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
COUNT=${COUNT:-0}
PARKED=${PARKED:-0}
RESULTS=${RESULTS:-bin/bench-server.jsonl}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(memory durable moto)

mkdir -p bin
echo "building bin/stepwise and bin/loadgen" >&2
"$GO" build -trimpath -buildvcs=false "-ldflags=-s -w -buildid=" -o bin/stepwise ./cmd/stepwise
"$GO" build -o bin/loadgen ./scripts/loadgen

tmp=$(mktemp -d)
server=""
cleanup() {
	if [ -n "$server" ]; then
		kill "$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# The serve flags of the stepwise targets. Until the binary has a durable
# store, `serve` has no --in-memory flag and is always in memory: memory
# runs it without flags and durable is skipped.
serve_help=$(bin/stepwise serve -h 2>&1 || true)
has_flag() { grep -q -- "^ *-$1\b" <<<"$serve_help"; }
memory_flags=() durable_flags=() durable_skip=""
if has_flag in-memory; then
	memory_flags=(--in-memory)
else
	durable_skip="stepwise serve has no durable store yet (no --in-memory flag)"
fi
if has_flag data-dir; then
	durable_flags=(--data-dir "$tmp/data")
elif [ -z "$durable_skip" ]; then
	# Never let a benchmark write into the default data directory.
	durable_skip="stepwise serve has no --data-dir flag (set DURABLE_FLAGS)"
fi
if [ -n "${MEMORY_FLAGS+x}" ]; then read -r -a memory_flags <<<"$MEMORY_FLAGS"; fi
if [ -n "${DURABLE_FLAGS+x}" ]; then read -r -a durable_flags <<<"$DURABLE_FLAGS" && durable_skip=""; fi

# skipped records a target that could not run.
skipped() {
	printf '{"target":"%s","status":"SKIPPED","error":"%s"}\n' "$1" "$2" >>"$RESULTS"
	echo "$1: skipped: $2" >&2
}

# measure starts a server (the command after the target name, with PORT
# replaced by a free port), runs the load generator against it and stops it.
measure() {
	local name=$1 port note
	shift
	port=$(bin/loadgen -free-port)
	local cmd=("${@//PORT/$port}")
	note="${cmd[*]}"
	echo "$name: ${cmd[*]}" >&2
	"${cmd[@]}" >"$tmp/$name.log" 2>&1 &
	server=$!
	if ! bin/loadgen -target "$name=http://127.0.0.1:$port" -pid "$server" -note "$note" \
		-workers "$WORKERS" -duration "$DURATION" -warmup "$WARMUP" -count "$COUNT" -parked "$PARKED" >>"$RESULTS"; then
		echo "$name: failed; the server's log ends:" >&2
		tail -n 20 "$tmp/$name.log" >&2
	fi
	kill "$server" 2>/dev/null || true
	wait "$server" 2>/dev/null || true
	server=""
}

: >"$RESULTS"
for t in "${targets[@]}"; do
	case $t in
	memory)
		measure memory bin/stepwise serve --addr 127.0.0.1:PORT "${memory_flags[@]}"
		;;
	durable)
		if [ -n "$durable_skip" ]; then
			skipped durable "$durable_skip"
		else
			measure durable bin/stepwise serve --addr 127.0.0.1:PORT "${durable_flags[@]}"
			# A store that wrote nothing was not durable (flags accepted,
			# store not wired yet).
			if [ -z "${DURABLE_FLAGS+x}" ] && [ -z "$(find "$tmp/data" -type f -print -quit 2>/dev/null)" ]; then
				sed -i '$ s/"status":"OK"/"status":"NOT_DURABLE"/' "$RESULTS"
				echo "durable: the data directory stayed empty: not a durable run" >&2
			fi
		fi
		;;
	fsync)
		if [ -n "$durable_skip" ] || ! has_flag fsync; then
			skipped fsync "stepwise serve has no durable store with --fsync"
		else
			measure fsync bin/stepwise serve --addr 127.0.0.1:PORT --data-dir "$tmp/fsync" --fsync
		fi
		;;
	moto)
		if command -v moto_server >/dev/null; then
			measure moto moto_server -H 127.0.0.1 -p PORT
		elif python3 -c 'import moto.server' 2>/dev/null; then
			measure moto python3 -m moto.server -H 127.0.0.1 -p PORT
		else
			skipped moto "moto is not installed (pip install 'moto[server]')"
		fi
		;;
	*)
		echo "bench-server: unknown target $t (memory, durable, fsync, moto)" >&2
		exit 2
		;;
	esac
done

echo "raw results: $RESULTS" >&2
bin/loadgen -table "$RESULTS"
