package sfn

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// flakyTasks fails the first call of each state named in fail, then
// succeeds with {"ok": "<state>"}.
type flakyTasks struct {
	fail  map[string]bool
	calls []string
}

func (f *flakyTasks) RunTask(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
	f.calls = append(f.calls, req.StateName)
	if f.fail[req.StateName] {
		f.fail[req.StateName] = false
		return interp.TaskResult{Err: states.New("Boom", "first call fails")}
	}
	return interp.TaskResult{Output: []byte(`{"ok":"` + req.StateName + `"}`)}
}

// historyLines renders a history as "id prev type [name]" lines.
func historyLines(t *testing.T, s *Service, arn string) []string {
	t.Helper()
	h := mustInvoke(t, s, "GetExecutionHistory", `{"executionArn":"`+arn+`"}`)
	var out []string
	for _, e := range h["events"].([]any) {
		ev := e.(map[string]any)
		line := fmt.Sprintf("%v %v %v", ev["id"], ev["previousEventId"], ev["type"])
		if d, ok := ev["stateEnteredEventDetails"].(map[string]any); ok {
			line += " " + d["name"].(string)
		}
		if d, ok := ev["executionRedrivenEventDetails"].(map[string]any); ok {
			line += fmt.Sprintf(" redriveCount=%v", d["redriveCount"])
		}
		out = append(out, line)
	}
	return out
}

const taskRedriveDef = `{"StartAt":"P","States":{
"P":{"Type":"Pass","Result":{"a":1},"Next":"T"},
"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}`

func TestRedriveTaskFailsOnce(t *testing.T) {
	tasks := &flakyTasks{fail: map[string]bool{"T": true}}
	s := newTestService(Options{Virtual: true, Tasks: tasks})
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", taskRedriveDef, ""))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"e"}`)
	arn := execPrefix + "e"
	d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+arn+`"}`)
	if d["status"] != "FAILED" || d["redriveStatus"] != "REDRIVABLE" || d["redriveCount"] != 0.0 || d["redriveDate"] != nil {
		t.Fatalf("before redrive: %v", d)
	}
	r := mustInvoke(t, s, "RedriveExecution", `{"executionArn":"`+arn+`","clientToken":"tok-1"}`)
	if r["redriveDate"] == nil {
		t.Fatalf("RedriveExecution = %v", r)
	}
	d = mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+arn+`"}`)
	if d["status"] != "SUCCEEDED" || d["output"] != `{"ok":"T"}` || d["redriveCount"] != 1.0 || d["redriveDate"] != r["redriveDate"] ||
		d["redriveStatus"] != "NOT_REDRIVABLE" || d["error"] != nil {
		t.Fatalf("after redrive: %v", d)
	}
	got := strings.Join(historyLines(t, s, arn), "\n")
	want := strings.Join([]string{
		"1 0 ExecutionStarted",
		"2 0 PassStateEntered P",
		"3 2 PassStateExited",
		"4 3 TaskStateEntered T",
		"5 4 TaskScheduled",
		"6 5 TaskStarted",
		"7 6 TaskFailed",
		"8 7 ExecutionFailed",
		"9 8 ExecutionRedriven redriveCount=1",
		"10 9 TaskStateEntered T",
		"11 10 TaskScheduled",
		"12 11 TaskStarted",
		"13 12 TaskSucceeded",
		"14 13 TaskStateExited",
		"15 14 ExecutionSucceeded",
	}, "\n")
	if got != want {
		t.Fatalf("history:\n%s\nwant:\n%s", got, want)
	}
	if c := strings.Join(tasks.calls, ","); c != "T,T" {
		t.Fatalf("task calls %s", c)
	}
	// The same client token within 15 minutes answers the first redrive.
	again := mustInvoke(t, s, "RedriveExecution", `{"executionArn":"`+arn+`","clientToken":"tok-1"}`)
	if again["redriveDate"] != r["redriveDate"] {
		t.Fatalf("idempotent redrive = %v", again)
	}
	if _, err := invoke(t, s, "RedriveExecution", `{"executionArn":"`+arn+`","clientToken":"tok-2"}`); err == nil ||
		err.Code != CodeExecutionNotRedrivable || err.Message != "Execution is SUCCEEDED and cannot be redriven" {
		t.Fatalf("redrive of a succeeded execution: %v", err)
	}
	l := mustInvoke(t, s, "ListExecutions", `{"stateMachineArn":"`+smARN+`","redriveFilter":"REDRIVEN"}`)
	items := l["executions"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["redriveCount"] != 1.0 || items[0].(map[string]any)["redriveDate"] == nil {
		t.Fatalf("ListExecutions REDRIVEN = %v", l)
	}
	l = mustInvoke(t, s, "ListExecutions", `{"stateMachineArn":"`+smARN+`","redriveFilter":"NOT_REDRIVEN"}`)
	if n := len(l["executions"].([]any)); n != 0 {
		t.Fatalf("ListExecutions NOT_REDRIVEN = %v", l)
	}
}

func TestRedriveTwice(t *testing.T) {
	tasks := &flakyTasks{fail: map[string]bool{"T": true}}
	s := newTestService(Options{Virtual: true, Tasks: tasks})
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Next":"F"},
"F":{"Type":"Fail","Error":"Always"}}}`
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", def, ""))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"e"}`)
	arn := execPrefix + "e"
	mustInvoke(t, s, "RedriveExecution", `{"executionArn":"`+arn+`"}`)
	mustInvoke(t, s, "RedriveExecution", `{"executionArn":"`+arn+`"}`)
	d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+arn+`"}`)
	if d["status"] != "FAILED" || d["error"] != "Always" || d["redriveCount"] != 2.0 {
		t.Fatalf("after two redrives: %v", d)
	}
	lines := historyLines(t, s, arn)
	tail := strings.Join(lines[len(lines)-3:], "\n")
	if want := "15 14 ExecutionRedriven redriveCount=2\n16 15 FailStateEntered F\n17 16 ExecutionFailed"; tail != want {
		t.Fatalf("history tail:\n%s", strings.Join(lines, "\n"))
	}
}

func TestRedriveParallelRerunsFailedBranch(t *testing.T) {
	tasks := &flakyTasks{fail: map[string]bool{"B2": true}}
	s := newTestService(Options{Virtual: true, Tasks: tasks})
	def := `{"StartAt":"Par","States":{"Par":{"Type":"Parallel","End":true,"Branches":[
{"StartAt":"B1","States":{"B1":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}},
{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":5,"Next":"B2"},"B2":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}]}}}`
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", def, ""))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"e","input":"{\"x\":1}"}`)
	arn := execPrefix + "e"
	if d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+arn+`"}`); d["status"] != "FAILED" {
		t.Fatalf("first attempt: %v", d)
	}
	before := len(historyLines(t, s, arn))
	mustInvoke(t, s, "RedriveExecution", `{"executionArn":"`+arn+`"}`)
	d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+arn+`"}`)
	if d["status"] != "SUCCEEDED" || d["output"] != `[{"ok":"B1"},{"ok":"B2"}]` {
		t.Fatalf("after redrive: %v", d)
	}
	if c := strings.Join(tasks.calls, ","); c != "B1,B2,B2" {
		t.Fatalf("task calls %s: only the failed branch should run again", c)
	}
	var tail []string
	for _, l := range historyLines(t, s, arn)[before:] {
		tail = append(tail, l[strings.IndexByte(l, ' ')+1:][strings.IndexByte(l[strings.IndexByte(l, ' ')+1:], ' ')+1:])
	}
	want := "ExecutionRedriven redriveCount=1,ParallelStateEntered Par,ParallelStateStarted,TaskStateEntered B2,TaskScheduled,TaskStarted,TaskSucceeded,TaskStateExited,ParallelStateSucceeded,ParallelStateExited,ExecutionSucceeded"
	if got := strings.Join(tail, ","); got != want {
		t.Fatalf("redriven events:\n%s\nwant\n%s", got, want)
	}
}

func TestRedriveInlineMapRerunsFailedIterations(t *testing.T) {
	tasks := &flakyTasks{fail: map[string]bool{}}
	n := 0
	runner := interp.TaskRunnerFunc(func(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
		n++
		tasks.calls = append(tasks.calls, string(req.Parameters))
		if n == 2 {
			return interp.TaskResult{Err: states.New("Boom", "")}
		}
		return interp.TaskResult{Output: req.Parameters}
	})
	s := newTestService(Options{Virtual: true, Tasks: runner})
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,"End":true,"ItemProcessor":{"StartAt":"T","States":{
"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}}}}`
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", def, ""))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"e","input":"[1,2,3]"}`)
	arn := execPrefix + "e"
	mustInvoke(t, s, "RedriveExecution", `{"executionArn":"`+arn+`"}`)
	d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+arn+`"}`)
	if d["status"] != "SUCCEEDED" || d["output"] != `[1,2,3]` {
		t.Fatalf("after redrive: %v", d)
	}
	if c := strings.Join(tasks.calls, ","); c != "1,2,2,3" {
		t.Fatalf("task calls %s: item 0 should not run again", c)
	}
}

func TestRedriveErrors(t *testing.T) {
	s := newTestService(Options{Tasks: &flakyTasks{fail: map[string]bool{"T": true}}})
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", taskRedriveDef, ""))
	wait := `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}}`
	mustInvoke(t, s, "CreateStateMachine", createBody("waiter", wait, ""))
	mustInvoke(t, s, "CreateStateMachine", createBody("fast", passDef, `"type":"EXPRESS"`))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"failed"}`)
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:waiter","name":"running"}`)
	running := "arn:aws:states:us-east-1:123456789012:execution:waiter:running"
	tests := []struct {
		name, body    string
		code, message string
	}{
		{"missing arn", `{}`, CodeValidation,
			"1 validation error detected: Value null at 'executionArn' failed to satisfy constraint: Member must not be null"},
		{"bad client token", `{"executionArn":"` + execPrefix + `failed","clientToken":"a b"}`, CodeValidation,
			"1 validation error detected: Value 'a b' at 'clientToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [!-~]+"},
		{"long client token", `{"executionArn":"` + execPrefix + `failed","clientToken":"` + strings.Repeat("t", 65) + `"}`, CodeValidation,
			"1 validation error detected: Value '" + strings.Repeat("t", 65) + "' at 'clientToken' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"not an arn", `{"executionArn":"nope"}`, CodeInvalidArn, "Invalid Arn: 'Invalid ARN prefix: nope'"},
		{"machine arn", `{"executionArn":"` + smARN + `"}`, CodeInvalidArn, "Invalid Arn: 'Resource type not valid in this context: stateMachine'"},
		{"unknown", `{"executionArn":"` + execPrefix + `nope"}`, CodeExecutionDoesNotExist, "Execution Does Not Exist: '" + execPrefix + "nope'"},
		{"running", `{"executionArn":"` + running + `"}`, CodeExecutionNotRedrivable, "Execution is RUNNING and cannot be redriven"},
		{"express", `{"executionArn":"arn:aws:states:us-east-1:123456789012:express:fast:e:u"}`, CodeExecutionNotRedrivable, "Execution is EXPRESS and cannot be redriven"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := invoke(t, s, "RedriveExecution", tc.body)
			if err == nil || err.Code != tc.code || err.Message != tc.message {
				t.Fatalf("got %v, want %s: %s", err, tc.code, tc.message)
			}
		})
	}
	t.Run("limit", func(t *testing.T) {
		old := maxOpenExecutions
		maxOpenExecutions = 1
		defer func() { maxOpenExecutions = old }()
		_, err := invoke(t, s, "RedriveExecution", `{"executionArn":"`+execPrefix+`failed"}`)
		if err == nil || err.Code != CodeExecutionLimitExceeded {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("redrivable period", func(t *testing.T) {
		clock := interp.NewVirtualClock(DefaultEpoch.Add(15 * 24 * time.Hour))
		s.SetClock(clock, false)
		defer s.SetClock(nil, false)
		d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+execPrefix+`failed"}`)
		if d["redriveStatus"] != "NOT_REDRIVABLE" || d["redriveStatusReason"] != "Execution redrivable period exceeded" {
			t.Fatalf("DescribeExecution = %v", d)
		}
		_, err := invoke(t, s, "RedriveExecution", `{"executionArn":"`+execPrefix+`failed"}`)
		if err == nil || err.Code != CodeExecutionNotRedrivable || err.Message != "Execution redrivable period exceeded" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("history limit", func(t *testing.T) {
		small := newTestService(Options{MaxHistoryEvents: 8, Tasks: &flakyTasks{fail: map[string]bool{"T": true}}})
		mustInvoke(t, small, "CreateStateMachine", createBody("sm", taskRedriveDef, ""))
		mustInvoke(t, small, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"e"}`)
		_, err := invoke(t, small, "RedriveExecution", `{"executionArn":"`+execPrefix+`e"}`)
		if err == nil || err.Code != CodeExecutionNotRedrivable || err.Message != "Execution history event limit exceeded" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("deleted machine", func(t *testing.T) {
		mustInvoke(t, s, "DeleteStateMachine", `{"stateMachineArn":"`+smARN+`"}`)
		_, err := invoke(t, s, "RedriveExecution", `{"executionArn":"`+execPrefix+`failed"}`)
		if err == nil || err.Code != CodeExecutionNotRedrivable || err.Message != "State machine is in DELETING status" {
			t.Fatalf("got %v", err)
		}
	})
}

func TestRedriveListExecutionsValidation(t *testing.T) {
	s := newTestService(Options{})
	_, err := invoke(t, s, "ListExecutions", `{"stateMachineArn":"`+smARN+`","redriveFilter":"SOMETIMES"}`)
	if err == nil || err.Code != CodeValidation || err.Message !=
		"1 validation error detected: Value 'SOMETIMES' at 'redriveFilter' failed to satisfy constraint: Member must satisfy enum value set: [REDRIVEN, NOT_REDRIVEN]" {
		t.Fatalf("got %v", err)
	}
}
