package sfn

import (
	"context"
	"strconv"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/asl"
	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/store"
)

// The debugger's operations, Stepwise extensions of the API: start an
// execution paused, step it one transition (one interp.Run.Step) at a
// time or until it enters a state, and read the data flow of every state
// visit.
func init() {
	operations["StepwiseStartExecution"] = (*Service).stepwiseStartExecution
	operations["StepwiseStepExecution"] = (*Service).stepwiseStepExecution
	operations["StepwiseGetDataFlow"] = (*Service).stepwiseGetDataFlow
}

// maxSteps bounds the transitions of one StepwiseStepExecution call.
const maxSteps = 100000

// maxDebugRuns bounds the executions a Service keeps for
// StepwiseGetDataFlow once they have ended; the oldest go first.
const maxDebugRuns = 1000

// StepwiseStartExecutionInput is the StepwiseStartExecution request: a
// StartExecution request plus Paused.
type StepwiseStartExecutionInput struct {
	StartExecutionInput
	// Paused: the execution records ExecutionStarted and takes no step
	// until StepwiseStepExecution steps it.
	Paused bool `json:"paused"`
}

// StepwiseStepExecutionInput is the StepwiseStepExecution request.
type StepwiseStepExecutionInput struct {
	ExecutionARN *string `json:"executionArn"`
	// Steps is the most transitions to take: 1 to 100000; absent, 1, or
	// 100000 when UntilState is given.
	Steps *int `json:"steps"`
	// UntilState stops stepping once the execution enters the state of
	// that name (anywhere in the machine: a branch, a Map's processor).
	UntilState *string `json:"untilState"`
}

// StepwiseStepExecutionOutput is the StepwiseStepExecution response.
type StepwiseStepExecutionOutput struct {
	Status     string `json:"status"` // ExecutionStatus: RUNNING, SUCCEEDED ...
	EventCount int    `json:"eventCount"`
	// Clock is the execution's clock in epoch seconds (the time it
	// stopped, once it has ended).
	Clock float64 `json:"clock"`
	// Waiting is "task" while it waits for a task result, "timer" while
	// it waits for the clock (a service clock that has not reached the
	// wake time), "" otherwise.
	Waiting string `json:"waiting"`
}

// StepwiseGetDataFlowInput is the StepwiseGetDataFlow request.
type StepwiseGetDataFlowInput struct {
	ExecutionARN *string `json:"executionArn"`
}

// StepwiseGetDataFlowOutput is the StepwiseGetDataFlow response: one step
// per state visit, in the order the states were entered.
type StepwiseGetDataFlowOutput struct {
	Steps []DataFlowStep `json:"steps"`
}

// DataFlowStep is the data flow of one state visit (see interp.DataFlow).
// Every value is a JSON text; a stage that did not run is absent.
type DataFlowStep struct {
	StateName           string  `json:"stateName"`
	StateType           string  `json:"stateType"`
	EnteredEventID      int64   `json:"enteredEventId"`
	ExitedEventID       int64   `json:"exitedEventId"` // 0 while running or when the state failed
	Input               *string `json:"input,omitempty"`
	AfterInputPath      *string `json:"afterInputPath,omitempty"`
	AfterParameters     *string `json:"afterParameters,omitempty"`
	Result              *string `json:"result,omitempty"`
	AfterResultSelector *string `json:"afterResultSelector,omitempty"`
	AfterResultPath     *string `json:"afterResultPath,omitempty"`
	Output              *string `json:"output,omitempty"`
	Variables           *string `json:"variables,omitempty"`
	// Error and Cause are the failure the state raised (caught, retried or
	// fatal), absent when it raised none.
	Error *string `json:"error,omitempty"`
	Cause *string `json:"cause,omitempty"`
}

// stepwiseStartExecution starts an execution as StartExecution does, with
// its data flow recorded, and paused if asked. An idempotent repeat of a
// running execution answers as StartExecution and changes nothing.
func (s *Service) stepwiseStartExecution(ctx context.Context, body []byte) (any, *Error) {
	var in struct {
		Paused *bool `json:"paused"`
	}
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	paused := in.Paused != nil && *in.Paused
	lr, rec, err := s.startWith(ctx, body, false, startOptions{paused: paused, trace: true})
	if err != nil {
		return nil, err
	}
	if lr != nil {
		s.keepDebugRun(lr)
	}
	return StartExecutionOutput{ExecutionARN: rec.ARN, StartDate: Timestamp(rec.StartDate)}, nil
}

// stepwiseStepExecution steps an execution. A running execution that was
// not started paused is paused by its first step: from then on only
// stepping moves it. On the execution's own virtual clock, a step of a run
// waiting for a timer first moves the clock to the wake time. Stepping
// stops early when the run ends, enters UntilState, or can do nothing
// before a task result arrives or the service clock moves. Stepping an
// ended execution returns its status.
func (s *Service) stepwiseStepExecution(ctx context.Context, body []byte) (any, *Error) {
	var in StepwiseStepExecutionInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.ExecutionARN, "executionArn", 1, 256)
	steps := 1
	if in.UntilState != nil {
		v.length(*in.UntilState, "untilState", 1, 80)
		steps = maxSteps
	}
	if in.Steps != nil {
		steps = *in.Steps
		if steps < 1 {
			v.add(strconv.Itoa(steps), "steps", "Member must have value greater than or equal to 1")
		} else if steps > maxSteps {
			v.add(strconv.Itoa(steps), "steps", "Member must have value less than or equal to 100000")
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	lr, ended, rec, err := s.debugExecution(ctx, *in.ExecutionARN)
	if err != nil {
		return nil, err
	}
	switch {
	case ended != nil:
		return StepwiseStepExecutionOutput{Status: ended.status, EventCount: ended.eventCount, Clock: epochSeconds(ended.clock)}, nil
	case lr == nil:
		return s.storedStatus(ctx, rec)
	}
	until := ""
	if in.UntilState != nil {
		until = *in.UntilState
		prog, err := s.program(lr.rec.Definition)
		if err != nil {
			return nil, err
		}
		if !hasState(&prog.Definition().StateMachine, until) {
			return nil, errorf(CodeValidation, "Invalid untilState: the state machine has no state named '%s'", until)
		}
	}
	if !lr.run.Status().Final() {
		lr.paused = true
	}
	if err := s.step(ctx, lr, steps, until); err != nil {
		return nil, err
	}
	return s.stepStatus(lr), nil
}

// step takes up to n transitions of a paused run, persisting the events
// of each.
func (s *Service) step(ctx context.Context, lr *liveRun, n int, until string) *Error {
	run := lr.run
	for i := 0; i < n && !run.Status().Final() && ctx.Err() == nil; i++ {
		if st := run.Status(); st == interp.WaitingTimer || st == interp.WaitingTask {
			wake := run.WakeAt()
			if st == interp.WaitingTimer && lr.clock != nil && !wake.IsZero() {
				// as drive does: on virtual time a timer fires when the
				// run is stepped
				lr.clock.Set(wake)
			}
			if wake.IsZero() || wake.After(s.runClock(lr).Now()) {
				break // nothing can happen before a task result or the service clock
			}
		}
		before := run.EventCount()
		run.Step(ctx)
		if err := s.sync(ctx, lr); err != nil {
			return err
		}
		if until != "" && entered(run.EventsSince(before), until) {
			break
		}
	}
	return nil
}

// entered reports whether evs hold the StateEntered event of state name.
func entered(evs []history.Event, name string) bool {
	for _, e := range evs {
		if d, ok := e.Details.(*history.StateEnteredDetails); ok && d.Name == name {
			return true
		}
	}
	return false
}

// hasState reports whether a state of that name is anywhere in sm.
func hasState(sm *asl.StateMachine, name string) bool {
	if sm == nil {
		return false
	}
	for n, st := range sm.States {
		if n == name {
			return true
		}
		for _, b := range st.Branches {
			if hasState(b, name) {
				return true
			}
		}
		if hasState(st.ItemProcessor, name) {
			return true
		}
	}
	return false
}

// runClock is the clock a run reads: its own virtual clock, or the
// service clock.
func (s *Service) runClock(lr *liveRun) interp.Clock {
	if lr.clock != nil {
		return lr.clock
	}
	return s.clock
}

func (s *Service) stepStatus(lr *liveRun) StepwiseStepExecutionOutput {
	run := lr.run
	now := s.runClock(lr).Now()
	if run.Status().Final() && lr.clock == nil {
		now = run.StopDate()
	}
	out := StepwiseStepExecutionOutput{Status: run.Status().String(), EventCount: run.EventCount(), Clock: epochSeconds(now)}
	switch run.Status() {
	case interp.WaitingTask:
		out.Waiting = "task"
	case interp.WaitingTimer:
		out.Waiting = "timer"
	}
	return out
}

// storedStatus answers a step of an execution only the store knows: one
// that ended and was not started by StepwiseStartExecution.
func (s *Service) storedStatus(ctx context.Context, rec *store.Execution) (any, *Error) {
	_, total, err := s.st.Events(ctx, rec.ARN, 0, 1)
	if err != nil {
		return nil, storeErr(err)
	}
	t := rec.StopDate
	if t.IsZero() {
		t = rec.StartDate
	}
	return StepwiseStepExecutionOutput{Status: rec.Status, EventCount: total, Clock: epochSeconds(t)}, nil
}

// epochSeconds is t in seconds since the epoch, to the microsecond.
func epochSeconds(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

// stepwiseGetDataFlow returns the data flow of an execution started with
// StepwiseStartExecution. Other executions have none recorded: a
// ValidationException says so.
func (s *Service) stepwiseGetDataFlow(ctx context.Context, body []byte) (any, *Error) {
	var in StepwiseGetDataFlowInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	if err := requireARN(in.ExecutionARN, "executionArn"); err != nil {
		return nil, err
	}
	arn := *in.ExecutionARN
	lr, ended, _, err := s.debugExecution(ctx, arn)
	if err != nil {
		return nil, err
	}
	var flows []interp.DataFlow
	switch {
	case ended != nil:
		flows = ended.flows
	case lr != nil && lr.traced:
		flows = lr.run.DataFlow()
	default:
		return nil, errorf(CodeValidation, "No data flow was recorded for execution '%s': start it with StepwiseStartExecution", arn)
	}
	out := StepwiseGetDataFlowOutput{Steps: make([]DataFlowStep, len(flows))}
	for i, f := range flows {
		out.Steps[i] = DataFlowStep{
			StateName: f.StateName, StateType: f.StateType, EnteredEventID: f.EnteredEventID, ExitedEventID: f.ExitedEventID,
			Input: stageText(f.Input), AfterInputPath: stageText(f.AfterInputPath), AfterParameters: stageText(f.AfterParameters),
			Result: stageText(f.Result), AfterResultSelector: stageText(f.AfterResultSelector),
			AfterResultPath: stageText(f.AfterResultPath), Output: stageText(f.Output), Variables: stageText(f.Variables),
		}
		if f.Error != nil {
			name, cause := f.Error.Name, f.Error.Cause
			out.Steps[i].Error, out.Steps[i].Cause = &name, &cause
		}
	}
	return out, nil
}

// jsonText returns a stage's JSON text, nil for a stage that did not run.
func stageText(b []byte) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}

// debugExecution finds an execution for the debugger: its run while it is
// live, what the debugger kept of it once it ended, or else its stored
// record (an ended STANDARD execution). Errors: InvalidArn,
// ExecutionDoesNotExist.
func (s *Service) debugExecution(ctx context.Context, arn string) (*liveRun, *endedRun, *store.Execution, *Error) {
	p, err := parseARN(arn, "execution", "express")
	if err != nil {
		return nil, nil, nil, err
	}
	if lr, ok := s.live[arn]; ok {
		return lr, nil, lr.rec, nil
	}
	if d := s.debugRuns(false); d != nil && d.ended[arn] != nil {
		return nil, d.ended[arn], nil, nil
	}
	if p.resourceType == "express" {
		// express executions are not kept once they end, as on AWS
		return nil, nil, nil, executionDoesNotExist(arn)
	}
	rec, err := s.execution(ctx, arn)
	return nil, nil, rec, err
}

// endedRun is what the debugger keeps of an execution started by
// StepwiseStartExecution once it has ended (Service forgets the run):
// plain values, which keep nothing else alive.
type endedRun struct {
	flows      []interp.DataFlow
	status     string
	eventCount int
	clock      time.Time // the execution's clock when it ended
}

// debugSet is the debugger's memory of one Service: the executions
// started by StepwiseStartExecution, by ARN; a nil entry is one still live
// (in s.live).
type debugSet struct {
	ended map[string]*endedRun
	order []string // ARNs, oldest first
}

// debugRuns returns the Service's debugSet, made on first use if create.
// It is only used under s.mu, as every operation is.
func (s *Service) debugRuns(create bool) *debugSet {
	if s.debug == nil && create {
		s.debug = &debugSet{ended: map[string]*endedRun{}}
	}
	return s.debug
}

// keepDebugRun remembers that lr is debugged, so that its data flow
// outlives it; beyond maxDebugRuns the oldest is forgotten.
func (s *Service) keepDebugRun(lr *liveRun) {
	d := s.debugRuns(true)
	arn := lr.rec.ARN
	if _, ok := d.ended[arn]; !ok {
		d.order = append(d.order, arn)
	}
	d.ended[arn] = nil
	lr.traced = true
	if lr.run.Status().Final() {
		// it ended within its start, before it was marked traced
		s.debugRunEnded(lr)
	}
	if len(d.order) > maxDebugRuns {
		delete(d.ended, d.order[0])
		d.order = d.order[1:]
	}
}

// debugRunEnded keeps what the debugger needs of a traced run that has
// ended; sync calls it as it forgets the run.
func (s *Service) debugRunEnded(lr *liveRun) {
	d := s.debugRuns(false)
	if d == nil {
		return
	}
	if _, ok := d.ended[lr.rec.ARN]; !ok {
		return // forgotten already
	}
	clock := lr.run.StopDate()
	if lr.clock != nil {
		clock = lr.clock.Now()
	}
	d.ended[lr.rec.ARN] = &endedRun{
		flows: lr.run.DataFlow(), status: lr.run.Status().String(), eventCount: lr.run.EventCount(), clock: clock,
	}
}
