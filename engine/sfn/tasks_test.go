package sfn

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/interp"
)

const callbackDef = `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}`

// pendingTasks leaves every task waiting and remembers its token.
type pendingTasks struct{ tokens []string }

func (p *pendingTasks) RunTask(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
	tok := fmt.Sprintf("token-%d", len(p.tokens))
	p.tokens = append(p.tokens, tok)
	return interp.TaskResult{Pending: true, Token: tok}
}

func TestSendTaskSuccessAndFailure(t *testing.T) {
	tasks := &pendingTasks{}
	var seen []string
	s := newTestService(Options{Virtual: true, Tasks: tasks, OnEvent: func(arn string, ev []byte) {
		var e struct{ Type string }
		if err := json.Unmarshal(ev, &e); err != nil || !strings.HasSuffix(arn, ":e1") && !strings.HasSuffix(arn, ":e2") {
			t.Errorf("OnEvent(%s, %s): %v", arn, ev, err)
		}
		seen = append(seen, e.Type)
	}})
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", callbackDef, ""))

	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"e1","input":"{\"n\":1}"}`)
	exec1 := "arn:aws:states:us-east-1:123456789012:execution:sm:e1"
	if d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+exec1+`"}`); d["status"] != "RUNNING" {
		t.Fatalf("status before the result: %v", d["status"])
	}
	if len(tasks.tokens) != 1 {
		t.Fatalf("tokens %v", tasks.tokens)
	}
	tok := tasks.tokens[0]
	if _, err := invoke(t, s, "SendTaskSuccess", `{"taskToken":"`+tok+`","output":"not json"}`); err == nil || err.Code != CodeInvalidOutput {
		t.Fatalf("bad output: %v", err)
	}
	mustInvoke(t, s, "SendTaskSuccess", `{"taskToken":"`+tok+`","output":"{\"ok\":true}"}`)
	d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+exec1+`"}`)
	if d["status"] != "SUCCEEDED" || d["output"] != `{"ok":true}` {
		t.Fatalf("after SendTaskSuccess: %v %v", d["status"], d["output"])
	}
	if got := strings.Join(seen, ","); got != "ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskSucceeded,TaskStateExited,ExecutionSucceeded" {
		t.Fatalf("OnEvent saw %s", got)
	}
	if _, err := invoke(t, s, "SendTaskSuccess", `{"taskToken":"`+tok+`","output":"{}"}`); err == nil || err.Code != CodeTaskTimedOut {
		t.Fatalf("token of an ended task: %v", err)
	}
	if _, err := invoke(t, s, "SendTaskHeartbeat", `{"taskToken":"nope"}`); err == nil || err.Code != CodeInvalidToken || err.Message != "Invalid Token: 'Invalid token'" {
		t.Fatalf("unknown token: %v", err)
	}
	if _, err := invoke(t, s, "SendTaskFailure", `{}`); err == nil || err.Code != CodeValidation {
		t.Fatalf("no token: %v", err)
	}

	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"e2"}`)
	mustInvoke(t, s, "SendTaskHeartbeat", `{"taskToken":"`+tasks.tokens[1]+`"}`)
	mustInvoke(t, s, "SendTaskFailure", `{"taskToken":"`+tasks.tokens[1]+`","error":"Boom","cause":"it broke"}`)
	d = mustInvoke(t, s, "DescribeExecution", `{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:sm:e2"}`)
	if d["status"] != "FAILED" || d["error"] != "Boom" || d["cause"] != "it broke" {
		t.Fatalf("after SendTaskFailure: %v", d)
	}
}

func TestHostTaskHandlerInFrontOfMocks(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	var started []HostTask
	s.SetTaskHandler(&TaskHandler{
		Handles: func(resource, state string) bool { return resource == "arn:aws:states:::js:double" },
		Start:   func(h HostTask) { started = append(started, h) },
	})
	if err := s.SetMockConfig([]byte(`{"StateMachines":{"sm":{"TestCases":{"Happy":{"Mocked":"M"}}}},
		"MockedResponses":{"M":{"0":{"Return":{"from":"mock"}}}}}`)); err != nil {
		t.Fatal(err)
	}
	def := `{"StartAt":"Host","States":{
		"Host":{"Type":"Task","Resource":"arn:aws:states:::js:double","Parameters":{"n.$":"$.n"},"ResultPath":"$.host","Next":"Mocked"},
		"Mocked":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","ResultPath":"$.mocked","End":true}}}`
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", def, ""))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`#Happy","name":"h","input":"{\"n\":21}"}`)
	if len(started) != 1 || string(started[0].Input) != `{"n":21}` || started[0].StateName != "Host" || started[0].Token == "" {
		t.Fatalf("host tasks started: %+v", started)
	}
	mustInvoke(t, s, "SendTaskSuccess", `{"taskToken":"`+started[0].Token+`","output":"{\"doubled\":42}"}`)
	d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:sm:h"}`)
	if d["status"] != "SUCCEEDED" || d["output"] != `{"n":21,"host":{"doubled":42},"mocked":{"from":"mock"}}` {
		t.Fatalf("got %v %v", d["status"], d["output"])
	}
	if err := s.SetMockConfig([]byte(`{"StateMachines":7}`)); err == nil {
		t.Fatal("a malformed mock config was accepted")
	}
}
