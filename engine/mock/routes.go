package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// A routing file is a mock configuration with a list of Routes: each
// selects Task invocations (by state machine name, state name and
// resource) and says who serves them. Routes are tried in order, the first
// that matches wins; invocations no route matches go on to the test case's
// mocks and then to whatever else the host serves.
//
//	{
//	  "Routes": [
//	    {"State": "Charge", "Mock": {"0": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "busy"}},
//	                                 "1-9": {"Return": {"charged": true}}}},
//	    {"State": "Notify", "Mock": "NotifyOK"},
//	    {"Resource": "arn:aws:states:::lambda:invoke", "State": "Price*",
//	     "Handler": {"Command": ["./price.sh"], "Env": {"CURRENCY": "EUR"}}},
//	    {"State": "Audit", "Handler": "audit"},
//	    {"Resource": "arn:aws:states:::sqs:*", "Http": {"Url": "http://localhost:9324/send"}},
//	    {"Resource": "arn:aws:states:::dynamodb:*", "Fail": {"Error": "NotRouted", "Cause": "no DynamoDB here"}}
//	  ],
//	  "MockedResponses": {"NotifyOK": {"0-99": {"Return": "sent"}}}
//	}
//
// A file without Routes is a Step Functions Local mock configuration and
// means what it means there.

// Route is one entry of a routing file's Routes: the selectors an
// invocation must match (empty matches anything; "*" in a selector
// matches any run of characters, including none) and exactly one action
// (Mock, Handler, HTTP or Fail).
type Route struct {
	// Path locates the route in the file ("Routes[2]"), for messages.
	Path string
	// StateMachine, State and Resource select by the state machine's
	// name, the Task state's name and its Resource field as written.
	StateMachine, State, Resource string
	// Mock answers with mocked responses; Handler hands the invocation
	// to a function or command of the host; HTTP posts its input to a
	// URL; Fail fails it. Exactly one is set.
	Mock    *Mock
	Handler *Handler
	HTTP    *HTTP
	Fail    *Throw
}

// Mock is a route's mocked responses: per invocation of a state in an
// execution (0 based; keys as in MockedResponses), or one response for
// every invocation.
type Mock struct {
	// Name is the MockedResponses entry the route names, or the route's
	// path for responses written inline.
	Name  string
	spans []span
}

// Handler names a handler of the host: a function registered under Name
// (a Go function, or the page's registerTask function in the browser),
// or a command to run natively (Command is its argv; Env adds to the
// environment, Dir is its working directory).
type Handler struct {
	Name    string            `json:"Name,omitempty"`
	Command []string          `json:"Command,omitempty"`
	Env     map[string]string `json:"Env,omitempty"`
	Dir     string            `json:"Dir,omitempty"`
}

// HTTP is a route that POSTs the task's input (JSON) to URL with the
// extra Headers; the response body is the task's result.
type HTTP struct {
	URL     string            `json:"Url"`
	Headers map[string]string `json:"Headers,omitempty"`
}

// routeJSON is a route as written; Mock and Handler take several forms.
type routeJSON struct {
	StateMachine *string         `json:"StateMachine"`
	State        *string         `json:"State"`
	Resource     *string         `json:"Resource"`
	Mock         json.RawMessage `json:"Mock"`
	Handler      json.RawMessage `json:"Handler"`
	HTTP         json.RawMessage `json:"Http"`
	Fail         json.RawMessage `json:"Fail"`
}

// maxRoutes bounds a routing file, as every list the engine reads is.
const maxRoutes = 1000

// parseRoutes reads the Routes of a routing file; c.MockedResponses is
// already parsed, so routes may name its entries.
func (c *Config) parseRoutes(raw json.RawMessage) error {
	if raw == nil || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return &Error{Path: "Routes", Msg: "must be an array of routes"}
	}
	if len(list) > maxRoutes {
		return &Error{Path: "Routes", Msg: fmt.Sprintf("has %d routes, more than the %d allowed", len(list), maxRoutes)}
	}
	for i, item := range list {
		r, err := c.parseRoute(fmt.Sprintf("Routes[%d]", i), item)
		if err != nil {
			return err
		}
		c.Routes = append(c.Routes, r)
	}
	return nil
}

func (c *Config) parseRoute(path string, raw json.RawMessage) (Route, error) {
	r := Route{Path: path}
	var j routeJSON
	if err := strictUnmarshal(raw, &j); err != nil {
		return r, &Error{Path: path, Msg: "must be an object with selectors (StateMachine, State, Resource) and one of Mock, Handler, Http, Fail: " + err.Error()}
	}
	for _, sel := range []struct {
		name string
		v    *string
		dst  *string
	}{{"StateMachine", j.StateMachine, &r.StateMachine}, {"State", j.State, &r.State}, {"Resource", j.Resource, &r.Resource}} {
		if sel.v != nil {
			if *sel.v == "" {
				return r, &Error{Path: path + "." + sel.name, Msg: "must not be empty (leave it out to match any)"}
			}
			*sel.dst = *sel.v
		}
	}
	var actions []string
	for name, v := range map[string]json.RawMessage{"Mock": j.Mock, "Handler": j.Handler, "Http": j.HTTP, "Fail": j.Fail} {
		if v != nil {
			actions = append(actions, name)
		}
	}
	sort.Strings(actions)
	switch len(actions) {
	case 0:
		return r, &Error{Path: path, Msg: "needs one of Mock, Handler, Http, Fail"}
	case 1:
	default:
		return r, &Error{Path: path, Msg: "has " + strings.Join(actions, " and ") + "; a route takes exactly one of Mock, Handler, Http, Fail"}
	}
	var err error
	switch actions[0] {
	case "Mock":
		r.Mock, err = c.parseMock(path+".Mock", j.Mock)
	case "Handler":
		r.Handler, err = parseHandler(path+".Handler", j.Handler)
	case "Http":
		r.HTTP, err = parseHTTP(path+".Http", j.HTTP)
	case "Fail":
		r.Fail, err = parseFail(path+".Fail", j.Fail)
	}
	return r, err
}

// strictUnmarshal decodes one JSON value and refuses unknown fields, so a
// misspelt selector does not silently match everything.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data")
	}
	return nil
}

// parseMock reads the three forms of a route's Mock: the name of a
// MockedResponses entry, one response, or responses by invocation.
func (c *Config) parseMock(path string, raw json.RawMessage) (*Mock, error) {
	var name string
	if json.Unmarshal(raw, &name) == nil {
		spans, ok := c.ranges[name]
		if !ok {
			return nil, &Error{Path: path, Msg: fmt.Sprintf("names unknown response %q (not in MockedResponses)", name)}
		}
		return &Mock{Name: name, spans: spans}, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, &Error{Path: path, Msg: "must be a MockedResponses name, a response ({\"Return\": ...} or {\"Throw\": ...}) or responses by invocation ({\"0\": ..., \"1-2\": ...})"}
	}
	keys := 0
	for k := range fields {
		if _, _, err := parseKey(k); err == nil {
			keys++
		}
	}
	if keys == 0 && len(fields) > 0 {
		var resp Response
		if err := strictUnmarshal(raw, &resp); err != nil {
			return nil, &Error{Path: path, Msg: "is not a response: " + err.Error()}
		}
		if err := checkResponse(resp); err != nil {
			return nil, &Error{Path: path, Msg: err.Error()}
		}
		return &Mock{Name: path, spans: []span{{0, maxInvocation, resp}}}, nil
	}
	var byKey map[string]Response
	if err := json.Unmarshal(raw, &byKey); err != nil {
		return nil, &Error{Path: path, Msg: "responses by invocation: " + err.Error()}
	}
	spans, err := parseSpans(path, byKey)
	if err != nil {
		return nil, err
	}
	if len(spans) == 0 {
		return nil, &Error{Path: path, Msg: "has no responses"}
	}
	return &Mock{Name: path, spans: spans}, nil
}

// maxInvocation stands for "every invocation" in a single-response mock.
const maxInvocation = int(^uint(0) >> 1)

func parseHandler(path string, raw json.RawMessage) (*Handler, error) {
	var name string
	if json.Unmarshal(raw, &name) == nil {
		if name == "" {
			return nil, &Error{Path: path, Msg: "names no handler"}
		}
		return &Handler{Name: name}, nil
	}
	var h Handler
	if err := strictUnmarshal(raw, &h); err != nil {
		return nil, &Error{Path: path, Msg: "must be a handler name or {\"Command\": [argv...], \"Env\": {...}, \"Dir\": ...}: " + err.Error()}
	}
	switch {
	case h.Name != "" && h.Command != nil:
		return nil, &Error{Path: path, Msg: "has both Name and Command"}
	case h.Name == "" && len(h.Command) == 0:
		return nil, &Error{Path: path, Msg: "needs Name or a non-empty Command"}
	case h.Command != nil && h.Command[0] == "":
		return nil, &Error{Path: path + ".Command[0]", Msg: "names no program"}
	case h.Command == nil && (h.Env != nil || h.Dir != ""):
		return nil, &Error{Path: path, Msg: "Env and Dir apply to a Command only"}
	}
	for k := range h.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return nil, &Error{Path: path + ".Env", Msg: fmt.Sprintf("%q is not a variable name", k)}
		}
	}
	return &h, nil
}

func parseHTTP(path string, raw json.RawMessage) (*HTTP, error) {
	var h HTTP
	if err := strictUnmarshal(raw, &h); err != nil {
		return nil, &Error{Path: path, Msg: "must be {\"Url\": ..., \"Headers\": {...}}: " + err.Error()}
	}
	if !strings.HasPrefix(h.URL, "http://") && !strings.HasPrefix(h.URL, "https://") {
		return nil, &Error{Path: path + ".Url", Msg: fmt.Sprintf("%q is not an http:// or https:// URL", h.URL)}
	}
	for k := range h.Headers {
		if k == "" || strings.ContainsAny(k, " :\r\n\t") {
			return nil, &Error{Path: path + ".Headers", Msg: fmt.Sprintf("%q is not a header name", k)}
		}
	}
	return &h, nil
}

func parseFail(path string, raw json.RawMessage) (*Throw, error) {
	var t Throw
	if err := strictUnmarshal(raw, &t); err != nil {
		return nil, &Error{Path: path, Msg: "must be {\"Error\": ..., \"Cause\": ...}: " + err.Error()}
	}
	if t.Error == "" {
		t.Error = states.TaskFailed
	}
	return &t, nil
}

// Matches reports whether the route selects an invocation of the state
// of the state machine with the resource.
func (r *Route) Matches(stateMachine, state, resource string) bool {
	return Glob(r.StateMachine, stateMachine) && Glob(r.State, state) && Glob(r.Resource, resource)
}

// Glob reports whether s matches pattern, where "*" matches any run of
// characters (including none) and every other byte itself; an empty
// pattern matches anything. It takes O(len(pattern)*len(s)) at worst.
func Glob(pattern, s string) bool {
	if pattern == "" || pattern == "*" {
		return true
	}
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// Act serves the routes whose action the host performs (Handler, HTTP).
// It runs inside the task runner: it must not block (see
// interp.TaskRunner).
type Act func(ctx context.Context, req *interp.TaskRequest, r *Route) interp.TaskResult

// Rules returns the task runner of one execution of the state machine:
// the first route that matches an invocation serves it (Mock and Fail
// here, Handler and HTTP through act); invocations no route matches go
// to next (nil: interp.Unmocked). Mock routes count invocations per
// state in this execution, as Step Functions Local counts them.
func (c *Config) Rules(stateMachine string, next interp.TaskRunner, act Act) interp.TaskRunner {
	return &rules{cfg: c, machine: stateMachine, next: next, act: act, calls: map[callKey]int{}}
}

type callKey struct {
	route int
	state string
}

type rules struct {
	cfg     *Config
	machine string
	next    interp.TaskRunner
	act     Act
	mu      sync.Mutex
	calls   map[callKey]int
}

func (r *rules) RunTask(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
	for i := range r.cfg.Routes {
		rt := &r.cfg.Routes[i]
		if !rt.Matches(r.machine, req.StateName, req.Resource) {
			continue
		}
		switch {
		case rt.Fail != nil:
			return interp.TaskResult{Err: states.New(rt.Fail.Error, rt.Fail.Cause)}
		case rt.Mock != nil:
			r.mu.Lock()
			k := callKey{i, req.StateName}
			n := r.calls[k]
			r.calls[k] = n + 1
			r.mu.Unlock()
			for _, s := range rt.Mock.spans {
				if n >= s.lo && n <= s.hi {
					return result(s.resp)
				}
			}
			return interp.TaskResult{Err: states.New(states.TaskFailed, fmt.Sprintf(
				"The mocked response %q (%s) has no entry for invocation %d of state '%s'.", rt.Mock.Name, rt.Path, n, req.StateName))}
		case r.act != nil:
			return r.act(ctx, req, rt)
		default:
			return interp.TaskResult{Err: states.New(states.TaskFailed, fmt.Sprintf(
				"%s routes state '%s' to a handler or URL, and this host serves neither.", rt.Path, req.StateName))}
		}
	}
	if r.next != nil {
		return r.next.RunTask(ctx, req)
	}
	return interp.Unmocked(req)
}
