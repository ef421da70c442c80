package asl

import (
	"fmt"
	"strings"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/intrinsic"
	"github.com/stepwise-sfn/stepwise/engine/jsonpath"
)

func parsePath(s string) (*jsonpath.Path, error)  { return jsonpath.Parse(s) }
func parseCall(s string) (*intrinsic.Call, error) { return intrinsic.Parse(s) }
func isCall(s string) bool                        { return intrinsic.IsCall(s) }

// task checks a Task state's Resource, timeouts and Credentials.
func (v *validator) task(st *node, loc, ql string) {
	if !v.required(st, loc, "Resource") {
		return
	}
	res, _ := st.get("Resource")
	if res.kind != kindString {
		v.typeError(loc+"/Resource", "Resource", "String")
	} else if !(ql == JSONata && res.isJSONata()) {
		v.resource(res.str, loc+"/Resource")
	}
	v.exclusive(st, loc, "TimeoutSecondsPath", "TimeoutSeconds")
	v.exclusive(st, loc, "HeartbeatSecondsPath", "HeartbeatSeconds")
	v.intOrExpr(st, "TimeoutSeconds", loc, ql, 1)
	v.intOrExpr(st, "HeartbeatSeconds", loc, ql, 1)
	if ql == JSONPath {
		for _, k := range []string{"TimeoutSecondsPath", "HeartbeatSecondsPath"} {
			if n, ok := st.get(k); ok {
				v.path(n, loc+"/"+k, k, true)
			}
		}
	}
	if c, ok := st.get("Credentials"); ok {
		// AWS reports only the missing RoleArn, not other members.
		if c.kind != kindObject {
			v.typeError(loc+"/Credentials", "Credentials", "Object")
		} else if !c.has("RoleArn") && !c.has("RoleArn.$") {
			v.schema(loc+"/Credentials", "The field 'RoleArn' is required but was missing")
		} else if ql == JSONPath {
			v.template(c, loc+"/Credentials", 0)
		}
	}
}

// resource checks a Task Resource ARN, and what an EXPRESS machine cannot run.
func (v *validator) resource(arn, loc string) {
	if !strings.HasPrefix(arn, "arn:") {
		v.schema(loc, "Value is not a valid resource ARN")
		return
	}
	if v.opts.StateMachineType != "EXPRESS" {
		return
	}
	parts := strings.SplitN(arn, ":", 7)
	switch {
	case len(parts) >= 6 && parts[2] == "states" && parts[5] == "activity":
		v.schema(loc, "Express state machine does not support Activity ARN")
	case strings.HasSuffix(arn, ".sync") || strings.Contains(arn, ".sync:"):
		v.schema(loc, "Express state machine does not support '.sync' service integration")
	case strings.HasSuffix(arn, ".waitForTaskToken"):
		v.schema(loc, "Express state machine does not support '.waitForTaskToken' service integration")
	}
}

// wait checks that a Wait state has exactly one of its four timing fields.
func (v *validator) wait(st *node, loc, ql string) {
	names := []string{"SecondsPath", "Seconds", "TimestampPath", "Timestamp"}
	switch v.exclusive(st, loc, names...) {
	case 0:
		v.schema(loc, "One of these fields is required: [%s]", strings.Join(names, ", "))
	case 1:
	default:
		return
	}
	v.intOrExpr(st, "Seconds", loc, ql, 0)
	if n, ok := st.get("Timestamp"); ok {
		switch {
		case n.kind != kindString:
			v.typeError(loc+"/Timestamp", "Timestamp", "String")
		case ql == JSONata && n.isJSONata():
		case !isRFC3339(n.str):
			v.schema(loc+"/Timestamp", "String does not match RFC3339 timestamp")
		}
	}
	if ql == JSONPath {
		for _, k := range []string{"SecondsPath", "TimestampPath"} {
			if n, ok := st.get(k); ok {
				v.path(n, loc+"/"+k, k, true)
			}
		}
	}
}

// isRFC3339 reports whether s is an RFC 3339 date-time with an upper-case
// T and a zone ("2016-03-14T01:59:00Z", "...00.5+01:00").
func isRFC3339(s string) bool {
	if len(s) < len("2006-01-02T15:04:05Z") || s[10] != 'T' {
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

// fail checks a Fail state's Error and Cause.
func (v *validator) fail(st *node, loc, ql string) {
	for _, pair := range [][2]string{{"Error", "ErrorPath"}, {"Cause", "CausePath"}} {
		v.exclusive(st, loc, pair[0], pair[1])
		if n, ok := st.get(pair[0]); ok && n.kind != kindString {
			v.typeError(loc+"/"+pair[0], pair[0], "String")
		}
		if n, ok := st.get(pair[1]); ok && ql == JSONPath {
			v.pathOrCall(n, loc+"/"+pair[1], pair[1])
		}
	}
}

// parallel checks a Parallel state's branches, each its own scope.
func (v *validator) parallel(st *node, loc, ql string, depth int) {
	if !v.required(st, loc, "Branches") {
		return
	}
	b, _ := st.get("Branches")
	if b.kind != kindArray {
		v.typeError(loc+"/Branches", "Branches", "Array")
		return
	}
	if len(b.items) == 0 {
		v.schema(loc+"/Branches", "The field 'Branches' should be non-empty")
	}
	for i, br := range b.items {
		l := fmt.Sprintf("%s/Branches[%d]", loc, i)
		if br.kind != kindObject {
			v.typeError(l, "Branches", "Object")
			continue
		}
		v.nested(br, l, ql, branchFields, depth)
	}
}

// nested checks a Parallel branch or Map processor, whose own
// QueryLanguage may override the state's.
func (v *validator) nested(obj *node, loc, ql string, allowed map[string]bool, depth int) {
	if n, ok := obj.get("QueryLanguage"); ok && v.queryLanguage(n, loc+"/QueryLanguage") {
		ql = n.str
	}
	v.stateMachine(obj, loc, ql, allowed, depth+1)
}

// distributedOnly are Map fields that need ProcessorConfig Mode DISTRIBUTED.
// ToleratedFailure* are not among them: AWS accepts them on an inline Map
// (the TOLERATED_FAILURE_PERCENTAGE conformance case).
var distributedOnly = []string{"ItemReader", "ResultWriter", "ItemBatcher"}

// mapState checks a Map state's processor, mode and limits.
func (v *validator) mapState(st *node, loc, ql string, depth int) {
	mode := "INLINE"
	switch v.exclusive(st, loc, "ItemProcessor", "Iterator") {
	case 0:
		v.schema(loc, "These fields are required: [ItemProcessor]")
	case 1:
		key := "ItemProcessor"
		if st.has("Iterator") {
			key = "Iterator"
		}
		p, _ := st.get(key)
		l := loc + "/" + key
		if p.kind != kindObject {
			v.typeError(l, key, "Object")
			break
		}
		mode = v.processorConfig(p, l)
		v.nested(p, l, ql, processorFields, depth)
	}
	if mode != "DISTRIBUTED" {
		for _, k := range distributedOnly {
			if st.has(k) {
				v.schema(loc, "Field '%s' is only supported for Map states in DISTRIBUTED mode", k)
			}
		}
	}
	v.exclusive(st, loc, "MaxConcurrencyPath", "MaxConcurrency")
	v.exclusive(st, loc, "ToleratedFailureCountPath", "ToleratedFailureCount")
	v.exclusive(st, loc, "ToleratedFailurePercentagePath", "ToleratedFailurePercentage")
	v.exclusive(st, loc, "ItemSelector", "Parameters")
	v.intOrExpr(st, "MaxConcurrency", loc, ql, 0)
	v.intOrExpr(st, "ToleratedFailureCount", loc, ql, 0)
	if n, ok := st.get("ToleratedFailurePercentage"); ok && !(ql == JSONata && n.isJSONata()) {
		v.number(n, loc+"/ToleratedFailurePercentage", "ToleratedFailurePercentage", 0, 100)
	}
	if n, ok := st.get("Label"); ok && n.kind != kindString {
		v.typeError(loc+"/Label", "Label", "String")
	}
	if ql == JSONPath {
		for _, k := range []string{"MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath"} {
			if n, ok := st.get(k); ok {
				v.path(n, loc+"/"+k, k, true)
			}
		}
	}
	if n, ok := st.get("ItemBatcher"); ok {
		v.itemBatcher(n, loc+"/ItemBatcher", ql)
	}
	for _, k := range []string{"ItemReader", "ResultWriter"} {
		if n, ok := st.get(k); ok && n.kind != kindObject {
			v.typeError(loc+"/"+k, k, "Object")
		}
	}
}

// processorConfig checks an ItemProcessor's ProcessorConfig and returns its mode.
func (v *validator) processorConfig(p *node, loc string) string {
	pc, ok := p.get("ProcessorConfig")
	if !ok {
		return "INLINE"
	}
	l := loc + "/ProcessorConfig"
	if pc.kind != kindObject {
		v.typeError(l, "ProcessorConfig", "Object")
		return "INLINE"
	}
	v.unknownFields(pc, l, fieldSet("Mode", "ExecutionType"))
	mode := "INLINE"
	if m, ok := pc.get("Mode"); ok {
		if m.kind != kindString || (m.str != "INLINE" && m.str != "DISTRIBUTED") {
			v.schema(l+"/Mode", "The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]")
		} else {
			mode = m.str
		}
	}
	et, hasET := pc.get("ExecutionType")
	if hasET && (et.kind != kindString || (et.str != "STANDARD" && et.str != "EXPRESS")) {
		v.schema(l+"/ExecutionType", "The field 'ExecutionType' should have one of these values: [STANDARD, EXPRESS]")
	}
	if mode == "DISTRIBUTED" && !hasET {
		v.schema(l, "These fields are required: [ExecutionType]")
	}
	return mode
}

func (v *validator) itemBatcher(n *node, loc, ql string) {
	if n.kind != kindObject {
		v.typeError(loc, "ItemBatcher", "Object")
		return
	}
	v.unknownFields(n, loc, fieldSet("MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch",
		"MaxInputBytesPerBatchPath", "BatchInput"))
	v.exclusive(n, loc, "MaxItemsPerBatchPath", "MaxItemsPerBatch")
	v.exclusive(n, loc, "MaxInputBytesPerBatchPath", "MaxInputBytesPerBatch")
	v.intOrExpr(n, "MaxItemsPerBatch", loc, ql, 0)
	v.intOrExpr(n, "MaxInputBytesPerBatch", loc, ql, 0)
	for _, k := range []string{"MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"} {
		if p, ok := n.get(k); ok {
			v.path(p, loc+"/"+k, k, true)
		}
	}
	if b, ok := n.get("BatchInput"); ok {
		v.template(b, loc+"/BatchInput", 0)
	}
}

// errorEquals checks a Retrier's or Catcher's ErrorEquals; States.ALL must
// stand alone.
func (v *validator) errorEquals(obj *node, loc string) bool {
	n, _ := obj.get("ErrorEquals")
	l := loc + "/ErrorEquals"
	if n.kind != kindArray {
		v.typeError(l, "ErrorEquals", "Array")
		return false
	}
	if len(n.items) == 0 {
		v.schema(l, "The field 'ErrorEquals' should be non-empty")
		return false
	}
	all := false
	for i, e := range n.items {
		if e.kind != kindString {
			v.typeError(fmt.Sprintf("%s[%d]", l, i), "ErrorEquals", "String")
			return false
		}
		if e.str == "States.ALL" {
			all = true
		}
	}
	if all && len(n.items) > 1 {
		v.schema(l, "States.ALL must appear alone in ErrorEquals")
		return false
	}
	return all
}

var retrierFields = fieldSet("ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate",
	"MaxDelaySeconds", "JitterStrategy", "Comment")

// retry checks a Retry field.
func (v *validator) retry(n *node, loc string) {
	if n.kind != kindArray {
		v.typeError(loc, "Retry", "Array")
		return
	}
	for i, r := range n.items {
		l := fmt.Sprintf("%s[%d]", loc, i)
		if r.kind != kindObject {
			v.typeError(l, "Retry", "Object")
			continue
		}
		v.unknownFields(r, l, retrierFields)
		if v.required(r, l, "ErrorEquals") && v.errorEquals(r, l) && i != len(n.items)-1 {
			v.schema(l+"/ErrorEquals", "States.ALL must appear in the last Retrier")
		}
		if x, ok := r.get("IntervalSeconds"); ok {
			v.integer(x, l+"/IntervalSeconds", "IntervalSeconds", 1)
		}
		if x, ok := r.get("MaxAttempts"); ok {
			v.integer(x, l+"/MaxAttempts", "MaxAttempts", 0)
		}
		if x, ok := r.get("MaxDelaySeconds"); ok {
			v.integer(x, l+"/MaxDelaySeconds", "MaxDelaySeconds", 1)
		}
		if x, ok := r.get("BackoffRate"); ok {
			v.number(x, l+"/BackoffRate", "BackoffRate", 1, 1e18)
		}
		if x, ok := r.get("JitterStrategy"); ok && (x.kind != kindString || (x.str != "FULL" && x.str != "NONE")) {
			v.schema(l+"/JitterStrategy", "The field 'JitterStrategy' should have one of these values: [FULL, NONE]")
		}
		if x, ok := r.get("Comment"); ok && x.kind != kindString {
			v.typeError(l+"/Comment", "Comment", "String")
		}
	}
}

// catch checks a Catch field; each Next is a transition of the scope.
func (v *validator) catch(sc *scope, n *node, loc, ql string) {
	if n.kind != kindArray {
		v.typeError(loc, "Catch", "Array")
		return
	}
	allowed := fieldSet("ErrorEquals", "Next", "Comment", "Assign")
	if ql == JSONata {
		allowed["Output"] = true
	} else {
		allowed["ResultPath"] = true
	}
	for i, c := range n.items {
		l := fmt.Sprintf("%s[%d]", loc, i)
		if c.kind != kindObject {
			v.typeError(l, "Catch", "Object")
			continue
		}
		v.unknownFields(c, l, allowed)
		if !v.required(c, l, "ErrorEquals", "Next") {
			continue
		}
		if v.errorEquals(c, l) && i != len(n.items)-1 {
			v.schema(l+"/ErrorEquals", "States.ALL must appear in the last Catcher")
		}
		if next, _ := c.get("Next"); next.kind != kindString {
			v.typeError(l+"/Next", "Next", "String")
		} else {
			sc.addTarget(next.str, "Next", l+"/Next")
		}
		if rp, ok := c.get("ResultPath"); ok && ql == JSONPath {
			v.optionalPath(rp, l+"/ResultPath", "ResultPath", true)
		}
		if a, ok := c.get("Assign"); ok {
			v.assign(a, l+"/Assign", ql)
		}
	}
}
