package mem

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/store"
)

func TestStateMachines(t *testing.T) {
	ctx := context.Background()
	s := New()
	if _, err := s.StateMachine(ctx, "arn:x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing machine: err = %v, want ErrNotFound", err)
	}
	m := &store.StateMachine{ARN: "arn:b", Name: "b", Tags: []store.Tag{{Key: "k", Value: "v"}}}
	if err := s.PutStateMachine(ctx, m); err != nil {
		t.Fatal(err)
	}
	m.Tags[0].Value = "changed" // the store keeps its own copy
	if err := s.PutStateMachine(ctx, &store.StateMachine{ARN: "arn:a", Name: "a"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.StateMachine(ctx, "arn:b")
	if err != nil || got.Tags[0].Value != "v" {
		t.Fatalf("StateMachine = %+v, %v; want the stored copy", got, err)
	}
	all, _ := s.StateMachines(ctx)
	if len(all) != 2 || all[0].ARN != "arn:a" || all[1].ARN != "arn:b" {
		t.Fatalf("StateMachines order: %+v", all)
	}
	if err := s.DeleteStateMachine(ctx, "arn:a"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteStateMachine(ctx, "arn:a"); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	if all, _ := s.StateMachines(ctx); len(all) != 1 {
		t.Fatalf("after delete: %d machines", len(all))
	}
}

func TestExecutionsAndEvents(t *testing.T) {
	ctx := context.Background()
	s := New()
	t0 := time.Unix(1700000000, 0)
	for i, name := range []string{"e1", "e2", "e3"} {
		start := t0.Add(time.Duration(i) * time.Second)
		if name == "e3" {
			start = t0 // same start as e1: creation order breaks the tie
		}
		if err := s.PutExecution(ctx, &store.Execution{ARN: "arn:" + name, StateMachineARN: "arn:sm", StartDate: start, Status: "RUNNING"}); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.PutExecution(ctx, &store.Execution{ARN: "arn:other", StateMachineARN: "arn:sm2"})
	list, _ := s.Executions(ctx, "arn:sm")
	var names []string
	for _, e := range list {
		names = append(names, e.ARN)
	}
	if want := "arn:e2 arn:e3 arn:e1"; join(names) != want {
		t.Fatalf("Executions order = %s, want %s", join(names), want)
	}
	if err := s.AppendEvents(ctx, "arn:nope", nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("AppendEvents to a missing execution: %v", err)
	}
	var evs []history.Event
	for i := int64(1); i <= 5; i++ {
		evs = append(evs, history.Event{ID: i, Type: history.PassStateEntered})
	}
	if err := s.AppendEvents(ctx, "arn:e1", evs[:2]); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendEvents(ctx, "arn:e1", evs[2:]); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		offset, limit int
		first, n      int
	}{
		{0, 0, 1, 5}, {0, 2, 1, 2}, {3, 10, 4, 2}, {5, 1, 0, 0}, {9, 1, 0, 0}, {-1, 1, 1, 1},
	}
	for _, tt := range tests {
		got, total, err := s.Events(ctx, "arn:e1", tt.offset, tt.limit)
		if err != nil || total != 5 || len(got) != tt.n || (tt.n > 0 && got[0].ID != int64(tt.first)) {
			t.Errorf("Events(%d, %d) = %d events (first %v), total %d, %v", tt.offset, tt.limit, len(got), got, total, err)
		}
	}
	e, _ := s.Execution(ctx, "arn:e1")
	e.Status = "SUCCEEDED"
	_ = s.PutExecution(ctx, e)
	if e2, _ := s.Execution(ctx, "arn:e1"); e2.Status != "SUCCEEDED" {
		t.Fatalf("update lost: %+v", e2)
	}
	if _, total, _ := s.Events(ctx, "arn:e1", 0, 0); total != 5 {
		t.Fatalf("events lost on update: %d", total)
	}
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

func TestActivities(t *testing.T) {
	ctx := context.Background()
	s := New()
	if _, err := s.Activity(ctx, "arn:x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing activity: err = %v, want ErrNotFound", err)
	}
	a := &store.Activity{ARN: "arn:b", Name: "b", Tags: []store.Tag{{Key: "k", Value: "v"}},
		Encryption: &store.EncryptionConfiguration{Type: "AWS_OWNED_KEY"}}
	if err := s.PutActivity(ctx, a); err != nil {
		t.Fatal(err)
	}
	a.Tags[0].Value = "changed" // the store keeps its own copy
	a.Encryption.Type = "changed"
	if err := s.PutActivity(ctx, &store.Activity{ARN: "arn:a", Name: "a"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Activity(ctx, "arn:b")
	if err != nil || got.Tags[0].Value != "v" || got.Encryption.Type != "AWS_OWNED_KEY" {
		t.Fatalf("Activity = %+v, %v; want the stored copy", got, err)
	}
	got.Tags[0].Value = "changed" // and hands out copies
	if again, _ := s.Activity(ctx, "arn:b"); again.Tags[0].Value != "v" {
		t.Fatalf("returned activity shares the stored tags")
	}
	all, _ := s.Activities(ctx)
	if len(all) != 2 || all[0].ARN != "arn:a" || all[1].ARN != "arn:b" {
		t.Fatalf("Activities order: %+v", all)
	}
	if err := s.DeleteActivity(ctx, "arn:a"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteActivity(ctx, "arn:a"); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	if all, _ := s.Activities(ctx); len(all) != 1 {
		t.Fatalf("after delete: %d activities", len(all))
	}
}
