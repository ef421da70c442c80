package interp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/asl"
	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/intrinsic"
	"github.com/stepwise-sfn/stepwise/engine/jsonpath"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// The data flow of a JSONPath state, in the order of the spec:
// InputPath -> Parameters -> (work) -> ResultSelector -> ResultPath -> OutputPath.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html

// timeFormat is how AWS writes times into the context object.
const timeFormat = "2006-01-02T15:04:05.000Z"

// pathError is a failure of a path stage; its message is AWS's cause text
// after the state prefix.
type pathError struct{ msg string }

func (e *pathError) Error() string { return e.msg }

// get evaluates a path against the document its root names.
func (th *thread) get(p *jsonpath.Path, input []byte) ([]byte, error) {
	switch p.Root() {
	case jsonpath.RootContext:
		return p.Get(th.contextFor(p))
	case jsonpath.RootVariable:
		v, ok := th.lookupVar(p.Variable())
		if !ok {
			return nil, &jsonpath.NotFoundError{Path: p.String()}
		}
		return p.Get(v)
	}
	return p.Get(input)
}

// selectPath applies an InputPath or OutputPath.
func (th *thread) selectPath(op asl.OptionalPath, doc []byte) ([]byte, error) {
	if op.Null {
		return []byte("{}"), nil
	}
	if op.Path == nil || (op.Path.IsRoot() && op.Path.Root() == jsonpath.RootInput) {
		return doc, nil
	}
	v, err := th.get(op.Path, doc)
	if err != nil {
		return nil, invalidPath(op.Path, err)
	}
	return v, nil
}

func invalidPath(p *jsonpath.Path, err error) error {
	var nf *jsonpath.NotFoundError
	if errors.As(err, &nf) {
		return &pathError{fmt.Sprintf("Invalid path '%s' : No results for path: %s", p.String(), nf.Jayway())}
	}
	return &pathError{fmt.Sprintf("Invalid path '%s' : %s", p.String(), err.Error())}
}

// applyResultPath places result into input as ResultPath says.
func applyResultPath(input, result []byte, rp asl.OptionalPath) ([]byte, error) {
	if rp.Null {
		return input, nil
	}
	if rp.Path == nil || rp.Path.IsRoot() {
		return result, nil
	}
	out, err := jsonpath.Set(input, rp.Path, result)
	if err != nil {
		return nil, &pathError{fmt.Sprintf("Invalid path '%s': Unable to apply ResultPath to the input '%s'", rp.Path.String(), string(input))}
	}
	return out, nil
}

// errorOutput is the output of a Catcher: {"Error", "Cause"} placed by its
// ResultPath.
func errorOutput(input []byte, err *states.Error, rp asl.OptionalPath) ([]byte, error) {
	b := make([]byte, 0, 32+len(err.Name)+len(err.Cause))
	// A failure that names no error (SendTaskFailure without one) reads
	// {"Error": null, "Cause": null}; a missing cause otherwise reads "".
	if err.Name == "" && err.Cause == "" {
		b = append(b, `{"Error":null,"Cause":null}`...)
		return applyResultPath(input, b, rp)
	}
	b = append(b, `{"Error":`...)
	b = history.AppendString(b, err.Name)
	b = append(b, `,"Cause":`...)
	b = history.AppendString(b, err.Cause)
	b = append(b, '}')
	return applyResultPath(input, b, rp)
}

// evalTemplate evaluates a payload template against input.
func (th *thread) evalTemplate(v *asl.Value, input []byte) ([]byte, error) {
	if v.Static != nil {
		return v.Static, nil
	}
	// build in the thread's scratch buffer, then copy out once: one
	// allocation of the exact size instead of one per growth
	buf, err := th.appendValue(th.scratch[:0], v, input)
	if err != nil {
		return nil, err
	}
	th.scratch = buf[:0]
	return append([]byte(nil), buf...), nil
}

func (th *thread) appendValue(b []byte, v *asl.Value, input []byte) ([]byte, error) {
	switch {
	case v.Static != nil:
		return append(b, v.Static...), nil
	case v.IsObj:
		b = append(b, '{')
		for i, f := range v.Fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = history.AppendString(b, f.Name)
			b = append(b, ':')
			var err error
			switch {
			case f.Value.Path != nil:
				var val []byte
				val, err = th.get(f.Value.Path, input)
				if err != nil {
					return nil, &pathError{fmt.Sprintf("The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'",
						f.Value.Path.String(), f.Source, string(input))}
				}
				b = append(b, val...)
			case f.Value.Call != nil:
				var val []byte
				val, err = th.call(f.Value.Call, input)
				if err != nil {
					return nil, err
				}
				b = append(b, val...)
			default:
				b, err = th.appendValue(b, f.Value, input)
				if err != nil {
					return nil, err
				}
			}
		}
		return append(b, '}'), nil
	default:
		b = append(b, '[')
		for i, it := range v.Items {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = th.appendValue(b, it, input); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	}
}

// call evaluates an intrinsic function call.
func (th *thread) call(c *intrinsic.Call, input []byte) ([]byte, error) {
	env := th.ienv
	if env == nil {
		// one Env per thread, made on its first call: only Input changes
		env = &intrinsic.Env{ContextFor: th.contextFor, UUID: th.run.env.IDs.UUID, Random: th.run.env.Random, Variable: th.lookupVar}
		if env.Random == nil {
			env.Random = th.run.fixedRandom
		}
		th.ienv = env
	}
	env.Input = input
	v, err := c.Eval(env)
	if err != nil {
		var ie *intrinsic.Error
		if errors.As(err, &ie) {
			return nil, &states.Error{Name: ie.Name, Cause: ie.Cause}
		}
		return nil, &pathError{err.Error()}
	}
	return v, nil
}

// fixedRandom is the deterministic sequence used when Env.Random is nil.
func (r *Run) fixedRandom(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	r.seed = r.seed*6364136223846793005 + 1442695040888963407
	return lo + int64((r.seed>>33)%uint64(hi-lo))
}

// stateError turns a data-flow failure into the state's error.
func (th *thread) stateError(err error) *states.Error {
	var se *states.Error
	if errors.As(err, &se) {
		if se.Name == states.Runtime || se.Name == states.IntrinsicFailure {
			return states.New(se.Name, th.causePrefix()+se.Cause)
		}
		return se
	}
	return states.New(states.Runtime, th.causePrefix()+err.Error())
}

// contextTemplate holds the parts of the context object fixed for a run.
type contextTemplate struct {
	execution    []byte // the Execution member
	stateMachine []byte // the StateMachine member
}

func newContextTemplate(r *Run) contextTemplate {
	ex := r.ex
	b := []byte(`{"Id":`)
	b = history.AppendString(b, ex.ExecutionARN)
	b = append(b, `,"Input":`...)
	b = append(b, ex.Input...)
	if r.express {
		b = append(b, `,"Name":`...)
		b = history.AppendString(b, ex.Name)
		b = append(b, `,"RoleArn":`...)
		b = history.AppendString(b, ex.RoleARN)
		b = append(b, `,"StartTime":`...)
		b = history.AppendString(b, r.start.UTC().Format(timeFormat))
		b = append(b, '}')
	} else {
		b = append(b, `,"StartTime":`...)
		b = history.AppendString(b, r.start.UTC().Format(timeFormat))
		b = append(b, `,"Name":`...)
		b = history.AppendString(b, ex.Name)
		b = append(b, `,"RoleArn":`...)
		b = history.AppendString(b, ex.RoleARN)
		b = append(b, `,"RedriveCount":`...)
		b = strconv.AppendInt(b, int64(ex.RedriveCount), 10)
		b = append(b, '}')
	}
	sm := []byte(`{"Id":`)
	sm = history.AppendString(sm, ex.StateMachineARN)
	sm = append(sm, `,"Name":`...)
	sm = history.AppendString(sm, ex.StateMachineName)
	sm = append(sm, '}')
	return contextTemplate{execution: b, stateMachine: sm}
}

// contextFor returns a document with the part of the context object ($$)
// that p reads: $$.Map.Item.Value needs neither the execution input nor the
// state, so a Map's ItemSelector does not copy the whole input per item.
func (th *thread) contextFor(p *jsonpath.Path) []byte {
	s := strings.TrimPrefix(p.String(), "$$")
	for _, sec := range contextSections {
		if strings.HasPrefix(s, "."+sec) || strings.HasPrefix(s, "['"+sec+"']") || strings.HasPrefix(s, `["`+sec+`"]`) {
			return th.appendContext(make([]byte, 0, 128), sec)
		}
	}
	return th.contextObject()
}

var contextSections = []string{"Execution", "StateMachine", "State", "Task", "Map"}

// contextObject returns the whole context object ($$) of the current state.
func (th *thread) contextObject() []byte {
	t := th.run.contextTemplate()
	b := make([]byte, 0, len(t.execution)+len(t.stateMachine)+160)
	return th.appendContext(b, "")
}

// contextTemplate returns the run's fixed context parts, built on first
// use: most runs never read $$, and building them copies the input.
func (r *Run) contextTemplate() *contextTemplate {
	if r.ctxTmpl.execution == nil {
		r.ctxTmpl = newContextTemplate(r)
	}
	return &r.ctxTmpl
}

// appendContext appends the context object, or only its member section.
func (th *thread) appendContext(b []byte, section string) []byte {
	t := th.run.contextTemplate()
	want := func(s string) bool { return section == "" || section == s }
	b = append(b, '{')
	sep := func() {
		if len(b) > 1 {
			b = append(b, ',')
		}
	}
	if want("Execution") {
		sep()
		b = append(b, `"Execution":`...)
		b = append(b, t.execution...)
	}
	if want("StateMachine") {
		sep()
		b = append(b, `"StateMachine":`...)
		b = append(b, t.stateMachine...)
	}
	if th.st != nil && want("State") {
		sep()
		b = append(b, `"State":{"Name":`...)
		b = history.AppendString(b, th.st.Name)
		b = append(b, `,"EnteredTime":`...)
		b = history.AppendString(b, th.enteredAt.UTC().Format(timeFormat))
		if th.st.Type == asl.TypeTask {
			b = append(b, `,"RetryCount":`...)
			b = strconv.AppendInt(b, int64(th.retryCount), 10)
		}
		b = append(b, '}')
	}
	if th.task != nil && th.task.token != "" && want("Task") {
		sep()
		b = append(b, `"Task":{"Token":`...)
		b = history.AppendString(b, th.task.token)
		b = append(b, '}')
	}
	if it := th.mapContext(); it != nil && want("Map") {
		sep()
		b = append(b, `"Map":{"Item":{"Index":`...)
		b = strconv.AppendInt(b, int64(it.index), 10)
		b = append(b, `,"Value":`...)
		b = append(b, it.value...)
		b = append(b, `}}`...)
	}
	b = append(b, '}')
	if t := th.run.test; t != nil {
		b = t.mergeContext(b, section)
	}
	return b
}

// mapContext returns the Map item the current evaluation sees: set while
// a Map state evaluates its ItemSelector.
func (th *thread) mapContext() *mapItem { return th.item }

// timeString formats t as AWS writes it into data.
func timeString(t time.Time) string { return t.UTC().Format(timeFormat) }
