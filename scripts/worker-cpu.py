#!/usr/bin/env python3
"""CPU time per request of the Worker under `wrangler dev` (worker-test.sh
runs it): usage worker-cpu.py PGID URL [N].

The Worker cannot time itself (workerd stops Date.now and
performance.now while code runs, as Cloudflare does), so this reads the
CPU time (utime + stime from /proc) of the workerd processes in wrangler's
process group before and after N requests of one kind. It counts
everything workerd does for them: starting the Go runtime (a fresh
instance per request), the handler, and the local D1's SQLite (which runs
outside the Worker on Cloudflare), so it is an upper bound. Linux only.
"""
import os, sys, json, time, urllib.request
pgid = int(sys.argv[1]); url = sys.argv[2]
tick = os.sysconf('SC_CLK_TCK')
def pids():
    out = []
    for p in os.listdir('/proc'):
        if not p.isdigit(): continue
        try:
            st = open(f'/proc/{p}/stat').read()
        except OSError: continue
        rest = st[st.rindex(')')+2:].split()
        if int(rest[2]) == pgid and 'workerd' in st[:st.rindex(')')]:
            out.append(int(p))
    return out
def cpu():
    t = 0
    for p in pids():
        rest = open(f'/proc/{p}/stat').read()
        rest = rest[rest.rindex(')')+2:].split()
        t += int(rest[11]) + int(rest[12])
    return t / tick
def call(op, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method='POST',
        headers={'X-Amz-Target': 'AWSStepFunctions.' + op, 'Content-Type': 'application/x-amz-json-1.0'})
    try:
        return json.load(urllib.request.urlopen(req))
    except urllib.error.HTTPError as e:
        return json.load(e)
def measure(name, n, fn):
    c0, w0 = cpu(), time.time()
    for i in range(n): fn(i)
    c1, w1 = cpu(), time.time()
    print(f'{name:28s} n={n:3d}  cpu {1000*(c1-c0)/n:6.1f} ms/req   wall {1000*(w1-w0)/n:6.1f} ms/req')
role = 'arn:aws:iam::123456789012:role/r'
sm = 'arn:aws:states:us-east-1:123456789012:stateMachine:'
call('CreateStateMachine', {'name': 'cpu-pass', 'roleArn': role, 'definition': json.dumps({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","End":True}}})})
call('CreateStateMachine', {'name': 'cpu-callback', 'roleArn': role, 'definition': json.dumps({"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"QueueUrl":"q","MessageBody":{"t.$":"$$.Task.Token"}},"End":True}}})})
n = int(sys.argv[3]) if len(sys.argv) > 3 else 20
measure('warm-up ListStateMachines', 5, lambda i: call('ListStateMachines', {}))
measure('bad target (no D1)', n, lambda i: call('Nope', {}))
measure('ListStateMachines', n, lambda i: call('ListStateMachines', {}))
arns = []
measure('StartExecution (2 Pass)', n, lambda i: arns.append(call('StartExecution', {'stateMachineArn': sm + 'cpu-pass'})['executionArn']))
measure('DescribeExecution', n, lambda i: call('DescribeExecution', {'executionArn': arns[i]}))
measure('GetExecutionHistory', n, lambda i: call('GetExecutionHistory', {'executionArn': arns[i]}))
cbs = []
measure('StartExecution (callback)', n, lambda i: cbs.append(call('StartExecution', {'stateMachineArn': sm + 'cpu-callback'})['executionArn']))
toks = []
for a in cbs:
    for e in call('GetExecutionHistory', {'executionArn': a})['events']:
        if e['type'] == 'TaskScheduled':
            toks.append(json.loads(e['taskScheduledEventDetails']['parameters'])['MessageBody']['t'])
measure('SendTaskSuccess (replay)', n, lambda i: call('SendTaskSuccess', {'taskToken': toks[i], 'output': '{}'}))
measure('cron tick (none due)', n, lambda i: urllib.request.urlopen(url.rstrip('/') + '/__scheduled?cron=*+*+*+*+*').read())
assert call('DescribeExecution', {'executionArn': cbs[0]})['status'] == 'SUCCEEDED'
