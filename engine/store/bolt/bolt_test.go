//go:build !js

package bolt_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/sfn"
	"github.com/stepwise-sfn/stepwise/engine/store"
	"github.com/stepwise-sfn/stepwise/engine/store/bolt"
	"github.com/stepwise-sfn/stepwise/engine/store/mem"
)

var t0 = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

func open(t *testing.T, path string) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRecordsSurviveReopening writes every kind of record, closes the
// file, opens it again and reads them back as written, in the orders the
// listings promise (the same as store/mem's).
func TestRecordsSurviveReopening(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "stepwise.db")
	s := open(t, path)
	machine := "arn:aws:states:us-east-1:123456789012:stateMachine:m"
	s.PutStateMachine(ctx, &store.StateMachine{ARN: machine, Name: "m", Definition: "{}", CreationDate: t0, Tags: []store.Tag{{Key: "k", Value: "v"}}})
	for i, name := range []string{"a", "b", "c"} {
		start := t0
		if i == 2 {
			start = t0.Add(time.Second)
		}
		if err := s.PutExecution(ctx, &store.Execution{ARN: machine[:len(machine)-16] + "execution:m:" + name,
			StateMachineARN: machine, Name: name, Status: "RUNNING", StartDate: start, Input: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	exec := machine[:len(machine)-16] + "execution:m:a"
	var events []history.Event
	for i := int64(1); i <= 5; i++ {
		events = append(events, history.Event{ID: i, PreviousEventID: i - 1, Timestamp: t0, Type: history.PassStateEntered,
			Details: &history.StateEnteredDetails{Name: fmt.Sprint("S", i), Input: history.Payload("{}"), InputDetails: history.NotTruncated()}})
	}
	if err := s.AppendEvents(ctx, exec, events[:2]); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx, &store.Checkpoint{ExecutionARN: exec, Events: events[2:], Journal: []byte("c[\"start\"]\n"),
		WakeAt: t0.Add(time.Hour), Tokens: []string{"tok"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx, &store.Checkpoint{ExecutionARN: exec, Journal: []byte("n1\n")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx, &store.Checkpoint{ExecutionARN: "arn:nope"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("checkpoint of no execution: %v", err)
	}
	s.PutActivity(ctx, &store.Activity{ARN: "arn:act:b", Name: "b"})
	s.PutActivity(ctx, &store.Activity{ARN: "arn:act:a", Name: "a"})
	s.PutStateMachineVersion(ctx, &store.StateMachineVersion{ARN: machine + ":1", StateMachineARN: machine, Number: 1})
	s.PutStateMachineVersion(ctx, &store.StateMachineVersion{ARN: machine + ":2", StateMachineARN: machine, Number: 2})
	s.PutStateMachineAlias(ctx, &store.StateMachineAlias{ARN: machine + ":live", StateMachineARN: machine, Name: "live"})
	s.PutMapRun(ctx, &store.MapRun{ARN: "arn:maprun:1", ExecutionARN: exec, StartDate: t0})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, path)
	defer s.Close()
	m, err := s.StateMachine(ctx, machine)
	if err != nil || m.Name != "m" || !m.CreationDate.Equal(t0) || len(m.Tags) != 1 {
		t.Fatalf("machine %+v %v", m, err)
	}
	if _, err := s.StateMachine(ctx, machine+"x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing machine: %v", err)
	}
	xs, _ := s.Executions(ctx, machine)
	var names []string
	for _, x := range xs {
		names = append(names, x.Name)
	}
	if fmt.Sprint(names) != "[c b a]" {
		t.Fatalf("executions %v, want newest first, later creation first on ties", names)
	}
	got, total, err := s.Events(ctx, exec, 1, 3)
	if err != nil || total != 5 || len(got) != 3 || got[0].ID != 2 || got[2].ID != 4 {
		t.Fatalf("events %v total %d err %v", got, total, err)
	}
	if d, ok := got[0].Details.(*history.StateEnteredDetails); !ok || d.Name != "S2" {
		t.Fatalf("details %#v", got[0].Details)
	}
	if j, err := s.Journal(ctx, exec); err != nil || string(j) != "c[\"start\"]\nn1\n" {
		t.Fatalf("journal %q %v", j, err)
	}
	if r, _ := s.Running(ctx); len(r) != 1 || r[0].ARN != exec || !r[0].WakeAt.IsZero() {
		// the last checkpoint had no timer
		t.Fatalf("running %+v", r)
	}
	if arn, err := s.TokenExecution(ctx, "tok"); err != nil || arn != exec {
		t.Fatalf("token: %q %v", arn, err)
	}
	acts, _ := s.Activities(ctx)
	if len(acts) != 2 || acts[0].Name != "a" {
		t.Fatalf("activities %+v", acts)
	}
	vs, _ := s.StateMachineVersions(ctx, machine)
	if len(vs) != 2 || vs[0].Number != 2 {
		t.Fatalf("versions %+v", vs)
	}
	s.DeleteStateMachineVersion(ctx, machine+":2")
	if vs, _ = s.StateMachineVersions(ctx, machine); len(vs) != 1 {
		t.Fatalf("versions after delete %+v", vs)
	}
	if as, _ := s.StateMachineAliases(ctx, machine); len(as) != 1 || as[0].Name != "live" {
		t.Fatalf("aliases %+v", as)
	}
	if mrs, _ := s.MapRuns(ctx, exec); len(mrs) != 1 {
		t.Fatalf("map runs %+v", mrs)
	}

	// the end of the execution drops its journal and its place
	done := *xs[2]
	done.Status = "SUCCEEDED"
	if err := s.Checkpoint(ctx, &store.Checkpoint{ExecutionARN: exec, Execution: &done}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Journal(ctx, exec); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("journal after the end: %v", err)
	}
	if r, _ := s.Running(ctx); len(r) != 0 {
		t.Fatalf("running after the end: %+v", r)
	}
}

// TestOpenTwiceFails: a second process cannot open a file in use.
func TestOpenTwiceFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stepwise.db")
	s := open(t, path)
	defer s.Close()
	if _, err := bolt.Open(path, bolt.Options{}); err == nil {
		t.Fatal("opened a file another store holds")
	}
}

type ids struct{ n int }

func (c *ids) UUID() string { c.n++; return fmt.Sprintf("00000000-0000-4000-8000-%012d", c.n) }

// TestServiceResumesFromTheFile: executions waiting on a timer and on a
// callback survive closing the file; a new Service resumes them and they
// end with the history an uninterrupted run has.
func TestServiceResumesFromTheFile(t *testing.T) {
	ctx := context.Background()
	def, _ := json.Marshal(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"Next":"Ask"},
		"Ask":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
			"Parameters":{"FunctionName":"f","Payload":{"token.$":"$$.Task.Token"}},"End":true}}}`)
	mocks := []byte(`{"StateMachines":{"m":{"TestCases":{"T":{"Ask":"Sent"}}}},
		"MockedResponses":{"Sent":{"0":{"Submitted":{"StatusCode":200},"Pending":true}}}}`)
	exec := "arn:aws:states:us-east-1:123456789012:execution:m:e"
	// scenario runs the execution; restart, if set, closes the store and
	// opens it again between operations, and a new Service resumes.
	scenario := func(st store.Store, restart func() store.Store) []byte {
		clock := interp.NewVirtualClock(t0)
		id := &ids{}
		svc := func(st store.Store) *sfn.Service {
			s := sfn.New(sfn.Options{Store: st, Clock: clock, IDs: id})
			s.SetMockConfig(mocks)
			if err := s.Resume(ctx); err != nil {
				t.Fatal(err)
			}
			return s
		}
		s := svc(st)
		again := func() {
			if restart != nil {
				s = svc(restart())
			}
		}
		call := func(op, body string) []byte {
			out, err := s.Invoke(ctx, op, []byte(body))
			if err != nil {
				t.Fatalf("%s: %v", op, err)
			}
			return out
		}
		call("CreateStateMachine", `{"name":"m","definition":`+string(def)+`,"roleArn":"arn:aws:iam::123456789012:role/r"}`)
		call("StartExecution", `{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:m#T","name":"e"}`)
		again()
		clock.Advance(time.Minute)
		s.Advance(ctx)
		again()
		var h struct {
			Events []struct {
				TaskScheduledEventDetails *struct{ Parameters string }
			}
		}
		json.Unmarshal(call("GetExecutionHistory", `{"executionArn":"`+exec+`"}`), &h)
		token := ""
		for _, e := range h.Events {
			if d := e.TaskScheduledEventDetails; d != nil {
				var p struct{ Payload struct{ Token string } }
				json.Unmarshal([]byte(d.Parameters), &p)
				token = p.Payload.Token
			}
		}
		call("SendTaskSuccess", `{"taskToken":"`+token+`","output":"{\"ok\":true}"}`)
		again()
		return call("GetExecutionHistory", `{"executionArn":"`+exec+`"}`)
	}
	want := scenario(mem.New(), nil)
	path := filepath.Join(t.TempDir(), "stepwise.db")
	cur := open(t, path)
	got := scenario(cur, func() store.Store {
		cur.Close()
		cur = open(t, path)
		return cur
	})
	defer cur.Close()
	var a, b any
	json.Unmarshal(want, &a)
	json.Unmarshal(got, &b)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("history after restarts:\n%s\nwant\n%s", got, want)
	}
	var h struct{ Events []struct{ Type string } }
	json.Unmarshal(got, &h)
	if n := len(h.Events); n == 0 || h.Events[n-1].Type != "ExecutionSucceeded" {
		t.Fatalf("the execution did not finish: %s", got)
	}
}

// BenchmarkStartExecution starts and describes executions of a one-state
// machine through sfn on the store, synced and not, one client at a time
// and 32 at once (which share commits).
func BenchmarkStartExecution(b *testing.B) {
	for _, c := range []struct {
		noSync  bool
		clients int
	}{{false, 1}, {false, 32}, {true, 1}, {true, 32}} {
		b.Run(fmt.Sprintf("nosync=%v/clients=%d", c.noSync, c.clients), func(b *testing.B) {
			noSync := c.noSync
			ctx := context.Background()
			st, err := bolt.Open(filepath.Join(b.TempDir(), "s.db"), bolt.Options{NoSync: noSync})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			s := sfn.New(sfn.Options{Store: st})
			s.Invoke(ctx, "CreateStateMachine", []byte(`{"name":"m","definition":"{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}","roleArn":"arn:aws:iam::123456789012:role/r"}`))
			b.ResetTimer()
			b.SetParallelism(c.clients)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					out, err := s.Invoke(ctx, "StartExecution", []byte(`{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:m"}`))
					if err != nil {
						b.Error(err)
						return
					}
					var o struct{ ExecutionArn string }
					json.Unmarshal(out, &o)
					if _, err := s.Invoke(ctx, "DescribeExecution", []byte(`{"executionArn":"`+o.ExecutionArn+`"}`)); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
