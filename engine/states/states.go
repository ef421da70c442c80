// Package states names the errors of the Amazon States Language and carries
// the runtime error that Retry and Catch match against.
//
// See https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
package states

// The predefined error names of the Amazon States Language.
const (
	ALL                    = "States.ALL"
	HeartbeatTimeout       = "States.HeartbeatTimeout"
	Timeout                = "States.Timeout"
	TaskFailed             = "States.TaskFailed"
	Permissions            = "States.Permissions"
	ResultPathMatchFailure = "States.ResultPathMatchFailure"
	ParameterPathFailure   = "States.ParameterPathFailure"
	BranchFailed           = "States.BranchFailed"
	NoChoiceMatched        = "States.NoChoiceMatched"
	IntrinsicFailure       = "States.IntrinsicFailure"
	ExceedToleratedFailure = "States.ExceedToleratedFailureThreshold"
	ItemReaderFailed       = "States.ItemReaderFailed"
	ResultWriterFailed     = "States.ResultWriterFailed"
	Runtime                = "States.Runtime"
	DataLimitExceeded      = "States.DataLimitExceeded"
	QueryEvaluationError   = "States.QueryEvaluationError"
	HTTPSocket             = "States.Http.Socket"
)

// Error is a runtime error of a state machine execution: what Retry and Catch
// match by Name, and what a failed execution reports as error and cause.
type Error struct {
	Name  string
	Cause string
}

// Error implements error.
func (e *Error) Error() string {
	if e.Cause == "" {
		return e.Name
	}
	return e.Name + ": " + e.Cause
}

// New returns an *Error with the given name and cause.
func New(name, cause string) *Error { return &Error{Name: name, Cause: cause} }

// Terminal reports whether the error cannot be caught by States.ALL: AWS
// lets only an explicit ErrorEquals entry match these.
func Terminal(name string) bool {
	return name == Runtime || name == DataLimitExceeded
}

// Matches reports whether a Retrier's or Catcher's ErrorEquals list matches
// the error name. States.ALL matches every name except the terminal ones;
// States.TaskFailed matches every error except States.Timeout and the
// terminal ones (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
func Matches(errorEquals []string, name string) bool {
	for _, e := range errorEquals {
		switch {
		case e == name:
			return true
		case e == ALL && !Terminal(name):
			return true
		case e == Timeout && name == HeartbeatTimeout:
			// States.Timeout also catches heartbeat timeouts, as it did
			// before States.HeartbeatTimeout existed.
			return true
		case e == TaskFailed && name != Timeout && !Terminal(name):
			return true
		}
	}
	return false
}
