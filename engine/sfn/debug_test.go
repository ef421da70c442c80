package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/states"
	"github.com/stepwise-sfn/stepwise/engine/store/mem"
)

// debugMachine creates state machine "sm" (STANDARD) and starts a paused
// execution "e" of it with input.
func debugMachine(t *testing.T, s *Service, def, input string) string {
	t.Helper()
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", def, ""))
	in, _ := json.Marshal(input)
	st := mustInvoke(t, s, "StepwiseStartExecution", `{"stateMachineArn":"`+smARN+`","name":"e","input":`+string(in)+`,"paused":true}`)
	if st["executionArn"] != execPrefix+"e" || st["startDate"] == nil {
		t.Fatalf("StepwiseStartExecution = %v", st)
	}
	return execPrefix + "e"
}

type stepResult struct {
	Status     string  `json:"status"`
	EventCount int     `json:"eventCount"`
	Clock      float64 `json:"clock"`
	Waiting    string  `json:"waiting"`
}

func step(t *testing.T, s *Service, body string) stepResult {
	t.Helper()
	out, err := s.Invoke(context.Background(), "StepwiseStepExecution", []byte(body))
	if err != nil {
		t.Fatalf("StepwiseStepExecution %s: %v", body, err)
	}
	var r stepResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func historyTypes(t *testing.T, s *Service, arn string) string {
	t.Helper()
	return eventTypes(t, mustInvoke(t, s, "GetExecutionHistory", `{"executionArn":"`+arn+`"}`))
}

func TestStepOneTransitionAtATime(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	arn := debugMachine(t, s, `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Result":1,"ResultPath":"$.a","Next":"B"},
		"B":{"Type":"Pass","Result":2,"ResultPath":"$.b","Next":"C"},
		"C":{"Type":"Succeed"}}}`, `{}`)
	// Paused: only ExecutionStarted, persisted and visible.
	if got := historyTypes(t, s, arn); got != "ExecutionStarted" {
		t.Fatalf("paused history = %s", got)
	}
	if d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+arn+`"}`); d["status"] != "RUNNING" {
		t.Fatalf("paused status = %v", d["status"])
	}
	body := `{"executionArn":"` + arn + `"}`
	want := []struct {
		status string
		count  int
		types  string
	}{
		{"RUNNING", 3, "ExecutionStarted,PassStateEntered,PassStateExited"},
		{"RUNNING", 5, "ExecutionStarted,PassStateEntered,PassStateExited,PassStateEntered,PassStateExited"},
		// the step that ends the last state ends the execution
		{"SUCCEEDED", 8, "ExecutionStarted,PassStateEntered,PassStateExited,PassStateEntered,PassStateExited,SucceedStateEntered,SucceedStateExited,ExecutionSucceeded"},
		// stepping an ended execution returns its status
		{"SUCCEEDED", 8, "ExecutionStarted,PassStateEntered,PassStateExited,PassStateEntered,PassStateExited,SucceedStateEntered,SucceedStateExited,ExecutionSucceeded"},
	}
	for i, w := range want {
		r := step(t, s, body)
		if r.Status != w.status || r.EventCount != w.count || r.Waiting != "" {
			t.Fatalf("step %d = %+v, want %s %d", i+1, r, w.status, w.count)
		}
		if r.Clock != 1704067200 {
			t.Fatalf("step %d clock = %v, want DefaultEpoch", i+1, r.Clock)
		}
		if got := historyTypes(t, s, arn); got != w.types {
			t.Fatalf("step %d history = %s\nwant %s", i+1, got, w.types)
		}
	}
	d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+arn+`"}`)
	if d["status"] != "SUCCEEDED" || d["output"] != `{"a":1,"b":2}` {
		t.Fatalf("DescribeExecution = %v", d)
	}
}

func TestStepUntilState(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	arn := debugMachine(t, s, `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Next":"P"},
		"P":{"Type":"Parallel","Branches":[{"StartAt":"Inner","States":{"Inner":{"Type":"Pass","End":true}}}],"Next":"Z"},
		"Z":{"Type":"Pass","Next":"End"},
		"End":{"Type":"Succeed"}}}`, `{}`)
	r := step(t, s, `{"executionArn":"`+arn+`","untilState":"Inner"}`)
	if r.Status != "RUNNING" || !strings.HasSuffix(historyTypes(t, s, arn), "ParallelStateStarted,PassStateEntered,PassStateExited") {
		t.Fatalf("until Inner: %+v %s", r, historyTypes(t, s, arn))
	}
	r = step(t, s, `{"executionArn":"`+arn+`","untilState":"Z","steps":100}`)
	if r.Status != "RUNNING" || !strings.HasSuffix(historyTypes(t, s, arn), "ParallelStateExited,PassStateEntered,PassStateExited") {
		t.Fatalf("until Z: %+v %s", r, historyTypes(t, s, arn))
	}
	// A state that is never entered again: run to the end.
	r = step(t, s, `{"executionArn":"`+arn+`","untilState":"A"}`)
	if r.Status != "SUCCEEDED" {
		t.Fatalf("until A: %+v", r)
	}
}

func TestStepWaitAdvancesVirtualClock(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	arn := debugMachine(t, s, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":86400,"Next":"D"},"D":{"Type":"Succeed"}}}`, `{}`)
	body := `{"executionArn":"` + arn + `"}`
	r := step(t, s, body)
	if r.Status != "RUNNING" || r.Waiting != "timer" || r.Clock != 1704067200 || r.EventCount != 2 {
		t.Fatalf("entering the Wait = %+v", r)
	}
	r = step(t, s, body)
	if r.Status != "RUNNING" || r.Waiting != "" || r.Clock != 1704067200+86400 || r.EventCount != 3 {
		t.Fatalf("after the Wait = %+v", r)
	}
	if got := historyTypes(t, s, arn); got != "ExecutionStarted,WaitStateEntered,WaitStateExited" {
		t.Fatalf("history = %s", got)
	}
	r = step(t, s, `{"executionArn":"`+arn+`","steps":10}`)
	if r.Status != "SUCCEEDED" || r.Clock != 1704067200+86400 {
		t.Fatalf("end = %+v", r)
	}
	d := mustInvoke(t, s, "DescribeExecution", body)
	if d["stopDate"].(float64)-d["startDate"].(float64) != 86400 {
		t.Fatalf("DescribeExecution = %v", d)
	}
}

func TestStepServiceClockTimerWaits(t *testing.T) {
	// On the service clock (not virtual) a step cannot move time: the run
	// stays waiting for its timer.
	s := newTestService(Options{})
	arn := debugMachine(t, s, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}}`, `{}`)
	r := step(t, s, `{"executionArn":"`+arn+`","steps":50}`)
	if r.Status != "RUNNING" || r.Waiting != "timer" || r.EventCount != 2 {
		t.Fatalf("step = %+v", r)
	}
	// Paused: Advance leaves it alone even once the timer is due.
	s.clock.(*interp.VirtualClock).Advance(60e9)
	if _, ok := s.NextWake(); ok {
		t.Fatal("NextWake reports a paused run")
	}
	if err := s.Advance(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := historyTypes(t, s, arn); got != "ExecutionStarted,WaitStateEntered" {
		t.Fatalf("Advance moved a paused run: %s", got)
	}
	r = step(t, s, `{"executionArn":"`+arn+`","steps":50}`)
	if r.Status != "SUCCEEDED" {
		t.Fatalf("step after the clock passed = %+v", r)
	}
}

func TestStepUnpausedStartRunsLikeStartExecution(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", passDef, ""))
	mustInvoke(t, s, "StepwiseStartExecution", `{"stateMachineArn":"`+smARN+`","name":"e","paused":false}`)
	d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+execPrefix+`e"}`)
	if d["status"] != "SUCCEEDED" {
		t.Fatalf("unpaused start = %v", d)
	}
	df := dataFlow(t, s, execPrefix+"e")
	if len(df) != 1 || df[0]["stateName"] != "P" || df[0]["output"] != "{}" {
		t.Fatalf("data flow = %v", df)
	}
}

func TestStepTaskWaitsForHost(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	var tasks []HostTask
	s.SetTaskHandler(&TaskHandler{Handles: func(string, string) bool { return true }, Start: func(h HostTask) { tasks = append(tasks, h) }})
	arn := debugMachine(t, s, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Next":"N"},"N":{"Type":"Pass","End":true}}}`, `{}`)
	body := `{"executionArn":"` + arn + `"}`
	if r := step(t, s, body); r.Status != "RUNNING" || r.Waiting != "task" || len(tasks) != 1 {
		t.Fatalf("step into the task = %+v, %d tasks", r, len(tasks))
	}
	if r := step(t, s, `{"executionArn":"`+arn+`","steps":1000}`); r.Waiting != "task" || r.EventCount != 4 {
		t.Fatalf("stepping a run waiting for a task = %+v", r)
	}
	// The result arrives; a paused run records it but takes no step.
	mustInvoke(t, s, "SendTaskSuccess", fmt.Sprintf(`{"taskToken":%q,"output":"{\"ok\":true}"}`, tasks[0].Token))
	if got := historyTypes(t, s, arn); !strings.HasSuffix(got, "TaskSucceeded,TaskStateExited") {
		t.Fatalf("history after SendTaskSuccess = %s", got)
	}
	if r := step(t, s, body); r.Status != "SUCCEEDED" || r.EventCount != 9 {
		t.Fatalf("step after the result = %+v", r)
	}
}

func dataFlow(t *testing.T, s *Service, arn string) []map[string]any {
	t.Helper()
	out := mustInvoke(t, s, "StepwiseGetDataFlow", `{"executionArn":"`+arn+`"}`)
	var steps []map[string]any
	for _, st := range out["steps"].([]any) {
		steps = append(steps, st.(map[string]any))
	}
	return steps
}

func TestDataFlowTaskStages(t *testing.T) {
	tasks := interp.TaskRunnerFunc(func(_ context.Context, req *interp.TaskRequest) interp.TaskResult {
		if string(req.Parameters) != `{"id":7,"k":"v"}` {
			return interp.TaskResult{Err: states.New("Unexpected", string(req.Parameters))}
		}
		return interp.TaskResult{Output: []byte(`{"status":"ok","extra":1}`)}
	})
	s := newTestService(Options{Virtual: true, Tasks: tasks})
	arn := debugMachine(t, s, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f",
		"InputPath":"$.order","Parameters":{"id.$":"$.id","k":"v"},"ResultSelector":{"s.$":"$.status"},
		"ResultPath":"$.res","OutputPath":"$.res","End":true}}}`, `{"order":{"id":7,"n":1},"other":true}`)
	if df := dataFlow(t, s, arn); len(df) != 0 {
		t.Fatalf("paused run has data flow %v", df)
	}
	step(t, s, `{"executionArn":"`+arn+`","steps":10}`)
	df := dataFlow(t, s, arn)
	want := map[string]any{
		"stateName": "T", "stateType": "Task", "enteredEventId": 2.0, "exitedEventId": 6.0,
		"input":               `{"order":{"id":7,"n":1},"other":true}`,
		"afterInputPath":      `{"id":7,"n":1}`,
		"afterParameters":     `{"id":7,"k":"v"}`,
		"result":              `{"status":"ok","extra":1}`,
		"afterResultSelector": `{"s":"ok"}`,
		"afterResultPath":     `{"order":{"id":7,"n":1},"other":true,"res":{"s":"ok"}}`,
		"output":              `{"s":"ok"}`,
	}
	if len(df) != 1 || mustJSON(df[0]) != mustJSON(want) {
		t.Fatalf("data flow\n got %v\nwant %v", df, want)
	}
}

func TestDataFlowCatchAndMap(t *testing.T) {
	tasks := interp.TaskRunnerFunc(func(context.Context, *interp.TaskRequest) interp.TaskResult {
		return interp.TaskResult{Err: states.New("Boom", "it broke")}
	})
	s := newTestService(Options{Virtual: true, Tasks: tasks})
	arn := debugMachine(t, s, `{"StartAt":"T","States":{
		"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"M"}],"End":true},
		"M":{"Type":"Map","ItemsPath":"$.items","ResultPath":null,"ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"Next":"F"},
		"F":{"Type":"Fail","Error":"Done","Cause":"at the end"}}}`, `{"items":[1,2,3]}`)
	r := step(t, s, `{"executionArn":"`+arn+`","steps":1000}`)
	if r.Status != "FAILED" {
		t.Fatalf("run = %+v", r)
	}
	df := dataFlow(t, s, arn)
	var names []string
	for _, f := range df {
		names = append(names, f["stateName"].(string))
	}
	if got := strings.Join(names, ","); got != "T,M,I,I,I,F" {
		t.Fatalf("steps = %s", got)
	}
	if df[0]["error"] != "Boom" || df[0]["cause"] != "it broke" || df[0]["afterResultPath"] != `{"items":[1,2,3],"err":{"Error":"Boom","Cause":"it broke"}}` {
		t.Fatalf("caught task = %v", df[0])
	}
	for i, f := range df[2:5] {
		if f["input"] != fmt.Sprint(i+1) || f["output"] != fmt.Sprint(i+1) || f["exitedEventId"].(float64) == 0 {
			t.Fatalf("iteration %d = %v", i, f)
		}
	}
	if f := df[5]; f["error"] != "Done" || f["cause"] != "at the end" || f["exitedEventId"] != 0.0 || f["output"] != nil {
		t.Fatalf("fail state = %v", f)
	}
	// History order: each step entered after the one before.
	for i := 1; i < len(df); i++ {
		if df[i]["enteredEventId"].(float64) <= df[i-1]["enteredEventId"].(float64) {
			t.Fatalf("steps out of history order: %v", df)
		}
	}
}

func TestDebugErrors(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", passDef, ""))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"plain"}`)
	arn := execPrefix + "dbg"
	mustInvoke(t, s, "StepwiseStartExecution", `{"stateMachineArn":"`+smARN+`","name":"dbg","paused":true}`)
	tests := []struct {
		name, op, body string
		code, message  string
	}{
		{"unknown execution", "StepwiseStepExecution", `{"executionArn":"` + execPrefix + `nope"}`,
			CodeExecutionDoesNotExist, "Execution Does Not Exist: '" + execPrefix + "nope'"},
		{"unknown execution data flow", "StepwiseGetDataFlow", `{"executionArn":"` + execPrefix + `nope"}`,
			CodeExecutionDoesNotExist, "Execution Does Not Exist: '" + execPrefix + "nope'"},
		{"not an execution ARN", "StepwiseStepExecution", `{"executionArn":"` + smARN + `"}`,
			CodeInvalidArn, "Invalid Arn: 'Resource type not valid in this context: stateMachine'"},
		{"missing ARN", "StepwiseStepExecution", `{}`,
			CodeValidation, "1 validation error detected: Value null at 'executionArn' failed to satisfy constraint: Member must not be null"},
		{"zero steps", "StepwiseStepExecution", `{"executionArn":"` + arn + `","steps":0}`,
			CodeValidation, "1 validation error detected: Value '0' at 'steps' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"too many steps", "StepwiseStepExecution", `{"executionArn":"` + arn + `","steps":100001}`,
			CodeValidation, "1 validation error detected: Value '100001' at 'steps' failed to satisfy constraint: Member must have value less than or equal to 100000"},
		{"steps not a number", "StepwiseStepExecution", `{"executionArn":"` + arn + `","steps":"2"}`,
			CodeSerialization, "Unexpected value type for member 'steps'"},
		{"unknown untilState", "StepwiseStepExecution", `{"executionArn":"` + arn + `","untilState":"Nowhere"}`,
			CodeValidation, "Invalid untilState: the state machine has no state named 'Nowhere'"},
		{"paused not a boolean", "StepwiseStartExecution", `{"stateMachineArn":"` + smARN + `","paused":"yes"}`,
			CodeSerialization, "Unexpected value type for member 'paused'"},
		{"no data flow recorded", "StepwiseGetDataFlow", `{"executionArn":"` + execPrefix + `plain"}`,
			CodeValidation, "No data flow was recorded for execution '" + execPrefix + "plain': start it with StepwiseStartExecution"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := invoke(t, s, tc.op, tc.body)
			if err == nil || err.Code != tc.code || err.Message != tc.message {
				t.Fatalf("got %v, want %s: %s", err, tc.code, tc.message)
			}
		})
	}
	// A plain execution that ended: stepping returns its status.
	if r := step(t, s, `{"executionArn":"`+execPrefix+`plain"}`); r.Status != "SUCCEEDED" || r.EventCount != 4 {
		t.Fatalf("step of an ended plain execution = %+v", r)
	}
}

func TestDebugKeepsDataFlowOfEndedExpress(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", passDef, `"type":"EXPRESS"`))
	st := mustInvoke(t, s, "StepwiseStartExecution", `{"stateMachineArn":"`+smARN+`","name":"x","paused":true}`)
	arn := st["executionArn"].(string)
	if r := step(t, s, `{"executionArn":"`+arn+`","steps":5}`); r.Status != "SUCCEEDED" || r.EventCount != 4 {
		t.Fatalf("express steps = %+v", r)
	}
	if r := step(t, s, `{"executionArn":"`+arn+`"}`); r.Status != "SUCCEEDED" || r.EventCount != 4 {
		t.Fatalf("stepping the ended express execution = %+v", r)
	}
	if df := dataFlow(t, s, arn); len(df) != 1 || df[0]["output"] != "{}" {
		t.Fatalf("data flow = %v", df)
	}
}

// FuzzStepwiseStep feeds arbitrary StepwiseStepExecution bodies to a paused
// execution of a machine with every kind of state: no panic, only API
// errors, and stepping never loses events.
func FuzzStepwiseStep(f *testing.F) {
	for _, seed := range []string{`{}`, `{"steps":3}`, `{"untilState":"W"}`, `{"steps":100000}`, `{"untilState":"I","steps":2}`, `{"steps":-1}`} {
		f.Add(seed, seed)
	}
	const def = `{"StartAt":"P","States":{
		"P":{"Type":"Parallel","Branches":[{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}},
			{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":2}],"End":true}}}],
			"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"M"}],"Next":"M"},
		"M":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"Next":"C"},
		"C":{"Type":"Choice","Choices":[{"Variable":"$[0]","IsPresent":true,"Next":"S"}],"Default":"F"},
		"S":{"Type":"Succeed"},"F":{"Type":"Fail"}}}`
	f.Fuzz(func(t *testing.T, first, second string) {
		if len(first) > 1024 || len(second) > 1024 {
			return
		}
		s := New(Options{Store: mem.New(), Virtual: true, IDs: &counterIDs{}})
		ctx := context.Background()
		if _, err := s.Invoke(ctx, "CreateStateMachine", []byte(createBody("sm", def, ""))); err != nil {
			t.Fatal(err)
		}
		out, err := s.Invoke(ctx, "StepwiseStartExecution", []byte(`{"stateMachineArn":"`+smARN+`","name":"e","input":"{\"items\":[1,2]}","paused":true}`))
		if err != nil {
			t.Fatal(err)
		}
		var started struct {
			ExecutionARN string `json:"executionArn"`
		}
		if err := json.Unmarshal(out, &started); err != nil {
			t.Fatal(err)
		}
		last := 1
		for _, body := range []string{first, second} {
			// splice the ARN in front of the fuzzed members when the body
			// is an object, so most inputs reach a live execution
			if strings.HasPrefix(body, "{") {
				rest := strings.TrimPrefix(body, "{")
				if strings.TrimSpace(rest) != "}" {
					rest = "," + rest
				}
				body = `{"executionArn":"` + started.ExecutionARN + `"` + rest
			}
			out, err := s.Invoke(ctx, "StepwiseStepExecution", []byte(body))
			var apiErr *Error
			if err != nil {
				if !errors.As(err, &apiErr) || apiErr.Code == CodeInternalFailure {
					t.Fatalf("%q: %v", body, err)
				}
				continue
			}
			var r stepResult
			if err := json.Unmarshal(out, &r); err != nil {
				t.Fatal(err)
			}
			if r.EventCount < last {
				t.Fatalf("%q: eventCount went from %d to %d", body, last, r.EventCount)
			}
			last = r.EventCount
		}
		if _, err := s.Invoke(ctx, "StepwiseGetDataFlow", []byte(`{"executionArn":"`+started.ExecutionARN+`"}`)); err != nil {
			t.Fatal(err)
		}
		h, err := s.Invoke(ctx, "GetExecutionHistory", []byte(`{"executionArn":"`+started.ExecutionARN+`","maxResults":1000}`))
		if err != nil {
			t.Fatal(err)
		}
		var hist struct{ Events []json.RawMessage }
		if err := json.Unmarshal(h, &hist); err != nil || len(hist.Events) != last {
			t.Fatalf("history holds %d events, step said %d (%v)", len(hist.Events), last, err)
		}
	})
}

// The data flow shows what each visit's Assign set, and a JSONPath
// Parameters that reads a variable.
func TestDataFlowVariables(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	arn := debugMachine(t, s, `{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"x":5,"s":"t"},"Next":"B"},
		"B":{"Type":"Pass","Parameters":{"v.$":"$x"},"End":true}}}`, `{}`)
	step(t, s, `{"executionArn":"`+arn+`","steps":10}`)
	df := dataFlow(t, s, arn)
	if len(df) != 2 || df[0]["variables"] != `{"x":5,"s":"t"}` || df[1]["variables"] != nil || df[1]["afterParameters"] != `{"v":5}` {
		t.Fatalf("data flow = %v", df)
	}
}
