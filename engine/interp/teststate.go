package interp

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/asl"
	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/jsonpath"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// Running one state alone, for the TestState API
// (https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html):
// the state's whole data flow runs once, and the run stops where the
// state hands over: at its next state, at its end, at a retry or at a
// failure nothing catches.

// The outcomes of a state tested alone (TestExecutionStatus).
const (
	TestSucceeded   = "SUCCEEDED"
	TestFailed      = "FAILED"
	TestRetriable   = "RETRIABLE"
	TestCaughtError = "CAUGHT_ERROR"
)

// StateTest says which state TestState runs and what it sees.
type StateTest struct {
	// StateName is the top-level state to run; empty: StartAt.
	StateName string
	// Input is the state's input (valid JSON); nil means "{}".
	Input []byte
	// Context is a JSON object whose members replace those of the
	// context object ($$) the state sees (Execution, State, Task ...);
	// nil keeps the context the run builds.
	Context []byte
	// Mock, if set, is the result of a Map or Parallel state's work (its
	// Output, or its Err): the iterations and branches do not run. A
	// Task's mock is its Env.Tasks runner.
	Mock *TaskResult
	// RetrierRetryCount is how many retries the Retrier that matches the
	// state's error has already made (TestStateConfiguration).
	RetrierRetryCount int64
	// MapIterationFailureCount is how many iterations of a mocked Map
	// failed; checked against its ToleratedFailureCount/Percentage.
	MapIterationFailureCount int64
}

// StateTestResult is what running one state alone produced.
type StateTestResult struct {
	// Status is TestSucceeded, TestFailed, TestRetriable or TestCaughtError.
	Status string
	// Output is the state's output (SUCCEEDED, CAUGHT_ERROR); nil otherwise.
	Output []byte
	// Error is the error the state raised (FAILED, RETRIABLE, CAUGHT_ERROR).
	Error *states.Error
	// NextState is the state the run would go to; empty at an end or a
	// failure.
	NextState string
	// Flow is the data flow of the state's visit.
	Flow DataFlow
	// RetryIndex and CatchIndex are the indexes of the Retrier or Catcher
	// that handled Error, -1 when none did; RetryBackoff is the interval
	// before the retry.
	RetryIndex   int
	CatchIndex   int
	RetryBackoff time.Duration
	// Map is set for a Map state: its effective iteration settings.
	Map *MapSettings
}

// MapSettings are the settings a Map state's test evaluated.
type MapSettings struct {
	MaxConcurrency int64
	// ToleratedFailureCount and ToleratedFailurePercentage are nil when
	// the state sets neither the field nor its Path.
	ToleratedFailureCount      *int64
	ToleratedFailurePercentage *float64
	// AfterItemsPath and AfterItemSelector are JSON texts: the items, and
	// the items as ItemSelector shaped them (nil without ItemSelector).
	AfterItemsPath    []byte
	AfterItemSelector []byte
}

// stateTest is a Run's state while it tests one state (Run.test).
type stateTest struct {
	opts       *StateTest
	retryIndex int
	catchIndex int
	backoff    time.Duration
	mapInfo    *MapSettings
}

// maxTestSteps bounds the steps a Map or Parallel run without a mock may
// take.
const maxTestSteps = 100000

// TestState runs one state of the program alone with the given input
// and context: its data flow, its work (a Task through env.Tasks), and
// its Retry and Catch, once. A Wait state does not wait. ex names the
// run in the context object. The run records the data flow whatever
// env.TraceDataFlow says.
func (p *Program) TestState(ctx context.Context, env *Env, ex Execution, t *StateTest) StateTestResult {
	name := t.StateName
	if name == "" {
		name = p.def.StartAt
	}
	input := t.Input
	if input == nil {
		input = []byte("{}")
	}
	e := *env
	e.TraceDataFlow = true
	ex.Input = input
	if ex.Type == "" {
		ex.Type = "EXPRESS"
	}
	r := &Run{prog: p, env: &e, ex: ex, tasks: map[string]*thread{}, express: ex.Type == "EXPRESS"}
	r.test = &stateTest{opts: t, retryIndex: -1, catchIndex: -1}
	r.start = ex.StartTime
	if r.start.IsZero() {
		r.start = e.Clock.Now()
	}
	r.record(history.ExecutionStarted, 0, &history.ExecutionStartedDetails{
		Input: history.Payload(input), InputDetails: history.NotTruncated(), RoleARN: ex.RoleARN,
	})
	th := &thread{run: r, sm: &p.def.StateMachine, lang: p.def.QueryLanguage}
	r.root = th
	if p.def.States[name] == nil {
		return StateTestResult{Status: TestFailed, RetryIndex: -1, CatchIndex: -1,
			Error: states.New(states.Runtime, fmt.Sprintf("The state '%s' is not in the definition.", name))}
	}
	th.enter(name, compactJSON(input))
	th.step(ctx)
	for steps := 0; th.stage == stageJoin && steps < maxTestSteps; steps++ {
		if st := r.Step(ctx); st == WaitingTimer || st == WaitingTask {
			w := r.WakeAt()
			vc, ok := e.Clock.(*VirtualClock)
			if w.IsZero() || !ok {
				break
			}
			vc.Set(w)
		}
	}
	if th.stage == stageTimer && th.onWake != nil {
		// a Wait state: TestState returns at once
		f := th.onWake
		th.onWake = nil
		th.stage = stageWork
		f()
	}
	return r.test.result(th)
}

// result reads the outcome of the tested state off its thread.
func (t *stateTest) result(th *thread) StateTestResult {
	res := StateTestResult{RetryIndex: t.retryIndex, CatchIndex: t.catchIndex, RetryBackoff: t.backoff, Map: t.mapInfo}
	if f := th.flow(); f != nil {
		res.Flow = *f
		res.Error = f.Error
	} else if len(th.run.flows) > 0 {
		res.Flow = th.run.flows[0]
		res.Error = res.Flow.Error
	}
	switch th.stage {
	case stageTimer:
		res.Status = TestRetriable
	case stageEnter:
		res.Status, res.Output, res.NextState = TestSucceeded, th.input, th.next
		if t.catchIndex >= 0 {
			res.Status = TestCaughtError
		}
	case stageDone:
		if th.err != nil {
			res.Status, res.Error = TestFailed, th.err
			break
		}
		res.Status, res.Output = TestSucceeded, th.output
		if t.catchIndex >= 0 {
			res.Status = TestCaughtError
		}
	case stageTask:
		// Nothing can deliver the result of a callback task here: the
		// test would run into the TestState time limit.
		res.Status = TestFailed
		res.Error = states.New(states.Timeout, "The state did not complete within the TestState time limit of five minutes.")
	default:
		res.Status = TestFailed
		res.Error = states.New(states.Runtime, "The state did not complete.")
	}
	if res.Status != TestCaughtError && res.Status != TestFailed && res.Status != TestRetriable {
		res.Error = nil
	}
	return res
}

// presetAttempts gives the retriers of the tested state the retries the
// test says were already made.
func (t *stateTest) presetAttempts(th *thread) {
	if th.parent != nil || t.opts.RetrierRetryCount <= 0 {
		return
	}
	for i := range th.attempts {
		th.attempts[i] = t.opts.RetrierRetryCount
	}
}

// retried records that Retrier i of the tested state will retry its
// error after delay.
func (t *stateTest) retried(th *thread, i int, delay time.Duration) {
	if th.parent == nil {
		t.retryIndex, t.backoff = i, delay
	}
}

// caught records that Catcher i of the tested state caught its error.
func (t *stateTest) caught(th *thread, i int) {
	if th.parent == nil {
		t.catchIndex = i
	}
}

// mergeContext replaces the members of a context object document with
// those of the test's context.
func (t *stateTest) mergeContext(doc []byte, section string) []byte {
	if t.opts.Context == nil {
		return doc
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(t.opts.Context, &members) != nil {
		return doc
	}
	for k, v := range members {
		if section != "" && k != section {
			continue
		}
		p, err := jsonpath.Parse("$['" + k + "']")
		if err != nil {
			continue
		}
		if out, err := jsonpath.Set(doc, p, compactJSON(v)); err == nil {
			doc = out
		}
	}
	return doc
}

// mocked runs a Map or Parallel state of the test with its mocked
// result instead of its iterations or branches. It reports false when
// the state's work is not mocked.
func (t *stateTest) mocked(th *thread) bool {
	if th.parent != nil || t.opts.Mock == nil || (th.st.Type != asl.TypeMap && th.st.Type != asl.TypeParallel) {
		return false
	}
	st := th.st
	f := th.flow()
	eff, err := th.selectPath(st.InputPath, th.input)
	if err != nil {
		th.failState(th.stateError(err))
		return true
	}
	if f != nil {
		f.AfterInputPath = eff
	}
	if st.Type == asl.TypeParallel {
		if st.Parameters != nil {
			if eff, err = th.evalTemplate(st.Parameters, eff); err != nil {
				th.failState(th.stateError(err))
				return true
			}
			if f != nil {
				f.AfterParameters = eff
			}
		}
	} else if !t.mapSettings(th, eff) {
		return true
	}
	m := t.opts.Mock
	if m.Err != nil {
		th.failState(m.Err)
		return true
	}
	if mi := t.mapInfo; mi != nil && !withinTolerance(mi, t.opts.MapIterationFailureCount) {
		th.failState(states.New(states.ExceedToleratedFailure, "The specified tolerated failure threshold was exceeded"))
		return true
	}
	th.selectAndFinish(m.Output)
	return true
}

// withinTolerance reports whether failures iterations may fail; a Map
// without ToleratedFailure settings is not checked here, as in AWS.
func withinTolerance(mi *MapSettings, failures int64) bool {
	if mi.ToleratedFailureCount == nil && mi.ToleratedFailurePercentage == nil {
		return true
	}
	if c := mi.ToleratedFailureCount; c != nil && failures <= *c {
		return true
	}
	if p := mi.ToleratedFailurePercentage; p != nil {
		var items []json.RawMessage
		if json.Unmarshal(mi.AfterItemsPath, &items) == nil && len(items) > 0 &&
			float64(failures)*100/float64(len(items)) <= *p {
			return true
		}
	}
	return false
}

// mapSettings evaluates a mocked Map's ItemsPath, ItemSelector and
// iteration settings; false when one failed (the state has failed).
func (t *stateTest) mapSettings(th *thread, eff []byte) bool {
	st := th.st
	mi := &MapSettings{}
	t.mapInfo = mi
	fail := func(err error) bool {
		th.failState(th.stateError(err))
		return false
	}
	items := eff
	var err error
	if st.ItemReader == nil {
		if st.ItemsPath.Path != nil && !st.ItemsPath.Path.IsRoot() {
			if items, err = th.get(st.ItemsPath.Path, eff); err != nil {
				return fail(invalidPath(st.ItemsPath.Path, err))
			}
		}
		mi.AfterItemsPath = items
		var raw []json.RawMessage
		if kindOf(items) != kindArray || json.Unmarshal(items, &raw) != nil {
			th.runtimeError(fmt.Sprintf("Items of the Map state must be an array, but the value is: %s", string(items)))
			return false
		}
		if st.ItemSelector != nil {
			sel := make([][]byte, len(raw))
			for i, it := range raw {
				th.item = &mapItem{index: i, value: it}
				v, err := th.evalTemplate(st.ItemSelector, eff)
				th.item = nil
				if err != nil {
					return fail(err)
				}
				sel[i] = v
			}
			mi.AfterItemSelector = joinArray(sel)
		}
	}
	if mi.MaxConcurrency, err = th.mapInteger(eff, st.MaxConcurrency, st.MaxConcurrencyPath, "MaxConcurrencyPath"); err != nil {
		return fail(err)
	}
	if st.ToleratedFailureCount != nil || st.ToleratedFailureCountPath != nil {
		var fixed int64
		if st.ToleratedFailureCount != nil {
			fixed = *st.ToleratedFailureCount
		}
		n, err := th.mapInteger(eff, fixed, st.ToleratedFailureCountPath, "ToleratedFailureCountPath")
		if err != nil {
			return fail(err)
		}
		mi.ToleratedFailureCount = &n
	}
	if st.ToleratedFailurePercentage != nil {
		p := *st.ToleratedFailurePercentage
		if math.IsNaN(p) || p < 0 || p > 100 {
			th.runtimeError("ToleratedFailurePercentage must be between 0 and 100.")
			return false
		}
		mi.ToleratedFailurePercentage = &p
	}
	return true
}
