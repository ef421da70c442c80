package mem

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/store"
)

// DurableStore is a Store that also implements store.Durable, in memory:
// a test of sfn can drop its Service and build another over the same
// store, as a restarted process or the Worker's next request would, and
// check that nothing was lost. It is the reference for store.Durable's
// contract (store/bolt keeps the same on disk).
type DurableStore struct {
	*Store
	dmu      sync.Mutex
	journals map[string][]byte
	running  map[string]time.Time // execution ARN -> wake time
	tokens   map[string]string
}

// NewDurable returns an empty DurableStore.
func NewDurable() *DurableStore {
	return &DurableStore{Store: New(), journals: map[string][]byte{}, running: map[string]time.Time{},
		tokens: map[string]string{}}
}

var _ store.Durable = (*DurableStore)(nil)

// Checkpoint implements store.Durable.
func (d *DurableStore) Checkpoint(ctx context.Context, c *store.Checkpoint) error {
	d.dmu.Lock()
	defer d.dmu.Unlock()
	if c.Execution != nil {
		if err := d.PutExecution(ctx, c.Execution); err != nil {
			return err
		}
	}
	if !d.HasExecution(c.ExecutionARN) {
		return fmt.Errorf("execution %s: %w", c.ExecutionARN, store.ErrNotFound)
	}
	if len(c.Events) > 0 {
		if err := d.AppendEvents(ctx, c.ExecutionARN, slices.Clone(c.Events)); err != nil {
			return err
		}
	}
	for _, t := range c.Tokens {
		d.tokens[t] = c.ExecutionARN
	}
	if c.Execution != nil && c.Execution.Status != "RUNNING" {
		delete(d.journals, c.ExecutionARN)
		delete(d.running, c.ExecutionARN)
		return nil
	}
	d.journals[c.ExecutionARN] = append(d.journals[c.ExecutionARN], c.Journal...)
	d.running[c.ExecutionARN] = c.WakeAt
	return nil
}

// Journal implements store.Durable.
func (d *DurableStore) Journal(ctx context.Context, arn string) ([]byte, error) {
	d.dmu.Lock()
	defer d.dmu.Unlock()
	j, ok := d.journals[arn]
	if !ok {
		return nil, fmt.Errorf("journal of %s: %w", arn, store.ErrNotFound)
	}
	return slices.Clone(j), nil
}

// Running implements store.Durable.
func (d *DurableStore) Running(ctx context.Context) ([]store.Running, error) {
	d.dmu.Lock()
	defer d.dmu.Unlock()
	out := make([]store.Running, 0, len(d.running))
	for arn, w := range d.running {
		out = append(out, store.Running{ARN: arn, WakeAt: w})
	}
	slices.SortFunc(out, func(a, b store.Running) int { return strings.Compare(a.ARN, b.ARN) })
	return out, nil
}

// TokenExecution implements store.Durable.
func (d *DurableStore) TokenExecution(ctx context.Context, token string) (string, error) {
	d.dmu.Lock()
	defer d.dmu.Unlock()
	arn, ok := d.tokens[token]
	if !ok {
		return "", fmt.Errorf("token: %w", store.ErrNotFound)
	}
	return arn, nil
}

// Restore records a running execution's journal and next timer as a
// checkpoint left them, and RestoreToken a token's execution: store/bolt
// loads its file into a DurableStore with them.
func (d *DurableStore) Restore(arn string, journal []byte, wakeAt time.Time) {
	d.dmu.Lock()
	defer d.dmu.Unlock()
	d.journals[arn] = journal
	d.running[arn] = wakeAt
}

// RestoreToken: see Restore.
func (d *DurableStore) RestoreToken(token, arn string) {
	d.dmu.Lock()
	defer d.dmu.Unlock()
	d.tokens[token] = arn
}

// HasExecution reports whether the execution exists, without copying it.
func (d *DurableStore) HasExecution(arn string) bool {
	d.mu.RLock()
	defer d.mu.RUnlock()
	_, ok := d.executions[arn]
	return ok
}
