package interp

import (
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/history"
)

func TestEventLogAcrossChunks(t *testing.T) {
	var l eventLog
	const n = 10000 // several chunks, the last ones at the maximum size
	for i := range n {
		l.add(history.Event{ID: int64(i + 1)})
	}
	if l.n != n {
		t.Fatalf("n = %d, want %d", l.n, n)
	}
	if cap(l.chunks[0]) != minEventChunk || cap(l.chunks[len(l.chunks)-1]) != maxEventChunk {
		t.Fatalf("chunk sizes %d..%d", cap(l.chunks[0]), cap(l.chunks[len(l.chunks)-1]))
	}
	for _, from := range []int{0, 1, 15, 16, 47, 48, 5000, n - 1, n, n + 5} {
		got := l.appendFrom(nil, from)
		if want := max(n-from, 0); len(got) != want {
			t.Fatalf("from %d: %d events, want %d", from, len(got), want)
		}
		for i, e := range got {
			if e.ID != int64(from+i+1) {
				t.Fatalf("from %d: event %d has id %d", from, i, e.ID)
			}
		}
	}
	// Appending to a caller's slice keeps its contents and does not write
	// into its spare capacity.
	dst := make([]history.Event, 1, 10)
	dst[0].ID = -1
	got := l.appendFrom(dst, n-2)
	if len(got) != 3 || got[0].ID != -1 || got[1].ID != n-1 || got[2].ID != n {
		t.Fatalf("appendFrom(dst): %v", got)
	}
}
