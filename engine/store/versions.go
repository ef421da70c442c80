package store

import (
	"context"
	"time"
)

// StateMachineVersion is a published version of a state machine: an
// immutable copy of its configuration at one revision. Its ARN is the
// state machine's ARN followed by ":" and Number.
//
// See https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-version.html
type StateMachineVersion struct {
	ARN             string
	StateMachineARN string
	// Number counts the versions of one state machine from 1; numbers of
	// deleted versions are not reused.
	Number       int
	Description  string
	Type         string
	Definition   string
	RoleARN      string
	Logging      LoggingConfiguration
	Tracing      bool
	RevisionID   string // the state machine's revision it was published from ("" before the first update)
	CreationDate time.Time
}

// RoutingRule sends Weight percent of an alias's executions to a version.
type RoutingRule struct {
	VersionARN string
	Weight     int
}

// StateMachineAlias is a named pointer to one or two versions of a state
// machine; its ARN is the state machine's ARN followed by ":" and Name.
type StateMachineAlias struct {
	ARN             string
	StateMachineARN string
	Name            string
	Description     string
	Routing         []RoutingRule
	CreationDate    time.Time
	UpdateDate      time.Time
}

// VersionStore keeps state machine versions and aliases. It is part of
// Store. Deleting a state machine does not delete its versions and
// aliases: the service deletes them itself.
type VersionStore interface {
	// PutStateMachineVersion creates or replaces the version with v.ARN.
	PutStateMachineVersion(ctx context.Context, v *StateMachineVersion) error
	// StateMachineVersion returns the version with the ARN, or ErrNotFound.
	StateMachineVersion(ctx context.Context, arn string) (*StateMachineVersion, error)
	// StateMachineVersions returns the versions of a state machine, newest
	// (highest Number) first, as ListStateMachineVersions orders them.
	StateMachineVersions(ctx context.Context, stateMachineARN string) ([]*StateMachineVersion, error)
	// DeleteStateMachineVersion removes a version; deleting one that does
	// not exist is not an error.
	DeleteStateMachineVersion(ctx context.Context, arn string) error

	// PutStateMachineAlias creates or replaces the alias with a.ARN.
	PutStateMachineAlias(ctx context.Context, a *StateMachineAlias) error
	// StateMachineAlias returns the alias with the ARN, or ErrNotFound.
	StateMachineAlias(ctx context.Context, arn string) (*StateMachineAlias, error)
	// StateMachineAliases returns the aliases of a state machine ordered
	// by ARN.
	StateMachineAliases(ctx context.Context, stateMachineARN string) ([]*StateMachineAlias, error)
	// DeleteStateMachineAlias removes an alias; deleting one that does not
	// exist is not an error.
	DeleteStateMachineAlias(ctx context.Context, arn string) error
}
