package asl

import (
	"reflect"
	"testing"
)

// jsonataMachine wraps one JSONata state named E (plus extra states).
func jsonataMachine(stateE string, extra ...string) string {
	states := `"E": ` + stateE
	for _, e := range extra {
		states += ", " + e
	}
	return `{"QueryLanguage": "JSONata", "StartAt": "E", "States": {` + states + `}}`
}

// The messages and locations below are those AWS returns for the same
// definitions (ValidateStateMachineDefinition, us-east-1).
func TestValidateJSONataExpressions(t *testing.T) {
	type diag struct{ code, msg, loc string }
	invalid := func(msg, loc string) diag { return diag{CodeInvalidJSONataExpression, msg, loc} }
	top := func(name, loc string) diag {
		return diag{CodeUnsupportedJSONataExpression, "Reference to '" + name + "' at the top level is not supported.", loc}
	}
	tests := []struct {
		name string
		def  string
		want []diag
	}{
		{"syntax error in Output", jsonataMachine(`{"Type": "Pass", "Output": "{% a[1,2) %}", "End": true}`),
			[]diag{invalid(`Expected "]", got ","`, "/States/E/Output")}},
		{"unterminated string", jsonataMachine(`{"Type": "Pass", "Output": "{% \"unterminated %}", "End": true}`),
			[]diag{invalid("String literal must be terminated by a matching quote", "/States/E/Output")}},
		{"empty expression", jsonataMachine(`{"Type": "Pass", "Output": "{%%}", "End": true}`),
			[]diag{invalid("Unexpected end of expression", "/States/E/Output")}},
		{"unary symbol", jsonataMachine(`{"Type": "Pass", "Output": "{% phone %.other %}", "End": true}`),
			[]diag{invalid(`The symbol "." cannot be used as a unary operator`, "/States/E/Output")}},
		{"nested in Output", jsonataMachine(`{"Type": "Pass", "Output": {"a": {"b": ["{% phone %}"]}}, "End": true}`),
			[]diag{top("phone", "/States/E/Output/a/b[0]")}},
		{"each name", jsonataMachine(`{"Type": "Pass", "Output": {"v": "{% aaa + bbb %}"}, "End": true}`),
			[]diag{top("aaa", "/States/E/Output/v"), top("bbb", "/States/E/Output/v")}},
		{"context item", jsonataMachine(`{"Type": "Pass", "Output": {"v": "{% $.phone %}"}, "End": true}`),
			[]diag{top("$", "/States/E/Output/v")}},
		{"root", jsonataMachine(`{"Type": "Pass", "Output": "{% $$ %}", "End": true}`),
			[]diag{{CodeUnsupportedJSONataExpression, "Reference to '$$' is not supported.", "/States/E/Output"}}},
		{"errorOutput outside Catch", jsonataMachine(`{"Type": "Pass", "Output": "{% $states.errorOutput %}", "End": true}`),
			[]diag{{CodeUnsupportedJSONataExpression, "Field '$states.errorOutput' does not exist.", "/States/E/Output"}}},
		{"Assign", jsonataMachine(`{"Type": "Pass", "Assign": {"v": "{% phone %}"}, "End": true}`),
			[]diag{top("phone", "/States/E/Assign/v")}},
		{"Assign key named like a field", jsonataMachine(`{"Type": "Pass", "Assign": {"Next": "{% phone %}"}, "End": true}`),
			[]diag{top("phone", "/States/E/Assign/Next")}},
		{"Condition", jsonataMachine(`{"Type": "Choice", "Choices": [{"Condition": "{% phone = 1 %}", "Next": "F"}], "Default": "F"}`, `"F": {"Type": "Succeed"}`),
			[]diag{top("phone", "/States/E/Choices[0]/Condition")}},
		{"Wait Seconds", jsonataMachine(`{"Type": "Wait", "Seconds": "{% phone %}", "End": true}`),
			[]diag{top("phone", "/States/E/Seconds")}},
		{"Fail Cause", jsonataMachine(`{"Type": "Fail", "Cause": "{% phone %}"}`),
			[]diag{top("phone", "/States/E/Cause")}},
		{"Map Items", jsonataMachine(`{"Type": "Map", "Items": "{% phone %}", "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}, "End": true}`),
			[]diag{top("phone", "/States/E/Items")}},
		{"Map ItemProcessor state", jsonataMachine(`{"Type": "Map", "Items": "{% $states.input.a %}", "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "Output": {"v": "{% phone %}"}, "End": true}}}, "End": true}`),
			[]diag{top("phone", "/States/E/ItemProcessor/States/I/Output/v")}},
		{"Parallel branch state", jsonataMachine(`{"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "Output": {"v": "{% phone %}"}, "End": true}}}], "End": true}`),
			[]diag{top("phone", "/States/E/Branches[0]/States/B/Output/v")}},
		{"Catch Output", jsonataMachine(`{"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:listBuckets", "Arguments": {}, "Catch": [{"ErrorEquals": ["States.ALL"], "Output": {"v": "{% phone %}"}, "Next": "F"}], "End": true}`, `"F": {"Type": "Pass", "End": true}`),
			[]diag{top("phone", "/States/E/Catch[0]/Output/v")}},
		{"Task Arguments nested key", jsonataMachine(`{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {"FunctionName": "f", "Payload": {"Comment": "{% phone %}"}}, "End": true}`),
			[]diag{top("phone", "/States/E/Arguments/Payload/Comment")}},
		{"ItemBatcher BatchInput", jsonataMachine(`{"Type": "Map", "ItemBatcher": {"BatchInput": {"Comment": "{% phone %}"}}, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}, "End": true}`),
			[]diag{top("phone", "/States/E/ItemBatcher/BatchInput/Comment")}},
		{"state QueryLanguage in a JSONPath machine", machine(`{"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% 1 + %}", "End": true}`),
			[]diag{invalid("Unexpected end of expression", "/States/A/Output")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []diag
			for _, d := range Validate(tt.def, Options{}) {
				got = append(got, diag{d.Code, d.Message, d.Location})
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("diagnostics\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestValidateJSONataAccepts(t *testing.T) {
	defs := []string{
		jsonataMachine(`{"Type": "Pass", "Output": {"v": "{% $states.input.phone %}"}, "End": true}`),
		jsonataMachine(`{"Type": "Pass", "Output": {"v": "{% $states.input.items[phone > 3] %}"}, "End": true}`),
		jsonataMachine(`{"Type": "Pass", "Output": {"v": "{% $map($states.input.a, function($x){ $x.phone }) %}"}, "End": true}`),
		jsonataMachine(`{"Type": "Pass", "Assign": {"phone": "{% 1 %}"}, "Next": "F"}`, `"F": {"Type": "Pass", "Output": {"v": "{% $phone %}"}, "End": true}`),
		// Comment, ErrorEquals and CSVHeaders keep "{% %}" strings as text.
		jsonataMachine(`{"Type": "Pass", "Comment": "{% phone %}", "End": true}`),
		jsonataMachine(`{"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:listBuckets", "Arguments": {}, "Retry": [{"ErrorEquals": ["{% phone %}"]}], "End": true}`),
		jsonataMachine(`{"Type": "Map", "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Arguments": {"Bucket": "b", "Key": "k"}, "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["{% phone %}"]}},
			"ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}, "End": true}`),
		// $states.errorOutput exists in a Catcher's Output and Assign.
		jsonataMachine(`{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {"FunctionName": "f"}, "End": true,
			"Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput %}", "Assign": {"e": "{% $states.errorOutput.Error %}"}, "Next": "F"}]}`, `"F": {"Type": "Pass", "End": true}`),
		// A string with spaces around "{% %}" is text, not an expression.
		jsonataMachine(`{"Type": "Pass", "Output": " {% phone %} ", "End": true}`),
		// A JSONPath machine keeps "{% %}" strings as text.
		machine(`{"Type": "Pass", "Parameters": {"v": "{% phone %}"}, "End": true}`),
	}
	for i, def := range defs {
		if diags := Validate(def, Options{}); len(diags) != 0 {
			t.Errorf("%d: %s\n%+v", i, def, diags)
		}
	}
}

func TestInvalidDefinitionMessageJSONata(t *testing.T) {
	def := jsonataMachine(`{"Type": "Pass", "Output": {"v": "{% phone[1,2) %}"}, "End": true}`)
	want := `Invalid State Machine Definition: 'INVALID_JSONATA_EXPRESSION: Expected "]", got "," at /States/E/Output/v'`
	if got := InvalidDefinitionMessage(Validate(def, Options{})); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	def = jsonataMachine(`{"Type": "Pass", "Output": {"v": "{% phone[0] %}"}, "End": true}`)
	want = `Invalid State Machine Definition: 'UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is not supported. at /States/E/Output/v'`
	if got := InvalidDefinitionMessage(Validate(def, Options{})); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestValidateVariableNames(t *testing.T) {
	bad := map[string]string{
		machine(`{"Type": "Pass", "Assign": {"states": 1}, "End": true}`):             "/States/A/Assign/states",
		machine(`{"Type": "Pass", "Assign": {"1x.$": "$.a"}, "End": true}`):           "/States/A/Assign/1x.$",
		jsonataMachine(`{"Type": "Pass", "Assign": {"a-b": 1}, "End": true}`):         "/States/E/Assign/a-b",
		jsonataMachine(`{"Type": "Pass", "Assign": {"x.$": "{% 1 %}"}, "End": true}`): "/States/E/Assign/x.$",
	}
	for def, loc := range bad {
		diags := Validate(def, Options{})
		if len(diags) != 1 || diags[0].Code != CodeSchemaValidationFailed || diags[0].Location != loc {
			t.Errorf("%s: got %+v, want one SCHEMA_VALIDATION_FAILED at %s", def, diags, loc)
		}
	}
	for _, def := range []string{
		machine(`{"Type": "Pass", "Assign": {"x": 1, "é_2": 2, "y.$": "$.a", "ünïcode·x": 3}, "End": true}`),
		jsonataMachine(`{"Type": "Pass", "Assign": {"total": "{% $states.input.n %}"}, "End": true}`),
	} {
		if diags := Validate(def, Options{}); len(diags) != 0 {
			t.Errorf("%s: %+v", def, diags)
		}
	}
}
