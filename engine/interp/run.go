package interp

import (
	"context"
	"errors"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/asl"
	"github.com/stepwise-sfn/stepwise/engine/history"
)

// Errors of the SendTask* methods; sfn maps them to API errors.
var (
	// ErrTaskDoesNotExist: the token names no task this run waits for.
	ErrTaskDoesNotExist = errors.New("task does not exist")
	// ErrRunFinished: the run has ended.
	ErrRunFinished = errors.New("execution has ended")
)

// Program is a compiled state machine. It is immutable and safe to share
// between goroutines and executions.
type Program struct {
	def *asl.Definition
}

// Compile prepares a parsed definition for running.
func Compile(def *asl.Definition) (*Program, error) {
	return &Program{def: def}, nil
}

// Definition returns the definition the Program was compiled from.
func (p *Program) Definition() *asl.Definition { return p.def }

// Run is one execution of a Program: all its mutable state. A Run is not
// safe for concurrent use; its host serialises calls.
type Run struct {
	prog           *Program
	env            *Env
	ex             Execution
	status         Status
	events         []history.Event
	output         []byte
	errName, cause string
	start, stop    time.Time
	wake           time.Time
}

// Start begins an execution: it records ExecutionStarted and returns the
// Run, which has not taken a step yet.
func (p *Program) Start(ctx context.Context, env *Env, ex Execution) *Run {
	return &Run{prog: p, env: env, ex: ex}
}

// Step advances the run by one transition and returns its status.
func (r *Run) Step(ctx context.Context) Status { return r.status }

// Drive steps the run while it is Running and returns the first other
// status.
func (r *Run) Drive(ctx context.Context) Status {
	for r.status == Running {
		r.Step(ctx)
	}
	return r.status
}

// Status returns the run's current status.
func (r *Run) Status() Status { return r.status }

// WakeAt returns the time at which the run has something to do although
// nothing arrives (a Wait, a retry interval, a task or execution timeout);
// zero when there is none.
func (r *Run) WakeAt() time.Time { return r.wake }

// PendingTokens returns the tokens of the tasks the run waits for.
func (r *Run) PendingTokens() []string { return nil }

// Events returns the history so far. The slice must not be modified.
func (r *Run) Events() []history.Event { return r.events }

// Execution returns the identity the run was started with.
func (r *Run) Execution() Execution { return r.ex }

// Output returns the execution's output once it Succeeded.
func (r *Run) Output() []byte { return r.output }

// Error returns the error and cause of a Failed, TimedOut or Aborted run.
func (r *Run) Error() (name, cause string) { return r.errName, r.cause }

// StartDate returns when the execution started.
func (r *Run) StartDate() time.Time { return r.start }

// StopDate returns when the execution ended (zero while it runs).
func (r *Run) StopDate() time.Time { return r.stop }

// SendTaskSuccess completes the pending task with the token.
func (r *Run) SendTaskSuccess(token string, output []byte) error { return ErrTaskDoesNotExist }

// SendTaskFailure fails the pending task with the token.
func (r *Run) SendTaskFailure(token, errName, cause string) error { return ErrTaskDoesNotExist }

// SendTaskHeartbeat records a heartbeat for the pending task.
func (r *Run) SendTaskHeartbeat(token string) error { return ErrTaskDoesNotExist }

// Stop aborts the run (StopExecution) with the optional error and cause.
func (r *Run) Stop(errName, cause string) {}
