package interp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/jsonpath"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// resourceKind says which family of history events a Task resource records.
type resourceKind int

const (
	kindService  resourceKind = iota // Task* events (optimized and SDK integrations)
	kindLambda                       // Lambda* events (a function ARN as Resource)
	kindActivity                     // Activity* events
)

// resource is a Task state's Resource, classified.
type resource struct {
	ARN      string
	Kind     resourceKind
	Type     string // TaskScheduled resourceType, e.g. "lambda", "aws-sdk:s3"
	Name     string // TaskScheduled resource, e.g. "invoke", "sendMessage.waitForTaskToken"
	Pattern  string // "", "sync", "sync:2", "waitForTaskToken"
	Region   string
	Function string // for kindLambda
}

// parseResource classifies a Task Resource ARN.
func parseResource(arn, region string) resource {
	r := resource{ARN: arn, Region: region}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		r.Type, r.Name = "unknown", arn
		return r
	}
	if parts[3] != "" {
		r.Region = parts[3]
	}
	switch {
	case parts[2] == "lambda":
		r.Kind = kindLambda
		r.Function = parts[5]
	case parts[2] == "states" && strings.HasPrefix(parts[5], "activity:"):
		r.Kind = kindActivity
	default:
		rest := parts[5] // SERVICE:ACTION or aws-sdk:SERVICE:ACTION
		if i := strings.LastIndex(rest, ":"); i >= 0 {
			r.Type, r.Name = rest[:i], rest[i+1:]
		} else {
			r.Type, r.Name = rest, ""
		}
		// a pattern suffix may itself contain ':' (".sync:2")
		if strings.HasSuffix(rest, ".sync:2") {
			base := strings.TrimSuffix(rest, ":2")
			if i := strings.LastIndex(base, ":"); i >= 0 {
				r.Type, r.Name = base[:i], base[i+1:]+":2"
			}
		}
		for _, p := range []string{"waitForTaskToken", "sync:2", "sync"} {
			if strings.HasSuffix(r.Name, "."+p) {
				r.Pattern = p
				break
			}
		}
	}
	return r
}

// pendingTask is a task invocation waiting for its result.
type pendingTask struct {
	res         resource
	token       string
	params      []byte
	timeout     int64 // TimeoutSeconds as evaluated (0: none)
	timeoutAt   time.Time
	heartbeat   int64
	heartbeatAt time.Time
	// started is false while an activity task waits for a worker
	// (TaskResult.StartDeferred): its timeouts are not armed yet and
	// the SendTask* calls do not reach it.
	started bool
	// req and submitted are the invocation and the runner's Submitted
	// output, for Run.PendingTasks.
	req       *TaskRequest
	submitted []byte
}

// deadline is the earliest of the task's timeouts (zero: none).
func (t *pendingTask) deadline() time.Time {
	if t == nil {
		return time.Time{}
	}
	d := t.timeoutAt
	if !t.heartbeatAt.IsZero() && (d.IsZero() || t.heartbeatAt.Before(d)) {
		d = t.heartbeatAt
	}
	return d
}

// taskState runs (or retries) a Task state up to its invocation.
func (th *thread) taskState(ctx context.Context) {
	st := th.st
	res := parseResource(st.Resource, th.run.ex.Region)
	task := &pendingTask{res: res}
	if res.Pattern == "waitForTaskToken" || res.Kind == kindActivity {
		task.token = th.run.env.IDs.UUID()
	}
	th.task = task
	if th.isJSONata() {
		th.jtaskState(ctx, task)
		return
	}
	in, err := th.selectPath(st.InputPath, th.input)
	eff := in
	f := th.flow()
	if err == nil && f != nil {
		f.AfterInputPath = in
	}
	if err == nil && st.Parameters != nil {
		eff, err = th.evalTemplate(st.Parameters, in)
		if err == nil && f != nil {
			f.AfterParameters = eff
		}
	}
	if err != nil {
		th.task = nil
		th.failState(th.stateError(err))
		return
	}
	task.params = eff
	timeout, err := th.seconds(in, st.TimeoutSeconds, st.TimeoutSecondsPath, "TimeoutSecondsPath")
	if err == nil {
		task.heartbeat, err = th.seconds(in, st.HeartbeatSeconds, st.HeartbeatSecondsPath, "HeartbeatSecondsPath")
	}
	if err != nil {
		th.task = nil
		th.failState(th.stateError(err))
		return
	}
	th.invoke(ctx, task, eff, timeout)
}

// invoke schedules the current Task state's invocation with its effective
// parameters and runs it.
func (th *thread) invoke(ctx context.Context, task *pendingTask, eff []byte, timeout int64) {
	st, res := th.st, task.res
	task.params = eff
	task.timeout = timeout
	th.scheduled(task, timeout)
	task.arm(th.run.now())
	req := &TaskRequest{
		ExecutionARN: th.run.ex.ExecutionARN, StateMachineARN: th.run.ex.StateMachineARN,
		StateName: st.Name, Resource: st.Resource, ResourceType: res.Type, ResourceName: res.Name,
		Pattern: res.Pattern, Parameters: eff, Token: task.token,
		TimeoutSeconds: timeout, HeartbeatSeconds: task.heartbeat, Attempt: th.retryCount,
		StateEnteredEventID: th.entered,
	}
	var result TaskResult
	if th.run.env.Tasks == nil {
		result = Unmocked(req)
	} else {
		result = th.run.env.Tasks.RunTask(ctx, req)
	}
	if res.Kind == kindActivity {
		if result.Pending && result.StartDeferred {
			// The invocation starts when a worker takes it
			// (Run.StartActivity); so do its timeouts.
			task.started = false
			task.timeoutAt, task.heartbeatAt = time.Time{}, time.Time{}
		} else {
			th.emit(history.ActivityStarted, &history.ActivityStartedDetails{})
		}
	}
	if res.Pattern == "waitForTaskToken" || res.Pattern == "sync" || res.Pattern == "sync:2" {
		if result.Submitted != nil || result.Pending {
			sub := result.Submitted
			if sub == nil {
				sub = []byte("{}")
			}
			th.emit(history.TaskSubmitted, &history.TaskDetails{ResourceType: res.Type, Resource: res.Name,
				Output: history.Payload(sub), OutputDetails: history.NotTruncated()})
		}
	}
	if result.Pending {
		th.stage = stageTask
		task.req, task.submitted = req, result.Submitted
		if task.token == "" {
			task.token = result.Token
		}
		if task.token == "" {
			task.token = th.run.env.IDs.UUID()
		}
		th.run.tasks[task.token] = th
		return
	}
	th.finishTask(result)
}

// finishTask ends the current invocation with a runner's result.
func (th *thread) finishTask(result TaskResult) {
	if result.Err != nil {
		th.taskFailed(result.Err, result.Outcome)
		return
	}
	out := result.Output
	if out == nil {
		out = []byte("null")
	}
	out, ok := jsonpath.Compact(out)
	if !ok {
		th.taskFailed(states.New(states.Runtime, th.causePrefix()+"The task returned a result that is not valid JSON."), "")
		return
	}
	th.taskSucceeded(out)
}

// arm starts the task's timeouts at now and marks it started.
func (t *pendingTask) arm(now time.Time) {
	t.started = true
	if t.timeout > 0 {
		t.timeoutAt = now.Add(time.Duration(t.timeout) * time.Second)
	}
	if t.heartbeat > 0 {
		t.heartbeatAt = now.Add(time.Duration(t.heartbeat) * time.Second)
	}
}

// seconds evaluates TimeoutSeconds/HeartbeatSeconds or their Path form
// (on in, the state input after InputPath).
func (th *thread) seconds(in []byte, fixed *int64, path *jsonpath.Path, field string) (int64, error) {
	if fixed != nil {
		return *fixed, nil
	}
	if path == nil {
		return 0, nil
	}
	v, err := th.get(path, in)
	if err != nil {
		return 0, &pathError{fmt.Sprintf("The %s parameter does not reference an input value: %s", field, path.String())}
	}
	var n int64
	if json.Unmarshal(v, &n) != nil || n <= 0 {
		return 0, &pathError{fmt.Sprintf("The %s parameter does not reference a valid positive integer value: %s == %s", field, path.String(), string(v))}
	}
	return n, nil
}

// scheduled records the Scheduled and Started events of an invocation;
// an activity's Started event waits for the runner's answer (taskState),
// as a worker may take the task later.
func (th *thread) scheduled(task *pendingTask, timeout int64) {
	res := task.res
	opt := func(n int64) *int64 {
		if n <= 0 {
			return nil
		}
		return &n
	}
	switch res.Kind {
	case kindLambda:
		th.emit(history.LambdaFunctionScheduled, &history.LambdaFunctionScheduledDetails{
			Resource: res.ARN, Input: history.Payload(task.params), InputDetails: history.NotTruncated(),
			TimeoutInSeconds: opt(timeout), TaskCredentials: th.credentials(),
		})
		th.emit(history.LambdaFunctionStarted, nil)
	case kindActivity:
		th.emit(history.ActivityScheduled, &history.ActivityScheduledDetails{
			Resource: res.ARN, Input: history.Payload(task.params), InputDetails: history.NotTruncated(),
			TimeoutInSeconds: opt(timeout), HeartbeatInSeconds: opt(task.heartbeat),
		})
	default:
		th.emit(history.TaskScheduled, &history.TaskScheduledDetails{
			ResourceType: res.Type, Resource: res.Name, Region: res.Region, Parameters: history.Payload(task.params),
			TimeoutInSeconds: opt(timeout), HeartbeatInSeconds: opt(task.heartbeat), TaskCredentials: th.credentials(),
		})
		th.emit(history.TaskStarted, &history.TaskDetails{ResourceType: res.Type, Resource: res.Name})
	}
}

// credentials evaluates a Task's Credentials field (its RoleArn) against
// the state input.
func (th *thread) credentials() *history.TaskCredentials {
	if th.st.Credentials == nil {
		return nil
	}
	v, err := th.evalTemplate(th.st.Credentials, th.input)
	if err != nil {
		return nil
	}
	var c struct {
		RoleArn string `json:"RoleArn"`
	}
	if json.Unmarshal(v, &c) != nil || c.RoleArn == "" {
		return nil
	}
	return &history.TaskCredentials{RoleARN: c.RoleArn}
}

// taskSucceeded records the result of the current invocation and runs the
// rest of the state's data flow.
func (th *thread) taskSucceeded(output []byte) {
	task := th.task
	th.task = nil
	if th.stage == stageTask {
		th.stage = stageWork
	}
	res := task.res
	switch res.Kind {
	case kindLambda:
		th.emit(history.LambdaFunctionSucceeded, &history.OutputDetails{Output: history.Payload(output), OutputDetails: history.NotTruncated()})
	case kindActivity:
		th.emit(history.ActivitySucceeded, &history.OutputDetails{Output: history.Payload(output), OutputDetails: history.NotTruncated()})
	default:
		th.emit(history.TaskSucceeded, &history.TaskDetails{ResourceType: res.Type, Resource: res.Name,
			Output: history.Payload(output), OutputDetails: history.NotTruncated()})
	}
	if len(output) > MaxPayloadBytes {
		th.failState(states.New(states.DataLimitExceeded,
			"The state/task '"+th.st.Name+"' returned a result with a size exceeding the maximum number of bytes service limit."))
		return
	}
	th.selectAndFinish(output)
}

// taskFailed records the failure of the current invocation and applies
// Retry and Catch.
func (th *thread) taskFailed(err *states.Error, outcome history.Type) {
	task := th.task
	th.task = nil
	if th.stage == stageTask {
		th.stage = stageWork
	}
	res := task.res
	timedOut := err.Name == states.Timeout || err.Name == states.HeartbeatTimeout
	if outcome == "" {
		switch {
		case res.Kind == kindLambda && timedOut:
			outcome = history.LambdaFunctionTimedOut
		case res.Kind == kindLambda:
			outcome = history.LambdaFunctionFailed
		case res.Kind == kindActivity && timedOut:
			outcome = history.ActivityTimedOut
		case res.Kind == kindActivity:
			outcome = history.ActivityFailed
		case timedOut:
			outcome = history.TaskTimedOut
		default:
			outcome = history.TaskFailed
		}
	}
	var details any
	switch outcome {
	case history.TaskFailed, history.TaskTimedOut, history.TaskStartFailed, history.TaskSubmitFailed:
		details = &history.TaskDetails{ResourceType: res.Type, Resource: res.Name, Error: err.Name, Cause: err.Cause}
	default:
		details = &history.FailureDetails{Error: err.Name, Cause: err.Cause}
	}
	id := th.emit(outcome, details)
	th.handleError(err, id)
}

// taskTimedOut fires when a pending task's timeout or heartbeat passes.
func (th *thread) taskTimedOut() {
	task := th.task
	delete(th.run.tasks, task.token)
	name := states.Timeout
	if !task.heartbeatAt.IsZero() && !th.run.now().Before(task.heartbeatAt) &&
		(task.timeoutAt.IsZero() || task.heartbeatAt.Before(task.timeoutAt)) {
		name = states.HeartbeatTimeout
	}
	th.taskFailed(&states.Error{Name: name}, "")
}

// Unmocked is the result of a task no runner serves: it fails as an
// unreachable resource does, with a cause that says how to serve it.
func Unmocked(req *TaskRequest) TaskResult {
	return TaskResult{Err: states.New(states.TaskFailed, fmt.Sprintf(
		"Stepwise has no handler for resource '%s' (state '%s'). Route it in a routing file "+
			"(a mock, a handler, an HTTP endpoint or a failure; a Step Functions Local mock config is one too) "+
			"or register a handler for the resource or state.", req.Resource, req.StateName))}
}
