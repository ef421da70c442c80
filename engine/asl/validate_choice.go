package asl

import (
	"fmt"
	"strings"
)

// choice checks a Choice state's rules and Default.
func (v *validator) choice(sc *scope, st *node, loc, ql string) {
	if d, ok := st.get("Default"); ok {
		if d.kind != kindString {
			v.typeError(loc+"/Default", "Default", "String")
		} else {
			sc.addTarget(d.str, "Default", loc+"/Default")
		}
	}
	if !v.required(st, loc, "Choices") {
		return
	}
	c, _ := st.get("Choices")
	if c.kind != kindArray {
		v.typeError(loc+"/Choices", "Choices", "Array")
		return
	}
	if len(c.items) == 0 {
		v.schema(loc+"/Choices", "The field 'Choices' should be non-empty")
	}
	for i, r := range c.items {
		l := fmt.Sprintf("%s/Choices[%d]", loc, i)
		if r.kind != kindObject {
			v.typeError(l, "Choices", "Object")
			continue
		}
		if !v.required(r, l, "Next") {
			v.choiceRule(r, l, ql, true, 0)
			continue
		}
		if next, _ := r.get("Next"); next.kind != kindString {
			v.typeError(l+"/Next", "Next", "String")
		} else {
			sc.addTarget(next.str, "Next", l+"/Next")
		}
		v.choiceRule(r, l, ql, true, 0)
	}
}

// operand types of the non-Path comparison operators.
func operandKind(op string) int {
	switch {
	case op == "BooleanEquals" || strings.HasPrefix(op, "Is"):
		return kindBool
	case strings.HasPrefix(op, "Numeric"):
		return kindNumber
	default:
		return kindString
	}
}

var kindNames = map[int]string{kindBool: "Boolean", kindNumber: "Number", kindString: "String"}

// choiceRule checks one rule; top is set for the rules directly in Choices,
// which carry Next, Assign and Output.
func (v *validator) choiceRule(r *node, loc, ql string, top bool, depth int) {
	if depth > MaxDepth {
		v.schema(loc, "The choice rule is nested too deeply")
		return
	}
	if ql == JSONata {
		allowed := fieldSet("Condition", "Comment")
		if top {
			allowed["Next"], allowed["Assign"], allowed["Output"] = true, true, true
		}
		v.unknownFields(r, loc, allowed)
		v.required(r, loc, "Condition")
		if a, ok := r.get("Assign"); ok {
			v.assign(a, loc+"/Assign", ql)
		}
		return
	}
	var ops []string
	for _, k := range r.keys {
		switch k {
		case "Variable", "Comment":
		case "Next", "Assign":
			if !top {
				v.schema(loc, "Field '%s' is not supported", k)
			}
		case "And", "Or", "Not":
			ops = append(ops, k)
		default:
			if known, _ := IsOperator(k); known {
				ops = append(ops, k)
			} else {
				v.schema(loc, "Field '%s' is not supported", k)
			}
		}
	}
	if a, ok := r.get("Assign"); ok && top {
		v.assign(a, loc+"/Assign", ql)
	}
	if len(ops) == 0 {
		v.schema(loc, "A choice rule must have one comparison operator, or And, Or or Not")
		return
	}
	if len(ops) > 1 {
		v.schema(loc, "A choice rule may have only one comparison operator: [%s]", strings.Join(ops, ", "))
		return
	}
	op := ops[0]
	val, _ := r.get(op)
	switch op {
	case "And", "Or":
		if r.has("Variable") {
			v.schema(loc, "Field 'Variable' is not supported")
		}
		if val.kind != kindArray {
			v.typeError(loc+"/"+op, op, "Array")
			return
		}
		if len(val.items) == 0 {
			v.schema(loc+"/"+op, "The field '%s' should be non-empty", op)
		}
		for i, sub := range val.items {
			l := fmt.Sprintf("%s/%s[%d]", loc, op, i)
			if sub.kind != kindObject {
				v.typeError(l, op, "Object")
				continue
			}
			v.choiceRule(sub, l, ql, false, depth+1)
		}
	case "Not":
		if r.has("Variable") {
			v.schema(loc, "Field 'Variable' is not supported")
		}
		if val.kind != kindObject {
			v.typeError(loc+"/Not", "Not", "Object")
			return
		}
		v.choiceRule(val, loc+"/Not", ql, false, depth+1)
	default:
		if !v.required(r, loc, "Variable") {
			return
		}
		vr, _ := r.get("Variable")
		v.path(vr, loc+"/Variable", "Variable", false)
		if _, isPath := IsOperator(op); isPath {
			v.path(val, loc+"/"+op, op, false)
			return
		}
		if want := operandKind(op); val.kind != want {
			v.typeError(loc+"/"+op, op, kindNames[want])
		}
	}
}
