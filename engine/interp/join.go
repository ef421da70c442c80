package interp

import (
	"context"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/asl"
	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// join is the part of a Parallel or Map state that waits for its
// children: branches, or iterations spawned as concurrency allows.
type join struct {
	isMap    bool
	children []*thread // live children in order (spawned, not yet collected)
	results  [][]byte  // by branch or item index
	pending  int       // children not yet collected

	// Map
	items       [][]byte // iteration inputs (after ItemSelector / batching)
	next        int      // next item to spawn
	max         int64    // MaxConcurrency; 0: no limit
	distributed bool
	tolerated   int64   // ToleratedFailureCount; -1: none given
	toleratedP  float64 // ToleratedFailurePercentage; -1: none given
	failures    int64
	lastIter    int64 // id of the last MapIterationSucceeded
	runStarted  int64 // id of MapRunStarted
	mapRunARN   string
	// redo holds the outcomes of a redriven inline Map's iterations.
	redo map[int]*outcome
	// mr is a distributed Map's run record (maprun.go).
	mr *MapRun
}

func (j *join) runnable(parent *thread, now time.Time) *thread {
	for _, c := range j.children {
		if c.stage == stageDone {
			return parent
		}
	}
	for _, c := range j.children {
		if t := c.runnable(now); t != nil {
			return t
		}
	}
	if j.canSpawn() {
		return parent
	}
	if len(j.children) == 0 && j.pending == 0 {
		return parent
	}
	return nil
}

func (j *join) step(ctx context.Context, th *thread) {
	for i, c := range j.children {
		if c.stage != stageDone {
			continue
		}
		j.children = append(j.children[:i:i], j.children[i+1:]...)
		j.pending--
		if j.isMap {
			th.collectIteration(c)
		} else {
			th.collectBranch(c)
		}
		return
	}
	if j.canSpawn() {
		th.spawnIteration()
		return
	}
	if len(j.children) == 0 && j.pending == 0 {
		if j.isMap {
			th.mapSucceeded()
		} else {
			th.parallelSucceeded()
		}
	}
}

// canSpawn reports whether a Map may start its next iteration now.
func (j *join) canSpawn() bool {
	return j.isMap && j.next < len(j.items) && (j.max == 0 || int64(len(j.children)) < j.max)
}

// lastRecorded is the event a Parallel's closing events point back to:
// the last one recorded (in a hidden thread, its own last).
func (th *thread) lastRecorded() int64 {
	if th.hidden {
		return th.last
	}
	return th.run.lastEventID()
}

// child returns a new thread running sm with input, under th.
func (th *thread) child(sm *asl.StateMachine, input []byte, last int64) *thread {
	c := &thread{run: th.run, sm: sm, lang: th.run.prog.def.QueryLanguage, parent: th, last: last, hidden: th.hidden, vars: th.childScope()}
	c.enter(sm.StartAt, input)
	return c
}

// parallel runs a Parallel state: every branch gets the effective input.
func (th *thread) parallel() {
	st := th.st
	eff, err := th.selectPath(st.InputPath, th.input)
	f := th.flow()
	if err == nil && f != nil {
		f.AfterInputPath = eff
	}
	if err == nil && st.Parameters != nil {
		eff, err = th.evalTemplate(st.Parameters, eff)
		if err == nil && f != nil {
			f.AfterParameters = eff
		}
	}
	if err != nil {
		th.failState(th.stateError(err))
		return
	}
	redo := th.redoFor()
	started := th.emit(history.ParallelStateStarted, nil)
	j := &join{results: make([][]byte, len(st.Branches)), pending: len(st.Branches)}
	for i, b := range st.Branches {
		c := th.child(b, eff, started)
		if redo != nil {
			c.redrive(redo.children[i])
		}
		j.children = append(j.children, c)
	}
	th.join = j
	th.stage = stageJoin
}

func (th *thread) branchIndex(c *thread) int {
	for i, b := range th.st.Branches {
		if b == c.sm {
			return i
		}
	}
	return 0
}

func (th *thread) collectBranch(c *thread) {
	if c.err != nil {
		th.abortChildren()
		prev := th.lastRecorded()
		id := th.record(history.ParallelStateFailed, prev, nil)
		th.last = prev
		th.join = nil
		th.stage = stageWork
		th.handleError(c.err, id)
		return
	}
	th.join.results[th.branchIndex(c)] = c.output
}

func (th *thread) parallelSucceeded() {
	prev := th.lastRecorded()
	th.record(history.ParallelStateSucceeded, prev, nil)
	th.last = prev
	out := joinArray(th.join.results)
	th.join = nil
	th.stage = stageWork
	th.selectAndFinish(out)
}

// selectAndFinish applies ResultSelector, ResultPath and OutputPath to the
// result of a Task, Parallel or Map state.
func (th *thread) selectAndFinish(result []byte) {
	if th.isJSONata() {
		th.jfinish(result)
		return
	}
	f := th.flow()
	if f != nil {
		f.Result = result
	}
	if th.st.ResultSelector != nil {
		var err error
		if result, err = th.evalTemplate(th.st.ResultSelector, result); err != nil {
			th.failState(th.stateError(err))
			return
		}
		if f != nil {
			f.AfterResultSelector = result
		}
	}
	th.finishState(result)
}

// abortChildren ends every live child of th, recording the Aborted events
// of the states they were in.
func (th *thread) abortChildren() {
	if th.join == nil {
		return
	}
	for _, c := range th.join.children {
		c.abort()
		th.join.itemAborted()
		if th.join.isMap && !c.hidden {
			th.record(history.MapIterationAborted, c.last, &history.MapIterationDetails{Name: th.st.Name, Index: c.itemIndex()})
		}
	}
	th.join.children = nil
	th.join.mapRunEnded("ABORTED")
}

var abortedTypes = map[string]history.Type{
	asl.TypeTask: history.TaskStateAborted, asl.TypeWait: history.WaitStateAborted,
	asl.TypeParallel: history.ParallelStateAborted, asl.TypeMap: history.MapStateAborted,
}

// abort ends a thread that is in the middle of a state.
func (c *thread) abort() {
	if c.stage == stageDone || c.stage == stageEnter || c.st == nil {
		c.stage = stageDone
		return
	}
	c.abortChildren()
	if c.task != nil {
		delete(c.run.tasks, c.task.token)
		c.task = nil
	}
	if t, ok := abortedTypes[c.st.Type]; ok {
		c.emit(t, nil)
	}
	c.stage = stageDone
	c.err = states.New(states.BranchFailed, "aborted")
}

func (c *thread) itemIndex() int { return c.iter }

// joinArray builds a JSON array of already-encoded values.
func joinArray(vals [][]byte) []byte {
	n := 2
	for _, v := range vals {
		n += len(v) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		if v == nil {
			v = []byte("null")
		}
		b = append(b, v...)
	}
	return append(b, ']')
}
