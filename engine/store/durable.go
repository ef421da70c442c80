package store

import (
	"context"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/history"
)

// Checkpoint is what changed in a running execution since its previous
// checkpoint. A Durable store writes it atomically: after a crash either
// all of it is there or none of it, so the history, the journal and the
// record never disagree.
type Checkpoint struct {
	ExecutionARN string
	// Events continue the stored history (their IDs follow the stored
	// ones); the store may keep the slice.
	Events []history.Event
	// Journal is appended to the execution's journal: what the run read
	// from its environment and the calls its host made, from which
	// engine/interp rebuilds the run (interp.Program.Replay). Opaque to
	// the store.
	Journal []byte
	// WakeAt is the run's next timer (zero: it waits for no timer); it
	// replaces the previous one.
	WakeAt time.Time
	// Tokens are task tokens handed out since the previous checkpoint;
	// the store maps each to ExecutionARN for TokenExecution.
	Tokens []string
	// Execution, when set, replaces the execution's record. When its
	// Status is no longer RUNNING the execution has ended: the store
	// drops its journal and its place among the running ones.
	Execution *Execution
}

// Running is an execution that has not ended, as Durable.Running lists it.
type Running struct {
	ARN string
	// WakeAt is the time of its next timer; zero when it waits for no
	// timer (a callback, an activity) or is being redriven.
	WakeAt time.Time
}

// Durable is implemented by stores that keep running executions across
// restarts (store/bolt on a disk, the Worker's D1). sfn journals the runs
// of such a store and rebuilds them on demand: after a restart
// (Service.Resume), or in a host that keeps nothing in memory between
// requests (the Worker), when a request names an execution, a token or a
// due timer.
type Durable interface {
	// Checkpoint writes c atomically (see Checkpoint).
	Checkpoint(ctx context.Context, c *Checkpoint) error
	// Journal returns an execution's whole journal, or ErrNotFound when it
	// has none (it never ran on this store, or it has ended).
	Journal(ctx context.Context, executionARN string) ([]byte, error)
	// Running returns the executions that have not ended, ordered by ARN.
	Running(ctx context.Context) ([]Running, error)
	// TokenExecution returns the ARN of the execution a task token was
	// handed out by, or ErrNotFound.
	TokenExecution(ctx context.Context, token string) (string, error)
}

// Syncer is implemented by stores that write to disk in the background
// (store/bolt commits in groups). Written returns a mark of the writes
// made so far; Sync returns once the writes up to a mark are durable. sfn
// marks the writes of each request and syncs them before it answers, so
// an answer never reports a change a crash could lose; a request that
// wrote nothing does not wait.
type Syncer interface {
	Written() uint64
	Sync(ctx context.Context, mark uint64) error
}
