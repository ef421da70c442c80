// Package asl reads Amazon States Language definitions: Validate checks a
// definition as CreateStateMachine does and returns AWS's diagnostics; Parse
// turns a valid definition into a *Definition whose paths, payload
// templates and intrinsic calls are already parsed. No time, no I/O.
//
// See https://states-language.net/spec.html and
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html
package asl

import (
	"encoding/json"

	"github.com/stepwise-sfn/stepwise/engine/intrinsic"
	"github.com/stepwise-sfn/stepwise/engine/jsonpath"
)

// Query languages.
const (
	JSONPath = "JSONPath"
	JSONata  = "JSONata"
)

// State types.
const (
	TypePass     = "Pass"
	TypeTask     = "Task"
	TypeChoice   = "Choice"
	TypeWait     = "Wait"
	TypeSucceed  = "Succeed"
	TypeFail     = "Fail"
	TypeParallel = "Parallel"
	TypeMap      = "Map"
)

// Definition is a parsed state machine definition. It is immutable after
// Parse and safe to share between goroutines.
type Definition struct {
	StateMachine
	Version        string
	TimeoutSeconds *int64 // nil: no execution timeout
}

// StateMachine is a set of states with a start: the top level, a Parallel
// branch or a Map's ItemProcessor.
type StateMachine struct {
	Comment       string
	StartAt       string
	QueryLanguage string // "" means inherited (JSONPath at the top level)
	States        map[string]*State
	Order         []string // state names in definition order
	// ProcessorConfig is set for a Map's ItemProcessor (Iterator: zero).
	ProcessorConfig ProcessorConfig
}

// ProcessorConfig is a Map ItemProcessor's ProcessorConfig.
type ProcessorConfig struct {
	Mode          string // "INLINE" (default) or "DISTRIBUTED"
	ExecutionType string // "STANDARD" or "EXPRESS" for DISTRIBUTED
}

// OptionalPath is a path field that may be absent (default "$"), null, or a path.
type OptionalPath struct {
	Path *jsonpath.Path // nil when absent or null
	Null bool           // the field was JSON null
}

// Value is a parsed payload template node (Parameters, ResultSelector,
// ItemSelector): a static JSON value, a path or intrinsic call (from a key
// ending in ".$"), or an object or array holding dynamic parts.
type Value struct {
	Static json.RawMessage // Static JSON (compact); set when the subtree has no dynamic parts
	Path   *jsonpath.Path  // "key.$": "$.path"
	Call   *intrinsic.Call // "key.$": "States.Fn(...)"
	Fields []Field         // object with at least one dynamic part
	Items  []*Value        // array with at least one dynamic part
	IsObj  bool            // Fields describes an object (possibly empty)
}

// Field is one member of a payload template object. Name has ".$" removed.
type Field struct {
	Name   string
	Source string // the key as written, e.g. "value.$" (AWS quotes it in errors)
	Value  *Value
}

// Retrier is one entry of a Retry field.
type Retrier struct {
	ErrorEquals     []string
	IntervalSeconds int64   // default 1
	MaxAttempts     int64   // default 3; 0 means never retry
	BackoffRate     float64 // default 2.0
	MaxDelaySeconds int64   // 0: no cap
	JitterStrategy  string  // "FULL" or "NONE" (default)
}

// Catcher is one entry of a Catch field.
type Catcher struct {
	ErrorEquals []string
	Next        string
	ResultPath  OptionalPath
	Assign      json.RawMessage
	Output      json.RawMessage
}

// ChoiceRule is a Choice rule: a comparison, or And/Or/Not of rules.
// Only top-level rules have Next.
type ChoiceRule struct {
	Variable *jsonpath.Path
	Operator string          // "StringEquals", "NumericLessThanPath", "IsPresent", "And", "Or", "Not", ...
	Value    json.RawMessage // the literal operand of a non-Path operator
	Path     *jsonpath.Path  // the operand of a ...Path operator
	Rules    []*ChoiceRule   // And, Or: operands; Not: one operand
	Next     string
	// JSONata form.
	Condition json.RawMessage
	Assign    json.RawMessage
	Output    json.RawMessage
}

// ItemBatcher is a distributed Map's ItemBatcher.
type ItemBatcher struct {
	MaxItemsPerBatch          int64
	MaxItemsPerBatchPath      *jsonpath.Path
	MaxInputBytesPerBatch     int64
	MaxInputBytesPerBatchPath *jsonpath.Path
	BatchInput                *Value
	// JSONata form: MaxItemsPerBatch and MaxInputBytesPerBatch given as
	// "{% %}" strings, and BatchInput as written (evaluated per run).
	Exprs         map[string]json.RawMessage
	BatchInputRaw json.RawMessage
}

// State is one state of any type. Fields that a type does not have are
// zero; Type says which apply.
type State struct {
	Name          string
	Type          string
	Comment       string
	QueryLanguage string // "" inherits the enclosing state machine's
	Next          string
	End           bool

	InputPath      OptionalPath
	OutputPath     OptionalPath
	ResultPath     OptionalPath
	Parameters     *Value // also a Map's legacy Parameters (as ItemSelector)
	ResultSelector *Value
	Retry          []Retrier
	Catch          []Catcher

	// JSONata and variables (kept raw; evaluated by interp).
	Arguments json.RawMessage
	Output    json.RawMessage
	Assign    json.RawMessage
	// Exprs holds the fields whose value is a JSONata "{% %}" string
	// (TimeoutSeconds, MaxConcurrency, Error ...), by field name.
	Exprs map[string]json.RawMessage

	// Pass
	Result json.RawMessage // nil when absent

	// Task
	Resource             string
	TimeoutSeconds       *int64
	TimeoutSecondsPath   *jsonpath.Path
	HeartbeatSeconds     *int64
	HeartbeatSecondsPath *jsonpath.Path
	Credentials          *Value // a payload template: {"RoleArn": ...} or {"RoleArn.$": ...}

	// Choice
	Choices []*ChoiceRule
	Default string

	// Wait
	Seconds       *int64
	SecondsPath   *jsonpath.Path
	Timestamp     string
	TimestampPath *jsonpath.Path
	// JSONata forms of Seconds/Timestamp etc. kept raw.
	SecondsExpr   json.RawMessage
	TimestampExpr json.RawMessage

	// Fail
	Error     string
	ErrorPath *jsonpath.Path
	Cause     string
	CausePath *jsonpath.Path
	// errorCall/causeCall: intrinsic calls in ErrorPath/CausePath.
	ErrorCall *intrinsic.Call
	CauseCall *intrinsic.Call

	// Parallel
	Branches []*StateMachine

	// Map
	ItemProcessor                  *StateMachine // also the legacy Iterator
	ItemsPath                      OptionalPath
	ItemSelector                   *Value
	MaxConcurrency                 int64
	MaxConcurrencyPath             *jsonpath.Path
	ToleratedFailureCount          *int64
	ToleratedFailureCountPath      *jsonpath.Path
	ToleratedFailurePercentage     *float64
	ToleratedFailurePercentagePath *jsonpath.Path
	ItemBatcher                    *ItemBatcher
	ItemReader                     json.RawMessage
	ResultWriter                   json.RawMessage
	Label                          string
	Items                          json.RawMessage
}
