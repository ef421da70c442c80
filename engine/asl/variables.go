package asl

import (
	"strings"

	"github.com/stepwise-sfn/stepwise/engine/intrinsic"
	"github.com/stepwise-sfn/stepwise/engine/jsonata"
	"github.com/stepwise-sfn/stepwise/engine/jsonpath"
)

// VariableReferences returns, for each state that reads workflow
// variables, the names of the variables it reads (without "$", each once,
// in the order they are written), as DescribeStateMachine and
// DescribeStateMachineForExecution report them in variableReferences.
// States of Parallel branches and Map processors are listed by their own
// names. A state that reads no variable is absent, and the result is nil
// when no state reads any.
//
// In a JSONPath state the references are the "$name" paths of the path
// fields (InputPath, ItemsPath, SecondsPath, Choice Variable, ...) and of
// the "key.$" members of payload templates (Parameters, Assign, ...),
// intrinsic function arguments included; a "$name" string without ".$" is
// text. In a JSONata state they are the variables its expressions read,
// except $states, names the expression binds itself and built-in
// functions. definition should be one Validate accepts; what cannot be
// read is skipped.
func VariableReferences(definition string) map[string][]string {
	root, err := decodeNode([]byte(definition))
	if err != nil || root.kind != kindObject {
		return nil
	}
	r := &references{}
	ql := JSONPath
	if n, ok := root.get("QueryLanguage"); ok && n.kind == kindString && n.str == JSONata {
		ql = JSONata
	}
	r.machine(root, ql, 0)
	return r.out
}

// references collects VariableReferences.
type references struct {
	out  map[string][]string
	name string // the state being read
}

func (r *references) add(variable string) {
	for _, v := range r.out[r.name] {
		if v == variable {
			return
		}
	}
	if r.out == nil {
		r.out = map[string][]string{}
	}
	r.out[r.name] = append(r.out[r.name], variable)
}

// machine reads the states of a state machine object (the definition, a
// branch or a processor) whose states inherit ql.
func (r *references) machine(obj *node, ql string, depth int) {
	if depth > MaxDepth {
		return
	}
	if n, ok := obj.get("QueryLanguage"); ok && n.kind == kindString && (n.str == JSONata || n.str == JSONPath) {
		ql = n.str
	}
	states, ok := obj.get("States")
	if !ok || states.kind != kindObject {
		return
	}
	for _, name := range states.keys {
		st := states.vals[name]
		if st.kind != kindObject {
			continue
		}
		sql := ql
		if n, ok := st.get("QueryLanguage"); ok && n.kind == kindString && (n.str == JSONata || n.str == JSONPath) {
			sql = n.str
		}
		r.name = name
		if sql == JSONata {
			visitExpressions(st, "", func(src, _ string, _ bool) { r.expression(src) })
		} else {
			r.structure(st, 0)
		}
		if b, ok := st.get("Branches"); ok && b.kind == kindArray {
			for _, br := range b.items {
				if br.kind == kindObject {
					r.machine(br, sql, depth+1)
				}
			}
		}
		for _, k := range []string{"ItemProcessor", "Iterator"} {
			if p, ok := st.get(k); ok && p.kind == kindObject {
				r.machine(p, sql, depth+1)
			}
		}
	}
}

// expression adds the workflow variables a JSONata expression reads.
func (r *references) expression(src string) {
	a, err := jsonata.Analyze(src)
	if err != nil {
		return
	}
	for _, v := range a.Free {
		if v != "states" && !jsonata.IsFunction(v) {
			r.add(v)
		}
	}
}

// referenceSkipped are the members of a JSONPath state that hold no path:
// text, static data, transitions and nested state machines.
var referenceSkipped = fieldSet("Type", "Comment", "QueryLanguage", "Next", "End", "Default", "Result",
	"Branches", "ItemProcessor", "Iterator", "Label", "Resource", "ErrorEquals", "Error", "Cause")

// templateFields are payload templates: only their "key.$" members are
// paths.
var templateFields = fieldSet("Parameters", "ResultSelector", "ItemSelector", "Assign", "Credentials", "BatchInput")

// structure reads the fields of a JSONPath state, or of an object inside
// it (Choices rules, Catchers, ItemReader ...): "Variable" and "...Path"
// members are paths.
func (r *references) structure(n *node, depth int) {
	if depth > MaxDepth {
		return
	}
	switch n.kind {
	case kindArray:
		for _, c := range n.items {
			r.structure(c, depth+1)
		}
	case kindObject:
		for _, k := range n.keys {
			c := n.vals[k]
			switch {
			case referenceSkipped[k]:
			case templateFields[k]:
				r.template(c, depth+1)
			case c.kind == kindString && (k == "Variable" || strings.HasSuffix(k, "Path")):
				r.pathOrCall(c.str)
			default:
				r.structure(c, depth+1)
			}
		}
	}
}

// template reads the "key.$" members of a payload template.
func (r *references) template(n *node, depth int) {
	if depth > MaxDepth {
		return
	}
	switch n.kind {
	case kindArray:
		for _, c := range n.items {
			r.template(c, depth+1)
		}
	case kindObject:
		for _, k := range n.keys {
			c := n.vals[k]
			if strings.HasSuffix(k, ".$") && c.kind == kindString {
				r.pathOrCall(c.str)
			} else {
				r.template(c, depth+1)
			}
		}
	}
}

// pathOrCall adds the variable of a "$name" path, or those of an
// intrinsic function's path arguments.
func (r *references) pathOrCall(s string) {
	var paths []*jsonpath.Path
	if intrinsic.IsCall(s) {
		c, err := intrinsic.Parse(s)
		if err != nil {
			return
		}
		paths = c.Paths()
	} else if p, err := jsonpath.Parse(s); err == nil {
		paths = []*jsonpath.Path{p}
	}
	for _, p := range paths {
		if p.Root() == jsonpath.RootVariable {
			r.add(p.Variable())
		}
	}
}
