package asl

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/stepwise-sfn/stepwise/engine/jsonata"
)

// Diagnostic codes of JSONata expressions, as AWS spells them.
const (
	// CodeInvalidJSONataExpression is a "{% %}" string that does not
	// parse; the message is JSONata's, without its "S0xxx: " code.
	CodeInvalidJSONataExpression = "INVALID_JSONATA_EXPRESSION"
	// CodeUnsupportedJSONataExpression is an expression that parses but
	// reads what Step Functions never provides: the context item at the
	// top level, "$$", or $states.errorOutput outside a Catcher.
	CodeUnsupportedJSONataExpression = "UNSUPPORTED_JSONATA_EXPRESSION"
)

// jsonataSkipped are the members of a JSONata state that never hold an
// expression: AWS keeps a "{% %}" string there as text (Comment, Next,
// ErrorEquals), or they are checked elsewhere (Choices, Catch, nested
// state machines).
var jsonataSkipped = fieldSet("Type", "Comment", "QueryLanguage", "Next", "End", "Default", "Retry",
	"Catch", "Choices", "Branches", "ItemProcessor", "Iterator", "Label")

// jsonataState checks every expression of a JSONata state.
func (v *validator) jsonataState(st *node, loc string) {
	visitExpressions(st, loc, v.expression)
}

// visitExpressions calls visit for every "{% %}" string of a JSONata
// state st, with the expression inside, its location as AWS reports it
// (object members as "/Name", array elements as "[i]") and whether it is
// in a Catcher. Nested state machines are not visited.
func visitExpressions(st *node, loc string, visit func(src, loc string, inCatch bool)) {
	for _, k := range st.keys {
		if jsonataSkipped[k] || jsonPathOnly[k] {
			continue
		}
		c := st.vals[k]
		if k == "ItemReader" {
			itemReaderExpressions(c, loc+"/"+k, visit)
			continue
		}
		expressions(c, loc+"/"+k, false, 0, visit)
	}
	if c, ok := st.get("Choices"); ok && c.kind == kindArray {
		for i, r := range c.items {
			l := fmt.Sprintf("%s/Choices[%d]", loc, i)
			for _, k := range []string{"Condition", "Assign", "Output"} {
				if n, ok := r.get(k); ok {
					expressions(n, l+"/"+k, false, 0, visit)
				}
			}
		}
	}
	if c, ok := st.get("Catch"); ok && c.kind == kindArray {
		for i, r := range c.items {
			l := fmt.Sprintf("%s/Catch[%d]", loc, i)
			for _, k := range []string{"Assign", "Output"} {
				if n, ok := r.get(k); ok {
					expressions(n, l+"/"+k, true, 0, visit)
				}
			}
		}
	}
}

// itemReaderExpressions visits an ItemReader, whose ReaderConfig
// CSVHeaders are column names, not expressions.
func itemReaderExpressions(n *node, loc string, visit func(src, loc string, inCatch bool)) {
	if n.kind != kindObject {
		return
	}
	for _, k := range n.keys {
		c := n.vals[k]
		if k != "ReaderConfig" || c.kind != kindObject {
			expressions(c, loc+"/"+k, false, 0, visit)
			continue
		}
		for _, rk := range c.keys {
			if rk != "CSVHeaders" {
				expressions(c.vals[rk], loc+"/"+k+"/"+rk, false, 0, visit)
			}
		}
	}
}

// expressions visits every "{% %}" string in n, however deep.
func expressions(n *node, loc string, inCatch bool, depth int, visit func(src, loc string, inCatch bool)) {
	if depth > MaxDepth {
		return
	}
	switch n.kind {
	case kindString:
		if n.isJSONata() {
			visit(jsonataSource(n.str), loc, inCatch)
		}
	case kindObject:
		for _, k := range n.keys {
			expressions(n.vals[k], loc+"/"+k, inCatch, depth+1, visit)
		}
	case kindArray:
		for i, c := range n.items {
			expressions(c, fmt.Sprintf("%s[%d]", loc, i), inCatch, depth+1, visit)
		}
	}
}

// jsonataSource returns the expression inside "{% ... %}".
func jsonataSource(s string) string { return s[2 : len(s)-2] }

// expression checks one expression the way AWS does before it accepts a
// definition: it must parse, and must not read the context item at the
// top level (there is none: the input is $states.input), "$$", or
// $states.errorOutput outside a Catcher. Each name read at the top level
// is its own diagnostic.
func (v *validator) expression(src, loc string, inCatch bool) {
	a, err := jsonata.Analyze(src)
	if err != nil {
		msg := err.Error()
		var je *jsonata.Error
		if errors.As(err, &je) {
			msg = je.Message
		}
		v.add(SeverityError, CodeInvalidJSONataExpression, loc, msg)
		return
	}
	unsupported := func(format string, args ...any) {
		v.add(SeverityError, CodeUnsupportedJSONataExpression, loc, fmt.Sprintf(format, args...))
	}
	if a.Root {
		unsupported("Reference to '$$' is not supported.")
	}
	for _, name := range a.TopLevel {
		unsupported("Reference to '%s' at the top level is not supported.", name)
	}
	if !inCatch && slices.Contains(a.StatesFields, "errorOutput") {
		unsupported("Field '$states.errorOutput' does not exist.")
	}
}

// maxVariableNameLength is AWS's limit on a workflow variable's name.
const maxVariableNameLength = 80

// variableNames checks the names an Assign object binds (in a JSONPath
// state, without the ".$" of a key that takes a path): AWS's rule is
// Unicode Annex #31's, an ID_Start character then ID_Continue characters,
// at most 80 of them, and "states" is reserved for $states. AWS's own
// wording for this diagnostic was not found; the message is ours.
func (v *validator) variableNames(n *node, loc, ql string) {
	for _, k := range n.keys {
		name := k
		if ql == JSONPath {
			name = strings.TrimSuffix(k, ".$")
		}
		if name == "states" {
			v.schema(loc+"/"+k, "The variable name 'states' is reserved")
		} else if !isVariableName(name) {
			v.schema(loc+"/"+k, "The variable name '%s' is not valid", name)
		}
	}
}

// isVariableName reports whether name is an identifier in the sense of
// Unicode Annex #31 of at most maxVariableNameLength characters.
func isVariableName(name string) bool {
	if name == "" || utf8.RuneCountInString(name) > maxVariableNameLength {
		return false
	}
	for i, r := range name {
		start := unicode.IsLetter(r) || unicode.In(r, unicode.Nl, unicode.Other_ID_Start)
		if i == 0 {
			if !start {
				return false
			}
			continue
		}
		if !start && !unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Other_ID_Continue) {
			return false
		}
	}
	return true
}
