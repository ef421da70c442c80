// Package history holds the events of an execution in the shape
// GetExecutionHistory returns them.
//
// See https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
package history

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Event is one history event. Details is nil or a pointer to the details
// struct that belongs to Type (see DetailsKey).
type Event struct {
	Timestamp       time.Time
	Type            Type
	ID              int64
	PreviousEventID int64
	Details         any
}

// Payload is a JSON text carried in event details (input, output,
// parameters). It is encoded as a JSON string, as the API does.
type Payload []byte

// MarshalJSON encodes the payload as a JSON string.
func (p Payload) MarshalJSON() ([]byte, error) { return AppendString(nil, string(p)), nil }

// UnmarshalJSON decodes a JSON string into the payload.
func (p *Payload) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*p = Payload(s)
	return nil
}

// PayloadDetails says whether a payload was truncated; Step Functions never
// truncates one, so Truncated is always false, but AWS writes the field.
type PayloadDetails struct {
	Truncated bool `json:"truncated"`
}

// notTruncated is shared by every event: one allocation fewer per event.
var notTruncated = &PayloadDetails{}

// NotTruncated is the PayloadDetails every event carries. The value is
// shared: callers must not modify it.
func NotTruncated() *PayloadDetails { return notTruncated }

// ExecutionStartedDetails are the details of ExecutionStarted.
type ExecutionStartedDetails struct {
	Input                  Payload         `json:"input,omitempty"`
	InputDetails           *PayloadDetails `json:"inputDetails,omitempty"`
	RoleARN                string          `json:"roleArn,omitempty"`
	StateMachineAliasARN   string          `json:"stateMachineAliasArn,omitempty"`
	StateMachineVersionARN string          `json:"stateMachineVersionArn,omitempty"`
}

// OutputDetails are the details of events that carry only an output:
// ExecutionSucceeded, LambdaFunctionSucceeded, ActivitySucceeded.
type OutputDetails struct {
	Output        Payload         `json:"output,omitempty"`
	OutputDetails *PayloadDetails `json:"outputDetails,omitempty"`
}

// FailureDetails are the details of events that carry an error and a
// cause: ExecutionFailed/Aborted/TimedOut, Lambda*Failed/TimedOut,
// Activity*Failed/TimedOut, MapRunFailed.
type FailureDetails struct {
	Error string `json:"error,omitempty"`
	Cause string `json:"cause,omitempty"`
}

// StateEnteredDetails are the details of every <State>StateEntered event.
type StateEnteredDetails struct {
	Name         string          `json:"name"`
	Input        Payload         `json:"input,omitempty"`
	InputDetails *PayloadDetails `json:"inputDetails,omitempty"`
}

// StateExitedDetails are the details of every <State>StateExited event.
type StateExitedDetails struct {
	Name                     string            `json:"name"`
	Output                   Payload           `json:"output,omitempty"`
	OutputDetails            *PayloadDetails   `json:"outputDetails,omitempty"`
	AssignedVariables        map[string]string `json:"assignedVariables,omitempty"`
	AssignedVariablesDetails *PayloadDetails   `json:"assignedVariablesDetails,omitempty"`
}

// TaskCredentials are the credentials a Task state names (Credentials.RoleArn).
type TaskCredentials struct {
	RoleARN string `json:"roleArn,omitempty"`
}

// TaskScheduledDetails are the details of TaskScheduled.
type TaskScheduledDetails struct {
	ResourceType       string           `json:"resourceType"`
	Resource           string           `json:"resource"`
	Region             string           `json:"region"`
	Parameters         Payload          `json:"parameters"`
	TimeoutInSeconds   *int64           `json:"timeoutInSeconds,omitempty"`
	HeartbeatInSeconds *int64           `json:"heartbeatInSeconds,omitempty"`
	TaskCredentials    *TaskCredentials `json:"taskCredentials,omitempty"`
}

// TaskDetails are the details of TaskStarted, and of TaskSubmitted and
// TaskSucceeded (with Output), and of TaskFailed, TaskTimedOut,
// TaskStartFailed and TaskSubmitFailed (with Error and Cause).
type TaskDetails struct {
	ResourceType  string          `json:"resourceType"`
	Resource      string          `json:"resource"`
	Output        Payload         `json:"output,omitempty"`
	OutputDetails *PayloadDetails `json:"outputDetails,omitempty"`
	Error         string          `json:"error,omitempty"`
	Cause         string          `json:"cause,omitempty"`
}

// LambdaFunctionScheduledDetails are the details of LambdaFunctionScheduled.
type LambdaFunctionScheduledDetails struct {
	Resource         string           `json:"resource"`
	Input            Payload          `json:"input,omitempty"`
	InputDetails     *PayloadDetails  `json:"inputDetails,omitempty"`
	TimeoutInSeconds *int64           `json:"timeoutInSeconds,omitempty"`
	TaskCredentials  *TaskCredentials `json:"taskCredentials,omitempty"`
}

// ActivityScheduledDetails are the details of ActivityScheduled.
type ActivityScheduledDetails struct {
	Resource           string          `json:"resource"`
	Input              Payload         `json:"input,omitempty"`
	InputDetails       *PayloadDetails `json:"inputDetails,omitempty"`
	TimeoutInSeconds   *int64          `json:"timeoutInSeconds,omitempty"`
	HeartbeatInSeconds *int64          `json:"heartbeatInSeconds,omitempty"`
}

// ActivityStartedDetails are the details of ActivityStarted.
type ActivityStartedDetails struct {
	WorkerName string `json:"workerName,omitempty"`
}

// MapStateStartedDetails are the details of MapStateStarted.
type MapStateStartedDetails struct {
	Length int `json:"length"`
}

// MapIterationDetails are the details of MapIteration{Started,Succeeded,Failed,Aborted}.
type MapIterationDetails struct {
	Name  string `json:"name"`
	Index int    `json:"index"`
}

// MapRunStartedDetails are the details of MapRunStarted.
type MapRunStartedDetails struct {
	MapRunARN string `json:"mapRunArn"`
}

// RedrivenDetails are the details of ExecutionRedriven and MapRunRedriven.
type RedrivenDetails struct {
	MapRunARN    string `json:"mapRunArn,omitempty"`
	RedriveCount int    `json:"redriveCount"`
}

// EvaluationFailedDetails are the details of EvaluationFailed.
type EvaluationFailedDetails struct {
	Error    string `json:"error,omitempty"`
	Cause    string `json:"cause,omitempty"`
	Location string `json:"location,omitempty"`
	State    string `json:"state"`
}

// MarshalJSON encodes the event as GetExecutionHistory does, the timestamp
// as epoch seconds (the AWS JSON protocol's timestamp format).
func (e Event) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 256)
	b = append(b, `{"timestamp":`...)
	b = AppendEpoch(b, e.Timestamp)
	b = append(b, `,"type":`...)
	b = AppendString(b, string(e.Type))
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, e.ID, 10)
	b = append(b, `,"previousEventId":`...)
	b = strconv.AppendInt(b, e.PreviousEventID, 10)
	if e.Details != nil {
		key := DetailsKey(e.Type)
		if key == "" {
			return nil, fmt.Errorf("history: event type %q has no details", e.Type)
		}
		d, err := MarshalDetails(e.Details)
		if err != nil {
			return nil, err
		}
		b = append(b, ',', '"')
		b = append(b, key...)
		b = append(b, '"', ':')
		b = append(b, d...)
	}
	return append(b, '}'), nil
}

// MarshalDetails encodes event details as JSON without HTML escaping: AWS writes
// < > & as they are.
func MarshalDetails(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// UnmarshalJSON decodes an event written by MarshalJSON.
func (e *Event) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*e = Event{}
	for k, v := range raw {
		var err error
		switch k {
		case "timestamp":
			var f float64
			if err = json.Unmarshal(v, &f); err == nil {
				sec, frac := math.Modf(f)
				e.Timestamp = time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC()
			}
		case "type":
			err = json.Unmarshal(v, &e.Type)
		case "id":
			err = json.Unmarshal(v, &e.ID)
		case "previousEventId":
			err = json.Unmarshal(v, &e.PreviousEventID)
		}
		if err != nil {
			return fmt.Errorf("history: event field %s: %w", k, err)
		}
	}
	if key := DetailsKey(e.Type); key != "" {
		if v, ok := raw[key]; ok {
			d := newDetails(e.Type)
			if err := json.Unmarshal(v, d); err != nil {
				return fmt.Errorf("history: %s: %w", key, err)
			}
			e.Details = d
		}
	}
	return nil
}

// AppendEpoch appends t as epoch seconds with millisecond precision, the
// timestamp format of the AWS JSON protocol.
func AppendEpoch(b []byte, t time.Time) []byte {
	ms := t.UnixMilli()
	b = strconv.AppendInt(b, ms/1000, 10)
	if r := ms % 1000; r != 0 {
		b = append(b, '.')
		s := strconv.FormatInt(r+1000, 10)[1:]
		for len(s) > 0 && s[len(s)-1] == '0' {
			s = s[:len(s)-1]
		}
		b = append(b, s...)
	}
	return b
}

// AppendString appends s as a JSON string. Like AWS it escapes only what
// JSON requires (no HTML escaping of < > &).
func AppendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
