package interp

import (
	"context"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// Clock tells an execution the time. The interpreter reads it whenever it
// stamps an event or arms a timer, so a virtual clock gives the timestamps
// AWS would record without anyone waiting.
type Clock interface {
	Now() time.Time
}

// VirtualClock is a Clock that only moves when told to. Safe for use by one
// goroutine at a time.
type VirtualClock struct{ t time.Time }

// NewVirtualClock returns a clock that reads start.
func NewVirtualClock(start time.Time) *VirtualClock { return &VirtualClock{t: start} }

// Now returns the clock's time.
func (c *VirtualClock) Now() time.Time { return c.t }

// Set moves the clock to t if t is later than its time.
func (c *VirtualClock) Set(t time.Time) {
	if t.After(c.t) {
		c.t = t
	}
}

// Advance moves the clock forward by d.
func (c *VirtualClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// IDs generates the identifiers an execution needs (task tokens, States.UUID,
// generated names).
type IDs interface {
	UUID() string
}

// TaskRequest is one invocation of a Task state's resource.
type TaskRequest struct {
	ExecutionARN    string
	StateMachineARN string
	StateName       string
	// Resource is the Resource field as written; ResourceType and
	// ResourceName are what TaskScheduled reports ("lambda", "invoke").
	Resource     string
	ResourceType string
	ResourceName string
	// Pattern is "", "sync", "sync:2" or "waitForTaskToken".
	Pattern          string
	Parameters       []byte // the effective parameters (JSON)
	Token            string // the task token ($$.Task.Token)
	TimeoutSeconds   int64
	HeartbeatSeconds int64
	Attempt          int // 0 for the first try, then 1, 2 ... for retries
	// StateEnteredEventID is the id of the state's TaskStateEntered event,
	// which AWS names in the cause of a failure to start the task.
	StateEnteredEventID int64
}

// TaskResult is what a TaskRunner reports for an invocation.
type TaskResult struct {
	// Output is the task's result (JSON) when it succeeded; the run may keep
	// the slice, so the runner must not change it afterwards.
	Output []byte
	// Err is the task's failure; nil means success.
	Err *states.Error
	// Outcome optionally names the history event that ends the invocation
	// (TaskFailed, TaskTimedOut, LambdaFunctionFailed, ...); zero picks the
	// natural one for the resource and Err.
	Outcome history.Type
	// Pending means the result comes later, through Run.SendTaskSuccess or
	// Run.SendTaskFailure with the request's Token.
	Pending bool
	// Token is, for a Pending result of a task that has no token of its
	// own (not a callback or activity task), the token the runner will
	// deliver the result with; empty: the run generates one.
	Token string
	// Submitted is the output of the submit call for a .waitForTaskToken
	// task (the TaskSubmitted event's output); nil means "{}".
	Submitted []byte
	// StartDeferred, for a Pending result of an activity task, means no
	// worker has the task yet: ActivityStarted is recorded, and the
	// state's TimeoutSeconds and HeartbeatSeconds start, when the host
	// calls Run.StartActivity (a worker took it with GetActivityTask).
	// Until then the task takes no SendTask* calls. Ignored for other
	// results, whose ActivityStarted is recorded at once.
	StartDeferred bool
}

// TaskRunner runs Task resources for the interpreter. It must not block
// for long: a result that takes time is returned Pending and delivered
// later.
type TaskRunner interface {
	RunTask(ctx context.Context, req *TaskRequest) TaskResult
}

// TaskRunnerFunc adapts a function to TaskRunner.
type TaskRunnerFunc func(ctx context.Context, req *TaskRequest) TaskResult

// RunTask calls f.
func (f TaskRunnerFunc) RunTask(ctx context.Context, req *TaskRequest) TaskResult { return f(ctx, req) }

// Env holds an execution's effects. Clock and IDs are required; Tasks nil
// fails every Task state as an unreachable resource would.
type Env struct {
	Clock Clock
	IDs   IDs
	Tasks TaskRunner
	// Random returns a uniform integer in [lo, hi) for States.MathRandom
	// without a seed. nil uses a fixed sequence.
	Random func(lo, hi int64) int64
	// OnEvent, if set, is called with every event as it is recorded.
	OnEvent func(history.Event)
	// TraceDataFlow records the data flow of every state visit, for
	// Run.DataFlow (debuggers). Off, the stages cost one comparison each.
	TraceDataFlow bool
	// Journal, if set, records what the run reads from this Env and the
	// calls its host makes, for Program.Replay (journal.go).
	Journal *Journal
}
