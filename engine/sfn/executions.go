package sfn

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/asl"
	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/jsonpath"
	"github.com/stepwise-sfn/stepwise/engine/store"
)

// Limits from the API reference.
const (
	maxInputBytes     = 262144
	maxTraceHeaderLen = 256
	maxErrorLen       = 256
	maxCauseLen       = 32768
	maxExecTokenLen   = 3096
)

// invalidInput explains why an execution input is not JSON, in the words
// of AWS's JSON parser for the common cases.
func invalidInput(input string) *Error {
	const prefix = "Invalid State Machine Execution Input: '%s'"
	t := strings.TrimLeft(input, " \t\r\n")
	reason := "Invalid execution input."
	switch {
	case t == "":
	case t[0] >= 'a' && t[0] <= 'z' || t[0] >= 'A' && t[0] <= 'Z':
		end := strings.IndexFunc(t, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_')
		})
		if end < 0 {
			end = len(t)
		}
		reason = "Unrecognized token '" + t[:end] + "': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
	case t[0] == '{':
		rest := strings.TrimLeft(t[1:], " \t\r\n")
		if rest != "" && rest[0] != '"' && rest[0] != '}' {
			c := rest[0]
			reason = fmt.Sprintf("Unexpected character ('%c' (code %d)): was expecting double-quote to start field name", c, c)
		}
	}
	return errorf(CodeInvalidExecutionInput, prefix, reason)
}

// traceHeaderOK reports whether a trace header uses only ASCII, the
// pattern \p{ASCII}* of the API model.
func traceHeaderOK(h string) bool {
	for i := 0; i < len(h); i++ {
		if h[i] >= 0x80 {
			return false
		}
	}
	return true
}

// traceHeader generates an X-Ray trace header for an execution started at
// t: Root=1-<epoch seconds, 8 hex>-<24 random hex>;Sampled=1.
func (s *Service) traceHeader(t time.Time) string {
	random := strings.ReplaceAll(s.ids.UUID(), "-", "")
	for len(random) < 24 {
		random += "0"
	}
	return fmt.Sprintf("Root=1-%08x-%s;Sampled=1", t.Unix(), random[:24])
}

// start validates a StartExecution/StartSyncExecution request and starts
// the execution. It returns the live run, or for an idempotent repeat of
// a running execution the stored record alone.
func (s *Service) start(ctx context.Context, body []byte, sync bool) (*liveRun, *store.Execution, *Error) {
	return s.startWith(ctx, body, sync, startOptions{})
}

// startOptions are the debugger's additions to a start (debug.go).
type startOptions struct {
	paused bool // record ExecutionStarted and take no step
	trace  bool // record the data flow of every state visit
	// startTime, when set, is the start (a nested execution starts at its
	// parent's time); deferDrive leaves the first drive to later, so a
	// child does not run inside its parent's step (nested.go).
	startTime  time.Time
	deferDrive bool
}

// startWith is start with the debugger's options.
func (s *Service) startWith(ctx context.Context, body []byte, sync bool, opts startOptions) (*liveRun, *store.Execution, *Error) {
	var in StartExecutionInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, nil, err
	}
	var v violations
	v.required(in.StateMachineARN, "stateMachineArn", 1, 256)
	if in.Name != nil {
		v.length(*in.Name, "name", 1, maxNameLen)
	}
	if in.TraceHeader != nil {
		v.length(*in.TraceHeader, "traceHeader", 0, maxTraceHeaderLen)
		if !traceHeaderOK(*in.TraceHeader) {
			v.add(*in.TraceHeader, "traceHeader", `Member must satisfy regular expression pattern: \p{ASCII}*`)
		}
	}
	if err := v.err(); err != nil {
		return nil, nil, err
	}
	machineARN, testCase, _ := strings.Cut(*in.StateMachineARN, "#")
	m, versionARN, aliasARN, err := s.runTarget(ctx, machineARN)
	if err != nil {
		return nil, nil, err
	}
	if sync && m.Type != typeExpress {
		return nil, nil, &Error{Code: CodeStateMachineTypeNotSupport, Message: "This operation is not supported by this type of state machine"}
	}
	input, inputBytes := "{}", []byte("{}")
	if in.Input != nil {
		input = *in.Input
		if len(input) > maxInputBytes {
			return nil, nil, errorf(CodeInvalidExecutionInput, "Invalid State Machine Execution Input: 'Input exceeds the maximum size of %d bytes.'", maxInputBytes)
		}
		inputBytes = []byte(input)
		if !jsonpath.Valid(inputBytes) {
			return nil, nil, invalidInput(input)
		}
	}
	name := ""
	if in.Name != nil {
		name = *in.Name
		if !validName(name) {
			return nil, nil, errorf(CodeInvalidName, "Invalid Name: '%s'", name)
		}
	} else {
		name = s.ids.UUID()
	}
	arn := s.executionARN(m.Type, m.Name, name, s.ids.UUID())
	stored := m.Type == typeStandard
	if stored {
		prev, err := s.st.Execution(ctx, arn)
		switch {
		case err == nil:
			// Starting the same running execution again is idempotent.
			if prev.Status == "RUNNING" && string(prev.Input) == input {
				return nil, prev, nil
			}
			return nil, nil, errorf(CodeExecutionAlreadyExists, "Execution Already Exists: '%s'", arn)
		case !errors.Is(err, store.ErrNotFound):
			return nil, nil, storeErr(err)
		}
	}
	prog, perr := s.program(m.Definition)
	if perr != nil {
		return nil, nil, perr
	}
	startTime := s.clock.Now()
	if !opts.startTime.IsZero() {
		startTime = opts.startTime
	}
	trace := ""
	if in.TraceHeader != nil {
		trace = *in.TraceHeader
	} else if m.Tracing {
		trace = s.traceHeader(startTime)
	}
	rec := &store.Execution{
		ARN: arn, StateMachineARN: m.ARN, Name: name, Type: m.Type, Status: "RUNNING",
		Input: inputBytes, TraceHeader: trace, StartDate: startTime,
		Definition: m.Definition, RoleARN: m.RoleARN, Logging: m.Logging, Tracing: m.Tracing,
		RevisionID: m.RevisionID, MachineUpdateDate: m.UpdateDate,
		VersionARN: versionARN, AliasARN: aliasARN,
	}
	// A synchronous execution must end within the call, so it always runs
	// on its own virtual clock.
	rec.OwnClock, rec.TestCase = s.virtual || sync, testCase
	lr := &liveRun{rec: rec, stored: stored, paused: opts.paused}
	env, ex := s.runEnv(lr, opts.trace)
	if stored {
		if s.durable != nil {
			// written with the first checkpoint, with its events
			lr.recDirty = true
		} else if err := s.st.PutExecution(ctx, rec); err != nil {
			return nil, nil, storeErr(err)
		}
	}
	lr.run = prog.Start(ctx, env, ex)
	s.live[arn] = lr
	if opts.deferDrive {
		s.later(func(ctx context.Context) {
			if s.live[arn] == lr {
				s.drive(ctx, lr)
			}
		})
		return lr, lr.rec, nil
	}
	if err := s.drive(ctx, lr); err != nil {
		return nil, nil, err
	}
	return lr, lr.rec, nil
}

func (s *Service) startExecution(ctx context.Context, body []byte) (any, *Error) {
	_, rec, err := s.start(ctx, body, false)
	if err != nil {
		return nil, err
	}
	return StartExecutionOutput{ExecutionARN: rec.ARN, StartDate: Timestamp(rec.StartDate)}, nil
}

func (s *Service) startSyncExecution(ctx context.Context, body []byte) (any, *Error) {
	lr, rec, err := s.start(ctx, body, true)
	if err != nil {
		return nil, err
	}
	if !lr.run.Status().Final() {
		// Nothing can answer a callback within this call: the execution
		// is stopped rather than left behind.
		lr.run.Stop("", "")
		if err := s.sync(ctx, lr); err != nil {
			return nil, err
		}
	}
	input := string(rec.Input)
	out := StartSyncExecutionOutput{
		ExecutionARN: rec.ARN, StateMachineARN: rec.StateMachineARN, Name: rec.Name,
		StartDate: Timestamp(rec.StartDate), StopDate: Timestamp(rec.StopDate), Status: rec.Status,
		Error: rec.Error, Cause: rec.Cause, TraceHeader: rec.TraceHeader,
		Input: &input, InputDetails: &CloudWatchEventsExecutionDataDetails{Included: true},
		BillingDetails: &BillingDetails{BilledMemoryUsedInMB: 64, BilledDurationInMilliseconds: billedMillis(rec)},
	}
	if rec.Status == "SUCCEEDED" {
		output := string(rec.Output)
		out.Output, out.OutputDetails = &output, &CloudWatchEventsExecutionDataDetails{Included: true}
	}
	return out, nil
}

// billedMillis is the duration an express execution is billed for:
// rounded up to the next 100 ms, at least 100 ms.
func billedMillis(rec *store.Execution) int64 {
	ms := rec.StopDate.Sub(rec.StartDate).Milliseconds()
	ms = (ms + 99) / 100 * 100
	return max(ms, 100)
}

func (s *Service) stopExecution(ctx context.Context, body []byte) (any, *Error) {
	var in StopExecutionInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.ExecutionARN, "executionArn", 1, 256)
	errName, cause := "", ""
	if in.Error != nil {
		errName = *in.Error
		v.length(errName, "error", 0, maxErrorLen)
	}
	if in.Cause != nil {
		cause = *in.Cause
		v.length(cause, "cause", 0, maxCauseLen)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	arn := *in.ExecutionARN
	if _, err := parseARN(arn, "execution", "express"); err != nil {
		return nil, err
	}
	if lr := s.liveRun(ctx, arn); lr != nil {
		lr.run.Stop(errName, cause)
		if err := s.sync(ctx, lr); err != nil {
			return nil, err
		}
		return StopExecutionOutput{StopDate: Timestamp(lr.rec.StopDate)}, nil
	}
	rec, err := s.execution(ctx, arn)
	if err != nil {
		return nil, err
	}
	// Stopping an execution that has ended changes nothing.
	return StopExecutionOutput{StopDate: Timestamp(rec.StopDate)}, nil
}

func (s *Service) describeExecution(ctx context.Context, body []byte) (any, *Error) {
	var in DescribeExecutionInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	if err := requireARN(in.ExecutionARN, "executionArn"); err != nil {
		return nil, err
	}
	rec, err := s.execution(ctx, *in.ExecutionARN)
	if err != nil {
		return nil, err
	}
	input := string(rec.Input)
	out := DescribeExecutionOutput{
		ExecutionARN: rec.ARN, StateMachineARN: rec.StateMachineARN, Name: rec.Name, Status: rec.Status,
		StartDate: Timestamp(rec.StartDate), StopDate: Timestamp(rec.StopDate),
		Input: &input, InputDetails: &CloudWatchEventsExecutionDataDetails{Included: true},
		Error: rec.Error, Cause: rec.Cause, TraceHeader: rec.TraceHeader,
		StateMachineVersionARN: rec.VersionARN, StateMachineAliasARN: rec.AliasARN,
	}
	if rec.Status == "SUCCEEDED" {
		output := string(rec.Output)
		out.Output, out.OutputDetails = &output, &CloudWatchEventsExecutionDataDetails{Included: true}
	}
	out.RedriveCount, out.RedriveDate = rec.RedriveCount, Timestamp(rec.RedriveDate)
	if out.RedriveStatus, out.RedriveStatusReason, err = s.redriveStatus(ctx, rec); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) describeStateMachineForExecution(ctx context.Context, body []byte) (any, *Error) {
	var in DescribeStateMachineForExecutionInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	if err := requireARN(in.ExecutionARN, "executionArn"); err != nil {
		return nil, err
	}
	rec, err := s.execution(ctx, *in.ExecutionARN)
	if err != nil {
		return nil, err
	}
	name := rec.StateMachineARN[strings.LastIndexByte(rec.StateMachineARN, ':')+1:]
	return DescribeStateMachineForExecutionOutput{
		StateMachineARN: rec.StateMachineARN, Name: name, Definition: rec.Definition, RoleARN: rec.RoleARN,
		UpdateDate: Timestamp(rec.MachineUpdateDate), LoggingConfiguration: loggingToResponse(rec.Logging),
		TracingConfiguration: TracingConfiguration{Enabled: rec.Tracing}, RevisionID: rec.RevisionID,
		VariableReferences: asl.VariableReferences(rec.Definition),
	}, nil
}

func (s *Service) listExecutions(ctx context.Context, body []byte) (any, *Error) {
	var in ListExecutionsInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	if in.StateMachineARN != nil {
		v.length(*in.StateMachineARN, "stateMachineArn", 1, 256)
	}
	if in.StatusFilter != nil {
		switch *in.StatusFilter {
		case "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE":
		default:
			v.add(*in.StatusFilter, "statusFilter", "Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]")
		}
	}
	p := newPager("ex", in.MaxResults, in.NextToken, maxExecTokenLen, &v)
	if in.MapRunARN != nil {
		v.length(*in.MapRunARN, "mapRunArn", 1, 2000)
	}
	if in.RedriveFilter != nil && *in.RedriveFilter != "REDRIVEN" && *in.RedriveFilter != "NOT_REDRIVEN" {
		v.add(*in.RedriveFilter, "redriveFilter", "Member must satisfy enum value set: [REDRIVEN, NOT_REDRIVEN]")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if (in.StateMachineARN == nil) == (in.MapRunARN == nil) {
		// The API takes a state machine or a map run ARN, not both.
		return nil, &Error{Code: CodeValidation, Message: "Must provide a StateMachine ARN or MapRun ARN"}
	}
	if in.MapRunARN != nil {
		return s.listMapRunExecutions(ctx, *in.MapRunARN)
	}
	if err := p.decode(); err != nil {
		return nil, err
	}
	// A version or alias ARN lists the executions started through it.
	ref, rerr := parseMachineRef(*in.StateMachineARN)
	if rerr != nil {
		return nil, rerr
	}
	m, merr := s.machine(ctx, ref.base)
	if merr != nil {
		return nil, merr
	}
	if m.Type == typeExpress {
		return nil, &Error{Code: CodeStateMachineTypeNotSupport, Message: "This operation is not supported by this type of state machine"}
	}
	all, err := s.st.Executions(ctx, m.ARN)
	if err != nil {
		return nil, storeErr(err)
	}
	if ref.base != *in.StateMachineARN {
		kept := all[:0]
		for _, e := range all {
			if e.VersionARN == *in.StateMachineARN && ref.version > 0 || e.AliasARN == *in.StateMachineARN {
				kept = append(kept, e)
			}
		}
		all = kept
	}
	if in.StatusFilter != nil {
		kept := all[:0]
		for _, e := range all {
			if e.Status == *in.StatusFilter {
				kept = append(kept, e)
			}
		}
		all = kept
	}
	if in.RedriveFilter != nil {
		kept := all[:0]
		for _, e := range all {
			if (e.RedriveCount > 0) == (*in.RedriveFilter == "REDRIVEN") {
				kept = append(kept, e)
			}
		}
		all = kept
	}
	var out ListExecutionsOutput
	out.Executions, out.NextToken = page(p, all, func(e *store.Execution) ExecutionListItem {
		return ExecutionListItem{
			ExecutionARN: e.ARN, StateMachineARN: e.StateMachineARN, Name: e.Name, Status: e.Status,
			StartDate: Timestamp(e.StartDate), StopDate: Timestamp(e.StopDate),
			StateMachineVersionARN: e.VersionARN, StateMachineAliasARN: e.AliasARN,
			RedriveCount: e.RedriveCount, RedriveDate: Timestamp(e.RedriveDate),
		}
	})
	return out, nil
}

func (s *Service) getExecutionHistory(ctx context.Context, body []byte) (any, *Error) {
	var in GetExecutionHistoryInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.ExecutionARN, "executionArn", 1, 256)
	// Forward and reverse pages count from opposite ends, so their
	// tokens are not interchangeable.
	kind := "hf"
	if in.ReverseOrder {
		kind = "hr"
	}
	p := newPager(kind, in.MaxResults, in.NextToken, maxExecTokenLen, &v)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := p.decode(); err != nil {
		return nil, err
	}
	done, limit := p.offset, p.limit
	arn := *in.ExecutionARN
	if _, err := s.execution(ctx, arn); err != nil {
		return nil, err
	}
	var evs []history.Event
	var total int
	var err error
	if !in.ReverseOrder {
		evs, total, err = s.st.Events(ctx, arn, done, limit)
	} else {
		if _, total, err = s.st.Events(ctx, arn, 0, 1); err == nil {
			end := max(total-done, 0)
			start := max(end-limit, 0)
			evs, _, err = s.st.Events(ctx, arn, start, end-start)
			for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
				evs[i], evs[j] = evs[j], evs[i]
			}
		}
	}
	if err != nil {
		return nil, storeErr(err)
	}
	if in.IncludeExecutionData != nil && !*in.IncludeExecutionData {
		for i := range evs {
			if evs[i].Details != nil {
				evs[i].Details = withoutData(evs[i].Details)
			}
		}
	}
	out := GetExecutionHistoryOutput{Events: evs}
	if out.Events == nil {
		out.Events = []history.Event{}
	}
	if next := done + len(evs); next < total {
		out.NextToken = p.next(next)
	}
	return out, nil
}
