package interp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/asl"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// choice runs a Choice state: the first matching rule names the next
// state, else Default, else States.NoChoiceMatched.
func (th *thread) choice() {
	st := th.st
	if th.isJSONata() {
		th.jchoice()
		return
	}
	eff, err := th.selectPath(st.InputPath, th.input)
	if err != nil {
		th.failState(th.stateError(err))
		return
	}
	if f := th.flow(); f != nil {
		f.AfterInputPath = eff
	}
	next := ""
	assign := st.Assign
	for _, rule := range st.Choices {
		ok, err := th.evalRule(rule, eff)
		if err != nil {
			th.failState(th.stateError(err))
			return
		}
		if ok {
			next, assign = rule.Next, rule.Assign
			break
		}
	}
	if next == "" {
		next = st.Default
	}
	if next != "" {
		// Assign reads the effective input
		if th.assigned, err = th.evalAssign(assign, eff, nil, "Assign"); err != nil {
			th.failState(th.stateError(err))
			return
		}
	}
	if next == "" {
		th.failState(states.New(states.NoChoiceMatched, "No Matches!"))
		return
	}
	out, err := th.selectPath(st.OutputPath, eff)
	if err != nil {
		th.failState(th.stateError(err))
		return
	}
	th.exitTo(out, next, false)
}

// evalRule evaluates a Choice rule against the effective input.
func (th *thread) evalRule(r *asl.ChoiceRule, input []byte) (bool, error) {
	switch r.Operator {
	case "And":
		for _, s := range r.Rules {
			ok, err := th.evalRule(s, input)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case "Or":
		for _, s := range r.Rules {
			ok, err := th.evalRule(s, input)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case "Not":
		ok, err := th.evalRule(r.Rules[0], input)
		return !ok, err
	}
	if r.Variable == nil {
		return false, &pathError{"The Choice rule has no Variable."}
	}
	v, err := th.get(r.Variable, input)
	if r.Operator == "IsPresent" {
		want := bytes.Equal(bytes.TrimSpace(r.Value), []byte("true"))
		return (err == nil) == want, nil
	}
	if err != nil {
		return false, &pathError{fmt.Sprintf("Invalid path '%s': The choice state's condition path references an invalid value.", r.Variable.String())}
	}
	operand := []byte(r.Value)
	if r.Path != nil {
		if operand, err = th.get(r.Path, input); err != nil {
			return false, &pathError{fmt.Sprintf("Invalid path '%s': The choice state's condition path references an invalid value.", r.Path.String())}
		}
	}
	return compare(strings.TrimSuffix(r.Operator, "Path"), v, operand), nil
}

type jsonKind int

const (
	kindNull jsonKind = iota
	kindString
	kindNumber
	kindBool
	kindObject
	kindArray
)

func kindOf(v []byte) jsonKind {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return kindNull
	}
	switch v[0] {
	case '"':
		return kindString
	case 't', 'f':
		return kindBool
	case '{':
		return kindObject
	case '[':
		return kindArray
	case 'n':
		return kindNull
	}
	return kindNumber
}

// compare applies a comparison operator (without its Path suffix).
func compare(op string, v, operand []byte) bool {
	vk := kindOf(v)
	switch op {
	case "IsNull", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp":
		want := bytes.Equal(bytes.TrimSpace(operand), []byte("true"))
		var is bool
		switch op {
		case "IsNull":
			is = vk == kindNull
		case "IsNumeric":
			is = vk == kindNumber
		case "IsString":
			is = vk == kindString
		case "IsBoolean":
			is = vk == kindBool
		case "IsTimestamp":
			_, is = timestampOf(v)
		}
		return is == want
	case "BooleanEquals":
		return vk == kindBool && kindOf(operand) == kindBool && bytes.Equal(bytes.TrimSpace(v), bytes.TrimSpace(operand))
	case "StringMatches":
		if vk != kindString || kindOf(operand) != kindString {
			return false
		}
		return wildcardMatch(jsonText(operand), jsonText(v))
	}
	switch {
	case strings.HasPrefix(op, "String"):
		if vk != kindString || kindOf(operand) != kindString {
			return false
		}
		return ordered(op[len("String"):], strings.Compare(jsonText(v), jsonText(operand)))
	case strings.HasPrefix(op, "Numeric"):
		if vk != kindNumber || kindOf(operand) != kindNumber {
			return false
		}
		a, err1 := strconv.ParseFloat(string(bytes.TrimSpace(v)), 64)
		b, err2 := strconv.ParseFloat(string(bytes.TrimSpace(operand)), 64)
		if err1 != nil || err2 != nil {
			return false
		}
		c := 0
		if a < b {
			c = -1
		} else if a > b {
			c = 1
		}
		return ordered(op[len("Numeric"):], c)
	case strings.HasPrefix(op, "Timestamp"):
		a, ok1 := timestampOf(v)
		b, ok2 := timestampOf(operand)
		if !ok1 || !ok2 {
			return false
		}
		return ordered(op[len("Timestamp"):], a.Compare(b))
	}
	return false
}

func timestampOf(v []byte) (time.Time, bool) {
	if kindOf(v) != kindString {
		return time.Time{}, false
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return time.Time{}, false
	}
	return parseTimestamp(s)
}

func ordered(rel string, c int) bool {
	switch rel {
	case "Equals":
		return c == 0
	case "LessThan":
		return c < 0
	case "GreaterThan":
		return c > 0
	case "LessThanEquals":
		return c <= 0
	case "GreaterThanEquals":
		return c >= 0
	}
	return false
}

// wildcardMatch matches s against a StringMatches pattern: * matches any
// run of characters, \* a literal star and \\ a backslash. Greedy with one
// backtrack point, so it takes at most len(pattern)*len(s) steps whatever
// the pattern.
func wildcardMatch(pattern, s string) bool {
	type item struct {
		c    byte
		star bool
	}
	p := make([]item, 0, len(pattern))
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '\\' && i+1 < len(pattern):
			i++
			p = append(p, item{c: pattern[i]})
		case c == '*':
			p = append(p, item{star: true})
		default:
			p = append(p, item{c: c})
		}
	}
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && !p[pi].star && p[pi].c == s[si]:
			pi++
			si++
		case pi < len(p) && p[pi].star:
			star, mark = pi, si
			pi++
		case star >= 0:
			mark++
			pi, si = star+1, mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi].star {
		pi++
	}
	return pi == len(p)
}
