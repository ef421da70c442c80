package interp

import (
	"slices"

	"github.com/stepwise-sfn/stepwise/engine/states"
)

// DataFlow is the data flow of one state visit, recorded when
// Env.TraceDataFlow is set: the stages of the pipeline as the interpreter
// computed them (InputPath -> Parameters -> work -> ResultSelector ->
// ResultPath -> OutputPath), for a debugger to show. A nil stage did not
// run for this visit (a Pass without Parameters has no AfterParameters, a
// Choice no Result). Values are JSON texts shared with the run: callers
// must not modify them.
//
// A state that is retried keeps one record: it shows the attempt under
// way, and the error of the failed attempt until the retry starts.
type DataFlow struct {
	StateName string
	StateType string // "Task", "Pass", ... as in the definition
	// EnteredEventID is the id of the StateEntered event; ExitedEventID
	// that of StateExited, 0 while the state runs or when it failed.
	EnteredEventID int64
	ExitedEventID  int64

	Input               []byte // the state's raw input
	AfterInputPath      []byte
	AfterParameters     []byte
	Result              []byte // the work's result (Task output, Pass Result, Parallel/Map array)
	AfterResultSelector []byte
	AfterResultPath     []byte // for a caught error: the catcher's ResultPath applied
	Output              []byte // what StateExited reports
	// Variables is a JSON object of the variables the state's Assign set,
	// in the order written; nil when it assigned none.
	Variables []byte
	// Error is the failure the state raised (caught, retried or fatal);
	// nil when it raised none.
	Error *states.Error
}

// DataFlow returns the data-flow records of the state visits so far, in
// the order the states were entered (the history's order), in a new
// slice. Empty unless the run's Env set TraceDataFlow. States of a
// distributed Map's child executions, which are not in this history, are
// not recorded.
func (r *Run) DataFlow() []DataFlow { return slices.Clone(r.flows) }

// beginFlow opens the record of the visit the thread just entered.
func (th *thread) beginFlow() {
	th.flowAt = 0
	if th.hidden {
		return
	}
	th.run.flows = append(th.run.flows, DataFlow{
		StateName: th.st.Name, StateType: th.st.Type, EnteredEventID: th.entered, Input: th.input,
	})
	th.flowAt = int32(len(th.run.flows))
}

// flow returns the record of the thread's current visit, nil when the run
// is not traced. Every stage that records checks it, so tracing off costs
// one comparison per stage.
func (th *thread) flow() *DataFlow {
	if th.flowAt == 0 {
		return nil
	}
	return &th.run.flows[th.flowAt-1]
}

// flowError records the error the current state raised.
func (th *thread) flowError(err *states.Error) {
	if f := th.flow(); f != nil {
		e := *err
		f.Error = &e
	}
}

// flowRetry clears the stages of a failed attempt when its retry starts,
// so the record shows the attempt under way.
func (th *thread) flowRetry() {
	if f := th.flow(); f != nil {
		*f = DataFlow{StateName: f.StateName, StateType: f.StateType, EnteredEventID: f.EnteredEventID, Input: f.Input}
	}
}
