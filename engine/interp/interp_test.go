package interp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/asl"
	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/interp"
)

// counterIDs returns deterministic UUID-shaped ids.
type counterIDs struct{ n int }

func (c *counterIDs) UUID() string {
	c.n++
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", c.n)
}

var epoch = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// run executes definition on a virtual clock to the end.
func run(t testing.TB, definition, input string, tasks interp.TaskRunner) *interp.Run {
	t.Helper()
	if d := asl.Validate(definition, asl.Options{}); len(d) > 0 {
		t.Fatalf("invalid definition: %+v", d)
	}
	r, clock := start(t, definition, input, 0, tasks)
	for i := 0; i < 1000000; i++ {
		switch st := r.Drive(context.Background()); st {
		case interp.WaitingTimer:
			clock.Set(r.WakeAt())
		case interp.WaitingTask:
			if w := r.WakeAt(); !w.IsZero() {
				clock.Set(w)
				continue
			}
			return r
		default:
			return r
		}
	}
	t.Fatal("run did not end")
	return r
}

func types(r *interp.Run) string {
	var s []string
	for _, e := range r.Events() {
		s = append(s, fmt.Sprintf("%d<%d:%s", e.ID, e.PreviousEventID, e.Type))
	}
	return strings.Join(s, " ")
}

func TestPassChoiceWait(t *testing.T) {
	r := run(t, `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Parameters":{"n.$":"States.MathAdd($.n, 1)","s":"x"},"ResultPath":"$.p","Next":"C"},
		"C":{"Type":"Choice","Choices":[{"Variable":"$.p.n","NumericGreaterThan":1,"Next":"W"}],"Default":"F"},
		"W":{"Type":"Wait","Seconds":86400,"Next":"D"},
		"D":{"Type":"Succeed","OutputPath":"$.p"},
		"F":{"Type":"Fail","Error":"E","Cause":"c"}}}`, `{"n":1}`, nil)
	if r.Status() != interp.Succeeded || string(r.Output()) != `{"n":2,"s":"x"}` {
		t.Fatalf("status %v output %s %v", r.Status(), r.Output(), r.Events())
	}
	want := "1<0:ExecutionStarted 2<0:PassStateEntered 3<2:PassStateExited 4<3:ChoiceStateEntered 5<4:ChoiceStateExited 6<5:WaitStateEntered 7<6:WaitStateExited 8<7:SucceedStateEntered 9<8:SucceedStateExited 10<9:ExecutionSucceeded"
	if got := types(r); got != want {
		t.Fatalf("events\n got %s\nwant %s", got, want)
	}
	if d := r.StopDate().Sub(r.StartDate()); d != 24*time.Hour {
		t.Fatalf("virtual duration %v, want 24h", d)
	}
	r = run(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"C"},
		"C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":1,"Next":"A"}],"Default":"F"},
		"F":{"Type":"Fail","Error":"E","Cause":"c"}}}`, `{"n":1}`, nil)
	if name, cause := r.Error(); r.Status() != interp.Failed || name != "E" || cause != "c" {
		t.Fatalf("got %v %s %s", r.Status(), name, cause)
	}
}

func TestMapAndParallel(t *testing.T) {
	r := run(t, `{"StartAt":"M","States":{
		"M":{"Type":"Map","ItemsPath":"$.xs","MaxConcurrency":1,"ItemSelector":{"v.$":"$$.Map.Item.Value","i.$":"$$.Map.Item.Index"},
		  "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"Next":"Par"},
		"Par":{"Type":"Parallel","Branches":[
		  {"StartAt":"B1","States":{"B1":{"Type":"Pass","Result":1,"End":true}}},
		  {"StartAt":"B2","States":{"B2":{"Type":"Wait","Seconds":5,"Next":"B3"},"B3":{"Type":"Pass","Result":2,"End":true}}}],"End":true}}}`,
		`{"xs":["a","b"]}`, nil)
	if r.Status() != interp.Succeeded || string(r.Output()) != `[1,2]` {
		t.Fatalf("status %v output %s\n%s", r.Status(), r.Output(), types(r))
	}
	want := "1<0:ExecutionStarted 2<0:MapStateEntered 3<2:MapStateStarted 4<3:MapIterationStarted 5<4:PassStateEntered 6<5:PassStateExited 7<6:MapIterationSucceeded 8<6:MapIterationStarted 9<8:PassStateEntered 10<9:PassStateExited 11<10:MapIterationSucceeded 12<11:MapStateSucceeded 13<11:MapStateExited"
	if got := types(r); !strings.HasPrefix(got, want) {
		t.Fatalf("events\n got %s\nwant %s", got, want)
	}
	var ev history.Event
	for _, e := range r.Events() {
		if e.Type == history.MapStateExited {
			ev = e
		}
	}
	b, _ := json.Marshal(ev)
	if !strings.Contains(string(b), `"output":"[{\"v\":\"a\",\"i\":0},{\"v\":\"b\",\"i\":1}]"`) {
		t.Fatalf("map output event %s", b)
	}
}

// Stepwise has no S3: a distributed Map with an ItemReader fails its map
// run with States.ItemReaderFailed, as AWS's does when it cannot read, and
// the Map's Catch sees that error.
func TestItemReaderFailsTheMapRun(t *testing.T) {
	r := run(t, `{"StartAt":"M","States":{
		"M":{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON"},"Parameters":{"Bucket":"b","Key":"k"}},
		  "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
		  "Catch":[{"ErrorEquals":["States.ItemReaderFailed"],"Next":"F"}],"End":true},
		"F":{"Type":"Pass","End":true}}}`, `{"a":1}`, nil)
	want := "1<0:ExecutionStarted 2<0:MapStateEntered 3<2:MapStateStarted 4<3:MapRunStarted 5<4:MapRunFailed 6<5:MapStateFailed 7<4:MapStateExited 8<7:PassStateEntered 9<8:PassStateExited 10<9:ExecutionSucceeded"
	if got := types(r); got != want {
		t.Fatalf("events\n got %s\nwant %s", got, want)
	}
	if out := string(r.Output()); !strings.Contains(out, `"Error":"States.ItemReaderFailed"`) || !strings.Contains(out, "ItemReader of state 'M'") {
		t.Errorf("output %s", out)
	}
	if d := r.Events()[2].Details.(*history.MapStateStartedDetails); d.Length != 0 {
		t.Errorf("MapStateStarted length %d, want 0", d.Length)
	}
}

func TestRetryCatch(t *testing.T) {
	calls := 0
	tasks := interp.TaskRunnerFunc(func(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
		calls++
		return interp.TaskResult{Err: &stateErr}
	})
	r := run(t, `{"StartAt":"T","States":{
		"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},
		  "Retry":[{"ErrorEquals":["Boom"],"MaxAttempts":2,"IntervalSeconds":3}],
		  "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"H"}],"End":true},
		"H":{"Type":"Pass","End":true}}}`, `{}`, tasks)
	if calls != 3 || r.Status() != interp.Succeeded || string(r.Output()) != `{"err":{"Error":"Boom","Cause":"bad"}}` {
		t.Fatalf("calls %d status %v output %s\n%s", calls, r.Status(), r.Output(), types(r))
	}
	if d := r.StopDate().Sub(r.StartDate()); d != 9*time.Second {
		t.Fatalf("retry time %v, want 9s (3s + 6s)", d)
	}
}

func start(t testing.TB, definition, input string, maxEvents int, tasks interp.TaskRunner) (*interp.Run, *interp.VirtualClock) {
	t.Helper()
	def, err := asl.Parse([]byte(definition))
	if err != nil {
		t.Fatal(err)
	}
	prog, err := interp.Compile(def)
	if err != nil {
		t.Fatal(err)
	}
	clock := interp.NewVirtualClock(epoch)
	r := prog.Start(context.Background(), &interp.Env{Clock: clock, IDs: &counterIDs{}, Tasks: tasks}, interp.Execution{
		ExecutionARN: "arn:aws:states:us-east-1:123456789012:execution:M:e", StateMachineARN: "arn:aws:states:us-east-1:123456789012:stateMachine:M",
		StateMachineName: "M", Name: "e", Input: []byte(input), Region: "us-east-1", AccountID: "123456789012", MaxEvents: maxEvents,
	})
	return r, clock
}

func TestRunawayLoopEndsAtHistoryLimit(t *testing.T) {
	r, _ := start(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"A"}}}`, `{}`, 25000, nil)
	if st := r.Drive(context.Background()); st != interp.Failed {
		t.Fatalf("status %v", st)
	}
	name, cause := r.Error()
	if name != "States.Runtime" || !strings.Contains(cause, "25000") {
		t.Fatalf("error %s: %s", name, cause)
	}
	if n := len(r.Events()); n > 25000 {
		t.Fatalf("%d events, want at most 25000", n)
	}
}

func TestPayloadLimit(t *testing.T) {
	big := strings.Repeat("x", 140000)
	// the Pass doubles its input past 262,144 bytes
	r := run(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"a.$":"$.s","b.$":"$.s"},"End":true}}}`,
		`{"s":"`+big+`"}`, nil)
	name, cause := r.Error()
	if r.Status() != interp.Failed || name != "States.DataLimitExceeded" || !strings.Contains(cause, "'A'") {
		t.Fatalf("status %v error %s: %s", r.Status(), name, cause)
	}
}

func TestRuntimeErrorsAreNotCaughtByStatesALL(t *testing.T) {
	r := run(t, `{"StartAt":"A","States":{
		"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","InputPath":"$.missing","Next":"B","Catch":[{"ErrorEquals":["States.ALL"],"Next":"B"}]},
		"B":{"Type":"Succeed"}}}`, `{}`, nil)
	name, cause := r.Error()
	want := "An error occurred while executing the state 'A' (entered at the event id #2). Invalid path '$.missing' : No results for path: $['missing']"
	if r.Status() != interp.Failed || name != "States.Runtime" || cause != want {
		t.Fatalf("status %v error %s: %s", r.Status(), name, cause)
	}
}

func TestExecutionTimeout(t *testing.T) {
	r := run(t, `{"TimeoutSeconds":10,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`, `{}`, nil)
	if r.Status() != interp.TimedOut {
		t.Fatalf("status %v", r.Status())
	}
	if d := r.StopDate().Sub(r.StartDate()); d != 10*time.Second {
		t.Fatalf("timed out after %v, want 10s", d)
	}
	last := r.Events()[len(r.Events())-1]
	if last.Type != history.ExecutionTimedOut {
		t.Fatalf("last event %s", last.Type)
	}
}

func TestCallbackTask(t *testing.T) {
	var token string
	tasks := interp.TaskRunnerFunc(func(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
		token = req.Token
		if !strings.Contains(string(req.Parameters), req.Token) {
			t.Errorf("parameters %s lack the token %s", req.Parameters, req.Token)
		}
		return interp.TaskResult{Pending: true}
	})
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
		"Parameters":{"MessageBody":{"token.$":"$$.Task.Token"}},"HeartbeatSeconds":30,"End":true}}}`
	r, clock := start(t, def, `{}`, 0, tasks)
	if st := r.Drive(context.Background()); st != interp.WaitingTask || len(r.PendingTokens()) != 1 || r.PendingTokens()[0] != token {
		t.Fatalf("status %v tokens %v", st, r.PendingTokens())
	}
	if err := r.SendTaskSuccess("nope", []byte(`1`)); err != interp.ErrTaskDoesNotExist {
		t.Fatalf("unknown token: %v", err)
	}
	clock.Advance(20 * time.Second)
	if err := r.SendTaskHeartbeat(token); err != nil {
		t.Fatal(err)
	}
	if w := r.WakeAt(); !w.Equal(epoch.Add(50 * time.Second)) {
		t.Fatalf("heartbeat deadline %v, want start+50s", w)
	}
	if err := r.SendTaskSuccess(token, []byte(`{"ok":true}`)); err != nil {
		t.Fatal(err)
	}
	if st := r.Drive(context.Background()); st != interp.Succeeded || string(r.Output()) != `{"ok":true}` {
		t.Fatalf("status %v output %s\n%s", st, r.Output(), types(r))
	}
	// without an answer, the heartbeat times the task out
	r = run(t, def, `{}`, tasks)
	if name, _ := r.Error(); r.Status() != interp.Failed || name != "States.HeartbeatTimeout" {
		t.Fatalf("status %v error %s\n%s", r.Status(), name, types(r))
	}
}

func TestStringMatches(t *testing.T) {
	def := `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.s","StringMatches":"%s","Next":"Y"}],"Default":"N"},
		"Y":{"Type":"Pass","Result":"yes","End":true},"N":{"Type":"Pass","Result":"no","End":true}}}`
	for _, c := range []struct {
		pattern, s, want string
	}{
		{"log-*.txt", "log-2024.txt", `"yes"`},
		{"log-*.txt", "log-2024.csv", `"no"`},
		{"*", "", `"yes"`},
		{`a\\*b`, "a*b", `"yes"`},
		{`a\\*b`, "axb", `"no"`},
		{"*a*b*c", "xxaxxbxxc", `"yes"`},
		// many stars against a long miss: must not backtrack exponentially
		{strings.Repeat("*a", 30) + "b", strings.Repeat("a", 4000), `"no"`},
	} {
		r := run(t, fmt.Sprintf(def, c.pattern), fmt.Sprintf(`{"s":%q}`, c.s), nil)
		if string(r.Output()) != c.want {
			t.Errorf("%q matches %q: got %s, want %s", c.pattern, c.s, r.Output(), c.want)
		}
	}
}
