#!/usr/bin/env bash
# Tests the Cloudflare Worker under `wrangler dev`, offline, with the AWS
# CLI: builds it (scripts/worker.sh), applies the D1 migrations to a fresh
# local database, starts wrangler dev with --test-scheduled (GET
# /__scheduled fires the Cron Trigger), and drives a scenario: the
# playground at /, create, start, describe, history, a callback answered in
# a later request, and a Wait resumed by the cron trigger. Each API call is
# a request of its own, served by a fresh Go instance: what carries an
# execution from one to the next is D1.
set -euo pipefail
cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
root=$(pwd)

# scripts/test.sh's tools step installs the AWS CLI; alone, install it
# the same way (pip --user; Debian's Python wants --break-system-packages
# for that, which only touches ~/.local).
userbin="$(python3 -m site --user-base)/bin"
export PATH="$PATH:$userbin"
if ! aws --version >/dev/null 2>&1; then
	echo "worker-test: installing the AWS CLI"
	python3 -m pip install --quiet --user awscli ||
		python3 -m pip install --quiet --user --break-system-packages awscli
fi
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 3) ? 0 : 1)'; then
	echo "worker-test: wrangler 4.86.0 needs Node 20.3 or later; this is $(node --version)" >&2
	exit 1
fi

if [ ! -d wasm/worker/node_modules ] || [ wasm/worker/package-lock.json -nt wasm/worker/node_modules/.package-lock.json ]; then
	echo "worker-test: npm ci (wrangler)"
	(cd wasm/worker && npm ci --no-audit --no-fund --loglevel=error)
fi
bash scripts/worker.sh

export CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_SEND_METRICS=false
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_DISABLE_HOST_PREFIX_INJECTION=true AWS_PAGER=

tmp=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill -- "-$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)
inspector=$(free_port)
url=http://127.0.0.1:$port

# The callback's SQS message is mocked (sent, then pending on its token);
# its answer comes with SendTaskSuccess.
mock='{"Routes":[{"Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Mock":{"0-99":{"Submitted":{"MessageId":"m-1"},"Pending":true}}}]}'

cd wasm/worker
npx wrangler d1 migrations apply stepwise --local --persist-to "$tmp/state" >"$tmp/migrate.log" 2>&1 ||
	{ cat "$tmp/migrate.log"; exit 1; }
# Job control puts wrangler and its workerd in a process group of their
# own, which cleanup ends.
set -m
npx wrangler dev --ip 127.0.0.1 --port "$port" --inspector-port "$inspector" \
	--test-scheduled --persist-to "$tmp/state" --var "SFN_MOCK_CONFIG:$mock" >"$tmp/dev.log" 2>&1 &
pid=$!
set +m
cd "$root"

for _ in $(seq 1 100); do
	curl -fs -o /dev/null "$url/" && break
	kill -0 "$pid" 2>/dev/null || { cat "$tmp/dev.log"; echo "worker-test: wrangler dev exited"; exit 1; }
	sleep 0.3
done

failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
sfn() {
	aws stepfunctions --endpoint-url "$url" --output json "$@"
}
# field prints a member of the JSON on stdin (a dotted path).
field() {
	python3 -c 'import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v if isinstance(v, str) else json.dumps(v))' "$1"
}
# types prints the event types of a history, space separated.
types() {
	sfn get-execution-history --execution-arn "$1" | python3 -c 'import json, sys
print(" ".join(e["type"] for e in json.load(sys.stdin)["events"]))'
}
expect() { # expect WHAT GOT WANT
	if [ "$2" = "$3" ]; then echo "ok: $1"; else fail "$1: got $2, want $3"; fi
}

# The playground.
if cmp -s <(curl -fs "$url/") web/index.html; then echo "ok: GET / is the playground"; else fail "GET / is not web/index.html"; fi
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/dist/stepwise.wasm")
expect "GET /dist/stepwise.wasm" "$code" 200

role=arn:aws:iam::123456789012:role/worker
machine=arn:aws:states:us-east-1:123456789012:stateMachine

# Create, start, describe, history.
sfn create-state-machine --name hello --role-arn "$role" \
	--definition '{"StartAt":"Greet","States":{"Greet":{"Type":"Pass","Parameters":{"greeting.$":"States.Format('"'"'Hello, {}'"'"', $.who)"},"End":true}}}' >/dev/null
exec=$(sfn start-execution --state-machine-arn "$machine:hello" --name first --input '{"who":"Worker"}' | field executionArn)
expect "start-execution" "$exec" "arn:aws:states:us-east-1:123456789012:execution:hello:first"
desc=$(sfn describe-execution --execution-arn "$exec")
expect "describe-execution status" "$(field status <<<"$desc")" SUCCEEDED
expect "describe-execution output" "$(field output <<<"$desc")" '{"greeting":"Hello, Worker"}'
expect "get-execution-history" "$(types "$exec")" "ExecutionStarted PassStateEntered PassStateExited ExecutionSucceeded"
page=$(sfn get-execution-history --execution-arn "$exec" --max-results 2 --no-paginate)
expect "history page" "$(field events.1.type <<<"$page")" PassStateEntered
expect "list-executions" "$(sfn list-executions --state-machine-arn "$machine:hello" | field executions.0.name)" first
err=$(sfn describe-execution --execution-arn "$exec-nope" 2>&1 || true)
case $err in
*ExecutionDoesNotExist*) echo "ok: describe-execution of a missing execution" ;;
*) fail "describe-execution of a missing execution: $err" ;;
esac

# A callback, answered in a later request.
sfn create-state-machine --name callback --role-arn "$role" --definition '{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/approvals","MessageBody":{"token.$":"$$.Task.Token"}},"ResultPath":"$.answer","End":true}}}' >/dev/null
cb=$(sfn start-execution --state-machine-arn "$machine:callback" --name ask --input '{"order":7}' | field executionArn)
expect "callback waits" "$(sfn describe-execution --execution-arn "$cb" | field status)" RUNNING
token=$(sfn get-execution-history --execution-arn "$cb" | python3 -c 'import json, sys
for e in json.load(sys.stdin)["events"]:
    if e["type"] == "TaskScheduled":
        print(json.loads(e["taskScheduledEventDetails"]["parameters"])["MessageBody"]["token"])')
sfn send-task-success --task-token "$token" --task-output '{"approved":true}' >/dev/null
desc=$(sfn describe-execution --execution-arn "$cb")
expect "callback answered" "$(field status <<<"$desc")" SUCCEEDED
expect "callback output" "$(field output <<<"$desc")" '{"order":7,"answer":{"approved":true}}'
expect "callback history" "$(types "$cb")" "ExecutionStarted TaskStateEntered TaskScheduled TaskStarted TaskSubmitted TaskSucceeded TaskStateExited ExecutionSucceeded"
err=$(sfn send-task-success --task-token "$token" --task-output '{}' 2>&1 || true)
case $err in
*TaskTimedOut*) echo "ok: a second answer to the token" ;;
*) fail "a second answer to the token: $err" ;;
esac

# A Wait, resumed by the cron trigger once it is due.
sfn create-state-machine --name pause --role-arn "$role" --definition '{"StartAt":"Pause","States":{"Pause":{"Type":"Wait","Seconds":2,"Next":"Done"},"Done":{"Type":"Pass","Result":"resumed","End":true}}}' >/dev/null
w=$(sfn start-execution --state-machine-arn "$machine:pause" --name nap | field executionArn)
expect "wait waits" "$(sfn describe-execution --execution-arn "$w" | field status)" RUNNING
sleep 3 # until the Wait is due; the cron trigger then fires it
curl -fs -o /dev/null "$url/__scheduled?cron=*+*+*+*+*" || fail "GET /__scheduled"
desc=$(sfn describe-execution --execution-arn "$w")
expect "wait resumed by the cron trigger" "$(field status <<<"$desc")" SUCCEEDED
expect "wait output" "$(field output <<<"$desc")" '"resumed"'
expect "wait history" "$(types "$w")" "ExecutionStarted WaitStateEntered WaitStateExited PassStateEntered PassStateExited ExecutionSucceeded"

# StopExecution of a run that waits (rebuilt from its journal to stop).
sfn create-state-machine --name long --role-arn "$role" --definition '{"StartAt":"Sleep","States":{"Sleep":{"Type":"Wait","Seconds":3600,"End":true}}}' >/dev/null
l1=$(sfn start-execution --state-machine-arn "$machine:long" --name l1 | field executionArn)
l2=$(sfn start-execution --state-machine-arn "$machine:long" --name l2 | field executionArn)
expect "list-executions, newest first" "$(sfn list-executions --state-machine-arn "$machine:long" | field executions.0.name)" l2
sfn stop-execution --execution-arn "$l1" --error Halt --cause "by the test" >/dev/null
desc=$(sfn describe-execution --execution-arn "$l1")
expect "stop-execution" "$(field status <<<"$desc"):$(field error <<<"$desc")" ABORTED:Halt
expect "stopped history" "$(types "$l1")" "ExecutionStarted WaitStateEntered ExecutionAborted"
expect "running filter" "$(sfn list-executions --state-machine-arn "$machine:long" --status-filter RUNNING | field executions.0.name)" l2

# Versions, aliases, tags, activities: the other tables.
v1=$(sfn update-state-machine --state-machine-arn "$machine:hello" --role-arn "$role" --publish --version-description first | field stateMachineVersionArn)
expect "publish a version" "$v1" "$machine:hello:1"
sfn create-state-machine-alias --name live --routing-configuration "stateMachineVersionArn=$v1,weight=100" >/dev/null
expect "alias" "$(sfn describe-state-machine-alias --state-machine-alias-arn "$machine:hello:live" | field routingConfiguration.0.stateMachineVersionArn)" "$v1"
ex=$(sfn start-execution --state-machine-arn "$machine:hello:live" --input '{"who":"alias"}' | field executionArn)
expect "start through the alias" "$(sfn describe-execution --execution-arn "$ex" | field stateMachineAliasArn)" "$machine:hello:live"
expect "list versions" "$(sfn list-state-machine-versions --state-machine-arn "$machine:hello" | field stateMachineVersions.0.stateMachineVersionArn)" "$v1"
sfn tag-resource --resource-arn "$machine:hello" --tags key=team,value=flow >/dev/null
expect "tags" "$(sfn list-tags-for-resource --resource-arn "$machine:hello" | field tags.0.value)" flow
act=$(sfn create-activity --name review | field activityArn)
expect "activity" "$(sfn describe-activity --activity-arn "$act" | field name)" review
sfn delete-activity --activity-arn "$act" >/dev/null
expect "activities after delete" "$(sfn list-activities | field activities)" "[]"

# The wire protocol's errors, as AWS's front end answers them (ServeWire).
code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H 'X-Amz-Target: AWSStepFunctions.Nope' \
	-H 'Content-Type: application/x-amz-json-1.0' -d '{}' "$url/")
expect "unknown target" "$code $(cat "$tmp/body")" '400 {"__type":"com.amazon.coral.service#UnknownOperationException"}'
code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H 'X-Amz-Target: AWSStepFunctions.ListStateMachines' \
	-H 'Content-Type: application/x-amz-json-1.0' -d '{"maxResults":' "$url/")
expect "malformed JSON" "$code $(cat "$tmp/body")" '400 {"__type":"com.amazon.coral.service#SerializationException"}'
rid=$(curl -s -D - -o /dev/null -X POST -H 'X-Amz-Target: AWSStepFunctions.ListStateMachines' \
	-H 'Content-Type: application/x-amz-json-1.0' -d '{}' "$url/" | tr -d '\r' | sed -n 's/^x-amzn-requestid: //Ip')
if [ -n "$rid" ]; then echo "ok: x-amzn-RequestId"; else fail "no x-amzn-RequestId"; fi

# What D1 keeps of running executions: only l2 still runs, and nothing
# of the ended ones' journals is left.
got=$(cd wasm/worker && npx wrangler d1 execute stepwise --local --persist-to "$tmp/state" --json \
	--command "SELECT (SELECT group_concat(arn) FROM running) AS running, (SELECT count(DISTINCT execution) FROM journal) AS journals" 2>/dev/null |
	python3 -c 'import json, sys; r = json.load(sys.stdin)[0]["results"][0]; print(r["running"], r["journals"])') || true
expect "D1: running executions and journals" "$got" "$l2 1"

# Figures, not assertions: the CPU time of a request, and the size of
# what `wrangler deploy` would upload.
python3 scripts/worker-cpu.py "$pid" "$url/" 10 || fail "worker-cpu.py"
(cd wasm/worker && npx wrangler deploy --dry-run --outdir "$tmp/deploy" 2>&1 | grep 'Total Upload') || fail "wrangler deploy --dry-run"

# An HTTP Task, sent with the Workers runtime's fetch: it reads one of the
# playground's files from this Worker.
sfn create-state-machine --name fetcher --role-arn "$role" --definition '{"StartAt":"Get","States":{"Get":{"Type":"Task","Resource":"arn:aws:states:::http:invoke","Parameters":{"ApiEndpoint":"'"$url"'/examples/index.json","Method":"GET","Authentication":{"ConnectionArn":"arn:aws:events:us-east-1:123456789012:connection/worker/0000"}},"ResultSelector":{"status.$":"$.StatusCode"},"End":true}}}' >/dev/null
h=$(sfn start-execution --state-machine-arn "$machine:fetcher" --name get | field executionArn)
desc=$(sfn describe-execution --execution-arn "$h")
expect "HTTP Task" "$(field status <<<"$desc")" SUCCEEDED
expect "HTTP Task output" "$(field output <<<"$desc" 2>/dev/null || true)" '{"status":200}'

if [ "$failures" -gt 0 ]; then
	echo "--- wrangler dev log"
	tail -n 40 "$tmp/dev.log"
	echo "worker-test: $failures failed"
	exit 1
fi
echo "worker-test: all passed"
