package sfn

import (
	"context"
	"strings"
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

const distributedDef = `{"StartAt":"M","States":{"M":{"Type":"Map","Label":"lbl","MaxConcurrency":2,"ToleratedFailureCount":1,"End":true,
"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"T","States":{
"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}}}}`

// failOn fails the task whose input is one of the listed JSON texts.
func failOn(inputs ...string) interp.TaskRunner {
	return interp.TaskRunnerFunc(func(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
		for _, in := range inputs {
			if string(req.Parameters) == in {
				return interp.TaskResult{Err: states.New("Boom", "")}
			}
		}
		return interp.TaskResult{Output: req.Parameters}
	})
}

func mapRunARNOf(t *testing.T, s *Service, execARN string) string {
	t.Helper()
	l := mustInvoke(t, s, "ListMapRuns", `{"executionArn":"`+execARN+`"}`)
	runs := l["mapRuns"].([]any)
	if len(runs) != 1 {
		t.Fatalf("ListMapRuns = %v", l)
	}
	m := runs[0].(map[string]any)
	if m["executionArn"] != execARN || m["stateMachineArn"] != smARN+"/lbl" || m["startDate"] == nil || m["stopDate"] == nil {
		t.Fatalf("ListMapRuns item = %v", m)
	}
	return m["mapRunArn"].(string)
}

func TestMapRunDescribedAndListed(t *testing.T) {
	s := newTestService(Options{Virtual: true, Tasks: failOn("2")})
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", distributedDef, ""))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"e","input":"[1,2,3,4]"}`)
	exec := execPrefix + "e"
	if d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+exec+`"}`); d["status"] != "SUCCEEDED" {
		t.Fatalf("execution: %v", d)
	}
	arn := mapRunARNOf(t, s, exec)
	if !strings.HasPrefix(arn, "arn:aws:states:us-east-1:123456789012:mapRun:sm/lbl:") {
		t.Fatalf("mapRunArn %s", arn)
	}
	d := mustInvoke(t, s, "DescribeMapRun", `{"mapRunArn":"`+arn+`"}`)
	want := map[string]any{"pending": 0.0, "running": 0.0, "succeeded": 3.0, "failed": 1.0, "timedOut": 0.0, "aborted": 0.0,
		"total": 4.0, "resultsWritten": 0.0, "failuresNotRedrivable": 0.0, "pendingRedrive": 0.0}
	for _, k := range []string{"itemCounts", "executionCounts"} {
		c := d[k].(map[string]any)
		for f, v := range want {
			if c[f] != v {
				t.Errorf("%s.%s = %v, want %v", k, f, c[f], v)
			}
		}
	}
	if d["status"] != "SUCCEEDED" || d["executionArn"] != exec || d["maxConcurrency"] != 2.0 || d["toleratedFailureCount"] != 1.0 ||
		d["toleratedFailurePercentage"] != 0.0 || d["redriveCount"] != 0.0 || d["startDate"] == nil || d["stopDate"] == nil {
		t.Fatalf("DescribeMapRun = %v", d)
	}
	l := mustInvoke(t, s, "ListExecutions", `{"mapRunArn":"`+arn+`"}`)
	if n := len(l["executions"].([]any)); n != 0 {
		t.Fatalf("ListExecutions mapRunArn = %v", l)
	}
	mustInvoke(t, s, "UpdateMapRun", `{"mapRunArn":"`+arn+`","maxConcurrency":5,"toleratedFailurePercentage":50}`)
	d = mustInvoke(t, s, "DescribeMapRun", `{"mapRunArn":"`+arn+`"}`)
	if d["maxConcurrency"] != 5.0 || d["toleratedFailurePercentage"] != 50.0 || d["toleratedFailureCount"] != 1.0 {
		t.Fatalf("after UpdateMapRun: %v", d)
	}
}

func TestMapRunFailedThenRedriven(t *testing.T) {
	calls := 0
	runner := interp.TaskRunnerFunc(func(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
		calls++
		// the first attempt fails items 1 and 2: over the tolerated count
		if calls <= 4 && (string(req.Parameters) == "2" || string(req.Parameters) == "3") {
			return interp.TaskResult{Err: states.New("Boom", "")}
		}
		return interp.TaskResult{Output: req.Parameters}
	})
	s := newTestService(Options{Virtual: true, Tasks: runner})
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", distributedDef, ""))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"e","input":"[1,2,3,4]"}`)
	exec := execPrefix + "e"
	if d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+exec+`"}`); d["status"] != "FAILED" || d["error"] != "States.ExceedToleratedFailureThreshold" {
		t.Fatalf("execution: %v", d)
	}
	arn := mapRunARNOf(t, s, exec)
	d := mustInvoke(t, s, "DescribeMapRun", `{"mapRunArn":"`+arn+`"}`)
	if d["status"] != "FAILED" || d["itemCounts"].(map[string]any)["failed"] != 2.0 {
		t.Fatalf("failed map run: %v", d)
	}
	mustInvoke(t, s, "RedriveExecution", `{"executionArn":"`+exec+`"}`)
	if d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+exec+`"}`); d["status"] != "SUCCEEDED" || d["output"] != "[1,2,3,4]" {
		t.Fatalf("redriven execution: %v", d)
	}
	if again := mapRunARNOf(t, s, exec); again != arn {
		t.Fatalf("redrive started another map run %s", again)
	}
	d = mustInvoke(t, s, "DescribeMapRun", `{"mapRunArn":"`+arn+`"}`)
	c := d["itemCounts"].(map[string]any)
	if d["status"] != "SUCCEEDED" || d["redriveCount"] != 1.0 || d["redriveDate"] == nil || c["succeeded"] != 4.0 || c["failed"] != 0.0 {
		t.Fatalf("redriven map run: %v", d)
	}
	h := mustInvoke(t, s, "GetExecutionHistory", `{"executionArn":"`+exec+`"}`)
	if got := eventTypes(t, h); !strings.HasSuffix(got, "ExecutionRedriven,MapStateEntered,MapStateStarted,MapRunRedriven,MapRunSucceeded,MapStateSucceeded,MapStateExited,ExecutionSucceeded") {
		t.Fatalf("history %s", got)
	}
}

func TestMapRunErrors(t *testing.T) {
	s := newTestService(Options{})
	unknown := "arn:aws:states:us-east-1:123456789012:mapRun:sm/lbl:00000000-0000-4000-8000-000000000001"
	tests := []struct {
		name, op, body string
		code, message  string
	}{
		{"describe missing", "DescribeMapRun", `{}`, CodeValidation,
			"1 validation error detected: Value null at 'mapRunArn' failed to satisfy constraint: Member must not be null"},
		{"describe not a map run", "DescribeMapRun", `{"mapRunArn":"` + smARN + `"}`, CodeInvalidArn,
			"Invalid Arn: 'Resource type not valid in this context: stateMachine'"},
		{"describe unknown", "DescribeMapRun", `{"mapRunArn":"` + unknown + `"}`, CodeResourceNotFound, "Resource not found: '" + unknown + "'"},
		{"list unknown execution", "ListMapRuns", `{"executionArn":"` + execPrefix + `x"}`, CodeExecutionDoesNotExist,
			"Execution Does Not Exist: '" + execPrefix + "x'"},
		{"update nothing", "UpdateMapRun", `{"mapRunArn":"` + unknown + `"}`, CodeValidation,
			"Must specify at least one of maxConcurrency, toleratedFailurePercentage or toleratedFailureCount"},
		{"update negative", "UpdateMapRun", `{"mapRunArn":"` + unknown + `","maxConcurrency":-1}`, CodeValidation,
			"1 validation error detected: Value '-1' at 'maxConcurrency' failed to satisfy constraint: Member must have value greater than or equal to 0"},
		{"update percentage", "UpdateMapRun", `{"mapRunArn":"` + unknown + `","toleratedFailurePercentage":101}`, CodeValidation,
			"1 validation error detected: Value '101' at 'toleratedFailurePercentage' failed to satisfy constraint: Member must have value less than or equal to 100"},
		{"update unknown", "UpdateMapRun", `{"mapRunArn":"` + unknown + `","toleratedFailureCount":1}`, CodeResourceNotFound, "Resource not found: '" + unknown + "'"},
		{"list executions unknown map run", "ListExecutions", `{"mapRunArn":"` + unknown + `"}`, CodeResourceNotFound, "Resource not found: '" + unknown + "'"},
		{"list executions both", "ListExecutions", `{"mapRunArn":"` + unknown + `","stateMachineArn":"` + smARN + `"}`, CodeValidation,
			"Must provide a StateMachine ARN or MapRun ARN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := invoke(t, s, tc.op, tc.body)
			if err == nil || err.Code != tc.code || err.Message != tc.message {
				t.Fatalf("got %v, want %s: %s", err, tc.code, tc.message)
			}
		})
	}
}
