package sfn

import (
	"container/heap"
	"context"
	"slices"
	"time"
)

// wakeIndex orders the live runs on the service clock by wake time, so
// NextWake and Advance, which a server calls after every request, cost
// O(log n) instead of a visit to every live run: with 20,000 executions
// parked in a Wait, that visit took nearly all of the server's time.
//
// Entries are never updated in place. sync, where every path that moves a
// run ends, indexes the run's current wake time when it differs from the
// last one indexed (liveRun.indexedWake); an entry is valid only while its
// run is live on the service clock, unpaused, and still wakes at the
// entry's time, which is also the last time indexed for it. Invalid
// entries are dropped when they reach the top, and the index is rebuilt
// from the live runs when they outnumber them.
type wakeIndex []wakeEntry

type wakeEntry struct {
	at time.Time
	lr *liveRun
}

func (w wakeIndex) Len() int           { return len(w) }
func (w wakeIndex) Less(i, j int) bool { return w[i].at.Before(w[j].at) }
func (w wakeIndex) Swap(i, j int)      { w[i], w[j] = w[j], w[i] }
func (w *wakeIndex) Push(x any)        { *w = append(*w, x.(wakeEntry)) }
func (w *wakeIndex) Pop() any {
	old := *w
	e := old[len(old)-1]
	old[len(old)-1] = wakeEntry{}
	*w = old[:len(old)-1]
	return e
}

// onServiceClock reports whether lr's timers are the host's to fire:
// live, on the service clock, not paused by the debugger.
func (s *Service) onServiceClock(lr *liveRun) bool {
	return lr.clock == nil && !lr.paused && s.live[lr.rec.ARN] == lr
}

// indexWake records lr's current wake time in the index, if it has one
// the index does not know yet.
func (s *Service) indexWake(lr *liveRun) {
	if !s.onServiceClock(lr) {
		return
	}
	w := lr.run.WakeAt()
	if w.IsZero() || w.Equal(lr.indexedWake) {
		return
	}
	lr.indexedWake = w
	heap.Push(&s.wakes, wakeEntry{at: w, lr: lr})
	if len(s.wakes) > 2*len(s.live)+64 {
		s.rebuildWakes()
	}
}

// validWake reports whether e is its run's current, last indexed wake.
func (s *Service) validWake(e wakeEntry) bool {
	return e.at.Equal(e.lr.indexedWake) && s.onServiceClock(e.lr) && e.lr.run.WakeAt().Equal(e.at)
}

// dropStaleWakes pops invalid entries off the top, indexing again a run
// whose wake time moved without sync seeing it.
func (s *Service) dropStaleWakes() {
	var moved []*liveRun
	for len(s.wakes) > 0 && !s.validWake(s.wakes[0]) {
		e := heap.Pop(&s.wakes).(wakeEntry)
		if e.at.Equal(e.lr.indexedWake) {
			e.lr.indexedWake = time.Time{}
			moved = append(moved, e.lr)
		}
	}
	for _, lr := range moved {
		s.indexWake(lr)
	}
}

// rebuildWakes indexes every live run afresh, dropping invalid entries.
func (s *Service) rebuildWakes() {
	s.wakes = s.wakes[:0]
	for _, lr := range s.live {
		lr.indexedWake = time.Time{}
		if !s.onServiceClock(lr) {
			continue
		}
		if w := lr.run.WakeAt(); !w.IsZero() {
			lr.indexedWake = w
			s.wakes = append(s.wakes, wakeEntry{at: w, lr: lr})
		}
	}
	heap.Init(&s.wakes)
}

// NextWake returns the earliest time at which an execution on the service
// clock has something to do (a Wait, a retry interval, a timeout), and
// false when none waits on time. Hosts with a real clock call Advance once
// it has passed.
func (s *Service) NextWake() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropStaleWakes()
	if len(s.wakes) == 0 {
		return time.Time{}, false
	}
	return s.wakes[0].at, true
}

// Advance fires the timers that are due on the service clock: every
// execution whose wake time has passed steps on until it waits again or
// ends. It returns the first store failure as an *Error.
func (s *Service) Advance(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if s.onDemand() {
		// nothing is in memory: load the runs whose timers are due
		running, err := s.durable.Running(ctx)
		if err != nil {
			return storeErr(err)
		}
		for _, r := range running {
			if !r.WakeAt.IsZero() && !r.WakeAt.After(now) && s.live[r.ARN] == nil {
				s.loadRun(ctx, r.ARN)
			}
		}
	}
	var arns []string
	for {
		s.dropStaleWakes()
		if len(s.wakes) == 0 || s.wakes[0].at.After(now) {
			break
		}
		e := heap.Pop(&s.wakes).(wakeEntry)
		// Out of the index until sync indexes its next wake.
		e.lr.indexedWake = time.Time{}
		arns = append(arns, e.lr.rec.ARN)
	}
	// A fixed order keeps runs that wake together deterministic.
	// A rebuild of the index may have listed a run twice.
	slices.Sort(arns)
	arns = slices.Compact(arns)
	var first error
	for _, arn := range arns {
		// An earlier run may have ended this one (a nested execution).
		lr, ok := s.live[arn]
		if !ok {
			continue
		}
		lr.run.Step(ctx)
		if err := s.drive(ctx, lr); err != nil && first == nil {
			first = err
		}
	}
	s.drainLater(ctx)
	return first
}
