package interp

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/asl"
	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/jsonpath"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// Errors of the SendTask* methods; sfn maps them to API errors.
var (
	// ErrTaskDoesNotExist: the token names no task this run waits for.
	ErrTaskDoesNotExist = errors.New("task does not exist")
	// ErrRunFinished: the run has ended.
	ErrRunFinished = errors.New("execution has ended")
)

// MaxPayloadBytes is the largest input or output a state may pass on
// (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html).
const MaxPayloadBytes = 262144

// Program is a compiled state machine. It is immutable and safe to share
// between goroutines and executions.
type Program struct {
	def *asl.Definition
	// parsed JSONata templates and JSONPath Assign templates, by their
	// JSON text: filled on first use, never changed after
	jcache sync.Map
	acache sync.Map
}

// Compile prepares a parsed definition for running.
func Compile(def *asl.Definition) (*Program, error) {
	if def == nil || def.States[def.StartAt] == nil {
		return nil, errors.New("interp: definition has no start state")
	}
	return &Program{def: def}, nil
}

// Definition returns the definition the Program was compiled from.
func (p *Program) Definition() *asl.Definition { return p.def }

// Run is one execution of a Program: all its mutable state. A Run is not
// safe for concurrent use; its host serialises calls.
type Run struct {
	prog     *Program
	env      *Env
	ex       Execution
	status   Status
	events   eventLog
	output   []byte
	errName  string
	cause    string
	start    time.Time
	stop     time.Time
	deadline time.Time // execution timeout; zero: none
	root     *thread
	tasks    map[string]*thread // pending tasks by token
	express  bool
	ctxTmpl  contextTemplate
	seed     uint64
	flows    []DataFlow // with Env.TraceDataFlow: one per state visit
	test     *stateTest // set while Program.TestState runs one state
	mapRuns  []*MapRun  // the distributed Map runs started (maprun.go)
	// replay is set while Program.Replay rebuilds the run from its
	// journal (journal.go); replayedClock is its last clock reading.
	replay        *replayer
	replayedClock time.Time
}

// Start begins an execution: it records ExecutionStarted and returns the
// Run, which has not taken a step yet.
func (p *Program) Start(ctx context.Context, env *Env, ex Execution) *Run {
	return p.start(env, ex, nil)
}

// start is Start, or its replay from a journal when rp is set.
func (p *Program) start(env *Env, ex Execution, rp *replayer) *Run {
	r := p.newRun(env, ex, rp, []any{"start"}, (*Run).now)
	r.timeoutFrom(r.start)
	// stamped with the start the host reports (DescribeExecution's
	// startDate), not a later reading of a real clock
	r.recordAt(r.start, history.ExecutionStarted, 0, &history.ExecutionStartedDetails{
		Input: history.Payload(ex.Input), InputDetails: history.NotTruncated(), RoleARN: ex.RoleARN,
		StateMachineAliasARN: ex.StateMachineAliasARN, StateMachineVersionARN: ex.StateMachineVersionARN,
	})
	r.root = &thread{run: r, sm: &p.def.StateMachine, lang: p.def.QueryLanguage, vars: &scope{}}
	// ExecutionStarted keeps the input as given; states see it compact,
	// as AWS passes it on.
	r.root.enter(p.def.StartAt, compactJSON(ex.Input))
	return r
}

// newRun sets up a Run of p that has recorded nothing yet, for Start and
// Redrive: ex with its defaults filled in (input {}, type STANDARD),
// started at ex.StartTime or else at start(r). With env.Journal it
// records into the journal, beginning with the call (head) that made it;
// with rp it is being replayed.
func (p *Program) newRun(env *Env, ex Execution, rp *replayer, head []any, start func(r *Run) time.Time) *Run {
	if ex.Input == nil {
		ex.Input = []byte("{}")
	}
	if ex.Type == "" {
		ex.Type = "STANDARD"
	}
	r := &Run{prog: p, env: env, ex: ex, tasks: map[string]*thread{}, express: ex.Type == "EXPRESS", replay: rp}
	if env.Journal != nil {
		r.journal(env)
		if r.journaling() {
			r.env.Journal.call(head...)
		}
	}
	r.start = ex.StartTime
	if r.start.IsZero() {
		r.start = start(r)
	}
	return r
}

// timeoutFrom arms the state machine's TimeoutSeconds, if it has one,
// counted from t.
func (r *Run) timeoutFrom(t time.Time) {
	if s := r.prog.def.TimeoutSeconds; s != nil {
		r.deadline = t.Add(time.Duration(*s) * time.Second)
	}
}

func compactJSON(b []byte) []byte {
	out, _ := jsonpath.Compact(b)
	return out
}

// record appends an event stamped with the clock's time and returns its id.
func (r *Run) record(t history.Type, prev int64, details any) int64 {
	return r.recordAt(r.now(), t, prev, details)
}

// recordAt is record with the event's time given.
func (r *Run) recordAt(at time.Time, t history.Type, prev int64, details any) int64 {
	id := int64(r.events.n + 1)
	e := history.Event{Timestamp: at, Type: t, ID: id, PreviousEventID: prev, Details: details}
	r.events.add(e)
	if r.env.OnEvent != nil {
		r.env.OnEvent(e)
	}
	return id
}

func (r *Run) now() time.Time { return r.env.Clock.Now() }

// HardMaxEvents bounds a run whose Execution.MaxEvents is 0 (no AWS
// limit, as for EXPRESS): on a virtual clock a loop of Pass states takes
// no time, so without a bound it would never end.
const HardMaxEvents = 2000000

func (r *Run) maxEvents() int {
	if r.ex.MaxEvents > 0 {
		return r.ex.MaxEvents
	}
	return HardMaxEvents
}

// Step advances the run by one transition and returns its status.
func (r *Run) Step(ctx context.Context) Status {
	if r.journaling() {
		r.env.Journal.call("step")
	}
	return r.step(ctx)
}

func (r *Run) step(ctx context.Context) Status {
	if r.status.Final() {
		return r.status
	}
	now := r.now()
	if !r.deadline.IsZero() && !now.Before(r.deadline) {
		// AWS reports neither error nor cause for an execution timeout.
		r.finish(TimedOut, history.ExecutionTimedOut, "", "", r.lastEventID())
		return r.status
	}
	if r.root.stage == stageDone {
		r.complete(r.root)
		return r.status
	}
	th := r.root.runnable(now)
	if th == nil {
		r.status = r.blockedStatus()
		return r.status
	}
	th.step(ctx)
	if r.status.Final() {
		return r.status
	}
	if r.root.stage == stageDone {
		r.complete(r.root)
		return r.status
	}
	r.status = Running
	if r.root.runnable(r.now()) == nil {
		r.status = r.blockedStatus()
	}
	return r.status
}

func (r *Run) lastEventID() int64 { return int64(r.events.n) }

func (r *Run) blockedStatus() Status {
	if len(r.tasks) > 0 {
		return WaitingTask
	}
	return WaitingTimer
}

// complete ends the execution with the root thread's outcome.
func (r *Run) complete(root *thread) {
	if root.err != nil {
		r.finish(Failed, history.ExecutionFailed, root.err.Name, root.err.Cause, root.errEvent)
		return
	}
	if len(root.output) > MaxPayloadBytes {
		r.finish(Failed, history.ExecutionFailed, states.DataLimitExceeded,
			"The state/task returned a result with a size exceeding the maximum number of bytes service limit.", root.last)
		return
	}
	r.output = root.output
	r.status = Succeeded
	r.stop = r.now()
	r.record(history.ExecutionSucceeded, root.last, &history.OutputDetails{Output: history.Payload(root.output), OutputDetails: history.NotTruncated()})
}

func (r *Run) finish(st Status, t history.Type, name, cause string, prev int64) {
	r.status = st
	r.errName, r.cause = name, cause
	r.stop = r.now()
	r.tasks = map[string]*thread{}
	r.abortMapRuns()
	r.record(t, prev, &history.FailureDetails{Error: name, Cause: cause})
}

// Drive steps the run while it is Running and returns the first other
// status.
func (r *Run) Drive(ctx context.Context) Status {
	if r.journaling() {
		r.env.Journal.call("drive")
	}
	for {
		st := r.step(ctx)
		if st != Running {
			return st
		}
		if ctx.Err() != nil {
			return st
		}
	}
}

// Status returns the run's current status.
func (r *Run) Status() Status { return r.status }

// WakeAt returns the time at which the run has something to do although
// nothing arrives (a Wait, a retry interval, a task or execution timeout);
// zero when there is none.
func (r *Run) WakeAt() time.Time {
	if r.status.Final() {
		return time.Time{}
	}
	w := r.root.earliestWake()
	if !r.deadline.IsZero() && (w.IsZero() || r.deadline.Before(w)) {
		w = r.deadline
	}
	return w
}

// PendingTokens returns the tokens of the tasks the run waits for.
func (r *Run) PendingTokens() []string {
	out := make([]string, 0, len(r.tasks))
	for t := range r.tasks {
		out = append(out, t)
	}
	return out
}

// Events returns the history so far, in a new slice.
func (r *Run) Events() []history.Event { return r.events.appendFrom(nil, 0) }

// EventsSince returns the events after the first n, in a new slice.
func (r *Run) EventsSince(n int) []history.Event { return r.events.appendFrom(nil, n) }

// EventCount returns the number of events recorded so far.
func (r *Run) EventCount() int { return r.events.n }

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

// SendTaskSuccess completes the pending task with the token. output must
// be valid JSON.
func (r *Run) SendTaskSuccess(token string, output []byte) error {
	if r.journaling() {
		r.env.Journal.call("success", token, string(output))
	}
	th, err := r.pending(token)
	if err != nil {
		return err
	}
	delete(r.tasks, token)
	th.taskSucceeded(output)
	r.status = Running
	return nil
}

// SendTaskFailure fails the pending task with the token.
func (r *Run) SendTaskFailure(token, errName, cause string) error {
	if r.journaling() {
		r.env.Journal.call("failure", token, errName, cause)
	}
	th, err := r.pending(token)
	if err != nil {
		return err
	}
	delete(r.tasks, token)
	th.taskFailed(&states.Error{Name: errName, Cause: cause}, "")
	r.status = Running
	return nil
}

// CompleteTask ends the pending task with the token with res, as a
// runner's immediate result would have (Outcome chooses the event; an
// Output that is not JSON fails the state as such a result does). Pending
// in res is ignored.
func (r *Run) CompleteTask(token string, res TaskResult) error {
	if r.journaling() {
		r.env.Journal.call("complete", token, string(encodeTask(res)))
	}
	th, err := r.pending(token)
	if err != nil {
		return err
	}
	delete(r.tasks, token)
	th.finishTask(res)
	r.status = Running
	return nil
}

// SendTaskHeartbeat records a heartbeat for the pending task: its
// heartbeat timeout starts again.
func (r *Run) SendTaskHeartbeat(token string) error {
	if r.journaling() {
		r.env.Journal.call("heartbeat", token)
	}
	th, err := r.pending(token)
	if err != nil {
		return err
	}
	if th.task != nil && th.task.heartbeat > 0 {
		th.task.heartbeatAt = r.now().Add(time.Duration(th.task.heartbeat) * time.Second)
	}
	return nil
}

func (r *Run) pending(token string) (*thread, error) {
	th, err := r.waiting(token)
	if err == nil && !th.task.started {
		return nil, ErrTaskDoesNotExist
	}
	return th, err
}

// waiting finds the thread whose task has the token, started or not.
func (r *Run) waiting(token string) (*thread, error) {
	if r.status.Final() {
		return nil, ErrRunFinished
	}
	th, ok := r.tasks[token]
	if !ok || th.task == nil {
		return nil, ErrTaskDoesNotExist
	}
	return th, nil
}

// StartActivity records that a worker took the activity task with the
// token (GetActivityTask): ActivityStarted with the worker's name (empty:
// none), and the task's TimeoutSeconds and HeartbeatSeconds start now.
// Only a task whose runner answered StartDeferred can be started, once.
// It returns ErrRunFinished when the run has ended or its execution
// timeout has passed (the run times out at its next step), and
// ErrTaskDoesNotExist when no such task waits for a worker.
func (r *Run) StartActivity(token, workerName string) error {
	if r.journaling() {
		r.env.Journal.call("activity", token, workerName)
	}
	th, err := r.waiting(token)
	if err != nil {
		return err
	}
	task := th.task
	if task.started || task.res.Kind != kindActivity {
		return ErrTaskDoesNotExist
	}
	now := r.now()
	if !r.deadline.IsZero() && !now.Before(r.deadline) {
		return ErrRunFinished
	}
	task.arm(now)
	th.emit(history.ActivityStarted, &history.ActivityStartedDetails{WorkerName: workerName})
	return nil
}

// Stop aborts the run (StopExecution) with the optional error and cause.
func (r *Run) Stop(errName, cause string) {
	if r.status.Final() {
		return
	}
	if r.journaling() {
		r.env.Journal.call("stop", errName, cause)
	}
	r.finish(Aborted, history.ExecutionAborted, errName, cause, r.lastEventID())
}
