// Package jsonata evaluates JSONata expressions as AWS Step Functions does.
//
// It runs the reference implementation, jsonata-js 2.0.6 (the version AWS
// uses, MIT licensed, jsonata.min.js beside this file), on goja, a
// JavaScript interpreter written in Go, so it builds natively and for
// GOOS=js. The alternatives measured against the official test suite
// (jsonata_suite_test.go) were the Go ports of jsonata 1.5: they passed
// about 80% of it and crash the process on deep recursion.
//
// An Expr is immutable and safe to share. Evaluation borrows a JavaScript
// runtime from a pool; nothing in it reads the wall clock or a random
// source: $now, $millis, $random and $uuid come from the Env of each
// evaluation, and Step Functions' own functions ($partition, $range,
// $hash, $random with a seed, $uuid, $parse) are added; $eval is removed.
package jsonata

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
)

//go:embed jsonata.min.js
var jsonataJS string

//go:embed prelude.js
var preludeJS string

// Error is a JSONata error: a syntax error from Compile or an error raised
// during evaluation. Code is JSONata's (S0201, T1006, D3137, ...).
type Error struct {
	Code     string
	Message  string
	Position int
	Token    string
}

// Error returns "CODE: message", as AWS quotes JSONata errors.
func (e *Error) Error() string {
	if e.Code == "" {
		return e.Message
	}
	return e.Code + ": " + e.Message
}

// Kind is the type of an evaluation result.
type Kind int

const (
	Undefined Kind = iota // the expression returned nothing
	JSON                  // a JSON value
	Function              // a function (not representable as JSON)
)

// Value is the result of an evaluation.
type Value struct {
	Kind Kind
	JSON []byte // the value as JSON text when Kind is JSON
}

// Env is what one evaluation reads from outside: its variables and the
// effects of $now, $millis, $random and $uuid.
type Env struct {
	// Lookup returns a variable's value as JSON text ("states" included);
	// false if it is not bound.
	Lookup func(name string) ([]byte, bool)
	// Now is the time $now() and $millis() report.
	Now time.Time
	// Random returns a uniform float in [0, 1) for $random() and
	// $shuffle; nil uses a fixed sequence.
	Random func() float64
	// UUID returns a version 4 UUID for $uuid(); nil uses a fixed one.
	UUID func() string
}

// MaxSteps bounds the expression nodes one evaluation may evaluate, so a
// runaway recursion ends with an error instead of hanging its host.
const MaxSteps = 1_000_000

// maxSteps is MaxSteps; tests lower it.
var maxSteps = MaxSteps

// MaxDepth bounds the nesting of expression evaluation (a recursion that
// does not end fails with U1001 as jsonata-js's own test runner has it).
const MaxDepth = 1000

// maxCallStack bounds goja's call stack (a deep recursion raises an error
// rather than exhausting the Go stack).
const maxCallStack = 4000

// Expr is a compiled JSONata expression.
type Expr struct {
	src  string
	vars []string
}

// String returns the expression's source.
func (e *Expr) String() string { return e.src }

// Variables returns the names of the variables the expression reads
// (without the "$"), in order of first use, including "states".
func (e *Expr) Variables() []string { return e.vars }

// Compile parses src. A syntax error is an *Error.
func Compile(src string) (*Expr, error) {
	rt := get()
	defer put(rt)
	v, err := rt.call(rt.inspect, rt.vm.ToValue(src))
	if err != nil {
		return nil, err
	}
	o := v.ToObject(rt.vm)
	if e := o.Get("error"); e != nil && !goja.IsUndefined(e) {
		return nil, toError(rt.vm, e)
	}
	var vars []string
	if vs := o.Get("vars"); vs != nil {
		_ = rt.vm.ExportTo(vs, &vars)
	}
	return &Expr{src: src, vars: vars}, nil
}

// Eval evaluates the expression in env. A JSONata error is an *Error.
// The input ("$") is undefined: Step Functions expressions read
// $states.input instead.
func (e *Expr) Eval(env *Env) (Value, error) { return e.evalInput("", env) }

// evalInput evaluates with input (JSON text; "" for undefined) as "$".
func (e *Expr) evalInput(input string, env *Env) (Value, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	n := 0
	if env.Lookup != nil {
		for _, name := range e.vars {
			v, ok := env.Lookup(name)
			if !ok {
				continue
			}
			if n > 0 {
				b.WriteByte(',')
			}
			n++
			key, _ := json.Marshal(name)
			b.Write(key)
			b.WriteByte(':')
			b.Write(v)
		}
	}
	b.WriteByte('}')
	rt := get()
	defer put(rt)
	rt.env = env
	rt.seq = 0
	defer func() { rt.env = nil }()
	out, err := rt.call(rt.eval, rt.vm.ToValue(e.src), rt.vm.ToValue(b.String()), rt.vm.ToValue(input))
	if err != nil {
		return Value{}, err
	}
	o := out.ToObject(rt.vm)
	if ev := o.Get("error"); ev != nil && !goja.IsUndefined(ev) {
		return Value{}, toError(rt.vm, ev)
	}
	switch o.Get("kind").String() {
	case "undefined":
		return Value{Kind: Undefined}, nil
	case "function":
		return Value{Kind: Function}, nil
	}
	return Value{Kind: JSON, JSON: []byte(o.Get("json").String())}, nil
}

// runtime is one JavaScript interpreter with jsonata loaded.
type runtime struct {
	vm      *goja.Runtime
	eval    goja.Callable
	inspect goja.Callable
	env     *Env
	seq     uint64 // the fixed sequence of a nil Env.Random
}

var (
	progOnce sync.Once
	prog     *goja.Program
	progErr  error
	pool     = make(chan *runtime, 8)
)

func get() *runtime {
	select {
	case rt := <-pool:
		return rt
	default:
		return newRuntime()
	}
}

func put(rt *runtime) {
	select {
	case pool <- rt:
	default:
	}
}

func newRuntime() *runtime {
	progOnce.Do(func() {
		src := "var module = {exports: {}}; var exports = module.exports;\n" + jsonataJS + "\n;var jsonata = module.exports;\n" + preludeJS
		prog, progErr = goja.Compile("jsonata.js", src, false)
	})
	if progErr != nil {
		panic(progErr) // the embedded source does not compile: a build defect
	}
	rt := &runtime{vm: goja.New()}
	vm := rt.vm
	vm.SetMaxCallStackSize(maxCallStack)
	set := func(name string, v any) {
		if err := vm.Set(name, v); err != nil {
			panic(err)
		}
	}
	set("__btoa", latin1Base64)
	set("__atob", latin1Unbase64)
	set("__now", func() float64 {
		if rt.env == nil || rt.env.Now.IsZero() {
			return 0
		}
		return float64(rt.env.Now.UnixMilli())
	})
	set("__random", func() float64 {
		if rt.env != nil && rt.env.Random != nil {
			return rt.env.Random()
		}
		rt.seq = rt.seq*6364136223846793005 + 1442695040888963407
		return float64(rt.seq>>11) / (1 << 53)
	})
	set("__uuid", func() string {
		if rt.env != nil && rt.env.UUID != nil {
			return rt.env.UUID()
		}
		return "00000000-0000-4000-8000-000000000000"
	})
	set("__hash", hashHex)
	set("__maxSteps", func() int { return maxSteps })
	set("__maxDepth", MaxDepth)
	if _, err := vm.RunProgram(prog); err != nil {
		panic(err)
	}
	fn := func(name string) goja.Callable {
		f, ok := goja.AssertFunction(vm.Get(name))
		if !ok {
			panic("jsonata prelude lacks " + name)
		}
		return f
	}
	rt.eval = fn("__eval")
	rt.inspect = fn("__inspect")
	return rt
}

// call runs f, turning a JavaScript exception or an interpreter limit into
// an *Error.
func (rt *runtime) call(f goja.Callable, args ...goja.Value) (v goja.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			// goja reports its stack limit as a panic in some paths
			err = &Error{Code: "U1001", Message: fmt.Sprint("Stack overflow error: ", r)}
		}
	}()
	v, err = f(goja.Undefined(), args...)
	if err != nil {
		var ex *goja.Exception
		if errors.As(err, &ex) {
			return nil, toError(rt.vm, ex.Value())
		}
		var so *goja.StackOverflowError
		if errors.As(err, &so) {
			return nil, &Error{Code: "U1001", Message: "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive."}
		}
		return nil, &Error{Message: err.Error()}
	}
	return v, nil
}

// toError converts a thrown JSONata error object.
func toError(vm *goja.Runtime, v goja.Value) *Error {
	o, ok := v.(*goja.Object)
	if !ok {
		return &Error{Message: v.String()}
	}
	e := &Error{}
	if c := o.Get("code"); c != nil && !goja.IsUndefined(c) {
		e.Code = c.String()
	}
	if m := o.Get("message"); m != nil && !goja.IsUndefined(m) {
		e.Message = m.String()
	}
	if p := o.Get("position"); p != nil && !goja.IsUndefined(p) {
		e.Position = int(p.ToInteger())
	}
	if t := o.Get("token"); t != nil && !goja.IsUndefined(t) && !goja.IsNull(t) {
		e.Token = t.String()
	}
	if e.Code == "" && e.Message == "" {
		e.Message = v.String()
	}
	// RangeError "Maximum call stack size exceeded" and the like
	if e.Code == "" && strings.Contains(e.Message, "call stack") {
		e.Code = "U1001"
		e.Message = "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive."
	}
	return e
}

// Embedded returns the expression of a Step Functions field value written
// "{% expr %}" (exactly "{%" first and "%}" last: AWS keeps " {% x %} ",
// with spaces around, as text), trimmed; ok is false for any other string.
func Embedded(s string) (src string, ok bool) {
	if len(s) < 4 || !strings.HasPrefix(s, "{%") || !strings.HasSuffix(s, "%}") {
		return "", false
	}
	return strings.TrimSpace(s[2 : len(s)-2]), true
}
