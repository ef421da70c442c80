//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"syscall/js"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/store"
)

// d1Store keeps the Step Functions records in a D1 database (schema:
// migrations/0001_init.sql). D1 is strongly consistent, so a request
// always reads what an earlier one wrote (KV, eventually consistent,
// could hand SendTaskSuccess a stale run). Records are JSON; each method
// is one D1 call or a few, and Checkpoint is one batch (one transaction).
// It implements store.Store, store.MapRunStore and store.Durable.
//
// Requests run in fresh instances with nothing shared but D1, so two
// requests that advance the same execution at once (a SendTaskSuccess
// and a cron tick) may each rebuild and step it. Their checkpoints would
// carry the same event IDs: the events' primary key fails the later
// batch, which then writes nothing (a batch is one transaction), and that
// request answers ServiceUnavailable. A checkpoint without events (a
// heartbeat's journal entry) is not guarded that way.
type d1Store struct {
	db *d1
}

var (
	_ store.Store       = (*d1Store)(nil)
	_ store.MapRunStore = (*d1Store)(nil)
	_ store.Durable     = (*d1Store)(nil)
)

// micros is t in Unix microseconds, 0 for the zero time: exact as a
// JavaScript number, and fine enough to order executions.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func notFound(kind, arn string) error {
	return fmt.Errorf("%s %s: %w", kind, arn, store.ErrNotFound)
}

// encode is a record's JSON text.
func encode(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// one reads the JSON record of the first row into v; ErrNotFound when
// there is none.
func (s *d1Store) one(ctx context.Context, v any, kind, arn, query string, args ...any) error {
	rows, err := s.db.query(ctx, query, args...)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return notFound(kind, arn)
	}
	return json.Unmarshal([]byte(rows[0][0].String()), v)
}

// all reads the JSON record in the first column of every row.
func all[T any](ctx context.Context, s *d1Store, query string, args ...any) ([]*T, error) {
	rows, err := s.db.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	out := make([]*T, len(rows))
	for i, r := range rows {
		out[i] = new(T)
		if err := json.Unmarshal([]byte(r[0].String()), out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PutStateMachine implements store.Store.
func (s *d1Store) PutStateMachine(ctx context.Context, m *store.StateMachine) error {
	rec, err := encode(m)
	if err != nil {
		return err
	}
	return s.db.exec(ctx, `INSERT INTO machines (arn, rec) VALUES (?, ?)
		ON CONFLICT (arn) DO UPDATE SET rec = excluded.rec`, m.ARN, rec)
}

// StateMachine implements store.Store.
func (s *d1Store) StateMachine(ctx context.Context, arn string) (*store.StateMachine, error) {
	var m store.StateMachine
	if err := s.one(ctx, &m, "state machine", arn, `SELECT rec FROM machines WHERE arn = ?`, arn); err != nil {
		return nil, err
	}
	return &m, nil
}

// DeleteStateMachine implements store.Store.
func (s *d1Store) DeleteStateMachine(ctx context.Context, arn string) error {
	return s.db.exec(ctx, `DELETE FROM machines WHERE arn = ?`, arn)
}

// StateMachines implements store.Store.
func (s *d1Store) StateMachines(ctx context.Context) ([]*store.StateMachine, error) {
	return all[store.StateMachine](ctx, s, `SELECT rec FROM machines ORDER BY arn`)
}

// putExecution is the upsert of an execution record; rowid, the creation
// order, survives the update.
func putExecution(db *d1, e *store.Execution) (stmt, error) {
	rec, err := encode(e)
	if err != nil {
		return stmt{}, err
	}
	return db.prepare(`INSERT INTO executions (arn, machine, start_us, status, rec) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (arn) DO UPDATE SET machine = excluded.machine, start_us = excluded.start_us,
		status = excluded.status, rec = excluded.rec`,
		e.ARN, e.StateMachineARN, micros(e.StartDate), e.Status, rec), nil
}

// PutExecution implements store.Store.
func (s *d1Store) PutExecution(ctx context.Context, e *store.Execution) error {
	st, err := putExecution(s.db, e)
	if err != nil {
		return err
	}
	return s.db.batch(ctx, []stmt{st})
}

// Execution implements store.Store.
func (s *d1Store) Execution(ctx context.Context, arn string) (*store.Execution, error) {
	var e store.Execution
	if err := s.one(ctx, &e, "execution", arn, `SELECT rec FROM executions WHERE arn = ?`, arn); err != nil {
		return nil, err
	}
	return &e, nil
}

// Executions implements store.Store.
func (s *d1Store) Executions(ctx context.Context, stateMachineARN string) ([]*store.Execution, error) {
	return all[store.Execution](ctx, s, `SELECT rec FROM executions WHERE machine = ?
		ORDER BY start_us DESC, rowid DESC`, stateMachineARN)
}

// appendEvents are the inserts of events.
func appendEvents(db *d1, executionARN string, events []history.Event) ([]stmt, error) {
	out := make([]stmt, 0, len(events))
	for _, ev := range events {
		b, err := ev.MarshalJSON()
		if err != nil {
			return nil, err
		}
		out = append(out, db.prepare(`INSERT INTO events (execution, id, at, event) VALUES (?, ?, ?, ?)`,
			executionARN, ev.ID, strconv.FormatInt(ev.Timestamp.UnixNano(), 10), string(b)))
	}
	return out, nil
}

// AppendEvents implements store.Store.
func (s *d1Store) AppendEvents(ctx context.Context, executionARN string, events []history.Event) error {
	rows, err := s.db.query(ctx, `SELECT 1 FROM executions WHERE arn = ?`, executionARN)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return notFound("execution", executionARN)
	}
	stmts, err := appendEvents(s.db, executionARN, events)
	if err != nil {
		return err
	}
	return s.db.batch(ctx, stmts)
}

// Events implements store.Store.
func (s *d1Store) Events(ctx context.Context, executionARN string, offset, limit int) ([]history.Event, int, error) {
	rows, err := s.db.query(ctx, `SELECT (SELECT count(*) FROM events WHERE execution = ?1)
		FROM executions WHERE arn = ?1`, executionARN)
	if err != nil {
		return nil, 0, err
	}
	if len(rows) == 0 {
		return nil, 0, notFound("execution", executionARN)
	}
	total := rows[0][0].Int()
	offset = min(max(offset, 0), total)
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	if offset == total {
		return []history.Event{}, total, nil
	}
	rows, err = s.db.query(ctx, `SELECT at, event FROM events WHERE execution = ?
		ORDER BY id LIMIT ? OFFSET ?`, executionARN, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	events := make([]history.Event, len(rows))
	for i, r := range rows {
		if err := events[i].UnmarshalJSON([]byte(r[1].String())); err != nil {
			return nil, 0, err
		}
		// The JSON keeps milliseconds; the run recorded nanoseconds.
		if ns, err := strconv.ParseInt(r[0].String(), 10, 64); err == nil {
			events[i].Timestamp = time.Unix(0, ns).UTC()
		}
	}
	return events, total, nil
}

// PutActivity implements store.Store.
func (s *d1Store) PutActivity(ctx context.Context, a *store.Activity) error {
	rec, err := encode(a)
	if err != nil {
		return err
	}
	return s.db.exec(ctx, `INSERT INTO activities (arn, rec) VALUES (?, ?)
		ON CONFLICT (arn) DO UPDATE SET rec = excluded.rec`, a.ARN, rec)
}

// Activity implements store.Store.
func (s *d1Store) Activity(ctx context.Context, arn string) (*store.Activity, error) {
	var a store.Activity
	if err := s.one(ctx, &a, "activity", arn, `SELECT rec FROM activities WHERE arn = ?`, arn); err != nil {
		return nil, err
	}
	return &a, nil
}

// DeleteActivity implements store.Store.
func (s *d1Store) DeleteActivity(ctx context.Context, arn string) error {
	return s.db.exec(ctx, `DELETE FROM activities WHERE arn = ?`, arn)
}

// Activities implements store.Store.
func (s *d1Store) Activities(ctx context.Context) ([]*store.Activity, error) {
	return all[store.Activity](ctx, s, `SELECT rec FROM activities ORDER BY arn`)
}

// PutStateMachineVersion implements store.VersionStore.
func (s *d1Store) PutStateMachineVersion(ctx context.Context, v *store.StateMachineVersion) error {
	rec, err := encode(v)
	if err != nil {
		return err
	}
	return s.db.exec(ctx, `INSERT INTO versions (arn, machine, number, rec) VALUES (?, ?, ?, ?)
		ON CONFLICT (arn) DO UPDATE SET machine = excluded.machine, number = excluded.number, rec = excluded.rec`,
		v.ARN, v.StateMachineARN, v.Number, rec)
}

// StateMachineVersion implements store.VersionStore.
func (s *d1Store) StateMachineVersion(ctx context.Context, arn string) (*store.StateMachineVersion, error) {
	var v store.StateMachineVersion
	if err := s.one(ctx, &v, "state machine version", arn, `SELECT rec FROM versions WHERE arn = ?`, arn); err != nil {
		return nil, err
	}
	return &v, nil
}

// StateMachineVersions implements store.VersionStore.
func (s *d1Store) StateMachineVersions(ctx context.Context, stateMachineARN string) ([]*store.StateMachineVersion, error) {
	return all[store.StateMachineVersion](ctx, s, `SELECT rec FROM versions WHERE machine = ?
		ORDER BY number DESC`, stateMachineARN)
}

// DeleteStateMachineVersion implements store.VersionStore.
func (s *d1Store) DeleteStateMachineVersion(ctx context.Context, arn string) error {
	return s.db.exec(ctx, `DELETE FROM versions WHERE arn = ?`, arn)
}

// PutStateMachineAlias implements store.VersionStore.
func (s *d1Store) PutStateMachineAlias(ctx context.Context, a *store.StateMachineAlias) error {
	rec, err := encode(a)
	if err != nil {
		return err
	}
	return s.db.exec(ctx, `INSERT INTO aliases (arn, machine, rec) VALUES (?, ?, ?)
		ON CONFLICT (arn) DO UPDATE SET machine = excluded.machine, rec = excluded.rec`,
		a.ARN, a.StateMachineARN, rec)
}

// StateMachineAlias implements store.VersionStore.
func (s *d1Store) StateMachineAlias(ctx context.Context, arn string) (*store.StateMachineAlias, error) {
	var a store.StateMachineAlias
	if err := s.one(ctx, &a, "state machine alias", arn, `SELECT rec FROM aliases WHERE arn = ?`, arn); err != nil {
		return nil, err
	}
	return &a, nil
}

// StateMachineAliases implements store.VersionStore.
func (s *d1Store) StateMachineAliases(ctx context.Context, stateMachineARN string) ([]*store.StateMachineAlias, error) {
	return all[store.StateMachineAlias](ctx, s, `SELECT rec FROM aliases WHERE machine = ? ORDER BY arn`, stateMachineARN)
}

// DeleteStateMachineAlias implements store.VersionStore.
func (s *d1Store) DeleteStateMachineAlias(ctx context.Context, arn string) error {
	return s.db.exec(ctx, `DELETE FROM aliases WHERE arn = ?`, arn)
}

// PutMapRun implements store.MapRunStore.
func (s *d1Store) PutMapRun(ctx context.Context, m *store.MapRun) error {
	rec, err := encode(m)
	if err != nil {
		return err
	}
	return s.db.exec(ctx, `INSERT INTO map_runs (arn, execution, start_us, rec) VALUES (?, ?, ?, ?)
		ON CONFLICT (arn) DO UPDATE SET execution = excluded.execution, start_us = excluded.start_us, rec = excluded.rec`,
		m.ARN, m.ExecutionARN, micros(m.StartDate), rec)
}

// MapRun implements store.MapRunStore.
func (s *d1Store) MapRun(ctx context.Context, arn string) (*store.MapRun, error) {
	var m store.MapRun
	if err := s.one(ctx, &m, "map run", arn, `SELECT rec FROM map_runs WHERE arn = ?`, arn); err != nil {
		return nil, err
	}
	return &m, nil
}

// MapRuns implements store.MapRunStore.
func (s *d1Store) MapRuns(ctx context.Context, executionARN string) ([]*store.MapRun, error) {
	return all[store.MapRun](ctx, s, `SELECT rec FROM map_runs WHERE execution = ?
		ORDER BY start_us DESC, arn DESC`, executionARN)
}

// Checkpoint implements store.Durable: the events, the journal chunk,
// the wake time, the tokens and the record go in one D1 batch, which is
// one transaction.
func (s *d1Store) Checkpoint(ctx context.Context, c *store.Checkpoint) error {
	stmts, err := appendEvents(s.db, c.ExecutionARN, c.Events)
	if err != nil {
		return err
	}
	ended := c.Execution != nil && c.Execution.Status != "RUNNING"
	if ended {
		stmts = append(stmts,
			s.db.prepare(`DELETE FROM running WHERE arn = ?`, c.ExecutionARN),
			s.db.prepare(`DELETE FROM journal WHERE execution = ?`, c.ExecutionARN))
	} else {
		stmts = append(stmts, s.db.prepare(`INSERT INTO running (arn, wake_us) VALUES (?, ?)
			ON CONFLICT (arn) DO UPDATE SET wake_us = excluded.wake_us`, c.ExecutionARN, micros(c.WakeAt)))
		if len(c.Journal) > 0 {
			stmts = append(stmts, s.db.prepare(`INSERT INTO journal (execution, chunk) VALUES (?, ?)`,
				c.ExecutionARN, string(c.Journal)))
		}
	}
	for _, t := range c.Tokens {
		stmts = append(stmts, s.db.prepare(`INSERT INTO tokens (token, execution) VALUES (?, ?)
			ON CONFLICT (token) DO NOTHING`, t, c.ExecutionARN))
	}
	if c.Execution != nil {
		st, err := putExecution(s.db, c.Execution)
		if err != nil {
			return err
		}
		stmts = append(stmts, st)
	}
	return s.db.batch(ctx, stmts)
}

// Journal implements store.Durable.
func (s *d1Store) Journal(ctx context.Context, executionARN string) ([]byte, error) {
	rows, err := s.db.query(ctx, `SELECT j.chunk FROM running r LEFT JOIN journal j ON j.execution = r.arn
		WHERE r.arn = ? ORDER BY j.rowid`, executionARN)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("journal of %s: %w", executionARN, store.ErrNotFound)
	}
	var b []byte
	for _, r := range rows {
		if r[0].Type() == js.TypeString {
			b = append(b, r[0].String()...)
		}
	}
	return b, nil
}

// Running implements store.Durable.
func (s *d1Store) Running(ctx context.Context) ([]store.Running, error) {
	rows, err := s.db.query(ctx, `SELECT arn, wake_us FROM running ORDER BY arn`)
	if err != nil {
		return nil, err
	}
	out := make([]store.Running, len(rows))
	for i, r := range rows {
		out[i].ARN = r[0].String()
		if us := int64(r[1].Float()); us != 0 {
			out[i].WakeAt = time.UnixMicro(us).UTC()
		}
	}
	return out, nil
}

// TokenExecution implements store.Durable.
func (s *d1Store) TokenExecution(ctx context.Context, token string) (string, error) {
	rows, err := s.db.query(ctx, `SELECT execution FROM tokens WHERE token = ?`, token)
	if err != nil {
		return "", err
	}
	if len(rows) == 0 {
		return "", fmt.Errorf("task token: %w", store.ErrNotFound)
	}
	return rows[0][0].String(), nil
}
