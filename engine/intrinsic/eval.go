package intrinsic

import (
	"github.com/stepwise-sfn/stepwise/engine/jsonpath"
)

// Eval runs the call and returns the result as JSON bytes. Failures return *Error.
// A nil env behaves as an empty one. Eval only reads env, so one Call may be
// evaluated from many goroutines at once.
func (c *Call) Eval(env *Env) ([]byte, error) {
	if env == nil {
		env = &Env{}
	}
	e := evaluation{env: env, root: c}
	v, err := e.call(c)
	if err != nil {
		return nil, err
	}
	return v.encode(make([]byte, 0, 64)), nil
}

// evaluation is the state of one Eval: AWS names the outermost call in every
// cause, whichever nested call failed.
type evaluation struct {
	env  *Env
	root *Call
}

func (e *evaluation) call(c *Call) (value, error) {
	args := make([]value, len(c.args))
	for i, a := range c.args {
		v, err := e.arg(a)
		if err != nil {
			return value{}, err
		}
		args[i] = v
	}
	return c.fn.eval(e, c.fn, args)
}

func (e *evaluation) arg(a arg) (value, error) {
	switch a.kind {
	case argCall:
		return e.call(a.call)
	case argPath:
		return e.path(a)
	}
	return a.val, nil
}

// path resolves a path argument. Unlike a plain "key.$" reference, an
// argument that selects nothing fails the call (an index past the end too).
func (e *evaluation) path(a arg) (value, error) {
	var doc []byte
	found := true
	switch a.path.Root() {
	case jsonpath.RootContext:
		doc = e.env.Context
		if e.env.ContextFor != nil {
			doc = e.env.ContextFor(a.path)
		}
	case jsonpath.RootVariable:
		if e.env.Variable == nil {
			found = false
		} else {
			doc, found = e.env.Variable(a.path.Variable())
		}
	default:
		doc = e.env.Input
	}
	if found {
		raw, err := a.path.Get(doc)
		if err == nil {
			v, err := decode(raw)
			if err == nil {
				return v, nil
			}
		}
	}
	return value{}, e.notFound(a.raw)
}

// notFound is AWS's cause for a path argument that selects nothing. For a
// context path AWS names the path rewritten to start at "$" and still prints
// the state input.
func (e *evaluation) notFound(path string) error {
	if len(path) >= 2 && path[:2] == "$$" {
		path = path[1:]
	}
	return e.fail("The JsonPath argument for the field '" + path + "' could not be found in the input '" + string(e.env.Input) + "'")
}

// invalid is the failure of a function whose arguments break its rules.
func (e *evaluation) invalid(fn *function) error {
	return e.fail("Invalid arguments in " + fn.name)
}

func (e *evaluation) fail(detail string) error {
	return &Error{Name: runtimeError, Cause: "The function '" + e.root.src + "' had the following error: " + detail}
}
