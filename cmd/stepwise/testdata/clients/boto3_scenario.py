"""boto3 against `stepwise serve`: the full scenario of cmd/stepwise/clients_test.go.

Usage: python3 boto3_scenario.py ENDPOINT_URL

Credentials and region come from the environment (dummy keys are fine).
Prints one line per check and exits non-zero at the first difference.
"""

import datetime
import json
import os
import sys
import threading
import time

import boto3
import botocore
import botocore.configprovider
from botocore.config import Config

ENDPOINT = sys.argv[1]
ROLE = "arn:aws:iam::123456789012:role/stepwise"
ACCOUNT = "123456789012"


def check(cond, what, got=None):
    if not cond:
        print(f"FAIL: {what}" + (f": got {got!r}" if got is not None else ""), flush=True)
        sys.exit(1)
    print(f"ok   {what}", flush=True)


def client(**config):
    # One attempt: an error must surface as it came, not after retries.
    # GetActivityTask long-polls 60 s, so reads may take a little longer.
    cfg = Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=70, **config)
    return boto3.client("stepfunctions", endpoint_url=ENDPOINT, region_name="us-east-1", config=cfg)


def raises(exc, fn, **kwargs):
    """Calls fn and returns the exception if it is exc, else fails."""
    try:
        fn(**kwargs)
    except exc as e:
        return e
    except Exception as e:  # noqa: BLE001 - report what came instead
        check(False, f"{fn.__name__} raises {exc.__name__}", f"{type(e).__name__}: {e}")
    check(False, f"{fn.__name__} raises {exc.__name__}", "no error")


def wait(c, arn):
    for _ in range(200):
        d = c.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            return d
        time.sleep(0.05)
    check(False, f"{arn} leaves RUNNING")


def history(c, arn, reverse):
    events, kwargs = [], {"executionArn": arn, "maxResults": 2, "reverseOrder": reverse}
    while True:
        page = c.get_execution_history(**kwargs)
        events += page["events"]
        if "nextToken" not in page:
            check(len(page["events"]) <= 2, f"GetExecutionHistory maxResults=2 reverseOrder={reverse}: full pages and a nextToken until the last")
            return events
        check(len(page["events"]) == 2, "a page before the last holds maxResults events", page["events"])
        kwargs["nextToken"] = page["nextToken"]


c = client()
now = datetime.datetime.now(datetime.timezone.utc)

act = c.create_activity(name="work")["activityArn"]
check(act == f"arn:aws:states:us-east-1:{ACCOUNT}:activity:work", "CreateActivity answers the activity ARN", act)
def_v1 = json.dumps({"StartAt": "Greet", "States": {
    "Greet": {"Type": "Pass", "Result": "v1", "ResultPath": "$.version", "Next": "Work"},
    "Work": {"Type": "Task", "Resource": act, "HeartbeatSeconds": 60, "TimeoutSeconds": 300, "End": True}}})
def_v2 = def_v1.replace('"v1"', '"v2"')
sm = c.create_state_machine(name="flow", definition=def_v1, roleArn=ROLE)
check(abs((sm["creationDate"] - now).total_seconds()) < 3600, "creationDate parses as a datetime near now", sm["creationDate"])
again = c.create_state_machine(name="flow", definition=def_v1, roleArn=ROLE)
check(again["stateMachineArn"] == sm["stateMachineArn"], "CreateStateMachine again with the same definition answers the same ARN")
sm_arn = sm["stateMachineArn"]
d = c.describe_state_machine(stateMachineArn=sm_arn)
check(d["status"] == "ACTIVE" and d["type"] == "STANDARD" and d["definition"] == def_v1, "DescribeStateMachine", d)

first = c.start_execution(stateMachineArn=sm_arn, name="first", input='{"doc":"a"}')
d = c.describe_execution(executionArn=first["executionArn"])
check(d["status"] == "RUNNING" and d["startDate"] == first["startDate"], "DescribeExecution while running", d)
c.update_state_machine(stateMachineArn=sm_arn, definition=def_v2)
check(c.describe_state_machine_for_execution(executionArn=first["executionArn"])["definition"] == def_v1,
      "after UpdateStateMachine, DescribeStateMachineForExecution shows the definition the execution started with")
check(c.describe_state_machine(stateMachineArn=sm_arn)["definition"] == def_v2, "DescribeStateMachine shows the update")

worker_errors = []


def worker():
    try:
        w = client()
        task = w.get_activity_task(activityArn=act, workerName="boto3-worker")
        w.send_task_heartbeat(taskToken=task["taskToken"])
        w.send_task_success(taskToken=task["taskToken"], output=json.dumps({"worked": json.loads(task["input"])}, separators=(",", ":")))
    except Exception as e:  # noqa: BLE001 - reported by the main thread
        worker_errors.append(e)


t = threading.Thread(target=worker)
t.start()
t.join(90)
check(not t.is_alive() and not worker_errors, "an activity worker thread long-polls GetActivityTask, heartbeats and answers", worker_errors)
d = wait(c, first["executionArn"])
check(d["status"] == "SUCCEEDED" and d["output"] == '{"worked":{"doc":"a","version":"v1"}}' and "stopDate" in d,
      "the execution succeeds with the worker's output, on its original definition", d)

fwd = history(c, first["executionArn"], False)
back = history(c, first["executionArn"], True)
types = [e["type"] for e in fwd]
check(types == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "TaskStateEntered", "ActivityScheduled",
                "ActivityStarted", "ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"], "the history's events", types)
check([e["id"] for e in fwd] == list(range(1, len(fwd) + 1)), "history ids count up from 1")
check([e["id"] for e in back] == [e["id"] for e in reversed(fwd)], "reverseOrder pages give the same events backwards")
check(all(isinstance(e["timestamp"], datetime.datetime) for e in fwd), "event timestamps parse as datetimes")
check(fwd[5]["activityStartedEventDetails"]["workerName"] == "boto3-worker", "ActivityStarted names the worker")

second = c.start_execution(stateMachineArn=sm_arn, name="second")["executionArn"]
third = c.start_execution(stateMachineArn=sm_arn, name="third")["executionArn"]
stop = c.stop_execution(executionArn=second, error="Halt", cause="by the test")
check(isinstance(stop["stopDate"], datetime.datetime), "StopExecution answers a stopDate")
d = wait(c, second)
check(d["status"] == "ABORTED" and d["error"] == "Halt" and d["cause"] == "by the test", "a stopped execution is ABORTED", d)

c.create_state_machine(name="other", definition='{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}', roleArn=ROLE)
names, sizes = [], []
for page in c.get_paginator("list_state_machines").paginate(PaginationConfig={"PageSize": 1}):
    sizes.append(len(page["stateMachines"]))
    names += [m["name"] for m in page["stateMachines"]]
check(sorted(names) == ["flow", "other"] and max(sizes) == 1, "ListStateMachines, one a page, lists every machine", (names, sizes))
statuses, pages = {}, 0
for page in c.get_paginator("list_executions").paginate(stateMachineArn=sm_arn, PaginationConfig={"PageSize": 1}):
    pages += 1
    statuses.update({e["name"]: e["status"] for e in page["executions"]})
check(statuses == {"first": "SUCCEEDED", "second": "ABORTED", "third": "RUNNING"} and pages == 3,
      "ListExecutions, one a page, lists every execution", (statuses, pages))
running = c.list_executions(stateMachineArn=sm_arn, statusFilter="RUNNING")["executions"]
check([e["name"] for e in running] == ["third"], "ListExecutions statusFilter RUNNING", running)

# A callback: the token travels in the (mocked) SQS message.
cb_def = json.dumps({"StartAt": "Ask", "States": {"Ask": {
    "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MessageBody": {"token.$": "$$.Task.Token"}},
    "End": True}}})
cb = c.create_state_machine(name="callback", definition=cb_def, roleArn=ROLE)["stateMachineArn"]
answered = {}
for answer in ["yes", "no"]:
    arn = c.start_execution(stateMachineArn=cb + "#Queue", name=answer)["executionArn"]
    scheduled = [e for e in c.get_execution_history(executionArn=arn)["events"] if e["type"] == "TaskScheduled"]
    token = json.loads(scheduled[0]["taskScheduledEventDetails"]["parameters"])["MessageBody"]["token"]
    if answer == "yes":
        c.send_task_success(taskToken=token, output='{"approved":true}')
    else:
        c.send_task_failure(taskToken=token, error="Denied", cause="no thanks")
    raises(c.exceptions.TaskTimedOut, c.send_task_success, taskToken=token, output="{}")
    print("ok   a spent token is TaskTimedOut")
    answered[answer] = wait(c, arn)
check(answered["yes"]["status"] == "SUCCEEDED" and answered["yes"]["output"] == '{"approved":true}',
      "SendTaskSuccess with the token from the history completes the callback", answered["yes"])
check(answered["no"]["status"] == "FAILED" and answered["no"]["error"] == "Denied" and answered["no"]["cause"] == "no thanks",
      "SendTaskFailure fails it with the error and cause", answered["no"])

# EXPRESS StartSyncExecution. botocore sends it to the host sync-<endpoint
# host>, which does not resolve for 127.0.0.1: turn the prefix off, or
# send through the server as a proxy (it serves any Host).
quick = c.create_state_machine(name="quick", type="EXPRESS", roleArn=ROLE, definition=json.dumps(
    {"StartAt": "Sum", "States": {"Sum": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a, $.b)"}, "End": True}}}))["stateMachineArn"]
ways = [("Config(inject_host_prefix=False)", client(inject_host_prefix=False)),
        ("the server as the HTTP proxy", client(proxies={"http": ENDPOINT}))]
# Recent botocore releases read AWS_DISABLE_HOST_PREFIX_INJECTION; older
# releases ignore it (and would send to sync-127.0.0.1).
if "disable_host_prefix_injection" in getattr(botocore.configprovider, "BOTOCORE_DEFAUT_SESSION_VARIABLES", {}):
    os.environ["AWS_DISABLE_HOST_PREFIX_INJECTION"] = "true"
    ways.append(("AWS_DISABLE_HOST_PREFIX_INJECTION=true", client()))
    del os.environ["AWS_DISABLE_HOST_PREFIX_INJECTION"]
else:
    print(f"note botocore {botocore.__version__} does not know AWS_DISABLE_HOST_PREFIX_INJECTION")
for how, sc in ways:
    out = sc.start_sync_execution(stateMachineArn=quick, input='{"a":2,"b":3}')
    check(out["status"] == "SUCCEEDED" and out["output"] == '{"sum":5}' and isinstance(out["stopDate"], datetime.datetime)
          and "billingDetails" in out, f"StartSyncExecution of an EXPRESS machine with {how}", out)

# Every error is boto3's own exception class.
ex = c.exceptions
missing_exec = f"arn:aws:states:us-east-1:{ACCOUNT}:execution:flow:nope"
missing_sm = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:nope"
missing_act = f"arn:aws:states:us-east-1:{ACCOUNT}:activity:nope"
nosync = client(inject_host_prefix=False)
cases = [
    (ex.ExecutionDoesNotExist, c.describe_execution, {"executionArn": missing_exec}),
    (ex.StateMachineDoesNotExist, c.describe_state_machine, {"stateMachineArn": missing_sm}),
    (ex.StateMachineDoesNotExist, c.start_execution, {"stateMachineArn": missing_sm}),
    (ex.InvalidArn, c.describe_execution, {"executionArn": "not-an-arn"}),
    (ex.InvalidDefinition, c.create_state_machine, {"name": "bad", "definition": '{"StartAt":"Nowhere","States":{}}', "roleArn": ROLE}),
    (ex.InvalidName, c.create_state_machine, {"name": "bad name", "definition": def_v1, "roleArn": ROLE}),
    (ex.StateMachineAlreadyExists, c.create_state_machine, {"name": "other", "definition": def_v1, "roleArn": ROLE}),
    (ex.ExecutionAlreadyExists, c.start_execution, {"stateMachineArn": sm_arn, "name": "first", "input": '{"doc":"b"}'}),
    (ex.InvalidExecutionInput, c.start_execution, {"stateMachineArn": sm_arn, "input": "{oops"}),
    (ex.ValidationException, c.start_execution, {"stateMachineArn": sm_arn, "name": "n" * 81}),
    (ex.StateMachineTypeNotSupported, nosync.start_sync_execution, {"stateMachineArn": sm_arn}),
    (ex.InvalidToken, c.send_task_success, {"taskToken": "not-a-token", "output": "{}"}),
    (ex.InvalidOutput, c.send_task_success, {"taskToken": "not-a-token", "output": "{oops"}),
    (ex.ActivityDoesNotExist, c.describe_activity, {"activityArn": missing_act}),
    (ex.ActivityDoesNotExist, c.get_activity_task, {"activityArn": missing_act}),
]
for exc, fn, kwargs in cases:
    e = raises(exc, fn, **kwargs)
    code = e.response["Error"]["Code"]
    check(code == exc.__name__ and e.response["Error"]["Message"] and e.response["ResponseMetadata"]["HTTPStatusCode"] == 400,
          f"{fn.__name__} -> client.exceptions.{exc.__name__} ({e.response['Error']['Message'][:60]})", e.response)

c.stop_execution(executionArn=third)
c.delete_state_machine(stateMachineArn=sm_arn)
raises(ex.StateMachineDoesNotExist, c.describe_state_machine, stateMachineArn=sm_arn)
print("ok   DeleteStateMachine: the machine is gone")
c.delete_activity(activityArn=act)
raises(ex.ActivityDoesNotExist, c.describe_activity, activityArn=act)
print("ok   DeleteActivity: the activity is gone")
print("boto3 scenario passed")
