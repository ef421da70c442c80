package mem

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/stepwise-sfn/stepwise/engine/store"
)

// versionState holds versions and aliases; its maps are made on first
// write so New stays as it is.
type versionState struct {
	versions map[string]*store.StateMachineVersion
	aliases  map[string]*store.StateMachineAlias
}

func copyVersion(v *store.StateMachineVersion) *store.StateMachineVersion {
	c := *v
	c.Logging.LogGroupARNs = slices.Clone(v.Logging.LogGroupARNs)
	return &c
}

func copyAlias(a *store.StateMachineAlias) *store.StateMachineAlias {
	c := *a
	c.Routing = slices.Clone(a.Routing)
	return &c
}

// PutStateMachineVersion implements store.Store.
func (s *Store) PutStateMachineVersion(ctx context.Context, v *store.StateMachineVersion) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vs.versions == nil {
		s.vs.versions = map[string]*store.StateMachineVersion{}
	}
	s.vs.versions[v.ARN] = copyVersion(v)
	return nil
}

// StateMachineVersion implements store.Store.
func (s *Store) StateMachineVersion(ctx context.Context, arn string) (*store.StateMachineVersion, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := s.vs.versions[arn]
	if !ok {
		return nil, fmt.Errorf("state machine version %s: %w", arn, store.ErrNotFound)
	}
	return copyVersion(v), nil
}

// StateMachineVersions implements store.Store.
func (s *Store) StateMachineVersions(ctx context.Context, stateMachineARN string) ([]*store.StateMachineVersion, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*store.StateMachineVersion
	for _, v := range s.vs.versions {
		if v.StateMachineARN == stateMachineARN {
			out = append(out, copyVersion(v))
		}
	}
	slices.SortFunc(out, func(a, b *store.StateMachineVersion) int { return cmp.Compare(b.Number, a.Number) })
	return out, nil
}

// DeleteStateMachineVersion implements store.Store.
func (s *Store) DeleteStateMachineVersion(ctx context.Context, arn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.vs.versions, arn)
	return nil
}

// PutStateMachineAlias implements store.Store.
func (s *Store) PutStateMachineAlias(ctx context.Context, a *store.StateMachineAlias) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vs.aliases == nil {
		s.vs.aliases = map[string]*store.StateMachineAlias{}
	}
	s.vs.aliases[a.ARN] = copyAlias(a)
	return nil
}

// StateMachineAlias implements store.Store.
func (s *Store) StateMachineAlias(ctx context.Context, arn string) (*store.StateMachineAlias, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.vs.aliases[arn]
	if !ok {
		return nil, fmt.Errorf("state machine alias %s: %w", arn, store.ErrNotFound)
	}
	return copyAlias(a), nil
}

// StateMachineAliases implements store.Store.
func (s *Store) StateMachineAliases(ctx context.Context, stateMachineARN string) ([]*store.StateMachineAlias, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*store.StateMachineAlias
	for _, a := range s.vs.aliases {
		if a.StateMachineARN == stateMachineARN {
			out = append(out, copyAlias(a))
		}
	}
	slices.SortFunc(out, func(a, b *store.StateMachineAlias) int { return strings.Compare(a.ARN, b.ARN) })
	return out, nil
}

// DeleteStateMachineAlias implements store.Store.
func (s *Store) DeleteStateMachineAlias(ctx context.Context, arn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.vs.aliases, arn)
	return nil
}
