package sfn

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/store/mem"
)

func wireReq(op, body string) WireRequest {
	return WireRequest{Method: "POST", Target: "AWSStepFunctions." + op, ContentType: WireContentType, Body: []byte(body)}
}

// ServeWire answers as AWS's front end does: status, __type (with Coral's
// namespace for its own exceptions), message, and a request id always.
func TestServeWire(t *testing.T) {
	denied := func() *Error {
		return &Error{Code: CodeUnrecognizedClient, Message: "The security token included in the request is invalid."}
	}
	tests := []struct {
		name   string
		req    WireRequest
		status int
		body   string // exact body; "" to skip
		code   string
	}{
		{"success", wireReq("ListStateMachines", `{}`), 200, `{"stateMachines":[]}`, ""},
		{"success with charset", WireRequest{Method: "POST", Target: "AWSStepFunctions.ListActivities", ContentType: "application/x-amz-json-1.0; charset=utf-8", Body: []byte(`{}`)}, 200, `{"activities":[]}`, ""},
		{"modelled error", wireReq("DescribeExecution", `{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:sm:x"}`), 400,
			`{"__type":"ExecutionDoesNotExist","message":"Execution Does Not Exist: 'arn:aws:states:us-east-1:123456789012:execution:sm:x'"}`, CodeExecutionDoesNotExist},
		{"validation", wireReq("DescribeExecution", `{}`), 400, "", CodeValidation},
		{"malformed JSON", wireReq("ListStateMachines", `{"maxResults":`), 400, `{"__type":"com.amazon.coral.service#SerializationException"}`, CodeSerialization},
		{"not an object", wireReq("ListStateMachines", `[]`), 400, `{"__type":"com.amazon.coral.service#SerializationException"}`, CodeSerialization},
		{"empty body", wireReq("ListStateMachines", ``), 400, `{"__type":"com.amazon.coral.service#SerializationException"}`, CodeSerialization},
		{"wrong member type", wireReq("DescribeStateMachine", `{"stateMachineArn":1}`), 400,
			`{"__type":"com.amazon.coral.service#SerializationException","message":"Unexpected value type for member 'stateMachineArn'"}`, CodeSerialization},
		{"unknown operation", wireReq("NoSuchThing", `{}`), 400, `{"__type":"com.amazon.coral.service#UnknownOperationException"}`, CodeUnknownOperation},
		{"missing target", WireRequest{Method: "POST", ContentType: WireContentType, Body: []byte(`{}`)}, 400, `{"__type":"com.amazon.coral.service#UnknownOperationException"}`, CodeUnknownOperation},
		{"other service's target", WireRequest{Method: "POST", Target: "DynamoDB_20120810.ListTables", ContentType: WireContentType, Body: []byte(`{}`)}, 400, "", CodeUnknownOperation},
		{"bare operation", WireRequest{Method: "POST", Target: "ListStateMachines", ContentType: WireContentType, Body: []byte(`{}`)}, 400, "", CodeUnknownOperation},
		{"malformed before unknown", wireReq("NoSuchThing", `{`), 400, "", CodeSerialization},
		{"wrong content type", WireRequest{Method: "POST", Target: "AWSStepFunctions.ListStateMachines", ContentType: "text/plain", Body: []byte(`{}`)}, 404,
			`{"__type":"com.amazon.coral.service#UnknownOperationException"}`, CodeUnknownOperation},
		{"no content type", WireRequest{Method: "POST", Target: "AWSStepFunctions.ListStateMachines", Body: []byte(`{}`)}, 404, "", CodeUnknownOperation},
		{"application/json", WireRequest{Method: "POST", Target: "AWSStepFunctions.ListStateMachines", ContentType: "Application/JSON", Body: []byte(`{}`)}, 200, "", ""},
		{"wrong method", WireRequest{Method: "GET", Target: "AWSStepFunctions.ListStateMachines", ContentType: WireContentType}, 404, "", CodeUnknownOperation},
		{"oversized", wireReq("StartExecution", `{"input":"`+strings.Repeat("a", MaxRequestBytes)+`"}`), 413,
			`{"__type":"com.amazon.coral.service#RequestEntityTooLargeException","message":"Request body exceeds 2097152 bytes"}`, CodeRequestEntityTooLarge},
		{"authentication refused", func() WireRequest { r := wireReq("ListStateMachines", `{}`); r.Authenticate = denied; return r }(), 400,
			`{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"The security token included in the request is invalid."}`, CodeUnrecognizedClient},
		{"body checked before authentication", func() WireRequest { r := wireReq("ListStateMachines", `{`); r.Authenticate = denied; return r }(), 400, "", CodeSerialization},
		{"target checked before authentication", func() WireRequest { r := wireReq("Nope", `{}`); r.Authenticate = denied; return r }(), 400, "", CodeUnknownOperation},
		{"authenticated", func() WireRequest {
			r := wireReq("ListStateMachines", `{}`)
			r.Authenticate = func() *Error { return nil }
			return r
		}(), 200, "", ""},
	}
	s := New(Options{Store: mem.New(), Virtual: true, IDs: &counterIDs{}})
	seen := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := s.ServeWire(context.Background(), tc.req)
			if resp.Status != tc.status || resp.ErrorCode != tc.code {
				t.Errorf("status %d code %q, want %d %q: %s", resp.Status, resp.ErrorCode, tc.status, tc.code, resp.Body)
			}
			if tc.body != "" && string(resp.Body) != tc.body {
				t.Errorf("body %s\nwant %s", resp.Body, tc.body)
			}
			if !json.Valid(resp.Body) || resp.Body[0] != '{' {
				t.Errorf("body is not a JSON object: %s", resp.Body)
			}
			if resp.RequestID == "" || seen[resp.RequestID] {
				t.Errorf("request id %q missing or reused", resp.RequestID)
			}
			seen[resp.RequestID] = true
			h := resp.Headers()
			if h["Content-Type"] != WireContentType || h["x-amzn-RequestId"] != resp.RequestID {
				t.Errorf("headers %v", h)
			}
		})
	}
}

// GetActivityTask through ServeWire long-polls until ctx ends, then
// answers the empty task as AWS does.
func TestServeWireActivityPoll(t *testing.T) {
	s := New(Options{Store: mem.New(), Virtual: true, IDs: &counterIDs{}})
	resp := s.ServeWire(context.Background(), wireReq("CreateActivity", `{"name":"a"}`))
	var act struct {
		ActivityARN string `json:"activityArn"`
	}
	if err := json.Unmarshal(resp.Body, &act); err != nil || resp.Status != 200 {
		t.Fatalf("%d %s", resp.Status, resp.Body)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	resp = s.ServeWire(ctx, wireReq("GetActivityTask", `{"activityArn":"`+act.ActivityARN+`"}`))
	if resp.Status != 200 || string(resp.Body) != `{}` || resp.Operation != "GetActivityTask" {
		t.Fatalf("%d %s %q", resp.Status, resp.Body, resp.Operation)
	}
}

// WireError answers a host's own refusal in the same shape.
func TestWireError(t *testing.T) {
	s := New(Options{Store: mem.New(), IDs: &counterIDs{}})
	resp := s.WireError(&Error{Code: CodeMissingAuthenticationToken, Message: "Missing Authentication Token"})
	if resp.Status != 400 || string(resp.Body) != `{"__type":"com.amazon.coral.service#MissingAuthenticationTokenException","message":"Missing Authentication Token"}` || resp.RequestID == "" {
		t.Fatalf("%d %s %q", resp.Status, resp.Body, resp.RequestID)
	}
	resp = s.WireError(&Error{Code: CodeInternalFailure, Message: "x"})
	if resp.Status != 500 {
		t.Fatalf("InternalFailure answered %d", resp.Status)
	}
}

// FuzzServeWire: any method, target, content type and body gets an
// answer with a JSON object body and a request id, never a panic.
func FuzzServeWire(f *testing.F) {
	f.Add("POST", "AWSStepFunctions.ListStateMachines", WireContentType, `{}`)
	f.Add("POST", "AWSStepFunctions.CreateStateMachine", WireContentType, `{"name":"x","definition":"{}","roleArn":"arn:aws:iam::1:role/r"}`)
	f.Add("GET", "", "", ``)
	f.Add("POST", "AWSStepFunctions.", "application/json", `{"a":[1,2,{"b":null}]}`)
	f.Add("POST", "AWSStepFunctions.StartExecution", "application/x-amz-json-1.1;x", " {\"stateMachineArn\":\"arn:aws:states:us-east-1:123456789012:stateMachine:sm\"} ")
	f.Fuzz(func(t *testing.T, method, target, contentType, body string) {
		if len(body) > 4096 {
			return
		}
		s := New(Options{Store: mem.New(), Virtual: true, IDs: &counterIDs{}})
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // a GetActivityTask must not wait
		resp := s.ServeWire(ctx, WireRequest{Method: method, Target: target, ContentType: contentType, Body: []byte(body)})
		if !json.Valid(resp.Body) || len(resp.Body) == 0 || resp.Body[0] != '{' || resp.RequestID == "" {
			t.Fatalf("%q %q %q %q: %d %q", method, target, contentType, body, resp.Status, resp.Body)
		}
		if resp.ErrorCode == CodeInternalFailure || (resp.Status >= 500) {
			t.Fatalf("%q %q: %d %s", target, body, resp.Status, resp.Body)
		}
	})
}

// LogGroupSink receives each log record with its log group's ARN.
func TestLogGroupSink(t *testing.T) {
	var groups, recs []string
	s := newTestService(Options{Virtual: true, LogGroupSink: func(g string, r []byte) { groups, recs = append(groups, g), append(recs, string(r)) }})
	group := "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/g:*"
	logging := `"loggingConfiguration":{"level":"FATAL","destinations":[{"cloudWatchLogsLogGroup":{"logGroupArn":"` + group + `"}}]}`
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E"}}}`, logging))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"v"}`)
	if len(recs) != 1 || groups[0] != group || !strings.Contains(recs[0], `"type":"ExecutionFailed"`) {
		t.Fatalf("records %q in %q", recs, groups)
	}
}
