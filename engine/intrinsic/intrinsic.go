// Package intrinsic parses and evaluates the intrinsic functions of the
// Amazon States Language (States.Format, States.Array, ...), the calls a
// JSONPath payload template may put in a value whose key ends in ".$".
//
// A call is parsed once into an immutable *Call and evaluated many times over
// JSON bytes. Argument rules and limits follow
// https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
// and the behaviour recorded from AWS in the conformance corpus.
package intrinsic

import (
	"strings"

	"github.com/stepwise-sfn/stepwise/engine/jsonpath"
)

// runtimeError is the ASL error name AWS raises for every failing intrinsic.
const runtimeError = "States.Runtime"

// maxNesting is how many calls may nest inside one field; the AWS
// documentation allows up to 10 nested intrinsic functions.
const maxNesting = 10

// Call is a parsed intrinsic function call. Immutable; safe for concurrent use.
type Call struct {
	src  string // the text as written, echoed by AWS in error causes
	fn   *function
	args []arg
}

// Parse parses "States.Format('a {}', $.b)" and the like. Leading and
// trailing spaces are allowed. An unknown function, bad syntax, a path that
// does not parse, more than 10 nested calls or a wrong argument count returns
// a *SyntaxError. Argument types are checked when the call runs, because AWS
// accepts a definition such as States.ArrayRange('a', 5, 1) and fails the
// execution instead.
func Parse(s string) (*Call, error) {
	p := parser{src: s}
	p.skipSpace()
	c, err := p.call(1)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.src) {
		return nil, p.errorf("unexpected %q after the closing parenthesis", p.rest())
	}
	c.src = s
	return c, nil
}

// String returns the call in canonical form: single spaces after commas,
// string literals re-escaped. Parsing the result yields an equal call.
func (c *Call) String() string {
	var sb strings.Builder
	c.write(&sb)
	return sb.String()
}

// Source returns the text the call was parsed from, exactly as written.
func (c *Call) Source() string { return c.src }

func (c *Call) write(sb *strings.Builder) {
	sb.WriteString(c.fn.name)
	sb.WriteByte('(')
	for i, a := range c.args {
		if i > 0 {
			sb.WriteString(", ")
		}
		a.write(sb)
	}
	sb.WriteByte(')')
}

// IsCall reports whether s looks like an intrinsic call ("States." prefix after trimming
// spaces), which is how a payload template value with a ".$" key is told apart from a path.
func IsCall(s string) bool {
	return strings.HasPrefix(strings.TrimLeft(s, " \t\n\r"), "States.")
}

// Env is what an evaluation reads: the three path roots and the injected effects.
type Env struct {
	Input   []byte // document for $ paths
	Context []byte // document for $$ paths
	// ContextFor, when set, is used instead of Context: it returns a
	// document holding at least the part of the context object the path
	// reads, so a caller need not build the whole object for every call.
	ContextFor func(p *jsonpath.Path) []byte
	Variable   func(name string) ([]byte, bool) // $name paths; nil means none defined
	UUID       func() string                    // States.UUID (a v4 UUID string); injected
	Random     func(lo, hi int64) int64         // States.MathRandom without seed: uniform in [lo, hi); injected
}

// Error is a failure of an intrinsic at run time: Name is the ASL error name AWS raises for it
// (States.Runtime in most cases, check the cases/docs), Cause is AWS's text after the state prefix.
type Error struct{ Name, Cause string }

// Error implements error.
func (e *Error) Error() string { return e.Name + ": " + e.Cause }

// SyntaxError reports an intrinsic call that does not parse. Offset is the
// byte offset in the source where the problem was found.
type SyntaxError struct {
	Source string
	Offset int
	Msg    string
}

// Error implements error.
func (e *SyntaxError) Error() string {
	return "invalid intrinsic function call " + quote(e.Source) + ": " + e.Msg
}

func quote(s string) string { return "'" + s + "'" }
