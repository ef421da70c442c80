package asl

import (
	"fmt"
	"strings"
)

// maxStateNameLength is AWS's limit on state names (80 Unicode characters).
const maxStateNameLength = 80

// scope is one set of states: the top level, a Parallel branch or a Map's
// ItemProcessor. Transitions may only name states of the same scope.
type scope struct {
	loc     string
	states  *node
	targets []target
	current string // the state being checked, the source of new targets
	// terminal is set once a state of the scope can end it (End, Succeed, Fail).
	terminal bool
}

// target is a transition: to name, written in field at loc, from a state
// (from is "" for StartAt).
type target struct {
	name, field, loc, from string
}

func (sc *scope) addTarget(name, field, loc string) {
	sc.targets = append(sc.targets, target{name: name, field: field, loc: loc, from: sc.current})
}

// Fields a state machine object may hold, by where it appears.
var (
	rootFields      = fieldSet("Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage")
	branchFields    = fieldSet("Comment", "StartAt", "States", "QueryLanguage")
	processorFields = fieldSet("Comment", "StartAt", "States", "QueryLanguage", "ProcessorConfig")
)

func fieldSet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

func (v *validator) definition(root *node) {
	if n, ok := root.get("Version"); ok && n.kind != kindString {
		v.typeError("/Version", "Version", "String")
	}
	if n, ok := root.get("TimeoutSeconds"); ok {
		v.integer(n, "/TimeoutSeconds", "TimeoutSeconds", 1)
	}
	ql := JSONPath
	if n, ok := root.get("QueryLanguage"); ok && v.queryLanguage(n, "/QueryLanguage") {
		ql = n.str
	}
	v.rootQL = ql
	v.stateMachine(root, "", ql, rootFields, 0)
}

// queryLanguage checks a QueryLanguage value and reports whether it is usable.
func (v *validator) queryLanguage(n *node, loc string) bool {
	if n.kind != kindString || (n.str != JSONPath && n.str != JSONata) {
		v.schema(loc, "The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]")
		return false
	}
	return true
}

func (v *validator) typeError(loc, field, typ string) {
	v.schema(loc, "The field '%s' should be of type %s", field, typ)
}

// unknownFields reports the members of obj that allowed does not list.
func (v *validator) unknownFields(obj *node, loc string, allowed map[string]bool) {
	for _, k := range obj.keys {
		if !allowed[k] {
			v.schema(loc, "Field '%s' is not supported", k)
		}
	}
}

// required reports the fields of names missing from obj, in one diagnostic.
func (v *validator) required(obj *node, loc string, names ...string) bool {
	var missing []string
	for _, n := range names {
		if !obj.has(n) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		v.schema(loc, "These fields are required: [%s]", strings.Join(missing, ", "))
		return false
	}
	return true
}

// stateMachine checks a set of states with its StartAt. ql is the query
// language its states inherit.
func (v *validator) stateMachine(obj *node, loc, ql string, allowed map[string]bool, depth int) {
	if depth > MaxDepth {
		v.schema(loc, "The state machine is nested too deeply")
		return
	}
	// AWS lists States before StartAt ("These fields are required: [States, StartAt]").
	ok := v.required(obj, loc, "States", "StartAt")
	v.unknownFields(obj, loc, allowed)
	if n, has := obj.get("Comment"); has && n.kind != kindString {
		v.typeError(loc+"/Comment", "Comment", "String")
	}
	if !ok {
		return
	}
	states, _ := obj.get("States")
	if states.kind != kindObject {
		v.typeError(loc+"/States", "States", "Object")
		return
	}
	if len(states.keys) == 0 {
		v.schema(loc+"/States", "The field 'States' should be non-empty")
		return
	}
	sc := &scope{loc: loc, states: states}
	start, _ := obj.get("StartAt")
	if start.kind != kindString {
		v.typeError(loc+"/StartAt", "StartAt", "String")
	} else {
		sc.addTarget(start.str, "StartAt", loc+"/StartAt")
	}
	for _, name := range states.keys {
		v.state(sc, name, states.vals[name], loc+"/States/"+name, ql, depth)
	}
	v.transitions(sc, start)
	if !sc.terminal {
		v.add(SeverityError, CodeMissingEndState, pointer(loc), "Workflow has no terminal state")
	}
}

// transitions checks that every target names a state of the scope, that
// every state is reachable from StartAt, and that some state ends.
func (v *validator) transitions(sc *scope, start *node) {
	for _, t := range sc.targets {
		if _, ok := sc.states.vals[t.name]; !ok {
			v.add(SeverityError, CodeMissingTransitionTarget, t.loc, fmt.Sprintf("Missing '%s' target: %s", t.field, t.name))
		}
	}
	if start == nil || start.kind != kindString {
		return
	}
	if _, ok := sc.states.vals[start.str]; !ok {
		return
	}
	edges := map[string][]string{}
	for _, t := range sc.targets {
		if t.field == "StartAt" {
			continue
		}
		edges[t.from] = append(edges[t.from], t.name)
	}
	seen := map[string]bool{start.str: true}
	queue := []string{start.str}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, n := range edges[s] {
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	for _, name := range sc.states.keys {
		if !seen[name] {
			v.add(SeverityError, CodeMissingTransitionTarget, sc.loc+"/States/"+name,
				fmt.Sprintf("State \"%s\" is not reachable.", name))
		}
	}
}

// stateFields lists the fields each state type may hold in either query
// language; queryFields then removes the other language's fields.
var stateFields = map[string]map[string]bool{
	TypePass: fieldSet("Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result",
		"Assign", "Output"),
	TypeTask: fieldSet("Next", "End", "Resource", "InputPath", "OutputPath", "ResultPath", "Parameters",
		"ResultSelector", "Retry", "Catch", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds",
		"HeartbeatSecondsPath", "Credentials", "Arguments", "Output", "Assign"),
	TypeChoice: fieldSet("Choices", "Default", "InputPath", "OutputPath", "Assign", "Output"),
	TypeWait: fieldSet("Next", "End", "Seconds", "SecondsPath", "Timestamp", "TimestampPath", "InputPath",
		"OutputPath", "Assign", "Output"),
	TypeSucceed: fieldSet("InputPath", "OutputPath", "Output"),
	TypeFail:    fieldSet("Error", "ErrorPath", "Cause", "CausePath"),
	TypeParallel: fieldSet("Next", "End", "Branches", "InputPath", "OutputPath", "ResultPath", "Parameters",
		"ResultSelector", "Retry", "Catch", "Arguments", "Output", "Assign"),
	TypeMap: fieldSet("Next", "End", "ItemProcessor", "Iterator", "ItemsPath", "ItemSelector", "Parameters",
		"ItemReader", "ResultWriter", "ItemBatcher", "MaxConcurrency", "MaxConcurrencyPath",
		"ToleratedFailureCount", "ToleratedFailureCountPath", "ToleratedFailurePercentage",
		"ToleratedFailurePercentagePath", "Label", "InputPath", "OutputPath", "ResultPath",
		"ResultSelector", "Retry", "Catch", "Items", "Output", "Assign"),
}

// commonStateFields are allowed in every state.
var commonStateFields = fieldSet("Type", "Comment", "QueryLanguage")

// jsonPathOnly are the fields a JSONata state may not use; jsonataOnly the
// fields a JSONPath state may not use.
var (
	jsonPathOnly = fieldSet("InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector",
		"ItemsPath", "SecondsPath", "TimestampPath", "TimeoutSecondsPath", "HeartbeatSecondsPath",
		"MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath",
		"ErrorPath", "CausePath", "Iterator")
	jsonataOnly = fieldSet("Arguments", "Output", "Items")
)

var typeNames = []string{TypeTask, TypeWait, TypePass, TypeSucceed, TypeFail, TypeChoice, TypeParallel, TypeMap}

func (v *validator) state(sc *scope, name string, st *node, loc, inherited string, depth int) {
	if len([]rune(name)) > maxStateNameLength {
		v.schema(loc, "State name '%s' exceeds the maximum length of %d characters", name, maxStateNameLength)
	}
	if st.kind != kindObject {
		v.typeError(loc, name, "Object")
		return
	}
	sc.current = name
	v.names[name]++
	if v.names[name] == 2 {
		v.schema(loc, "Duplicate State name: %s", name)
	}
	ql := inherited
	if n, ok := st.get("QueryLanguage"); ok && v.queryLanguage(n, loc+"/QueryLanguage") {
		// Only the top-level setting binds: a JSONata Map may hold JSONPath
		// states (the VALID_QUERY_LANGUAGE_PASS case).
		if v.rootQL == JSONata && n.str == JSONPath {
			v.schema(loc, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine")
		}
		ql = n.str
	}
	typ, ok := st.get("Type")
	if !ok {
		v.schema(loc, "These fields are required: [Type]")
		return
	}
	if typ.kind != kindString || stateFields[typ.str] == nil {
		v.schema(loc+"/Type", "The field 'Type' should have one of these values: [%s]", strings.Join(typeNames, ", "))
		return
	}
	t := typ.str
	for _, k := range st.keys {
		switch {
		case commonStateFields[k]:
		case !stateFields[t][k]:
			v.schema(loc, "Field '%s' is not supported", k)
		case ql == JSONata && jsonPathOnly[k]:
			v.schema(loc, "The field '%s' is not supported for the JSONata query language", k)
		case ql == JSONPath && jsonataOnly[k]:
			v.schema(loc, "The field '%s' is not supported for the JSONPath query language", k)
		}
	}
	if n, ok := st.get("Comment"); ok && n.kind != kindString {
		v.typeError(loc+"/Comment", "Comment", "String")
	}
	switch t {
	case TypeSucceed, TypeFail:
		sc.terminal = true
	case TypeChoice:
	default:
		v.nextOrEnd(sc, st, loc)
	}
	v.commonPaths(st, loc, ql)
	if n, ok := st.get("Assign"); ok {
		v.assign(n, loc+"/Assign", ql)
	}
	if ql == JSONata {
		v.jsonataState(st, loc)
	}
	switch t {
	case TypePass:
	case TypeTask:
		v.task(st, loc, ql)
	case TypeChoice:
		v.choice(sc, st, loc, ql)
	case TypeWait:
		v.wait(st, loc, ql)
	case TypeFail:
		v.fail(st, loc, ql)
	case TypeParallel:
		v.parallel(st, loc, ql, depth)
	case TypeMap:
		v.mapState(st, loc, ql, depth)
	}
	if n, ok := st.get("Retry"); ok {
		v.retry(n, loc+"/Retry")
	}
	if n, ok := st.get("Catch"); ok {
		v.catch(sc, n, loc+"/Catch", ql)
	}
}

func (v *validator) nextOrEnd(sc *scope, st *node, loc string) {
	next, hasNext := st.get("Next")
	end, hasEnd := st.get("End")
	if hasEnd && end.kind != kindBool {
		v.typeError(loc+"/End", "End", "Boolean")
		return
	}
	ends := hasEnd && end.b
	if ends {
		sc.terminal = true
	}
	switch {
	case hasNext && ends:
		v.schema(loc, "Only one of these fields is allowed: [Next, End]")
	case !hasNext && !ends:
		v.schema(loc, "One of these fields is required: [Next, End]")
	}
	if hasNext {
		if next.kind != kindString {
			v.typeError(loc+"/Next", "Next", "String")
			return
		}
		sc.addTarget(next.str, "Next", loc+"/Next")
	}
}

// commonPaths checks the data-flow fields most state types share.
func (v *validator) commonPaths(st *node, loc, ql string) {
	if ql == JSONata {
		// Parse reads "key.$" members of an ItemSelector in either language.
		if n, ok := st.get("ItemSelector"); ok {
			v.template(n, loc+"/ItemSelector", 0)
		}
		return
	}
	for _, k := range []string{"InputPath", "OutputPath", "ItemsPath"} {
		if n, ok := st.get(k); ok {
			v.optionalPath(n, loc+"/"+k, k, false)
		}
	}
	if n, ok := st.get("ResultPath"); ok {
		v.optionalPath(n, loc+"/ResultPath", "ResultPath", true)
	}
	for _, k := range []string{"Parameters", "ResultSelector", "ItemSelector"} {
		if n, ok := st.get(k); ok {
			if k == "ResultSelector" && n.kind != kindObject {
				v.typeError(loc+"/"+k, k, "Object")
				continue
			}
			v.template(n, loc+"/"+k, 0)
		}
	}
}

// optionalPath checks a path field that may be null.
func (v *validator) optionalPath(n *node, loc, field string, reference bool) {
	if n.kind == kindNull {
		return
	}
	v.path(n, loc, field, reference)
}

// path checks that n is a string holding a valid path (a reference path
// when reference is set).
func (v *validator) path(n *node, loc, field string, reference bool) bool {
	if n.kind != kindString {
		v.typeError(loc, field, "String")
		return false
	}
	p, err := parsePath(n.str)
	if err != nil {
		v.schema(loc, "The value for the field '%s' must be a valid JSONPath", field)
		return false
	}
	if reference && !p.IsReference() {
		v.schema(loc, "The value for the field '%s' must be a valid ReferencePath", field)
		return false
	}
	return true
}

// pathOrCall checks a string that may be a path or an intrinsic call, the
// value of a "key.$" field or of ErrorPath/CausePath.
func (v *validator) pathOrCall(n *node, loc, field string) {
	if n.kind != kindString {
		v.typeError(loc, field, "String")
		return
	}
	if isCall(n.str) {
		if _, err := parseCall(n.str); err == nil {
			return
		}
	} else if _, err := parsePath(n.str); err == nil {
		return
	}
	v.schema(loc, "The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call", field)
}

// template checks a payload template: every "key.$" value must be a path or
// an intrinsic call.
func (v *validator) template(n *node, loc string, depth int) {
	if depth > MaxDepth {
		v.schema(loc, "The payload template is nested too deeply")
		return
	}
	switch n.kind {
	case kindObject:
		for _, k := range n.keys {
			c := n.vals[k]
			if strings.HasSuffix(k, ".$") {
				v.pathOrCall(c, loc+"/"+k, k)
				continue
			}
			v.template(c, loc+"/"+k, depth+1)
		}
	case kindArray:
		for i, c := range n.items {
			v.template(c, fmt.Sprintf("%s[%d]", loc, i), depth+1)
		}
	}
}

// assign checks an Assign object: variable names, and in JSONPath states
// the "name.$" values.
func (v *validator) assign(n *node, loc, ql string) {
	if n.kind != kindObject {
		v.typeError(loc, "Assign", "Object")
		return
	}
	if ql == JSONPath {
		v.template(n, loc, 0)
	}
	v.variableNames(n, loc, ql)
}

// integer checks an integer field with a lower bound. In JSONata states the
// caller passes a "{% %}" string separately.
func (v *validator) integer(n *node, loc, field string, min int64) bool {
	if n.kind != kindNumber {
		v.typeError(loc, field, "Integer")
		return false
	}
	i, err := n.num.Int64()
	if err != nil {
		v.typeError(loc, field, "Integer")
		return false
	}
	if i < min {
		v.schema(loc, "The value of the field '%s' must be greater than or equal to %d", field, min)
		return false
	}
	return true
}

// number checks a numeric field within [min, max].
func (v *validator) number(n *node, loc, field string, min, max float64) {
	if n.kind != kindNumber {
		v.typeError(loc, field, "Number")
		return
	}
	f, err := n.num.Float64()
	if err != nil {
		v.typeError(loc, field, "Number")
		return
	}
	if f < min {
		v.schema(loc, "The value of the field '%s' must be greater than or equal to %s", field, trimFloat(min))
	} else if f > max {
		v.schema(loc, "The value of the field '%s' must be less than or equal to %s", field, trimFloat(max))
	}
}

func trimFloat(f float64) string { return strings.TrimSuffix(fmt.Sprintf("%g", f), ".0") }

// exclusive reports when obj holds more than one of names (listed in AWS's
// order).
func (v *validator) exclusive(obj *node, loc string, names ...string) int {
	count := 0
	for _, n := range names {
		if obj.has(n) {
			count++
		}
	}
	if count > 1 {
		v.schema(loc, "There should only be one of the following fields: [%s]", strings.Join(names, ", "))
	}
	return count
}

// intOrExpr checks a field that is an integer, or in JSONata a "{% %}" string.
func (v *validator) intOrExpr(st *node, key, loc, ql string, min int64) {
	n, ok := st.get(key)
	if !ok {
		return
	}
	if ql == JSONata && n.isJSONata() {
		return
	}
	v.integer(n, loc+"/"+key, key, min)
}
