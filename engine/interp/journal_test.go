package interp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/asl"
	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/interp"
)

// guarded is an environment that must not be read while Replay rebuilds
// a run: everything the run needs then comes from the journal.
type guarded struct {
	t         *testing.T
	replaying bool
	clock     *interp.VirtualClock
	ids       *counterIDs
	tasks     interp.TaskRunner
}

func (g *guarded) check(what string) {
	if g.replaying {
		g.t.Helper()
		g.t.Fatalf("replay read the environment's %s", what)
	}
}
func (g *guarded) Now() time.Time { g.check("clock"); return g.clock.Now() }
func (g *guarded) UUID() string   { g.check("ids"); return g.ids.UUID() }
func (g *guarded) RunTask(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
	g.check("tasks")
	if g.tasks == nil {
		return interp.Unmocked(req)
	}
	return g.tasks.RunTask(ctx, req)
}
func (g *guarded) random(lo, hi int64) int64 { g.check("random"); return lo + (hi-lo)/3 }

// replayedRun drives a run to its end like run, but after every call it
// throws the run away and continues with one rebuilt from the journal,
// checking that the rebuilt run is the same: events, status, timers and
// pending tasks. It returns the last run and the host calls it made.
func replayedRun(t *testing.T, definition, input string, tasks interp.TaskRunner, answer func(r *interp.Run) bool) *interp.Run {
	t.Helper()
	def, err := asl.Parse([]byte(definition))
	if err != nil {
		t.Fatal(err)
	}
	prog, err := interp.Compile(def)
	if err != nil {
		t.Fatal(err)
	}
	g := &guarded{t: t, clock: interp.NewVirtualClock(epoch), ids: &counterIDs{}, tasks: tasks}
	env := func() *interp.Env {
		return &interp.Env{Clock: g, IDs: g, Tasks: g, Random: g.random, Journal: interp.NewJournal()}
	}
	ex := interp.Execution{
		ExecutionARN: "arn:aws:states:us-east-1:123456789012:execution:M:e", StateMachineARN: "arn:aws:states:us-east-1:123456789012:stateMachine:M",
		StateMachineName: "M", Name: "e", Input: []byte(input), Region: "us-east-1", AccountID: "123456789012",
	}
	e := env()
	r := prog.Start(context.Background(), e, ex)
	var journal []byte
	rebuild := func() {
		t.Helper()
		journal = append(journal, e.Journal.Take()...)
		e = env()
		g.replaying = true
		r2, err := prog.Replay(context.Background(), e, ex, journal, nil)
		g.replaying = false
		if err != nil {
			t.Fatalf("replay: %v\n%s", err, journal)
		}
		if !sameEvents(r.Events(), r2.Events()) || r2.Status() != r.Status() ||
			!r2.WakeAt().Equal(r.WakeAt()) || !reflect.DeepEqual(r2.PendingTasks(), r.PendingTasks()) {
			t.Fatalf("the rebuilt run differs: status %v/%v wake %v/%v\n%s\n%s", r.Status(), r2.Status(),
				r.WakeAt(), r2.WakeAt(), types(r), types(r2))
		}
		r = r2
	}
	rebuild()
	for i := 0; i < 10000; i++ {
		st := r.Drive(context.Background())
		rebuild()
		switch st {
		case interp.WaitingTimer:
			g.clock.Set(r.WakeAt())
		case interp.WaitingTask:
			if answer != nil && answer(r) {
				rebuild()
				continue
			}
			if w := r.WakeAt(); !w.IsZero() {
				g.clock.Set(w)
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

func sameEvents(a, b []history.Event) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// TestReplayGolden runs every golden case rebuilt from its journal at
// every step: the history is the golden one.
func TestReplayGolden(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/golden/*")
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			def, _ := os.ReadFile(filepath.Join(dir, "definition.json"))
			input, _ := os.ReadFile(filepath.Join(dir, "input.json"))
			var tasks interp.TaskRunner
			if b, err := os.ReadFile(filepath.Join(dir, "tasks.json")); err == nil {
				var s scriptedTasks
				if err := json.Unmarshal(b, &s); err != nil {
					t.Fatal(err)
				}
				tasks = s
			}
			r := replayedRun(t, string(def), string(bytes.TrimSpace(input)), tasks, nil)
			var want struct {
				Events json.RawMessage `json:"events"`
			}
			b, _ := os.ReadFile(filepath.Join(dir, "history.json"))
			json.Unmarshal(b, &want)
			got, _ := json.Marshal(r.Events())
			var a, w any
			json.Unmarshal(got, &a)
			json.Unmarshal(want.Events, &w)
			if !reflect.DeepEqual(a, w) {
				t.Fatalf("history differs from the golden one:\n%s", types(r))
			}
		})
	}
}

// TestReplayCallbacksAndActivities rebuilds runs that wait for callbacks,
// heartbeats and activity workers, with random jitter and States.UUID:
// every answer reaches the rebuilt run.
func TestReplayCallbacksAndActivities(t *testing.T) {
	def := `{"StartAt":"Id","States":{
	"Id":{"Type":"Pass","Parameters":{"id.$":"States.UUID()","n.$":"States.MathRandom(1, 1000)"},"Next":"Cb"},
	"Cb":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","HeartbeatSeconds":60,
		"Parameters":{"t.$":"$$.Task.Token"},"ResultPath":"$.cb","Next":"Act"},
	"Act":{"Type":"Task","Resource":"arn:aws:states:us-east-1:123456789012:activity:A","TimeoutSeconds":600,
		"Retry":[{"ErrorEquals":["Boom"],"IntervalSeconds":2,"JitterStrategy":"FULL"}],"End":true}}}`
	tasks := interp.TaskRunnerFunc(func(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
		return interp.TaskResult{Pending: true, StartDeferred: true}
	})
	step := 0
	r := replayedRun(t, def, `{}`, tasks, func(r *interp.Run) bool {
		p := r.PendingTasks()
		if len(p) != 1 {
			return false
		}
		tok := p[0].Token
		step++
		switch step {
		case 1:
			if err := r.SendTaskHeartbeat(tok); err != nil {
				t.Fatal(err)
			}
		case 2:
			if err := r.SendTaskSuccess(tok, []byte(`{"ok":1}`)); err != nil {
				t.Fatal(err)
			}
		case 3:
			if p[0].Started || p[0].Request.StateName != "Act" {
				t.Fatalf("activity pending %+v", p[0])
			}
			if err := r.StartActivity(tok, "w1"); err != nil {
				t.Fatal(err)
			}
		case 4:
			if err := r.SendTaskFailure(tok, "Boom", "once"); err != nil {
				t.Fatal(err)
			}
		case 5:
			if err := r.StartActivity(tok, "w2"); err != nil {
				t.Fatal(err)
			}
		case 6:
			if err := r.SendTaskSuccess(tok, []byte(`"done"`)); err != nil {
				t.Fatal(err)
			}
		default:
			return false
		}
		return true
	})
	if r.Status() != interp.Succeeded || string(r.Output()) != `"done"` {
		t.Fatalf("status %v output %s\n%s", r.Status(), r.Output(), types(r))
	}
}

// TestReplayRejectsAForeignJournal: a damaged journal is an error, not a
// wrong run.
func TestReplayRejectsAForeignJournal(t *testing.T) {
	def, _ := asl.Parse([]byte(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":5,"End":true}}}`))
	prog, _ := interp.Compile(def)
	env := &interp.Env{Clock: interp.NewVirtualClock(epoch), IDs: &counterIDs{}, Journal: interp.NewJournal()}
	for _, j := range []string{"", "n12\n", `c["start"]` + "\nu1\n", `c["start"]` + "\nn1\n" + `c["teleport"]` + "\n"} {
		if _, err := prog.Replay(context.Background(), env, interp.Execution{Name: "e"}, []byte(j), nil); !errors.Is(err, interp.ErrBadJournal) {
			t.Errorf("journal %q: err %v, want ErrBadJournal", j, err)
		}
	}
}
