//go:build !js

// Package bolt is a durable store.Store in one file on disk, kept with
// bbolt (go.etcd.io/bbolt): a pure-Go, embedded B+tree database with ACID
// transactions, as etcd uses it. It implements store.Durable, so `stepwise
// serve` loses nothing to a crash: every checkpoint of a running
// execution (its new events, its journal, its next timer, its tokens) is
// one transaction, synced to disk before the request that caused it is
// answered.
//
// Why bbolt: one file, no background compaction or goroutines (unlike the
// LSM stores badger and pebble), ordered keys for histories and listings,
// and it is small; SQLite in pure Go (modernc) is several times larger.
// It does not build for GOOS=js: the Worker keeps its state in D1.
package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/store"
)

// Buckets. Records are JSON values keyed by ARN; the index buckets map
// "<parent ARN>\x00<ARN>" to nothing, for the listings by parent.
var (
	bMachines   = []byte("machines")
	bExecs      = []byte("executions")
	bExecIdx    = []byte("executionsByMachine")
	bEvents     = []byte("events")   // one nested bucket per execution: id -> event
	bJournals   = []byte("journals") // one nested bucket per execution: seq -> chunk
	bRunning    = []byte("running")  // execution ARN -> wake time (Unix ns, 0: none)
	bTokens     = []byte("tokens")   // task token -> execution ARN
	bActivities = []byte("activities")
	bVersions   = []byte("versions")
	bVersionIdx = []byte("versionsByMachine")
	bAliases    = []byte("aliases")
	bAliasIdx   = []byte("aliasesByMachine")
	bMapRuns    = []byte("mapRuns")
	bMapRunIdx  = []byte("mapRunsByExecution")
)

var allBuckets = [][]byte{bMachines, bExecs, bExecIdx, bEvents, bJournals, bRunning, bTokens,
	bActivities, bVersions, bVersionIdx, bAliases, bAliasIdx, bMapRuns, bMapRunIdx}

// Store is a store.Store and store.Durable in a bbolt file. Safe for
// concurrent use.
type Store struct {
	db *bbolt.DB
}

var (
	_ store.Store       = (*Store)(nil)
	_ store.Durable     = (*Store)(nil)
	_ store.MapRunStore = (*Store)(nil)
)

// Options tune Open.
type Options struct {
	// NoSync skips the fsync after each transaction: a crash of the
	// process still loses nothing (the data is in the operating system's
	// cache), a crash of the machine may lose the last writes.
	NoSync bool
}

// Open opens (creating it if needed) the store in the file at path. It
// fails at once when another process has the file open.
func Open(path string, opts Options) (*Store, error) {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second, NoSync: opts.NoSync})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db}, nil
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

func notFound(kind, key string) error { return fmt.Errorf("%s %s: %w", kind, key, store.ErrNotFound) }

func put(tx *bbolt.Tx, bucket []byte, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Bucket(bucket).Put([]byte(key), b)
}

func get(tx *bbolt.Tx, bucket []byte, kind, key string, v any) error {
	b := tx.Bucket(bucket).Get([]byte(key))
	if b == nil {
		return notFound(kind, key)
	}
	return json.Unmarshal(b, v)
}

func indexKey(parent, arn string) []byte { return []byte(parent + "\x00" + arn) }

// children returns the ARNs indexed under parent, in key order.
func children(tx *bbolt.Tx, idx []byte, parent string) []string {
	var out []string
	prefix := []byte(parent + "\x00")
	c := tx.Bucket(idx).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		out = append(out, string(k[len(prefix):]))
	}
	return out
}

// list decodes every value of a bucket in key order, or (arns not nil)
// the values of those keys that exist.
func list[T any](tx *bbolt.Tx, bucket []byte, arns []string) ([]*T, error) {
	var out []*T
	decode := func(b []byte) error {
		v := new(T)
		if err := json.Unmarshal(b, v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}
	if arns == nil {
		err := tx.Bucket(bucket).ForEach(func(_, b []byte) error { return decode(b) })
		return out, err
	}
	for _, arn := range arns {
		if b := tx.Bucket(bucket).Get([]byte(arn)); b != nil {
			if err := decode(b); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (s *Store) view(fn func(tx *bbolt.Tx) error) error   { return s.db.View(fn) }
func (s *Store) update(fn func(tx *bbolt.Tx) error) error { return s.db.Update(fn) }

// PutStateMachine implements store.Store.
func (s *Store) PutStateMachine(ctx context.Context, m *store.StateMachine) error {
	return s.update(func(tx *bbolt.Tx) error { return put(tx, bMachines, m.ARN, m) })
}

// StateMachine implements store.Store.
func (s *Store) StateMachine(ctx context.Context, arn string) (*store.StateMachine, error) {
	var m store.StateMachine
	if err := s.view(func(tx *bbolt.Tx) error { return get(tx, bMachines, "state machine", arn, &m) }); err != nil {
		return nil, err
	}
	return &m, nil
}

// DeleteStateMachine implements store.Store.
func (s *Store) DeleteStateMachine(ctx context.Context, arn string) error {
	return s.update(func(tx *bbolt.Tx) error { return tx.Bucket(bMachines).Delete([]byte(arn)) })
}

// StateMachines implements store.Store.
func (s *Store) StateMachines(ctx context.Context) (out []*store.StateMachine, err error) {
	err = s.view(func(tx *bbolt.Tx) error {
		out, err = list[store.StateMachine](tx, bMachines, nil)
		return err
	})
	return out, err
}

// execution is an execution record with its creation order, which breaks
// ties between equal start dates in listings.
type execution struct {
	store.Execution
	Seq uint64
}

func putExecution(tx *bbolt.Tx, e *store.Execution) error {
	x := execution{Execution: *e}
	var old execution
	if err := get(tx, bExecs, "execution", e.ARN, &old); err == nil {
		x.Seq = old.Seq
	} else {
		x.Seq, _ = tx.Bucket(bExecs).NextSequence()
		if err := tx.Bucket(bExecIdx).Put(indexKey(e.StateMachineARN, e.ARN), nil); err != nil {
			return err
		}
	}
	return put(tx, bExecs, e.ARN, &x)
}

// PutExecution implements store.Store.
func (s *Store) PutExecution(ctx context.Context, e *store.Execution) error {
	return s.update(func(tx *bbolt.Tx) error { return putExecution(tx, e) })
}

// Execution implements store.Store.
func (s *Store) Execution(ctx context.Context, arn string) (*store.Execution, error) {
	var x execution
	if err := s.view(func(tx *bbolt.Tx) error { return get(tx, bExecs, "execution", arn, &x) }); err != nil {
		return nil, err
	}
	return &x.Execution, nil
}

// Executions implements store.Store.
func (s *Store) Executions(ctx context.Context, stateMachineARN string) ([]*store.Execution, error) {
	var xs []*execution
	err := s.view(func(tx *bbolt.Tx) (err error) {
		xs, err = list[execution](tx, bExecs, children(tx, bExecIdx, stateMachineARN))
		return err
	})
	slices.SortFunc(xs, func(a, b *execution) int {
		if c := b.StartDate.Compare(a.StartDate); c != 0 {
			return c
		}
		return int(int64(b.Seq) - int64(a.Seq))
	})
	out := make([]*store.Execution, len(xs))
	for i, x := range xs {
		out[i] = &x.Execution
	}
	return out, err
}

func eventKey(id int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(id)) }

func appendEvents(tx *bbolt.Tx, arn string, events []history.Event) error {
	if tx.Bucket(bExecs).Get([]byte(arn)) == nil {
		return notFound("execution", arn)
	}
	b, err := tx.Bucket(bEvents).CreateBucketIfNotExists([]byte(arn))
	if err != nil {
		return err
	}
	b.FillPercent = 1 // ids only grow
	for _, e := range events {
		v, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if err := b.Put(eventKey(e.ID), v); err != nil {
			return err
		}
	}
	return nil
}

// AppendEvents implements store.Store.
func (s *Store) AppendEvents(ctx context.Context, executionARN string, events []history.Event) error {
	return s.update(func(tx *bbolt.Tx) error { return appendEvents(tx, executionARN, events) })
}

// Events implements store.Store.
func (s *Store) Events(ctx context.Context, executionARN string, offset, limit int) (out []history.Event, total int, err error) {
	err = s.view(func(tx *bbolt.Tx) error {
		if tx.Bucket(bExecs).Get([]byte(executionARN)) == nil {
			return notFound("execution", executionARN)
		}
		b := tx.Bucket(bEvents).Bucket([]byte(executionARN))
		if b == nil {
			return nil
		}
		// ids run 1..total: the last key is the count
		if k, _ := b.Cursor().Last(); k != nil {
			total = int(binary.BigEndian.Uint64(k))
		}
		offset = min(max(offset, 0), total)
		end := total
		if limit > 0 && offset+limit < total {
			end = offset + limit
		}
		out = make([]history.Event, 0, end-offset)
		c := b.Cursor()
		for k, v := c.Seek(eventKey(int64(offset + 1))); k != nil && len(out) < end-offset; k, v = c.Next() {
			var e history.Event
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, total, err
}

// PutActivity implements store.Store.
func (s *Store) PutActivity(ctx context.Context, a *store.Activity) error {
	return s.update(func(tx *bbolt.Tx) error { return put(tx, bActivities, a.ARN, a) })
}

// Activity implements store.Store.
func (s *Store) Activity(ctx context.Context, arn string) (*store.Activity, error) {
	var a store.Activity
	if err := s.view(func(tx *bbolt.Tx) error { return get(tx, bActivities, "activity", arn, &a) }); err != nil {
		return nil, err
	}
	return &a, nil
}

// DeleteActivity implements store.Store.
func (s *Store) DeleteActivity(ctx context.Context, arn string) error {
	return s.update(func(tx *bbolt.Tx) error { return tx.Bucket(bActivities).Delete([]byte(arn)) })
}

// Activities implements store.Store.
func (s *Store) Activities(ctx context.Context) (out []*store.Activity, err error) {
	err = s.view(func(tx *bbolt.Tx) error {
		out, err = list[store.Activity](tx, bActivities, nil)
		return err
	})
	return out, err
}

// Checkpoint implements store.Durable: one transaction.
func (s *Store) Checkpoint(ctx context.Context, c *store.Checkpoint) error {
	return s.update(func(tx *bbolt.Tx) error {
		arn := []byte(c.ExecutionARN)
		if c.Execution != nil {
			if err := putExecution(tx, c.Execution); err != nil {
				return err
			}
		}
		if len(c.Events) > 0 {
			if err := appendEvents(tx, c.ExecutionARN, c.Events); err != nil {
				return err
			}
		} else if tx.Bucket(bExecs).Get(arn) == nil {
			return notFound("execution", c.ExecutionARN)
		}
		for _, t := range c.Tokens {
			if err := tx.Bucket(bTokens).Put([]byte(t), arn); err != nil {
				return err
			}
		}
		if c.Execution != nil && c.Execution.Status != "RUNNING" {
			if err := tx.Bucket(bJournals).DeleteBucket(arn); err != nil && err != bbolt.ErrBucketNotFound {
				return err
			}
			return tx.Bucket(bRunning).Delete(arn)
		}
		if len(c.Journal) > 0 {
			j, err := tx.Bucket(bJournals).CreateBucketIfNotExists(arn)
			if err != nil {
				return err
			}
			j.FillPercent = 1
			seq, _ := j.NextSequence()
			if err := j.Put(binary.BigEndian.AppendUint64(nil, seq), c.Journal); err != nil {
				return err
			}
		}
		var wake int64
		if !c.WakeAt.IsZero() {
			wake = c.WakeAt.UnixNano()
		}
		return tx.Bucket(bRunning).Put(arn, binary.BigEndian.AppendUint64(nil, uint64(wake)))
	})
}

// Journal implements store.Durable.
func (s *Store) Journal(ctx context.Context, arn string) (out []byte, err error) {
	err = s.view(func(tx *bbolt.Tx) error {
		j := tx.Bucket(bJournals).Bucket([]byte(arn))
		if j == nil {
			return notFound("journal of", arn)
		}
		return j.ForEach(func(_, v []byte) error {
			out = append(out, v...)
			return nil
		})
	})
	return out, err
}

// Running implements store.Durable.
func (s *Store) Running(ctx context.Context) (out []store.Running, err error) {
	err = s.view(func(tx *bbolt.Tx) error {
		return tx.Bucket(bRunning).ForEach(func(k, v []byte) error {
			r := store.Running{ARN: string(k)}
			if len(v) == 8 {
				if ns := int64(binary.BigEndian.Uint64(v)); ns != 0 {
					r.WakeAt = time.Unix(0, ns).UTC()
				}
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

// TokenExecution implements store.Durable.
func (s *Store) TokenExecution(ctx context.Context, token string) (arn string, err error) {
	err = s.view(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bTokens).Get([]byte(token))
		if v == nil {
			return notFound("token", "")
		}
		arn = string(v)
		return nil
	})
	return arn, err
}

// putChild writes a record and indexes it under its parent.
func putChild(tx *bbolt.Tx, bucket, idx []byte, parent, arn string, v any) error {
	if err := tx.Bucket(idx).Put(indexKey(parent, arn), nil); err != nil {
		return err
	}
	return put(tx, bucket, arn, v)
}

func deleteChild(tx *bbolt.Tx, bucket, idx []byte, arn string, parentOf func([]byte) string) error {
	v := tx.Bucket(bucket).Get([]byte(arn))
	if v == nil {
		return nil
	}
	if err := tx.Bucket(idx).Delete(indexKey(parentOf(v), arn)); err != nil {
		return err
	}
	return tx.Bucket(bucket).Delete([]byte(arn))
}

// parentField reads the state machine ARN of a version or alias record.
func parentField(v []byte) string {
	var x struct{ StateMachineARN string }
	json.Unmarshal(v, &x)
	return x.StateMachineARN
}

// PutStateMachineVersion implements store.VersionStore.
func (s *Store) PutStateMachineVersion(ctx context.Context, v *store.StateMachineVersion) error {
	return s.update(func(tx *bbolt.Tx) error { return putChild(tx, bVersions, bVersionIdx, v.StateMachineARN, v.ARN, v) })
}

// StateMachineVersion implements store.VersionStore.
func (s *Store) StateMachineVersion(ctx context.Context, arn string) (*store.StateMachineVersion, error) {
	var v store.StateMachineVersion
	if err := s.view(func(tx *bbolt.Tx) error { return get(tx, bVersions, "version", arn, &v) }); err != nil {
		return nil, err
	}
	return &v, nil
}

// StateMachineVersions implements store.VersionStore: newest first.
func (s *Store) StateMachineVersions(ctx context.Context, stateMachineARN string) (out []*store.StateMachineVersion, err error) {
	err = s.view(func(tx *bbolt.Tx) error {
		out, err = list[store.StateMachineVersion](tx, bVersions, children(tx, bVersionIdx, stateMachineARN))
		return err
	})
	slices.SortFunc(out, func(a, b *store.StateMachineVersion) int { return b.Number - a.Number })
	return out, err
}

// DeleteStateMachineVersion implements store.VersionStore.
func (s *Store) DeleteStateMachineVersion(ctx context.Context, arn string) error {
	return s.update(func(tx *bbolt.Tx) error { return deleteChild(tx, bVersions, bVersionIdx, arn, parentField) })
}

// PutStateMachineAlias implements store.VersionStore.
func (s *Store) PutStateMachineAlias(ctx context.Context, a *store.StateMachineAlias) error {
	return s.update(func(tx *bbolt.Tx) error { return putChild(tx, bAliases, bAliasIdx, a.StateMachineARN, a.ARN, a) })
}

// StateMachineAlias implements store.VersionStore.
func (s *Store) StateMachineAlias(ctx context.Context, arn string) (*store.StateMachineAlias, error) {
	var a store.StateMachineAlias
	if err := s.view(func(tx *bbolt.Tx) error { return get(tx, bAliases, "alias", arn, &a) }); err != nil {
		return nil, err
	}
	return &a, nil
}

// StateMachineAliases implements store.VersionStore, ordered by ARN.
func (s *Store) StateMachineAliases(ctx context.Context, stateMachineARN string) (out []*store.StateMachineAlias, err error) {
	err = s.view(func(tx *bbolt.Tx) error {
		out, err = list[store.StateMachineAlias](tx, bAliases, children(tx, bAliasIdx, stateMachineARN))
		return err
	})
	slices.SortFunc(out, func(a, b *store.StateMachineAlias) int { return strings.Compare(a.ARN, b.ARN) })
	return out, err
}

// DeleteStateMachineAlias implements store.VersionStore.
func (s *Store) DeleteStateMachineAlias(ctx context.Context, arn string) error {
	return s.update(func(tx *bbolt.Tx) error { return deleteChild(tx, bAliases, bAliasIdx, arn, parentField) })
}

// PutMapRun implements store.MapRunStore.
func (s *Store) PutMapRun(ctx context.Context, m *store.MapRun) error {
	return s.update(func(tx *bbolt.Tx) error { return putChild(tx, bMapRuns, bMapRunIdx, m.ExecutionARN, m.ARN, m) })
}

// MapRun implements store.MapRunStore.
func (s *Store) MapRun(ctx context.Context, arn string) (*store.MapRun, error) {
	var m store.MapRun
	if err := s.view(func(tx *bbolt.Tx) error { return get(tx, bMapRuns, "map run", arn, &m) }); err != nil {
		return nil, err
	}
	return &m, nil
}

// MapRuns implements store.MapRunStore: newest first.
func (s *Store) MapRuns(ctx context.Context, executionARN string) (out []*store.MapRun, err error) {
	err = s.view(func(tx *bbolt.Tx) error {
		out, err = list[store.MapRun](tx, bMapRuns, children(tx, bMapRunIdx, executionARN))
		return err
	})
	slices.SortFunc(out, func(a, b *store.MapRun) int {
		if c := b.StartDate.Compare(a.StartDate); c != 0 {
			return c
		}
		return strings.Compare(b.ARN, a.ARN)
	})
	return out, err
}
