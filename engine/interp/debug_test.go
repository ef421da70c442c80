package interp_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/asl"
	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// traced runs definition to the end with TraceDataFlow on, jumping the
// virtual clock over timers.
func traced(t *testing.T, definition, input string, tasks interp.TaskRunner) *interp.Run {
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
	env := &interp.Env{Clock: clock, IDs: &counterIDs{}, Tasks: tasks, TraceDataFlow: true}
	r := prog.Start(context.Background(), env, interp.Execution{
		ExecutionARN: "arn:aws:states:us-east-1:123456789012:execution:M:e", StateMachineARN: "arn:aws:states:us-east-1:123456789012:stateMachine:M",
		StateMachineName: "M", Name: "e", Input: []byte(input), Region: "us-east-1", AccountID: "123456789012",
	})
	for range 10000 {
		if st := r.Drive(context.Background()); st != interp.WaitingTimer {
			return r
		}
		clock.Set(r.WakeAt())
	}
	t.Fatal("run did not end")
	return r
}

// flowString prints a record's stages that ran, in pipeline order.
func flowString(f interp.DataFlow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s(%s) %d-%d", f.StateName, f.StateType, f.EnteredEventID, f.ExitedEventID)
	for _, s := range []struct {
		name string
		v    []byte
	}{
		{"in", f.Input}, {"inputPath", f.AfterInputPath}, {"params", f.AfterParameters}, {"result", f.Result},
		{"selector", f.AfterResultSelector}, {"resultPath", f.AfterResultPath}, {"out", f.Output}, {"vars", f.Variables},
	} {
		if s.v != nil {
			fmt.Fprintf(&b, " %s=%s", s.name, s.v)
		}
	}
	if f.Error != nil {
		fmt.Fprintf(&b, " error=%s cause=%q", f.Error.Name, f.Error.Cause)
	}
	return b.String()
}

func flows(r *interp.Run) []string {
	var out []string
	for _, f := range r.DataFlow() {
		out = append(out, flowString(f))
	}
	return out
}

// constTask answers every task with the same result.
func constTask(res interp.TaskResult) interp.TaskRunner {
	return interp.TaskRunnerFunc(func(context.Context, *interp.TaskRequest) interp.TaskResult { return res })
}

func TestDataFlow(t *testing.T) {
	ok := constTask(interp.TaskResult{Output: []byte(`{"status": "ok", "extra": 1}`)})
	boom := constTask(interp.TaskResult{Err: &states.Error{Name: "Boom", Cause: "bad"}})
	tests := []struct {
		name, def, input string
		tasks            interp.TaskRunner
		want             []string
	}{
		{
			name: "task pipeline",
			def: `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f",
				"InputPath":"$.order","Parameters":{"id.$":"$.id","k":"v"},"ResultSelector":{"s.$":"$.status"},
				"ResultPath":"$.res","OutputPath":"$.res","End":true}}}`,
			input: `{"order":{"id":7,"n":1},"other":true}`,
			tasks: ok,
			want: []string{`T(Task) 2-6 in={"order":{"id":7,"n":1},"other":true} inputPath={"id":7,"n":1} params={"id":7,"k":"v"} ` +
				`result={"status":"ok","extra":1} selector={"s":"ok"} resultPath={"order":{"id":7,"n":1},"other":true,"res":{"s":"ok"}} out={"s":"ok"}`},
		},
		{
			name: "pass choice wait succeed",
			def: `{"StartAt":"P","States":{
				"P":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.p","Next":"C"},
				"C":{"Type":"Choice","InputPath":"$.p","Choices":[{"Variable":"$.x","NumericEquals":1,"Next":"W"}]},
				"W":{"Type":"Wait","Seconds":5,"Next":"S"},
				"S":{"Type":"Succeed","OutputPath":"$.x"}}}`,
			input: `{}`,
			want: []string{
				`P(Pass) 2-3 in={} inputPath={} result={"x":1} resultPath={"p":{"x":1}} out={"p":{"x":1}}`,
				`C(Choice) 4-5 in={"p":{"x":1}} inputPath={"x":1} out={"x":1}`,
				`W(Wait) 6-7 in={"x":1} inputPath={"x":1} out={"x":1}`,
				`S(Succeed) 8-9 in={"x":1} inputPath={"x":1} out=1`,
			},
		},
		{
			name: "catch records error and cause",
			def: `{"StartAt":"T","States":{
				"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"F"}],"End":true},
				"F":{"Type":"Fail","Error":"Caught","Cause":"after catch"}}}`,
			input: `{"a":1}`,
			tasks: boom,
			want: []string{
				`T(Task) 2-6 in={"a":1} inputPath={"a":1} resultPath={"a":1,"err":{"Error":"Boom","Cause":"bad"}} out={"a":1,"err":{"Error":"Boom","Cause":"bad"}} error=Boom cause="bad"`,
				`F(Fail) 7-0 in={"a":1,"err":{"Error":"Boom","Cause":"bad"}} error=Caught cause="after catch"`,
			},
		},
		{
			name:  "path failure",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$.missing","End":true}}}`,
			input: `{}`,
			want: []string{`P(Pass) 2-0 in={} error=States.Runtime cause="An error occurred while executing the state 'P' (entered at the event id #2). ` +
				`Invalid path '$.missing' : No results for path: $['missing']"`},
		},
		{
			name: "map records one step per iteration",
			def: `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","ResultSelector":{"all.$":"$"},
				"ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","Parameters":{"v.$":"$"},"End":true}}},"End":true}}}`,
			input: `{"items":[1,2]}`,
			want: []string{
				`M(Map) 2-13 in={"items":[1,2]} inputPath={"items":[1,2]} result=[{"v":1},{"v":2}] selector={"all":[{"v":1},{"v":2}]} resultPath={"all":[{"v":1},{"v":2}]} out={"all":[{"v":1},{"v":2}]}`,
				`I(Pass) 5-6 in=1 inputPath=1 params={"v":1} result={"v":1} resultPath={"v":1} out={"v":1}`,
				`I(Pass) 9-10 in=2 inputPath=2 params={"v":2} result={"v":2} resultPath={"v":2} out={"v":2}`,
			},
		},
		{
			name: "parallel branches",
			def: `{"StartAt":"Par","States":{"Par":{"Type":"Parallel","Parameters":{"n.$":"$.n"},"Branches":[
				{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},
				{"StartAt":"B","States":{"B":{"Type":"Pass","Result":2,"End":true}}}],"End":true}}}`,
			input: `{"n":1}`,
			want: []string{
				`Par(Parallel) 2-9 in={"n":1} inputPath={"n":1} params={"n":1} result=[{"n":1},2] resultPath=[{"n":1},2] out=[{"n":1},2]`,
				`A(Pass) 4-5 in={"n":1} inputPath={"n":1} result={"n":1} resultPath={"n":1} out={"n":1}`,
				`B(Pass) 6-7 in={"n":1} inputPath={"n":1} result=2 resultPath=2 out=2`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := traced(t, tc.def, tc.input, tc.tasks)
			got := flows(r)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("data flow\n got %s\nwant %s\nevents %s", strings.Join(got, "\n     "), strings.Join(tc.want, "\n     "), types(r))
			}
			checkFlowEvents(t, r)
		})
	}
}

// checkFlowEvents checks that every record's event ids name its state's
// StateEntered and StateExited events.
func checkFlowEvents(t *testing.T, r *interp.Run) {
	t.Helper()
	evs := r.Events()
	for _, f := range r.DataFlow() {
		e := evs[f.EnteredEventID-1]
		d, ok := e.Details.(*history.StateEnteredDetails)
		if !ok || d.Name != f.StateName {
			t.Errorf("%s: entered event %d is %s %+v", f.StateName, f.EnteredEventID, e.Type, e.Details)
		}
		if f.ExitedEventID == 0 {
			continue
		}
		e = evs[f.ExitedEventID-1]
		x, ok := e.Details.(*history.StateExitedDetails)
		if !ok || x.Name != f.StateName || string(x.Output) != string(f.Output) {
			t.Errorf("%s: exited event %d is %s %+v", f.StateName, f.ExitedEventID, e.Type, e.Details)
		}
	}
}

func TestDataFlowRetryShowsLastAttempt(t *testing.T) {
	calls := 0
	tasks := interp.TaskRunnerFunc(func(context.Context, *interp.TaskRequest) interp.TaskResult {
		calls++
		if calls == 1 {
			return interp.TaskResult{Err: &states.Error{Name: "Flaky", Cause: "once"}}
		}
		return interp.TaskResult{Output: []byte(`"done"`)}
	})
	r := traced(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage",
		"Retry":[{"ErrorEquals":["Flaky"],"IntervalSeconds":1}],"End":true}}}`, `{}`, tasks)
	got := flows(r)
	want := `T(Task) 2-9 in={} inputPath={} result="done" resultPath="done" out="done"`
	if len(got) != 1 || got[0] != want {
		t.Fatalf("data flow %q, want %q", got, want)
	}
}

func TestDataFlowOffRecordsNothing(t *testing.T) {
	r := run(t, `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`, `{}`, nil)
	if f := r.DataFlow(); len(f) != 0 {
		t.Fatalf("untraced run recorded %v", f)
	}
}
