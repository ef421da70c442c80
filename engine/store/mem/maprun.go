package mem

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/stepwise-sfn/stepwise/engine/store"
)

var _ store.MapRunStore = (*Store)(nil)

// PutMapRun implements store.MapRunStore.
func (s *Store) PutMapRun(ctx context.Context, m *store.MapRun) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mapRuns == nil {
		s.mapRuns = map[string]*store.MapRun{}
	}
	c := *m
	s.mapRuns[m.ARN] = &c
	return nil
}

// MapRun implements store.MapRunStore.
func (s *Store) MapRun(ctx context.Context, arn string) (*store.MapRun, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.mapRuns[arn]
	if !ok {
		return nil, fmt.Errorf("map run %s: %w", arn, store.ErrNotFound)
	}
	c := *m
	return &c, nil
}

// MapRuns implements store.MapRunStore.
func (s *Store) MapRuns(ctx context.Context, executionARN string) ([]*store.MapRun, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*store.MapRun
	for _, m := range s.mapRuns {
		if m.ExecutionARN == executionARN {
			c := *m
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *store.MapRun) int {
		if c := b.StartDate.Compare(a.StartDate); c != 0 {
			return c
		}
		return strings.Compare(b.ARN, a.ARN)
	})
	return out, nil
}
