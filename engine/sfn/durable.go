package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/store"
)

// Executions that outlive the process. With a store that implements
// store.Durable, every STANDARD run keeps an interp.Journal, and sync
// writes its new events, its journal, its next timer and its new task
// tokens in one checkpoint. A process that did not run the execution
// rebuilds it from the journal (interp.Program.Replay):
//
//   - all at once with Resume, after a restart (stepwise serve);
//   - one at a time, on demand, in a Service that was not resumed: the
//     Worker keeps nothing in memory between requests, so a SendTask*,
//     a StopExecution or a due timer (Advance) loads the run it needs.
//
// What the run waited for outside itself is served again: an activity
// task no worker took goes back to its queue, a .sync task is linked to
// its child execution again, and a task a host was serving (an HTTP Task,
// a handler) is sent to it again, so the process that died loses nothing
// but the work it had in flight.

// onDemand reports whether runs are loaded from the store when a request
// needs them (a durable store and no Resume).
func (s *Service) onDemand() bool { return s.durable != nil && !s.resumed }

// Resume rebuilds every running execution of a durable store (nothing
// for other stores): waits are armed again on the service clock, tasks
// wait again for their tokens. Call it once, before serving. It returns
// the first execution that could not be rebuilt, after trying all.
func (s *Service) Resume(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.durable == nil {
		return nil
	}
	running, err := s.durable.Running(ctx)
	if err != nil {
		return storeErr(err)
	}
	var first error
	for _, r := range running {
		if s.live[r.ARN] != nil {
			continue
		}
		if _, err := s.loadRun(ctx, r.ARN); err != nil && first == nil {
			first = err
		}
	}
	s.resumed = true
	s.drainLater(ctx)
	return first
}

// liveRun returns the run of a running execution: the one in memory, or
// on demand the one rebuilt from the store; nil when the execution is not
// running (or cannot be rebuilt).
func (s *Service) liveRun(ctx context.Context, arn string) *liveRun {
	if lr := s.live[arn]; lr != nil || !s.onDemand() {
		return lr
	}
	lr, _ := s.loadRun(ctx, arn)
	return lr
}

// tokenExecution returns the execution a task token was handed out by.
func (s *Service) tokenExecution(ctx context.Context, token string) (string, bool) {
	if arn, ok := s.tokens[token]; ok {
		return arn, true
	}
	if s.durable == nil {
		return "", false
	}
	// a token of an execution that ended before a restart, or one not
	// loaded yet
	arn, err := s.durable.TokenExecution(ctx, token)
	return arn, err == nil
}

// runEnv returns the environment and identity of an execution's run,
// from its record: the same for its start and for its rebuilding.
func (s *Service) runEnv(lr *liveRun, trace bool) (*interp.Env, interp.Execution) {
	rec := lr.rec
	name := rec.StateMachineARN[strings.LastIndexByte(rec.StateMachineARN, ':')+1:]
	lr.tasks = s.executionTasks(name, rec.TestCase)
	env := &interp.Env{Clock: s.clock, IDs: s.ids, Tasks: lr.tasks, OnEvent: s.eventLogger(rec.ARN, rec.Logging), TraceDataFlow: trace}
	if rec.OwnClock {
		lr.clock = interp.NewVirtualClock(rec.StartDate)
		if !rec.RedriveDate.IsZero() {
			lr.clock.Set(rec.RedriveDate)
		}
		env.Clock = lr.clock
	}
	if lr.stored && s.durable != nil {
		lr.journal = interp.NewJournal()
		env.Journal = lr.journal
	}
	ex := interp.Execution{
		ExecutionARN: rec.ARN, StateMachineARN: rec.StateMachineARN, StateMachineName: name, Name: rec.Name,
		RoleARN: rec.RoleARN, Type: rec.Type, Input: rec.Input, StartTime: rec.StartDate,
		Region: s.region, AccountID: s.account, RedriveCount: rec.RedriveCount,
		StateMachineVersionARN: rec.VersionARN, StateMachineAliasARN: rec.AliasARN,
	}
	if lr.stored {
		ex.MaxEvents = s.maxEvents
	}
	return env, ex
}

// loadRun rebuilds a running execution from the store and serves again
// what it waits for. A record without a journal crashed before its first
// checkpoint: it starts now, as StartExecution would have.
func (s *Service) loadRun(ctx context.Context, arn string) (*liveRun, error) {
	rec, err := s.st.Execution(ctx, arn)
	if err != nil || rec.Status != "RUNNING" {
		return nil, err
	}
	prog, apiErr := s.program(rec.Definition)
	if apiErr != nil {
		return nil, apiErr
	}
	journal, err := s.durable.Journal(ctx, arn)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, storeErr(err)
	}
	lr := &liveRun{rec: rec, stored: true, recDirty: len(journal) == 0}
	env, ex := s.runEnv(lr, false)
	if len(journal) == 0 {
		lr.run = prog.Start(ctx, env, ex)
	} else {
		run, err := prog.Replay(ctx, env, ex, journal, func(n int) ([]history.Event, error) {
			events, _, err := s.st.Events(ctx, arn, 0, n)
			return events, err
		})
		if err != nil {
			return nil, fmt.Errorf("execution %s cannot be resumed: %w", arn, err)
		}
		lr.run, lr.persisted = run, run.EventCount()
		if lr.clock != nil {
			lr.clock.Set(run.ReplayedClock())
		}
	}
	s.live[arn] = lr
	// a run waiting on a timer is not driven below: index its wake here
	s.indexWake(lr)
	for _, t := range lr.run.PendingTokens() {
		s.noteToken(t, arn)
	}
	for _, pt := range lr.run.PendingTasks() {
		s.serveAgain(ctx, lr, pt)
	}
	if lr.run.Status() == interp.Running || len(journal) == 0 {
		if err := s.drive(ctx, lr); err != nil {
			return nil, err
		}
	}
	return lr, nil
}

// serveAgain serves a rebuilt run's pending task as the process that
// started it did.
func (s *Service) serveAgain(ctx context.Context, lr *liveRun, pt interp.PendingTask) {
	req := pt.Request
	switch {
	case req.Pattern == "waitForTaskToken":
		// the token is out there: its answer will come
	case strings.Contains(req.Resource, ":activity:"):
		if !pt.Started {
			s.scheduleActivity(ctx, &req)
		}
	case req.Pattern == "sync" || req.Pattern == "sync:2":
		s.relinkChild(ctx, lr, pt)
	default:
		res := lr.tasks.RunTask(ctx, &req)
		switch {
		case !res.Pending:
			if lr.run.CompleteTask(pt.Token, res) == nil {
				s.later(func(ctx context.Context) { s.drive(ctx, lr) })
			}
		case res.Token != "" && res.Token != pt.Token:
			if s.tokenAlias == nil {
				s.tokenAlias = map[string]string{}
			}
			s.tokenAlias[res.Token] = pt.Token
		}
	}
}

// relinkChild links a rebuilt parent's .sync task to its child execution
// again; a child that ended meanwhile hands over its result now.
func (s *Service) relinkChild(ctx context.Context, lr *liveRun, pt interp.PendingTask) {
	var started struct {
		ExecutionArn string `json:"executionArn"`
	}
	if json.Unmarshal(pt.Submitted, &started) != nil || started.ExecutionArn == "" {
		return
	}
	depth := 1
	if l := s.nested[lr.rec.ARN]; l != nil {
		depth = l.depth + 1
	}
	if s.nested == nil {
		s.nested = map[string]*childLink{}
	}
	s.nested[started.ExecutionArn] = &childLink{parent: lr.rec.ARN, depth: depth, pattern: pt.Request.Pattern, token: pt.Token}
	child, err := s.st.Execution(ctx, started.ExecutionArn)
	if err == nil && child.Status != "RUNNING" {
		s.handChildResult(child)
	}
}

// noteToken records that token belongs to the execution arn and reports
// whether it is new.
func (s *Service) noteToken(token, arn string) bool {
	if s.tokens == nil {
		s.tokens = map[string]string{}
	}
	if _, ok := s.tokens[token]; ok {
		return false
	}
	s.tokens[token] = arn
	return true
}

// checkpoint writes what changed in a journaled run since its previous
// checkpoint, atomically (store.Durable).
func (s *Service) checkpoint(ctx context.Context, lr *liveRun, tokens []string, final bool) *Error {
	run := lr.run
	// What a failed checkpoint did not write goes with the next one, so
	// the journal has no gap.
	journal := lr.journal.Take()
	if lr.unsaved != nil || lr.unsavedTokens != nil {
		journal = append(lr.unsaved, journal...)
		tokens = append(lr.unsavedTokens, tokens...)
	}
	c := &store.Checkpoint{ExecutionARN: lr.rec.ARN, Journal: journal, WakeAt: run.WakeAt(), Tokens: tokens}
	n := run.EventCount()
	if n > lr.persisted {
		c.Events = run.EventsSince(lr.persisted)
	}
	if final || lr.recDirty {
		c.Execution = lr.rec
	}
	if len(c.Events) == 0 && len(c.Journal) == 0 && len(tokens) == 0 && c.Execution == nil {
		return nil
	}
	if err := s.durable.Checkpoint(ctx, c); err != nil {
		lr.unsaved, lr.unsavedTokens = c.Journal, tokens
		return storeErr(err)
	}
	lr.persisted, lr.recDirty, lr.unsaved, lr.unsavedTokens = n, false, nil, nil
	return nil
}
