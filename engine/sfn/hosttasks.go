package sfn

import (
	"encoding/json"

	"github.com/stepwise-sfn/stepwise/engine/interp"
)

// HostTask is one invocation of a Task state that the host serves itself
// (a JavaScript function in the browser, a Go function or a command
// natively). The host answers it later with SendTaskSuccess or
// SendTaskFailure and the Token.
type HostTask struct {
	Token           string          `json:"token"`
	Resource        string          `json:"resource"`
	StateName       string          `json:"stateName"`
	ExecutionARN    string          `json:"executionArn"`
	StateMachineARN string          `json:"stateMachineArn"`
	Input           json.RawMessage `json:"input"` // the effective parameters
	Attempt         int             `json:"attempt"`
	// Handler is the handler name of the routing file's route that sent
	// the task here; empty when the resource or state name chose it.
	Handler string `json:"handler,omitempty"`
	// TimeoutSeconds is the state's TimeoutSeconds (0: none).
	TimeoutSeconds int64 `json:"timeoutSeconds,omitempty"`
}

// TaskHandler routes Task states to the host: Handles says whether the
// host serves a state's resource; Start is handed each such invocation.
// Start runs inside Invoke: it must not call Invoke itself, only arrange
// for the answer to come later.
type TaskHandler struct {
	Handles func(resource, stateName string) bool
	Start   func(HostTask)
}

// SetTaskHandler makes h serve the Task states it handles, for executions
// started from now on; the others keep going to the task runner (the
// mock configuration). nil removes the handler.
func (s *Service) SetTaskHandler(h *TaskHandler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hostTasks = h
	s.tasks = s.routedTasks()
}

// SetMockConfig serves the routing file config to executions started
// from now on: a Step Functions Local mock configuration (see MockRunner),
// optionally with Routes (engine/mock/routes.go), which come before
// everything else. An empty config removes it. It returns a *mock.Error
// when config cannot be used.
func (s *Service) SetMockConfig(config []byte) error {
	var base interp.TaskRunner
	if len(config) > 0 {
		r, err := MockRunner(config)
		if err != nil {
			return err
		}
		base = r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.baseTasks = base
	s.tasks = s.routedTasks()
	return nil
}

// routedTasks is the runner executions get (route.go).
func (s *Service) routedTasks() interp.TaskRunner {
	r := &router{s: s, host: s.hostTasks, base: s.baseTasks, handlers: s.goTasks, commands: s.commands}
	if m, ok := s.baseTasks.(mockRunner); ok {
		r.rules = m.cfg
	}
	return r
}

// startHostTask hands an invocation to the host's handler; the result
// comes later with SendTaskSuccess/SendTaskFailure and the token.
func (s *Service) startHostTask(req *interp.TaskRequest, handler string) interp.TaskResult {
	t := s.hostTask(req, handler)
	s.hostTasks.Start(t)
	return interp.TaskResult{Pending: true, Token: t.Token}
}
