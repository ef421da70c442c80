package sfn

import (
	"encoding/json"
	"strings"
	"testing"
)

const (
	childARN    = "arn:aws:states:us-east-1:123456789012:stateMachine:child"
	parentExec  = "arn:aws:states:us-east-1:123456789012:execution:sm:p"
	childExecOf = "arn:aws:states:us-east-1:123456789012:execution:child:"
)

// parentDef starts the child state machine from a Task with the resource
// suffix ("", ".sync", ".sync:2").
func parentDef(suffix, extra string) string {
	return `{"StartAt":"Start","States":{"Start":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution` + suffix + `",
		"Parameters":{"StateMachineArn":"` + childARN + `","Name":"kid","Input":{"n.$":"$.n","AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$":"$$.Execution.Id"}}` +
		extra + `,"End":true}}}`
}

func eventDetails(t *testing.T, s *Service, arn, typ, key string) map[string]any {
	t.Helper()
	h := mustInvoke(t, s, "GetExecutionHistory", `{"executionArn":"`+arn+`"}`)
	for _, e := range h["events"].([]any) {
		if m := e.(map[string]any); m["type"] == typ {
			return m[key].(map[string]any)
		}
	}
	t.Fatalf("no %s event in %s", typ, arn)
	return nil
}

func TestNestedExecutions(t *testing.T) {
	okChild := `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":5,"Next":"P"},"P":{"Type":"Pass","Parameters":{"doubled.$":"States.MathAdd($.n, $.n)"},"End":true}}}`
	failChild := `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"SomeFailure","Cause":"it broke"}}}`
	tests := []struct {
		name, suffix, child string
		status              string
		check               func(t *testing.T, out map[string]any)
		types               string
	}{
		{
			name: "fire and forget", suffix: "", child: okChild, status: "SUCCEEDED",
			types: "ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskSucceeded,TaskStateExited,ExecutionSucceeded",
			check: func(t *testing.T, out map[string]any) {
				if out["ExecutionArn"] != childExecOf+"kid" || out["StartDate"] != float64(DefaultEpoch.UnixMilli()) {
					t.Errorf("output %v", out)
				}
				md := out["SdkHttpMetadata"].(map[string]any)
				if md["HttpStatusCode"] != float64(200) || md["HttpHeaders"].(map[string]any)["Content-Type"] != "application/x-amz-json-1.0" {
					t.Errorf("metadata %v", md)
				}
				if _, ok := out["SdkResponseMetadata"].(map[string]any)["RequestId"]; !ok {
					t.Errorf("no RequestId: %v", out)
				}
			},
		},
		{
			name: ".sync", suffix: ".sync", child: okChild, status: "SUCCEEDED",
			types: "ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskSubmitted,TaskSucceeded,TaskStateExited,ExecutionSucceeded",
			check: func(t *testing.T, out map[string]any) {
				in := `{"n":4,"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID":"` + parentExec + `"}`
				want := map[string]any{
					"ExecutionArn": childExecOf + "kid", "Input": in, "InputDetails": map[string]any{"Included": true},
					"Name": "kid", "Output": `{"doubled":8}`, "OutputDetails": map[string]any{"Included": true},
					"RedriveCount": float64(0), "RedriveStatus": "NOT_REDRIVABLE",
					"RedriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
					"StartDate":           float64(DefaultEpoch.UnixMilli()), "StateMachineArn": childARN, "Status": "SUCCEEDED",
					"StopDate": float64(DefaultEpoch.UnixMilli() + 5000),
				}
				g, _ := json.Marshal(out)
				w, _ := json.Marshal(want)
				if string(g) != string(w) {
					t.Errorf("output\n%s\nwant\n%s", g, w)
				}
			},
		},
		{
			name: ".sync:2", suffix: ".sync:2", child: okChild, status: "SUCCEEDED",
			types: "ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskSubmitted,TaskSucceeded,TaskStateExited,ExecutionSucceeded",
			check: func(t *testing.T, out map[string]any) {
				if o, ok := out["Output"].(map[string]any); !ok || o["doubled"] != float64(8) {
					t.Errorf("Output %v", out["Output"])
				}
				if i, ok := out["Input"].(map[string]any); !ok || i["n"] != float64(4) {
					t.Errorf("Input %v", out["Input"])
				}
			},
		},
		{
			name: "failing child", suffix: ".sync", child: failChild, status: "FAILED",
			types: "ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskSubmitted,TaskFailed,ExecutionFailed",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestService(Options{Virtual: true})
			mustInvoke(t, s, "CreateStateMachine", createBody("child", tc.child, ""))
			mustInvoke(t, s, "CreateStateMachine", createBody("sm", parentDef(tc.suffix, ""), ""))
			mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"p","input":"{\"n\":4}"}`)
			d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+parentExec+`"}`)
			if d["status"] != tc.status {
				t.Fatalf("parent %v", d)
			}
			if got := historyTypes(t, s, parentExec); got != tc.types {
				t.Fatalf("parent history %s\nwant %s", got, tc.types)
			}
			c := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+childExecOf+`kid"}`)
			if c["status"] == "RUNNING" {
				t.Fatalf("child still running: %v", c)
			}
			if tc.status == "FAILED" {
				if d["error"] != "States.TaskFailed" {
					t.Fatalf("error %v", d["error"])
				}
				var cause map[string]any
				if err := json.Unmarshal([]byte(d["cause"].(string)), &cause); err != nil {
					t.Fatalf("cause %v: %v", d["cause"], err)
				}
				if cause["Error"] != "SomeFailure" || cause["Cause"] != "it broke" || cause["Status"] != "FAILED" ||
					cause["ExecutionArn"] != childExecOf+"kid" || cause["Name"] != "kid" {
					t.Fatalf("cause %v", cause)
				}
				return
			}
			var out map[string]any
			if err := json.Unmarshal([]byte(d["output"].(string)), &out); err != nil {
				t.Fatal(err)
			}
			tc.check(t, out)
			if tc.suffix != "" {
				sub := eventDetails(t, s, parentExec, "TaskSubmitted", "taskSubmittedEventDetails")
				if !strings.Contains(sub["output"].(string), `"ExecutionArn":"`+childExecOf+`kid"`) || sub["resource"] != "startExecution"+tc.suffix {
					t.Fatalf("TaskSubmitted %v", sub)
				}
			}
		})
	}
}

func TestNestedStopParentStopsSyncChild(t *testing.T) {
	s := newTestService(Options{Virtual: true, Tasks: &pendingTasks{}})
	child := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}`
	mustInvoke(t, s, "CreateStateMachine", createBody("child", child, ""))
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", parentDef(".sync", ""), ""))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"p","input":"{\"n\":1}"}`)
	if c := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+childExecOf+`kid"}`); c["status"] != "RUNNING" {
		t.Fatalf("child %v", c)
	}
	mustInvoke(t, s, "StopExecution", `{"executionArn":"`+parentExec+`"}`)
	if d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+parentExec+`"}`); d["status"] != "ABORTED" {
		t.Fatalf("parent %v", d)
	}
	if c := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+childExecOf+`kid"}`); c["status"] != "ABORTED" {
		t.Fatalf("child after the parent stopped: %v", c)
	}
}

func TestNestedErrors(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	mustInvoke(t, s, "CreateStateMachine", createBody("child", passDef, ""))
	catch := `,"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"Caught"}]`
	def := strings.Replace(parentDef("", catch), `"End":true}}}`, `"Next":"Again"},
		"Again":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution","Parameters":{"StateMachineArn":"`+childARN+`","Name":"kid","Input":"{\"n\": 1}"}`+catch+`,"End":true},
		"Caught":{"Type":"Pass","End":true}}}`, 1)
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", def, ""))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"p","input":"{\"n\":1}"}`)
	d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+parentExec+`"}`)
	var out struct{ Err struct{ Error, Cause string } }
	json.Unmarshal([]byte(d["output"].(string)), &out)
	if out.Err.Error != "StepFunctions.ExecutionAlreadyExistsException" ||
		!strings.HasPrefix(out.Err.Cause, "Execution Already Exists: '"+childExecOf+"kid' (Service: AWSStepFunctions; Status Code: 400; Error Code: ExecutionAlreadyExists; Request ID: ") {
		t.Fatalf("second start of the same name: %v", d["output"])
	}

	// A state machine that is not in the store is not claimed: the task
	// goes on to the runner (here none).
	other := `{"StartAt":"S","States":{"S":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution","Parameters":{"StateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:nope"},"End":true}}}`
	mustInvoke(t, s, "CreateStateMachine", createBody("other", other, ""))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:other","name":"o"}`)
	d = mustInvoke(t, s, "DescribeExecution", `{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:other:o"}`)
	if d["status"] != "FAILED" || !strings.Contains(d["cause"].(string), "no handler for resource") {
		t.Fatalf("unknown child machine: %v", d)
	}
}

func TestNestedRecursionIsBounded(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	self := `{"StartAt":"S","States":{"S":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync","Parameters":{"StateMachineArn":"` + smARN + `"},"End":true}}}`
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", self, ""))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"p"}`)
	d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+parentExec+`"}`)
	if d["status"] != "FAILED" || d["error"] != "States.TaskFailed" {
		t.Fatalf("recursive parent: %v %v", d["status"], d["error"])
	}
	l := mustInvoke(t, s, "ListExecutions", `{"stateMachineArn":"`+smARN+`","maxResults":1000}`)
	execs := l["executions"].([]any)
	if len(execs) != maxNestingDepth+1 {
		t.Fatalf("%d executions in the chain, want %d", len(execs), maxNestingDepth+1)
	}
	deepest := 0
	for _, e := range execs {
		arn := e.(map[string]any)["executionArn"].(string)
		d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+arn+`"}`)
		if d["error"] == "StepFunctions.ExecutionLimitExceededException" {
			deepest++
		}
	}
	if deepest != 1 {
		t.Fatalf("%d executions failed with ExecutionLimitExceeded, want the deepest one", deepest)
	}
}
