package jsonata

import (
	_ "embed"
	"strings"

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
	// Free lists the variables the expression reads but does not bind
	// itself (as a lambda parameter or with ":="), without "$", in order
	// of first use: workflow variables, "states", and the names of
	// functions it calls, built-in ones included (see IsFunction).
	Free []string
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
	if f := o.Get("read"); f != nil {
		_ = rt.vm.ExportTo(f, &a.Free)
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
	if len(a.Free) == 0 {
		a.Free = nil
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

// functions are the names of the functions every expression can call:
// JSONata 2.0's and Step Functions' own.
var functions = map[string]bool{}

func init() {
	for _, f := range strings.Fields(`sum count max min average string substring substringBefore
		substringAfter lowercase uppercase length trim pad match contains replace split join
		formatNumber formatBase formatInteger parseInteger number floor ceil round abs sqrt power
		random boolean not map zip filter single reduce sift keys lookup append exists spread merge
		reverse each error assert type sort shuffle distinct base64encode base64decode
		encodeUrlComponent encodeUrl decodeUrlComponent decodeUrl eval toMillis fromMillis clone
		now millis partition range hash uuid parse`) {
		functions[f] = true
	}
}

// IsFunction reports whether name (without "$") is a built-in function:
// one of JSONata's or of Step Functions' ($partition, $range, $hash,
// $random, $uuid, $parse).
func IsFunction(name string) bool { return functions[name] }
