package history

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func i64(v int64) *int64 { return &v }

func TestEventRoundTrip(t *testing.T) {
	ts := time.Date(2024, 5, 6, 7, 8, 9, 123_000_000, time.UTC)
	tests := []struct {
		name  string
		event Event
		want  string // the exact encoding
	}{
		{
			name:  "no details",
			event: Event{Timestamp: ts, Type: ParallelStateStarted, ID: 4, PreviousEventID: 3},
			want:  `{"timestamp":1714979289.123,"type":"ParallelStateStarted","id":4,"previousEventId":3}`,
		},
		{
			name: "execution started",
			event: Event{Timestamp: ts, Type: ExecutionStarted, ID: 1, Details: &ExecutionStartedDetails{
				Input: Payload(`{"a":1}`), InputDetails: NotTruncated(), RoleARN: "arn:aws:iam::123456789012:role/r",
			}},
			want: `{"timestamp":1714979289.123,"type":"ExecutionStarted","id":1,"previousEventId":0,` +
				`"executionStartedEventDetails":{"input":"{\"a\":1}","inputDetails":{"truncated":false},"roleArn":"arn:aws:iam::123456789012:role/r"}}`,
		},
		{
			name: "state entered",
			event: Event{Timestamp: ts, Type: PassStateEntered, ID: 2, PreviousEventID: 1, Details: &StateEnteredDetails{
				Name: "P", Input: Payload(`{"s":"é"}`), InputDetails: NotTruncated(),
			}},
			want: `{"timestamp":1714979289.123,"type":"PassStateEntered","id":2,"previousEventId":1,` +
				`"stateEnteredEventDetails":{"name":"P","input":"{\"s\":\"é\"}","inputDetails":{"truncated":false}}}`,
		},
		{
			name: "state exited with variables",
			event: Event{Timestamp: ts, Type: PassStateExited, ID: 3, PreviousEventID: 2, Details: &StateExitedDetails{
				Name: "P", Output: Payload(`[1,2]`), OutputDetails: NotTruncated(),
				AssignedVariables: map[string]string{"x": "1"}, AssignedVariablesDetails: NotTruncated(),
			}},
			want: `{"timestamp":1714979289.123,"type":"PassStateExited","id":3,"previousEventId":2,` +
				`"stateExitedEventDetails":{"name":"P","output":"[1,2]","outputDetails":{"truncated":false},` +
				`"assignedVariables":{"x":"1"},"assignedVariablesDetails":{"truncated":false}}}`,
		},
		{
			name: "task scheduled",
			event: Event{Timestamp: ts, Type: TaskScheduled, ID: 5, PreviousEventID: 4, Details: &TaskScheduledDetails{
				ResourceType: "lambda", Resource: "invoke", Region: "us-east-1", Parameters: Payload(`{"FunctionName":"f"}`),
				TimeoutInSeconds: i64(30), HeartbeatInSeconds: i64(10), TaskCredentials: &TaskCredentials{RoleARN: "arn:r"},
			}},
			want: `{"timestamp":1714979289.123,"type":"TaskScheduled","id":5,"previousEventId":4,` +
				`"taskScheduledEventDetails":{"resourceType":"lambda","resource":"invoke","region":"us-east-1",` +
				`"parameters":"{\"FunctionName\":\"f\"}","timeoutInSeconds":30,"heartbeatInSeconds":10,"taskCredentials":{"roleArn":"arn:r"}}}`,
		},
		{
			name: "task failed",
			event: Event{Timestamp: ts, Type: TaskFailed, ID: 7, PreviousEventID: 6, Details: &TaskDetails{
				ResourceType: "lambda", Resource: "invoke", Error: "Boom", Cause: "line1\nline2",
			}},
			want: `{"timestamp":1714979289.123,"type":"TaskFailed","id":7,"previousEventId":6,` +
				`"taskFailedEventDetails":{"resourceType":"lambda","resource":"invoke","error":"Boom","cause":"line1\nline2"}}`,
		},
		{
			name:  "execution failed",
			event: Event{Timestamp: ts, Type: ExecutionFailed, ID: 8, PreviousEventID: 7, Details: &FailureDetails{Error: "States.Runtime", Cause: `bad "path"`}},
			want: `{"timestamp":1714979289.123,"type":"ExecutionFailed","id":8,"previousEventId":7,` +
				`"executionFailedEventDetails":{"error":"States.Runtime","cause":"bad \"path\""}}`,
		},
		{
			name:  "map iteration",
			event: Event{Timestamp: ts, Type: MapIterationStarted, ID: 9, PreviousEventID: 8, Details: &MapIterationDetails{Name: "M", Index: 0}},
			want: `{"timestamp":1714979289.123,"type":"MapIterationStarted","id":9,"previousEventId":8,` +
				`"mapIterationStartedEventDetails":{"name":"M","index":0}}`,
		},
		{
			name:  "map state started",
			event: Event{Timestamp: ts, Type: MapStateStarted, ID: 10, PreviousEventID: 9, Details: &MapStateStartedDetails{Length: 0}},
			want: `{"timestamp":1714979289.123,"type":"MapStateStarted","id":10,"previousEventId":9,` +
				`"mapStateStartedEventDetails":{"length":0}}`,
		},
		{
			name:  "evaluation failed",
			event: Event{Timestamp: ts, Type: EvaluationFailed, ID: 11, PreviousEventID: 10, Details: &EvaluationFailedDetails{Error: "States.QueryEvaluationError", Location: "Arguments", State: "S"}},
			want: `{"timestamp":1714979289.123,"type":"EvaluationFailed","id":11,"previousEventId":10,` +
				`"evaluationFailedEventDetails":{"error":"States.QueryEvaluationError","location":"Arguments","state":"S"}}`,
		},
		{
			name:  "whole second timestamp",
			event: Event{Timestamp: time.Unix(1700000000, 0).UTC(), Type: ExecutionSucceeded, ID: 12, PreviousEventID: 11, Details: &OutputDetails{Output: Payload(`"done"`), OutputDetails: NotTruncated()}},
			want: `{"timestamp":1700000000,"type":"ExecutionSucceeded","id":12,"previousEventId":11,` +
				`"executionSucceededEventDetails":{"output":"\"done\"","outputDetails":{"truncated":false}}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.event)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Marshal:\n got %s\nwant %s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Errorf("Marshal produced invalid JSON: %s", got)
			}
			var back Event
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if !back.Timestamp.Equal(tt.event.Timestamp) {
				t.Errorf("timestamp: got %v, want %v", back.Timestamp, tt.event.Timestamp)
			}
			back.Timestamp = tt.event.Timestamp
			if !reflect.DeepEqual(back, tt.event) {
				t.Errorf("round trip:\n got %#v\nwant %#v", back, tt.event)
			}
		})
	}
}

// AWS escapes only what JSON requires, so event details keep < > & as they
// are, in names, error texts and payloads alike.
func TestEventMarshalNoHTMLEscape(t *testing.T) {
	e := Event{Type: PassStateEntered, ID: 2, PreviousEventID: 1, Details: &StateEnteredDetails{
		Name: "A<&>", Input: Payload(`{"x":"<&>"}`), InputDetails: NotTruncated(),
	}}
	got, err := e.MarshalJSON() // json.Marshal would HTML-escape any Marshaler's output
	if err != nil {
		t.Fatal(err)
	}
	want := `{"timestamp":-62135596800,"type":"PassStateEntered","id":2,"previousEventId":1,` +
		`"stateEnteredEventDetails":{"name":"A<&>","input":"{\"x\":\"<&>\"}","inputDetails":{"truncated":false}}}`
	if string(got) != want {
		t.Errorf("Marshal:\n got %s\nwant %s", got, want)
	}
}

func TestEventMarshalDetailsOnTypeWithout(t *testing.T) {
	e := Event{Type: ParallelStateSucceeded, ID: 1, Details: &FailureDetails{Error: "x"}}
	if _, err := json.Marshal(e); err == nil {
		t.Fatal("Marshal of details on a type without details: want an error")
	}
}

func TestEventUnmarshal(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Event
		wantErr bool
	}{
		{
			name: "unknown keys ignored, details of the type decoded",
			in:   `{"timestamp":1.5,"type":"WaitStateEntered","id":3,"previousEventId":2,"extra":true,"stateEnteredEventDetails":{"name":"W"}}`,
			want: Event{Timestamp: time.UnixMilli(1500).UTC(), Type: WaitStateEntered, ID: 3, PreviousEventID: 2, Details: &StateEnteredDetails{Name: "W"}},
		},
		{
			name: "details under another type's key are ignored",
			in:   `{"timestamp":0,"type":"ParallelStateStarted","id":1,"previousEventId":0,"stateEnteredEventDetails":{"name":"W"}}`,
			want: Event{Timestamp: time.Unix(0, 0).UTC(), Type: ParallelStateStarted, ID: 1},
		},
		{
			name: "millisecond timestamp survives float rounding",
			in:   `{"timestamp":1700000000.001,"type":"ExecutionStarted","id":1,"previousEventId":0}`,
			want: Event{Timestamp: time.UnixMilli(1700000000001).UTC(), Type: ExecutionStarted, ID: 1},
		},
		{name: "not an object", in: `[]`, wantErr: true},
		{name: "bad id", in: `{"id":"one"}`, wantErr: true},
		{name: "bad timestamp", in: `{"timestamp":"yesterday"}`, wantErr: true},
		{name: "bad details", in: `{"type":"TaskFailed","taskFailedEventDetails":{"error":5}}`, wantErr: true},
		{name: "bad payload", in: `{"type":"ExecutionStarted","executionStartedEventDetails":{"input":{}}}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Event
			err := json.Unmarshal([]byte(tt.in), &got)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("want an error, got %#v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestAppendString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{`say "hi"`, `"say \"hi\""`},
		{`back\slash`, `"back\\slash"`},
		{"a\nb\rc\td\be\ff", `"a\nb\rc\td\be\ff"`},
		{"\x00\x01\x1f", `"\u0000\u0001\u001f"`},
		{"\x7f", "\"\x7f\""},
		{"<a href='x'>&amp;</a>", `"<a href='x'>&amp;</a>"`},
		{"héllo 世界 😀", `"héllo 世界 😀"`},
		{"\u2028\u2029", "\"\u2028\u2029\""},
		{"/", `"/"`},
	}
	for _, tt := range tests {
		got := string(AppendString([]byte("x"), tt.in))
		if got != "x"+tt.want {
			t.Errorf("AppendString(%q) = %s, want %s", tt.in, got[1:], tt.want)
			continue
		}
		var back string
		if err := json.Unmarshal([]byte(tt.want), &back); err != nil || back != tt.in {
			t.Errorf("AppendString(%q) does not decode back: %q, %v", tt.in, back, err)
		}
	}
}

func TestAppendStringAllBytes(t *testing.T) {
	var sb strings.Builder
	for c := 0; c < 0x80; c++ {
		sb.WriteByte(byte(c))
	}
	s := sb.String()
	enc := AppendString(nil, s)
	var back string
	if err := json.Unmarshal(enc, &back); err != nil {
		t.Fatalf("%s: %v", enc, err)
	}
	if back != s {
		t.Errorf("round trip of all ASCII bytes: got %q", back)
	}
}

func TestPayloadJSON(t *testing.T) {
	p := Payload(`{"k":"<v>"}`)
	b, err := p.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if want := `"{\"k\":\"<v>\"}"`; string(b) != want {
		t.Errorf("MarshalJSON = %s, want %s", b, want)
	}
	var back Payload
	if err := json.Unmarshal(b, &back); err != nil || string(back) != string(p) {
		t.Errorf("Unmarshal = %q, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{}`), &back); err == nil {
		t.Error("Unmarshal of an object into a Payload: want an error")
	}
}

func TestAppendEpoch(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Unix(0, 0), "0"},
		{time.Unix(1700000000, 0), "1700000000"},
		{time.Unix(1700000000, 100_000_000), "1700000000.1"},
		{time.Unix(1700000000, 120_000_000), "1700000000.12"},
		{time.Unix(1700000000, 123_000_000), "1700000000.123"},
		{time.Unix(1700000000, 5_000_000), "1700000000.005"},
		{time.Unix(1700000000, 50_000_000), "1700000000.05"},
		{time.Unix(1700000000, 1_000_000), "1700000000.001"},
		{time.Unix(1700000000, 999_999_999), "1700000000.999"}, // truncated to milliseconds
		{time.Unix(1700000000, 999_999), "1700000000"},         // below a millisecond
		{time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("X", 3600)), "1704063600"},
	}
	for _, tt := range tests {
		got := string(AppendEpoch([]byte("ts="), tt.t))
		if got != "ts="+tt.want {
			t.Errorf("AppendEpoch(%v) = %s, want %s", tt.t, got[3:], tt.want)
		}
	}
}

func TestDetailsKey(t *testing.T) {
	want := map[Type]string{
		ActivityFailed:               "activityFailedEventDetails",
		ActivityScheduled:            "activityScheduledEventDetails",
		ActivityScheduleFailed:       "activityScheduleFailedEventDetails",
		ActivityStarted:              "activityStartedEventDetails",
		ActivitySucceeded:            "activitySucceededEventDetails",
		ActivityTimedOut:             "activityTimedOutEventDetails",
		ChoiceStateEntered:           "stateEnteredEventDetails",
		ChoiceStateExited:            "stateExitedEventDetails",
		ExecutionAborted:             "executionAbortedEventDetails",
		ExecutionFailed:              "executionFailedEventDetails",
		ExecutionStarted:             "executionStartedEventDetails",
		ExecutionSucceeded:           "executionSucceededEventDetails",
		ExecutionTimedOut:            "executionTimedOutEventDetails",
		ExecutionRedriven:            "executionRedrivenEventDetails",
		FailStateEntered:             "stateEnteredEventDetails",
		LambdaFunctionFailed:         "lambdaFunctionFailedEventDetails",
		LambdaFunctionScheduled:      "lambdaFunctionScheduledEventDetails",
		LambdaFunctionScheduleFailed: "lambdaFunctionScheduleFailedEventDetails",
		LambdaFunctionStartFailed:    "lambdaFunctionStartFailedEventDetails",
		LambdaFunctionSucceeded:      "lambdaFunctionSucceededEventDetails",
		LambdaFunctionTimedOut:       "lambdaFunctionTimedOutEventDetails",
		MapIterationAborted:          "mapIterationAbortedEventDetails",
		MapIterationFailed:           "mapIterationFailedEventDetails",
		MapIterationStarted:          "mapIterationStartedEventDetails",
		MapIterationSucceeded:        "mapIterationSucceededEventDetails",
		MapStateEntered:              "stateEnteredEventDetails",
		MapStateExited:               "stateExitedEventDetails",
		MapStateStarted:              "mapStateStartedEventDetails",
		MapRunFailed:                 "mapRunFailedEventDetails",
		MapRunStarted:                "mapRunStartedEventDetails",
		MapRunRedriven:               "mapRunRedrivenEventDetails",
		ParallelStateEntered:         "stateEnteredEventDetails",
		ParallelStateExited:          "stateExitedEventDetails",
		PassStateEntered:             "stateEnteredEventDetails",
		PassStateExited:              "stateExitedEventDetails",
		SucceedStateEntered:          "stateEnteredEventDetails",
		SucceedStateExited:           "stateExitedEventDetails",
		TaskFailed:                   "taskFailedEventDetails",
		TaskScheduled:                "taskScheduledEventDetails",
		TaskStarted:                  "taskStartedEventDetails",
		TaskStartFailed:              "taskStartFailedEventDetails",
		TaskStateEntered:             "stateEnteredEventDetails",
		TaskStateExited:              "stateExitedEventDetails",
		TaskSubmitFailed:             "taskSubmitFailedEventDetails",
		TaskSubmitted:                "taskSubmittedEventDetails",
		TaskSucceeded:                "taskSucceededEventDetails",
		TaskTimedOut:                 "taskTimedOutEventDetails",
		WaitStateEntered:             "stateEnteredEventDetails",
		WaitStateExited:              "stateExitedEventDetails",
		EvaluationFailed:             "evaluationFailedEventDetails",
	}
	for typ, key := range want {
		if got := DetailsKey(typ); got != key {
			t.Errorf("DetailsKey(%s) = %q, want %q", typ, got, key)
		}
		if !Known(typ) {
			t.Errorf("Known(%s) = false", typ)
		}
		// The details struct of the type decodes what the key carries.
		in := fmt.Sprintf(`{"type":%q,%q:{}}`, typ, key)
		var e Event
		if err := json.Unmarshal([]byte(in), &e); err != nil {
			t.Errorf("%s: Unmarshal: %v", typ, err)
		} else if e.Details == nil || reflect.TypeOf(e.Details).Kind() != reflect.Pointer {
			t.Errorf("%s: Details = %#v, want a pointer to a details struct", typ, e.Details)
		}
	}
	for _, typ := range []Type{LambdaFunctionStarted, MapStateAborted, MapStateFailed, MapStateSucceeded,
		MapRunAborted, MapRunSucceeded, ParallelStateAborted, ParallelStateFailed, ParallelStateStarted,
		ParallelStateSucceeded, TaskStateAborted, WaitStateAborted} {
		if got := DetailsKey(typ); got != "" {
			t.Errorf("DetailsKey(%s) = %q, want none", typ, got)
		}
		if !Known(typ) {
			t.Errorf("Known(%s) = false", typ)
		}
	}
	for _, typ := range []Type{"", "Nope", "passStateEntered"} {
		if DetailsKey(typ) != "" || Known(typ) {
			t.Errorf("%q: want unknown with no details key", typ)
		}
	}
}

// The details structs are the ones each type's events carry.
func TestDetailsType(t *testing.T) {
	tests := map[Type]any{
		ExecutionStarted:        &ExecutionStartedDetails{},
		ExecutionSucceeded:      &OutputDetails{},
		ExecutionFailed:         &FailureDetails{},
		TaskStateEntered:        &StateEnteredDetails{},
		TaskStateExited:         &StateExitedDetails{},
		TaskScheduled:           &TaskScheduledDetails{},
		TaskSucceeded:           &TaskDetails{},
		LambdaFunctionScheduled: &LambdaFunctionScheduledDetails{},
		ActivityScheduled:       &ActivityScheduledDetails{},
		ActivityStarted:         &ActivityStartedDetails{},
		MapStateStarted:         &MapStateStartedDetails{},
		MapIterationFailed:      &MapIterationDetails{},
		MapRunStarted:           &MapRunStartedDetails{},
		ExecutionRedriven:       &RedrivenDetails{},
		EvaluationFailed:        &EvaluationFailedDetails{},
	}
	for typ, want := range tests {
		var e Event
		in := fmt.Sprintf(`{"type":%q,%q:{}}`, typ, DetailsKey(typ))
		if err := json.Unmarshal([]byte(in), &e); err != nil {
			t.Fatal(err)
		}
		if reflect.TypeOf(e.Details) != reflect.TypeOf(want) {
			t.Errorf("%s: details %T, want %T", typ, e.Details, want)
		}
	}
}

func BenchmarkEventMarshal(b *testing.B) {
	e := Event{Timestamp: time.Unix(1700000000, 123_000_000), Type: TaskStateEntered, ID: 5, PreviousEventID: 4,
		Details: &StateEnteredDetails{Name: "Task", Input: Payload(`{"items":[1,2,3],"name":"x"}`), InputDetails: NotTruncated()}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.MarshalJSON(); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzEventUnmarshal(f *testing.F) {
	f.Add([]byte(`{"timestamp":1.5,"type":"PassStateEntered","id":1,"previousEventId":0,"stateEnteredEventDetails":{"name":"A"}}`))
	f.Add([]byte(`{"type":"TaskFailed","taskFailedEventDetails":{"error":"x"}}`))
	f.Add([]byte(`{"timestamp":1e400}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<14 {
			return
		}
		var e Event
		if json.Unmarshal(data, &e) != nil {
			return
		}
		// What decodes encodes again (when its details belong to its type).
		if _, err := json.Marshal(e); err != nil && e.Details != nil {
			t.Errorf("Marshal after Unmarshal of %s: %v", data, err)
		}
	})
}
