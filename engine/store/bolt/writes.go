//go:build !js

package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"slices"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/store"
)

// The writes: each changes the memory copy and queues the same change for
// the file, encoded at once (the caller may reuse what it passed).

func putJSON(bucket []byte, key string, v any) op {
	b, err := json.Marshal(v)
	return func(tx *bbolt.Tx) error {
		if err != nil {
			return err
		}
		return tx.Bucket(bucket).Put([]byte(key), b)
	}
}

func del(bucket []byte, key string) op {
	return func(tx *bbolt.Tx) error { return tx.Bucket(bucket).Delete([]byte(key)) }
}

// PutStateMachine implements store.Store.
func (s *Store) PutStateMachine(ctx context.Context, m *store.StateMachine) error {
	return s.write(func() error { return s.DurableStore.PutStateMachine(ctx, m) }, putJSON(bMachines, m.ARN, m))
}

// DeleteStateMachine implements store.Store.
func (s *Store) DeleteStateMachine(ctx context.Context, arn string) error {
	return s.write(func() error { return s.DurableStore.DeleteStateMachine(ctx, arn) }, del(bMachines, arn))
}

// execution is an execution record with its creation order, which breaks
// ties between equal start dates in listings.
type execution struct {
	store.Execution
	Seq uint64
}

// putExecution writes an execution record; seq is its creation order,
// or 0 when the record exists already (its index entry too).
func putExecution(e *store.Execution, seq uint64) op {
	put := putJSON(bExecs, e.ARN, &execution{Execution: *e, Seq: seq})
	if seq == 0 {
		return put
	}
	return func(tx *bbolt.Tx) error {
		if err := tx.Bucket(bExecIdx).Put(indexKey(e.StateMachineARN, e.ARN), nil); err != nil {
			return err
		}
		return put(tx)
	}
}

// executionSeq returns the creation order of a new execution, 0 for one
// that exists; s.mu is held.
func (s *Store) executionSeq(arn string) uint64 {
	if s.DurableStore.HasExecution(arn) {
		return 0
	}
	s.seq++
	return s.seq
}

// PutExecution implements store.Store.
func (s *Store) PutExecution(ctx context.Context, e *store.Execution) error {
	return s.writeWith(func() (op, error) {
		o := putExecution(e, s.executionSeq(e.ARN))
		return o, s.DurableStore.PutExecution(ctx, e)
	})
}

// eventsKey is the key of a chunk of an execution's events: its ARN and
// the id of the chunk's first event, so a prefix scan reads the history
// in order.
func eventsKey(arn string, first int64) []byte {
	return binary.BigEndian.AppendUint64(indexKey(arn, ""), uint64(first))
}

// appendEvents writes events as one chunk: a JSON array under one key,
// one B+tree insertion for all the events a checkpoint brings.
func appendEvents(arn string, events []history.Event) op {
	if len(events) == 0 {
		return func(*bbolt.Tx) error { return nil }
	}
	chunk, err := json.Marshal(events)
	return func(tx *bbolt.Tx) error {
		if err != nil {
			return err
		}
		return tx.Bucket(bEvents).Put(eventsKey(arn, events[0].ID), chunk)
	}
}

// AppendEvents implements store.Store.
func (s *Store) AppendEvents(ctx context.Context, executionARN string, events []history.Event) error {
	return s.write(func() error { return s.DurableStore.AppendEvents(ctx, executionARN, events) },
		appendEvents(executionARN, events))
}

// PutActivity implements store.Store.
func (s *Store) PutActivity(ctx context.Context, a *store.Activity) error {
	return s.write(func() error { return s.DurableStore.PutActivity(ctx, a) }, putJSON(bActivities, a.ARN, a))
}

// DeleteActivity implements store.Store.
func (s *Store) DeleteActivity(ctx context.Context, arn string) error {
	return s.write(func() error { return s.DurableStore.DeleteActivity(ctx, arn) }, del(bActivities, arn))
}

// Checkpoint implements store.Durable: one transaction on disk.
func (s *Store) Checkpoint(ctx context.Context, c *store.Checkpoint) error {
	arn := []byte(c.ExecutionARN)
	var ops []op
	if len(c.Events) > 0 {
		ops = append(ops, appendEvents(c.ExecutionARN, c.Events))
	}
	journal := slices.Clone(c.Journal)
	ended := c.Execution != nil && c.Execution.Status != "RUNNING"
	var wake int64
	if !c.WakeAt.IsZero() {
		wake = c.WakeAt.UnixNano()
	}
	tokens := slices.Clone(c.Tokens)
	ops = append(ops, func(tx *bbolt.Tx) error {
		for _, t := range tokens {
			if err := tx.Bucket(bTokens).Put([]byte(t), arn); err != nil {
				return err
			}
		}
		if ended {
			if err := tx.Bucket(bJournals).DeleteBucket(arn); err != nil && err != bbolt.ErrBucketNotFound {
				return err
			}
			return tx.Bucket(bRunning).Delete(arn)
		}
		if len(journal) > 0 {
			j, err := tx.Bucket(bJournals).CreateBucketIfNotExists(arn)
			if err != nil {
				return err
			}
			j.FillPercent = 1
			seq, _ := j.NextSequence()
			if err := j.Put(binary.BigEndian.AppendUint64(nil, seq), journal); err != nil {
				return err
			}
		}
		return tx.Bucket(bRunning).Put(arn, binary.BigEndian.AppendUint64(nil, uint64(wake)))
	})
	return s.writeWith(func() (op, error) {
		if c.Execution != nil {
			ops = append([]op{putExecution(c.Execution, s.executionSeq(c.ExecutionARN))}, ops...)
		}
		return func(tx *bbolt.Tx) error {
			for _, o := range ops {
				if err := o(tx); err != nil {
					return err
				}
			}
			return nil
		}, s.DurableStore.Checkpoint(ctx, c)
	})
}

// putChild writes a record and indexes it under its parent.
func putChild(bucket, idx []byte, parent, arn string, v any) op {
	put := putJSON(bucket, arn, v)
	return func(tx *bbolt.Tx) error {
		if err := tx.Bucket(idx).Put(indexKey(parent, arn), nil); err != nil {
			return err
		}
		return put(tx)
	}
}

// deleteChild removes a record and its index entry.
func deleteChild(bucket, idx []byte, parent, arn string) op {
	return func(tx *bbolt.Tx) error {
		if err := tx.Bucket(idx).Delete(indexKey(parent, arn)); err != nil {
			return err
		}
		return tx.Bucket(bucket).Delete([]byte(arn))
	}
}

// PutStateMachineVersion implements store.VersionStore.
func (s *Store) PutStateMachineVersion(ctx context.Context, v *store.StateMachineVersion) error {
	return s.write(func() error { return s.DurableStore.PutStateMachineVersion(ctx, v) },
		putChild(bVersions, bVersionIdx, v.StateMachineARN, v.ARN, v))
}

// DeleteStateMachineVersion implements store.VersionStore.
func (s *Store) DeleteStateMachineVersion(ctx context.Context, arn string) error {
	v, err := s.DurableStore.StateMachineVersion(ctx, arn)
	if err != nil {
		return nil // deleting what does not exist is not an error
	}
	return s.write(func() error { return s.DurableStore.DeleteStateMachineVersion(ctx, arn) },
		deleteChild(bVersions, bVersionIdx, v.StateMachineARN, arn))
}

// PutStateMachineAlias implements store.VersionStore.
func (s *Store) PutStateMachineAlias(ctx context.Context, a *store.StateMachineAlias) error {
	return s.write(func() error { return s.DurableStore.PutStateMachineAlias(ctx, a) },
		putChild(bAliases, bAliasIdx, a.StateMachineARN, a.ARN, a))
}

// DeleteStateMachineAlias implements store.VersionStore.
func (s *Store) DeleteStateMachineAlias(ctx context.Context, arn string) error {
	a, err := s.DurableStore.StateMachineAlias(ctx, arn)
	if err != nil {
		return nil
	}
	return s.write(func() error { return s.DurableStore.DeleteStateMachineAlias(ctx, arn) },
		deleteChild(bAliases, bAliasIdx, a.StateMachineARN, arn))
}

// PutMapRun implements store.MapRunStore.
func (s *Store) PutMapRun(ctx context.Context, m *store.MapRun) error {
	return s.write(func() error { return s.DurableStore.PutMapRun(ctx, m) },
		putChild(bMapRuns, bMapRunIdx, m.ExecutionARN, m.ARN, m))
}

// load reads the whole file into memory (Open).
func (s *Store) load(tx *bbolt.Tx) error {
	ctx := context.Background()
	m := s.DurableStore
	if err := each(tx, bMachines, func(v *store.StateMachine) error { return m.PutStateMachine(ctx, v) }); err != nil {
		return err
	}
	var xs []*execution
	if err := each(tx, bExecs, func(x *execution) error { xs = append(xs, x); return nil }); err != nil {
		return err
	}
	// creation order, which the memory store keeps to break ties
	slices.SortFunc(xs, func(a, b *execution) int { return int(int64(a.Seq) - int64(b.Seq)) })
	for _, x := range xs {
		s.seq = max(s.seq, x.Seq)
		m.PutExecution(ctx, &x.Execution)
		var events []history.Event
		prefix := indexKey(x.ARN, "")
		c := tx.Bucket(bEvents).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var chunk []history.Event
			if err := json.Unmarshal(v, &chunk); err != nil {
				return err
			}
			events = append(events, chunk...)
		}
		if len(events) > 0 {
			m.AppendEvents(ctx, x.ARN, events)
		}
	}
	err := tx.Bucket(bRunning).ForEach(func(k, v []byte) error {
		var wake time.Time
		if len(v) == 8 {
			if ns := int64(binary.BigEndian.Uint64(v)); ns != 0 {
				wake = time.Unix(0, ns).UTC()
			}
		}
		var journal []byte
		if j := tx.Bucket(bJournals).Bucket(k); j != nil {
			j.ForEach(func(_, v []byte) error { journal = append(journal, v...); return nil })
		}
		m.Restore(string(k), journal, wake)
		return nil
	})
	if err != nil {
		return err
	}
	tx.Bucket(bTokens).ForEach(func(k, v []byte) error { m.RestoreToken(string(k), string(v)); return nil })
	for _, load := range []error{
		each(tx, bActivities, func(v *store.Activity) error { return m.PutActivity(ctx, v) }),
		each(tx, bVersions, func(v *store.StateMachineVersion) error { return m.PutStateMachineVersion(ctx, v) }),
		each(tx, bAliases, func(v *store.StateMachineAlias) error { return m.PutStateMachineAlias(ctx, v) }),
		each(tx, bMapRuns, func(v *store.MapRun) error { return m.PutMapRun(ctx, v) }),
	} {
		if load != nil {
			return load
		}
	}
	return nil
}

// each decodes every value of a bucket, in key order, and hands it to fn.
func each[T any](tx *bbolt.Tx, bucket []byte, fn func(*T) error) error {
	return tx.Bucket(bucket).ForEach(func(_, b []byte) error {
		v := new(T)
		if err := json.Unmarshal(b, v); err != nil {
			return err
		}
		return fn(v)
	})
}
