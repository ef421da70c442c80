package store

import (
	"context"
	"time"
)

// MapRun is a Distributed Map's run, as DescribeMapRun shows it.
type MapRun struct {
	ARN             string
	ExecutionARN    string // the execution whose Map state started it
	StateMachineARN string // the child workflow's: <machine ARN>/<label>
	Status          string // RUNNING, SUCCEEDED, FAILED or ABORTED
	StartDate       time.Time
	StopDate        time.Time // zero while RUNNING
	// MaxConcurrency 0 means no limit.
	MaxConcurrency             int64
	ToleratedFailureCount      int64
	ToleratedFailurePercentage float64
	Items                      MapRunCounts
	RedriveCount               int
	RedriveDate                time.Time
}

// MapRunCounts are a Map Run's item (and child execution) counts.
type MapRunCounts struct {
	Pending, Running, Succeeded, Failed, TimedOut, Aborted, Total int64
	ResultsWritten, FailuresNotRedrivable, PendingRedrive         int64
}

// MapRunStore is implemented by stores that keep Map Runs. It is separate
// from Store so that stores written before Map Runs keep compiling; the
// Map Run operations answer ResourceNotFound over a store without it.
type MapRunStore interface {
	// PutMapRun creates or replaces the Map Run with m.ARN.
	PutMapRun(ctx context.Context, m *MapRun) error
	// MapRun returns the Map Run with the ARN, or ErrNotFound.
	MapRun(ctx context.Context, arn string) (*MapRun, error)
	// MapRuns returns the Map Runs an execution started, newest first.
	MapRuns(ctx context.Context, executionARN string) ([]*MapRun, error)
}
