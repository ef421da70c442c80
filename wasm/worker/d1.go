//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"
)

// d1 is a thin client of a D1 database binding, called through its
// JavaScript API (prepare, bind, raw, run, batch). syumai/workers' D1
// driver for database/sql has no transactions, and Checkpoint needs one:
// D1's batch runs its statements in one transaction, so it is used here
// directly, and the reads use the same few calls.
type d1 struct {
	db js.Value
}

// stmt is one prepared and bound statement, for run or batch.
type stmt struct {
	v js.Value
}

// errD1 wraps every failure the D1 binding reports.
var errD1 = errors.New("d1")

// prepare binds args to query. Arguments are strings, int64 (sent as a
// JavaScript number: exact below 2^53, which is why times are stored in
// microseconds) or nil.
func (d *d1) prepare(query string, args ...any) stmt {
	vals := make([]any, len(args))
	for i, a := range args {
		switch x := a.(type) {
		case int64:
			vals[i] = float64(x)
		case int:
			vals[i] = float64(x)
		case nil:
			vals[i] = js.Null()
		default:
			vals[i] = x
		}
	}
	p := d.db.Call("prepare", query)
	if len(vals) > 0 {
		p = p.Call("bind", vals...)
	}
	return stmt{p}
}

// query returns the rows of a SELECT, each a slice of its columns in the
// SELECT's order.
func (d *d1) query(ctx context.Context, query string, args ...any) ([][]js.Value, error) {
	res, err := await(ctx, d.prepare(query, args...).v.Call("raw"))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errD1, query, err)
	}
	rows := make([][]js.Value, res.Length())
	for i := range rows {
		r := res.Index(i)
		cols := make([]js.Value, r.Length())
		for j := range cols {
			cols[j] = r.Index(j)
		}
		rows[i] = cols
	}
	return rows, nil
}

// exec runs one statement.
func (d *d1) exec(ctx context.Context, query string, args ...any) error {
	if _, err := await(ctx, d.prepare(query, args...).v.Call("run")); err != nil {
		return fmt.Errorf("%w: %s: %w", errD1, query, err)
	}
	return nil
}

// batch runs the statements in one transaction: all of them or, if one
// fails, none.
func (d *d1) batch(ctx context.Context, stmts []stmt) error {
	if len(stmts) == 0 {
		return nil
	}
	arr := js.Global().Get("Array").New(len(stmts))
	for i, s := range stmts {
		arr.SetIndex(i, s.v)
	}
	if _, err := await(ctx, d.db.Call("batch", arr)); err != nil {
		return fmt.Errorf("%w: batch: %w", errD1, err)
	}
	return nil
}

// await waits for a JavaScript promise. The goroutine blocks; the Go
// runtime yields to the event loop meanwhile, which settles the promise.
func await(ctx context.Context, p js.Value) (js.Value, error) {
	type settled struct {
		v   js.Value
		err error
	}
	ch := make(chan settled, 1)
	var then, catch js.Func
	then = js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- settled{v: args[0]}
		return nil
	})
	catch = js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- settled{err: errors.New(args[0].Call("toString").String())}
		return nil
	})
	p.Call("then", then, catch)
	select {
	case s := <-ch:
		then.Release()
		catch.Release()
		return s.v, s.err
	case <-ctx.Done():
		// The promise may still settle and call then or catch: they
		// stay allocated (ch has room for that one send).
		return js.Value{}, ctx.Err()
	}
}
