package asl

import (
	"reflect"
	"slices"
	"testing"
)

// The first cases are definitions whose variableReferences were recorded
// from AWS (LocalStack's test_sfn_api_variable_references snapshots, which
// sort each list, so lists are compared sorted here).
func TestVariableReferences(t *testing.T) {
	tests := []struct {
		name string
		def  string
		want map[string][]string
	}{
		{"parameters", `{"StartAt": "State0", "States": {
			"State0": {"Type": "Pass", "Parameters": {"result": "$result"}, "Assign": {"result": "foobar"}, "Next": "State1"},
			"State1": {"Type": "Pass", "ResultPath": "$.result", "Parameters": {"result.$": "$result"}, "End": true}}}`,
			map[string][]string{"State1": {"result"}}},
		{"choice", `{"StartAt": "Setup", "States": {
			"Setup": {"Type": "Pass", "Assign": {"guess": "the_guess", "answer": "the_answer"}, "Next": "CheckAnswer"},
			"CheckAnswer": {"Type": "Choice", "Choices": [{"Variable": "$guess", "StringEqualsPath": "$answer", "Next": "CorrectAnswer"}], "Default": "WrongAnswer"},
			"CorrectAnswer": {"Type": "Pass", "Result": {"state": "CORRECT"}, "End": true},
			"WrongAnswer": {"Type": "Pass", "Assign": {"guess.$": "$answer"}, "Result": {"state": "WRONG"}, "Next": "CheckAnswer"}}}`,
			map[string][]string{"CheckAnswer": {"answer", "guess"}, "WrongAnswer": {"answer"}}},
		{"wait", `{"StartAt": "Start", "States": {
			"Start": {"Type": "Pass", "Assign": {"waitTime": 0, "startAt": "2024-01-01T00:00:00Z"}, "Next": "WaitSecondsState"},
			"WaitSecondsState": {"Type": "Wait", "SecondsPath": "$waitTime", "Next": "WaitUntilState"},
			"WaitUntilState": {"Type": "Wait", "TimestampPath": "$startAt", "End": true}}}`,
			map[string][]string{"WaitSecondsState": {"waitTime"}, "WaitUntilState": {"startAt"}}},
		{"iterator outer scope", `{"StartAt": "Input", "States": {
			"Input": {"Type": "Pass", "Result": [[9, 44, 6]], "Assign": {"bias": 4.3}, "Next": "IterateLevels"},
			"IterateLevels": {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "AssignCurrentVector", "States": {
				"AssignCurrentVector": {"Type": "Pass", "Assign": {"xCurrent.$": "$[0]", "yCurrent.$": "$[1]", "zCurrent.$": "$[2]"}, "Next": "Calculate"},
				"Calculate": {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Summate", "States": {
					"Summate": {"Type": "Pass", "Assign": {"Sum.$": "States.MathAdd(States.MathAdd(States.MathAdd($yCurrent, $xCurrent), $zCurrent), $bias)"}, "End": true}}}, "End": true}}}, "End": true}}}`,
			map[string][]string{"Summate": {"bias", "xCurrent", "yCurrent", "zCurrent"}}},
		{"input path", `{"StartAt": "State0", "States": {
			"State0": {"Type": "Pass", "Assign": {"theAnswer": 42}, "Next": "State1"},
			"State1": {"Type": "Pass", "InputPath": "$theAnswer", "End": true}}}`,
			map[string][]string{"State1": {"theAnswer"}}},
		{"intrinsic functions", `{"StartAt": "State1", "States": {
			"State1": {"Type": "Pass", "Parameters": {"encodingOps": {"encoded.$": "States.Base64Encode($rawString)"},
				"jsonOps": {"mergedJson.$": "States.JsonMerge($json1, $json2, false)"},
				"stringOps": {"formattedString.$": "States.Format('Hello {}, welcome to {}!', $name, $place)"},
				"uuidOp": {"uniqueId.$": "States.UUID()"}}, "End": true}}}`,
			map[string][]string{"State1": {"json1", "json2", "name", "place", "rawString"}}},
		{"fail", `{"StartAt": "Pass", "States": {
			"Pass": {"Type": "Pass", "Assign": {"errorVar": "Exception", "causeVar": "An Exception was encountered"}, "Next": "Fail"},
			"Fail": {"Type": "Fail", "CausePath": "$causeVar", "ErrorPath": "$errorVar"}}}`,
			map[string][]string{"Fail": {"causeVar", "errorVar"}}},
		{"tolerated failure paths", `{"StartAt": "MapState", "States": {
			"MapState": {"Type": "Map", "ItemsPath": "$.Values", "MaxConcurrency": 1,
				"ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "HandleItem", "States": {"HandleItem": {"Type": "Pass", "End": true}}},
				"ToleratedFailurePercentagePath": "$toleratedFailurePercentage", "ToleratedFailureCountPath": "$toleratedFailureCount", "End": true}}}`,
			map[string][]string{"MapState": {"toleratedFailureCount", "toleratedFailurePercentage"}}},
		{"item selector text", `{"StartAt": "MapState", "States": {
			"MapState": {"Type": "Map", "ItemSelector": {"value.$": "$$.Map.Item.Value", "bucketName": "$bucket"},
				"ItemProcessor": {"StartAt": "MapPass", "States": {"MapPass": {"Type": "Pass", "End": true}}}, "End": true}}}`,
			nil},
		{"max items path", `{"StartAt": "MapState", "States": {
			"MapState": {"Type": "Map", "ItemReader": {"ReaderConfig": {"InputType": "JSON", "MaxItemsPath": "$maxItems"}, "Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket.$": "$.Bucket", "Key.$": "$.Key"}},
				"ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "PassItem", "States": {"PassItem": {"Type": "Pass", "End": true}}}, "End": true}}}`,
			map[string][]string{"MapState": {"maxItems"}}},
		{"jsonata states and functions only", `{"StartAt": "CheckResult", "States": {
			"CheckResult": {"Type": "Choice", "QueryLanguage": "JSONata", "Choices": [
				{"Condition": "{% $states.input.result.done %}", "Next": "FinishTrue"},
				{"Condition": "{% $not($states.input.result.done) %}", "Next": "FinishFalse"}]},
			"FinishTrue": {"End": true, "Type": "Pass"}, "FinishFalse": {"End": true, "Type": "Pass"}}}`,
			nil},
		{"jsonata variables", `{"QueryLanguage": "JSONata", "StartAt": "A", "States": {
			"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {"Payload": {"x": "{% $sum($items) + $bias %}"}},
				"Assign": {"y": "{% ($local := 1; $local + $x) %}"}, "Output": "{% $map($list, function($i){ $i }) %}",
				"Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"e": "{% $states.errorOutput & $tag %}"}, "Next": "B"}], "End": true},
			"B": {"Type": "Parallel", "Branches": [{"StartAt": "C", "States": {"C": {"Type": "Pass", "Output": "{% $y %}", "End": true}}}], "End": true}}}`,
			map[string][]string{"A": {"items", "bias", "x", "list", "tag"}, "C": {"y"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diags := Validate(tt.def, Options{}); HasErrors(diags) {
				t.Fatalf("invalid definition: %s", InvalidDefinitionMessage(diags))
			}
			got := VariableReferences(tt.def)
			sorted := map[string][]string{}
			for k, v := range got {
				sorted[k] = slices.Sorted(slices.Values(v))
			}
			want := map[string][]string{}
			for k, v := range tt.want {
				want[k] = slices.Sorted(slices.Values(v))
			}
			if !reflect.DeepEqual(sorted, want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if tt.want == nil && got != nil {
				t.Errorf("got %v, want nil", got)
			}
		})
	}
}

func TestVariableReferencesOrder(t *testing.T) {
	def := `{"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"a.$": "States.Format('{} {}', $b, $a)", "c.$": "$b"}, "End": true}}}`
	if got := VariableReferences(def)["A"]; !reflect.DeepEqual(got, []string{"b", "a"}) {
		t.Errorf("got %v, want [b a]", got)
	}
}
