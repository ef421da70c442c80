// Package mem is an in-memory store.Store: everything is lost when the
// process ends. It suits tests, the playground and one-shot CLI runs.
package mem

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/store"
)

// Store is an in-memory store.Store. The zero value is not usable; call New.
// Safe for concurrent use.
type Store struct {
	mu         sync.RWMutex
	machines   map[string]*store.StateMachine
	executions map[string]*execution
	seq        int64
	vs         versionState             // versions.go
	mapRuns    map[string]*store.MapRun // maprun.go
	activities map[string]*store.Activity
}

type execution struct {
	rec    store.Execution
	seq    int64 // creation order, to break start-date ties
	events []history.Event
}

// New returns an empty store.
func New() *Store {
	return &Store{machines: map[string]*store.StateMachine{}, executions: map[string]*execution{},
		activities: map[string]*store.Activity{}}
}

var _ store.Store = (*Store)(nil)

func copyMachine(m *store.StateMachine) *store.StateMachine {
	c := *m
	c.Tags = slices.Clone(m.Tags)
	c.Logging.LogGroupARNs = slices.Clone(m.Logging.LogGroupARNs)
	return &c
}

func copyExecution(e *store.Execution) *store.Execution {
	c := *e
	c.Input = slices.Clone(e.Input)
	c.Output = slices.Clone(e.Output)
	c.Logging.LogGroupARNs = slices.Clone(e.Logging.LogGroupARNs)
	return &c
}

// PutStateMachine implements store.Store.
func (s *Store) PutStateMachine(ctx context.Context, m *store.StateMachine) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.machines[m.ARN] = copyMachine(m)
	return nil
}

// StateMachine implements store.Store.
func (s *Store) StateMachine(ctx context.Context, arn string) (*store.StateMachine, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.machines[arn]
	if !ok {
		return nil, fmt.Errorf("state machine %s: %w", arn, store.ErrNotFound)
	}
	return copyMachine(m), nil
}

// DeleteStateMachine implements store.Store.
func (s *Store) DeleteStateMachine(ctx context.Context, arn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.machines, arn)
	return nil
}

// StateMachines implements store.Store.
func (s *Store) StateMachines(ctx context.Context) ([]*store.StateMachine, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*store.StateMachine, 0, len(s.machines))
	for _, m := range s.machines {
		out = append(out, copyMachine(m))
	}
	slices.SortFunc(out, func(a, b *store.StateMachine) int { return strings.Compare(a.ARN, b.ARN) })
	return out, nil
}

// PutExecution implements store.Store.
func (s *Store) PutExecution(ctx context.Context, e *store.Execution) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if x, ok := s.executions[e.ARN]; ok {
		x.rec = *copyExecution(e)
		return nil
	}
	s.seq++
	s.executions[e.ARN] = &execution{rec: *copyExecution(e), seq: s.seq}
	return nil
}

// Execution implements store.Store.
func (s *Store) Execution(ctx context.Context, arn string) (*store.Execution, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	x, ok := s.executions[arn]
	if !ok {
		return nil, fmt.Errorf("execution %s: %w", arn, store.ErrNotFound)
	}
	return copyExecution(&x.rec), nil
}

// Executions implements store.Store.
func (s *Store) Executions(ctx context.Context, stateMachineARN string) ([]*store.Execution, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var xs []*execution
	for _, x := range s.executions {
		if x.rec.StateMachineARN == stateMachineARN {
			xs = append(xs, x)
		}
	}
	slices.SortFunc(xs, func(a, b *execution) int {
		if c := b.rec.StartDate.Compare(a.rec.StartDate); c != 0 {
			return c
		}
		return int(b.seq - a.seq)
	})
	out := make([]*store.Execution, len(xs))
	for i, x := range xs {
		out[i] = copyExecution(&x.rec)
	}
	return out, nil
}

// AppendEvents implements store.Store.
func (s *Store) AppendEvents(ctx context.Context, executionARN string, events []history.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	x, ok := s.executions[executionARN]
	if !ok {
		return fmt.Errorf("execution %s: %w", executionARN, store.ErrNotFound)
	}
	if x.events == nil {
		// The first batch is often the whole history: keep it (the caller
		// gave it up) rather than copy it.
		x.events = events[:len(events):len(events)]
		return nil
	}
	x.events = append(x.events, events...)
	return nil
}

// Events implements store.Store.
func (s *Store) Events(ctx context.Context, executionARN string, offset, limit int) ([]history.Event, int, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	x, ok := s.executions[executionARN]
	if !ok {
		return nil, 0, fmt.Errorf("execution %s: %w", executionARN, store.ErrNotFound)
	}
	n := len(x.events)
	offset = min(max(offset, 0), n)
	end := n
	if limit > 0 && offset+limit < n {
		end = offset + limit
	}
	return slices.Clone(x.events[offset:end]), n, nil
}

func copyActivity(a *store.Activity) *store.Activity {
	c := *a
	c.Tags = slices.Clone(a.Tags)
	if a.Encryption != nil {
		e := *a.Encryption
		c.Encryption = &e
	}
	return &c
}

// PutActivity implements store.Store.
func (s *Store) PutActivity(ctx context.Context, a *store.Activity) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.activities[a.ARN] = copyActivity(a)
	return nil
}

// Activity implements store.Store.
func (s *Store) Activity(ctx context.Context, arn string) (*store.Activity, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.activities[arn]
	if !ok {
		return nil, fmt.Errorf("activity %s: %w", arn, store.ErrNotFound)
	}
	return copyActivity(a), nil
}

// DeleteActivity implements store.Store.
func (s *Store) DeleteActivity(ctx context.Context, arn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.activities, arn)
	return nil
}

// Activities implements store.Store.
func (s *Store) Activities(ctx context.Context) ([]*store.Activity, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*store.Activity, 0, len(s.activities))
	for _, a := range s.activities {
		out = append(out, copyActivity(a))
	}
	slices.SortFunc(out, func(a, b *store.Activity) int { return strings.Compare(a.ARN, b.ARN) })
	return out, nil
}
