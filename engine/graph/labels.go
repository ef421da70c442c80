package graph

import (
	"encoding/json"
	"strings"

	"github.com/stepwise-sfn/stepwise/engine/asl"
)

// comparisons maps a Choice comparison operator (without its "Path"
// suffix) to the infix symbol its summary uses.
var comparisons = map[string]string{
	"StringEquals": "==", "StringLessThan": "<", "StringGreaterThan": ">",
	"StringLessThanEquals": "<=", "StringGreaterThanEquals": ">=",
	"NumericEquals": "==", "NumericLessThan": "<", "NumericGreaterThan": ">",
	"NumericLessThanEquals": "<=", "NumericGreaterThanEquals": ">=",
	"BooleanEquals":   "==",
	"TimestampEquals": "==", "TimestampLessThan": "<", "TimestampGreaterThan": ">",
	"TimestampLessThanEquals": "<=", "TimestampGreaterThanEquals": ">=",
	"StringMatches": "matches",
}

// tests maps a type-test operator to the words of its summary.
var tests = map[string]string{
	"IsNull": "null", "IsPresent": "present", "IsNumeric": "numeric",
	"IsString": "string", "IsBoolean": "boolean", "IsTimestamp": "timestamp",
}

// ruleSummary is a short, human reading of a Choice rule for its edge
// label: `$.total > 100`, `$.type == "a"`, `$.x is present`,
// `And($.a == 1, ...)`, or a JSONata condition's text, cut to
// maxLabelRunes characters.
func ruleSummary(r *asl.ChoiceRule) string {
	return truncate(summary(r, 0))
}

func summary(r *asl.ChoiceRule, depth int) string {
	if r == nil {
		return ""
	}
	if len(r.Condition) > 0 {
		var s string
		if json.Unmarshal(r.Condition, &s) != nil {
			s = string(r.Condition)
		}
		return strings.Join(strings.Fields(s), " ")
	}
	switch r.Operator {
	case "And", "Or", "Not":
		if depth > 3 {
			return r.Operator + "(...)"
		}
		parts := make([]string, 0, len(r.Rules))
		for _, sub := range r.Rules {
			parts = append(parts, summary(sub, depth+1))
		}
		return r.Operator + "(" + strings.Join(parts, ", ") + ")"
	}
	v := ""
	if r.Variable != nil {
		v = r.Variable.String()
	}
	op := strings.TrimSuffix(r.Operator, "Path")
	if word, ok := tests[r.Operator]; ok {
		if string(r.Value) == "false" {
			return v + " is not " + word
		}
		return v + " is " + word
	}
	operand := string(r.Value)
	if r.Path != nil {
		operand = r.Path.String()
	}
	if sym, ok := comparisons[op]; ok {
		return v + " " + sym + " " + operand
	}
	return strings.TrimSpace(v + " " + r.Operator + " " + operand)
}
