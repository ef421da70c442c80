package interp_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/interp"
)

// assigned returns the assignedVariables of every StateExited event, in
// order, as "State: name=value ..." lines.
func assigned(r *interp.Run) string {
	var lines []string
	for _, e := range r.Events() {
		d, ok := e.Details.(*history.StateExitedDetails)
		if !ok || d.AssignedVariables == nil {
			continue
		}
		b, _ := json.Marshal(d.AssignedVariables)
		lines = append(lines, d.Name+": "+string(b))
	}
	return strings.Join(lines, "\n")
}

func TestVariables(t *testing.T) {
	cases := []struct {
		name, def, input string
		status           interp.Status
		output           string
		assigned         string
		cause            string
	}{{
		name: "every binding is computed before any is set",
		def: `{"QueryLanguage":"JSONata","StartAt":"A","States":{
			"A":{"Type":"Pass","Assign":{"x":1,"y":2},"Next":"B"},
			"B":{"Type":"Pass","Assign":{"x":"{% $y %}","y":"{% $x %}"},"Output":{"x":"{% $x %}","y":"{% $y %}"},"End":true}}}`,
		input: `{}`, status: interp.Succeeded, output: `{"x":1,"y":2}`,
		assigned: "A: {\"x\":\"1\",\"y\":\"2\"}\nB: {\"x\":\"2\",\"y\":\"1\"}",
	}, {
		name: "JSONPath Assign reads the result, $var paths and intrinsics read variables",
		def: `{"StartAt":"A","States":{
			"A":{"Type":"Pass","Parameters":{"n.$":"$.in"},"Assign":{"n.$":"$.n","lit":"$.not.a.path"},"Next":"B"},
			"B":{"Type":"Pass","Parameters":{"n.$":"$n","s.$":"States.Format('{}-{}', $n, $lit)"},"End":true}}}`,
		input: `{"in":7}`, status: interp.Succeeded, output: `{"n":7,"s":"7-$.not.a.path"}`,
		assigned: `A: {"lit":"\"$.not.a.path\"","n":"7"}`,
	}, {
		name: "a Map iteration reads outer variables and its own assignments stay inside",
		def: `{"QueryLanguage":"JSONata","StartAt":"A","States":{
			"A":{"Type":"Pass","Assign":{"base":10},"Next":"M"},
			"M":{"Type":"Map","Items":"{% [1,2] %}","ItemProcessor":{"StartAt":"P","States":{
				"P":{"Type":"Pass","Assign":{"inner":"{% $states.input + $base %}"},"Output":"{% $exists($inner) %}","Next":"Q"},
				"Q":{"Type":"Pass","Output":"{% $inner %}","End":true}}},
			"Next":"B"},
			"B":{"Type":"Pass","Output":{"r":"{% $states.input %}","inner":"{% $exists($inner) %}"},"End":true}}}`,
		input: `{}`, status: interp.Succeeded, output: `{"r":[11,12],"inner":false}`,
	}, {
		name: "a Map iteration may not bind an outer variable",
		def: `{"QueryLanguage":"JSONata","StartAt":"A","States":{
			"A":{"Type":"Pass","Assign":{"base":10},"Next":"M"},
			"M":{"Type":"Map","Items":"{% [1] %}","ItemProcessor":{"StartAt":"P","States":{
				"P":{"Type":"Pass","Assign":{"base":"{% $base + 1 %}"},"End":true}}},"End":true}}}`,
		input: `{}`, status: interp.Failed,
		cause: "An error occurred while executing the state 'P' (entered at the event id #7). Cannot bind value '11' to variable 'base' as it belongs to an outer scope.",
	}, {
		name: "a Parallel branch may not bind an outer variable, in JSONPath too",
		def: `{"StartAt":"A","States":{
			"A":{"Type":"Pass","Assign":{"v":"outer"},"Next":"P"},
			"P":{"Type":"Parallel","Branches":[
				{"StartAt":"B","States":{"B":{"Type":"Pass","Assign":{"mine":1},"Next":"C"},"C":{"Type":"Pass","Assign":{"mine":2,"v":"inner"},"End":true}}}],"End":true}}}`,
		input: `{}`, status: interp.Failed,
		cause: "An error occurred while executing the state 'C' (entered at the event id #8). Cannot bind value '\"inner\"' to variable 'v' as it belongs to an outer scope.",
	}, {
		name: "a distributed Map child sees no outer variables",
		def: `{"QueryLanguage":"JSONata","StartAt":"A","States":{
			"A":{"Type":"Pass","Assign":{"base":10},"Next":"M"},
			"M":{"Type":"Map","Items":"{% [1] %}","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{
				"P":{"Type":"Pass","Output":"{% $exists($base) %}","End":true}}},"End":true}}}`,
		input: `{}`, status: interp.Succeeded, output: `[false]`,
	}, {
		name: "a Parallel branch reads outer variables",
		def: `{"QueryLanguage":"JSONata","StartAt":"A","States":{
			"A":{"Type":"Pass","Assign":{"v":"outer"},"Next":"P"},
			"P":{"Type":"Parallel","Arguments":{"a":1},"Branches":[
				{"StartAt":"B","States":{"B":{"Type":"Pass","Output":"{% $v & $string($states.input.a) %}","End":true}}}],
			"Output":"{% $states.result[0] %}","End":true}}}`,
		input: `{}`, status: interp.Succeeded, output: `"outer1"`,
	}, {
		name:  "an undefined result fails with QueryEvaluationError",
		def:   `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Output":{"x":"{% $nope %}"},"End":true}}}`,
		input: `{}`, status: interp.Failed,
		cause: "An error occurred while executing the state 'A' (entered at the event id #2). The JSONata expression '$nope' specified for the field 'Output/x' returned nothing (undefined).",
	}, {
		name: "an evaluation error is caught, $states.errorOutput in the catcher",
		def: `{"QueryLanguage":"JSONata","StartAt":"A","States":{
			"A":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}}],"Output":"{% $nope() %}","Catch":[{"ErrorEquals":["States.QueryEvaluationError"],"Assign":{"e":"{% $states.errorOutput.Error %}"},"Output":"{% $states.errorOutput.Error %}","Next":"B"}],"End":true},
			"B":{"Type":"Pass","Output":"{% $e %}","End":true}}}`,
		input: `{}`, status: interp.Succeeded, output: `"States.QueryEvaluationError"`,
		assigned: `A: {"e":"\"States.QueryEvaluationError\""}`,
	}, {
		name: "Choice Condition, rule Assign and Output",
		def: `{"QueryLanguage":"JSONata","StartAt":"C","States":{
			"C":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.n > 5 %}","Assign":{"big":true},"Output":{"n":"{% $states.input.n * 2 %}"},"Next":"D"}],"Default":"D","Assign":{"big":false}},
			"D":{"Type":"Pass","Output":{"n":"{% $states.input.n %}","big":"{% $big %}"},"End":true}}}`,
		input: `{"n":6}`, status: interp.Succeeded, output: `{"n":12,"big":true}`,
	}, {
		name: "Wait Seconds from an expression, Fail Error and Cause from expressions",
		def: `{"QueryLanguage":"JSONata","StartAt":"W","States":{
			"W":{"Type":"Wait","Seconds":"{% $states.input.s %}","Next":"F"},
			"F":{"Type":"Fail","Error":"{% 'E' & $string($states.input.s) %}","Cause":"{% $states.context.State.Name %}"}}}`,
		input: `{"s":3}`, status: interp.Failed, cause: "F",
	}, {
		name:  "Map Items must be an array",
		def:   `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":"{% 'x' %}","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
		input: `{}`, status: interp.Failed,
		cause: "An error occurred while executing the state 'M' (entered at the event id #2). The JSONata expression ''x'' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'string' for value: \"x\"",
	}, {
		name: "a distributed Map's ItemBatcher evaluates its expressions",
		def: `{"QueryLanguage":"JSONata","StartAt":"A","States":{
			"A":{"Type":"Pass","Assign":{"size":2},"Next":"M"},
			"M":{"Type":"Map","Items":"{% $states.input.xs %}",
				"ItemBatcher":{"MaxItemsPerBatch":"{% $size %}","MaxInputBytesPerBatch":"{% 1024 * 256 %}","BatchInput":{"tag":"{% $states.input.tag %}","n":1}},
				"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{
					"P":{"Type":"Pass","Output":{"t":"{% $states.input.BatchInput.tag %}","k":"{% $count($states.input.Items) %}"},"End":true}}},"End":true}}}`,
		input: `{"xs":[1,2,3],"tag":"b"}`, status: interp.Succeeded, output: `[{"t":"b","k":2},{"t":"b","k":1}]`,
	}, {
		name:  "ItemBatcher's MaxItemsPerBatch must be an integer",
		def:   `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":[1],"ItemBatcher":{"MaxItemsPerBatch":"{% 1.5 %}"},"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
		input: `{}`, status: interp.Failed,
		cause: "An error occurred while executing the state 'M' (entered at the event id #2). The JSONata expression '1.5' specified for the field 'ItemBatcher/MaxItemsPerBatch' returned an unexpected result type. Expected 'integer', but was 'number' for value: 1.5",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, c.def, c.input, nil)
			if r.Status() != c.status {
				name, cause := r.Error()
				t.Fatalf("status %v (%s: %s), want %v\n%s", r.Status(), name, cause, c.status, types(r))
			}
			if c.output != "" && string(r.Output()) != c.output {
				t.Errorf("output %s, want %s", r.Output(), c.output)
			}
			if c.cause != "" {
				if _, cause := r.Error(); cause != c.cause {
					t.Errorf("cause %q, want %q", cause, c.cause)
				}
			}
			if c.assigned != "" {
				if got := assigned(r); got != c.assigned {
					t.Errorf("assigned:\n%s\nwant:\n%s", got, c.assigned)
				}
			}
		})
	}
}

func TestEvaluationFailedEvent(t *testing.T) {
	r := run(t, `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"r":"{% $nope %}"},"End":true}}}`, `{}`, nil)
	if got, want := types(r), "1<0:ExecutionStarted 2<0:PassStateEntered 3<0:EvaluationFailed 4<3:ExecutionFailed"; got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
	d := r.Events()[2].Details.(*history.EvaluationFailedDetails)
	if d.Location != "Assign/r" || d.State != "A" || d.Error != "States.QueryEvaluationError" {
		t.Errorf("details %+v", d)
	}
}

func TestVariableSizeLimit(t *testing.T) {
	big := strings.Repeat("x", interp.MaxVariableBytes)
	r := run(t, `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"v":"{% $states.input.s %}"},"End":true}}}`,
		`{"s":"`+big+`"}`, nil)
	name, cause := r.Error()
	if r.Status() != interp.Failed || name != "States.DataLimitExceeded" || !strings.Contains(cause, "'v'") {
		t.Errorf("status %v %s: %s", r.Status(), name, cause)
	}
}

// $now() reports the instant of evaluation on the run's clock: a Wait
// state's Output is evaluated after the wait.
func TestNowIsEvaluationTime(t *testing.T) {
	r := run(t, `{"QueryLanguage":"JSONata","StartAt":"A","States":{
		"A":{"Type":"Pass","Output":{"t0":"{% $now() %}"},"Next":"W"},
		"W":{"Type":"Wait","Seconds":90,"Output":{"t0":"{% $states.input.t0 %}","t1":"{% $now() %}"},"End":true}}}`, `{}`, nil)
	var out struct{ T0, T1 time.Time }
	if err := json.Unmarshal(r.Output(), &out); err != nil {
		t.Fatalf("output %s: %v", r.Output(), err)
	}
	if !out.T0.Equal(r.StartDate()) || out.T1.Sub(out.T0) != 90*time.Second {
		t.Errorf("t0 %v t1 %v, want the start %v and 90s later", out.T0, out.T1, r.StartDate())
	}
}

// The variables of an execution are bounded as a whole: 42 variables of
// 250,000 bytes each pass every per-Assign limit but not the total.
func TestScopeVariableLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"QueryLanguage":"JSONata","StartAt":"S0","States":{`)
	const n = 42
	for i := 0; i < n; i++ {
		next := fmt.Sprintf(`"Next":"S%d"`, i+1)
		if i == n-1 {
			next = `"End":true`
		}
		fmt.Fprintf(&b, `"S%d":{"Type":"Pass","Assign":{"v%d":"{%% $states.input.s %%}"},%s},`, i, i, next)
	}
	def := strings.TrimSuffix(b.String(), ",") + `}}`
	r := run(t, def, `{"s":"`+strings.Repeat("x", 250000)+`"}`, nil)
	name, cause := r.Error()
	if r.Status() != interp.Failed || name != "States.DataLimitExceeded" || !strings.Contains(cause, "10485760") {
		t.Errorf("status %v %s: %s", r.Status(), name, cause)
	}
	// the 42nd assignment is the one that fails
	if got := assigned(r); strings.Count(got, "\n")+1 != n-1 {
		t.Errorf("%d states assigned, want %d", strings.Count(got, "\n")+1, n-1)
	}
}
