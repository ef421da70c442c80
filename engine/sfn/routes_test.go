package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// routesDef has three Task states, each reading its input and keeping its
// result apart.
const routesDef = `{"StartAt":"Charge","States":{
	"Charge":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"n.$":"$.n"},"ResultPath":"$.charge","Next":"Notify"},
	"Notify":{"Type":"Task","Resource":"arn:aws:states:::sns:publish","Parameters":{"msg":"hi"},"ResultPath":"$.notify","Next":"Store"},
	"Store":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem","TimeoutSeconds":30,"ResultPath":"$.store","End":true}}}`

// runRouted creates the machine sm from def, starts an execution named
// name (with the ARN suffix, e.g. "#Happy"), waits for the host-side
// tasks and returns DescribeExecution.
func runRouted(t *testing.T, s *Service, def, suffix, name, input string) map[string]any {
	t.Helper()
	if _, err := invoke(t, s, "DescribeStateMachine", `{"stateMachineArn":"`+smARN+`"}`); err != nil {
		mustInvoke(t, s, "CreateStateMachine", createBody("sm", def, ""))
	}
	mustInvoke(t, s, "StartExecution", fmt.Sprintf(`{"stateMachineArn":%q,"name":%q,"input":%q}`, smARN+suffix, name, input))
	if err := s.WaitHostTasks(context.Background()); err != nil {
		t.Fatal(err)
	}
	return mustInvoke(t, s, "DescribeExecution", `{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:sm:`+name+`"}`)
}

func TestRoutesThroughInvoke(t *testing.T) {
	tests := []struct {
		name   string
		routes string
		status string
		output string // SUCCEEDED: the output; else "error: cause"
	}{
		{
			"mocks and a fail",
			`{"Routes":[
				{"State":"Charge","Mock":{"Return":{"ok":1}}},
				{"Resource":"arn:aws:states:::sns:*","Mock":"Sent"},
				{"Resource":"arn:aws:states:::dynamodb:*","Fail":{"Error":"NotHere","Cause":"no DynamoDB"}}],
			 "MockedResponses":{"Sent":{"0":{"Return":"sent"}}}}`,
			"FAILED", "NotHere: no DynamoDB",
		},
		{
			"all mocked",
			`{"Routes":[{"StateMachine":"sm","Mock":{"Return":true}}]}`,
			"SUCCEEDED", `{"n":1,"charge":true,"notify":true,"store":true}`,
		},
		{
			"another machine's route does not apply",
			`{"Routes":[{"StateMachine":"other","Mock":{"Return":true}}]}`,
			"FAILED", "States.TaskFailed: Stepwise has no handler for resource 'arn:aws:states:::lambda:invoke' (state 'Charge')",
		},
		{
			"a command without a command runner",
			`{"Routes":[{"State":"Charge","Handler":{"Command":["true"]}}]}`,
			"FAILED", "States.TaskFailed: Routes[0] runs a command for state 'Charge', and this host runs no commands.",
		},
		{
			"a handler nobody registered",
			`{"Routes":[{"State":"Charge","Handler":"nobody"}]}`,
			"FAILED", "States.TaskFailed: Routes[0] sends state 'Charge' to the handler 'nobody', and no handler of that name is registered.",
		},
		{
			"an HTTP route without a client",
			`{"Routes":[{"State":"Charge","Http":{"Url":"http://localhost:1/x"}}]}`,
			"FAILED", "States.TaskFailed: Routes[0] sends state 'Charge' to http://localhost:1/x, and this host has no HTTP client.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestService(Options{Virtual: true})
			if err := s.SetMockConfig([]byte(tt.routes)); err != nil {
				t.Fatal(err)
			}
			d := runRouted(t, s, routesDef, "", "e", `{"n":1}`)
			checkEnd(t, d, tt.status, tt.output)
		})
	}
}

func checkEnd(t *testing.T, d map[string]any, status, want string) {
	t.Helper()
	got := fmt.Sprint(d["output"])
	if status != "SUCCEEDED" {
		got = fmt.Sprintf("%v: %v", d["error"], d["cause"])
	}
	if d["status"] != status || !strings.HasPrefix(got, want) {
		t.Errorf("status %v, %s\nwant %s, %s", d["status"], got, status, want)
	}
}

// Go functions serve states by route (handler name) and by resource or
// state name (HandleTask's pattern); a *TaskError fails the task with its
// name, which Catch sees.
func TestGoHandlers(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	var mu sync.Mutex
	var seen []HostTask
	record := func(t HostTask) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, t)
	}
	s.HandleTask("charge", func(ctx context.Context, t HostTask) (json.RawMessage, error) {
		record(t)
		var in struct{ N int }
		if err := json.Unmarshal(t.Input, &in); err != nil {
			return nil, err
		}
		return json.RawMessage(fmt.Sprintf(`{"charged":%d}`, in.N*2)), nil
	})
	s.HandleTask("arn:aws:states:::sns:*", func(ctx context.Context, t HostTask) (json.RawMessage, error) {
		record(t)
		return nil, nil // null
	})
	s.HandleTask("Store", func(ctx context.Context, t HostTask) (json.RawMessage, error) {
		record(t)
		return nil, &TaskError{Name: "Store.Full", Cause: "no room"}
	})
	if err := s.SetMockConfig([]byte(`{"Routes":[{"State":"Charge","Handler":"charge"}]}`)); err != nil {
		t.Fatal(err)
	}
	d := runRouted(t, s, routesDef, "", "e1", `{"n":21}`)
	checkEnd(t, d, "FAILED", "Store.Full: no room")
	if len(seen) != 3 {
		t.Fatalf("handlers saw %+v", seen)
	}
	if c := seen[0]; c.StateName != "Charge" || c.Handler != "charge" || string(c.Input) != `{"n":21}` || c.Token == "" ||
		c.ExecutionARN != "arn:aws:states:us-east-1:123456789012:execution:sm:e1" {
		t.Errorf("Charge's task: %+v", c)
	}
	if n := seen[1]; n.StateName != "Notify" || n.Handler != "" || n.Resource != "arn:aws:states:::sns:publish" {
		t.Errorf("Notify's task: %+v", n)
	}
	if st := seen[2]; st.TimeoutSeconds != 30 {
		t.Errorf("Store's task: TimeoutSeconds %d, want 30", st.TimeoutSeconds)
	}
	hist := mustInvoke(t, s, "GetExecutionHistory", `{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:sm:e1"}`)
	var types []string
	for _, e := range hist["events"].([]any) {
		types = append(types, e.(map[string]any)["type"].(string))
	}
	want := "ExecutionStarted TaskStateEntered TaskScheduled TaskStarted TaskSucceeded TaskStateExited " +
		"TaskStateEntered TaskScheduled TaskStarted TaskSucceeded TaskStateExited " +
		"TaskStateEntered TaskScheduled TaskStarted TaskFailed ExecutionFailed"
	if got := strings.Join(types, " "); got != want {
		t.Errorf("history\n got %s\nwant %s", got, want)
	}

	// Other errors are States.TaskFailed; a panic fails the task, not the
	// process; removing a handler sends the state on to the next stage.
	s.HandleTask("Store", func(ctx context.Context, t HostTask) (json.RawMessage, error) { return nil, errors.New("disk on fire") })
	checkEnd(t, runRouted(t, s, routesDef, "", "e2", `{"n":1}`), "FAILED", "States.TaskFailed: disk on fire")
	s.HandleTask("Store", func(ctx context.Context, t HostTask) (json.RawMessage, error) { panic("oops") })
	checkEnd(t, runRouted(t, s, routesDef, "", "e3", `{"n":1}`), "FAILED", "States.TaskFailed: the task handler panicked: oops")
	s.HandleTask("Store", func(ctx context.Context, t HostTask) (json.RawMessage, error) {
		return json.RawMessage(`not json`), nil
	})
	checkEnd(t, runRouted(t, s, routesDef, "", "e4", `{"n":1}`), "FAILED", "States.Runtime:")
	s.HandleTask("Store", nil)
	checkEnd(t, runRouted(t, s, routesDef, "", "e5", `{"n":1}`), "FAILED", "States.TaskFailed: Stepwise has no handler for resource 'arn:aws:states:::dynamodb:putItem'")
	s.HandleTask("Store", func(ctx context.Context, t HostTask) (json.RawMessage, error) {
		return json.RawMessage(` {"k" : 1} `), nil
	})
	checkEnd(t, runRouted(t, s, routesDef, "", "e6", `{"n":1}`), "SUCCEEDED", `{"n":1,"charge":{"charged":2},"notify":null,"store":{"k":1}}`)
}

// Routes come before the test case's mocks; what they leave goes to the
// test case, then to the host's handlers.
func TestRoutesBeforeTestCase(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	s.HandleTask("Store", func(ctx context.Context, t HostTask) (json.RawMessage, error) { return json.RawMessage(`"go"`), nil })
	err := s.SetMockConfig([]byte(`{
		"Routes":[{"State":"Charge","Mock":{"Return":"route"}}],
		"StateMachines":{"sm":{"TestCases":{"Happy":{"Charge":"TC","Notify":"TC"}}}},
		"MockedResponses":{"TC":{"0":{"Return":"test case"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	d := runRouted(t, s, routesDef, "#Happy", "e", `{"n":1}`)
	checkEnd(t, d, "SUCCEEDED", `{"n":1,"charge":"route","notify":"test case","store":"go"}`)
	// Without the test case, Notify has no mock.
	d = runRouted(t, s, routesDef, "", "e2", `{"n":1}`)
	checkEnd(t, d, "FAILED", "States.TaskFailed: Stepwise has no handler for resource 'arn:aws:states:::sns:publish'")
}

// A handler route that names a function of the host's TaskHandler (the
// page's registered functions in the browser) hands it the task with the
// handler's name.
func TestRouteToTaskHandler(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	var started []HostTask
	s.SetTaskHandler(&TaskHandler{
		Handles: func(resource, state string) bool { return resource == "price" },
		Start:   func(h HostTask) { started = append(started, h) },
	})
	if err := s.SetMockConfig([]byte(`{"Routes":[{"State":"Charge","Handler":"price"},{"Mock":{"Return":0}}]}`)); err != nil {
		t.Fatal(err)
	}
	d := runRouted(t, s, routesDef, "", "e", `{"n":1}`)
	if d["status"] != "RUNNING" || len(started) != 1 || started[0].Handler != "price" || started[0].StateName != "Charge" {
		t.Fatalf("status %v, started %+v", d["status"], started)
	}
	mustInvoke(t, s, "SendTaskSuccess", `{"taskToken":"`+started[0].Token+`","output":"7"}`)
	d = mustInvoke(t, s, "DescribeExecution", `{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:sm:e"}`)
	checkEnd(t, d, "SUCCEEDED", `{"n":1,"charge":7,"notify":0,"store":0}`)
}

// Commands go to the host's CommandFunc with the route's argv, env and
// directory.
func TestCommandRoute(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	var got []Command
	s.HandleCommands(func(ctx context.Context, c Command, t HostTask) (json.RawMessage, error) {
		got = append(got, c)
		if t.StateName == "Store" {
			return nil, &TaskError{Name: "States.Timeout", Cause: "too slow"}
		}
		return t.Input, nil
	})
	if err := s.SetMockConfig([]byte(`{"Routes":[
		{"Handler":{"Command":["sh","-c","cat"],"Env":{"A":"1"},"Dir":"/tmp"}}]}`)); err != nil {
		t.Fatal(err)
	}
	d := runRouted(t, s, routesDef, "", "e", `{"n":3}`)
	checkEnd(t, d, "FAILED", "States.Timeout: too slow")
	if len(got) != 3 || strings.Join(got[0].Args, " ") != "sh -c cat" || got[0].Env["A"] != "1" || got[0].Dir != "/tmp" {
		t.Errorf("commands %+v", got)
	}
	// States.Timeout from a handler is a timeout in the history.
	hist := mustInvoke(t, s, "GetExecutionHistory", `{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:sm:e","reverseOrder":true,"maxResults":2}`)
	if typ := hist["events"].([]any)[1].(map[string]any)["type"]; typ != "TaskTimedOut" {
		t.Errorf("the failing task ended with %v, want TaskTimedOut", typ)
	}
}

// routeHTTP answers every request with the response for its URL, from
// another goroutine as the HTTPClient contract asks.
type routeHTTP struct {
	mu        sync.Mutex
	requests  []*HTTPRequest
	responses map[string]*HTTPResponse // nil: a transport error
}

func (f *routeHTTP) Do(req *HTTPRequest, done func(*HTTPResponse, error)) {
	f.mu.Lock()
	f.requests = append(f.requests, req)
	resp := f.responses[req.URL]
	f.mu.Unlock()
	go func() {
		if resp == nil {
			done(nil, errors.New("dial tcp: connection refused"))
			return
		}
		done(resp, nil)
	}()
}

func TestHTTPRoutes(t *testing.T) {
	client := &routeHTTP{responses: map[string]*HTTPResponse{
		"http://h/ok":      {StatusCode: 200, Body: []byte(`{"ok":true}`)},
		"http://h/empty":   {StatusCode: 204},
		"http://h/named":   {StatusCode: 400, Body: []byte(`{"Error":"Bad.Input","Cause":"n is odd"}`)},
		"http://h/plain":   {StatusCode: 503, StatusText: "Service Unavailable"},
		"http://h/text":    {StatusCode: 500, Body: []byte(`it broke`)},
		"http://h/notjson": {StatusCode: 200, Body: []byte(`hello`)},
	}}
	tests := []struct {
		url, status, output string
	}{
		{"http://h/ok", "SUCCEEDED", `{"n":1,"charge":{"ok":true},"notify":0,"store":0}`},
		{"http://h/empty", "SUCCEEDED", `{"n":1,"charge":null,"notify":0,"store":0}`},
		{"http://h/named", "FAILED", "Bad.Input: n is odd"},
		{"http://h/plain", "FAILED", "States.Http.StatusCode.503: 503 Service Unavailable"},
		{"http://h/text", "FAILED", "States.Http.StatusCode.500: it broke"},
		{"http://h/notjson", "FAILED", "States.Runtime:"},
		{"http://h/down", "FAILED", "States.Http.Socket: dial tcp: connection refused"},
	}
	for i, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			s := newTestService(Options{Virtual: true})
			s.SetHTTPClient(client)
			routes := `{"Routes":[{"State":"Charge","Http":{"Url":"` + tt.url + `","Headers":{"Authorization":"Bearer x","Content-Type":"application/vnd+json"}}},{"Mock":{"Return":0}}]}`
			if err := s.SetMockConfig([]byte(routes)); err != nil {
				t.Fatal(err)
			}
			checkEnd(t, runRouted(t, s, routesDef, "", fmt.Sprint("e", i), `{"n":1}`), tt.status, tt.output)
		})
	}
	r := client.requests[0]
	if r.Method != "POST" || r.URL != "http://h/ok" || string(r.Body) != `{"n":1}` {
		t.Errorf("request %+v", r)
	}
	want := [][2]string{{"Authorization", "Bearer x"}, {"Content-Type", "application/vnd+json"}, {"Accept", "application/json"},
		{"X-Stepwise-Execution-Arn", "arn:aws:states:us-east-1:123456789012:execution:sm:e0"}, {"X-Stepwise-State-Name", "Charge"},
		{"X-Stepwise-Resource", "arn:aws:states:::lambda:invoke"}, {"X-Stepwise-Attempt", "0"}}
	if fmt.Sprint(r.Header) != fmt.Sprint(want) {
		t.Errorf("headers\n got %q\nwant %q", r.Header, want)
	}
}

// A Retry of a routed state invokes the route again: a command or HTTP
// endpoint that fails, then succeeds, is retried as on AWS.
func TestRoutedRetry(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	calls := 0
	s.HandleTask("flaky", func(ctx context.Context, t HostTask) (json.RawMessage, error) {
		calls++
		if t.Attempt < 2 {
			return nil, &TaskError{Name: "Busy", Cause: fmt.Sprint("attempt ", t.Attempt)}
		}
		return json.RawMessage(`"done"`), nil
	})
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f",
		"Retry":[{"ErrorEquals":["Busy"],"MaxAttempts":3,"IntervalSeconds":1}],"End":true}}}`
	if err := s.SetMockConfig([]byte(`{"Routes":[{"Resource":"arn:aws:lambda:*:function:f","Handler":"flaky"}]}`)); err != nil {
		t.Fatal(err)
	}
	checkEnd(t, runRouted(t, s, def, "", "e", `{}`), "SUCCEEDED", `"done"`)
	if calls != 3 {
		t.Errorf("%d calls, want 3", calls)
	}
}

// Bad routing files are refused with the mock package's error, and leave
// the previous configuration in place.
func TestSetMockConfigRoutesError(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	if err := s.SetMockConfig([]byte(`{"Routes":[{"Mock":{"Return":"kept"}}]}`)); err != nil {
		t.Fatal(err)
	}
	err := s.SetMockConfig([]byte(`{"Routes":[{"State":"X"}]}`))
	if err == nil || err.Error() != "mock config: Routes[0]: needs one of Mock, Handler, Http, Fail" {
		t.Fatalf("error %v", err)
	}
	checkEnd(t, runRouted(t, s, routesDef, "", "e", `{"n":1}`), "SUCCEEDED", `{"n":1,"charge":"kept","notify":"kept","store":"kept"}`)
}
