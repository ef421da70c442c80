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
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/stepwise-sfn/stepwise/engine/store"
	"github.com/stepwise-sfn/stepwise/engine/store/mem"
)

// Buckets. Records are JSON values keyed by ARN; the index buckets map
// "<parent ARN>\x00<ARN>" to nothing, for the listings by parent.
var (
	bMachines   = []byte("machines")
	bExecs      = []byte("executions")
	bExecIdx    = []byte("executionsByMachine")
	bEvents     = []byte("events")   // "<execution ARN>\x00<first id>" -> a chunk of events
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

// Store is a store.Store and store.Durable kept in a bbolt file. Safe
// for concurrent use.
//
// Reads are served from memory: the file is loaded into a
// mem.DurableStore when it is opened, and every write changes that copy
// at once and is queued for the file. A writer goroutine commits what is
// queued in one transaction (group commit: one fsync for every request
// that wrote meanwhile), and Sync, which sfn calls before it answers a
// request, waits for the commit. So an answer never reports what a crash
// could lose, and many concurrent requests share each fsync.
type Store struct {
	*mem.DurableStore
	db *bbolt.DB

	mu        sync.Mutex // orders the writes: memory and queue alike
	queue     []op
	queued    uint64 // writes queued so far
	seq       uint64 // the last execution's creation order
	committed uint64 // writes on disk
	err       error  // the first failed commit: every later Sync fails
	wake      chan struct{}
	done      chan struct{} // closed and replaced after every commit
	closed    chan struct{}
	stopped   chan struct{}
}

// op is a write as the file receives it, encoded when it was made.
type op func(tx *bbolt.Tx) error

var (
	_ store.Store       = (*Store)(nil)
	_ store.Durable     = (*Store)(nil)
	_ store.MapRunStore = (*Store)(nil)
	_ store.Syncer      = (*Store)(nil)
)

// Options tune Open.
type Options struct {
	// NoSync skips the fsync of each commit: a crash of the process still
	// loses nothing (the data is in the operating system's cache), a
	// crash of the machine may lose the last writes.
	NoSync bool
}

// Open opens (creating it if needed) the store in the file at path and
// loads it. It fails at once when another process has the file open.
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
	s := &Store{DurableStore: mem.NewDurable(), db: db, wake: make(chan struct{}, 1),
		done: make(chan struct{}), closed: make(chan struct{}), stopped: make(chan struct{})}
	if err == nil {
		err = db.View(s.load)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	go s.writer()
	return s, nil
}

// Close commits what is queued and closes the file.
func (s *Store) Close() error {
	select {
	case <-s.closed:
		return nil
	default:
	}
	close(s.closed)
	<-s.stopped
	s.mu.Lock()
	err := s.err
	s.mu.Unlock()
	if cerr := s.db.Close(); err == nil {
		err = cerr
	}
	return err
}

// write applies a write to memory and queues it for the file, in one
// order for both.
func (s *Store) write(inMemory func() error, toFile op) error {
	return s.writeWith(func() (op, error) { return toFile, inMemory() })
}

// writeWith is write for a change whose file op is made under the lock.
func (s *Store) writeWith(apply func() (op, error)) error {
	s.mu.Lock()
	toFile, err := apply()
	if err != nil {
		s.mu.Unlock()
		return err
	}
	s.queue = append(s.queue, toFile)
	s.queued++
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// Written implements store.Syncer: the number of writes made so far.
func (s *Store) Written() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queued
}

// Sync implements store.Syncer: it returns once the first mark writes
// are on disk.
func (s *Store) Sync(ctx context.Context, mark uint64) error {
	s.mu.Lock()
	target := mark
	for s.committed < target && s.err == nil {
		done := s.done
		s.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.stopped:
			s.mu.Lock()
			if s.committed < target && s.err == nil {
				s.err = errors.New("bolt: store closed")
			}
			s.mu.Unlock()
			return s.Sync(ctx, mark)
		}
		s.mu.Lock()
	}
	err := s.err
	s.mu.Unlock()
	return err
}

// writer commits the queue, a batch per transaction, until Close.
func (s *Store) writer() {
	defer close(s.stopped)
	for {
		select {
		case <-s.wake:
		case <-s.closed:
			s.commit()
			return
		}
		s.commit()
	}
}

func (s *Store) commit() {
	s.mu.Lock()
	ops, upto := s.queue, s.queued
	s.queue = nil
	s.mu.Unlock()
	if len(ops) == 0 {
		return
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		for _, o := range ops {
			if err := o(tx); err != nil {
				return err
			}
		}
		return nil
	})
	s.mu.Lock()
	if err != nil && s.err == nil {
		s.err = fmt.Errorf("bolt: commit: %w", err)
	}
	s.committed = upto
	close(s.done)
	s.done = make(chan struct{})
	s.mu.Unlock()
}

func indexKey(parent, arn string) []byte { return []byte(parent + "\x00" + arn) }
