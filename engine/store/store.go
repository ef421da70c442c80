// Package store is where the Step Functions API keeps its state: state
// machines, executions and their history events. Service in engine/sfn is
// the only writer; hosts pick an implementation (store/mem here, durable
// ones later) and hand it to sfn.New.
//
// Records are plain values: a Store copies what it is given and what it
// returns, so callers may keep or modify them without locking.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/history"
)

// ErrNotFound is returned (possibly wrapped) when a record does not exist.
var ErrNotFound = errors.New("store: not found")

// LoggingConfiguration is a state machine's CloudWatch Logs settings.
type LoggingConfiguration struct {
	// Level is ALL, ERROR, FATAL or OFF ("" reads as OFF).
	Level                string
	IncludeExecutionData bool
	// LogGroupARNs are the destinations' log group ARNs (at most one on AWS).
	LogGroupARNs []string
}

// Tag is a resource tag.
type Tag struct {
	Key, Value string
}

// StateMachine is one state machine as DescribeStateMachine shows it.
type StateMachine struct {
	ARN        string
	Name       string
	Type       string // STANDARD or EXPRESS
	Definition string // exactly as sent
	RoleARN    string
	Status     string // ACTIVE or DELETING
	Logging    LoggingConfiguration
	Tracing    bool // tracingConfiguration.enabled
	Tags       []Tag
	// RevisionID is empty until the first UpdateStateMachine.
	RevisionID   string
	CreationDate time.Time
	// UpdateDate is the last change to the definition or configuration
	// (CreationDate until the first update).
	UpdateDate time.Time
	// LastVersion is the highest version number published (0: none), so
	// that the numbers of deleted versions are not reused.
	LastVersion int
}

// Execution is one execution: its identity, its result, and the
// configuration of the state machine it started with (which later
// updates do not change).
type Execution struct {
	ARN             string
	StateMachineARN string
	Name            string
	Type            string // STANDARD or EXPRESS
	Status          string // RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED
	Input           []byte
	Output          []byte // set when SUCCEEDED
	Error, Cause    string
	TraceHeader     string
	StartDate       time.Time
	StopDate        time.Time // zero while RUNNING

	// The state machine as this execution runs it.
	Definition        string
	RoleARN           string
	Logging           LoggingConfiguration
	Tracing           bool
	RevisionID        string
	MachineUpdateDate time.Time
	// VersionARN is the version the execution runs (set when started
	// through a version or an alias); AliasARN the alias it was started
	// through.
	VersionARN, AliasARN string

	// RedriveCount is how many times RedriveExecution restarted the
	// execution, RedriveDate when it last did (zero: never).
	RedriveCount int
	RedriveDate  time.Time

	// TestCase is the Step Functions Local test case the execution runs
	// ("" none); OwnClock: it runs on its own virtual clock (sfn's
	// Options.Virtual). Both are needed to rebuild a running execution.
	TestCase string
	OwnClock bool
}

// EncryptionConfiguration is a resource's server-side encryption settings,
// kept as given and reported back; nothing is encrypted with them.
type EncryptionConfiguration struct {
	// Type is AWS_OWNED_KEY or CUSTOMER_MANAGED_KMS_KEY.
	Type     string
	KMSKeyID string
	// KMSDataKeyReusePeriodSeconds is 0 when not given.
	KMSDataKeyReusePeriodSeconds int64
}

// Activity is one activity as DescribeActivity shows it.
type Activity struct {
	ARN          string
	Name         string
	CreationDate time.Time
	Tags         []Tag
	// Encryption is nil when CreateActivity had no encryptionConfiguration.
	Encryption *EncryptionConfiguration
}

// Store keeps the API's records. Implementations must be safe for
// concurrent use.
type Store interface {
	VersionStore // versions.go

	// PutStateMachine creates or replaces the state machine with m.ARN.
	PutStateMachine(ctx context.Context, m *StateMachine) error
	// StateMachine returns the state machine with the ARN, or ErrNotFound.
	StateMachine(ctx context.Context, arn string) (*StateMachine, error)
	// DeleteStateMachine removes the state machine; deleting one that does
	// not exist is not an error (DeleteStateMachine is idempotent on AWS).
	DeleteStateMachine(ctx context.Context, arn string) error
	// StateMachines returns all state machines ordered by ARN.
	StateMachines(ctx context.Context) ([]*StateMachine, error)

	// PutExecution creates or replaces the execution with e.ARN.
	PutExecution(ctx context.Context, e *Execution) error
	// Execution returns the execution with the ARN, or ErrNotFound.
	Execution(ctx context.Context, arn string) (*Execution, error)
	// Executions returns the executions of a state machine, newest start
	// first (ties: later creation first), as ListExecutions orders them.
	Executions(ctx context.Context, stateMachineARN string) ([]*Execution, error)

	// AppendEvents appends events to an execution's history. Their IDs
	// continue the stored ones; the store does not renumber them. The
	// store may keep the slice: the caller must not modify it afterwards.
	AppendEvents(ctx context.Context, executionARN string, events []history.Event) error
	// Events returns up to limit events of an execution's history in ID
	// order, starting at index offset (0 is the first event), and the
	// number of events stored in all. limit <= 0 means all from offset.
	// The caller must not modify the returned events' details.
	Events(ctx context.Context, executionARN string, offset, limit int) (events []history.Event, total int, err error)

	// PutActivity creates or replaces the activity with a.ARN.
	PutActivity(ctx context.Context, a *Activity) error
	// Activity returns the activity with the ARN, or ErrNotFound.
	Activity(ctx context.Context, arn string) (*Activity, error)
	// DeleteActivity removes the activity; deleting one that does not
	// exist is not an error (DeleteActivity is idempotent on AWS).
	DeleteActivity(ctx context.Context, arn string) error
	// Activities returns all activities ordered by ARN.
	Activities(ctx context.Context) ([]*Activity, error)
}
