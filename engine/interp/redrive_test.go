package interp_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/asl"
	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// concurrentDef runs every item at once; each iteration's Parallel has a
// branch that waits as long as the item says and one that calls a task.
const concurrentDef = `{"StartAt":"M","States":{"M":{"Type":"Map","End":true,"ItemProcessor":{"StartAt":"P","States":{
"P":{"Type":"Parallel","End":true,"Branches":[
{"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$","End":true}}},
{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}]}}}}}}`

func drive(t *testing.T, r *interp.Run, clock *interp.VirtualClock) {
	t.Helper()
	for i := 0; i < 10000; i++ {
		switch r.Drive(context.Background()) {
		case interp.WaitingTimer:
			clock.Set(r.WakeAt())
		case interp.Running:
		default:
			return
		}
	}
	t.Fatal("run did not end")
}

// TestRedriveConcurrentIterations checks that a redrive tells apart the
// events of iterations that ran at the same time: branches that had
// succeeded are not run again.
func TestRedriveConcurrentIterations(t *testing.T) {
	var calls []string
	first := true
	tasks := interp.TaskRunnerFunc(func(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
		calls = append(calls, string(req.Parameters))
		if string(req.Parameters) == "2" && first {
			first = false
			return interp.TaskResult{Err: states.New("Boom", "")}
		}
		return interp.TaskResult{Output: req.Parameters}
	})
	r, clock := start(t, concurrentDef, "[3,2,1]", 0, tasks)
	drive(t, r, clock)
	if r.Status() != interp.Failed {
		t.Fatalf("first attempt %v", r.Status())
	}
	def, _ := asl.Parse([]byte(concurrentDef))
	prog, _ := interp.Compile(def)
	ex := r.Execution()
	ex.RedriveCount = 1
	rr, err := prog.Redrive(context.Background(), &interp.Env{Clock: clock, IDs: &counterIDs{}, Tasks: tasks}, ex, r.Events())
	if err != nil {
		t.Fatal(err)
	}
	drive(t, rr, clock)
	if rr.Status() != interp.Succeeded || string(rr.Output()) != "[[3,3],[2,2],[1,1]]" {
		t.Fatalf("redrive: %v %s", rr.Status(), rr.Output())
	}
	if got := strings.Join(calls, ","); got != "3,2,2,1" {
		t.Fatalf("task calls %s", got)
	}
	var entered []string
	for _, e := range rr.EventsSince(len(r.Events())) {
		if d, ok := e.Details.(*history.StateEnteredDetails); ok {
			entered = append(entered, d.Name)
		}
	}
	// Item 0's Task had succeeded and its Wait was aborted: only the Wait
	// runs again. Item 1 failed with its Wait aborted: both branches run
	// again. Item 2 had not started.
	if got := strings.Join(entered, ","); got != "M,P,W,P,W,T,P,W,T" {
		t.Fatalf("states entered on redrive: %s", got)
	}
}

func TestRedriveRejectsHistories(t *testing.T) {
	def, _ := asl.Parse([]byte(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`))
	prog, _ := interp.Compile(def)
	env := &interp.Env{Clock: interp.NewVirtualClock(epoch), IDs: &counterIDs{}}
	for name, evs := range map[string][]history.Event{
		"empty":     nil,
		"succeeded": {{ID: 1, Type: history.ExecutionStarted}, {ID: 2, PreviousEventID: 1, Type: history.ExecutionSucceeded}},
		"unknown state": {{ID: 1, Type: history.ExecutionStarted},
			{ID: 2, PreviousEventID: 1, Type: history.PassStateEntered, Details: &history.StateEnteredDetails{Name: "X"}},
			{ID: 3, PreviousEventID: 2, Type: history.ExecutionFailed}},
	} {
		if _, err := prog.Redrive(context.Background(), env, interp.Execution{}, evs); err != interp.ErrNotRedrivable {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzRedrive feeds arbitrary histories to Redrive: it must refuse or
// resume them, never panic.
func FuzzRedrive(f *testing.F) {
	r, _ := start(f, concurrentDef, "[1,2]", 0, nil)
	seed, _ := json.Marshal(r.Events())
	f.Add(seed)
	f.Add([]byte(`[{"id":1,"previousEventId":0,"type":"ExecutionStarted"},{"id":2,"previousEventId":1,"type":"MapIterationStarted","mapIterationStartedEventDetails":{"name":"M","index":0}},{"id":3,"previousEventId":2,"type":"ExecutionFailed"}]`))
	def, _ := asl.Parse([]byte(concurrentDef))
	prog, _ := interp.Compile(def)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		var evs []history.Event
		if json.Unmarshal(data, &evs) != nil {
			return
		}
		clock := interp.NewVirtualClock(epoch)
		rr, err := prog.Redrive(context.Background(), &interp.Env{Clock: clock, IDs: &counterIDs{}}, interp.Execution{Input: []byte("[1,2]")}, evs)
		if err != nil {
			return
		}
		for i := 0; i < 1000 && !rr.Status().Final(); i++ {
			if rr.Drive(context.Background()) == interp.WaitingTimer {
				clock.Set(rr.WakeAt())
			}
		}
	})
}

// TestRedriveKeepsVariables checks that a redriven execution still sees
// the variables assigned before the failure.
func TestRedriveKeepsVariables(t *testing.T) {
	def := `{"QueryLanguage":"JSONata","StartAt":"A","States":{
		"A":{"Type":"Pass","Assign":{"v":"kept"},"Next":"T"},
		"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"v":"{% $v %}"},"End":true}}}`
	first := true
	tasks := interp.TaskRunnerFunc(func(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
		if first {
			first = false
			return interp.TaskResult{Err: states.New("Boom", "")}
		}
		return interp.TaskResult{Output: req.Parameters}
	})
	r, clock := start(t, def, "{}", 0, tasks)
	drive(t, r, clock)
	parsed, _ := asl.Parse([]byte(def))
	prog, _ := interp.Compile(parsed)
	ex := r.Execution()
	ex.RedriveCount = 1
	rr, err := prog.Redrive(context.Background(), &interp.Env{Clock: clock, IDs: &counterIDs{}, Tasks: tasks}, ex, r.Events())
	if err != nil {
		t.Fatal(err)
	}
	drive(t, rr, clock)
	if rr.Status() != interp.Succeeded || string(rr.Output()) != `{"v":"kept"}` {
		t.Fatalf("redrive: %v %s", rr.Status(), rr.Output())
	}
}
