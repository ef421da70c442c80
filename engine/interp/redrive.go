package interp

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/asl"
	"github.com/stepwise-sfn/stepwise/engine/history"
)

// ErrNotRedrivable is returned by Program.Redrive when the history does not
// end with ExecutionFailed, ExecutionTimedOut or ExecutionAborted, or does
// not belong to the Program.
var ErrNotRedrivable = errors.New("interp: history does not end in a redrivable failure")

// Redrive resumes an execution that ended FAILED, TIMED_OUT or ABORTED
// (RedriveExecution): events is its whole history so far. The new Run keeps
// those events, records ExecutionRedriven (with ex.RedriveCount, which the
// caller has already incremented) and re-enters the state the execution
// was in when it ended, with that state's recorded input. Inside a
// Parallel or an inline Map only the branches and iterations that did not
// succeed run again, each from the state it ended in; the others keep
// their recorded output and record nothing. A distributed Map runs all
// its iterations again under the same Map Run (MapRunRedriven), since
// their histories are not in this one. Retry counters start afresh and
// the state machine's TimeoutSeconds counts from the redrive
// (https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html).
//
// The Run has not taken a step yet. It returns ErrNotRedrivable when the
// history is not one of an ended, unsuccessful execution of p.
func (p *Program) Redrive(ctx context.Context, env *Env, ex Execution, events []history.Event) (*Run, error) {
	return p.redrive(env, ex, events, nil)
}

// redrive is Redrive, or its replay from a journal when rp is set.
func (p *Program) redrive(env *Env, ex Execution, events []history.Event, rp *replayer) (*Run, error) {
	n := len(events)
	if n < 2 || events[0].Type != history.ExecutionStarted {
		return nil, ErrNotRedrivable
	}
	switch events[n-1].Type {
	case history.ExecutionFailed, history.ExecutionTimedOut, history.ExecutionAborted:
	default:
		return nil, ErrNotRedrivable
	}
	plan, ok := rebuild(p.def, events)
	if !ok {
		return nil, ErrNotRedrivable
	}
	r := p.newRun(env, ex, rp, []any{"redrive", n}, func(*Run) time.Time { return events[0].Timestamp })
	r.timeoutFrom(r.now())
	for _, e := range events {
		r.events.add(e)
	}
	id := r.record(history.ExecutionRedriven, events[n-1].ID, &history.RedrivenDetails{RedriveCount: ex.RedriveCount})
	r.root = &thread{run: r, sm: &p.def.StateMachine, lang: p.def.QueryLanguage, last: id, vars: restoreVariables(p.def, events)}
	if plan == nil {
		r.root.enter(p.def.StartAt, compactJSON(ex.Input))
		return r, nil
	}
	r.root.redo = plan
	r.root.enter(plan.state, plan.input)
	return r, nil
}

// resume is where a thread picks up on a redrive: the state it re-enters
// with its input and, for a Parallel or Map, what became of the children
// of the state's last attempt.
type resume struct {
	state    string
	input    []byte
	children map[int]*outcome // by branch or item index
	// mapRunARN is the Map Run a distributed Map state started.
	mapRunARN string
}

// outcome is a child of a Parallel or Map on a redrive: succeeded (its
// output is kept) or to be resumed (from its start when resume is nil).
type outcome struct {
	succeeded bool
	output    []byte
	resume    *resume
}

// redoFor returns the thread's redrive plan for the state it is in, once:
// a later attempt of the state (a Retry) runs it whole.
func (th *thread) redoFor() *resume {
	r := th.redo
	if r == nil || th.st == nil || r.state != th.st.Name {
		return nil
	}
	th.redo = nil
	return r
}

// shadow follows one thread of the recorded history: the top level, a
// Parallel branch or a Map iteration. rebuild attributes every event to a
// shadow the way the interpreter chains previousEventId, so concurrent
// branches and iterations are told apart.
type shadow struct {
	sm     *asl.StateMachine
	parent *shadow
	last   int64 // previousEventId of the thread's next event
	state  *asl.State
	input  []byte
	output []byte // of the last StateExited
	exited bool   // the current state has exited
	// the current Parallel or Map attempt
	started, joined bool
	mapRun          int64 // id of MapRunStarted/MapRunRedriven; 0: none
	mapRunARN       string
	children        map[int]*shadow
	// carry: re-entered by a redrive; the state's next start keeps the
	// children that had succeeded.
	carry bool
}

// succeeded reports whether the thread ended in success: its last state
// exited and ends the state machine.
func (sh *shadow) succeeded() bool {
	return sh.exited && sh.state != nil && (sh.state.End || sh.state.Type == asl.TypeSucceed)
}

// plan returns where the thread resumes; nil means from its StartAt.
func (sh *shadow) plan() *resume {
	if sh.state == nil {
		return nil
	}
	r := &resume{state: sh.state.Name, input: sh.input, mapRunARN: sh.mapRunARN}
	if sh.started && len(sh.children) > 0 {
		r.children = make(map[int]*outcome, len(sh.children))
		for i, c := range sh.children {
			if c.succeeded() {
				r.children[i] = &outcome{succeeded: true, output: c.output}
			} else {
				r.children[i] = &outcome{resume: c.plan()}
			}
		}
	}
	return r
}

// rebuild replays the history's structure over the definition and returns
// where the top level resumes (nil: from StartAt), or false when an event
// names a state the definition does not have.
func rebuild(def *asl.Definition, events []history.Event) (*resume, bool) {
	owner := map[string]*asl.StateMachine{}
	var index func(sm *asl.StateMachine)
	index = func(sm *asl.StateMachine) {
		for name, st := range sm.States {
			owner[name] = sm
			for _, b := range st.Branches {
				index(b)
			}
			if st.ItemProcessor != nil {
				index(st.ItemProcessor)
			}
		}
	}
	index(&def.StateMachine)
	root := &shadow{sm: &def.StateMachine, last: events[0].ID}
	for _, e := range events[1:] {
		if e.Type == history.ExecutionRedriven {
			root.last = e.ID
			root.markCarry()
			continue
		}
		if !isThreadEvent(e.Type) {
			continue
		}
		if d, ok := e.Details.(*history.StateEnteredDetails); ok && owner[d.Name] == nil {
			return nil, false
		}
		sh := root.find(e, owner)
		if sh == nil {
			return nil, false
		}
		sh.apply(e)
	}
	return root.plan(), true
}

// isThreadEvent reports whether events of type t belong to a thread (all
// but the execution's own).
func isThreadEvent(t history.Type) bool {
	switch t {
	case history.ExecutionStarted, history.ExecutionSucceeded, history.ExecutionFailed,
		history.ExecutionTimedOut, history.ExecutionAborted, history.ExecutionRedriven:
		return false
	}
	return true
}

func (sh *shadow) markCarry() {
	sh.carry = true
	if sh.state != nil {
		// the re-entry that follows is a StateEntered
		sh.exited = true
	}
	for _, c := range sh.children {
		if !c.succeeded() {
			c.markCarry()
		}
	}
}

// walk calls f on the live shadows in pre-order until f returns false.
func (sh *shadow) walk(f func(*shadow) bool) bool {
	if !f(sh) {
		return false
	}
	for _, i := range slices.Sorted(maps.Keys(sh.children)) {
		if !sh.children[i].walk(f) {
			return false
		}
	}
	return true
}

// find returns the shadow event e belongs to: among the shadows that could
// record it, the one whose last event e follows, else the first in
// pre-order (events after a Parallel's join point back to whatever was
// recorded last).
func (root *shadow) find(e history.Event, owner map[string]*asl.StateMachine) *shadow {
	// A Parallel's join events follow the last event recorded, most often
	// one of its own branches' (an abort, or the end that completed it).
	join := e.Type == history.ParallelStateSucceeded || e.Type == history.ParallelStateFailed
	var byPrev, first *shadow
	root.walk(func(sh *shadow) bool {
		if !sh.accepts(e, owner) {
			return true
		}
		if first == nil {
			first = sh
		}
		if sh.last == e.PreviousEventID || join && sh.hasDescendantAt(e.PreviousEventID) {
			byPrev = sh
			return false
		}
		return true
	})
	if byPrev != nil {
		return byPrev
	}
	return first
}

// hasDescendantAt reports whether a thread under sh has id as its last
// event.
func (sh *shadow) hasDescendantAt(id int64) bool {
	found := false
	for _, c := range sh.children {
		c.walk(func(d *shadow) bool {
			found = d.last == id
			return !found
		})
		if found {
			return true
		}
	}
	return false
}

// accepts reports whether the thread can record e in the stage it is in.
func (sh *shadow) accepts(e history.Event, owner map[string]*asl.StateMachine) bool {
	if sh.succeeded() {
		return false
	}
	switch d := e.Details.(type) {
	case *history.StateEnteredDetails:
		return owner[d.Name] == sh.sm && (sh.state == nil || sh.exited)
	case *history.StateExitedDetails:
		// a Parallel or Map exits after its join, or without starting
		// (caught before it started its children)
		return sh.state != nil && sh.state.Name == d.Name && !sh.exited && (sh.joined || !sh.started)
	case *history.MapIterationDetails:
		if sh.state == nil || sh.state.Type != asl.TypeMap || sh.state.Name != d.Name || !sh.started || sh.joined || sh.exited {
			return false
		}
		if e.Type == history.MapIterationStarted {
			return true
		}
		c := sh.children[d.Index]
		return c != nil && (e.Type == history.MapIterationAborted || c.last == e.PreviousEventID)
	}
	if sh.state == nil || sh.exited {
		return false
	}
	switch e.Type {
	case history.ParallelStateStarted:
		return sh.state.Type == asl.TypeParallel && (!sh.started || sh.joined)
	case history.ParallelStateSucceeded, history.ParallelStateFailed:
		if sh.state.Type != asl.TypeParallel || !sh.started || sh.joined {
			return false
		}
		if e.Type == history.ParallelStateSucceeded {
			for _, c := range sh.children {
				if !c.succeeded() {
					return false
				}
			}
		}
		return true
	case history.MapStateStarted:
		return sh.state.Type == asl.TypeMap && (!sh.started || sh.joined)
	case history.MapStateSucceeded, history.MapStateFailed, history.MapRunStarted, history.MapRunRedriven,
		history.MapRunSucceeded, history.MapRunFailed, history.MapRunAborted:
		return sh.state.Type == asl.TypeMap && sh.started && !sh.joined
	}
	return true
}

// apply records e in the shadow, moving its last event as the
// interpreter moves the thread's.
func (sh *shadow) apply(e history.Event) {
	last := e.ID
	switch d := e.Details.(type) {
	case *history.StateEnteredDetails:
		sh.state = sh.sm.States[d.Name]
		sh.input = []byte(d.Input)
		sh.exited, sh.started, sh.joined = false, false, false
		sh.mapRun, sh.mapRunARN = 0, ""
		if !sh.carry {
			sh.children = nil
		}
	case *history.StateExitedDetails:
		sh.exited = true
		sh.output = []byte(d.Output)
	case *history.MapIterationDetails:
		switch e.Type {
		case history.MapIterationStarted:
			c := sh.children[d.Index]
			if c == nil || !sh.carry {
				c = &shadow{sm: sh.state.ItemProcessor, parent: sh}
				if sh.children == nil {
					sh.children = map[int]*shadow{}
				}
				sh.children[d.Index] = c
			}
			c.last = e.ID
		case history.MapIterationAborted:
			last = sh.last
		default:
			last = e.PreviousEventID
		}
	case *history.MapRunStartedDetails:
		sh.mapRun, sh.mapRunARN = e.ID, d.MapRunARN
	case *history.RedrivenDetails:
		sh.mapRun, sh.mapRunARN = e.ID, d.MapRunARN
	}
	switch e.Type {
	case history.ParallelStateStarted:
		sh.started, sh.joined = true, false
		old := sh.children
		sh.children = make(map[int]*shadow, len(sh.state.Branches))
		for i, b := range sh.state.Branches {
			c := old[i]
			switch {
			case sh.carry && c != nil && c.succeeded():
			case sh.carry && c != nil:
				c.last = e.ID
			default:
				c = &shadow{sm: b, parent: sh, last: e.ID}
			}
			sh.children[i] = c
		}
		sh.carry = false
	case history.MapStateStarted:
		sh.started, sh.joined = true, false
		if !sh.carry {
			sh.children = nil
		}
	case history.ParallelStateSucceeded, history.ParallelStateFailed:
		sh.joined = true
		last = e.PreviousEventID
	case history.MapStateSucceeded, history.MapStateFailed:
		sh.joined = true
		sh.carry = false
		last = e.PreviousEventID
		if sh.mapRun != 0 {
			last = sh.mapRun
		}
	case history.MapRunSucceeded, history.MapRunFailed, history.MapRunAborted:
		last = sh.last
	}
	sh.last = last
}

// redrive sets up a new Parallel branch or Map iteration thread from its
// outcome before the redrive: a succeeded one is done already (it records
// nothing), another resumes where it ended.
func (c *thread) redrive(o *outcome) {
	switch {
	case o == nil:
	case o.succeeded:
		c.output = o.output
		c.stage = stageDone
	case o.resume != nil:
		c.redo = o.resume
		c.enter(o.resume.state, o.resume.input)
	}
}

// skipDone moves a redriven inline Map's next item past the iterations
// that had succeeded.
func (j *join) skipDone() {
	for j.next < len(j.items) {
		if o := j.redo[j.next]; o == nil || !o.succeeded {
			return
		}
		j.next++
	}
}

// restoreVariables rebuilds the top-level variables a redriven execution
// had assigned, from the assignedVariables of the StateExited events of
// top-level states (in history order, so later assignments win).
func restoreVariables(def *asl.Definition, events []history.Event) *scope {
	s := &scope{}
	for _, e := range events {
		d, ok := e.Details.(*history.StateExitedDetails)
		if !ok || d.AssignedVariables == nil || def.States[d.Name] == nil {
			continue
		}
		for k, v := range d.AssignedVariables {
			s.set(k, []byte(v))
		}
	}
	return s
}
