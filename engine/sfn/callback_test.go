package sfn

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/interp"
)

// A real callback exchange on a clock the test moves: the machine waits an
// hour, sends a message carrying its task token (the SQS call is mocked,
// the answer is not), and stays RUNNING until SendTaskSuccess brings the
// token back; heartbeats keep it alive, silence times it out.
func TestCallbackAfterWait(t *testing.T) {
	const def = `{"StartAt":"Cool","States":{
		"Cool":{"Type":"Wait","Seconds":3600,"Next":"Ask"},
		"Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
			"Parameters":{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/q","MessageBody":{"token.$":"$$.Task.Token"}},
			"HeartbeatSeconds":600,"TimeoutSeconds":7200,"End":true}}}`
	clock := interp.NewVirtualClock(DefaultEpoch)
	s := newTestService(Options{Clock: clock})
	if err := s.SetMockConfig([]byte(`{"StateMachines":{"sm":{"TestCases":{"Queue":{"Ask":"Sent"}}}},
		"MockedResponses":{"Sent":{"0":{"Submitted":{"MessageId":"m-1"},"Pending":true}}}}`)); err != nil {
		t.Fatal(err)
	}
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", def, ""))
	ctx := context.Background()
	// token reads the token the task put into its message, as the
	// receiver of the message would.
	token := func(exec string) string {
		for _, e := range readHistory(t, s, exec) {
			if e.Type == "TaskScheduled" {
				var p struct{ MessageBody struct{ Token string } }
				if err := json.Unmarshal([]byte(e.Details["parameters"].(string)), &p); err != nil {
					t.Fatal(err)
				}
				return p.MessageBody.Token
			}
		}
		t.Fatalf("%s: no TaskScheduled yet", exec)
		return ""
	}
	advance := func(d time.Duration) {
		clock.Advance(d)
		if err := s.Advance(ctx); err != nil {
			t.Fatal(err)
		}
	}
	status := func(exec string) string {
		return mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+exec+`"}`)["status"].(string)
	}

	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`#Queue","name":"ok"}`)
	ok := "arn:aws:states:us-east-1:123456789012:execution:sm:ok"
	advance(3600 * time.Second)
	tok := token(ok)
	for i := 0; i < 3; i++ { // 3 x 500 s: past the 600 s heartbeat only with the heartbeats
		advance(500 * time.Second)
		mustInvoke(t, s, "SendTaskHeartbeat", `{"taskToken":"`+tok+`"}`)
	}
	if st := status(ok); st != "RUNNING" {
		t.Fatalf("before the answer: %s", st)
	}
	mustInvoke(t, s, "SendTaskSuccess", `{"taskToken":"`+tok+`","output":"{\"approved\":true}"}`)
	d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+ok+`"}`)
	if d["status"] != "SUCCEEDED" || d["output"] != `{"approved":true}` {
		t.Fatalf("after SendTaskSuccess: %v %v", d["status"], d["output"])
	}
	evs := readHistory(t, s, ok)
	var types []string
	for _, e := range evs {
		types = append(types, e.Type)
	}
	if got := strings.Join(types, ","); got != "ExecutionStarted,WaitStateEntered,WaitStateExited,TaskStateEntered,"+
		"TaskScheduled,TaskStarted,TaskSubmitted,TaskSucceeded,TaskStateExited,ExecutionSucceeded" {
		t.Fatalf("history %s", got)
	}
	// The answer came 3600 s + 1500 s after the start, on the service clock.
	if got, want := evs[len(evs)-1].Timestamp, DefaultEpoch.Add(5100*time.Second); !got.Equal(want) {
		t.Errorf("ExecutionSucceeded at %v, want %v", got, want)
	}

	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`#Queue","name":"silent"}`)
	silent := "arn:aws:states:us-east-1:123456789012:execution:sm:silent"
	advance(3600 * time.Second)
	tok = token(silent)
	advance(599 * time.Second)
	if st := status(silent); st != "RUNNING" {
		t.Fatalf("before the heartbeat timeout: %s", st)
	}
	advance(time.Second)
	d = mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+silent+`"}`)
	if d["status"] != "FAILED" || d["error"] != "States.HeartbeatTimeout" {
		t.Fatalf("after 600 s of silence: %v %v", d["status"], d["error"])
	}
	if _, err := invoke(t, s, "SendTaskSuccess", `{"taskToken":"`+tok+`","output":"{}"}`); err == nil || err.Code != CodeTaskTimedOut {
		t.Fatalf("answer after the timeout: %v", err)
	}
}

// histEvent is one GetExecutionHistory event, its details by field name.
type histEvent struct {
	Type      string
	Timestamp time.Time
	Details   map[string]any
}

// readHistory reads an execution's whole history through the API.
func readHistory(t *testing.T, s *Service, exec string) []histEvent {
	t.Helper()
	out, err := s.Invoke(context.Background(), "GetExecutionHistory", []byte(`{"executionArn":"`+exec+`","maxResults":1000}`))
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Events []map[string]json.RawMessage }
	if err := json.Unmarshal(out, &h); err != nil {
		t.Fatal(err)
	}
	var evs []histEvent
	for _, raw := range h.Events {
		var e histEvent
		json.Unmarshal(raw["type"], &e.Type)
		var ts float64
		json.Unmarshal(raw["timestamp"], &ts)
		e.Timestamp = time.UnixMilli(int64(ts * 1000)).UTC()
		for k, v := range raw {
			if strings.HasSuffix(k, "EventDetails") {
				json.Unmarshal(v, &e.Details)
			}
		}
		evs = append(evs, e)
	}
	return evs
}
