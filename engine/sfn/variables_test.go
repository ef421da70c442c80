package sfn

import (
	"encoding/json"
	"reflect"
	"testing"
)

// jsonString quotes s as a JSON string for a request body.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestValidateJSONataThroughInvoke(t *testing.T) {
	s := newTestService(Options{})
	tests := []struct {
		name, def string
		want      []any
	}{
		{"syntax error",
			`{"QueryLanguage":"JSONata","StartAt":"E","States":{"E":{"Type":"Pass","Output":{"v":"{% phone[1,2) %}"},"End":true}}}`,
			[]any{map[string]any{"severity": "ERROR", "code": "INVALID_JSONATA_EXPRESSION", "message": `Expected "]", got ","`, "location": "/States/E/Output/v"}}},
		{"top-level reference",
			`{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Condition":"{% phone = 1 %}","Next":"E"}],"Default":"E"},"E":{"Type":"Pass","End":true}}}`,
			[]any{map[string]any{"severity": "ERROR", "code": "UNSUPPORTED_JSONATA_EXPRESSION", "message": "Reference to 'phone' at the top level is not supported.", "location": "/States/C/Choices[0]/Condition"}}},
		{"valid", `{"QueryLanguage":"JSONata","StartAt":"E","States":{"E":{"Type":"Pass","Output":"{% $states.input.phone %}","End":true}}}`,
			[]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := mustInvoke(t, s, "ValidateStateMachineDefinition", `{"definition":`+jsonString(tt.def)+`}`)
			if !reflect.DeepEqual(out["diagnostics"], tt.want) {
				t.Errorf("diagnostics = %v, want %v", out["diagnostics"], tt.want)
			}
		})
	}
}

func TestCreateRejectsInvalidJSONata(t *testing.T) {
	s := newTestService(Options{})
	def := `{"QueryLanguage":"JSONata","StartAt":"E","States":{"E":{"Type":"Pass","Output":{"v":"{% phone[0] %}"},"End":true}}}`
	_, err := invoke(t, s, "CreateStateMachine", `{"name":"sm","roleArn":"`+testRole+`","definition":`+jsonString(def)+`}`)
	want := "Invalid State Machine Definition: 'UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is not supported. at /States/E/Output/v'"
	if err == nil || err.Code != "InvalidDefinition" || err.Message != want {
		t.Fatalf("CreateStateMachine error = %v, want InvalidDefinition %q", err, want)
	}
}

func TestDescribeVariableReferences(t *testing.T) {
	s := newTestService(Options{})
	def := `{"StartAt":"State0","States":{` +
		`"State0":{"Type":"Pass","Parameters":{"result":"$result"},"Assign":{"result":"foobar"},"Next":"State1"},` +
		`"State1":{"Type":"Pass","ResultPath":"$.result","Parameters":{"result.$":"$result"},"End":true}}}`
	mustInvoke(t, s, "CreateStateMachine", `{"name":"sm","roleArn":"`+testRole+`","definition":`+jsonString(def)+`}`)
	want := map[string]any{"State1": []any{"result"}}
	out := mustInvoke(t, s, "DescribeStateMachine", `{"stateMachineArn":"`+smARN+`"}`)
	if !reflect.DeepEqual(out["variableReferences"], want) {
		t.Errorf("DescribeStateMachine variableReferences = %v, want %v", out["variableReferences"], want)
	}
	exec := mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`"}`)
	arn, _ := exec["executionArn"].(string)
	out = mustInvoke(t, s, "DescribeStateMachineForExecution", `{"executionArn":"`+arn+`"}`)
	if !reflect.DeepEqual(out["variableReferences"], want) {
		t.Errorf("DescribeStateMachineForExecution variableReferences = %v, want %v", out["variableReferences"], want)
	}

	// A machine that reads no variable has no variableReferences member.
	mustInvoke(t, s, "CreateStateMachine", `{"name":"plain","roleArn":"`+testRole+`","definition":`+jsonString(passDef)+`}`)
	out = mustInvoke(t, s, "DescribeStateMachine", `{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:plain"}`)
	if _, ok := out["variableReferences"]; ok {
		t.Errorf("variableReferences present for a machine without variables: %v", out["variableReferences"])
	}
}
