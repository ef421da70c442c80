package sfn

import (
	"context"

	"github.com/stepwise-sfn/stepwise/engine/interp"
)

// A Task state's invocation is served by the first of these that takes it:
//
//  1. the mocks of the execution's test case (a state machine ARN ending in
//     "#TestCase" with a Step Functions Local mock configuration);
//  2. the host's TaskHandler, for the resources and states it handles
//     (a JavaScript function in the browser, a Go function natively);
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
	// base is the last resort; for a test case's runner it is nil, as
	// Step Functions Local fails what a test case does not mock.
	base interp.TaskRunner
}

// RunTask serves req from the handler, an integration or the base runner.
func (r *router) RunTask(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
	if r.host != nil && r.host.Handles(req.Resource, req.StateName) {
		return r.s.startHostTask(req)
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
		return b.cfg.Runner(stateMachineName, testCase, &router{s: r.s, host: r.host})
	case TestCaseRunner:
		return b.ForTestCase(stateMachineName, testCase)
	}
	return r
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
// takes. It reports false when the task no longer waits (its execution
// ended or it timed out meanwhile).
func (s *Service) completeTask(ctx context.Context, token string, res interp.TaskResult) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	lr := s.live[s.tokens[token]]
	if lr == nil || lr.run.CompleteTask(token, res) != nil {
		return false
	}
	s.drive(ctx, lr)
	s.drainLater(ctx)
	return true
}
