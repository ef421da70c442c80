package sfn

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/store/mem"
)

// restartable runs a scenario on a Service that may be thrown away after
// every operation and built again over the same durable store: as a
// restarted server (Resume) or as the Worker's next request (on demand).
type restartable struct {
	t     *testing.T
	clock *interp.VirtualClock
	ids   *counterIDs
	st    *mem.DurableStore
	svc   *Service
	mode  string // "memory", "resume" or "on-demand"
	// workers: an activity worker serves the activity (a queue of
	// activity tasks lives in the process: the Worker has none).
	workers bool
}

const durableMocks = `{"StateMachines":{"cb":{"TestCases":{"T":{"Ask":"Sent"}}}},
	"MockedResponses":{"Sent":{"0":{"Submitted":{"MessageId":"m-1"},"Pending":true}}}}`

func (r *restartable) restart() {
	if r.svc != nil && r.mode == "memory" {
		return
	}
	opts := Options{Clock: r.clock, IDs: r.ids, Store: r.st}
	if r.mode == "memory" {
		opts.Store = mem.New()
	}
	r.svc = New(opts)
	if err := r.svc.SetMockConfig([]byte(durableMocks)); err != nil {
		r.t.Fatal(err)
	}
	if r.mode == "resume" {
		if err := r.svc.Resume(context.Background()); err != nil {
			r.t.Fatal(err)
		}
	}
}

// do runs one operation on a fresh Service.
func (r *restartable) do(op, body string) map[string]any {
	r.t.Helper()
	r.restart()
	return mustInvoke(r.t, r.svc, op, body)
}

func (r *restartable) advance(d time.Duration) {
	r.t.Helper()
	r.clock.Advance(d)
	r.restart()
	if err := r.svc.Advance(context.Background()); err != nil {
		r.t.Fatal(err)
	}
}

// token returns the task token of the last TaskScheduled of an execution.
func (r *restartable) token(exec string) string {
	r.t.Helper()
	h := r.do("GetExecutionHistory", `{"executionArn":"`+exec+`","reverseOrder":true}`)
	for _, e := range h["events"].([]any) {
		ev := e.(map[string]any)
		if d, ok := ev["taskScheduledEventDetails"].(map[string]any); ok {
			var p struct{ MessageBody struct{ Token string } }
			json.Unmarshal([]byte(d["parameters"].(string)), &p)
			return p.MessageBody.Token
		}
	}
	r.t.Fatalf("%s: no TaskScheduled", exec)
	return ""
}

// scenario runs executions that wait on timers, callbacks, activity
// workers and retries, and returns every history at the end.
func (r *restartable) scenario() map[string]any {
	t := r.t
	arn := func(m, e string) string { return "arn:aws:states:us-east-1:123456789012:execution:" + m + ":" + e }
	r.do("CreateStateMachine", createBody("cb", `{"StartAt":"Cool","States":{
		"Cool":{"Type":"Wait","Seconds":3600,"Next":"Ask"},
		"Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
			"Parameters":{"QueueUrl":"q","MessageBody":{"token.$":"$$.Task.Token","id.$":"States.UUID()"}},
			"HeartbeatSeconds":600,"End":true}}}`, ""))
	r.do("CreateActivity", `{"name":"work"}`)
	r.do("CreateStateMachine", createBody("act", `{"StartAt":"Both","States":{"Both":{"Type":"Parallel","End":true,"Branches":[
		{"StartAt":"Do","States":{"Do":{"Type":"Task","Resource":"arn:aws:states:us-east-1:123456789012:activity:work",
			"TimeoutSeconds":300,"Retry":[{"ErrorEquals":["Again"],"IntervalSeconds":5,"JitterStrategy":"FULL"}],"End":true}}},
		{"StartAt":"Nap","States":{"Nap":{"Type":"Wait","Seconds":90,"Next":"Map"},
			"Map":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$","End":true}}},"End":true}}}]}}}`, ""))
	r.do("StartExecution", `{"stateMachineArn":"`+smARN[:len(smARN)-2]+`cb#T","name":"yes"}`)
	r.do("StartExecution", `{"stateMachineArn":"`+smARN[:len(smARN)-2]+`cb#T","name":"late"}`)
	r.do("StartExecution", `{"stateMachineArn":"`+smARN[:len(smARN)-2]+`act","name":"a1","input":"{\"items\":[30,10,20]}"}`)
	r.advance(60 * time.Second)

	// the activity worker takes the task, fails it once, takes the retry
	poll := func() string {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		r.restart()
		out, err := r.svc.PollActivityTask(ctx, []byte(`{"activityArn":"arn:aws:states:us-east-1:123456789012:activity:work","workerName":"w"}`))
		if err != nil {
			t.Fatal(err)
		}
		var m struct{ TaskToken string }
		json.Unmarshal(out, &m)
		return m.TaskToken
	}
	if r.workers {
		tok := poll()
		if tok == "" {
			t.Fatal("no activity task")
		}
		r.do("SendTaskHeartbeat", `{"taskToken":"`+tok+`"}`)
		r.do("SendTaskFailure", `{"taskToken":"`+tok+`","error":"Again","cause":"once more"}`)
		r.advance(10 * time.Second)
		tok = poll()
		r.advance(20 * time.Second)
		r.do("SendTaskSuccess", `{"taskToken":"`+tok+`","output":"{\"done\":true}"}`)
	}
	r.advance(3600 * time.Second)
	tok := r.token(arn("cb", "yes"))
	r.do("StopExecution", `{"executionArn":"`+arn("cb", "late")+`","error":"Stopped","cause":"by the test"}`)
	if _, err := invoke(t, r.svc, "SendTaskSuccess", `{"taskToken":"`+r.token(arn("cb", "late"))+`","output":"{}"}`); err == nil || err.Code != CodeTaskTimedOut {
		t.Fatalf("answer to a stopped execution: %v", err)
	}
	r.advance(500 * time.Second)
	r.do("SendTaskHeartbeat", `{"taskToken":"`+tok+`"}`)
	r.advance(500 * time.Second)
	r.do("SendTaskSuccess", `{"taskToken":"`+tok+`","output":"{\"approved\":true}"}`)
	r.advance(3600 * time.Second)

	out := map[string]any{}
	for _, e := range []string{arn("cb", "yes"), arn("cb", "late"), arn("act", "a1")} {
		d := r.do("DescribeExecution", `{"executionArn":"`+e+`"}`)
		h := r.do("GetExecutionHistory", `{"executionArn":"`+e+`"}`)
		out[e] = map[string]any{"status": d["status"], "output": d["output"], "events": h["events"]}
	}
	return out
}

// TestDurableExecutionsSurviveRestarts runs the same scenario in memory
// and with the Service thrown away after every operation: rebuilt all at
// once (Resume, as after a restart) or one run at a time (on demand, as
// the Worker does). Every history is the same, event for event.
func TestDurableExecutionsSurviveRestarts(t *testing.T) {
	run := func(t *testing.T, mode string, workers bool) map[string]any {
		r := &restartable{t: t, clock: interp.NewVirtualClock(DefaultEpoch), ids: &counterIDs{}, st: mem.NewDurable(), mode: mode, workers: workers}
		return r.scenario()
	}
	want := run(t, "memory", true)
	for arn, v := range want {
		st := v.(map[string]any)["status"]
		if (strings.Contains(arn, "late") && st != "ABORTED") || (!strings.Contains(arn, "late") && st != "SUCCEEDED") {
			t.Fatalf("%s ended %v in memory", arn, st)
		}
	}
	for _, mode := range []string{"resume", "on-demand"} {
		t.Run(mode, func(t *testing.T) {
			workers := mode != "on-demand"
			got, want := run(t, mode, workers), run(t, "memory", workers)
			for arn, w := range want {
				if !reflect.DeepEqual(got[arn], w) {
					g, _ := json.MarshalIndent(got[arn], "", " ")
					wj, _ := json.MarshalIndent(w, "", " ")
					t.Fatalf("%s differs after restarts:\n%s\nwant\n%s", arn, g, wj)
				}
			}
		})
	}
}

// TestDurableJournalEndsWithTheExecution: an ended execution keeps no
// journal and is no longer running; a running one is listed with its
// next timer.
func TestDurableJournalEndsWithTheExecution(t *testing.T) {
	st := mem.NewDurable()
	clock := interp.NewVirtualClock(DefaultEpoch)
	s := newTestService(Options{Store: st, Clock: clock})
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":30,"End":true}}}`, ""))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"e"}`)
	ctx := context.Background()
	running, _ := st.Running(ctx)
	exec := "arn:aws:states:us-east-1:123456789012:execution:sm:e"
	if len(running) != 1 || running[0].ARN != exec || !running[0].WakeAt.Equal(DefaultEpoch.Add(30*time.Second)) {
		t.Fatalf("running %+v", running)
	}
	clock.Advance(30 * time.Second)
	s.Advance(ctx)
	running, _ = st.Running(ctx)
	if _, err := st.Journal(ctx, exec); err == nil || len(running) != 0 {
		t.Fatalf("ended execution: journal err %v, running %v", err, running)
	}
	if d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+exec+`"}`); d["status"] != "SUCCEEDED" {
		t.Fatal(fmt.Sprint(d))
	}
}
