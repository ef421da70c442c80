package sfn

import (
	"context"
	"encoding/json"

	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/mock"
)

// A Task state's invocation is served by the first of these that takes it:
//
//  0. the rules of the routing file (its Routes: mock, handler, HTTP or
//     failure, the first route that matches; engine/mock/routes.go);
//  1. the mocks of the execution's test case (a state machine ARN ending in
//     "#TestCase" with a Step Functions Local mock configuration);
//  2. the host's TaskHandler, for the resources and states it handles
//     (a JavaScript function in the browser), then the Go functions
//     registered with HandleTask;
//  3. the integrations the service serves itself (integration below:
//     activities, nested executions, the HTTP Task), when they can;
//  4. the base runner (Options.Tasks or the mock configuration);
//  5. nobody: the task fails as an unreachable resource would.
//
// Explicit choices come first: a mock or a handler the user set up wins
// over a local resource with the same name.

// integration is a Task resource the service serves itself.
type integration struct {
	// claims reports whether the service serves req: the resource is one
	// of its own and exists here (an activity that was created, a state
	// machine in the store, an HTTP client the host provided).
	claims func(s *Service, ctx context.Context, req *interp.TaskRequest) bool
	// run starts the invocation. It runs inside Invoke with the service
	// locked: it must not block or call Invoke; a result that comes later
	// is returned Pending and delivered with s.later.
	run func(s *Service, ctx context.Context, req *interp.TaskRequest) interp.TaskResult
}

// integrations are registered by the files that implement them, in init.
var integrations []integration

// router serves an execution's Task states (see the order above).
type router struct {
	s    *Service
	host *TaskHandler
	// handlers and commands are the Go functions of HandleTask and
	// HandleCommands; rules the routing file's routes (nil: none).
	handlers []goHandler
	commands CommandFunc
	rules    *mock.Config
	// base is the last resort; for a test case's runner it is nil, as
	// Step Functions Local fails what a test case does not mock.
	base interp.TaskRunner
}

// RunTask serves req from the handler, an integration or the base runner.
func (r *router) RunTask(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
	if r.host != nil && r.host.Handles(req.Resource, req.StateName) {
		return r.s.startHostTask(req, "")
	}
	for _, h := range r.handlers {
		if mock.Glob(h.pattern, req.Resource) || mock.Glob(h.pattern, req.StateName) {
			return r.s.startGoTask(ctx, req, "", h.fn)
		}
	}
	for _, in := range integrations {
		if in.claims(r.s, ctx, req) {
			return in.run(r.s, ctx, req)
		}
	}
	if r.base == nil {
		return interp.Unmocked(req)
	}
	return r.base.RunTask(ctx, req)
}

// ForTestCase puts the test case's mocks in front of the handler and the
// integrations.
func (r *router) ForTestCase(stateMachineName, testCase string) interp.TaskRunner {
	switch b := r.base.(type) {
	case mockRunner:
		next := *r
		next.base = nil
		return b.cfg.Runner(stateMachineName, testCase, &next)
	case TestCaseRunner:
		return b.ForTestCase(stateMachineName, testCase)
	}
	return r
}

// executionTasks is the runner of one execution of the state machine:
// the routing file's rules (which count invocations per execution), then
// the test case's mocks, then the router's other stages.
func (s *Service) executionTasks(stateMachineName, testCase string) interp.TaskRunner {
	r, ok := s.tasks.(*router)
	if !ok {
		return s.tasks
	}
	var next interp.TaskRunner = r
	if testCase != "" {
		next = r.ForTestCase(stateMachineName, testCase)
	}
	if r.rules != nil && len(r.rules.Routes) > 0 {
		return r.rules.Rules(stateMachineName, next, r.act)
	}
	return next
}

// act serves a route whose action is the host's: an HTTP request, a
// command, or a handler by name (a Go function first, then the host's
// TaskHandler, as the page's registered functions). A route this host
// cannot serve fails the task, saying why.
func (r *router) act(ctx context.Context, req *interp.TaskRequest, rt *mock.Route) interp.TaskResult {
	if rt.HTTP != nil {
		return r.s.startHTTPRoute(ctx, req, rt)
	}
	h := rt.Handler
	if h == nil {
		return interp.Unmocked(req)
	}
	if len(h.Command) > 0 {
		if r.commands == nil {
			return routeFailure("%s runs a command for state '%s', and this host runs no commands.", rt.Path, req.StateName)
		}
		c, run := Command{Args: h.Command, Env: h.Env, Dir: h.Dir}, r.commands
		return r.s.startGoTask(ctx, req, "", func(ctx context.Context, t HostTask) (json.RawMessage, error) {
			return run(ctx, c, t)
		})
	}
	for _, g := range r.handlers {
		if mock.Glob(g.pattern, h.Name) {
			return r.s.startGoTask(ctx, req, h.Name, g.fn)
		}
	}
	if r.host != nil && r.host.Handles(h.Name, "") {
		return r.s.startHostTask(req, h.Name)
	}
	return routeFailure("%s sends state '%s' to the handler '%s', and no handler of that name is registered.", rt.Path, req.StateName, h.Name)
}

// later queues work that must not run inside the current step, such as
// delivering a child execution's result to its waiting parent: it runs
// once the operation that queued it has finished its own driving
// (drainLater), still inside the same Invoke, Advance or delivery.
func (s *Service) later(f func(ctx context.Context)) {
	s.deferred = append(s.deferred, f)
}

// drainLater runs the queued work, including work it queues in turn.
func (s *Service) drainLater(ctx context.Context) {
	for len(s.deferred) > 0 {
		f := s.deferred[0]
		s.deferred = s.deferred[1:]
		f(ctx)
	}
}

// completeTask ends a pending task of a live execution with res, for work
// the service started on the host's side (an HTTP request, a command)
// whose answer arrives later, from another goroutine or a later turn of
// the JavaScript event loop: never from inside Invoke, whose lock it
// takes. An answer for a task that no longer waits (its execution ended
// or it timed out meanwhile) is dropped, as AWS drops a late callback.
func (s *Service) completeTask(ctx context.Context, token string, res interp.TaskResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if real, ok := s.tokenAlias[token]; ok {
		// a task served again after a restart answers with its new token
		delete(s.tokenAlias, token)
		token = real
	}
	s.sendTask(ctx, token, func(lr *liveRun) error { return lr.run.CompleteTask(token, res) })
	s.drainLater(ctx)
}
