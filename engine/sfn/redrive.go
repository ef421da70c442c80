package sfn

import (
	"context"
	"errors"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/store"
)

func init() {
	operations["RedriveExecution"] = (*Service).redriveExecution
}

// CodeExecutionNotRedrivable is RedriveExecution's refusal.
const CodeExecutionNotRedrivable = "ExecutionNotRedrivable"

// Redrive limits from the API reference and the developer guide
// (https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html).
const (
	redrivablePeriod = 14 * 24 * time.Hour
	maxOpenTime      = 365 * 24 * time.Hour
	// clientTokens: the last 10 tokens of an execution are answered
	// idempotently for 15 minutes after their first use.
	maxClientTokens = 10
	clientTokenTTL  = 15 * time.Minute
)

// maxOpenExecutions is AWS's quota of open executions per account and
// region; a variable so tests can reach it.
var maxOpenExecutions = 1000000

// RedriveExecutionInput is the RedriveExecution request.
type RedriveExecutionInput struct {
	ExecutionARN *string `json:"executionArn"`
	ClientToken  *string `json:"clientToken"`
}

// RedriveExecutionOutput is the RedriveExecution response.
type RedriveExecutionOutput struct {
	RedriveDate Timestamp `json:"redriveDate"`
}

// clientToken is one successful redrive's idempotency token.
type clientToken struct {
	token string
	date  time.Time
}

// redriveStatus returns DescribeExecution's redriveStatus and
// redriveStatusReason for an execution, with AWS's reasons (the reason is
// empty for a REDRIVABLE execution).
func (s *Service) redriveStatus(ctx context.Context, rec *store.Execution) (string, string, *Error) {
	switch rec.Status {
	case "FAILED", "TIMED_OUT", "ABORTED":
	default:
		return "NOT_REDRIVABLE", "Execution is " + rec.Status + " and cannot be redriven", nil
	}
	m, err := s.st.StateMachine(ctx, rec.StateMachineARN)
	switch {
	case errors.Is(err, store.ErrNotFound) || err == nil && m.Status == "DELETING":
		return "NOT_REDRIVABLE", "State machine is in DELETING status", nil
	case err != nil:
		return "", "", storeErr(err)
	}
	now := s.clock.Now()
	if !rec.StopDate.IsZero() && now.Sub(rec.StopDate) > redrivablePeriod {
		return "NOT_REDRIVABLE", "Execution redrivable period exceeded", nil
	}
	if now.Sub(rec.StartDate) > maxOpenTime {
		return "NOT_REDRIVABLE", "Execution has exceeded the max execution time", nil
	}
	if s.maxEvents > 0 {
		_, total, err := s.st.Events(ctx, rec.ARN, 0, 1)
		if err != nil {
			return "", "", storeErr(err)
		}
		// A redrive records ExecutionRedriven and at least one more event.
		if total >= s.maxEvents-1 {
			return "NOT_REDRIVABLE", "Execution history event limit exceeded", nil
		}
	}
	return "REDRIVABLE", "", nil
}

func (s *Service) redriveExecution(ctx context.Context, body []byte) (any, *Error) {
	var in RedriveExecutionInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.ExecutionARN, "executionArn", 1, 256)
	if in.ClientToken != nil {
		v.length(*in.ClientToken, "clientToken", 1, 64)
		if !printableASCII(*in.ClientToken) {
			v.add(*in.ClientToken, "clientToken", "Member must satisfy regular expression pattern: [!-~]+")
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	arn := *in.ExecutionARN
	p, err := parseARN(arn, "execution", "express")
	if err != nil {
		return nil, err
	}
	if p.resourceType == "express" {
		return nil, errorf(CodeExecutionNotRedrivable, "Execution is EXPRESS and cannot be redriven")
	}
	now := s.clock.Now()
	token := ""
	if in.ClientToken != nil {
		token = *in.ClientToken
		for _, t := range s.redriveTokens[arn] {
			if t.token == token && now.Sub(t.date) < clientTokenTTL {
				return RedriveExecutionOutput{RedriveDate: Timestamp(t.date)}, nil
			}
		}
	}
	rec, err := s.execution(ctx, arn)
	if err != nil {
		return nil, err
	}
	status, reason, err := s.redriveStatus(ctx, rec)
	if err != nil {
		return nil, err
	}
	if status != "REDRIVABLE" {
		return nil, errorf(CodeExecutionNotRedrivable, "%s", reason)
	}
	if len(s.live) >= maxOpenExecutions {
		return nil, errorf(CodeExecutionLimitExceeded, "Execution Limit Exceeded: 'The maximum number of running executions has been reached.'")
	}
	lr, err := s.redrive(ctx, rec, now)
	if err != nil {
		return nil, err
	}
	if token != "" {
		if s.redriveTokens == nil {
			s.redriveTokens = map[string][]clientToken{}
		}
		ts := append(s.redriveTokens[arn], clientToken{token: token, date: now})
		if len(ts) > maxClientTokens {
			ts = ts[len(ts)-maxClientTokens:]
		}
		s.redriveTokens[arn] = ts
	}
	return RedriveExecutionOutput{RedriveDate: Timestamp(lr.rec.RedriveDate)}, nil
}

// redrive restarts an ended execution from its history and drives it.
func (s *Service) redrive(ctx context.Context, rec *store.Execution, now time.Time) (*liveRun, *Error) {
	prog, perr := s.program(rec.Definition)
	if perr != nil {
		return nil, perr
	}
	events, _, err := s.st.Events(ctx, rec.ARN, 0, 0)
	if err != nil {
		return nil, storeErr(err)
	}
	// The run is set up as its record will read once redriven (the
	// count, the date, the clock), and the record changes only if the
	// redrive can happen.
	next := *rec
	next.Status, next.StopDate, next.Output, next.Error, next.Cause = "RUNNING", time.Time{}, nil, "", ""
	next.RedriveCount++
	next.RedriveDate = now
	next.OwnClock = s.virtual
	lr := &liveRun{rec: &next, stored: true, persisted: len(events), recDirty: true}
	env, ex := s.runEnv(lr, false)
	run, rerr := prog.Redrive(ctx, env, ex, events)
	if rerr != nil {
		return nil, errorf(CodeExecutionNotRedrivable, "Execution is %s and cannot be redriven", rec.Status)
	}
	*rec = next
	lr.rec = rec
	if s.durable == nil {
		if err := s.st.PutExecution(ctx, rec); err != nil {
			return nil, storeErr(err)
		}
	}
	lr.run = run
	s.live[rec.ARN] = lr
	if err := s.drive(ctx, lr); err != nil {
		return nil, err
	}
	return lr, nil
}

// printableASCII reports whether s matches [!-~]+ (checked for length
// apart).
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '!' || s[i] > '~' {
			return false
		}
	}
	return true
}
