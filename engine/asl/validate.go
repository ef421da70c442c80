package asl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/stepwise-sfn/stepwise/engine/jsonata"
)

// Diagnostic is one finding about a definition, as
// ValidateStateMachineDefinition returns it.
type Diagnostic struct {
	Severity string `json:"severity"`           // SeverityError or SeverityWarning
	Code     string `json:"code"`               // CodeSchemaValidationFailed, CodeInvalidJSONDescription, ...
	Message  string `json:"message"`            // AWS's wording
	Location string `json:"location,omitempty"` // JSON pointer, "/States/A/Next"; "" when AWS gives none
}

// Diagnostic severities.
const (
	SeverityError   = "ERROR"
	SeverityWarning = "WARNING"
)

// Diagnostic codes, as AWS spells them.
const (
	CodeSchemaValidationFailed  = "SCHEMA_VALIDATION_FAILED"
	CodeInvalidJSONDescription  = "INVALID_JSON_DESCRIPTION"
	CodeMissingTransitionTarget = "MISSING_TRANSITION_TARGET"
	CodeMissingEndState         = "MISSING_END_STATE"
)

// Options tune Validate.
type Options struct {
	// StateMachineType is "STANDARD" (the default when empty) or "EXPRESS";
	// EXPRESS rejects activities, .sync and .waitForTaskToken resources.
	StateMachineType string
	// MaxResults caps the diagnostics returned; 0 means 100, AWS's default.
	MaxResults int
}

// defaultMaxResults is ValidateStateMachineDefinition's default maxResults.
const defaultMaxResults = 100

// maxJSONDepth bounds the nesting Validate will read; deeper input is
// reported rather than recursed into.
const maxJSONDepth = 512

// Validate checks definition (the exact string given to the API) the way
// CreateStateMachine, UpdateStateMachine and ValidateStateMachineDefinition
// do and returns every finding, ERROR diagnostics first, then WARNINGs,
// capped at opts.MaxResults. A nil or empty result means the definition is
// valid, and then Parse accepts it. Validate never panics.
func Validate(definition string, opts Options) []Diagnostic {
	limit := opts.MaxResults
	if limit <= 0 {
		limit = defaultMaxResults
	}
	v := &validator{opts: opts}
	v.run(definition)
	var out []Diagnostic
	for _, sev := range []string{SeverityError, SeverityWarning} {
		for _, d := range v.diags {
			if d.Severity == sev && len(out) < limit {
				out = append(out, d)
			}
		}
	}
	return out
}

// HasErrors reports whether diags holds at least one ERROR diagnostic, that
// is whether the definition is rejected.
func HasErrors(diags []Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}

// InvalidDefinitionMessage formats the ERROR diagnostics of diags as the
// message of CreateStateMachine's InvalidDefinition error, in AWS's words:
//
//	Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The field 'RoleArn' is required but was missing at /States/State0/Credentials'
//
// Several errors are joined with ", " inside the quotes. It returns "" when
// diags holds no error.
func InvalidDefinitionMessage(diags []Diagnostic) string {
	var parts []string
	for _, d := range diags {
		if d.Severity != SeverityError {
			continue
		}
		s := d.Code + ": " + d.Message
		// A JSON syntax error's message already ends with its location.
		if d.Location != "" && d.Code != CodeInvalidJSONDescription {
			s += " at " + d.Location
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return ""
	}
	return "Invalid State Machine Definition: '" + strings.Join(parts, ", ") + "'"
}

type validator struct {
	opts  Options
	diags []Diagnostic
	// names counts every state name in the whole definition, for the
	// uniqueness rule across nested state machines.
	names map[string]int
	// rootQL is the top-level QueryLanguage (JSONPath when absent).
	rootQL string
}

func (v *validator) add(sev, code, loc, msg string) {
	// Stop collecting far past any cap: a hostile definition must not make
	// Validate build an unbounded list.
	if len(v.diags) >= 10*defaultMaxResults {
		return
	}
	v.diags = append(v.diags, Diagnostic{Severity: sev, Code: code, Message: msg, Location: loc})
}

// schema reports a SCHEMA_VALIDATION_FAILED error at loc.
func (v *validator) schema(loc, format string, args ...any) {
	v.add(SeverityError, CodeSchemaValidationFailed, pointer(loc), fmt.Sprintf(format, args...))
}

// pointer renders a location: the root is "/".
func pointer(loc string) string {
	if loc == "" {
		return "/"
	}
	return loc
}

func (v *validator) run(definition string) {
	if strings.TrimSpace(definition) == "" {
		v.add(SeverityError, CodeSchemaValidationFailed, "", "Definition must be a valid JSON object")
		return
	}
	if !json.Valid([]byte(definition)) {
		msg, loc := jacksonError(definition)
		v.add(SeverityError, CodeInvalidJSONDescription, loc, msg)
		return
	}
	root, err := decodeNode([]byte(definition))
	if err != nil {
		v.schema("", "%s", err.Error())
		return
	}
	if root.kind != kindObject {
		v.add(SeverityError, CodeSchemaValidationFailed, "", "Definition must be a valid JSON object")
		return
	}
	v.names = map[string]int{}
	v.definition(root)
}

// Node kinds of the decoded definition.
const (
	kindNull = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// node is a decoded JSON value that keeps object member order, which AWS
// follows when it reports problems state by state.
type node struct {
	kind  int
	b     bool
	num   json.Number
	str   string
	items []*node
	keys  []string // object keys in first-seen order, without duplicates
	vals  map[string]*node
}

func (n *node) get(key string) (*node, bool) {
	if n == nil || n.kind != kindObject {
		return nil, false
	}
	c, ok := n.vals[key]
	return c, ok
}

func (n *node) has(key string) bool {
	_, ok := n.get(key)
	return ok
}

// isJSONata reports whether n is a string holding a JSONata expression
// (jsonata.Embedded; the BASE_LITERALS conformance cases show AWS keeping
// " {% x %} ", with spaces around, as text).
func (n *node) isJSONata() bool {
	if n.kind != kindString {
		return false
	}
	_, ok := jsonata.Embedded(n.str)
	return ok
}

var errTooDeep = errors.New("The definition is nested too deeply")

func decodeNode(data []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := readNode(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("Definition must be a valid JSON object")
	}
	return n, nil
}

func readNode(dec *json.Decoder, depth int) (*node, error) {
	if depth > maxJSONDepth {
		return nil, errTooDeep
	}
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch x := t.(type) {
	case json.Delim:
		if x == '[' {
			n := &node{kind: kindArray}
			for dec.More() {
				c, err := readNode(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, c)
			}
			_, err := dec.Token()
			return n, err
		}
		n := &node{kind: kindObject, vals: map[string]*node{}}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k, _ := kt.(string)
			c, err := readNode(dec, depth+1)
			if err != nil {
				return nil, err
			}
			if _, dup := n.vals[k]; !dup {
				n.keys = append(n.keys, k)
			}
			n.vals[k] = c // the last duplicate wins, as in encoding/json and Parse
		}
		_, err := dec.Token()
		return n, err
	case bool:
		return &node{kind: kindBool, b: x}, nil
	case json.Number:
		return &node{kind: kindNumber, num: x}, nil
	case string:
		return &node{kind: kindString, str: x}, nil
	default:
		return &node{kind: kindNull}, nil
	}
}

// jacksonExpecting is the tail of Jackson's messages about a bad value.
const jacksonExpecting = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"

// jacksonError describes the first syntax error of text the way AWS's
// parser (Jackson) does, returning the message and the location
// "[Source: (String)"..."; line: L, column: C]".
func jacksonError(text string) (msg, loc string) {
	var se *json.SyntaxError
	off := len(text)
	if err := json.Unmarshal([]byte(text), new(any)); errors.As(err, &se) {
		off = int(se.Offset) - 1
	}
	if off < 0 {
		off = 0
	}
	if off >= len(text) {
		loc = jacksonLocation(text, len(text))
		return "Unexpected end-of-input\n at " + loc, loc
	}
	// A bare word: Jackson reads the whole word and calls it a token.
	start := off
	for start > 0 && isWordByte(text[start-1]) {
		start--
	}
	if isWordByte(text[off]) && start < len(text) && isWordStart(text[start]) && !inString(text, start) {
		end := off
		for end < len(text) && isWordByte(text[end]) && end-start < 256 {
			end++
		}
		loc = jacksonLocation(text, end)
		return fmt.Sprintf("Unrecognized token '%s': was expecting %s\n at %s", text[start:end], jacksonExpecting, loc), loc
	}
	c := text[off]
	loc = jacksonLocation(text, off+1)
	return fmt.Sprintf("Unexpected character ('%c' (code %d)): expected a valid value %s\n at %s", c, c, jacksonExpecting, loc), loc
}

func isWordStart(c byte) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isWordByte(c byte) bool { return isWordStart(c) || (c >= '0' && c <= '9') }

// inString reports whether byte offset i of text lies inside a JSON string,
// counting quotes from the start (good enough for error reporting).
func inString(text string, i int) bool {
	in := false
	for j := 0; j < i && j < len(text); j++ {
		switch text[j] {
		case '\\':
			if in {
				j++
			}
		case '"':
			in = !in
		}
	}
	return in
}

// jacksonLocation renders Jackson's location for the position just before
// byte offset end: lines and columns count from 1.
func jacksonLocation(text string, end int) string {
	line, col := 1, 1
	for i := 0; i < end && i < len(text); i++ {
		if text[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	src := text
	const maxSource = 500
	if len(src) > maxSource {
		src = src[:maxSource] + fmt.Sprintf("\"[truncated %d chars]", len(text)-maxSource)
		return fmt.Sprintf("[Source: (String)\"%s; line: %d, column: %d]", src, line, col)
	}
	return fmt.Sprintf("[Source: (String)\"%s\"; line: %d, column: %d]", src, line, col)
}
