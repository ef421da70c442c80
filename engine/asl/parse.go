package asl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/stepwise-sfn/stepwise/engine/intrinsic"
	"github.com/stepwise-sfn/stepwise/engine/jsonata"
	"github.com/stepwise-sfn/stepwise/engine/jsonpath"
)

// ParseError is a definition Parse could not read. Validate reports the
// same problems as diagnostics; Parse stops at the first.
type ParseError struct {
	Location string // JSON pointer, e.g. /States/A/InputPath
	Message  string
}

func (e *ParseError) Error() string { return e.Message + " at " + e.Location }

// MaxDepth bounds the nesting of Parallel branches and Map processors.
const MaxDepth = 64

// Parse reads a definition. Call Validate first: Parse assumes the shape
// Validate accepts, and returns a *ParseError for the first thing it cannot
// read rather than a diagnostic list.
func Parse(definition []byte) (*Definition, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(definition, &obj); err != nil || obj == nil {
		return nil, &ParseError{Location: "/", Message: "Definition must be a valid JSON object"}
	}
	p := &parser{}
	d := &Definition{}
	sm, err := p.stateMachine(obj, "", 0)
	if err != nil {
		return nil, err
	}
	d.StateMachine = *sm
	if v, ok := obj["Version"]; ok {
		if err := p.decode(v, &d.Version, "/Version"); err != nil {
			return nil, err
		}
	}
	if v, ok := obj["TimeoutSeconds"]; ok {
		var n int64
		if err := p.decode(v, &n, "/TimeoutSeconds"); err != nil {
			return nil, err
		}
		d.TimeoutSeconds = &n
	}
	return d, nil
}

type parser struct{}

func (p *parser) decode(raw json.RawMessage, dst any, loc string) error {
	if err := json.Unmarshal(raw, dst); err != nil {
		return &ParseError{Location: loc, Message: fmt.Sprintf("unexpected value %s", preview(raw))}
	}
	return nil
}

func preview(raw []byte) string {
	if len(raw) > 60 {
		return string(raw[:60]) + "..."
	}
	return string(raw)
}

func (p *parser) stateMachine(obj map[string]json.RawMessage, loc string, depth int) (*StateMachine, error) {
	if depth > MaxDepth {
		return nil, &ParseError{Location: loc, Message: "state machine nesting is too deep"}
	}
	sm := &StateMachine{States: map[string]*State{}}
	if v, ok := obj["Comment"]; ok {
		if err := p.decode(v, &sm.Comment, loc+"/Comment"); err != nil {
			return nil, err
		}
	}
	if err := p.decode(obj["StartAt"], &sm.StartAt, loc+"/StartAt"); err != nil {
		return nil, err
	}
	if v, ok := obj["QueryLanguage"]; ok {
		if err := p.decode(v, &sm.QueryLanguage, loc+"/QueryLanguage"); err != nil {
			return nil, err
		}
	}
	if v, ok := obj["ProcessorConfig"]; ok {
		var pc struct{ Mode, ExecutionType string }
		if err := p.decode(v, &pc, loc+"/ProcessorConfig"); err != nil {
			return nil, err
		}
		sm.ProcessorConfig = ProcessorConfig{Mode: pc.Mode, ExecutionType: pc.ExecutionType}
	}
	keys, err := objectKeys(obj["States"])
	if err != nil {
		return nil, &ParseError{Location: loc + "/States", Message: "States must be an object"}
	}
	var states map[string]json.RawMessage
	_ = json.Unmarshal(obj["States"], &states)
	for _, name := range keys {
		st, err := p.state(name, states[name], loc+"/States/"+name, depth)
		if err != nil {
			return nil, err
		}
		sm.States[name] = st
		sm.Order = append(sm.Order, name)
	}
	if _, ok := sm.States[sm.StartAt]; !ok {
		return nil, &ParseError{Location: loc + "/StartAt", Message: fmt.Sprintf("Missing 'Next' target: %s", sm.StartAt)}
	}
	return sm, nil
}

// objectKeys returns the keys of a JSON object in document order (the
// order AWS lists states in) without duplicates.
func objectKeys(raw json.RawMessage) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	t, err := dec.Token()
	if err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not an object")
	}
	var keys []string
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := t.(string)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys, nil
}

func (p *parser) state(name string, raw json.RawMessage, loc string, depth int) (*State, error) {
	var f map[string]json.RawMessage
	if err := json.Unmarshal(raw, &f); err != nil || f == nil {
		return nil, &ParseError{Location: loc, Message: "a state must be an object"}
	}
	s := &State{Name: name}
	for k, v := range f {
		var text string
		if json.Unmarshal(v, &text) != nil {
			continue
		}
		if _, ok := jsonata.Embedded(text); ok {
			if s.Exprs == nil {
				s.Exprs = map[string]json.RawMessage{}
			}
			s.Exprs[k] = v
		}
	}
	str := func(key string, dst *string) error {
		if v, ok := f[key]; ok {
			return p.decode(v, dst, loc+"/"+key)
		}
		return nil
	}
	for key, dst := range map[string]*string{
		"Type": &s.Type, "Comment": &s.Comment, "QueryLanguage": &s.QueryLanguage, "Next": &s.Next,
		"Resource": &s.Resource, "Default": &s.Default, "Error": &s.Error, "Cause": &s.Cause, "Label": &s.Label,
	} {
		if err := str(key, dst); err != nil {
			return nil, err
		}
	}
	if v, ok := f["Timestamp"]; ok {
		if err := p.decode(v, &s.Timestamp, loc+"/Timestamp"); err != nil {
			return nil, err
		}
		if _, ok := jsonata.Embedded(s.Timestamp); ok {
			s.TimestampExpr, s.Timestamp = v, ""
		}
	}
	if v, ok := f["End"]; ok {
		if err := p.decode(v, &s.End, loc+"/End"); err != nil {
			return nil, err
		}
	}
	var err error
	optional := func(key string, dst *OptionalPath) {
		if err != nil {
			return
		}
		v, ok := f[key]
		if !ok {
			return
		}
		if string(bytes.TrimSpace(v)) == "null" {
			dst.Null = true
			return
		}
		dst.Path, err = p.path(v, loc+"/"+key)
	}
	path := func(key string, dst **jsonpath.Path) {
		if err != nil {
			return
		}
		if v, ok := f[key]; ok {
			*dst, err = p.path(v, loc+"/"+key)
		}
	}
	integer := func(key string, dst **int64) {
		if err != nil {
			return
		}
		if v, ok := f[key]; ok {
			if bytes.HasPrefix(bytes.TrimSpace(v), []byte(`"`)) {
				return // a JSONata expression, evaluated later
			}
			var n int64
			if err = p.decode(v, &n, loc+"/"+key); err == nil {
				*dst = &n
			}
		}
	}
	template := func(key string, dst **Value) {
		if err != nil {
			return
		}
		if v, ok := f[key]; ok {
			*dst, err = p.value(v, loc+"/"+key, 0)
		}
	}
	optional("InputPath", &s.InputPath)
	optional("OutputPath", &s.OutputPath)
	optional("ResultPath", &s.ResultPath)
	optional("ItemsPath", &s.ItemsPath)
	template("Parameters", &s.Parameters)
	template("ResultSelector", &s.ResultSelector)
	template("ItemSelector", &s.ItemSelector)
	template("Credentials", &s.Credentials)
	path("TimeoutSecondsPath", &s.TimeoutSecondsPath)
	path("HeartbeatSecondsPath", &s.HeartbeatSecondsPath)
	path("SecondsPath", &s.SecondsPath)
	path("TimestampPath", &s.TimestampPath)
	path("MaxConcurrencyPath", &s.MaxConcurrencyPath)
	path("ToleratedFailureCountPath", &s.ToleratedFailureCountPath)
	path("ToleratedFailurePercentagePath", &s.ToleratedFailurePercentagePath)
	integer("TimeoutSeconds", &s.TimeoutSeconds)
	integer("HeartbeatSeconds", &s.HeartbeatSeconds)
	integer("Seconds", &s.Seconds)
	integer("ToleratedFailureCount", &s.ToleratedFailureCount)
	if err != nil {
		return nil, err
	}
	if v, ok := f["Seconds"]; ok && s.Seconds == nil {
		s.SecondsExpr = v
	}
	if v, ok := f["MaxConcurrency"]; ok && !bytes.HasPrefix(bytes.TrimSpace(v), []byte(`"`)) {
		if err := p.decode(v, &s.MaxConcurrency, loc+"/MaxConcurrency"); err != nil {
			return nil, err
		}
	}
	if v, ok := f["ToleratedFailurePercentage"]; ok && !bytes.HasPrefix(bytes.TrimSpace(v), []byte(`"`)) {
		var x float64
		if err := p.decode(v, &x, loc+"/ToleratedFailurePercentage"); err != nil {
			return nil, err
		}
		s.ToleratedFailurePercentage = &x
	}
	for key, dst := range map[string]**intrinsic.Call{"ErrorPath": &s.ErrorCall, "CausePath": &s.CauseCall} {
		v, ok := f[key]
		if !ok {
			continue
		}
		var text string
		if err := p.decode(v, &text, loc+"/"+key); err != nil {
			return nil, err
		}
		if intrinsic.IsCall(text) {
			c, err := intrinsic.Parse(text)
			if err != nil {
				return nil, &ParseError{Location: loc + "/" + key, Message: err.Error()}
			}
			*dst = c
			continue
		}
		pp, err := p.path(v, loc+"/"+key)
		if err != nil {
			return nil, err
		}
		if key == "ErrorPath" {
			s.ErrorPath = pp
		} else {
			s.CausePath = pp
		}
	}
	for _, key := range []string{"Result", "Arguments", "Output", "Assign", "ItemReader", "ResultWriter", "Items"} {
		v, ok := f[key]
		if !ok {
			continue
		}
		c := compact(v)
		switch key {
		case "Result":
			s.Result = c
		case "Arguments":
			s.Arguments = c
		case "Output":
			s.Output = c
		case "Assign":
			s.Assign = c
		case "ItemReader":
			s.ItemReader = c
		case "ResultWriter":
			s.ResultWriter = c
		case "Items":
			s.Items = c
		}
	}
	if v, ok := f["Retry"]; ok {
		if s.Retry, err = p.retriers(v, loc+"/Retry"); err != nil {
			return nil, err
		}
	}
	if v, ok := f["Catch"]; ok {
		if s.Catch, err = p.catchers(v, loc+"/Catch"); err != nil {
			return nil, err
		}
	}
	if v, ok := f["Choices"]; ok {
		var rules []json.RawMessage
		if err := p.decode(v, &rules, loc+"/Choices"); err != nil {
			return nil, err
		}
		for i, r := range rules {
			rule, err := p.choiceRule(r, fmt.Sprintf("%s/Choices/%d", loc, i), 0)
			if err != nil {
				return nil, err
			}
			s.Choices = append(s.Choices, rule)
		}
	}
	if v, ok := f["Branches"]; ok {
		var branches []map[string]json.RawMessage
		if err := p.decode(v, &branches, loc+"/Branches"); err != nil {
			return nil, err
		}
		for i, b := range branches {
			sm, err := p.stateMachine(b, fmt.Sprintf("%s/Branches/%d", loc, i), depth+1)
			if err != nil {
				return nil, err
			}
			s.Branches = append(s.Branches, sm)
		}
	}
	for _, key := range []string{"ItemProcessor", "Iterator"} {
		v, ok := f[key]
		if !ok || s.ItemProcessor != nil {
			continue
		}
		var obj map[string]json.RawMessage
		if err := p.decode(v, &obj, loc+"/"+key); err != nil {
			return nil, err
		}
		sm, err := p.stateMachine(obj, loc+"/"+key, depth+1)
		if err != nil {
			return nil, err
		}
		if sm.ProcessorConfig.Mode == "" {
			sm.ProcessorConfig.Mode = "INLINE"
		}
		s.ItemProcessor = sm
	}
	if s.Type == TypeMap && s.ItemSelector == nil && s.Parameters != nil {
		s.ItemSelector, s.Parameters = s.Parameters, nil
	}
	if v, ok := f["ItemBatcher"]; ok {
		if s.ItemBatcher, err = p.itemBatcher(v, loc+"/ItemBatcher"); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func compact(v json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, v); err != nil {
		return v
	}
	return b.Bytes()
}

func (p *parser) path(v json.RawMessage, loc string) (*jsonpath.Path, error) {
	var text string
	if err := p.decode(v, &text, loc); err != nil {
		return nil, err
	}
	pp, err := jsonpath.Parse(text)
	if err != nil {
		return nil, &ParseError{Location: loc, Message: err.Error()}
	}
	return pp, nil
}

func (p *parser) itemBatcher(v json.RawMessage, loc string) (*ItemBatcher, error) {
	var f map[string]json.RawMessage
	if err := p.decode(v, &f, loc); err != nil {
		return nil, err
	}
	b := &ItemBatcher{}
	var err error
	// a string (a JSONata "{% %}" expression) is evaluated when the Map
	// runs, not read here
	isExpr := func(x json.RawMessage) bool { return bytes.HasPrefix(bytes.TrimSpace(x), []byte(`"`)) }
	for _, k := range []string{"MaxItemsPerBatch", "MaxInputBytesPerBatch"} {
		var text string
		if x, ok := f[k]; ok && json.Unmarshal(x, &text) == nil {
			if _, ok := jsonata.Embedded(text); ok {
				if b.Exprs == nil {
					b.Exprs = map[string]json.RawMessage{}
				}
				b.Exprs[k] = x
			}
		}
	}
	if x, ok := f["MaxItemsPerBatch"]; ok && !isExpr(x) {
		err = p.decode(x, &b.MaxItemsPerBatch, loc+"/MaxItemsPerBatch")
	}
	if x, ok := f["MaxInputBytesPerBatch"]; ok && err == nil && !isExpr(x) {
		err = p.decode(x, &b.MaxInputBytesPerBatch, loc+"/MaxInputBytesPerBatch")
	}
	if x, ok := f["MaxItemsPerBatchPath"]; ok && err == nil {
		b.MaxItemsPerBatchPath, err = p.path(x, loc+"/MaxItemsPerBatchPath")
	}
	if x, ok := f["MaxInputBytesPerBatchPath"]; ok && err == nil {
		b.MaxInputBytesPerBatchPath, err = p.path(x, loc+"/MaxInputBytesPerBatchPath")
	}
	if x, ok := f["BatchInput"]; ok && err == nil {
		b.BatchInputRaw = x
		b.BatchInput, err = p.value(x, loc+"/BatchInput", 0)
	}
	return b, err
}

func (p *parser) retriers(v json.RawMessage, loc string) ([]Retrier, error) {
	var raw []struct {
		ErrorEquals     []string
		IntervalSeconds *int64
		MaxAttempts     *int64
		BackoffRate     *float64
		MaxDelaySeconds *int64
		JitterStrategy  string
	}
	if err := p.decode(v, &raw, loc); err != nil {
		return nil, err
	}
	out := make([]Retrier, len(raw))
	for i, r := range raw {
		out[i] = Retrier{ErrorEquals: r.ErrorEquals, IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: r.JitterStrategy}
		if r.IntervalSeconds != nil {
			out[i].IntervalSeconds = *r.IntervalSeconds
		}
		if r.MaxAttempts != nil {
			out[i].MaxAttempts = *r.MaxAttempts
		}
		if r.BackoffRate != nil {
			out[i].BackoffRate = *r.BackoffRate
		}
		if r.MaxDelaySeconds != nil {
			out[i].MaxDelaySeconds = *r.MaxDelaySeconds
		}
	}
	return out, nil
}

func (p *parser) catchers(v json.RawMessage, loc string) ([]Catcher, error) {
	var raw []map[string]json.RawMessage
	if err := p.decode(v, &raw, loc); err != nil {
		return nil, err
	}
	out := make([]Catcher, len(raw))
	for i, c := range raw {
		l := fmt.Sprintf("%s/%d", loc, i)
		if err := p.decode(c["ErrorEquals"], &out[i].ErrorEquals, l+"/ErrorEquals"); err != nil {
			return nil, err
		}
		if err := p.decode(c["Next"], &out[i].Next, l+"/Next"); err != nil {
			return nil, err
		}
		if rp, ok := c["ResultPath"]; ok {
			if string(bytes.TrimSpace(rp)) == "null" {
				out[i].ResultPath.Null = true
			} else {
				pp, err := p.path(rp, l+"/ResultPath")
				if err != nil {
					return nil, err
				}
				out[i].ResultPath.Path = pp
			}
		}
		if a, ok := c["Assign"]; ok {
			out[i].Assign = compact(a)
		}
		if o, ok := c["Output"]; ok {
			out[i].Output = compact(o)
		}
	}
	return out, nil
}

// comparison operators and whether their operand is a path.
var operators = map[string]bool{}

func init() {
	for _, base := range []string{"StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals",
		"StringGreaterThanEquals", "NumericEquals", "NumericLessThan", "NumericGreaterThan",
		"NumericLessThanEquals", "NumericGreaterThanEquals", "BooleanEquals", "TimestampEquals",
		"TimestampLessThan", "TimestampGreaterThan", "TimestampLessThanEquals", "TimestampGreaterThanEquals"} {
		operators[base] = false
		operators[base+"Path"] = true
	}
	for _, op := range []string{"StringMatches", "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"} {
		operators[op] = false
	}
}

// IsOperator reports whether name is a Choice comparison operator, and
// whether its operand is a path.
func IsOperator(name string) (known, isPath bool) {
	isPath, known = operators[name]
	return known, isPath
}

func (p *parser) choiceRule(v json.RawMessage, loc string, depth int) (*ChoiceRule, error) {
	if depth > MaxDepth {
		return nil, &ParseError{Location: loc, Message: "choice rule nesting is too deep"}
	}
	var f map[string]json.RawMessage
	if err := p.decode(v, &f, loc); err != nil {
		return nil, err
	}
	r := &ChoiceRule{}
	if n, ok := f["Next"]; ok {
		if err := p.decode(n, &r.Next, loc+"/Next"); err != nil {
			return nil, err
		}
	}
	if a, ok := f["Assign"]; ok {
		r.Assign = compact(a)
	}
	if o, ok := f["Output"]; ok {
		r.Output = compact(o)
	}
	if c, ok := f["Condition"]; ok {
		r.Condition = compact(c)
		r.Operator = "Condition"
		return r, nil
	}
	if x, ok := f["Variable"]; ok {
		pp, err := p.path(x, loc+"/Variable")
		if err != nil {
			return nil, err
		}
		r.Variable = pp
	}
	for key, val := range f {
		switch key {
		case "And", "Or":
			var subs []json.RawMessage
			if err := p.decode(val, &subs, loc+"/"+key); err != nil {
				return nil, err
			}
			r.Operator = key
			for i, s := range subs {
				sub, err := p.choiceRule(s, fmt.Sprintf("%s/%s/%d", loc, key, i), depth+1)
				if err != nil {
					return nil, err
				}
				r.Rules = append(r.Rules, sub)
			}
		case "Not":
			sub, err := p.choiceRule(val, loc+"/Not", depth+1)
			if err != nil {
				return nil, err
			}
			r.Operator = key
			r.Rules = []*ChoiceRule{sub}
		default:
			isPath, known := operators[key]
			if !known {
				continue
			}
			r.Operator = key
			if isPath {
				pp, err := p.path(val, loc+"/"+key)
				if err != nil {
					return nil, err
				}
				r.Path = pp
			} else {
				r.Value = compact(val)
			}
		}
	}
	if r.Operator == "" {
		return nil, &ParseError{Location: loc, Message: "a choice rule needs a comparison operator, And, Or or Not"}
	}
	return r, nil
}

// value parses a payload template node.
func (p *parser) value(v json.RawMessage, loc string, depth int) (*Value, error) {
	if depth > MaxDepth {
		return nil, &ParseError{Location: loc, Message: "payload template nesting is too deep"}
	}
	t := bytes.TrimSpace(v)
	if len(t) == 0 {
		return nil, &ParseError{Location: loc, Message: "missing value"}
	}
	switch t[0] {
	case '{':
		keys, err := objectKeys(t)
		if err != nil {
			return nil, &ParseError{Location: loc, Message: "invalid object"}
		}
		var members map[string]json.RawMessage
		_ = json.Unmarshal(t, &members)
		out := &Value{IsObj: true}
		dynamic := false
		for _, k := range keys {
			fl := loc + "/" + k
			if strings.HasSuffix(k, ".$") {
				var text string
				if err := p.decode(members[k], &text, fl); err != nil {
					return nil, err
				}
				fv := &Value{}
				if intrinsic.IsCall(text) {
					c, err := intrinsic.Parse(text)
					if err != nil {
						return nil, &ParseError{Location: fl, Message: err.Error()}
					}
					fv.Call = c
				} else {
					pp, err := jsonpath.Parse(text)
					if err != nil {
						return nil, &ParseError{Location: fl, Message: err.Error()}
					}
					fv.Path = pp
				}
				out.Fields = append(out.Fields, Field{Name: strings.TrimSuffix(k, ".$"), Source: k, Value: fv})
				dynamic = true
				continue
			}
			fv, err := p.value(members[k], fl, depth+1)
			if err != nil {
				return nil, err
			}
			if fv.Static == nil {
				dynamic = true
			}
			out.Fields = append(out.Fields, Field{Name: k, Source: k, Value: fv})
		}
		if !dynamic {
			return &Value{Static: compact(t)}, nil
		}
		return out, nil
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(t, &items); err != nil {
			return nil, &ParseError{Location: loc, Message: "invalid array"}
		}
		out := &Value{}
		dynamic := false
		for i, it := range items {
			iv, err := p.value(it, fmt.Sprintf("%s[%d]", loc, i), depth+1)
			if err != nil {
				return nil, err
			}
			if iv.Static == nil {
				dynamic = true
			}
			out.Items = append(out.Items, iv)
		}
		if !dynamic {
			return &Value{Static: compact(t)}, nil
		}
		return out, nil
	default:
		return &Value{Static: compact(t)}, nil
	}
}

// ParseTemplate parses a payload template (a JSONPath state's Assign, whose
// keys ending in ".$" hold paths or intrinsic calls).
func ParseTemplate(raw json.RawMessage) (*Value, error) {
	return (&parser{}).value(raw, "", 0)
}
