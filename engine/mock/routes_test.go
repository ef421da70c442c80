package mock_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/mock"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"", "anything", true},
		{"*", "", true},
		{"Charge", "Charge", true},
		{"Charge", "charge", false},
		{"Charge", "ChargeCard", false},
		{"Charge*", "ChargeCard", true},
		{"Charge*", "Charge", true},
		{"*Card", "ChargeCard", true},
		{"*Card", "ChargeCards", false},
		{"arn:aws:states:::lambda:*", "arn:aws:states:::lambda:invoke", true},
		{"arn:aws:states:::lambda:*", "arn:aws:states:::sqs:sendMessage", false},
		{"arn:aws:lambda:*:function:pay*", "arn:aws:lambda:us-east-1:123456789012:function:payNow", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"a**c", "ac", true},
		{"*a*a*a*a*b", strings.Repeat("a", 200), false},
		{"?", "?", true}, // only * is special
		{"?", "x", false},
	}
	for _, tt := range tests {
		if got := mock.Glob(tt.pattern, tt.s); got != tt.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestParseRouteErrors(t *testing.T) {
	tests := []struct {
		name, config string
		path, msg    string // the *mock.Error's Path, and a part of its Msg
	}{
		{"Routes not an array", `{"Routes":{}}`, "Routes", "must be an array of routes"},
		{"route not an object", `{"Routes":[7]}`, "Routes[0]", "must be an object"},
		{"misspelt selector", `{"Routes":[{"Sate":"X","Fail":{}}]}`, "Routes[0]", `unknown field "Sate"`},
		{"empty selector", `{"Routes":[{"State":"","Fail":{}}]}`, "Routes[0].State", "must not be empty"},
		{"no action", `{"Routes":[{"State":"X"}]}`, "Routes[0]", "needs one of Mock, Handler, Http, Fail"},
		{"two actions", `{"Routes":[{"State":"X","Fail":{},"Mock":{"Return":1}}]}`, "Routes[0]", "has Fail and Mock"},
		{"second route", `{"Routes":[{"Fail":{}},{"Handler":""}]}`, "Routes[1].Handler", "names no handler"},
		{"unknown response name", `{"Routes":[{"Mock":"Nope"}]}`, "Routes[0].Mock", `names unknown response "Nope"`},
		{"mock not an object", `{"Routes":[{"Mock":[1]}]}`, "Routes[0].Mock", "must be a MockedResponses name"},
		{"empty mock", `{"Routes":[{"Mock":{}}]}`, "Routes[0].Mock", "has no responses"},
		{"response without result", `{"Routes":[{"Mock":{"Outcome":"TaskFailed"}}]}`, "Routes[0].Mock", "needs Return or Throw"},
		{"misspelt response field", `{"Routes":[{"Mock":{"Retrun":1}}]}`, "Routes[0].Mock", `unknown field "Retrun"`},
		{"bad invocation key", `{"Routes":[{"Mock":{"0":{"Return":1},"x":{"Return":2}}}]}`, "Routes[0].Mock", `invocation key "x"`},
		{"invocation without result", `{"Routes":[{"Mock":{"0-2":{}}}]}`, "Routes[0].Mock.0-2", "needs Return or Throw"},
		{"handler neither", `{"Routes":[{"Handler":{}}]}`, "Routes[0].Handler", "needs Name or a non-empty Command"},
		{"handler both", `{"Routes":[{"Handler":{"Name":"a","Command":["b"]}}]}`, "Routes[0].Handler", "has both Name and Command"},
		{"empty program", `{"Routes":[{"Handler":{"Command":[""]}}]}`, "Routes[0].Handler.Command[0]", "names no program"},
		{"env without command", `{"Routes":[{"Handler":{"Name":"a","Env":{"A":"1"}}}]}`, "Routes[0].Handler", "apply to a Command only"},
		{"bad env name", `{"Routes":[{"Handler":{"Command":["a"],"Env":{"A=B":"1"}}}]}`, "Routes[0].Handler.Env", `"A=B" is not a variable name`},
		{"handler number", `{"Routes":[{"Handler":3}]}`, "Routes[0].Handler", "must be a handler name or"},
		{"http without URL", `{"Routes":[{"Http":{}}]}`, "Routes[0].Http.Url", `"" is not an http:// or https:// URL`},
		{"http file URL", `{"Routes":[{"Http":{"Url":"file:///etc/passwd"}}]}`, "Routes[0].Http.Url", "not an http:// or https:// URL"},
		{"bad header", `{"Routes":[{"Http":{"Url":"http://x","Headers":{"A B":"1"}}}]}`, "Routes[0].Http.Headers", `"A B" is not a header name`},
		{"fail not an object", `{"Routes":[{"Fail":"boom"}]}`, "Routes[0].Fail", "must be {\"Error\""},
		{"sfl part still checked", `{"Routes":[],"MockedResponses":{"R":{"z":{"Return":1}}}}`, "MockedResponses.R", `invocation key "z"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := mock.Parse([]byte(tt.config))
			var me *mock.Error
			if !errors.As(err, &me) {
				t.Fatalf("Parse = %+v, %v; want a *mock.Error", cfg, err)
			}
			if me.Path != tt.path || !strings.Contains(me.Msg, tt.msg) {
				t.Errorf("error {Path:%q Msg:%q}, want path %q and a message containing %q", me.Path, me.Msg, tt.path, tt.msg)
			}
			if want := "mock config: " + tt.path + ": "; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error text %q, want it to start with %q", err, want)
			}
		})
	}
}

func TestParseRoutes(t *testing.T) {
	cfg := mustParse(t, routesConfig)
	if len(cfg.Routes) != 8 {
		t.Fatalf("%d routes, want 8", len(cfg.Routes))
	}
	r := cfg.Routes
	if r[0].Path != "Routes[0]" || r[0].State != "Charge" || r[0].StateMachine != "Orders" || r[0].Mock == nil || r[0].Mock.Name != "Routes[0].Mock" {
		t.Errorf("route 0: %+v", r[0])
	}
	if r[1].Mock == nil || r[1].Mock.Name != "NotifyOK" {
		t.Errorf("route 1 names a response: %+v", r[1].Mock)
	}
	if want := (&mock.Handler{Command: []string{"sh", "-c", "cat"}, Env: map[string]string{"A": "1"}, Dir: "/tmp"}); !reflect.DeepEqual(r[3].Handler, want) {
		t.Errorf("route 3 handler %+v, want %+v", r[3].Handler, want)
	}
	if want := (&mock.Handler{Name: "audit"}); !reflect.DeepEqual(r[4].Handler, want) {
		t.Errorf("route 4 handler %+v, want %+v", r[4].Handler, want)
	}
	if r[5].HTTP == nil || r[5].HTTP.URL != "http://localhost:9324/send" || r[5].HTTP.Headers["X-Key"] != "k" {
		t.Errorf("route 5 http %+v", r[5].HTTP)
	}
	if r[6].Fail == nil || *r[6].Fail != (mock.Throw{Error: "NotRouted", Cause: "no DynamoDB here"}) {
		t.Errorf("route 6 fail %+v", r[6].Fail)
	}
	// A Fail without an Error is a States.TaskFailed.
	if r[7].Fail == nil || r[7].Fail.Error != states.TaskFailed {
		t.Errorf("route 7 fail %+v", r[7].Fail)
	}
}

const routesConfig = `{
  "Routes": [
    {"StateMachine": "Orders", "State": "Charge", "Mock": {
      "0": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "busy"}},
      "1-2": {"Return": {"charged": true}}}},
    {"State": "Notify*", "Mock": "NotifyOK"},
    {"State": "Price", "Mock": {"Return": {"price": 42}}},
    {"State": "Ship", "Handler": {"Command": ["sh", "-c", "cat"], "Env": {"A": "1"}, "Dir": "/tmp"}},
    {"State": "Audit", "Handler": "audit"},
    {"Resource": "arn:aws:states:::sqs:*", "Http": {"Url": "http://localhost:9324/send", "Headers": {"X-Key": "k"}}},
    {"Resource": "arn:aws:states:::dynamodb:*", "Fail": {"Error": "NotRouted", "Cause": "no DynamoDB here"}},
    {"StateMachine": "Orders", "Fail": {"Cause": "everything else in Orders"}}
  ],
  "StateMachines": {"Orders": {"TestCases": {"T": {"Charge": "NotifyOK"}}}},
  "MockedResponses": {"NotifyOK": {"0-1": {"Return": "sent"}}}
}`

// The first matching route serves an invocation; mocks count invocations
// per route and state within one execution's runner.
func TestRulesPrecedence(t *testing.T) {
	cfg := mustParse(t, routesConfig)
	ctx := context.Background()
	var acted []string
	act := func(_ context.Context, req *interp.TaskRequest, r *mock.Route) interp.TaskResult {
		acted = append(acted, r.Path+" "+req.StateName)
		return interp.TaskResult{Pending: true}
	}
	next := interp.TaskRunnerFunc(func(_ context.Context, req *interp.TaskRequest) interp.TaskResult {
		return interp.TaskResult{Output: []byte(`"next:` + req.StateName + `"`)}
	})
	lambda := "arn:aws:states:::lambda:invoke"
	tests := []struct {
		machine, state, resource string
		want                     interp.TaskResult
	}{
		{"Orders", "Charge", lambda, interp.TaskResult{Err: states.New("Lambda.ServiceException", "busy")}},
		{"Orders", "Charge", lambda, interp.TaskResult{Output: []byte(`{"charged": true}`)}},
		{"Orders", "Charge", lambda, interp.TaskResult{Output: []byte(`{"charged": true}`)}},
		{"Orders", "Charge", lambda, interp.TaskResult{Err: states.New(states.TaskFailed,
			`The mocked response "Routes[0].Mock" (Routes[0]) has no entry for invocation 3 of state 'Charge'.`)}},
		// Charge outside Orders is not route 0's: it falls to next.
		{"Other", "Charge", lambda, interp.TaskResult{Output: []byte(`"next:Charge"`)}},
		// Two states the glob selects count their invocations apart.
		{"Orders", "NotifyA", lambda, interp.TaskResult{Output: []byte(`"sent"`)}},
		{"Orders", "NotifyB", lambda, interp.TaskResult{Output: []byte(`"sent"`)}},
		{"Orders", "NotifyA", lambda, interp.TaskResult{Output: []byte(`"sent"`)}},
		{"Orders", "NotifyA", lambda, interp.TaskResult{Err: states.New(states.TaskFailed,
			`The mocked response "NotifyOK" (Routes[1]) has no entry for invocation 2 of state 'NotifyA'.`)}},
		// A single response serves every invocation.
		{"Orders", "Price", lambda, interp.TaskResult{Output: []byte(`{"price": 42}`)}},
		{"Orders", "Price", lambda, interp.TaskResult{Output: []byte(`{"price": 42}`)}},
		{"Other", "Ship", lambda, interp.TaskResult{Pending: true}},
		{"Other", "Audit", lambda, interp.TaskResult{Pending: true}},
		{"Other", "Send", "arn:aws:states:::sqs:sendMessage", interp.TaskResult{Pending: true}},
		{"Other", "Put", "arn:aws:states:::dynamodb:putItem", interp.TaskResult{Err: states.New("NotRouted", "no DynamoDB here")}},
		{"Orders", "Anything", lambda, interp.TaskResult{Err: states.New(states.TaskFailed, "everything else in Orders")}},
		{"Other", "Anything", lambda, interp.TaskResult{Output: []byte(`"next:Anything"`)}},
	}
	runners := map[string]interp.TaskRunner{}
	for i, tt := range tests {
		r := runners[tt.machine]
		if r == nil {
			r = cfg.Rules(tt.machine, next, act)
			runners[tt.machine] = r
		}
		got := r.RunTask(ctx, &interp.TaskRequest{StateName: tt.state, Resource: tt.resource})
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("#%d %s/%s: got %s, want %s", i, tt.machine, tt.state, describe(got), describe(tt.want))
		}
	}
	if want := []string{"Routes[3] Ship", "Routes[4] Audit", "Routes[5] Send"}; !reflect.DeepEqual(acted, want) {
		t.Errorf("act saw %q, want %q", acted, want)
	}
	// A new execution's runner counts from zero again.
	got := cfg.Rules("Orders", next, act).RunTask(ctx, &interp.TaskRequest{StateName: "Charge", Resource: lambda})
	if got.Err == nil || got.Err.Name != "Lambda.ServiceException" {
		t.Errorf("fresh runner: got %s", describe(got))
	}
}

// Without next the unrouted fail as unmocked; without act, the routes the
// host would serve fail, saying so.
func TestRulesWithoutNextOrAct(t *testing.T) {
	cfg := mustParse(t, routesConfig)
	r := cfg.Rules("Other", nil, nil)
	req := &interp.TaskRequest{StateName: "Anything", Resource: "arn:aws:states:::lambda:invoke"}
	if got, want := r.RunTask(context.Background(), req), interp.Unmocked(req); !reflect.DeepEqual(got, want) {
		t.Errorf("unrouted: got %s, want %s", describe(got), describe(want))
	}
	got := r.RunTask(context.Background(), &interp.TaskRequest{StateName: "Audit"})
	if got.Err == nil || got.Err.Name != states.TaskFailed || !strings.Contains(got.Err.Cause, "Routes[4] routes state 'Audit' to a handler or URL") {
		t.Errorf("handler route without act: got %s", describe(got))
	}
}

// A Step Functions Local file is a routing file without routes: it parses
// as before and its test cases answer as before.
func TestSFLFileHasNoRoutes(t *testing.T) {
	cfg := mustParse(t, retryConfig)
	if cfg.Routes != nil {
		t.Errorf("Routes %+v, want none", cfg.Routes)
	}
	for _, config := range []string{`{"Routes":null}`, `{"Routes":[]}`} {
		if cfg := mustParse(t, config); len(cfg.Routes) != 0 {
			t.Errorf("%s: Routes %+v", config, cfg.Routes)
		}
	}
	// A rules runner over a file without routes is its next runner.
	next := cfg.Runner("Orders", "HappyPath", nil)
	got := cfg.Rules("Orders", next, nil).RunTask(context.Background(), &interp.TaskRequest{StateName: "Charge"})
	if string(got.Output) != `{"charged": true}` {
		t.Errorf("got %s", describe(got))
	}
}
