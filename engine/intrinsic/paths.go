package intrinsic

import "github.com/stepwise-sfn/stepwise/engine/jsonpath"

// Paths returns the path arguments of the call and of the calls nested in
// it, in the order they are written, so that a caller can tell which
// variables the call reads without evaluating it.
func (c *Call) Paths() []*jsonpath.Path {
	var out []*jsonpath.Path
	for _, a := range c.args {
		switch a.kind {
		case argPath:
			out = append(out, a.path)
		case argCall:
			out = append(out, a.call.Paths()...)
		}
	}
	return out
}
