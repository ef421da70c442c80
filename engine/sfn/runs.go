package sfn

import (
	"context"
	"slices"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/store"
)

// maxHistoryEvents is AWS's history limit for a STANDARD execution.
const maxHistoryEvents = 25000

// liveRun is an execution that has not ended: its interp.Run stays in
// memory, its record and events are written through to the store as they
// happen.
type liveRun struct {
	run *interp.Run
	// clock is the execution's own virtual clock; nil when it runs on the
	// service clock.
	clock     *interp.VirtualClock
	rec       *store.Execution
	persisted int  // events already appended to the store
	stored    bool // STANDARD: kept in the store; EXPRESS: memory only
	// paused: the run moves only when StepwiseStepExecution steps it
	// (debug.go); drive, Advance and NextWake leave it where it is.
	paused bool
	// traced: started by StepwiseStartExecution; the debugger keeps its
	// data flow when it ends (debug.go).
	traced bool
	// tasks serves the run's Task states (the router for its test case).
	tasks interp.TaskRunner
	// journal records the run for a durable store (durable.go); nil
	// otherwise. recDirty: the record changed since the last checkpoint.
	// unsaved and unsavedTokens are what a failed checkpoint did not
	// write.
	journal       *interp.Journal
	recDirty      bool
	unsaved       []byte
	unsavedTokens []string
}

// drive advances a run until it waits or ends. On its own virtual clock a
// timer fires at once: the clock jumps to the wake time and the run goes
// on, so an execution that only waits ends inside the call. A paused run
// is only synced: what reached it (a task result) is persisted, and it
// moves when stepped.
func (s *Service) drive(ctx context.Context, lr *liveRun) *Error {
	for !lr.paused {
		st := lr.run.Drive(ctx)
		if st != interp.WaitingTimer || lr.clock == nil {
			break
		}
		wake, before := lr.run.WakeAt(), lr.run.EventCount()
		lr.clock.Set(wake)
		lr.run.Step(ctx)
		// A run that neither records anything nor moves its wake time
		// after its timer fired would spin here forever.
		if lr.run.Status() == interp.WaitingTimer && lr.run.EventCount() == before && lr.run.WakeAt().Equal(wake) {
			break
		}
	}
	return s.sync(ctx, lr)
}

// sync writes the run's new events and, once it has ended, its result to
// the store, and forgets an ended run.
func (s *Service) sync(ctx context.Context, lr *liveRun) *Error {
	run := lr.run
	var fresh []string
	for _, t := range run.PendingTokens() {
		if s.noteToken(t, lr.rec.ARN) && lr.journal != nil {
			fresh = append(fresh, t)
		}
	}
	final := run.Status().Final()
	if final {
		delete(s.live, lr.rec.ARN)
		if lr.traced {
			s.debugRunEnded(lr)
		}
		lr.rec.Status = run.Status().String()
		lr.rec.StopDate = run.StopDate()
		if run.Status() == interp.Succeeded {
			lr.rec.Output = run.Output()
			if lr.rec.Output == nil {
				lr.rec.Output = []byte("{}")
			}
		}
		lr.rec.Error, lr.rec.Cause = run.Error()
		s.nestedRunEnded(lr)
	}
	if !lr.stored {
		return nil
	}
	if lr.journal != nil {
		if err := s.checkpoint(ctx, lr, fresh, final); err != nil {
			return err
		}
		return s.syncMapRuns(ctx, lr)
	}
	if n := run.EventCount(); n > lr.persisted {
		if err := s.st.AppendEvents(ctx, lr.rec.ARN, run.EventsSince(lr.persisted)); err != nil {
			return storeErr(err)
		}
		lr.persisted = n
	}
	if err := s.syncMapRuns(ctx, lr); err != nil {
		return err
	}
	if final {
		if err := s.st.PutExecution(ctx, lr.rec); err != nil {
			return storeErr(err)
		}
	}
	return nil
}

// NextWake returns the earliest time at which an execution on the service
// clock has something to do (a Wait, a retry interval, a timeout), and
// false when none waits on time. Hosts with a real clock call Advance once
// it has passed.
func (s *Service) NextWake() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var next time.Time
	for _, lr := range s.live {
		if lr.clock != nil || lr.paused {
			continue
		}
		if w := lr.run.WakeAt(); !w.IsZero() && (next.IsZero() || w.Before(next)) {
			next = w
		}
	}
	return next, !next.IsZero()
}

// Advance fires the timers that are due on the service clock: every
// execution whose wake time has passed steps on until it waits again or
// ends. It returns the first store failure as an *Error.
func (s *Service) Advance(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if s.onDemand() {
		// nothing is in memory: load the runs whose timers are due
		running, err := s.durable.Running(ctx)
		if err != nil {
			return storeErr(err)
		}
		for _, r := range running {
			if !r.WakeAt.IsZero() && !r.WakeAt.After(now) && s.live[r.ARN] == nil {
				s.loadRun(ctx, r.ARN)
			}
		}
	}
	arns := make([]string, 0, len(s.live))
	for arn, lr := range s.live {
		if w := lr.run.WakeAt(); lr.clock == nil && !lr.paused && !w.IsZero() && !w.After(now) {
			arns = append(arns, arn)
		}
	}
	// A fixed order keeps runs that wake together deterministic.
	slices.Sort(arns)
	var first error
	for _, arn := range arns {
		lr := s.live[arn]
		lr.run.Step(ctx)
		if err := s.drive(ctx, lr); err != nil && first == nil {
			first = err
		}
	}
	s.drainLater(ctx)
	return first
}

// execution finds an execution for the operations that take its ARN:
// STANDARD executions only (express ones are not kept, as on AWS).
func (s *Service) execution(ctx context.Context, arn string) (*store.Execution, *Error) {
	if _, err := parseARN(arn, "execution"); err != nil {
		return nil, err
	}
	e, err := s.st.Execution(ctx, arn)
	if err != nil {
		return nil, missingAs(err, executionDoesNotExist(arn))
	}
	return e, nil
}

// withoutData returns event details without their input and output, for
// GetExecutionHistory with includeExecutionData false and for logs that
// exclude execution data.
func withoutData(d any) any {
	switch x := d.(type) {
	case *history.ExecutionStartedDetails:
		c := *x
		c.Input, c.InputDetails = nil, nil
		return &c
	case *history.OutputDetails:
		c := *x
		c.Output, c.OutputDetails = nil, nil
		return &c
	case *history.StateEnteredDetails:
		c := *x
		c.Input, c.InputDetails = nil, nil
		return &c
	case *history.StateExitedDetails:
		c := *x
		c.Output, c.OutputDetails = nil, nil
		return &c
	case *history.TaskDetails:
		c := *x
		c.Output, c.OutputDetails = nil, nil
		return &c
	case *history.LambdaFunctionScheduledDetails:
		c := *x
		c.Input, c.InputDetails = nil, nil
		return &c
	case *history.ActivityScheduledDetails:
		c := *x
		c.Input, c.InputDetails = nil, nil
		return &c
	}
	return d
}
