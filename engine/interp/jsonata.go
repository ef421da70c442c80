package interp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/asl"
	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/jsonata"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// JSONata states and workflow variables.
// https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html

// jnode is a parsed JSONata template: a field value in which every string
// "{% expr %}" is an expression, inside objects and arrays at any depth.
type jnode struct {
	static []byte        // the whole subtree when it has no expression
	expr   *jsonata.Expr // a "{% %}" string
	src    string        // its expression text, as AWS quotes it
	bad    error         // a compile error (validation rejects these first)
	fields []jfield
	items  []*jnode
	isObj  bool
}

type jfield struct {
	name string
	node *jnode
}

// jtemplate returns the parsed template of raw, parsed once per Program.
func (p *Program) jtemplate(raw json.RawMessage) *jnode {
	if n, ok := p.jcache.Load(string(raw)); ok {
		return n.(*jnode)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	n, err := buildJ(dec)
	if err != nil {
		n = &jnode{static: raw}
	}
	p.jcache.Store(string(raw), n)
	return n
}

func buildJ(dec *json.Decoder) (*jnode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := &jnode{isObj: t == '{'}
		static := true
		for dec.More() {
			if n.isObj {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				c, err := buildJ(dec)
				if err != nil {
					return nil, err
				}
				static = static && c.static != nil
				n.fields = append(n.fields, jfield{name: k.(string), node: c})
				continue
			}
			c, err := buildJ(dec)
			if err != nil {
				return nil, err
			}
			static = static && c.static != nil
			n.items = append(n.items, c)
		}
		if _, err := dec.Token(); err != nil && err != io.EOF {
			return nil, err
		}
		if static {
			n.static = n.appendStatic(nil)
			n.fields, n.items = nil, nil
		}
		return n, nil
	case string:
		if src, ok := jsonata.Embedded(t); ok {
			e, err := jsonata.Compile(src)
			return &jnode{expr: e, src: src, bad: err}, nil
		}
		return &jnode{static: history.AppendString(nil, t)}, nil
	case json.Number:
		return &jnode{static: []byte(t.String())}, nil
	case bool:
		return &jnode{static: []byte(strconv.FormatBool(t))}, nil
	}
	return &jnode{static: []byte("null")}, nil
}

// appendStatic appends a node whose children are all static.
func (n *jnode) appendStatic(b []byte) []byte {
	if n.isObj {
		b = append(b, '{')
		for i, f := range n.fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = history.AppendString(b, f.name)
			b = append(b, ':')
			b = append(b, f.node.static...)
		}
		return append(b, '}')
	}
	b = append(b, '[')
	for i, it := range n.items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, it.static...)
	}
	return append(b, ']')
}

// jstates is what $states holds for one evaluation.
type jstates struct {
	input       []byte
	result      []byte // nil: absent
	errorOutput []byte // nil: absent
	doc         []byte // $states, built on first use
}

// evalError is a failed JSONata evaluation: AWS's cause (without the
// state prefix) and the field it happened in.
type evalError struct {
	location string
	cause    string
}

func (e *evalError) Error() string { return e.cause }

func exprCause(src, loc, what string) string {
	return fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' %s", src, loc, what)
}

// statesDoc returns the $states document of s.
func (th *thread) statesDoc(s *jstates) []byte {
	if s.doc == nil {
		b := []byte(`{"input":`)
		b = append(b, s.input...)
		b = append(b, `,"context":`...)
		b = append(b, th.contextObject()...)
		if s.result != nil {
			b = append(b, `,"result":`...)
			b = append(b, s.result...)
		}
		if s.errorOutput != nil {
			b = append(b, `,"errorOutput":`...)
			b = append(b, s.errorOutput...)
		}
		s.doc = append(b, '}')
	}
	return s.doc
}

// jsonataEnv returns the environment of one evaluation.
func (th *thread) jsonataEnv(s *jstates) *jsonata.Env {
	r := th.run
	return &jsonata.Env{
		Lookup: func(name string) ([]byte, bool) {
			if name == "states" {
				return th.statesDoc(s), true
			}
			return th.lookupVar(name)
		},
		Now: r.now(),
		Random: func() float64 {
			rnd := r.env.Random
			if rnd == nil {
				rnd = r.fixedRandom
			}
			return float64(rnd(0, 1<<53)) / (1 << 53)
		},
		UUID: r.env.IDs.UUID,
	}
}

// evalExpr evaluates one expression node to a JSON value.
func (th *thread) evalExpr(n *jnode, loc string, s *jstates) ([]byte, error) {
	if n.bad != nil {
		return nil, &evalError{loc, exprCause(n.src, loc, "threw an error during evaluation. "+n.bad.Error())}
	}
	v, err := n.expr.Eval(th.jsonataEnv(s))
	if err != nil {
		// "T1006: message", or a Step Functions function's message alone
		return nil, &evalError{loc, exprCause(n.src, loc, "threw an error during evaluation. "+err.Error())}
	}
	if v.Kind != jsonata.JSON {
		return nil, &evalError{loc, exprCause(n.src, loc, "returned nothing (undefined).")}
	}
	return v.JSON, nil
}

// jeval evaluates a template field (Arguments, Output, Assign values ...).
func (th *thread) jeval(raw json.RawMessage, loc string, s *jstates) ([]byte, error) {
	return th.jevalNode(th.run.prog.jtemplate(raw), loc, s)
}

func (th *thread) jevalNode(n *jnode, loc string, s *jstates) ([]byte, error) {
	switch {
	case n.static != nil:
		return n.static, nil
	case n.expr != nil || n.bad != nil:
		return th.evalExpr(n, loc, s)
	case n.isObj:
		b := []byte{'{'}
		for i, f := range n.fields {
			if i > 0 {
				b = append(b, ',')
			}
			v, err := th.jevalNode(f.node, loc+"/"+f.name, s)
			if err != nil {
				return nil, err
			}
			b = history.AppendString(b, f.name)
			b = append(b, ':')
			b = append(b, v...)
		}
		return append(b, '}'), nil
	}
	b := []byte{'['}
	for i, it := range n.items {
		if i > 0 {
			b = append(b, ',')
		}
		v, err := th.jevalNode(it, loc+"/"+strconv.Itoa(i), s)
		if err != nil {
			return nil, err
		}
		b = append(b, v...)
	}
	return append(b, ']'), nil
}

// jsonKindName names a JSON value's type as AWS's messages do.
func jsonKindName(v []byte) string {
	switch kindOf(v) {
	case kindArray:
		return "array"
	case kindObject:
		return "object"
	case kindString:
		return "string"
	case kindNumber:
		return "number"
	case kindBool:
		return "boolean"
	}
	return "null"
}

// jtyped evaluates a field that must have one type (Items: "array",
// Seconds: "integer" ...): a literal or a "{% %}" string.
func (th *thread) jtyped(raw json.RawMessage, loc, want string, s *jstates) ([]byte, error) {
	n := th.run.prog.jtemplate(raw)
	v, err := th.jevalNode(n, loc, s)
	if err != nil || n.expr == nil {
		return v, err
	}
	ok := jsonKindName(v) == want || want == "integer" && kindOf(v) == kindNumber && isInteger(v)
	if !ok {
		return nil, &evalError{loc, exprCause(n.src, loc, fmt.Sprintf("returned an unexpected result type. Expected '%s', but was '%s' for value: %s", want, jsonKindName(v), v))}
	}
	return v, nil
}

func isInteger(v []byte) bool {
	f, err := strconv.ParseFloat(string(v), 64)
	return err == nil && f == float64(int64(f))
}

// evalFailed records EvaluationFailed for err and fails the state with
// States.QueryEvaluationError (other errors go through stateError).
func (th *thread) evalFailed(err error) {
	var ee *evalError
	if !errors.As(err, &ee) {
		th.failState(th.stateError(err))
		return
	}
	cause := th.causePrefix() + ee.cause
	prev := th.enteredPrev
	if th.st.Type == asl.TypeWait {
		prev = th.entered
	}
	id := th.record(history.EvaluationFailed, prev, &history.EvaluationFailedDetails{
		Error: states.QueryEvaluationError, Cause: cause, Location: ee.location, State: th.st.Name,
	})
	th.last = id
	switch th.st.Type {
	case asl.TypeMap:
		th.emit(history.MapStateFailed, nil)
	case asl.TypeParallel:
		th.emit(history.ParallelStateFailed, nil)
	}
	th.failState(states.New(states.QueryEvaluationError, cause))
}

// isJSONata reports whether the current state uses JSONata.
func (th *thread) isJSONata() bool { return th.queryLanguage() == asl.JSONata }

// scope holds the variables one thread assigned; a Parallel branch or Map
// iteration reads its parent's scope too.
type scope struct {
	vars   map[string][]byte
	size   int // bytes of the values in vars
	parent *scope
}

// set binds name to v in s.
func (s *scope) set(name string, v []byte) {
	if s.vars == nil {
		s.vars = map[string][]byte{}
	}
	s.size += len(v) - len(s.vars[name])
	s.vars[name] = v
}

// total is the size of every variable s and its outer scopes hold.
func (s *scope) total() int {
	n := 0
	for ; s != nil; s = s.parent {
		n += s.size
	}
	return n
}

func (s *scope) lookup(name string) ([]byte, bool) {
	for ; s != nil; s = s.parent {
		if v, ok := s.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// lookupVar returns a variable visible to the thread.
func (th *thread) lookupVar(name string) ([]byte, bool) { return th.vars.lookup(name) }

// childScope is the scope of a child thread of th: empty for the children
// of a distributed Map, which see no variables of their parent.
func (th *thread) childScope() *scope {
	if th.st != nil && th.st.Type == asl.TypeMap && th.st.ItemProcessor != nil &&
		th.st.ItemProcessor.ProcessorConfig.Mode == "DISTRIBUTED" {
		return &scope{}
	}
	return &scope{parent: th.vars}
}

// assignment is one variable an Assign computed, set when the state exits.
type assignment struct {
	name  string
	value []byte
}

// evalAssign computes every binding of an Assign field before any is
// set. JSONPath: keys ending in ".$" take a path or intrinsic evaluated
// against doc; JSONata: "{% %}" strings anywhere are expressions.
func (th *thread) evalAssign(raw json.RawMessage, doc []byte, s *jstates, loc string) ([]assignment, error) {
	as, err := th.computeAssign(raw, doc, s, loc)
	if err != nil {
		return nil, err
	}
	// A Parallel branch or Map iteration reads the variables of the
	// scopes around it but may not bind them.
	if th.vars != nil && th.vars.parent != nil {
		for _, a := range as {
			if _, outer := th.vars.parent.lookup(a.name); outer {
				return nil, states.New(states.Runtime, fmt.Sprintf("Cannot bind value '%s' to variable '%s' as it belongs to an outer scope.", a.value, a.name))
			}
		}
	}
	return as, checkAssignSize(as, th.vars)
}

// Variable size limits
// (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html).
const (
	MaxVariableBytes = 262144 // one variable's value
	MaxAssignBytes   = 262144 // all the values one Assign sets
	// MaxScopeVariableBytes bounds the variables of an execution: those a
	// state can see (its scope and the outer ones) once its Assign is set.
	MaxScopeVariableBytes = 10 << 20
)

// checkAssignSize fails an Assign whose values exceed AWS's limits, in sc
// (the scope the values will be set in).
func checkAssignSize(as []assignment, sc *scope) error {
	total, after := 0, sc.total()
	for _, a := range as {
		if len(a.value) > MaxVariableBytes {
			return states.New(states.DataLimitExceeded, fmt.Sprintf("The variable '%s' has a size exceeding the maximum number of bytes service limit (%d).", a.name, MaxVariableBytes))
		}
		total += len(a.value)
		after += len(a.value)
		if sc != nil {
			after -= len(sc.vars[a.name])
		}
	}
	if total > MaxAssignBytes {
		return states.New(states.DataLimitExceeded, fmt.Sprintf("The variables assigned by the state have a size exceeding the maximum number of bytes service limit (%d).", MaxAssignBytes))
	}
	if after > MaxScopeVariableBytes {
		return states.New(states.DataLimitExceeded, fmt.Sprintf("The variables of the execution would have a size exceeding the maximum number of bytes service limit (%d).", MaxScopeVariableBytes))
	}
	return nil
}

func (th *thread) computeAssign(raw json.RawMessage, doc []byte, s *jstates, loc string) ([]assignment, error) {
	if raw == nil {
		return nil, nil
	}
	n := th.run.prog.jtemplate(raw)
	if !n.isObj && n.static == nil {
		return nil, nil
	}
	var out []assignment
	if th.isJSONata() {
		if n.static != nil {
			return staticAssign(raw)
		}
		for _, f := range n.fields {
			v, err := th.jevalNode(f.node, loc+"/"+f.name, s)
			if err != nil {
				return nil, err
			}
			out = append(out, assignment{f.name, v})
		}
		return out, nil
	}
	tmpl, err := th.run.prog.assignTemplate(raw)
	if err != nil {
		return nil, err
	}
	v, err := th.evalTemplate(tmpl, doc)
	if err != nil {
		return nil, err
	}
	return staticAssign(v)
}

// staticAssign splits an evaluated JSON object into its members, in order.
func staticAssign(obj []byte) ([]assignment, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var out []assignment
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, assignment{k.(string), compactJSON(v)})
	}
	return out, nil
}

// assignTemplate parses a JSONPath state's Assign as a payload template,
// once per Program.
func (p *Program) assignTemplate(raw json.RawMessage) (*asl.Value, error) {
	if v, ok := p.acache.Load(string(raw)); ok {
		return v.(*asl.Value), nil
	}
	v, err := asl.ParseTemplate(raw)
	if err != nil {
		return nil, err
	}
	p.acache.Store(string(raw), v)
	return v, nil
}

// setAssigned sets the thread's pending assignments and returns them as
// StateExited reports them.
func (th *thread) setAssigned() map[string]string {
	if th.assigned == nil {
		return nil
	}
	if th.vars == nil {
		th.vars = &scope{}
	}
	out := make(map[string]string, len(th.assigned))
	f := th.flow()
	obj := []byte{'{'}
	for i, a := range th.assigned {
		th.vars.set(a.name, a.value)
		out[a.name] = string(a.value)
		if f != nil {
			if i > 0 {
				obj = append(obj, ',')
			}
			obj = append(history.AppendString(obj, a.name), ':')
			obj = append(obj, a.value...)
		}
	}
	if f != nil {
		f.Variables = append(obj, '}')
	}
	th.assigned = nil
	return out
}

// jfinish ends a JSONata state with its result: Assign and Output are
// evaluated with $states.input and $states.result (nil for a Pass state,
// whose default output is its input), then the state exits.
func (th *thread) jfinish(result []byte) {
	s := &jstates{input: th.input, result: result}
	if th.st.Type == asl.TypePass {
		s.result = nil
	}
	out := result
	if result == nil {
		out = th.input
	}
	as, err := th.evalAssign(th.st.Assign, nil, s, "Assign")
	if err == nil && th.st.Output != nil {
		out, err = th.jeval(th.st.Output, "Output", s)
	}
	if err != nil {
		th.evalFailed(err)
		return
	}
	th.assigned = as
	if f := th.flow(); f != nil {
		f.Result = result
	}
	th.exit(out)
}

// jtaskState evaluates a JSONata Task's Arguments, TimeoutSeconds and
// HeartbeatSeconds, then invokes its resource.
func (th *thread) jtaskState(ctx context.Context, task *pendingTask) {
	st := th.st
	s := &jstates{input: th.input}
	var err error
	eff := []byte("{}")
	if st.Arguments != nil {
		eff, err = th.jeval(st.Arguments, "Arguments", s)
	}
	timeout := int64(0)
	if st.TimeoutSeconds != nil {
		timeout = *st.TimeoutSeconds
	}
	if err == nil {
		timeout, err = th.jint("TimeoutSeconds", timeout, s)
	}
	if err == nil {
		hb := int64(0)
		if st.HeartbeatSeconds != nil {
			hb = *st.HeartbeatSeconds
		}
		task.heartbeat, err = th.jint("HeartbeatSeconds", hb, s)
	}
	if err != nil {
		th.task = nil
		th.evalFailed(err)
		return
	}
	if f := th.flow(); f != nil {
		f.AfterParameters = eff
	}
	th.invoke(ctx, task, eff, timeout)
}

// jint evaluates an integer field that may be a "{% %}" expression;
// fixed is its literal value.
func (th *thread) jint(field string, fixed int64, s *jstates) (int64, error) {
	raw, ok := th.st.Exprs[field]
	if !ok {
		return fixed, nil
	}
	return th.jinteger(raw, field, s)
}

// jinteger evaluates raw, a "{% %}" string that must give an integer.
func (th *thread) jinteger(raw json.RawMessage, loc string, s *jstates) (int64, error) {
	v, err := th.jtyped(raw, loc, "integer", s)
	if err != nil {
		return 0, err
	}
	n, _ := strconv.ParseFloat(string(v), 64)
	return int64(n), nil
}

// jtolerated evaluates a JSONata Map's ToleratedFailureCount and
// ToleratedFailurePercentage.
func (th *thread) jtolerated(j *join, s *jstates) error {
	st := th.st
	if st.ToleratedFailureCount != nil || st.Exprs["ToleratedFailureCount"] != nil {
		var fixed int64
		if st.ToleratedFailureCount != nil {
			fixed = *st.ToleratedFailureCount
		}
		n, err := th.jint("ToleratedFailureCount", fixed, s)
		if err != nil {
			return err
		}
		if n < 0 {
			return states.New(states.Runtime, "ToleratedFailureCount cannot be negative.")
		}
		j.tolerated = n
	}
	if st.ToleratedFailurePercentage != nil {
		j.toleratedP = *st.ToleratedFailurePercentage
	}
	if raw, ok := st.Exprs["ToleratedFailurePercentage"]; ok {
		v, err := th.jtyped(raw, "ToleratedFailurePercentage", "number", s)
		if err != nil {
			return err
		}
		j.toleratedP, _ = strconv.ParseFloat(string(v), 64)
	}
	if j.toleratedP != -1 && (j.toleratedP < 0 || j.toleratedP > 100) {
		return states.New(states.Runtime, "ToleratedFailurePercentage must be between 0 and 100.")
	}
	return nil
}

// jchoice runs a JSONata Choice state: the first rule whose Condition is
// true names the next state and supplies Assign and Output; with none,
// Default and the state's own Assign and Output.
func (th *thread) jchoice() {
	st := th.st
	s := &jstates{input: th.input}
	next, assign, output := "", st.Assign, st.Output
	for i, rule := range st.Choices {
		v, err := th.jtyped(rule.Condition, fmt.Sprintf("Choices/%d/Condition", i), "boolean", s)
		if err != nil {
			th.evalFailed(err)
			return
		}
		if string(v) == "true" {
			next, assign, output = rule.Next, rule.Assign, rule.Output
			break
		}
	}
	if next == "" {
		next = st.Default
	}
	if next == "" {
		th.failState(states.New(states.NoChoiceMatched, "No Matches!"))
		return
	}
	as, err := th.evalAssign(assign, nil, s, "Assign")
	out := th.input
	if err == nil && output != nil {
		out, err = th.jeval(output, "Output", s)
	}
	if err != nil {
		th.evalFailed(err)
		return
	}
	th.assigned = as
	th.exitTo(out, next, false)
}

// jwait runs a JSONata Wait state: Seconds or Timestamp may be
// expressions; Assign and Output are evaluated when it wakes.
func (th *thread) jwait() {
	st := th.st
	s := &jstates{input: th.input}
	now := th.run.now()
	until := now
	switch {
	case st.Seconds != nil:
		until = now.Add(time.Duration(*st.Seconds) * time.Second)
	case st.SecondsExpr != nil:
		n, err := th.jint("Seconds", 0, s)
		if err != nil {
			th.evalFailed(err)
			return
		}
		until = now.Add(time.Duration(n) * time.Second)
	case st.Timestamp != "" || st.TimestampExpr != nil:
		ts := st.Timestamp
		if st.TimestampExpr != nil {
			v, err := th.jtyped(st.TimestampExpr, "Timestamp", "string", s)
			if err != nil {
				th.evalFailed(err)
				return
			}
			_ = json.Unmarshal(v, &ts)
		}
		t, ok := parseTimestamp(ts)
		if !ok {
			th.evalFailed(&evalError{"Timestamp", "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: " + ts})
			return
		}
		until = t
	}
	th.stage = stageTimer
	th.wake = until
	th.onWake = func() { th.jfinish(nil) }
}

// jfail runs a JSONata Fail state, whose Error and Cause may be
// expressions.
func (th *thread) jfail() {
	st := th.st
	s := &jstates{input: th.input}
	name, cause := st.Error, st.Cause
	for _, f := range []struct {
		field string
		dst   *string
	}{{"Error", &name}, {"Cause", &cause}} {
		raw, ok := st.Exprs[f.field]
		if !ok {
			continue
		}
		v, err := th.jtyped(raw, f.field, "string", s)
		if err != nil {
			th.evalFailed(err)
			return
		}
		_ = json.Unmarshal(v, f.dst)
	}
	th.fatal(&states.Error{Name: name, Cause: cause}, th.last)
}

// jcaught ends a JSONata state through catcher c: its Assign and Output
// read $states.errorOutput ({"Error", "Cause"}), the default output.
func (th *thread) jcaught(c asl.Catcher, failure *states.Error) {
	eo, _ := errorOutput(nil, failure, asl.OptionalPath{})
	s := &jstates{input: th.input, errorOutput: eo}
	as, err := th.evalAssign(c.Assign, nil, s, "Assign")
	out := eo
	if err == nil && c.Output != nil {
		out, err = th.jeval(c.Output, "Output", s)
	}
	if err != nil {
		th.evalFailed(err)
		return
	}
	th.assigned = as
	if f := th.flow(); f != nil {
		f.AfterResultPath = out
	}
	th.exitTo(out, c.Next, false)
}
