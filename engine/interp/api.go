package interp

import (
	"time"
)

// Status is where a Run stands after a Step.
type Status int

// The statuses of a Run. The first three are not final.
const (
	// Running: Step again.
	Running Status = iota
	// WaitingTask: a Task waits for SendTaskSuccess/Failure (PendingTokens),
	// or for the clock to reach WakeAt (a task timeout), whichever first.
	WaitingTask
	// WaitingTimer: nothing to do before the clock reaches WakeAt.
	WaitingTimer
	Succeeded
	Failed
	TimedOut
	Aborted
)

// Final reports whether the execution has ended.
func (s Status) Final() bool { return s >= Succeeded }

// String returns the ExecutionStatus name AWS uses (RUNNING for the
// statuses that are not final).
func (s Status) String() string {
	switch s {
	case Succeeded:
		return "SUCCEEDED"
	case Failed:
		return "FAILED"
	case TimedOut:
		return "TIMED_OUT"
	case Aborted:
		return "ABORTED"
	}
	return "RUNNING"
}

// Execution is the identity and input of one run of a Program.
type Execution struct {
	ExecutionARN     string
	StateMachineARN  string
	StateMachineName string
	Name             string // the execution's name
	RoleARN          string
	Type             string // "STANDARD" (default) or "EXPRESS"
	Input            []byte // valid JSON; nil means "{}"
	// StartTime is the start; zero reads Env.Clock.
	StartTime time.Time
	Region    string
	AccountID string
	// MaxEvents bounds the history (AWS: 25,000 for STANDARD); 0 means
	// no limit.
	MaxEvents int
	// StateMachineVersionARN and StateMachineAliasARN are reported in
	// ExecutionStarted when the run was started through them.
	StateMachineVersionARN string
	StateMachineAliasARN   string
	RedriveCount           int
}
