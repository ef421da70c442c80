package interp

import "github.com/stepwise-sfn/stepwise/engine/history"

// eventLog is a run's history: append-only, kept in chunks that are never
// moved, so a history of 40,000 events is not copied again and again as it
// grows (one slice grown by append allocates about five times its final
// size). Chunks start small, for the many short executions, and double up
// to maxEventChunk events.
type eventLog struct {
	chunks [][]history.Event
	n      int
}

const (
	// 4 holds a Pass-only execution's history; the doubling catches up
	// with longer ones after a few chunks.
	minEventChunk = 4
	maxEventChunk = 4096
)

func (l *eventLog) add(e history.Event) {
	k := len(l.chunks) - 1
	if k < 0 || len(l.chunks[k]) == cap(l.chunks[k]) {
		size := minEventChunk
		if k >= 0 {
			size = min(2*cap(l.chunks[k]), maxEventChunk)
		}
		l.chunks = append(l.chunks, make([]history.Event, 0, size))
		k++
	}
	l.chunks[k] = append(l.chunks[k], e)
	l.n++
}

// appendFrom appends the events from index from (0-based) on to dst.
func (l *eventLog) appendFrom(dst []history.Event, from int) []history.Event {
	if from >= l.n {
		return dst
	}
	dst = append(dst[:len(dst):len(dst)], make([]history.Event, 0, l.n-from)...)
	for _, c := range l.chunks {
		if from >= len(c) {
			from -= len(c)
			continue
		}
		dst = append(dst, c[from:]...)
		from = 0
	}
	return dst
}
