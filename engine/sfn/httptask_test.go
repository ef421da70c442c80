package sfn

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// fakeHTTP records the requests the service sends; the test answers them
// later with reply, as a host's client would from another goroutine.
type fakeHTTP struct {
	reqs  []*HTTPRequest
	dones []func(*HTTPResponse, error)
}

func (f *fakeHTTP) Do(req *HTTPRequest, done func(*HTTPResponse, error)) {
	f.reqs = append(f.reqs, req)
	f.dones = append(f.dones, done)
}

func header(req *HTTPRequest, name string) string {
	for _, h := range req.Header {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

const connARN = "arn:aws:events:us-east-1:123456789012:connection/api/0000"

// httpDef is a state machine with one HTTP Task with these Parameters
// (plus the connection) whose failures are caught into $.err.
func httpDef(params string) string {
	return `{"StartAt":"Call","States":{
		"Call":{"Type":"Task","Resource":"arn:aws:states:::http:invoke",
			"Parameters":{"Authentication":{"ConnectionArn":"` + connARN + `"},` + params + `},
			"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"Caught"}],"End":true},
		"Caught":{"Type":"Pass","End":true}}}`
}

func TestHTTPTask(t *testing.T) {
	tests := []struct {
		name    string
		params  string
		method  string
		url     string
		body    string
		headers map[string]string
		resp    *HTTPResponse
		err     error
		status  string
		output  string
	}{
		{
			name:   "GET with JSON response",
			params: `"ApiEndpoint":"https://api.example.com/items","Method":"GET","QueryParameters":{"q":"a b","tag":["x","y"]}`,
			method: "GET", url: "https://api.example.com/items?q=a+b&tag=x&tag=y",
			headers: map[string]string{"User-Agent": "Amazon|StepFunctions|HttpInvoke|us-east-1", "Range": "bytes=0-262144", "Content-Type": ""},
			resp: &HTTPResponse{StatusCode: 200, Header: [][2]string{{"Content-Type", "application/json"}, {"X-Id", "1"}},
				Body: []byte(`{ "items": [1, 2] }`)},
			status: "SUCCEEDED",
			output: `{"Headers":{"content-type":["application/json"],"x-id":["1"]},"ResponseBody":{"items":[1,2]},"StatusCode":200,"StatusText":"OK"}`,
		},
		{
			name:   "POST JSON body with default content type",
			params: `"ApiEndpoint":"https://api.example.com/items?v=1","Method":"POST","Headers":{"X-Trace":"t1"},"RequestBody":{"a":[1,2]},"QueryParameters":{"w":"2"}`,
			method: "POST", url: "https://api.example.com/items?v=1&w=2", body: `{"a":[1,2]}`,
			headers: map[string]string{"Content-Type": "application/json; charset=UTF-8", "X-Trace": "t1"},
			resp:    &HTTPResponse{StatusCode: 201, StatusText: "Created", Body: []byte("made it")},
			status:  "SUCCEEDED",
			output:  `{"Headers":{},"ResponseBody":"made it","StatusCode":201,"StatusText":"Created"}`,
		},
		{
			name:   "string body is sent as it is",
			params: `"ApiEndpoint":"https://api.example.com","Method":"PUT","Headers":{"Content-Type":"text/plain"},"RequestBody":"hello"`,
			method: "PUT", url: "https://api.example.com", body: "hello",
			headers: map[string]string{"Content-Type": "text/plain"},
			resp:    &HTTPResponse{StatusCode: 204},
			status:  "SUCCEEDED",
			output:  `{"Headers":{},"ResponseBody":"","StatusCode":204,"StatusText":"No Content"}`,
		},
		{
			name: "URL-encoded body, INDICES by default",
			params: `"ApiEndpoint":"https://api.example.com","Method":"POST","RequestBody":{"name":"A&B","arr":["a","b"],"o":{"k":1}},
				"Transform":{"RequestBodyEncoding":"URL_ENCODED"}`,
			method: "POST", url: "https://api.example.com", body: "name=A%26B&arr[0]=a&arr[1]=b&o[k]=1",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			resp:    &HTTPResponse{StatusCode: 200, Header: [][2]string{{"content-type", "text/plain"}}, Body: []byte("{}")},
			status:  "SUCCEEDED",
			output:  `{"Headers":{"content-type":["text/plain"]},"ResponseBody":"{}","StatusCode":200,"StatusText":"OK"}`,
		},
		{
			name: "URL-encoded body with REPEAT",
			params: `"ApiEndpoint":"https://api.example.com","Method":"POST","RequestBody":{"arr":["a","b"]},
				"Transform":{"RequestBodyEncoding":"URL_ENCODED","RequestEncodingOptions":{"ArrayFormat":"REPEAT"}}`,
			method: "POST", url: "https://api.example.com", body: "arr=a&arr=b",
			resp: &HTTPResponse{StatusCode: 200}, status: "SUCCEEDED",
			output: `{"Headers":{},"ResponseBody":"","StatusCode":200,"StatusText":"OK"}`,
		},
		{
			name: "URL-encoded body with COMMAS",
			params: `"ApiEndpoint":"https://api.example.com","Method":"POST","RequestBody":{"arr":["a","b c"]},
				"Transform":{"RequestBodyEncoding":"URL_ENCODED","RequestEncodingOptions":{"ArrayFormat":"COMMAS"}}`,
			method: "POST", url: "https://api.example.com", body: "arr=a,b+c",
			resp: &HTTPResponse{StatusCode: 200}, status: "SUCCEEDED",
			output: `{"Headers":{},"ResponseBody":"","StatusCode":200,"StatusText":"OK"}`,
		},
		{
			name: "URL-encoded body with BRACKETS",
			params: `"ApiEndpoint":"https://api.example.com","Method":"POST","RequestBody":{"arr":["a","b"]},
				"Transform":{"RequestBodyEncoding":"URL_ENCODED","RequestEncodingOptions":{"ArrayFormat":"BRACKETS"}}`,
			method: "POST", url: "https://api.example.com", body: "arr[]=a&arr[]=b",
			resp: &HTTPResponse{StatusCode: 200}, status: "SUCCEEDED",
			output: `{"Headers":{},"ResponseBody":"","StatusCode":200,"StatusText":"OK"}`,
		},
		{
			name:   "404 is States.Http.StatusCode.404",
			params: `"ApiEndpoint":"https://api.example.com/missing","Method":"GET"`,
			method: "GET", url: "https://api.example.com/missing",
			resp:   &HTTPResponse{StatusCode: 404, Header: [][2]string{{"Content-Type", "application/json"}}, Body: []byte(`{"message":"no"}`)},
			status: "SUCCEEDED",
			output: `{"err":{"Error":"States.Http.StatusCode.404","Cause":"{\"Headers\":{\"content-type\":[\"application/json\"]},\"ResponseBody\":{\"message\":\"no\"},\"StatusCode\":404,\"StatusText\":\"Not Found\"}"}}`,
		},
		{
			name:   "no response is States.Http.Socket",
			params: `"ApiEndpoint":"https://api.example.com","Method":"GET"`,
			method: "GET", url: "https://api.example.com",
			err:    errors.New("connection refused"),
			status: "SUCCEEDED",
			output: `{"err":{"Error":"States.Http.Socket","Cause":"connection refused"}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client := &fakeHTTP{}
			s := newTestService(Options{Virtual: true})
			s.SetHTTPClient(client)
			mustInvoke(t, s, "CreateStateMachine", createBody("sm", httpDef(tc.params), ""))
			mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"e"}`)
			exec := "arn:aws:states:us-east-1:123456789012:execution:sm:e"
			if d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+exec+`"}`); d["status"] != "RUNNING" {
				t.Fatalf("before the response: %v", d)
			}
			if len(client.reqs) != 1 {
				t.Fatalf("%d requests sent", len(client.reqs))
			}
			req := client.reqs[0]
			if req.Method != tc.method || req.URL != tc.url || string(req.Body) != tc.body {
				t.Errorf("request %s %s %q, want %s %s %q", req.Method, req.URL, req.Body, tc.method, tc.url, tc.body)
			}
			for k, v := range tc.headers {
				if got := header(req, k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			client.dones[0](tc.resp, tc.err)
			d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+exec+`"}`)
			if d["status"] != tc.status || d["output"] != tc.output {
				t.Fatalf("got %v %v\nwant %v %v", d["status"], d["output"], tc.status, tc.output)
			}
			h := mustInvoke(t, s, "GetExecutionHistory", `{"executionArn":"`+exec+`"}`)
			var types []string
			for _, e := range h["events"].([]any) {
				types = append(types, e.(map[string]any)["type"].(string))
			}
			want := "ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskSucceeded,TaskStateExited,ExecutionSucceeded"
			if tc.resp == nil || tc.resp.StatusCode >= 300 {
				want = "ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskFailed,TaskStateExited,PassStateEntered,PassStateExited,ExecutionSucceeded"
			}
			if got := strings.Join(types, ","); got != want {
				t.Fatalf("history %s\nwant %s", got, want)
			}
			sched := h["events"].([]any)[2].(map[string]any)["taskScheduledEventDetails"].(map[string]any)
			if sched["resourceType"] != "http" || sched["resource"] != "invoke" {
				t.Fatalf("TaskScheduled %v", sched)
			}
		})
	}
}

func TestHTTPTaskBadParameters(t *testing.T) {
	tests := []struct{ name, params, want string }{
		{"no endpoint", `"Method":"GET"`, `The field \"ApiEndpoint\" is required but was missing`},
		{"no method", `"ApiEndpoint":"https://a.example"`, `The field \"Method\" is required but was missing`},
		{"bad method", `"ApiEndpoint":"https://a.example","Method":"TRACE"`, `'Method' must be one of GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD`},
		{"forbidden header", `"ApiEndpoint":"https://a.example","Method":"GET","Headers":{"Host":"x"}`, `The header 'Host' is not supported`},
		{"x-amz header", `"ApiEndpoint":"https://a.example","Method":"GET","Headers":{"X-Amz-Date":"x"}`, `The header 'X-Amz-Date' is not supported`},
		{"bad encoding", `"ApiEndpoint":"https://a.example","Method":"POST","Transform":{"RequestBodyEncoding":"GZIP"}`, `'RequestBodyEncoding' must be one of NONE, URL_ENCODED`},
		{"bad array format", `"ApiEndpoint":"https://a.example","Method":"POST","Transform":{"RequestBodyEncoding":"URL_ENCODED","RequestEncodingOptions":{"ArrayFormat":"X"}}`, `'ArrayFormat' must be one of`},
		{"not a URL", `"ApiEndpoint":"a.example","Method":"GET"`, `'ApiEndpoint' is not a valid URL`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client := &fakeHTTP{}
			s := newTestService(Options{Virtual: true})
			s.SetHTTPClient(client)
			def := strings.Replace(httpDef(tc.params), `"ErrorEquals":["States.ALL"]`, `"ErrorEquals":["States.Runtime"]`, 1)
			mustInvoke(t, s, "CreateStateMachine", createBody("sm", def, ""))
			mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"e"}`)
			if len(client.reqs) != 0 {
				t.Fatalf("a request was sent: %+v", client.reqs[0])
			}
			d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:sm:e"}`)
			out, _ := d["output"].(string)
			if !strings.Contains(out, `"Error":"States.Runtime"`) || !strings.Contains(out, tc.want) ||
				!strings.Contains(out, "An error occurred while executing the state 'Call' (entered at the event id #2). The Parameters") {
				t.Fatalf("output %s, want a States.Runtime cause with %s", out, tc.want)
			}
		})
	}
}

func TestHTTPTaskWithoutClientGoesToMocks(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", httpDef(`"ApiEndpoint":"https://a.example","Method":"GET"`), ""))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"e"}`)
	d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:sm:e"}`)
	var out struct{ Err struct{ Error, Cause string } }
	if err := json.Unmarshal([]byte(d["output"].(string)), &out); err != nil || out.Err.Error != "States.TaskFailed" ||
		!strings.Contains(out.Err.Cause, "no handler for resource 'arn:aws:states:::http:invoke'") {
		t.Fatalf("without a client: %v", d["output"])
	}
}

func FuzzHTTPTaskParams(f *testing.F) {
	f.Add(`{"ApiEndpoint":"https://a.example","Method":"POST","Authentication":{"ConnectionArn":"` + connARN + `"},"RequestBody":{"a":[1,{"b":[2]}]},"Transform":{"RequestBodyEncoding":"URL_ENCODED"}}`)
	f.Add(`{"Headers":[],"QueryParameters":{"a":{"b":1}}}`)
	f.Fuzz(func(t *testing.T, params string) {
		if len(params) > 4096 || !json.Valid([]byte(params)) {
			return
		}
		s := newTestService(Options{})
		if p, err := parseHTTPTaskParams([]byte(params)); err == nil {
			s.httpRequest(p)
		}
	})
}
