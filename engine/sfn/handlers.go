package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/mock"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// TaskFunc serves a Task invocation for a Go program that embeds the
// engine. It runs in its own goroutine, outside the service's lock, so it
// may block and may call Invoke. Its result is the task's result (nil:
// null); an error fails the task: a *TaskError with its Name and Cause,
// any other error with States.TaskFailed and the error's text.
//
// ctx carries the values of the call that started the task but not its
// cancellation. t.TimeoutSeconds is the state's timeout: on a wall clock
// the service times the task out itself; on virtual time (which stands
// still while a task is pending) the function should enforce it.
type TaskFunc func(ctx context.Context, t HostTask) (json.RawMessage, error)

// TaskError is the failure a TaskFunc returns to fail its task with an
// ASL error name and cause, as SendTaskFailure does: Retry and Catch
// match Name. Name is cut to 256 characters and Cause to 32,768.
type TaskError struct {
	Name  string
	Cause string
}

func (e *TaskError) Error() string {
	if e.Cause == "" {
		return e.Name
	}
	return e.Name + ": " + e.Cause
}

// Command is a routing file's command handler: the argv to run, the
// variables to add to its environment and its working directory ("" the
// host's own).
type Command struct {
	Args []string
	Env  map[string]string
	Dir  string
}

// CommandFunc runs a routing file's command for a Task invocation, with
// the contract of TaskFunc. Hosts that can run programs provide it
// (cmd/stepwise does); the engine itself never starts a process.
type CommandFunc func(ctx context.Context, c Command, t HostTask) (json.RawMessage, error)

// goHandler is a TaskFunc registered under a pattern.
type goHandler struct {
	pattern string
	fn      TaskFunc
}

// HandleTask makes fn serve, in executions started from now on, the
// Task states whose Resource or state name matches pattern ("*" matches
// any run of characters), and the routes of a routing file whose Handler
// names a name pattern matches. A later registration of the same pattern
// replaces the earlier one; a nil fn removes it. Routes and test-case
// mocks come first, then the host's TaskHandler, then these functions in
// the order they were registered (see route.go).
func (s *Service) HandleTask(pattern string, fn TaskFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.goTasks, func(h goHandler) bool { return h.pattern == pattern })
	switch {
	case fn == nil && i >= 0:
		s.goTasks = slices.Delete(slices.Clone(s.goTasks), i, i+1)
	case fn == nil:
	case i >= 0:
		s.goTasks = slices.Clone(s.goTasks)
		s.goTasks[i].fn = fn
	default:
		s.goTasks = append(slices.Clone(s.goTasks), goHandler{pattern, fn})
	}
	s.tasks = s.routedTasks()
}

// HandleCommands makes run serve the command handlers of routing files,
// for executions started from now on; nil: command routes fail, saying
// this host runs no commands.
func (s *Service) HandleCommands(run CommandFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands = run
	s.tasks = s.routedTasks()
}

// WaitHostTasks waits until no task the service handed to a Go function,
// a command or an HTTP request is in flight, and the executions those
// answered have moved on. It returns ctx.Err() if ctx ends first. Tasks
// that wait for someone else (callbacks, activities, a page's functions)
// are not waited for.
func (s *Service) WaitHostTasks(ctx context.Context) error {
	return s.inflight.wait(ctx)
}

// inflight counts the host-side work under way (goroutines running a
// TaskFunc, HTTP requests sent for routes).
type inflight struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops to 0
}

// start counts one piece of work; the returned func ends it. Work that
// starts more work (a handler's result drives the run into the next
// handler) starts it before ending, so the count never dips to zero in
// between.
func (w *inflight) start() func() {
	w.mu.Lock()
	if w.n == 0 {
		w.idle = make(chan struct{})
	}
	w.n++
	w.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			w.mu.Lock()
			defer w.mu.Unlock()
			if w.n--; w.n == 0 {
				close(w.idle)
			}
		})
	}
}

func (w *inflight) wait(ctx context.Context) error {
	for {
		w.mu.Lock()
		if w.n == 0 {
			w.mu.Unlock()
			return nil
		}
		idle := w.idle
		w.mu.Unlock()
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// hostTask describes an invocation for the host; the token is the task's
// own (callback, activity) or a new one the answer will come back with.
func (s *Service) hostTask(req *interp.TaskRequest, handler string) HostTask {
	tok := req.Token
	if tok == "" {
		tok = s.ids.UUID()
	}
	return HostTask{Token: tok, Resource: req.Resource, StateName: req.StateName,
		ExecutionARN: req.ExecutionARN, StateMachineARN: req.StateMachineARN,
		Input: json.RawMessage(req.Parameters), Attempt: req.Attempt,
		Handler: handler, TimeoutSeconds: req.TimeoutSeconds}
}

// startGoTask runs fn for the invocation in a goroutine and delivers its
// result with completeTask, which waits for the service's lock: the call
// that started the task has left Invoke (and recorded the token) by then.
func (s *Service) startGoTask(ctx context.Context, req *interp.TaskRequest, handler string, fn TaskFunc) interp.TaskResult {
	t := s.hostTask(req, handler)
	done := s.inflight.start()
	ctx = context.WithoutCancel(ctx)
	go func() {
		defer done()
		s.completeTask(ctx, t.Token, callTaskFunc(ctx, fn, t))
	}()
	return interp.TaskResult{Pending: true, Token: t.Token}
}

// callTaskFunc turns fn's answer into a task result; a panic in fn fails
// the task rather than the process.
func callTaskFunc(ctx context.Context, fn TaskFunc, t HostTask) (res interp.TaskResult) {
	defer func() {
		if p := recover(); p != nil {
			res = interp.TaskResult{Err: states.New(states.TaskFailed, fmt.Sprintf("the task handler panicked: %v", p))}
		}
	}()
	out, err := fn(ctx, t)
	if err != nil {
		var te *TaskError
		if errors.As(err, &te) {
			return interp.TaskResult{Err: states.New(cut(te.Name, maxErrorLen), cut(te.Cause, maxCauseLen))}
		}
		return interp.TaskResult{Err: states.New(states.TaskFailed, cut(err.Error(), maxCauseLen))}
	}
	if out == nil {
		out = json.RawMessage("null")
	}
	return interp.TaskResult{Output: out}
}

// cut shortens s to at most n characters.
func cut(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// routeFailure fails an invocation a route sends where this host cannot.
func routeFailure(format string, args ...any) interp.TaskResult {
	return interp.TaskResult{Err: states.New(states.TaskFailed, fmt.Sprintf(format, args...))}
}

// startHTTPRoute POSTs the invocation's input to the route's URL through
// the host's HTTP client. A 2xx response's body is the result (empty:
// null). Any other status fails the task: with the body's Error and Cause
// when it is a JSON object with a string Error, else with
// States.Http.StatusCode.<status> and the body as cause. No response at
// all (refused, DNS, TLS) fails it with States.Http.Socket.
func (s *Service) startHTTPRoute(ctx context.Context, req *interp.TaskRequest, rt *mock.Route) interp.TaskResult {
	if s.http == nil {
		return routeFailure("%s sends state '%s' to %s, and this host has no HTTP client.", rt.Path, req.StateName, rt.HTTP.URL)
	}
	t := s.hostTask(req, "")
	body := req.Parameters
	if body == nil {
		body = []byte("null")
	}
	hreq := &HTTPRequest{Method: "POST", URL: rt.HTTP.URL, Header: routeHeaders(rt.HTTP.Headers, t), Body: body}
	done := s.inflight.start()
	ctx = context.WithoutCancel(ctx)
	s.http.Do(hreq, func(resp *HTTPResponse, err error) {
		defer done()
		s.completeTask(ctx, t.Token, httpRouteResult(resp, err))
	})
	return interp.TaskResult{Pending: true, Token: t.Token}
}

// routeHeaders are the route's headers (sorted by name, for a fixed
// request) and, unless the route sets them, the JSON content type and the
// invocation's identity.
func routeHeaders(extra map[string]string, t HostTask) [][2]string {
	var h [][2]string
	set := map[string]bool{}
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		h = append(h, [2]string{k, extra[k]})
		set[strings.ToLower(k)] = true
	}
	for _, kv := range [][2]string{
		{"Content-Type", "application/json"},
		{"Accept", "application/json"},
		{"X-Stepwise-Execution-Arn", t.ExecutionARN},
		{"X-Stepwise-State-Name", t.StateName},
		{"X-Stepwise-Resource", t.Resource},
		{"X-Stepwise-Attempt", strconv.Itoa(t.Attempt)},
	} {
		if !set[strings.ToLower(kv[0])] {
			h = append(h, kv)
		}
	}
	return h
}

func httpRouteResult(resp *HTTPResponse, err error) interp.TaskResult {
	if err != nil || resp == nil {
		cause := "no response"
		if err != nil {
			cause = err.Error()
		}
		return interp.TaskResult{Err: states.New(states.HTTPSocket, cut(cause, maxCauseLen))}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if len(strings.TrimSpace(string(resp.Body))) == 0 {
			return interp.TaskResult{Output: []byte("null")}
		}
		return interp.TaskResult{Output: resp.Body}
	}
	var e struct {
		Error *string `json:"Error"`
		Cause string  `json:"Cause"`
	}
	if json.Unmarshal(resp.Body, &e) == nil && e.Error != nil && *e.Error != "" {
		return interp.TaskResult{Err: states.New(cut(*e.Error, maxErrorLen), cut(e.Cause, maxCauseLen))}
	}
	cause := string(resp.Body)
	if strings.TrimSpace(cause) == "" {
		cause = strings.TrimSpace(strconv.Itoa(resp.StatusCode) + " " + resp.StatusText)
	}
	return interp.TaskResult{Err: states.New("States.Http.StatusCode."+strconv.Itoa(resp.StatusCode), cut(cause, maxCauseLen))}
}
