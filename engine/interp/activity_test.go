package interp_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/interp"
)

// TestStartActivity: a runner that defers the start leaves the task
// scheduled, untimed and closed to SendTask* until StartActivity.
func TestStartActivity(t *testing.T) {
	var token string
	deferred := interp.TaskRunnerFunc(func(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
		token = req.Token
		return interp.TaskResult{Pending: true, StartDeferred: true}
	})
	def := `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:us-east-1:123456789012:activity:act",` +
		`"TimeoutSeconds":30,"HeartbeatSeconds":5,"End":true}}}`
	r, clock := start(t, def, `{}`, 0, deferred)
	ctx := context.Background()
	if st := r.Drive(ctx); st != interp.WaitingTask || !r.WakeAt().IsZero() {
		t.Fatalf("before the start: %v, wake %v", st, r.WakeAt())
	}
	if got := types(r); got != "1<0:ExecutionStarted 2<0:TaskStateEntered 3<2:ActivityScheduled" {
		t.Fatalf("history %s", got)
	}
	if err := r.SendTaskSuccess(token, []byte(`{}`)); !errors.Is(err, interp.ErrTaskDoesNotExist) {
		t.Fatalf("SendTaskSuccess before the start: %v", err)
	}
	if err := r.StartActivity("other", "w"); !errors.Is(err, interp.ErrTaskDoesNotExist) {
		t.Fatalf("StartActivity with an unknown token: %v", err)
	}
	clock.Advance(time.Minute)
	if err := r.StartActivity(token, "w"); err != nil {
		t.Fatal(err)
	}
	if err := r.StartActivity(token, "w"); !errors.Is(err, interp.ErrTaskDoesNotExist) {
		t.Fatalf("second StartActivity: %v", err)
	}
	if w := r.WakeAt(); !w.Equal(epoch.Add(time.Minute + 5*time.Second)) {
		t.Fatalf("heartbeat deadline %v", w)
	}
	events := r.Events()
	if e := events[3]; e.Type != history.ActivityStarted || e.PreviousEventID != 3 ||
		e.Details.(*history.ActivityStartedDetails).WorkerName != "w" || !e.Timestamp.Equal(epoch.Add(time.Minute)) {
		t.Fatalf("ActivityStarted = %+v", e)
	}
	if err := r.SendTaskSuccess(token, []byte(`{"ok":1}`)); err != nil {
		t.Fatal(err)
	}
	if st := r.Drive(ctx); st != interp.Succeeded {
		t.Fatalf("status %v", st)
	}
	if err := r.StartActivity(token, "w"); !errors.Is(err, interp.ErrRunFinished) {
		t.Fatalf("StartActivity after the end: %v", err)
	}
}

// TestStartActivityOnlyForActivities: StartDeferred is ignored for other
// resources, and StartActivity refuses their tasks.
func TestStartActivityOnlyForActivities(t *testing.T) {
	var token string
	deferred := interp.TaskRunnerFunc(func(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
		token = req.Token
		return interp.TaskResult{Pending: true, StartDeferred: true}
	})
	def := `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}}}`
	r, _ := start(t, def, `{}`, 0, deferred)
	r.Drive(context.Background())
	if got := types(r); got != "1<0:ExecutionStarted 2<0:TaskStateEntered 3<2:TaskScheduled 4<3:TaskStarted 5<4:TaskSubmitted" {
		t.Fatalf("history %s", got)
	}
	if err := r.StartActivity(token, "w"); !errors.Is(err, interp.ErrTaskDoesNotExist) {
		t.Fatalf("StartActivity of a callback task: %v", err)
	}
	if err := r.SendTaskSuccess(token, []byte(`{}`)); err != nil {
		t.Fatalf("SendTaskSuccess: %v", err)
	}
}
