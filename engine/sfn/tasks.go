package sfn

import (
	"context"

	"github.com/stepwise-sfn/stepwise/engine/jsonpath"
)

func init() {
	operations["SendTaskSuccess"] = (*Service).sendTaskSuccess
	operations["SendTaskFailure"] = (*Service).sendTaskFailure
	operations["SendTaskHeartbeat"] = (*Service).sendTaskHeartbeat
}

// Error codes of the SendTask* operations.
const (
	CodeTaskDoesNotExist = "TaskDoesNotExist"
	CodeTaskTimedOut     = "TaskTimedOut"
	CodeInvalidOutput    = "InvalidOutput"
)

// SendTaskSuccessInput is the SendTaskSuccess request.
type SendTaskSuccessInput struct {
	TaskToken *string `json:"taskToken"`
	Output    *string `json:"output"`
}

// SendTaskFailureInput is the SendTaskFailure request.
type SendTaskFailureInput struct {
	TaskToken *string `json:"taskToken"`
	Error     *string `json:"error"`
	Cause     *string `json:"cause"`
}

// SendTaskHeartbeatInput is the SendTaskHeartbeat request.
type SendTaskHeartbeatInput struct {
	TaskToken *string `json:"taskToken"`
}

// sendTask finds the execution waiting for token (s.tokens, kept by
// sync), lets deliver hand it the outcome, then drives the execution on
// until it waits or ends. A token this service gave out whose task has
// ended, or whose execution has, is TaskTimedOut, as on AWS; the token of
// an activity task no worker has taken yet was not given out.
func (s *Service) sendTask(ctx context.Context, token string, deliver func(lr *liveRun) error) *Error {
	arn, ok := s.tokenExecution(ctx, token)
	if !ok || s.activityUnclaimed(token) {
		return errorf(CodeInvalidToken, "Invalid Token: 'Invalid token'")
	}
	lr := s.liveRun(ctx, arn)
	if lr == nil || deliver(lr) != nil {
		return errorf(CodeTaskTimedOut, "Task Timed Out: 'Provided task does not exist anymore'")
	}
	return s.drive(ctx, lr)
}

func (s *Service) sendTaskSuccess(ctx context.Context, body []byte) (any, *Error) {
	var in SendTaskSuccessInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.TaskToken, "taskToken", 1, 2048)
	if in.Output == nil {
		v.null("output")
	} else if len(*in.Output) > maxInputBytes {
		v.add("...", "output", "Member must have length less than or equal to 262144")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	out := []byte(*in.Output)
	if !jsonpath.Valid(out) {
		return nil, errorf(CodeInvalidOutput, "Invalid Output: 'Output is not valid JSON'")
	}
	if err := s.sendTask(ctx, *in.TaskToken, func(lr *liveRun) error {
		return lr.run.SendTaskSuccess(*in.TaskToken, out)
	}); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Service) sendTaskFailure(ctx context.Context, body []byte) (any, *Error) {
	var in SendTaskFailureInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.TaskToken, "taskToken", 1, 2048)
	errName, cause := "", ""
	if in.Error != nil {
		errName = *in.Error
		v.length(errName, "error", 0, 256)
	}
	if in.Cause != nil {
		cause = *in.Cause
		v.length(cause, "cause", 0, 32768)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.sendTask(ctx, *in.TaskToken, func(lr *liveRun) error {
		return lr.run.SendTaskFailure(*in.TaskToken, errName, cause)
	}); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Service) sendTaskHeartbeat(ctx context.Context, body []byte) (any, *Error) {
	var in SendTaskHeartbeatInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.TaskToken, "taskToken", 1, 2048)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.sendTask(ctx, *in.TaskToken, func(lr *liveRun) error {
		return lr.run.SendTaskHeartbeat(*in.TaskToken)
	}); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
