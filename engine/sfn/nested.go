package sfn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/jsonpath"
	"github.com/stepwise-sfn/stepwise/engine/states"
	"github.com/stepwise-sfn/stepwise/engine/store"
)

// Nested executions, arn:aws:states:::states:startExecution with the
// request-response, .sync and .sync:2 patterns: a Task state starts
// another state machine of this service. Fire-and-forget returns the
// StartExecution answer; .sync waits for the child and returns its
// DescribeExecution (Output as JSON text), .sync:2 the same with Input and
// Output as JSON values. A child that does not succeed fails the task with
// States.TaskFailed and its DescribeExecution as the cause.
//
// See https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html

func init() {
	integrations = append(integrations, integration{claims: claimsNested, run: (*Service).runNested})
}

// maxNestingDepth bounds a chain of executions each started by the
// previous one: a state machine that starts itself would otherwise run
// forever on virtual time, inside one call. The bound is Stepwise's (AWS
// documents none; it would stop such a chain at its open-executions
// quota, with the same ExecutionLimitExceeded).
const maxNestingDepth = 100

// childLink is what the service remembers of an execution a Task state
// started.
type childLink struct {
	parent string // the parent execution's ARN
	depth  int    // 1 for a child of a top-level execution
	// token is the parent's pending task while a .sync or .sync:2 task
	// waits for the child; "" once delivered or for fire-and-forget.
	token   string
	pattern string
}

// nestedParams are the Parameters of a startExecution task.
type nestedParams struct {
	StateMachineArn *string
	Input           json.RawMessage
	Name            *string
	TraceHeader     *string
}

// isStartExecution reports whether req is a startExecution task.
func isStartExecution(req *interp.TaskRequest) bool {
	if req.ResourceType != "states" || !strings.Contains(req.Resource, ":states:") {
		return false
	}
	switch req.ResourceName {
	case "startExecution", "startExecution.sync", "startExecution.sync:2":
		return true
	}
	return false
}

// claimsNested takes a startExecution task whose StateMachineArn names a
// state machine of this service.
func claimsNested(s *Service, ctx context.Context, req *interp.TaskRequest) bool {
	if !isStartExecution(req) {
		return false
	}
	var p nestedParams
	if json.Unmarshal(req.Parameters, &p) != nil || p.StateMachineArn == nil {
		return false
	}
	_, err := s.machine(ctx, *p.StateMachineArn)
	return err == nil
}

// runNested starts the child (its first steps come later, after the
// parent's step) and answers at once for fire-and-forget, or Pending for
// .sync and .sync:2.
func (s *Service) runNested(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
	var p nestedParams
	if err := json.Unmarshal(req.Parameters, &p); err != nil {
		return interp.TaskResult{Err: states.New(states.Runtime, err.Error())}
	}
	depth := 1
	if l := s.nested[req.ExecutionARN]; l != nil {
		depth = l.depth + 1
	}
	if depth > maxNestingDepth {
		return interp.TaskResult{Err: s.sdkError(errorf(CodeExecutionLimitExceeded,
			"Execution Limit Exceeded: 'The chain of nested executions is deeper than %d.'", maxNestingDepth))}
	}
	input := "{}"
	if v := bytes.TrimSpace(p.Input); len(v) > 0 && !bytes.Equal(v, []byte("null")) {
		if v[0] == '"' {
			// A string is the input's JSON text itself.
			json.Unmarshal(v, &input)
		} else if c, ok := jsonpath.Compact(v); ok {
			input = string(c)
		}
	}
	body := map[string]any{"stateMachineArn": *p.StateMachineArn, "input": input}
	if p.Name != nil {
		body["name"] = *p.Name
	}
	if p.TraceHeader != nil {
		body["traceHeader"] = *p.TraceHeader
	}
	raw, _ := json.Marshal(body)
	opts := startOptions{deferDrive: true}
	if parent := s.live[req.ExecutionARN]; parent != nil && parent.clock != nil {
		opts.startTime = parent.clock.Now()
	}
	_, rec, apiErr := s.startWith(ctx, raw, false, opts)
	if apiErr != nil {
		return interp.TaskResult{Err: s.sdkError(apiErr)}
	}
	if s.nested == nil {
		s.nested = map[string]*childLink{}
	}
	link := &childLink{parent: req.ExecutionARN, depth: depth, pattern: req.Pattern}
	s.nested[rec.ARN] = link
	started := s.startExecutionResult(rec)
	if req.Pattern != "sync" && req.Pattern != "sync:2" {
		return interp.TaskResult{Output: started}
	}
	link.token = s.ids.UUID()
	return interp.TaskResult{Pending: true, Token: link.token, Submitted: started}
}

// sdkError is how an optimized integration reports an error of the
// Step Functions API it called: StepFunctions.<Exception> with the AWS
// SDK's wording as the cause.
func (s *Service) sdkError(e *Error) *states.Error {
	name := e.Code
	if !strings.HasSuffix(name, "Exception") {
		name += "Exception"
	}
	return states.New("StepFunctions."+name, fmt.Sprintf(
		"%s (Service: AWSStepFunctions; Status Code: %d; Error Code: %s; Request ID: %s; Proxy: null)",
		e.Message, e.HTTPStatus(), e.Code, s.ids.UUID()))
}

// startExecutionResult is the StartExecution answer as the task sees it:
// the SDK's response object, with its HTTP metadata.
func (s *Service) startExecutionResult(rec *store.Execution) []byte {
	resp, _ := json.Marshal(StartExecutionOutput{ExecutionARN: rec.ARN, StartDate: Timestamp(rec.StartDate)})
	id := s.ids.UUID()
	date := rec.StartDate.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")
	length := strconv.Itoa(len(resp))
	var b bytes.Buffer
	b.WriteString(`{"ExecutionArn":`)
	writeJSONString(&b, rec.ARN)
	b.WriteString(`,"SdkHttpMetadata":{"AllHttpHeaders":{"x-amzn-RequestId":[`)
	writeJSONString(&b, id)
	b.WriteString(`],"connection":["keep-alive"],"Content-Length":["` + length + `"],"Date":[`)
	writeJSONString(&b, date)
	b.WriteString(`],"Content-Type":["application/x-amz-json-1.0"]},"HttpHeaders":{"connection":"keep-alive","Content-Length":"` +
		length + `","Content-Type":"application/x-amz-json-1.0","Date":`)
	writeJSONString(&b, date)
	b.WriteString(`,"x-amzn-RequestId":`)
	writeJSONString(&b, id)
	b.WriteString(`},"HttpStatusCode":200},"SdkResponseMetadata":{"RequestId":`)
	writeJSONString(&b, id)
	b.WriteString(`},"StartDate":`)
	b.WriteString(strconv.FormatInt(rec.StartDate.UnixMilli(), 10))
	b.WriteByte('}')
	return b.Bytes()
}

func writeJSONString(b *bytes.Buffer, s string) {
	b.Write(history.AppendString(nil, s))
}

// describeChild is the child's DescribeExecution as a .sync task reports
// it (keys as AWS writes them, dates in epoch milliseconds); with values,
// Input and Output are JSON values instead of JSON text (.sync:2).
func describeChild(rec *store.Execution, values bool) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	if rec.Status != "SUCCEEDED" {
		if rec.Cause != "" {
			// A cause holds at most 32,768 characters on AWS; without the
			// cut, a chain of failing children would double it at each
			// level of escaping.
			cause := rec.Cause
			if len(cause) > maxCauseLen {
				cause = strings.ToValidUTF8(cause[:maxCauseLen], "")
			}
			b.WriteString(`"Cause":`)
			writeJSONString(&b, cause)
			b.WriteByte(',')
		}
		if rec.Error != "" {
			b.WriteString(`"Error":`)
			writeJSONString(&b, rec.Error)
			b.WriteByte(',')
		}
	}
	data := func(key string, v []byte) {
		b.WriteString(`"` + key + `":`)
		if values {
			c, ok := jsonpath.Compact(v)
			if ok {
				b.Write(c)
			} else {
				writeJSONString(&b, string(v))
			}
		} else {
			writeJSONString(&b, string(v))
		}
		b.WriteString(`,"` + key + `Details":{"Included":true},`)
	}
	b.WriteString(`"ExecutionArn":`)
	writeJSONString(&b, rec.ARN)
	b.WriteByte(',')
	data("Input", rec.Input)
	b.WriteString(`"Name":`)
	writeJSONString(&b, rec.Name)
	b.WriteByte(',')
	if rec.Status == "SUCCEEDED" {
		data("Output", rec.Output)
		// a succeeded execution is never redrivable (redriveStatus)
		b.WriteString(`"RedriveCount":` + strconv.Itoa(rec.RedriveCount) +
			`,"RedriveStatus":"NOT_REDRIVABLE","RedriveStatusReason":"Execution is SUCCEEDED and cannot be redriven",`)
	}
	b.WriteString(`"StartDate":` + strconv.FormatInt(rec.StartDate.UnixMilli(), 10) + `,"StateMachineArn":`)
	writeJSONString(&b, rec.StateMachineARN)
	b.WriteString(`,"Status":`)
	writeJSONString(&b, rec.Status)
	b.WriteString(`,"StopDate":` + strconv.FormatInt(rec.StopDate.UnixMilli(), 10) + `}`)
	return b.Bytes()
}

// nestedRunEnded is told by sync that lr has ended. A child a .sync task
// waits for hands its result to the parent, and an aborted parent stops
// the children its .sync tasks wait for, as on AWS. Both happen later:
// never inside the step of the run that is ending.
func (s *Service) nestedRunEnded(lr *liveRun) {
	arn := lr.rec.ARN
	s.handChildResult(lr.rec)
	if lr.run.Status() != interp.Aborted {
		return
	}
	var waiting []string
	for child, l := range s.nested {
		if l.parent == arn && l.token != "" {
			waiting = append(waiting, child)
		}
	}
	// A fixed order keeps the histories deterministic.
	slices.Sort(waiting)
	for _, child := range waiting {
		s.later(func(ctx context.Context) {
			if c := s.liveRun(ctx, child); c != nil {
				c.run.Stop("", "")
				s.sync(ctx, c)
			}
		})
	}
}

// handChildResult hands an ended child's result to the parent whose
// .sync task waits for it, if one does.
func (s *Service) handChildResult(rec *store.Execution) {
	l := s.nested[rec.ARN]
	if l == nil || l.token == "" {
		return
	}
	res := interp.TaskResult{Output: describeChild(rec, l.pattern == "sync:2")}
	if rec.Status != "SUCCEEDED" {
		res = interp.TaskResult{Err: states.New(states.TaskFailed, string(describeChild(rec, l.pattern == "sync:2")))}
	}
	parent, token, stop := l.parent, l.token, rec.StopDate
	l.token = ""
	s.later(func(ctx context.Context) { s.deliverChild(ctx, parent, token, stop, res) })
}

// deliverChild ends the parent's waiting task with the child's result and
// drives the parent on. A parent on its own virtual clock moves to the
// child's end first, since it waited that long.
func (s *Service) deliverChild(ctx context.Context, parent, token string, stop time.Time, res interp.TaskResult) {
	p := s.liveRun(ctx, parent)
	if p == nil {
		return
	}
	if p.clock != nil {
		p.clock.Set(stop)
	}
	if p.run.CompleteTask(token, res) != nil {
		return
	}
	s.drive(ctx, p)
}
