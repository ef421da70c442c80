package asl

import (
	"fmt"
	"strings"
	"testing"
)

// machine wraps one state named A (plus extra states) in a definition.
func machine(stateA string, extra ...string) string {
	states := `"A": ` + stateA
	for _, e := range extra {
		states += ", " + e
	}
	return `{"StartAt": "A", "States": {` + states + `}}`
}

func TestValidateRules(t *testing.T) {
	long := strings.Repeat("x", 81)
	tests := []struct {
		name, def, typ string
		code, msg, loc string
	}{
		{"empty string", " ", "", CodeSchemaValidationFailed, "Definition must be a valid JSON object", ""},
		{"array", `[1]`, "", CodeSchemaValidationFailed, "Definition must be a valid JSON object", ""},
		{"not json", "not a definition", "", CodeInvalidJSONDescription,
			"Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (String)\"not a definition\"; line: 1, column: 4]",
			"[Source: (String)\"not a definition\"; line: 1, column: 4]"},
		{"bad char", `{"a": @}`, "", CodeInvalidJSONDescription,
			"Unexpected character ('@' (code 64)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (String)\"{\"a\": @}\"; line: 1, column: 8]",
			"[Source: (String)\"{\"a\": @}\"; line: 1, column: 8]"},
		{"empty object", `{}`, "", CodeSchemaValidationFailed, "These fields are required: [States, StartAt]", "/"},
		{"no StartAt", `{"States": {"A": {"Type": "Pass", "End": true}}}`, "", CodeSchemaValidationFailed, "These fields are required: [StartAt]", "/"},
		{"unknown top field", `{"Coment": "x", "StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}`, "",
			CodeSchemaValidationFailed, "Field 'Coment' is not supported", "/"},
		{"unknown state field", machine(`{"Type": "Pass", "End": true, "Foo": 1}`), "",
			CodeSchemaValidationFailed, "Field 'Foo' is not supported", "/States/A"},
		{"bad type", machine(`{"Type": "Nope", "End": true}`), "", CodeSchemaValidationFailed,
			"The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]", "/States/A/Type"},
		{"no type", machine(`{"End": true}`), "", CodeSchemaValidationFailed, "These fields are required: [Type]", "/States/A"},
		{"timeout zero", `{"TimeoutSeconds": 0, "StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}`, "",
			CodeSchemaValidationFailed, "The value of the field 'TimeoutSeconds' must be greater than or equal to 1", "/TimeoutSeconds"},
		{"next missing target", machine(`{"Type": "Pass", "Next": "B"}`), "", CodeMissingTransitionTarget, "Missing 'Next' target: B", "/States/A/Next"},
		{"startat missing", `{"StartAt": "Z", "States": {"A": {"Type": "Pass", "End": true}}}`, "", CodeMissingTransitionTarget, "Missing 'StartAt' target: Z", "/StartAt"},
		{"default missing", machine(`{"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": true, "Next": "B"}], "Default": "C"}`, `"B": {"Type": "Succeed"}`), "",
			CodeMissingTransitionTarget, "Missing 'Default' target: C", "/States/A/Default"},
		{"catch next missing", machine(`{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Z"}]}`), "",
			CodeMissingTransitionTarget, "Missing 'Next' target: Z", "/States/A/Catch[0]/Next"},
		{"unreachable", machine(`{"Type": "Pass", "End": true}`, `"B": {"Type": "Pass", "End": true}`), "",
			CodeMissingTransitionTarget, `State "B" is not reachable.`, "/States/B"},
		{"next and end", machine(`{"Type": "Pass", "Next": "A", "End": true}`), "", CodeSchemaValidationFailed, "Only one of these fields is allowed: [Next, End]", "/States/A"},
		{"neither next nor end", machine(`{"Type": "Pass"}`), "", CodeSchemaValidationFailed, "One of these fields is required: [Next, End]", "/States/A"},
		{"succeed with next", machine(`{"Type": "Succeed", "Next": "A"}`), "", CodeSchemaValidationFailed, "Field 'Next' is not supported", "/States/A"},
		{"choice with end", machine(`{"Type": "Choice", "End": true, "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "A"}]}`), "",
			CodeSchemaValidationFailed, "Field 'End' is not supported", "/States/A"},
		{"long name", `{"StartAt": "` + long + `", "States": {"` + long + `": {"Type": "Pass", "End": true}}}`, "",
			CodeSchemaValidationFailed, "State name '" + long + "' exceeds the maximum length of 80 characters", "/States/" + long},
		{"duplicate nested name", machine(`{"Type": "Parallel", "End": true, "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}]}`), "",
			CodeSchemaValidationFailed, "Duplicate State name: A", "/States/A/Branches[0]/States/A"},
		{"states.all not alone", machine(`{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true, "Retry": [{"ErrorEquals": ["States.ALL", "X"]}]}`), "",
			CodeSchemaValidationFailed, "States.ALL must appear alone in ErrorEquals", "/States/A/Retry[0]/ErrorEquals"},
		{"states.all not last", machine(`{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true, "Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}]}`), "",
			CodeSchemaValidationFailed, "States.ALL must appear in the last Retrier", "/States/A/Retry[0]/ErrorEquals"},
		{"error equals empty", machine(`{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true, "Retry": [{"ErrorEquals": []}]}`), "",
			CodeSchemaValidationFailed, "The field 'ErrorEquals' should be non-empty", "/States/A/Retry[0]/ErrorEquals"},
		{"max attempts negative", machine(`{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true, "Retry": [{"ErrorEquals": ["X"], "MaxAttempts": -1}]}`), "",
			CodeSchemaValidationFailed, "The value of the field 'MaxAttempts' must be greater than or equal to 0", "/States/A/Retry[0]/MaxAttempts"},
		{"backoff below one", machine(`{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true, "Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.5}]}`), "",
			CodeSchemaValidationFailed, "The value of the field 'BackoffRate' must be greater than or equal to 1", "/States/A/Retry[0]/BackoffRate"},
		{"interval zero", machine(`{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true, "Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": 0}]}`), "",
			CodeSchemaValidationFailed, "The value of the field 'IntervalSeconds' must be greater than or equal to 1", "/States/A/Retry[0]/IntervalSeconds"},
		{"jitter", machine(`{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true, "Retry": [{"ErrorEquals": ["X"], "JitterStrategy": "HALF"}]}`), "",
			CodeSchemaValidationFailed, "The field 'JitterStrategy' should have one of these values: [FULL, NONE]", "/States/A/Retry[0]/JitterStrategy"},
		{"task without resource", machine(`{"Type": "Task", "End": true}`), "", CodeSchemaValidationFailed, "These fields are required: [Resource]", "/States/A"},
		{"choice without choices", machine(`{"Type": "Choice", "Default": "A"}`), "", CodeSchemaValidationFailed, "These fields are required: [Choices]", "/States/A"},
		{"parallel without branches", machine(`{"Type": "Parallel", "End": true}`), "", CodeSchemaValidationFailed, "These fields are required: [Branches]", "/States/A"},
		{"map without processor", machine(`{"Type": "Map", "End": true}`), "", CodeSchemaValidationFailed, "These fields are required: [ItemProcessor]", "/States/A"},
		{"wait two fields", machine(`{"Type": "Wait", "Seconds": 1, "Timestamp": "2016-03-14T01:59:00Z", "End": true}`), "",
			CodeSchemaValidationFailed, "There should only be one of the following fields: [SecondsPath, Seconds, TimestampPath, Timestamp]", "/States/A"},
		{"wait no field", machine(`{"Type": "Wait", "End": true}`), "",
			CodeSchemaValidationFailed, "One of these fields is required: [SecondsPath, Seconds, TimestampPath, Timestamp]", "/States/A"},
		{"wait bad timestamp", machine(`{"Type": "Wait", "Timestamp": "2016-13-05T21:29:29Z", "End": true}`), "",
			CodeSchemaValidationFailed, "String does not match RFC3339 timestamp", "/States/A/Timestamp"},
		{"wait jsonata timestamp in jsonpath", machine(`{"Type": "Wait", "Timestamp": "{% '2016-03-14T01:59:00Z' %}", "End": true}`), "",
			CodeSchemaValidationFailed, "String does not match RFC3339 timestamp", "/States/A/Timestamp"},
		{"bad input path", machine(`{"Type": "Pass", "InputPath": "a.b", "End": true}`), "",
			CodeSchemaValidationFailed, "The value for the field 'InputPath' must be a valid JSONPath", "/States/A/InputPath"},
		{"result path not reference", machine(`{"Type": "Pass", "ResultPath": "$.a[*]", "End": true}`), "",
			CodeSchemaValidationFailed, "The value for the field 'ResultPath' must be a valid ReferencePath", "/States/A/ResultPath"},
		{"bad template path", machine(`{"Type": "Pass", "Parameters": {"x.$": "nope"}, "End": true}`), "",
			CodeSchemaValidationFailed, "The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call", "/States/A/Parameters/x.$"},
		{"bad intrinsic", machine(`{"Type": "Pass", "Parameters": {"x.$": "States.Nope(1)"}, "End": true}`), "",
			CodeSchemaValidationFailed, "The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call", "/States/A/Parameters/x.$"},
		{"express activity", machine(`{"Type": "Task", "Resource": "arn:aws:states:us-east-1:111111111111:activity:a", "End": true}`), "EXPRESS",
			CodeSchemaValidationFailed, "Express state machine does not support Activity ARN", "/States/A/Resource"},
		{"express sync", machine(`{"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2", "End": true}`), "EXPRESS",
			CodeSchemaValidationFailed, "Express state machine does not support '.sync' service integration", "/States/A/Resource"},
		{"express callback", machine(`{"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": true}`), "EXPRESS",
			CodeSchemaValidationFailed, "Express state machine does not support '.waitForTaskToken' service integration", "/States/A/Resource"},
		{"jsonata downgrade", `{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "QueryLanguage": "JSONPath"}}}`, "",
			CodeSchemaValidationFailed, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine", "/States/A"},
		{"jsonpath field in jsonata", `{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "InputPath": "$"}}}`, "",
			CodeSchemaValidationFailed, "The field 'InputPath' is not supported for the JSONata query language", "/States/A"},
		{"jsonata field in jsonpath", machine(`{"Type": "Pass", "End": true, "Output": {}}`), "",
			CodeSchemaValidationFailed, "The field 'Output' is not supported for the JSONPath query language", "/States/A"},
		{"credentials", machine(`{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true, "Credentials": {"X": 1}}`), "",
			CodeSchemaValidationFailed, "The field 'RoleArn' is required but was missing", "/States/A/Credentials"},
		{"map mode", machine(`{"Type": "Map", "End": true, "ItemProcessor": {"ProcessorConfig": {"Mode": "X"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}`), "",
			CodeSchemaValidationFailed, "The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]", "/States/A/ItemProcessor/ProcessorConfig/Mode"},
		{"distributed needs execution type", machine(`{"Type": "Map", "End": true, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}`), "",
			CodeSchemaValidationFailed, "These fields are required: [ExecutionType]", "/States/A/ItemProcessor/ProcessorConfig"},
		{"item reader inline", machine(`{"Type": "Map", "End": true, "ItemReader": {"Resource": "arn:aws:states:::s3:getObject"}, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}`), "",
			CodeSchemaValidationFailed, "Field 'ItemReader' is only supported for Map states in DISTRIBUTED mode", "/States/A"},
		{"max concurrency negative", machine(`{"Type": "Map", "End": true, "MaxConcurrency": -1, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}`), "",
			CodeSchemaValidationFailed, "The value of the field 'MaxConcurrency' must be greater than or equal to 0", "/States/A/MaxConcurrency"},
		{"tolerated percentage", machine(`{"Type": "Map", "End": true, "ToleratedFailurePercentage": 101, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}`), "",
			CodeSchemaValidationFailed, "The value of the field 'ToleratedFailurePercentage' must be less than or equal to 100", "/States/A/ToleratedFailurePercentage"},
		{"choice rule without operator", machine(`{"Type": "Choice", "Choices": [{"Variable": "$.a", "Next": "A"}]}`), "",
			CodeSchemaValidationFailed, "A choice rule must have one comparison operator, or And, Or or Not", "/States/A/Choices[0]"},
		{"choice operand type", machine(`{"Type": "Choice", "Choices": [{"Variable": "$.a", "NumericEquals": "1", "Next": "A"}]}`), "",
			CodeSchemaValidationFailed, "The field 'NumericEquals' should be of type Number", "/States/A/Choices[0]/NumericEquals"},
		{"nested rule with next", machine(`{"Type": "Choice", "Choices": [{"Not": {"Variable": "$.a", "IsNull": true, "Next": "A"}, "Next": "A"}]}`), "",
			CodeSchemaValidationFailed, "Field 'Next' is not supported", "/States/A/Choices[0]/Not"},
		{"end not boolean", machine(`{"Type": "Pass", "End": "yes"}`), "",
			CodeSchemaValidationFailed, "The field 'End' should be of type Boolean", "/States/A/End"},
		{"fail error and errorpath", machine(`{"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}`), "",
			CodeSchemaValidationFailed, "There should only be one of the following fields: [Error, ErrorPath]", "/States/A"},
		{"no terminal state", machine(`{"Type": "Pass", "Next": "A"}`), "",
			CodeMissingEndState, "Workflow has no terminal state", "/"},
		{"no terminal state in branch", machine(`{"Type": "Parallel", "End": true, "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "Next": "B"}}}]}`), "",
			CodeMissingEndState, "Workflow has no terminal state", "/States/A/Branches[0]"},
		{"jsonata item selector template", `{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Map", "End": true, "ItemSelector": {"x.$": "nope"}, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}`, "",
			CodeSchemaValidationFailed, "The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call", "/States/A/ItemSelector/x.$"},
		{"bad resource", machine(`{"Type": "Task", "Resource": "lambda", "End": true}`), "",
			CodeSchemaValidationFailed, "Value is not a valid resource ARN", "/States/A/Resource"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := Validate(tt.def, Options{StateMachineType: tt.typ})
			if len(diags) == 0 {
				t.Fatalf("no diagnostics, want %s %q at %q", tt.code, tt.msg, tt.loc)
			}
			d := diags[0]
			if d.Severity != SeverityError || d.Code != tt.code || d.Message != tt.msg || d.Location != tt.loc {
				t.Errorf("first diagnostic\n got %s %q at %q\nwant %s %q at %q\n(all: %+v)", d.Code, d.Message, d.Location, tt.code, tt.msg, tt.loc, diags)
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	defs := []string{
		machine(`{"Type": "Pass", "End": true}`),
		machine(`{"Type": "Pass", "Next": "B"}`, `"B": {"Type": "Succeed"}`),
		machine(`{"Type": "Wait", "Timestamp": "2016-03-14T01:59:00.123+01:00", "End": true}`),
		`{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": "{% 1 %}", "End": true}}}`,
		machine(`{"Type": "Pass", "Parameters": {"a.$": "States.Format('{}', $.x)", "b": [1, {"c.$": "$$.Execution.Id"}]}, "ResultPath": null, "End": true}`),
		machine(`{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Credentials": {"RoleArn.$": "$.role"}, "End": true,
			"Retry": [{"ErrorEquals": ["X"]}, {"ErrorEquals": ["States.ALL"], "MaxAttempts": 0, "BackoffRate": 1.5, "JitterStrategy": "FULL", "MaxDelaySeconds": 5}],
			"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F", "ResultPath": "$.err"}]}`, `"F": {"Type": "Fail", "Error": "E", "CausePath": "States.Format('x {}', $.c)"}`),
		machine(`{"Type": "Choice", "Choices": [{"And": [{"Variable": "$.a", "StringEquals": "x"}, {"Not": {"Variable": "$.b", "NumericLessThanPath": "$.c"}}], "Next": "B"}], "Default": "B"}`, `"B": {"Type": "Succeed"}`),
		machine(`{"Type": "Map", "End": true, "ItemReader": {"Resource": "arn:aws:states:::s3:getObject"}, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}`),
	}
	for i, def := range defs {
		if diags := Validate(def, Options{}); len(diags) != 0 {
			t.Errorf("%d: %s\n%+v", i, def, diags)
			continue
		}
		if _, err := Parse([]byte(def)); err != nil {
			t.Errorf("%d: Parse: %v", i, err)
		}
	}
}

func TestValidateMaxResults(t *testing.T) {
	var states []string
	for i := 0; i < 20; i++ {
		states = append(states, fmt.Sprintf(`"S%d": {"Type": "Pass", "Foo": 1, "End": true}`, i))
	}
	def := `{"StartAt": "S0", "States": {` + strings.Join(states, ",") + `}}`
	if got := len(Validate(def, Options{MaxResults: 5})); got != 5 {
		t.Errorf("MaxResults 5: got %d diagnostics", got)
	}
	if got := len(Validate(def, Options{})); got < 20 {
		t.Errorf("default cap: got %d diagnostics, want at least 20", got)
	}
}

func TestInvalidDefinitionMessage(t *testing.T) {
	diags := []Diagnostic{
		{SeverityError, CodeSchemaValidationFailed, "Field 'Foo' is not supported", "/States/A"},
		{SeverityWarning, "W", "ignored", "/"},
		{SeverityError, CodeMissingTransitionTarget, "Missing 'Next' target: B", "/States/A/Next"},
	}
	want := "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Field 'Foo' is not supported at /States/A, MISSING_TRANSITION_TARGET: Missing 'Next' target: B at /States/A/Next'"
	if got := InvalidDefinitionMessage(diags); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got := InvalidDefinitionMessage(nil); got != "" {
		t.Errorf("no errors: got %q", got)
	}
}

func FuzzValidate(f *testing.F) {
	f.Add(machine(`{"Type": "Pass", "End": true}`))
	f.Add(machine(`{"Type": "Choice", "Choices": [{"Not": {"Variable": "$.a", "IsNull": true}, "Next": "A"}]}`))
	f.Add(machine(`{"Type": "Map", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Wait", "Seconds": 1, "End": true}}}, "End": true}`))
	f.Add(`{"StartAt": "A", "States": {"A": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "arn:x", "Retry": [{"ErrorEquals": ["States.ALL"]}], "End": true}}}], "End": true}}}`)
	f.Add("not a definition")
	f.Add(`{"a" 1}`)
	f.Fuzz(func(t *testing.T, def string) {
		if len(def) > 1<<14 {
			return
		}
		diags := Validate(def, Options{})
		_ = InvalidDefinitionMessage(diags)
		if !HasErrors(diags) {
			if _, err := Parse([]byte(def)); err != nil {
				t.Fatalf("Validate accepted but Parse failed: %v\n%s", err, def)
			}
		}
	})
}

func BenchmarkValidate(b *testing.B) {
	def := machine(`{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"a.$": "$.x", "b.$": "States.Format('{}', $.y)"},
		"Retry": [{"ErrorEquals": ["States.ALL"]}], "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}], "Next": "C"}`,
		`"C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "StringEquals": "x", "Next": "F"}], "Default": "S"}`,
		`"F": {"Type": "Fail", "Error": "E"}`, `"S": {"Type": "Succeed"}`)
	b.ReportAllocs()
	for b.Loop() {
		if diags := Validate(def, Options{}); len(diags) != 0 {
			b.Fatal(diags)
		}
	}
}
