package sfn

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/store"
)

// errorEvents are the event types logged at level ERROR; fatalEvents the
// ones logged at level FATAL (ALL logs everything, OFF nothing).
// See https://docs.aws.amazon.com/step-functions/latest/dg/cloudwatch-log-level.html
var (
	fatalEvents = map[history.Type]bool{
		history.ExecutionAborted: true, history.ExecutionFailed: true, history.ExecutionTimedOut: true,
	}
	errorEvents = map[history.Type]bool{
		history.ExecutionAborted: true, history.ExecutionFailed: true, history.ExecutionTimedOut: true,
		history.FailStateEntered: true,
		history.ActivityFailed:   true, history.ActivityScheduleFailed: true, history.ActivityTimedOut: true,
		history.LambdaFunctionFailed: true, history.LambdaFunctionScheduleFailed: true,
		history.LambdaFunctionStartFailed: true, history.LambdaFunctionTimedOut: true,
		history.MapStateAborted: true, history.MapStateFailed: true,
		history.MapIterationAborted: true, history.MapIterationFailed: true,
		history.MapRunAborted: true, history.MapRunFailed: true,
		history.ParallelStateAborted: true, history.ParallelStateFailed: true,
		history.TaskFailed: true, history.TaskStartFailed: true, history.TaskStateAborted: true,
		history.TaskSubmitFailed: true, history.TaskTimedOut: true,
		history.WaitStateAborted: true,
	}
)

// logged reports whether the level logs the event type.
func logged(level string, t history.Type) bool {
	switch level {
	case "ALL":
		return true
	case "ERROR":
		return errorEvents[t]
	case "FATAL":
		return fatalEvents[t]
	}
	return false
}

// logRecord formats an event as the CloudWatch Logs record Step Functions
// writes: ids and the millisecond timestamp as strings, details without
// input and output unless includeExecutionData.
// See https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html
func logRecord(executionARN string, lc store.LoggingConfiguration, e history.Event) ([]byte, error) {
	details := e.Details
	if details != nil && !lc.IncludeExecutionData {
		details = withoutData(details)
	}
	d := []byte("{}")
	if details != nil {
		var err error
		if d, err = history.MarshalDetails(details); err != nil {
			return nil, err
		}
	}
	b := make([]byte, 0, 256+len(d))
	b = append(b, `{"id":`...)
	b = history.AppendString(b, strconv.FormatInt(e.ID, 10))
	b = append(b, `,"type":`...)
	b = history.AppendString(b, string(e.Type))
	b = append(b, `,"details":`...)
	b = append(b, d...)
	b = append(b, `,"previous_event_id":`...)
	b = history.AppendString(b, strconv.FormatInt(e.PreviousEventID, 10))
	b = append(b, `,"event_timestamp":`...)
	b = history.AppendString(b, strconv.FormatInt(e.Timestamp.UnixMilli(), 10))
	b = append(b, `,"execution_arn":`...)
	b = history.AppendString(b, executionARN)
	return append(b, '}'), nil
}

// eventLogger returns the Env.OnEvent hook that writes an execution's log
// records, or nil when nothing is logged.
func (s *Service) eventLogger(executionARN string, lc store.LoggingConfiguration) func(history.Event) {
	onEvent := s.onEvent
	if s.logSink == nil && s.logGroupSink == nil || lc.Level == "" || lc.Level == "OFF" {
		if onEvent == nil {
			return nil
		}
		return func(e history.Event) { notifyEvent(onEvent, executionARN, e) }
	}
	sink, groupSink := s.logSink, s.logGroupSink
	group := ""
	if len(lc.LogGroupARNs) > 0 {
		group = lc.LogGroupARNs[0]
	}
	return func(e history.Event) {
		if onEvent != nil {
			notifyEvent(onEvent, executionARN, e)
		}
		if !logged(lc.Level, e.Type) {
			return
		}
		if rec, err := logRecord(executionARN, lc, e); err == nil {
			if sink != nil {
				sink(rec)
			}
			if groupSink != nil {
				groupSink(group, rec)
			}
		}
	}
}

// notifyEvent hands an event to Options.OnEvent in the API's encoding.
func notifyEvent(onEvent func(string, []byte), executionARN string, e history.Event) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // as the API writes events
	if enc.Encode(e) == nil {
		onEvent(executionARN, bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
}
