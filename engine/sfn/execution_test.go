package sfn

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/store"
	"github.com/stepwise-sfn/stepwise/engine/store/mem"
)

const execPrefix = "arn:aws:states:us-east-1:123456789012:execution:sm:"

func eventTypes(t *testing.T, h map[string]any) string {
	t.Helper()
	var types []string
	for _, e := range h["events"].([]any) {
		types = append(types, e.(map[string]any)["type"].(string))
	}
	return strings.Join(types, ",")
}

func TestExecutionPassAndHistory(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	def := `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"Arg1":"argument1"},"End":true}}}`
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", def, ""))
	st := mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"e1"}`)
	if st["executionArn"] != execPrefix+"e1" {
		t.Fatalf("executionArn = %v", st["executionArn"])
	}
	// Same name, finished execution: a conflict.
	if _, err := invoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"e1"}`); err == nil || err.Code != CodeExecutionAlreadyExists {
		t.Fatalf("restart: %v", err)
	}
	d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+execPrefix+`e1"}`)
	if d["status"] != "SUCCEEDED" || d["output"] != `{"Arg1":"argument1"}` || d["input"] != "{}" ||
		d["redriveStatus"] != "NOT_REDRIVABLE" || d["redriveStatusReason"] != "Execution is SUCCEEDED and cannot be redriven" {
		t.Fatalf("DescribeExecution = %v", d)
	}
	h := mustInvoke(t, s, "GetExecutionHistory", `{"executionArn":"`+execPrefix+`e1"}`)
	if got := eventTypes(t, h); got != "ExecutionStarted,PassStateEntered,PassStateExited,ExecutionSucceeded" {
		t.Fatalf("history = %s", got)
	}
	r := mustInvoke(t, s, "GetExecutionHistory", `{"executionArn":"`+execPrefix+`e1","reverseOrder":true,"maxResults":3}`)
	if got := eventTypes(t, r); got != "ExecutionSucceeded,PassStateExited,PassStateEntered" {
		t.Fatalf("reverse history = %s", got)
	}
	r2 := mustInvoke(t, s, "GetExecutionHistory", fmt.Sprintf(`{"executionArn":"%se1","reverseOrder":true,"maxResults":3,"nextToken":%q}`, execPrefix, r["nextToken"]))
	if got := eventTypes(t, r2); got != "ExecutionStarted" || r2["nextToken"] != nil {
		t.Fatalf("reverse page 2 = %s, token %v", got, r2["nextToken"])
	}
	nd := mustInvoke(t, s, "GetExecutionHistory", `{"executionArn":"`+execPrefix+`e1","includeExecutionData":false}`)
	if b := mustJSON(nd); strings.Contains(b, `"input"`) || strings.Contains(b, `"output"`) {
		t.Fatalf("includeExecutionData=false kept data: %s", b)
	}
	l := mustInvoke(t, s, "ListExecutions", `{"stateMachineArn":"`+smARN+`","statusFilter":"SUCCEEDED"}`)
	if n := len(l["executions"].([]any)); n != 1 {
		t.Fatalf("ListExecutions = %v", l)
	}
	l = mustInvoke(t, s, "ListExecutions", `{"stateMachineArn":"`+smARN+`","statusFilter":"RUNNING"}`)
	if n := len(l["executions"].([]any)); n != 0 {
		t.Fatalf("ListExecutions RUNNING = %v", l)
	}
}

func TestExecutionKeepsDefinitionAcrossUpdate(t *testing.T) {
	s := newTestService(Options{})
	wait := `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}}`
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", wait, ""))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"w","input":"{\"a\":1}"}`)
	d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+execPrefix+`w"}`)
	if d["status"] != "RUNNING" {
		t.Fatalf("a Wait on the service clock should leave the execution RUNNING: %v", d)
	}
	// Same name and input while running: idempotent.
	again := mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"w","input":"{\"a\":1}"}`)
	if again["executionArn"] != execPrefix+"w" {
		t.Fatalf("idempotent start = %v", again)
	}
	if _, err := invoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"w","input":"{\"a\":2}"}`); err == nil || err.Code != CodeExecutionAlreadyExists {
		t.Fatalf("start with other input: %v", err)
	}
	newDef, _ := json.Marshal(passDef)
	mustInvoke(t, s, "UpdateStateMachine", `{"stateMachineArn":"`+smARN+`","definition":`+string(newDef)+`}`)
	f := mustInvoke(t, s, "DescribeStateMachineForExecution", `{"executionArn":"`+execPrefix+`w"}`)
	if f["definition"] != wait || f["name"] != "sm" || f["updateDate"] == nil {
		t.Fatalf("DescribeStateMachineForExecution = %v", f)
	}
	if wake, ok := s.NextWake(); !ok || !wake.Equal(DefaultEpoch.Add(10*time.Second)) {
		t.Fatalf("NextWake = %v, %v", wake, ok)
	}
	stop := mustInvoke(t, s, "StopExecution", `{"executionArn":"`+execPrefix+`w","error":"E","cause":"C"}`)
	if stop["stopDate"] == nil {
		t.Fatalf("StopExecution = %v", stop)
	}
	d = mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+execPrefix+`w"}`)
	if d["status"] != "ABORTED" || d["error"] != "E" || d["cause"] != "C" || d["output"] != nil {
		t.Fatalf("after stop: %v", d)
	}
	if _, ok := s.NextWake(); ok {
		t.Fatal("NextWake after the only execution stopped")
	}
}

func TestVirtualWaitFinishesInStart(t *testing.T) {
	var logs []string
	s := newTestService(Options{Virtual: true, LogSink: func(r []byte) { logs = append(logs, string(r)) }})
	wait := `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"Next":"F"},"F":{"Type":"Fail","Error":"Boom","Cause":"c"}}}`
	logging := `"loggingConfiguration":{"level":"ERROR","includeExecutionData":false,"destinations":[{"cloudWatchLogsLogGroup":{"logGroupArn":"arn:aws:logs:us-east-1:123456789012:log-group:g:*"}}]},"tracingConfiguration":{"enabled":true}`
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", wait, logging))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"v"}`)
	d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+execPrefix+`v"}`)
	if d["status"] != "FAILED" || d["error"] != "Boom" || d["redriveStatus"] != "REDRIVABLE" {
		t.Fatalf("DescribeExecution = %v", d)
	}
	if got, want := d["stopDate"].(float64)-d["startDate"].(float64), 3600.0; got != want {
		t.Errorf("virtual wait took %v s, want %v", got, want)
	}
	th, _ := d["traceHeader"].(string)
	if want := fmt.Sprintf("Root=1-%08x-", DefaultEpoch.Unix()); !strings.HasPrefix(th, want) || !strings.HasSuffix(th, ";Sampled=1") || len(th) != len(want)+24+len(";Sampled=1") {
		t.Errorf("traceHeader = %q", th)
	}
	if len(logs) != 2 || !strings.Contains(logs[0], `"type":"FailStateEntered"`) || !strings.Contains(logs[1], `"type":"ExecutionFailed"`) {
		t.Fatalf("ERROR-level logs = %q", logs)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(logs[1]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["execution_arn"] != execPrefix+"v" || rec["id"] == nil || rec["previous_event_id"] == nil || rec["event_timestamp"] == nil {
		t.Errorf("log record = %v", rec)
	}
	if strings.Contains(logs[0], `"input"`) {
		t.Errorf("log without execution data has input: %s", logs[0])
	}
}

func TestExpressSync(t *testing.T) {
	s := newTestService(Options{})
	mustInvoke(t, s, "CreateStateMachine", createBody("ex", passDef, `"type":"EXPRESS"`))
	arn := "arn:aws:states:us-east-1:123456789012:stateMachine:ex"
	out := mustInvoke(t, s, "StartSyncExecution", `{"stateMachineArn":"`+arn+`","name":"s1","input":"{\"k\":1}"}`)
	if out["status"] != "SUCCEEDED" || out["output"] != `{"k":1}` || !strings.HasPrefix(out["executionArn"].(string), "arn:aws:states:us-east-1:123456789012:express:ex:s1:") {
		t.Fatalf("StartSyncExecution = %v", out)
	}
	if _, err := invoke(t, s, "ListExecutions", `{"stateMachineArn":"`+arn+`"}`); err == nil || err.Code != CodeStateMachineTypeNotSupport {
		t.Fatalf("ListExecutions on express: %v", err)
	}
}

func ExampleService_Invoke() {
	s := New(Options{Store: mem.New(), Virtual: true, IDs: &counterIDs{}})
	ctx := context.Background()
	out, _ := s.Invoke(ctx, "CreateStateMachine", []byte(`{"name":"hello","roleArn":"arn:aws:iam::123456789012:role/r",
		"definition":"{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}"}`))
	fmt.Println(string(out))
	_, err := s.Invoke(ctx, "DescribeStateMachine", []byte(`{}`))
	fmt.Println(err.(*Error).HTTPStatus(), err)
	// Output:
	// {"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:hello","creationDate":1704067200}
	// 400 ValidationException: 1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null
}

func BenchmarkGetExecutionHistory(b *testing.B) {
	ctx := context.Background()
	st := mem.New()
	s := New(Options{Store: st, IDs: &counterIDs{}})
	arn := execPrefix + "big"
	_ = st.PutExecution(ctx, &store.Execution{ARN: arn, StateMachineARN: smARN, Name: "big", Type: "STANDARD", Status: "SUCCEEDED"})
	evs := make([]history.Event, 25000)
	for i := range evs {
		evs[i] = history.Event{
			ID: int64(i + 1), PreviousEventID: int64(i), Type: history.PassStateEntered, Timestamp: DefaultEpoch,
			Details: &history.StateEnteredDetails{Name: "P", Input: history.Payload(`{"n":1}`), InputDetails: history.NotTruncated()},
		}
	}
	_ = st.AppendEvents(ctx, arn, evs)
	b.ReportAllocs()
	for b.Loop() {
		token := ""
		for {
			body := `{"executionArn":"` + arn + `","maxResults":1000`
			if token != "" {
				body += `,"nextToken":"` + token + `"`
			}
			out, err := s.Invoke(ctx, "GetExecutionHistory", []byte(body+"}"))
			if err != nil {
				b.Fatal(err)
			}
			var page struct {
				NextToken string `json:"nextToken"`
			}
			// Read only the token: a client decoding every event would
			// measure encoding/json, not the service.
			if i := strings.LastIndex(string(out), `"nextToken":`); i >= 0 {
				_ = json.Unmarshal([]byte("{"+string(out[i:])), &page)
			}
			if token = page.NextToken; token == "" {
				break
			}
		}
	}
}
