package jsonata

import (
	_ "embed"

	"github.com/dop251/goja"
)

//go:embed analyze.js
var analyzeJS string

// Analysis is what a definition validator needs to know about an
// expression without evaluating it.
type Analysis struct {
	// TopLevel lists, in order of first use and without repeats, what the
	// expression reads from the context item at the top level: a field
	// name ("phone" in "phone[0]"), or "$" for the item itself. Step
	// Functions evaluates expressions with no context item, so AWS rejects
	// these; names inside filters, later path steps, sort terms and
	// groups read a value, not the context, and are not listed.
	TopLevel []string
	// Root is set when the expression reads "$$", the root input.
	Root bool
	// StatesFields lists the fields of $states the expression reads
	// ("input", "context", "result", "errorOutput"), in order of first use.
	StatesFields []string
}

// Analyze parses src and reports what it reads. A syntax error is an
// *Error, the same Compile returns.
func Analyze(src string) (*Analysis, error) {
	rt := get()
	defer put(rt)
	f, err := rt.analyzer()
	if err != nil {
		return nil, err
	}
	v, err := rt.call(f, rt.vm.ToValue(src))
	if err != nil {
		return nil, err
	}
	o := v.ToObject(rt.vm)
	if e := o.Get("error"); e != nil && !goja.IsUndefined(e) {
		return nil, toError(rt.vm, e)
	}
	a := &Analysis{}
	if t := o.Get("top"); t != nil {
		_ = rt.vm.ExportTo(t, &a.TopLevel)
	}
	if s := o.Get("states"); s != nil {
		_ = rt.vm.ExportTo(s, &a.StatesFields)
	}
	if r := o.Get("root"); r != nil {
		a.Root = r.ToBoolean()
	}
	if len(a.TopLevel) == 0 {
		a.TopLevel = nil
	}
	if len(a.StatesFields) == 0 {
		a.StatesFields = nil
	}
	return a, nil
}

// analyzer loads __analyze into the runtime the first time it is needed:
// most runtimes only evaluate.
func (rt *runtime) analyzer() (goja.Callable, error) {
	if f, ok := goja.AssertFunction(rt.vm.Get("__analyze")); ok {
		return f, nil
	}
	if _, err := rt.vm.RunString(analyzeJS); err != nil {
		return nil, &Error{Message: err.Error()}
	}
	f, ok := goja.AssertFunction(rt.vm.Get("__analyze"))
	if !ok {
		return nil, &Error{Message: "jsonata: analyze.js defines no __analyze"}
	}
	return f, nil
}
