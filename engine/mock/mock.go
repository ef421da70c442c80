// Package mock serves Task states from a Step Functions Local mock
// configuration: StateMachines name test cases, each mapping state names
// to a mocked response; MockedResponses give, per invocation number (0
// based, or an inclusive range such as "1-2"), a Return value or a Throw.
//
// See https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html
//
// Stepwise accepts that format unchanged and adds three optional fields to a
// response, used to replay histories recorded from AWS: Outcome (the
// history event that ends the invocation, e.g. "LambdaFunctionFailed" or
// "TaskTimedOut"), Submitted (the TaskSubmitted output of a callback task)
// and Pending (the result comes later through SendTaskSuccess/Failure).
//
// A routing file is that format plus Routes (routes.go): ordered rules that
// send a Task invocation to a mock, a handler of the host, an HTTP
// endpoint or a failure.
package mock

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// Config is a parsed mock configuration or routing file. It is immutable.
type Config struct {
	StateMachines   map[string]StateMachine        `json:"StateMachines"`
	MockedResponses map[string]map[string]Response `json:"MockedResponses"`
	// Routes are the routing file's routes, in order (routes.go).
	Routes []Route `json:"-"`
	ranges map[string][]span
}

// StateMachine lists a state machine's test cases: test case name ->
// state name -> mocked response name.
type StateMachine struct {
	TestCases map[string]map[string]string `json:"TestCases"`
}

// Response is one mocked result.
type Response struct {
	Return    json.RawMessage `json:"Return,omitempty"`
	Throw     *Throw          `json:"Throw,omitempty"`
	Outcome   string          `json:"Outcome,omitempty"`
	Submitted json.RawMessage `json:"Submitted,omitempty"`
	Pending   bool            `json:"Pending,omitempty"`
}

// Throw is a mocked failure.
type Throw struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

type span struct {
	lo, hi int
	resp   Response
}

// Error is a mock configuration or routing file that cannot be used:
// Path locates the offending part ("Routes[2].Handler", empty for the
// whole file), Msg says what is wrong with it.
type Error struct{ Path, Msg string }

func (e *Error) Error() string {
	if e.Path == "" {
		return "mock config: " + e.Msg
	}
	return "mock config: " + e.Path + ": " + e.Msg
}

// Parse reads a mock configuration or routing file and checks it: every
// test case and route names an existing response, invocation keys are
// numbers or ranges, and every route has selectors and one valid action.
// It returns an *Error.
func Parse(data []byte) (*Config, error) {
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, &Error{Msg: "invalid JSON: " + err.Error()}
	}
	var withRoutes struct {
		Routes json.RawMessage `json:"Routes"`
	}
	if err := json.Unmarshal(data, &withRoutes); err != nil {
		return nil, &Error{Msg: "invalid JSON: " + err.Error()}
	}
	c.ranges = map[string][]span{}
	for name, byKey := range c.MockedResponses {
		spans, err := parseSpans("MockedResponses."+name, byKey)
		if err != nil {
			return nil, err
		}
		c.ranges[name] = spans
	}
	for smName, sm := range c.StateMachines {
		for tc, st := range sm.TestCases {
			for state, resp := range st {
				if _, ok := c.MockedResponses[resp]; !ok {
					return nil, &Error{Path: fmt.Sprintf("StateMachines.%s.TestCases.%s.%s", smName, tc, state), Msg: fmt.Sprintf("names unknown response %q", resp)}
				}
			}
		}
	}
	if err := c.parseRoutes(withRoutes.Routes); err != nil {
		return nil, err
	}
	return &c, nil
}

// parseSpans checks a response list's invocation keys and responses and
// orders them by their first invocation.
func parseSpans(path string, byKey map[string]Response) ([]span, error) {
	var spans []span
	for key, resp := range byKey {
		lo, hi, err := parseKey(key)
		if err != nil {
			return nil, &Error{Path: path, Msg: err.Error()}
		}
		if err := checkResponse(resp); err != nil {
			return nil, &Error{Path: path + "." + key, Msg: err.Error()}
		}
		spans = append(spans, span{lo, hi, resp})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].lo < spans[j].lo })
	return spans, nil
}

func checkResponse(resp Response) error {
	if resp.Return == nil && resp.Throw == nil && !resp.Pending {
		return fmt.Errorf("needs Return or Throw")
	}
	return nil
}

func parseKey(key string) (int, int, error) {
	lo, hi, isRange := strings.Cut(key, "-")
	a, err := strconv.Atoi(strings.TrimSpace(lo))
	if err != nil || a < 0 {
		return 0, 0, fmt.Errorf("invocation key %q is not a number or range", key)
	}
	if !isRange {
		return a, a, nil
	}
	b, err := strconv.Atoi(strings.TrimSpace(hi))
	if err != nil || b < a {
		return 0, 0, fmt.Errorf("invocation key %q is not a valid range", key)
	}
	return a, b, nil
}

// HasTestCase reports whether the configuration has the test case for the
// state machine.
func (c *Config) HasTestCase(stateMachine, testCase string) bool {
	_, ok := c.StateMachines[stateMachine].TestCases[testCase]
	return ok
}

// Runner returns a TaskRunner for one execution of the test case: it
// counts invocations per state and answers from the mocked responses.
// States the test case does not mock go to next (nil: interp.Unmocked).
func (c *Config) Runner(stateMachine, testCase string, next interp.TaskRunner) interp.TaskRunner {
	return &runner{cfg: c, states: c.StateMachines[stateMachine].TestCases[testCase], next: next, calls: map[string]int{}}
}

type runner struct {
	cfg    *Config
	states map[string]string
	next   interp.TaskRunner
	mu     sync.Mutex
	calls  map[string]int
}

func (r *runner) RunTask(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
	name, ok := r.states[req.StateName]
	if !ok {
		if r.next != nil {
			return r.next.RunTask(ctx, req)
		}
		return interp.Unmocked(req)
	}
	r.mu.Lock()
	n := r.calls[req.StateName]
	r.calls[req.StateName] = n + 1
	r.mu.Unlock()
	for _, s := range r.cfg.ranges[name] {
		if n >= s.lo && n <= s.hi {
			return result(s.resp)
		}
	}
	return interp.TaskResult{Err: states.New(states.TaskFailed, fmt.Sprintf(
		"The mocked response %q has no entry for invocation %d of state '%s'.", name, n, req.StateName))}
}

func result(r Response) interp.TaskResult {
	res := interp.TaskResult{Submitted: r.Submitted, Pending: r.Pending}
	if r.Outcome != "" && r.Outcome != "success" {
		res.Outcome = history.Type(r.Outcome)
	}
	if r.Throw != nil {
		res.Err = &states.Error{Name: r.Throw.Error, Cause: r.Throw.Cause}
		return res
	}
	res.Output = r.Return
	return res
}
