package mock_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/mock"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name   string
		config string
		want   string // a part of the message
	}{
		{"bad JSON", `{"StateMachines":`, "invalid JSON"},
		{"wrong shape", `{"MockedResponses":[]}`, "invalid JSON"},
		{"bad key", `{"MockedResponses":{"R":{"x":{"Return":1}}}}`, `invocation key "x" is not a number or range`},
		{"negative key", `{"MockedResponses":{"R":{"-1":{"Return":1}}}}`, `invocation key "-1"`},
		{"empty key", `{"MockedResponses":{"R":{"":{"Return":1}}}}`, `invocation key ""`},
		{"reversed range", `{"MockedResponses":{"R":{"3-1":{"Return":1}}}}`, `invocation key "3-1" is not a valid range`},
		{"open range", `{"MockedResponses":{"R":{"1-":{"Return":1}}}}`, `invocation key "1-" is not a valid range`},
		{"three parts", `{"MockedResponses":{"R":{"1-2-3":{"Return":1}}}}`, `invocation key "1-2-3"`},
		{"neither Return nor Throw", `{"MockedResponses":{"R":{"0":{}}}}`, "MockedResponses.R.0: needs Return or Throw"},
		{"only an Outcome", `{"MockedResponses":{"R":{"0":{"Outcome":"TaskFailed"}}}}`, "needs Return or Throw"},
		{
			"unknown response name",
			`{"StateMachines":{"M":{"TestCases":{"T":{"S":"Missing"}}}},"MockedResponses":{"R":{"0":{"Return":1}}}}`,
			`StateMachines.M.TestCases.T.S: names unknown response "Missing"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := mock.Parse([]byte(tt.config))
			if err == nil {
				t.Fatalf("Parse = %+v, want an error", cfg)
			}
			var me *mock.Error
			if !errors.As(err, &me) {
				t.Fatalf("error %T (%v), want *mock.Error", err, err)
			}
			if !strings.HasPrefix(err.Error(), "mock config: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseValid(t *testing.T) {
	for _, config := range []string{
		`{}`,
		`{"StateMachines":{},"MockedResponses":{}}`,
		`{"MockedResponses":{"R":{"0":{"Return":null}}}}`,
		`{"MockedResponses":{"R":{"0":{"Throw":{"Error":"E","Cause":"C"}}}}}`,
		`{"MockedResponses":{"R":{"0":{"Pending":true}}}}`,
		`{"MockedResponses":{"R":{" 1 - 2 ":{"Return":{}}}}}`,
	} {
		if _, err := mock.Parse([]byte(config)); err != nil {
			t.Errorf("Parse(%s): %v", config, err)
		}
	}
}

const retryConfig = `{
  "StateMachines": {
    "Orders": {
      "TestCases": {
        "HappyPath": {"Charge": "ChargeOK"},
        "FlakyCharge": {"Charge": "ChargeFlaky", "Notify": "NotifyOK"},
        "Replay": {"Charge": "Recorded"}
      }
    }
  },
  "MockedResponses": {
    "ChargeOK": {"0": {"Return": {"charged": true}}},
    "ChargeFlaky": {
      "0": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "first"}},
      "1-2": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "busy"}},
      "3": {"Return": {"charged": "late"}}
    },
    "NotifyOK": {"0-1": {"Return": "sent"}},
    "Recorded": {
      "0": {"Outcome": "LambdaFunctionFailed", "Throw": {"Error": "Exception", "Cause": "{\"errorMessage\": \"x\"}"}},
      "1": {"Outcome": "success", "Return": {"ok": 1}},
      "2": {"Pending": true, "Submitted": {"MessageId": "m-1"}},
      "3": {"Outcome": "TaskTimedOut", "Throw": {"Error": "States.Timeout", "Cause": ""}}
    }
  }
}`

func mustParse(t testing.TB, config string) *mock.Config {
	t.Helper()
	cfg, err := mock.Parse([]byte(config))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestRunnerInvocations(t *testing.T) {
	cfg := mustParse(t, retryConfig)
	ctx := context.Background()
	r := cfg.Runner("Orders", "FlakyCharge", nil)
	want := []interp.TaskResult{
		{Err: states.New("Lambda.ServiceException", "first")},
		{Err: states.New("Lambda.TooManyRequestsException", "busy")},
		{Err: states.New("Lambda.TooManyRequestsException", "busy")},
		{Output: []byte(`{"charged": "late"}`)},
	}
	for i, w := range want {
		got := r.RunTask(ctx, &interp.TaskRequest{StateName: "Charge", Attempt: i})
		if !reflect.DeepEqual(got, w) {
			t.Errorf("invocation %d: got %+v, want %+v", i, describe(got), describe(w))
		}
	}
	// Past the last key, the response has no entry: a TaskFailed that says so.
	got := r.RunTask(ctx, &interp.TaskRequest{StateName: "Charge"})
	if got.Err == nil || got.Err.Name != states.TaskFailed || !strings.Contains(got.Err.Cause, `"ChargeFlaky" has no entry for invocation 4 of state 'Charge'`) {
		t.Errorf("invocation 4: got %+v", describe(got))
	}
	// Another state of the test case counts its own invocations.
	for i := 0; i < 2; i++ {
		if got := r.RunTask(ctx, &interp.TaskRequest{StateName: "Notify"}); string(got.Output) != `"sent"` || got.Err != nil {
			t.Errorf("Notify invocation %d: got %+v", i, describe(got))
		}
	}
	if got := r.RunTask(ctx, &interp.TaskRequest{StateName: "Notify"}); got.Err == nil {
		t.Errorf("Notify invocation 2 (past the range 0-1): got %+v, want a failure", describe(got))
	}
}

// Each Runner is one execution: its counts start at zero.
func TestRunnerFreshCounts(t *testing.T) {
	cfg := mustParse(t, retryConfig)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		r := cfg.Runner("Orders", "FlakyCharge", nil)
		got := r.RunTask(ctx, &interp.TaskRequest{StateName: "Charge"})
		if got.Err == nil || got.Err.Cause != "first" {
			t.Errorf("runner %d, first invocation: got %+v", i, describe(got))
		}
	}
}

func TestRunnerUnmocked(t *testing.T) {
	cfg := mustParse(t, retryConfig)
	ctx := context.Background()
	req := &interp.TaskRequest{StateName: "Ship", Resource: "arn:aws:states:::lambda:invoke"}

	got := cfg.Runner("Orders", "HappyPath", nil).RunTask(ctx, req)
	if want := interp.Unmocked(req); !reflect.DeepEqual(got, want) {
		t.Errorf("unmocked state without next: got %+v, want %+v", describe(got), describe(want))
	}

	var seen []string
	next := interp.TaskRunnerFunc(func(_ context.Context, req *interp.TaskRequest) interp.TaskResult {
		seen = append(seen, req.StateName)
		return interp.TaskResult{Output: []byte(`"from next"`)}
	})
	r := cfg.Runner("Orders", "HappyPath", next)
	if got := r.RunTask(ctx, req); string(got.Output) != `"from next"` {
		t.Errorf("unmocked state with next: got %+v", describe(got))
	}
	if got := r.RunTask(ctx, &interp.TaskRequest{StateName: "Charge"}); string(got.Output) != `{"charged": true}` {
		t.Errorf("mocked state with next: got %+v", describe(got))
	}
	if !reflect.DeepEqual(seen, []string{"Ship"}) {
		t.Errorf("next saw %q, want only Ship", seen)
	}

	// An unknown test case or state machine mocks nothing.
	for _, sm := range [][2]string{{"Orders", "NoSuchCase"}, {"Other", "HappyPath"}} {
		got := cfg.Runner(sm[0], sm[1], nil).RunTask(ctx, &interp.TaskRequest{StateName: "Charge"})
		if want := interp.Unmocked(&interp.TaskRequest{StateName: "Charge"}); !reflect.DeepEqual(got, want) {
			t.Errorf("%s/%s: got %+v, want Unmocked", sm[0], sm[1], describe(got))
		}
	}
}

func TestRunnerExtensions(t *testing.T) {
	cfg := mustParse(t, retryConfig)
	r := cfg.Runner("Orders", "Replay", nil)
	want := []interp.TaskResult{
		{Outcome: history.LambdaFunctionFailed, Err: states.New("Exception", `{"errorMessage": "x"}`)},
		{Output: []byte(`{"ok": 1}`)}, // "success" is the natural outcome: left zero
		{Pending: true, Submitted: []byte(`{"MessageId": "m-1"}`)},
		{Outcome: history.TaskTimedOut, Err: states.New(states.Timeout, "")},
	}
	for i, w := range want {
		got := r.RunTask(context.Background(), &interp.TaskRequest{StateName: "Charge"})
		if !reflect.DeepEqual(got, w) {
			t.Errorf("invocation %d: got %+v, want %+v", i, describe(got), describe(w))
		}
	}
}

func TestHasTestCase(t *testing.T) {
	cfg := mustParse(t, retryConfig)
	for _, tt := range []struct {
		sm, tc string
		want   bool
	}{
		{"Orders", "HappyPath", true},
		{"Orders", "Replay", true},
		{"Orders", "happypath", false},
		{"Other", "HappyPath", false},
		{"", "", false},
	} {
		if got := cfg.HasTestCase(tt.sm, tt.tc); got != tt.want {
			t.Errorf("HasTestCase(%q, %q) = %v, want %v", tt.sm, tt.tc, got, tt.want)
		}
	}
}

// describe makes a TaskResult readable in failures (byte slices as text).
func describe(r interp.TaskResult) string {
	return fmt.Sprintf("{Output:%s Err:%v Outcome:%q Pending:%v Submitted:%s}", r.Output, r.Err, r.Outcome, r.Pending, r.Submitted)
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(retryConfig))
	f.Add([]byte(`{"MockedResponses":{"R":{"0-99999999999999999999":{"Return":1}}}}`))
	f.Add([]byte(routesConfig))
	f.Add([]byte(`{"Routes":[{"State":"*a*","Mock":{"0-1":{"Return":1}}},{"Handler":"h"},{"Fail":{}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<14 {
			return
		}
		cfg, err := mock.Parse(data)
		if err != nil {
			return
		}
		for sm, m := range cfg.StateMachines {
			for tc, byState := range m.TestCases {
				r := cfg.Runner(sm, tc, nil)
				for state := range byState {
					for i := 0; i < 3; i++ {
						r.RunTask(context.Background(), &interp.TaskRequest{StateName: state})
					}
				}
			}
		}
		// Every route serves an invocation its own selectors name.
		rules := cfg.Rules("M", nil, nil)
		for _, rt := range cfg.Routes {
			if rt.Path == "" || (rt.Mock != nil) == (rt.Fail != nil) && rt.Handler == nil && rt.HTTP == nil {
				t.Fatalf("route %+v has no single action", rt)
			}
			req := &interp.TaskRequest{StateName: rt.State, Resource: rt.Resource}
			for i := 0; i < 3; i++ {
				if res := rules.RunTask(context.Background(), req); res.Err == nil && res.Output == nil && !res.Pending {
					t.Fatalf("route %s: an empty result %+v", rt.Path, res)
				}
			}
		}
	})
}

func BenchmarkRunTask(b *testing.B) {
	cfg := mustParse(b, retryConfig)
	req := &interp.TaskRequest{StateName: "Notify"}
	b.ReportAllocs()
	for b.Loop() {
		cfg.Runner("Orders", "FlakyCharge", nil).RunTask(context.Background(), req)
	}
}

// A Step Functions Local mock configuration: the first call to the Charge
// state fails, the retry succeeds.
func Example() {
	cfg, err := mock.Parse([]byte(`{
	  "StateMachines": {
	    "Orders": {"TestCases": {"RetryOnce": {"Charge": "FailThenCharge"}}}
	  },
	  "MockedResponses": {
	    "FailThenCharge": {
	      "0": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "try again"}},
	      "1": {"Return": {"StatusCode": 200, "Payload": {"charged": true}}}
	    }
	  }
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := cfg.Runner("Orders", "RetryOnce", nil)
	for range 2 {
		res := r.RunTask(context.Background(), &interp.TaskRequest{StateName: "Charge"})
		if res.Err != nil {
			fmt.Println("error:", res.Err)
		} else {
			fmt.Println("output:", string(res.Output))
		}
	}
	// Output:
	// error: Lambda.ServiceException: try again
	// output: {"StatusCode": 200, "Payload": {"charged": true}}
}
