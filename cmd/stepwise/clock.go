//go:build !js

package main

import (
	"sync"
	"time"
)

// serveClock is the server's clock: what executions read (interp.Clock)
// and how long to sleep on the wall clock until a time it will read.
type serveClock interface {
	Now() time.Time
	// wallUntil is the wall-clock wait until the clock reads t (<= 0: due).
	wallUntil(t time.Time) time.Duration
}

// scaledClock runs 1/scale times as fast as the wall clock from an anchor
// (--wait-time-scale 0.01: a Wait of 100 s takes 1 s): it reads
// anchor + (wall - wallAnchor)/scale. It never goes backwards, even if the
// wall clock does (elapsed time is measured on the monotonic clock). Safe
// for concurrent use.
type scaledClock struct {
	scale float64
	// since returns the wall time elapsed since the anchor.
	since  func() time.Duration
	anchor time.Time
	mu     sync.Mutex
	last   time.Time
}

// newScaledClock returns a clock at scale, anchored at the current time.
func newScaledClock(scale float64) *scaledClock {
	start := time.Now()
	return &scaledClock{scale: scale, since: func() time.Duration { return time.Since(start) }, anchor: start.UTC().Round(0)}
}

func (c *scaledClock) Now() time.Time {
	t := c.anchor.Add(time.Duration(float64(c.since()) / c.scale))
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.Before(c.last) {
		t = c.last
	}
	c.last = t
	return t
}

func (c *scaledClock) wallUntil(t time.Time) time.Duration {
	return time.Duration(float64(t.Sub(c.Now())) * c.scale)
}

// wallClock is the real time (--wait-time-scale 1, the default).
type wallClock struct{}

func (wallClock) Now() time.Time                      { return time.Now().UTC() }
func (wallClock) wallUntil(t time.Time) time.Duration { return time.Until(t) }
