package mem

import (
	"context"
	"errors"
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/store"
)

func TestVersions(t *testing.T) {
	ctx := context.Background()
	s := New()
	if _, err := s.StateMachineVersion(ctx, "arn:m:1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing version: err = %v, want ErrNotFound", err)
	}
	for _, n := range []int{1, 3, 2} {
		v := &store.StateMachineVersion{ARN: "arn:m:" + string(rune('0'+n)), StateMachineARN: "arn:m", Number: n,
			Logging: store.LoggingConfiguration{LogGroupARNs: []string{"g"}}}
		if err := s.PutStateMachineVersion(ctx, v); err != nil {
			t.Fatal(err)
		}
		v.Logging.LogGroupARNs[0] = "changed" // the store keeps its own copy
	}
	if err := s.PutStateMachineVersion(ctx, &store.StateMachineVersion{ARN: "arn:other:1", StateMachineARN: "arn:other", Number: 1}); err != nil {
		t.Fatal(err)
	}
	got, err := s.StateMachineVersion(ctx, "arn:m:2")
	if err != nil || got.Number != 2 || got.Logging.LogGroupARNs[0] != "g" {
		t.Fatalf("StateMachineVersion = %+v, %v", got, err)
	}
	all, _ := s.StateMachineVersions(ctx, "arn:m")
	if len(all) != 3 || all[0].Number != 3 || all[1].Number != 2 || all[2].Number != 1 {
		t.Fatalf("StateMachineVersions order: %+v", all)
	}
	for range 2 {
		if err := s.DeleteStateMachineVersion(ctx, "arn:m:3"); err != nil {
			t.Fatal(err)
		}
	}
	if all, _ = s.StateMachineVersions(ctx, "arn:m"); len(all) != 2 {
		t.Fatalf("after delete: %+v", all)
	}
}

func TestAliases(t *testing.T) {
	ctx := context.Background()
	s := New()
	if _, err := s.StateMachineAlias(ctx, "arn:m:a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing alias: err = %v, want ErrNotFound", err)
	}
	a := &store.StateMachineAlias{ARN: "arn:m:b", StateMachineARN: "arn:m", Name: "b",
		Routing: []store.RoutingRule{{VersionARN: "arn:m:1", Weight: 100}}}
	if err := s.PutStateMachineAlias(ctx, a); err != nil {
		t.Fatal(err)
	}
	a.Routing[0].Weight = 1 // the store keeps its own copy
	if err := s.PutStateMachineAlias(ctx, &store.StateMachineAlias{ARN: "arn:m:a", StateMachineARN: "arn:m", Name: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutStateMachineAlias(ctx, &store.StateMachineAlias{ARN: "arn:n:a", StateMachineARN: "arn:n", Name: "a"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.StateMachineAlias(ctx, "arn:m:b")
	if err != nil || got.Routing[0].Weight != 100 {
		t.Fatalf("StateMachineAlias = %+v, %v", got, err)
	}
	all, _ := s.StateMachineAliases(ctx, "arn:m")
	if len(all) != 2 || all[0].Name != "a" || all[1].Name != "b" {
		t.Fatalf("StateMachineAliases order: %+v", all)
	}
	for range 2 {
		if err := s.DeleteStateMachineAlias(ctx, "arn:m:a"); err != nil {
			t.Fatal(err)
		}
	}
	if all, _ = s.StateMachineAliases(ctx, "arn:m"); len(all) != 1 {
		t.Fatalf("after delete: %+v", all)
	}
}
