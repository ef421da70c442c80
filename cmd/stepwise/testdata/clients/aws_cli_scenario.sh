#!/usr/bin/env bash
# The AWS CLI against `stepwise serve`: the full scenario of
# cmd/stepwise/clients_test.go.
#
#   bash aws_cli_scenario.sh ENDPOINT_URL
#
# Credentials and region come from the environment (dummy keys are fine).
# Prints one line per check and exits non-zero at the first difference.
set -euo pipefail
URL=$1
ROLE=arn:aws:iam::123456789012:role/stepwise
ACCOUNT=123456789012
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# sfn runs one `aws stepfunctions` command against the server.
sfn() { aws stepfunctions --endpoint-url "$URL" "$@"; }
# val prints one value of an answer: sfn ARGS... --query EXPR.
val() { sfn --output text "$@"; }
ok() { echo "ok   $*"; }
fail() {
	echo "FAIL: $*"
	exit 1
}
# same WHAT GOT WANT
same() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
	ok "$1"
}
# expect_error CODE ARGS...: the command fails as the CLI fails on a
# service error: "An error occurred (CODE) when calling ..." on stderr and
# exit 255 (CLI v1; v2 exits 254).
expect_error() {
	local code=$1 rc=0 err=$tmp/err.$BASHPID
	shift
	sfn "$@" >/dev/null 2>"$err" || rc=$?
	case $rc in 254 | 255) ;; *) fail "$1: exit $rc, want 254 (CLI v2) or 255 (v1): $(cat "$err")" ;; esac
	grep -q "An error occurred ($code) when calling" "$err" || fail "$1: want $code: $(cat "$err")"
	ok "$1 -> exit $rc, $(tr -d '\n' <"$err" | cut -c1-120)"
}

# Independent checks run a few at a time (each CLI start costs about half a
# second of CPU): bg CMD... starts one, wait_bg waits for all and prints
# their output in order.
bg_pids=()
bg() {
	while [ "$(jobs -rp | wc -l)" -ge 4 ]; do sleep 0.1; done
	"$@" >"$tmp/bg.${#bg_pids[@]}" 2>&1 &
	bg_pids+=($!)
}
# nosync runs a command with the CLI's sync- host prefix turned off;
# viaproxy with the server as its HTTP proxy.
nosync() { AWS_DISABLE_HOST_PREFIX_INJECTION=true "$@"; }
viaproxy() { HTTP_PROXY=$URL NO_PROXY= no_proxy= "$@"; }
wait_bg() {
	local i failed=0
	for i in "${!bg_pids[@]}"; do
		wait "${bg_pids[$i]}" || failed=1
		cat "$tmp/bg.$i"
	done
	bg_pids=()
	[ $failed = 0 ] || fail "see above"
}

# A callback: the token travels in the (mocked) SQS message.
callback_section() {
	local cb_def cb exec_arn params token answer
	cb_def='{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/q","MessageBody":{"token.$":"$$.Task.Token"}},"End":true}}}'
	cb=$(val create-state-machine --name callback --definition "$cb_def" --role-arn $ROLE --query stateMachineArn)
	for answer in yes no; do
		exec_arn=$(val start-execution --state-machine-arn "$cb#Queue" --name $answer --query executionArn)
		params=$(val get-execution-history --execution-arn "$exec_arn" --query 'events[?type==`TaskScheduled`].taskScheduledEventDetails.parameters | [0]')
		token=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' <<<"$params")
		[ -n "$token" ] || fail "no token in the TaskScheduled parameters $params"
		if [ $answer = yes ]; then
			sfn send-task-success --task-token "$token" --task-output '{"approved":true}' >/dev/null
			same "SendTaskSuccess with the token from the history" \
				"$(val describe-execution --execution-arn "$exec_arn" --query '[status,output]')" 'SUCCEEDED	{"approved":true}'
		else
			sfn send-task-failure --task-token "$token" --error Denied --cause "no thanks" >/dev/null
			same "SendTaskFailure" "$(val describe-execution --execution-arn "$exec_arn" --query '[status,error,cause]')" "FAILED	Denied	no thanks"
		fi
		expect_error TaskTimedOut send-task-success --task-token "$token" --task-output '{}'
	done
}

# EXPRESS StartSyncExecution. The CLI sends it to the host
# sync-<endpoint host>, which does not resolve for 127.0.0.1: turn the
# prefix off with AWS_DISABLE_HOST_PREFIX_INJECTION=true (CLIs whose
# botocore predates that setting ignore it), or send through the server as
# the HTTP proxy (botocore picks the proxy by the endpoint URL, so NO_PROXY
# must not name it).
express_section() {
	local quick out
	quick=$(val create-state-machine --name quick --type EXPRESS --role-arn $ROLE --query stateMachineArn \
		--definition '{"StartAt":"Sum","States":{"Sum":{"Type":"Pass","Parameters":{"sum.$":"States.MathAdd($.a, $.b)"},"End":true}}}')
	same "StartSyncExecution with HTTP_PROXY=$URL" \
		"$(viaproxy val --debug start-sync-execution --state-machine-arn "$quick" --input '{"a":2,"b":3}' --query '[status,output]' 2>"$tmp/debug")" \
		'SUCCEEDED	{"sum":5}'
	grep -q "url=http://sync-127.0.0.1" "$tmp/debug" || fail "the CLI did not use the sync- prefix: $(grep -m1 'url=' "$tmp/debug")"
	# The proxy also tells whether this CLI honours the setting, without
	# waiting for a name that does not resolve.
	viaproxy nosync val --debug start-sync-execution --state-machine-arn "$quick" --input '{}' >/dev/null 2>"$tmp/debug"
	if grep -q "url=http://sync-" "$tmp/debug"; then
		echo "note this CLI ignores AWS_DISABLE_HOST_PREFIX_INJECTION ($(aws --version 2>&1)); HTTP_PROXY works"
		return
	fi
	same "StartSyncExecution with AWS_DISABLE_HOST_PREFIX_INJECTION=true" \
		"$(nosync val start-sync-execution --state-machine-arn "$quick" --input '{"a":2,"b":3}' --query '[status,output]')" \
		'SUCCEEDED	{"sum":5}'
}

# The callback and EXPRESS sections use machines of their own: they run
# beside the main flow.
bg callback_section
bg express_section

act=$(val create-activity --name work --query activityArn)
same "CreateActivity answers the activity ARN" "$act" "arn:aws:states:us-east-1:$ACCOUNT:activity:work"
def_v1='{"StartAt":"Greet","States":{"Greet":{"Type":"Pass","Result":"v1","ResultPath":"$.version","Next":"Work"},"Work":{"Type":"Task","Resource":"'$act'","HeartbeatSeconds":60,"TimeoutSeconds":300,"End":true}}}'
def_v2=${def_v1/\"v1\"/\"v2\"}
sfn create-state-machine --name flow --definition "$def_v1" --role-arn $ROLE >"$tmp/sm.json"
sm=arn:aws:states:us-east-1:$ACCOUNT:stateMachine:flow
grep -q "\"stateMachineArn\": \"$sm\"" "$tmp/sm.json" || fail "CreateStateMachine: $(cat "$tmp/sm.json")"
# CLI v1 prints timestamps as they came (epoch seconds); v2 parses them
# and prints ISO 8601.
grep -Eq '"creationDate": ([0-9]{10}(\.[0-9]+)?|"20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)")$' "$tmp/sm.json" ||
	fail "creationDate is neither epoch seconds nor a parsed time: $(cat "$tmp/sm.json")"
ok "CreateStateMachine answers the ARN and a creationDate in epoch seconds"
same "DescribeStateMachine" "$(val describe-state-machine --state-machine-arn "$sm" --query '[status,type]')" "ACTIVE	STANDARD"

# The worker long-polls before there is a task.
val get-activity-task --activity-arn "$act" --worker-name cli-worker --query '[taskToken,input]' >"$tmp/task" &
worker=$!
first=$(val start-execution --state-machine-arn "$sm" --name first --input '{"doc":"a"}' --query executionArn)
same "StartExecution answers the execution ARN" "$first" "arn:aws:states:us-east-1:$ACCOUNT:execution:flow:first"
same "DescribeExecution while running" "$(val describe-execution --execution-arn "$first" --query status)" RUNNING
sfn update-state-machine --state-machine-arn "$sm" --definition "$def_v2" >/dev/null
same "after UpdateStateMachine, DescribeStateMachineForExecution keeps the execution's definition" \
	"$(val describe-state-machine-for-execution --execution-arn "$first" --query definition)" "$def_v1"
same "DescribeStateMachine shows the update" "$(val describe-state-machine --state-machine-arn "$sm" --query definition)" "$def_v2"
wait $worker || fail "get-activity-task failed"
IFS=$'\t' read -r token input <"$tmp/task"
same "GetActivityTask (long poll, in the background) gets the task input" "$input" '{"doc":"a","version":"v1"}'
sfn send-task-heartbeat --task-token "$token" >/dev/null
sfn send-task-success --task-token "$token" --task-output '{"worked":true}' >/dev/null
ok "SendTaskHeartbeat, SendTaskSuccess"
same "the execution succeeds with the worker's output" \
	"$(val describe-execution --execution-arn "$first" --query '[status,output]')" 'SUCCEEDED	{"worked":true}'

# History: all pages of 2 fetched by the CLI, then 4 events (two requests
# of maxResults 2) per --starting-token each way.
types=$(val get-execution-history --execution-arn "$first" --page-size 2 --query 'events[].type' | tr '\t\n' ',,')
same "GetExecutionHistory --page-size 2" "$types" "ExecutionStarted,PassStateEntered,PassStateExited,TaskStateEntered,ActivityScheduled,ActivityStarted,ActivitySucceeded,TaskStateExited,ExecutionSucceeded,"
for reverse in --no-reverse-order --reverse-order; do
	ids="" next=""
	for _ in $(seq 10); do
		sfn get-execution-history --execution-arn "$first" $reverse --page-size 2 --max-items 4 ${next:+--starting-token "$next"} --output json >"$tmp/page.json"
		ids+=$(grep -Eo '"id": [0-9]+' "$tmp/page.json" | grep -Eo '[0-9]+' | tr '\n' ' ')
		next=$(sed -n 's/.*"NextToken": "\([^"]*\)".*/\1/p' "$tmp/page.json")
		[ -n "$next" ] || break
	done
	want="1 2 3 4 5 6 7 8 9 "
	[ $reverse = --reverse-order ] && want="9 8 7 6 5 4 3 2 1 "
	same "GetExecutionHistory $reverse, --page-size 2 --max-items 4 --starting-token" "$ids" "$want"
done

second=$(val start-execution --state-machine-arn "$sm" --name second --query executionArn)
third=$(val start-execution --state-machine-arn "$sm" --name third --query executionArn)
sfn stop-execution --execution-arn "$second" --error Halt --cause "by the test" >/dev/null
same "StopExecution: ABORTED with the error and cause" \
	"$(val describe-execution --execution-arn "$second" --query '[status,error,cause]')" "ABORTED	Halt	by the test"
sfn create-state-machine --name other --definition '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}' --role-arn $ROLE >/dev/null
# (the callback and EXPRESS sections may have made theirs by now)
same "ListStateMachines --page-size 1" \
	"$(val list-state-machines --page-size 1 --query 'stateMachines[?name==`flow` || name==`other`].name' | tr '\t\n' '  ')" "flow other "
same "ListExecutions --page-size 1" \
	"$(val list-executions --state-machine-arn "$sm" --page-size 1 --query 'executions[].[name,status]' | sort | tr '\t\n' ':,')" \
	"first:SUCCEEDED,second:ABORTED,third:RUNNING,"
same "ListExecutions --status-filter RUNNING" "$(val list-executions --state-machine-arn "$sm" --status-filter RUNNING --query 'executions[].name')" third

missing_sm=arn:aws:states:us-east-1:$ACCOUNT:stateMachine:nope
bg expect_error ExecutionDoesNotExist describe-execution --execution-arn "arn:aws:states:us-east-1:$ACCOUNT:execution:flow:nope"
bg expect_error StateMachineDoesNotExist describe-state-machine --state-machine-arn "$missing_sm"
bg expect_error StateMachineDoesNotExist start-execution --state-machine-arn "$missing_sm"
bg expect_error InvalidArn describe-execution --execution-arn not-an-arn
bg expect_error InvalidDefinition create-state-machine --name bad --definition '{"StartAt":"Nowhere","States":{}}' --role-arn $ROLE
bg expect_error InvalidName create-state-machine --name "bad name" --definition "$def_v1" --role-arn $ROLE
bg expect_error StateMachineAlreadyExists create-state-machine --name other --definition "$def_v1" --role-arn $ROLE
bg expect_error ExecutionAlreadyExists start-execution --state-machine-arn "$sm" --name first --input '{"doc":"b"}'
bg expect_error InvalidExecutionInput start-execution --state-machine-arn "$sm" --input '{oops'
bg expect_error ValidationException start-execution --state-machine-arn "$sm" --name "$(printf 'n%.0s' $(seq 81))"
bg viaproxy expect_error StateMachineTypeNotSupported start-sync-execution --state-machine-arn "$sm"
bg expect_error InvalidToken send-task-success --task-token not-a-token --task-output '{}'
bg expect_error InvalidOutput send-task-success --task-token not-a-token --task-output '{oops'
bg expect_error ActivityDoesNotExist describe-activity --activity-arn "arn:aws:states:us-east-1:$ACCOUNT:activity:nope"
bg expect_error ActivityDoesNotExist get-activity-task --activity-arn "arn:aws:states:us-east-1:$ACCOUNT:activity:nope"
wait_bg

sfn stop-execution --execution-arn "$third" >/dev/null
sfn delete-state-machine --state-machine-arn "$sm"
expect_error StateMachineDoesNotExist describe-state-machine --state-machine-arn "$sm"
sfn delete-activity --activity-arn "$act"
expect_error ActivityDoesNotExist describe-activity --activity-arn "$act"
echo "aws CLI scenario passed"
