package interp

import (
	"context"
	"fmt"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/asl"
	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/intrinsic"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// stage is where a thread stands in its current state.
type stage int

const (
	stageEnter stage = iota // enter state `next` with `input`
	stageWork               // entered; do (or retry) the state's work
	stageTimer              // nothing to do before `wake`, then onWake
	stageTask               // a task waits for its result
	stageJoin               // a Parallel or Map waits for its children
	stageDone               // finished: output or err is set
)

// thread runs one state machine: the top level, a Parallel branch or a Map
// iteration. Threads form a tree; Run.Step advances the first runnable
// thread in pre-order, which fixes the order of events.
type thread struct {
	run    *Run
	sm     *asl.StateMachine
	lang   string // the enclosing query language
	parent *thread
	hidden bool // a distributed Map child: its events are not in this history
	// flowAt is 1 + the index in run.flows of the current visit's
	// DataFlow record; 0 when the run is not traced. An int32 beside
	// hidden fits in its padding: a thread per Map iteration stays in
	// its allocation size class.
	flowAt int32

	// the current state
	next       string
	st         *asl.State
	input      []byte // the state's raw input
	entered    int64  // id of the StateEntered event
	enteredAt  time.Time
	last       int64 // previousEventId of this thread's next event
	stage      stage
	wake       time.Time
	onWake     func()
	attempts   []int64 // per retrier of st
	retryCount int

	// vars is the thread's variable scope; assigned the variables its
	// current state computed, set when the state exits.
	vars     *scope
	assigned []assignment
	// enteredPrev is the previousEventId of the StateEntered event.
	enteredPrev int64

	task    *pendingTask
	join    *join
	ienv    *intrinsic.Env // reused by every intrinsic call of the thread
	scratch []byte         // reused by payload templates

	// Map iteration context.
	item     *mapItem // set while a Map evaluates ItemSelector
	iter     int      // the index of a Map iteration thread
	hiddenID int64    // event counter for hidden threads

	// redo is where a redriven thread resumes (redrive.go).
	redo *resume

	// outcome
	output   []byte
	err      *states.Error
	errEvent int64 // the event the failure is reported after
}

type mapItem struct {
	index int
	value []byte
}

// enter makes the thread enter state name with input at its next step.
func (th *thread) enter(name string, input []byte) {
	th.next = name
	th.input = input
	th.stage = stageEnter
}

// emit records an event of this thread, chained to its previous one.
func (th *thread) emit(t history.Type, details any) int64 {
	id := th.record(t, th.last, details)
	th.last = id
	return id
}

// record records an event with an explicit previous event id.
func (th *thread) record(t history.Type, prev int64, details any) int64 {
	if th.hidden {
		th.hiddenID++
		return -th.hiddenID
	}
	return th.run.record(t, prev, details)
}

// runnable returns the first thread of the tree, in pre-order, that can
// make progress at now.
func (th *thread) runnable(now time.Time) *thread {
	switch th.stage {
	case stageEnter, stageWork:
		return th
	case stageTimer:
		if !now.Before(th.wake) {
			return th
		}
	case stageTask:
		if d := th.task.deadline(); !d.IsZero() && !now.Before(d) {
			return th
		}
	case stageJoin:
		return th.join.runnable(th, now)
	}
	return nil
}

// earliestWake returns the earliest time a thread of the tree waits for.
func (th *thread) earliestWake() time.Time {
	switch th.stage {
	case stageTimer:
		return th.wake
	case stageTask:
		return th.task.deadline()
	case stageJoin:
		var w time.Time
		for _, c := range th.join.children {
			if cw := c.earliestWake(); !cw.IsZero() && (w.IsZero() || cw.Before(w)) {
				w = cw
			}
		}
		return w
	}
	return time.Time{}
}

// step takes one step of this thread.
func (th *thread) step(ctx context.Context) {
	switch th.stage {
	case stageEnter:
		th.enterState(ctx)
	case stageWork:
		th.work(ctx)
	case stageTimer:
		f := th.onWake
		th.onWake = nil
		th.stage = stageWork
		if f != nil {
			f()
		} else {
			th.flowRetry() // a retry interval has passed
		}
	case stageTask:
		th.taskTimedOut()
	case stageJoin:
		th.join.step(ctx, th)
	}
}

func (th *thread) queryLanguage() string {
	if th.st != nil && th.st.QueryLanguage != "" {
		return th.st.QueryLanguage
	}
	if th.sm.QueryLanguage != "" {
		return th.sm.QueryLanguage
	}
	if th.lang != "" {
		return th.lang
	}
	return asl.JSONPath
}

var enteredTypes = map[string]history.Type{
	asl.TypePass: history.PassStateEntered, asl.TypeTask: history.TaskStateEntered,
	asl.TypeChoice: history.ChoiceStateEntered, asl.TypeWait: history.WaitStateEntered,
	asl.TypeSucceed: history.SucceedStateEntered, asl.TypeFail: history.FailStateEntered,
	asl.TypeParallel: history.ParallelStateEntered, asl.TypeMap: history.MapStateEntered,
}

var exitedTypes = map[string]history.Type{
	asl.TypePass: history.PassStateExited, asl.TypeTask: history.TaskStateExited,
	asl.TypeChoice: history.ChoiceStateExited, asl.TypeWait: history.WaitStateExited,
	asl.TypeSucceed:  history.SucceedStateExited,
	asl.TypeParallel: history.ParallelStateExited, asl.TypeMap: history.MapStateExited,
}

// enterState records StateEntered and starts the state's work.
func (th *thread) enterState(ctx context.Context) {
	st := th.sm.States[th.next]
	th.st = st
	th.attempts = nil
	th.retryCount = 0
	th.enteredAt = th.run.now()
	if max := th.run.maxEvents(); th.run.events.n >= max-1 && !th.hidden {
		th.run.finish(Failed, history.ExecutionFailed, states.Runtime,
			fmt.Sprintf("The execution reached the maximum number of history events (%d).", max), th.run.lastEventID())
		return
	}
	th.assigned = nil
	th.enteredPrev = th.last
	th.entered = th.emit(enteredTypes[st.Type], &history.StateEnteredDetails{
		Name: st.Name, Input: history.Payload(th.input), InputDetails: history.NotTruncated(),
	})
	if th.run.env.TraceDataFlow {
		th.beginFlow()
	}
	th.stage = stageWork
	th.work(ctx)
}

// work does (or retries) the current state's work.
func (th *thread) work(ctx context.Context) {
	if t := th.run.test; t != nil && t.mocked(th) {
		return
	}
	switch th.st.Type {
	case asl.TypePass:
		th.pass()
	case asl.TypeTask:
		th.taskState(ctx)
	case asl.TypeChoice:
		th.choice()
	case asl.TypeWait:
		th.wait()
	case asl.TypeSucceed:
		th.succeed()
	case asl.TypeFail:
		th.fail()
	case asl.TypeParallel:
		th.parallel()
	case asl.TypeMap:
		th.mapState()
	default:
		th.runtimeError(fmt.Sprintf("Unsupported state type %q.", th.st.Type))
	}
}

// exit records StateExited with output and moves to the next state or ends
// the thread.
func (th *thread) exit(output []byte) {
	th.exitTo(output, th.st.Next, th.st.End)
}

func (th *thread) exitTo(output []byte, next string, end bool) {
	if len(output) > MaxPayloadBytes {
		th.failState(states.New(states.DataLimitExceeded,
			"The state/task '"+th.st.Name+"' returned a result with a size exceeding the maximum number of bytes service limit."))
		return
	}
	details := &history.StateExitedDetails{
		Name: th.st.Name, Output: history.Payload(output), OutputDetails: history.NotTruncated(),
	}
	if vars := th.setAssigned(); vars != nil {
		details.AssignedVariables, details.AssignedVariablesDetails = vars, history.NotTruncated()
	}
	exited := th.emit(exitedTypes[th.st.Type], details)
	if f := th.flow(); f != nil {
		f.Output, f.ExitedEventID = output, exited
	}
	if end || next == "" {
		th.output = output
		th.stage = stageDone
		return
	}
	th.enter(next, output)
}

// runtimeError fails the state with States.Runtime and AWS's prefix.
func (th *thread) runtimeError(msg string) {
	th.failState(states.New(states.Runtime, th.causePrefix()+msg))
}

func (th *thread) causePrefix() string {
	return fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). ", th.st.Name, th.entered)
}

// failState handles an error raised by the current state: Retry, then
// Catch, then the thread fails.
func (th *thread) failState(err *states.Error) {
	th.handleError(err, th.last)
}

// handleError applies the state's retriers and catchers to err; failedAt is
// the event the failure is recorded after.
func (th *thread) handleError(err *states.Error, failedAt int64) {
	st := th.st
	th.flowError(err)
	if th.attempts == nil && len(st.Retry) > 0 {
		th.attempts = make([]int64, len(st.Retry))
		if t := th.run.test; t != nil {
			t.presetAttempts(th)
		}
	}
	for i, rt := range st.Retry {
		if !states.Matches(rt.ErrorEquals, err.Name) {
			continue
		}
		if th.attempts[i] >= rt.MaxAttempts {
			break
		}
		delay := retryDelay(rt, th.attempts[i], th.run.env.Random)
		th.attempts[i]++
		th.retryCount++
		if t := th.run.test; t != nil {
			t.retried(th, i, delay)
		}
		th.stage = stageTimer
		th.wake = th.run.now().Add(delay)
		th.onWake = nil // stageWork re-runs the state's work
		return
	}
	for ci, c := range st.Catch {
		if !states.Matches(c.ErrorEquals, err.Name) {
			continue
		}
		if t := th.run.test; t != nil {
			t.caught(th, ci)
		}
		out, perr := errorOutput(th.input, err, c.ResultPath)
		if perr != nil {
			th.fatal(states.New(states.Runtime, th.causePrefix()+perr.Error()), failedAt)
			return
		}
		if f := th.flow(); f != nil {
			f.AfterResultPath = out
		}
		th.exitTo(out, c.Next, false)
		return
	}
	th.fatal(err, failedAt)
}

// willRetry reports whether handleError would retry err.
func (th *thread) willRetry(err *states.Error) bool {
	for i, rt := range th.st.Retry {
		if states.Matches(rt.ErrorEquals, err.Name) {
			if th.attempts == nil {
				return rt.MaxAttempts > 0
			}
			return th.attempts[i] < rt.MaxAttempts
		}
	}
	return false
}

// fatal ends the thread with err.
func (th *thread) fatal(err *states.Error, failedAt int64) {
	th.flowError(err)
	th.err = err
	th.errEvent = failedAt
	th.stage = stageDone
}

// retryDelay is IntervalSeconds * BackoffRate^attempt, capped by
// MaxDelaySeconds, with FULL jitter drawing from [0, delay).
func retryDelay(rt asl.Retrier, attempt int64, random func(lo, hi int64) int64) time.Duration {
	d := float64(rt.IntervalSeconds)
	for i := int64(0); i < attempt; i++ {
		d *= rt.BackoffRate
		if d > 31622400 {
			break
		}
	}
	if rt.MaxDelaySeconds > 0 && d > float64(rt.MaxDelaySeconds) {
		d = float64(rt.MaxDelaySeconds)
	}
	dur := time.Duration(d * float64(time.Second))
	if rt.JitterStrategy == "FULL" && dur > 0 {
		ms := int64(dur / time.Millisecond)
		if random != nil && ms > 0 {
			dur = time.Duration(random(0, ms)) * time.Millisecond
		} else {
			dur /= 2
		}
	}
	return dur
}
