package sfn

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/interp"
)

// TestWakeIndexFiresEachTimerOnce parks many executions in Waits of
// different lengths on the service clock, stops some, and follows
// NextWake: every timer fires once, at its time, stopped executions never
// wake, and the index does not grow past its bound.
func TestWakeIndexFiresEachTimerOnce(t *testing.T) {
	ctx := context.Background()
	s := newTestService(Options{})
	clock := s.clock.(*interp.VirtualClock)
	def := `{"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.wait","Next":"P"},"P":{"Type":"Pass","End":true}}}`
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", def, ""))
	const n = 300
	wait := func(i int) int { return i*37%50 + 1 }
	stopped := func(i int) bool { return i%10 == 0 }
	times := map[int]bool{}
	for i := range n {
		mustInvoke(t, s, "StartExecution", fmt.Sprintf(`{"stateMachineArn":%q,"name":"e%d","input":"{\"wait\":%d}"}`, smARN, i, wait(i)))
		if !stopped(i) {
			times[wait(i)] = true
		}
	}
	for i := range n {
		if stopped(i) {
			mustInvoke(t, s, "StopExecution", fmt.Sprintf(`{"executionArn":"%se%d"}`, execPrefix, i))
		}
	}
	rounds := 0
	last := clock.Now()
	for {
		w, ok := s.NextWake()
		if !ok {
			break
		}
		if w.Before(last) {
			t.Fatalf("NextWake went back: %v after %v", w, last)
		}
		if !times[int(w.Sub(DefaultEpoch)/time.Second)] {
			t.Fatalf("NextWake = %v: no running execution waits until then", w)
		}
		clock.Set(w)
		last = w
		if err := s.Advance(ctx); err != nil {
			t.Fatal(err)
		}
		if len(s.wakes) > 2*len(s.live)+64 {
			t.Fatalf("index of %d entries for %d live runs", len(s.wakes), len(s.live))
		}
		if rounds++; rounds > len(times) {
			t.Fatalf("more wakes than distinct timers (%d)", len(times))
		}
	}
	if rounds != len(times) || len(s.live) != 0 {
		t.Fatalf("%d wakes for %d distinct timers; %d runs still live", rounds, len(times), len(s.live))
	}
	for i := range n {
		d := mustInvoke(t, s, "DescribeExecution", fmt.Sprintf(`{"executionArn":"%se%d"}`, execPrefix, i))
		want, stop := "SUCCEEDED", float64(DefaultEpoch.Unix()+int64(wait(i)))
		if stopped(i) {
			want, stop = "ABORTED", float64(DefaultEpoch.Unix())
		}
		if d["status"] != want || d["stopDate"] != stop {
			t.Fatalf("e%d: status %v stopDate %v, want %s at %v", i, d["status"], d["stopDate"], want, stop)
		}
	}
}

// TestWakeIndexDropsStoppedRuns stops most of many waiting executions:
// their entries leave the index (rebuilt once they outnumber the live
// runs) and the survivors still wake on time.
func TestWakeIndexDropsStoppedRuns(t *testing.T) {
	ctx := context.Background()
	s := newTestService(Options{})
	clock := s.clock.(*interp.VirtualClock)
	def := `{"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.wait","End":true}}}`
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", def, ""))
	start := func(name string, wait int) {
		mustInvoke(t, s, "StartExecution", fmt.Sprintf(`{"stateMachineArn":%q,"name":%q,"input":"{\"wait\":%d}"}`, smARN, name, wait))
	}
	for i := range 200 {
		start(fmt.Sprint("p", i), 100)
	}
	for i := 1; i < 200; i++ {
		mustInvoke(t, s, "StopExecution", fmt.Sprintf(`{"executionArn":"%sp%d"}`, execPrefix, i))
	}
	start("late", 200)
	start("soon", 5)
	if len(s.wakes) > 2*len(s.live)+64 {
		t.Fatalf("index of %d entries for %d live runs", len(s.wakes), len(s.live))
	}
	for _, want := range []struct {
		at     int
		status map[string]string
	}{
		{5, map[string]string{"soon": "SUCCEEDED", "p0": "RUNNING", "late": "RUNNING"}},
		{100, map[string]string{"p0": "SUCCEEDED", "late": "RUNNING"}},
		{200, map[string]string{"late": "SUCCEEDED"}},
	} {
		w, ok := s.NextWake()
		if !ok || !w.Equal(DefaultEpoch.Add(time.Duration(want.at)*time.Second)) {
			t.Fatalf("NextWake = %v, %v; want +%ds", w, ok, want.at)
		}
		clock.Set(w)
		if err := s.Advance(ctx); err != nil {
			t.Fatal(err)
		}
		for name, status := range want.status {
			if d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+execPrefix+name+`"}`); d["status"] != status {
				t.Fatalf("at +%ds %s is %v, want %s", want.at, name, d["status"], status)
			}
		}
	}
	if w, ok := s.NextWake(); ok {
		t.Fatalf("NextWake = %v after every timer fired", w)
	}
}
