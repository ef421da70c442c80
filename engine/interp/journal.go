package interp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// A run is deterministic: given the same calls from its host and the same
// answers from its environment (times, ids, random numbers, task
// results), it does the same thing. A Journal records both as they
// happen, so Program.Replay can rebuild the run, in the state it had, in
// a process that never saw it: after a restart, or in a host that keeps
// nothing between requests. Durable hosts persist what Take returns with
// the events recorded meanwhile.
//
// The format is one entry per line, a letter then its value:
//
//	c["step"]              a call of the host (Step, SendTaskSuccess, ...)
//	n1700000000000000000   a clock reading, Unix nanoseconds
//	u<id>                  an id from Env.IDs
//	r42                    a number from Env.Random
//	t{...}                 a task runner's result
//
// Entries a call consumed follow the call. The format is internal to this
// package and may change between versions; a journal is replayed by the
// version that wrote it.
type Journal struct {
	buf []byte
}

// NewJournal returns an empty journal; set it as Env.Journal.
func NewJournal() *Journal { return &Journal{} }

// Take returns what was recorded since the previous Take and forgets it:
// the host appends it to what it has persisted. The slice is the
// caller's.
func (j *Journal) Take() []byte {
	b := j.buf
	j.buf = nil
	return b
}

// Len returns the number of bytes recorded since the previous Take.
func (j *Journal) Len() int { return len(j.buf) }

func (j *Journal) call(args ...any) {
	b, _ := json.Marshal(args)
	j.buf = append(j.buf, 'c')
	j.buf = append(j.buf, b...)
	j.buf = append(j.buf, '\n')
}

func (j *Journal) entry(kind byte, v string) {
	j.buf = append(j.buf, kind)
	j.buf = append(j.buf, v...)
	j.buf = append(j.buf, '\n')
}

// journalTask is a TaskResult as the journal keeps it.
type journalTask struct {
	Output        json.RawMessage `json:"o,omitempty"`
	Raw           string          `json:"x,omitempty"` // an Output that is not JSON
	Err           *states.Error   `json:"e,omitempty"`
	Outcome       history.Type    `json:"k,omitempty"`
	Pending       bool            `json:"p,omitempty"`
	Token         string          `json:"t,omitempty"`
	Submitted     json.RawMessage `json:"s,omitempty"`
	StartDeferred bool            `json:"d,omitempty"`
}

func encodeTask(res TaskResult) []byte {
	jt := journalTask{Err: res.Err, Outcome: res.Outcome, Pending: res.Pending, Token: res.Token,
		StartDeferred: res.StartDeferred}
	if res.Output != nil {
		if json.Valid(res.Output) {
			jt.Output = res.Output
		} else {
			jt.Raw = string(res.Output)
		}
	}
	if res.Submitted != nil && json.Valid(res.Submitted) {
		jt.Submitted = res.Submitted
	}
	b, _ := json.Marshal(jt)
	return b
}

func decodeTask(b []byte) (TaskResult, error) {
	var jt journalTask
	if err := json.Unmarshal(b, &jt); err != nil {
		return TaskResult{}, err
	}
	res := TaskResult{Err: jt.Err, Outcome: jt.Outcome, Pending: jt.Pending, Token: jt.Token,
		StartDeferred: jt.StartDeferred}
	if jt.Output != nil {
		res.Output = []byte(jt.Output)
	} else if jt.Raw != "" {
		res.Output = []byte(jt.Raw)
	}
	if jt.Submitted != nil {
		res.Submitted = []byte(jt.Submitted)
	}
	return res, nil
}

// replayer feeds a run the answers its journal recorded while Replay
// repeats the host's calls.
type replayer struct {
	lines [][]byte
	at    int
	err   error
	// last is the latest clock reading replayed.
	last time.Time
}

// next returns the value of the next entry, which must be of kind.
func (p *replayer) next(kind byte) []byte {
	if p.err != nil {
		return nil
	}
	if p.at >= len(p.lines) {
		p.err = fmt.Errorf("interp: journal ended where the run reads %q", kind)
		return nil
	}
	l := p.lines[p.at]
	if len(l) == 0 || l[0] != kind {
		p.err = fmt.Errorf("interp: journal entry %d is %.20q where the run reads %q", p.at, l, kind)
		return nil
	}
	p.at++
	return l[1:]
}

// journaled wraps an Env so that the run's reads of it go through the
// journal: recorded when live, answered from the journal while replaying.
type journaled struct {
	r     *Run
	inner Env
}

func (e *journaled) Now() time.Time {
	if p := e.r.replay; p != nil {
		v, err := strconv.ParseInt(string(p.next('n')), 10, 64)
		if err != nil && p.err == nil {
			p.err = errors.New("interp: bad clock entry in journal")
		}
		t := time.Unix(0, v).UTC()
		if t.After(p.last) {
			p.last = t
		}
		return t
	}
	t := e.inner.Clock.Now()
	e.r.env.Journal.entry('n', strconv.FormatInt(t.UnixNano(), 10))
	return t
}

func (e *journaled) UUID() string {
	if p := e.r.replay; p != nil {
		return string(p.next('u'))
	}
	id := e.inner.IDs.UUID()
	e.r.env.Journal.entry('u', id)
	return id
}

func (e *journaled) random(lo, hi int64) int64 {
	if p := e.r.replay; p != nil {
		v, _ := strconv.ParseInt(string(p.next('r')), 10, 64)
		return v
	}
	v := e.inner.Random(lo, hi)
	e.r.env.Journal.entry('r', strconv.FormatInt(v, 10))
	return v
}

func (e *journaled) RunTask(ctx context.Context, req *TaskRequest) TaskResult {
	if p := e.r.replay; p != nil {
		b := p.next('t')
		if p.err != nil {
			return TaskResult{Pending: true}
		}
		res, err := decodeTask(b)
		if err != nil {
			p.err = fmt.Errorf("interp: bad task entry in journal: %w", err)
		}
		return res
	}
	var res TaskResult
	if e.inner.Tasks == nil {
		res = Unmocked(req)
	} else {
		res = e.inner.Tasks.RunTask(ctx, req)
	}
	e.r.env.Journal.entry('t', string(encodeTask(res)))
	return res
}

// journal sets up r to record into env.Journal: r gets its own copy of
// env whose clock, ids, random numbers and tasks go through the journal.
func (r *Run) journal(env *Env) {
	j := &journaled{r: r, inner: *env}
	e := *env
	e.Clock, e.IDs, e.Tasks = j, j, j
	if env.Random != nil {
		e.Random = j.random
	}
	if env.OnEvent != nil {
		e.OnEvent = func(ev history.Event) {
			if r.replay == nil {
				env.OnEvent(ev)
			}
		}
	}
	r.env = &e
}

// journaling reports whether the host's calls are recorded: the run has
// a journal and is not being replayed. Callers check it before building
// a call's arguments, so a run without a journal pays nothing.
func (r *Run) journaling() bool { return r.env.Journal != nil && r.replay == nil }

// ErrBadJournal is returned (wrapped) by Replay when the journal is not
// one this Program wrote, or is damaged.
var ErrBadJournal = errors.New("interp: journal does not replay")

// Replay rebuilds a run from its journal: ex and env as the host gave
// them to Start (or Redrive), journal everything Take returned since.
// prior supplies the first n events of the history for a run that was
// redriven (its journal starts with the redrive); it is not called for
// others. The rebuilt run records into env.Journal from here on, and has
// the events, pending tasks and timers the original had; env.OnEvent is
// not called for the events replayed.
func (p *Program) Replay(ctx context.Context, env *Env, ex Execution, journal []byte, prior func(n int) ([]history.Event, error)) (*Run, error) {
	if env.Journal == nil {
		return nil, fmt.Errorf("%w: Env.Journal is nil", ErrBadJournal)
	}
	rp := &replayer{lines: splitLines(journal)}
	first := rp.next('c')
	var head []any
	if rp.err != nil || json.Unmarshal(first, &head) != nil || len(head) == 0 {
		return nil, fmt.Errorf("%w: no start", ErrBadJournal)
	}
	var r *Run
	switch head[0] {
	case "start":
		r = p.start(env, ex, rp)
	case "redrive":
		n, _ := head[1].(float64)
		events, err := prior(int(n))
		if err != nil {
			return nil, err
		}
		if r, err = p.redrive(env, ex, events, rp); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadJournal, err)
		}
	default:
		return nil, fmt.Errorf("%w: starts with %v", ErrBadJournal, head[0])
	}
	for rp.err == nil && rp.at < len(rp.lines) {
		var call []json.RawMessage
		if err := json.Unmarshal(rp.next('c'), &call); err != nil || len(call) == 0 {
			rp.err = fmt.Errorf("interp: bad call entry %d", rp.at-1)
			break
		}
		r.replayCall(ctx, call)
	}
	if rp.err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadJournal, rp.err)
	}
	r.replay = nil
	r.replayedClock = rp.last
	return r, nil
}

// ReplayedClock returns the latest clock reading Replay fed the run (zero
// for a run that was not replayed): a host that gives each run its own
// clock sets it there.
func (r *Run) ReplayedClock() time.Time { return r.replayedClock }

func (r *Run) replayCall(ctx context.Context, c []json.RawMessage) {
	var name string
	json.Unmarshal(c[0], &name)
	str := func(i int) string {
		var s string
		if i < len(c) {
			json.Unmarshal(c[i], &s)
		}
		return s
	}
	switch name {
	case "step":
		r.Step(ctx)
	case "drive":
		r.Drive(ctx)
	case "success":
		r.SendTaskSuccess(str(1), []byte(str(2)))
	case "failure":
		r.SendTaskFailure(str(1), str(2), str(3))
	case "complete":
		res, err := decodeTask([]byte(str(2)))
		if err != nil {
			r.replay.err = err
			return
		}
		r.CompleteTask(str(1), res)
	case "heartbeat":
		r.SendTaskHeartbeat(str(1))
	case "activity":
		r.StartActivity(str(1), str(2))
	case "stop":
		r.Stop(str(1), str(2))
	case "mapRun":
		var mc, tc *int64
		var tp *float64
		if len(c) == 5 {
			json.Unmarshal(c[2], &mc)
			json.Unmarshal(c[3], &tc)
			json.Unmarshal(c[4], &tp)
		}
		r.UpdateMapRun(str(1), mc, tc, tp)
	default:
		r.replay.err = fmt.Errorf("interp: unknown call %q in journal", name)
	}
}

func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != '\n' {
			i++
		}
		out = append(out, b[:i])
		if i < len(b) {
			i++
		}
		b = b[i:]
	}
	return out
}

// PendingTask is a task invocation a run waits for, as a host that
// rebuilt the run sees it: it serves again what the previous process was
// serving (an activity waiting for a worker, a nested execution's link).
type PendingTask struct {
	Token   string
	Request TaskRequest
	// Started is false for an activity task no worker has taken yet.
	Started bool
	// Submitted is what the runner returned with its Pending result (a
	// nested execution's StartExecution output); nil: nothing.
	Submitted []byte
}

// PendingTasks returns the tasks the run waits for, ordered by token.
func (r *Run) PendingTasks() []PendingTask {
	out := make([]PendingTask, 0, len(r.tasks))
	for tok, th := range r.tasks {
		t := th.task
		pt := PendingTask{Token: tok, Started: t.started, Submitted: t.submitted}
		if t.req != nil {
			pt.Request = *t.req
		}
		out = append(out, pt)
	}
	slices.SortFunc(out, func(a, b PendingTask) int { return strings.Compare(a.Token, b.Token) })
	return out
}
