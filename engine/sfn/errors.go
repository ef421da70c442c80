package sfn

import (
	"fmt"
	"strings"
)

// Error is an API error: Code is AWS's exception name (the __type of the
// response body), Message AWS's text. Hosts answer it with HTTPStatus and
// the body {"__type": Code, "message": Message}.
type Error struct {
	Code    string
	Message string
}

// Error returns "Code: Message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// The exception names of the Step Functions API that Service returns.
const (
	CodeValidation                  = "ValidationException"
	CodeSerialization               = "SerializationException"
	CodeUnknownOperation            = "UnknownOperationException"
	CodeInternalFailure             = "InternalFailure"
	CodeServiceUnavailable          = "ServiceUnavailable"
	CodeInvalidArn                  = "InvalidArn"
	CodeInvalidName                 = "InvalidName"
	CodeInvalidDefinition           = "InvalidDefinition"
	CodeInvalidLoggingConfiguration = "InvalidLoggingConfiguration"
	CodeInvalidTracingConfiguration = "InvalidTracingConfiguration"
	CodeInvalidExecutionInput       = "InvalidExecutionInput"
	CodeInvalidToken                = "InvalidToken"
	CodeMissingRequiredParameter    = "MissingRequiredParameter"
	CodeTooManyTags                 = "TooManyTags"
	CodeStateMachineAlreadyExists   = "StateMachineAlreadyExists"
	CodeStateMachineDoesNotExist    = "StateMachineDoesNotExist"
	CodeStateMachineDeleting        = "StateMachineDeleting"
	CodeStateMachineTypeNotSupport  = "StateMachineTypeNotSupported"
	CodeExecutionAlreadyExists      = "ExecutionAlreadyExists"
	CodeExecutionDoesNotExist       = "ExecutionDoesNotExist"
	CodeExecutionLimitExceeded      = "ExecutionLimitExceeded"
)

// httpStatus is the one table from exception name to HTTP status. AWS
// answers every modelled Step Functions exception with 400; only the
// service-side failures are 5xx. See
// https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html
var httpStatus = map[string]int{
	CodeInternalFailure:    500,
	CodeServiceUnavailable: 503,
}

// HTTPStatus returns the HTTP status AWS answers the error code with: 500
// for InternalFailure, 503 for ServiceUnavailable, 400 for every other
// (client) error.
func (e *Error) HTTPStatus() int {
	if s, ok := httpStatus[e.Code]; ok {
		return s
	}
	return 400
}

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func stateMachineDoesNotExist(arn string) *Error {
	return errorf(CodeStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
}

func executionDoesNotExist(arn string) *Error {
	return errorf(CodeExecutionDoesNotExist, "Execution Does Not Exist: '%s'", arn)
}

func invalidArn(reason string) *Error {
	return errorf(CodeInvalidArn, "Invalid Arn: '%s'", reason)
}

// violations collects the constraint failures of one request, reported
// together in AWS's ValidationException wording.
type violations []string

// null records a missing required member.
func (v *violations) null(member string) {
	*v = append(*v, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", member))
}

// add records a value that fails a constraint.
func (v *violations) add(value, member, constraint string) {
	*v = append(*v, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", value, member, constraint))
}

// maxLen checks a string's length in characters.
func (v *violations) length(s, member string, lo, hi int) {
	n := len([]rune(s))
	switch {
	case n < lo:
		v.add(s, member, fmt.Sprintf("Member must have length greater than or equal to %d", lo))
	case n > hi:
		v.add(s, member, fmt.Sprintf("Member must have length less than or equal to %d", hi))
	}
}

// required checks a member that must be present, with a length between
// lo and hi characters.
func (v *violations) required(s *string, member string, lo, hi int) {
	if s == nil {
		v.null(member)
		return
	}
	v.length(*s, member, lo, hi)
}

// optional checks a member that may be absent: when present, its length
// must be between lo and hi characters.
func (v *violations) optional(s *string, member string, lo, hi int) {
	if s != nil {
		v.length(*s, member, lo, hi)
	}
}

// err returns the ValidationException for the violations, or nil.
func (v violations) err() *Error {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return errorf(CodeValidation, "1 validation error detected: %s", v[0])
	}
	return errorf(CodeValidation, "%d validation errors detected: %s", len(v), strings.Join(v, "; "))
}
