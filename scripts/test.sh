#!/usr/bin/env bash
# The whole check, as CI runs it (CI=true there): tools, gofmt, go vet, tests
# with the design guards, bounded fuzzing, the engine's tests under
# GOOS=js/wasm in Node, and the conformance gate.
#
#   scripts/test.sh                 all steps
#   scripts/test.sh vet test        only the named steps
#
# Every step runs even when an earlier one fails, so one run shows every
# problem; the script fails if any step failed. Step functions run inside
# `if`, where set -e does not apply, so each checks its commands itself.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

all_steps=(tools fmt vet test fuzz wasm browser node e2e worker conformance)
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=("${all_steps[@]}")

count=()
if [ "${CI:-}" = true ]; then
	count=(-count=1)
fi

# as_root runs a command as root, through sudo when needed.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	else
		sudo "$@"
	fi
}

apt_updated=false
apt_install() {
	if ! command -v apt-get >/dev/null; then
		echo "cannot install $*: no apt-get here; install it by hand" >&2
		return 1
	fi
	if [ "$apt_updated" = false ]; then
		as_root apt-get update -qq || return 1
		apt_updated=true
	fi
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

step_tools() {
	if ! command -v go >/dev/null; then
		echo "go is not on PATH: install Go $(sed -n 's/^go //p' go.mod) from https://go.dev/dl/" >&2
		return 1
	fi
	go version || return 1
	if ! node --version >/dev/null 2>&1; then
		echo "node not found: installing nodejs"
		apt_install nodejs || return 1
	fi
	printf "node "
	node --version || return 1
	if ! python3 --version >/dev/null 2>&1; then
		echo "python3 not found: installing python3"
		apt_install python3 || return 1
	fi
	python3 --version
	aws_clients || return 1
}

# aws_clients makes sure the AWS CLI and boto3 exist for the real-client
# tests (cmd/stepwise/clients_test.go): pip --user first (on PATH from
# here on), Debian's packages when pip cannot.
aws_clients() {
	local userbin
	userbin="$(python3 -m site --user-base 2>/dev/null)/bin"
	case ":$PATH:" in *":$userbin:"*) ;; *) export PATH="$PATH:$userbin" ;; esac
	if ! aws --version >/dev/null 2>&1 || ! python3 -c 'import boto3' >/dev/null 2>&1; then
		echo "the AWS CLI or boto3 is missing: installing them"
		if ! python3 -m pip --version >/dev/null 2>&1; then
			apt_install python3-pip || true
		fi
		# Debian's Python refuses --user installs without
		# --break-system-packages (PEP 668); they only touch ~/.local.
		python3 -m pip install --quiet --user awscli boto3 ||
			python3 -m pip install --quiet --user --break-system-packages awscli boto3 ||
			apt_install awscli python3-boto3 || return 1
	fi
	aws --version || return 1
	python3 -c 'import boto3; print("boto3", boto3.__version__)'
}

step_fmt() {
	local files
	# gofmt -l . but for our files: npm packages may ship .go files.
	files=$(find . \( -name .git -o -name node_modules \) -prune -o -name '*.go' -print0 | xargs -0 -r gofmt -l) || return 1
	if [ -n "$files" ]; then
		echo "gofmt would change these files (run gofmt -w):"
		echo "$files"
		return 1
	fi
}

step_vet() {
	go vet ./...
}

step_test() {
	go test "${count[@]}" ./...
}

step_fuzz() {
	FUZZTIME=${FUZZTIME:-8s} bash scripts/fuzz.sh ./engine/...
}

step_wasm() {
	# go test runs the js/wasm test binary through go_js_wasm_exec, which
	# lives with wasm_exec.js in the toolchain and calls node.
	PATH="$(go env GOROOT)/lib/wasm:$PATH" GOOS=js GOARCH=wasm go test "${count[@]}" ./engine/...
}

# step_browser runs the engine's tests again as GOOS=js in headless
# Chromium, through wasmbrowsertest (installed pinned into bin/tools, under
# the name go test looks for). Chromium comes from Debian's packages.
step_browser() {
	if ! command -v chromium >/dev/null; then
		echo "chromium not found: installing it"
		apt_install chromium || return 1
	fi
	local tools
	tools="$(pwd)/bin/tools"
	if [ ! -x "$tools/go_js_wasm_exec" ]; then
		echo "installing wasmbrowsertest"
		GOBIN="$tools" go install github.com/agnivade/wasmbrowsertest@v0.11.0 || return 1
		mv "$tools/wasmbrowsertest" "$tools/go_js_wasm_exec" || return 1
	fi
	PATH="$tools:$PATH" GOOS=js GOARCH=wasm go test "${count[@]}" ./engine/...
}

# step_node builds the browser module (make wasm) and drives its JS API end
# to end in Node.
step_node() {
	bash scripts/wasm.sh || return 1
	# web/test/jsonata.test.mjs imports the editor's npm packages
	bash scripts/web.sh || return 1
	node --test web/test/
}

# step_e2e builds what `make run` serves (the CLI, the wasm module, the
# playground bundle) and drives the playground and the docs embed in headless
# Chromium through playwright-core (web/e2e/). Screenshots land in bin/e2e/.
step_e2e() {
	if ! command -v chromium >/dev/null; then
		echo "chromium not found: installing it"
		apt_install chromium || return 1
	fi
	go build -o bin/stepwise ./cmd/stepwise || return 1
	bash scripts/wasm.sh || return 1
	bash scripts/web.sh || return 1
	node --test web/e2e/
}

# step_worker builds the Cloudflare Worker and drives it under wrangler dev
# (offline) with the AWS CLI (scripts/worker-test.sh installs what it needs).
step_worker() {
	aws_clients || return 1
	bash scripts/worker-test.sh
}

step_conformance() {
	bash scripts/conformance.sh
}

failed=()
summary=()
for s in "${steps[@]}"; do
	if ! declare -F "step_$s" >/dev/null; then
		echo "unknown step $s (steps: ${all_steps[*]})" >&2
		exit 2
	fi
	echo
	echo "==> $s"
	start=$SECONDS
	if "step_$s"; then
		result=ok
	else
		result=FAIL
		failed+=("$s")
	fi
	summary+=("$(printf '%-12s %-4s %4ds' "$s" "$result" $((SECONDS - start)))")
done

echo
echo "==> summary"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "FAILED: ${failed[*]}"
	exit 1
fi
echo "all steps passed"
