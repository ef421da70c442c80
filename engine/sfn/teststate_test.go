package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// testStateBody is a TestState request as an AWS client sends it: the
// definition and the other JSON documents as strings.
func testStateBody(definition string, extra map[string]any) string {
	m := map[string]any{"definition": definition}
	for k, v := range extra {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func TestTestState(t *testing.T) {
	const ioPass = `{"Type":"Pass","InputPath":"$.initialData","Parameters":{"staticValue":"some value","inputValue.$":"$.fieldFromInput"},"ResultPath":"$.modifiedData","Next":"After"}`
	const ioInput = `{"initialData":{"fieldFromInput":"value from input","otherField":"other"},"unrelatedData":{"someOtherField":1234}}`
	const lambda = `"Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f","Payload.$":"$"}`
	const retryCatch = `{"Type":"Task",` + lambda + `,"Retry":[{"ErrorEquals":["Other"],"MaxAttempts":1},{"ErrorEquals":["Boom"],"IntervalSeconds":2,"MaxAttempts":2}],` +
		`"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"Handle"}],"End":true}`
	const mapState = `{"Type":"Map","ItemsPath":"$.Values","ItemSelector":{"v.$":"$$.Map.Item.Value"},"ToleratedFailureCount":1,"MaxConcurrency":2,` +
		`"ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"Catch":[{"ErrorEquals":["States.ExceedToleratedFailureThreshold"],"Next":"Threshold"}],"End":true}`
	const parallel = `{"Type":"Parallel","ResultSelector":{"first.$":"$[0]"},"Branches":[` +
		`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}],"Next":"Done"}`
	const machine = `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericGreaterThan":1,"Next":"A"}],"Default":"C"},"C":{"Type":"Succeed"}}}`

	tests := []struct {
		name  string
		def   string
		extra map[string]any
		want  string
	}{
		{"pass INFO", ioPass, map[string]any{"input": ioInput},
			`{"output":"{\"initialData\":{\"fieldFromInput\":\"value from input\",\"otherField\":\"other\"},\"unrelatedData\":{\"someOtherField\":1234},\"modifiedData\":{\"staticValue\":\"some value\",\"inputValue\":\"value from input\"}}","nextState":"After","status":"SUCCEEDED"}`},
		{"pass DEBUG", ioPass, map[string]any{"input": ioInput, "inspectionLevel": "DEBUG"},
			`{"output":"{\"initialData\":{\"fieldFromInput\":\"value from input\",\"otherField\":\"other\"},\"unrelatedData\":{\"someOtherField\":1234},\"modifiedData\":{\"staticValue\":\"some value\",\"inputValue\":\"value from input\"}}","nextState":"After","status":"SUCCEEDED",` +
				`"inspectionData":{"input":"{\"initialData\":{\"fieldFromInput\":\"value from input\",\"otherField\":\"other\"},\"unrelatedData\":{\"someOtherField\":1234}}",` +
				`"afterInputPath":"{\"fieldFromInput\":\"value from input\",\"otherField\":\"other\"}",` +
				`"afterParameters":"{\"staticValue\":\"some value\",\"inputValue\":\"value from input\"}",` +
				`"afterResultSelector":"{\"staticValue\":\"some value\",\"inputValue\":\"value from input\"}",` +
				`"afterResultPath":"{\"initialData\":{\"fieldFromInput\":\"value from input\",\"otherField\":\"other\"},\"unrelatedData\":{\"someOtherField\":1234},\"modifiedData\":{\"staticValue\":\"some value\",\"inputValue\":\"value from input\"}}"}}`},
		{"pass TRACE with Result", `{"Type":"Pass","Result":{"resultKey":"result value"},"End":true}`, map[string]any{"input": `{"Value":"HelloWorld"}`, "inspectionLevel": "TRACE"},
			`{"output":"{\"resultKey\":\"result value\"}","status":"SUCCEEDED","inspectionData":{"input":"{\"Value\":\"HelloWorld\"}","result":"{\"resultKey\":\"result value\"}","afterResultSelector":"{\"resultKey\":\"result value\"}","afterResultPath":"{\"resultKey\":\"result value\"}"}}`},
		{"choice", `{"Type":"Choice","Choices":[{"Variable":"$.value","NumericGreaterThanEquals":20,"Next":"ValueInTwenties"}],"Default":"Other"}`,
			map[string]any{"input": `{"type":"Private","value":22}`, "inspectionLevel": "DEBUG"},
			`{"output":"{\"type\":\"Private\",\"value\":22}","nextState":"ValueInTwenties","status":"SUCCEEDED","inspectionData":{"input":"{\"type\":\"Private\",\"value\":22}","afterInputPath":"{\"type\":\"Private\",\"value\":22}"}}`},
		{"choice default", `{"Type":"Choice","Choices":[{"Variable":"$.value","NumericGreaterThanEquals":20,"Next":"ValueInTwenties"}],"Default":"Other"}`,
			map[string]any{"input": `{"value":2}`}, `{"output":"{\"value\":2}","nextState":"Other","status":"SUCCEEDED"}`},
		{"wait returns at once", `{"Type":"Wait","Seconds":3600,"OutputPath":"$.a","Next":"N"}`, map[string]any{"input": `{"a":[1]}`},
			`{"output":"[1]","nextState":"N","status":"SUCCEEDED"}`},
		{"succeed", `{"Type":"Succeed","OutputPath":"$.Value"}`, map[string]any{"input": `{"Value":"HelloWorld"}`, "inspectionLevel": "DEBUG"},
			`{"output":"\"HelloWorld\"","status":"SUCCEEDED","inspectionData":{"input":"{\"Value\":\"HelloWorld\"}","afterInputPath":"{\"Value\":\"HelloWorld\"}"}}`},
		{"fail", `{"Type":"Fail","Error":"SomeFailure","Cause":"This state machines raises a 'SomeFailure' failure."}`, map[string]any{"input": `{"Value":"HelloWorld"}`, "inspectionLevel": "DEBUG"},
			`{"error":"SomeFailure","cause":"This state machines raises a 'SomeFailure' failure.","status":"FAILED","inspectionData":{"input":"{\"Value\":\"HelloWorld\"}","afterInputPath":"{\"Value\":\"HelloWorld\"}"}}`},
		{"task mocked result", `{"Type":"Task",` + lambda + `,"ResultSelector":{"p.$":"$.Payload"},"ResultPath":"$.r","Next":"N"}`,
			map[string]any{"input": `{"a":1}`, "inspectionLevel": "DEBUG", "mock": map[string]any{"result": `{"Payload":"function output","StatusCode":200}`}},
			`{"output":"{\"a\":1,\"r\":{\"p\":\"function output\"}}","nextState":"N","status":"SUCCEEDED","inspectionData":{"input":"{\"a\":1}","afterInputPath":"{\"a\":1}",` +
				`"afterParameters":"{\"FunctionName\":\"f\",\"Payload\":{\"a\":1}}","result":"{\"Payload\":\"function output\",\"StatusCode\":200}",` +
				`"afterResultSelector":"{\"p\":\"function output\"}","afterResultPath":"{\"a\":1,\"r\":{\"p\":\"function output\"}}"}}`},
		{"task without mock uses the service's runner", `{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","Parameters":{"QueueUrl":"q","MessageBody.$":"$.m"},"End":true}`,
			map[string]any{"input": `{"m":"hi"}`, "roleArn": testRole},
			`{"output":"{\"MessageId\":\"m-1\",\"Body\":\"{\\\"QueueUrl\\\":\\\"q\\\",\\\"MessageBody\\\":\\\"hi\\\"}\"}","status":"SUCCEEDED"}`},
		{"retry -> RETRIABLE", retryCatch, map[string]any{"inspectionLevel": "DEBUG", "mock": map[string]any{"errorOutput": map[string]any{"error": "Boom", "cause": "bad"}}},
			`{"error":"Boom","cause":"bad","status":"RETRIABLE","inspectionData":{"input":"{}","afterInputPath":"{}","afterParameters":"{\"FunctionName\":\"f\",\"Payload\":{}}","errorDetails":{"retryIndex":1,"retryBackoffIntervalSeconds":2}}}`},
		{"retries used up -> CAUGHT_ERROR", retryCatch, map[string]any{"inspectionLevel": "DEBUG", "stateConfiguration": map[string]any{"retrierRetryCount": 2},
			"mock": map[string]any{"errorOutput": map[string]any{"error": "Boom", "cause": "bad"}}},
			`{"output":"{\"err\":{\"Error\":\"Boom\",\"Cause\":\"bad\"}}","error":"Boom","cause":"bad","nextState":"Handle","status":"CAUGHT_ERROR",` +
				`"inspectionData":{"input":"{}","afterInputPath":"{}","afterParameters":"{\"FunctionName\":\"f\",\"Payload\":{}}","afterResultPath":"{\"err\":{\"Error\":\"Boom\",\"Cause\":\"bad\"}}","errorDetails":{"catchIndex":0}}}`},
		{"caught at INFO", retryCatch, map[string]any{"mock": map[string]any{"errorOutput": map[string]any{"error": "Nope", "cause": "x"}}},
			`{"output":"{\"err\":{\"Error\":\"Nope\",\"Cause\":\"x\"}}","error":"Nope","cause":"x","nextState":"Handle","status":"CAUGHT_ERROR"}`},
		{"uncaught -> FAILED", `{"Type":"Task",` + lambda + `,"End":true}`, map[string]any{"mock": map[string]any{"errorOutput": map[string]any{"error": "Boom", "cause": "bad"}}},
			`{"error":"Boom","cause":"bad","status":"FAILED"}`},
		{"callback task mocked", `{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"QueueUrl":"q","MessageBody.$":"$$.Task.Token"},"End":true}`,
			map[string]any{"mock": map[string]any{"result": `{"done":true}`}}, `{"output":"{\"done\":true}","status":"SUCCEEDED"}`},
		{"map mocked", mapState, map[string]any{"input": `{"Values":["a","b"]}`, "inspectionLevel": "DEBUG", "mock": map[string]any{"result": `[1,2]`}},
			`{"output":"[1,2]","status":"SUCCEEDED","inspectionData":{"input":"{\"Values\":[\"a\",\"b\"]}","afterInputPath":"{\"Values\":[\"a\",\"b\"]}",` +
				`"afterItemsPath":"[\"a\",\"b\"]","afterItemSelector":"[{\"v\":\"a\"},{\"v\":\"b\"}]","result":"[1,2]","afterResultSelector":"[1,2]","afterResultPath":"[1,2]",` +
				`"maxConcurrency":2,"toleratedFailureCount":1}}`},
		{"map over tolerated failures", mapState, map[string]any{"input": `{"Values":["a","b"]}`, "stateConfiguration": map[string]any{"mapIterationFailureCount": 2},
			"mock": map[string]any{"result": `[1,2]`}},
			`{"output":"{\"Error\":\"States.ExceedToleratedFailureThreshold\",\"Cause\":\"The specified tolerated failure threshold was exceeded\"}","error":"States.ExceedToleratedFailureThreshold",` +
				`"cause":"The specified tolerated failure threshold was exceeded","nextState":"Threshold","status":"CAUGHT_ERROR"}`},
		{"map mocked error", mapState, map[string]any{"input": `{"Values":[1]}`, "stateConfiguration": map[string]any{"errorCausedByState": "I"},
			"mock": map[string]any{"errorOutput": map[string]any{"error": "MockException", "cause": "Mock the cause of the error."}}},
			`{"error":"MockException","cause":"Mock the cause of the error.","status":"FAILED"}`},
		{"parallel mocked", parallel, map[string]any{"mock": map[string]any{"result": `[{"a":1},{"b":2}]`}},
			`{"output":"{\"first\":{\"a\":1}}","nextState":"Done","status":"SUCCEEDED"}`},
		{"stateName in a machine", machine, map[string]any{"stateName": "B", "input": `{"x":2}`}, `{"output":"{\"x\":2}","nextState":"A","status":"SUCCEEDED"}`},
		{"machine without stateName tests StartAt", machine, map[string]any{"input": `{"x":2}`}, `{"output":"{\"x\":2}","nextState":"B","status":"SUCCEEDED"}`},
		{"context", `{"Type":"Task",` + lambda + `,"ResultSelector":{"id.$":"$$.Execution.Id","s.$":"$$.State.Name"},"End":true}`,
			map[string]any{"context": `{"Execution":{"Id":"exec-1"}}`, "mock": map[string]any{"result": `{}`}},
			`{"output":"{\"id\":\"exec-1\",\"s\":\"StateName\"}","status":"SUCCEEDED"}`},
		{"runtime error in the data flow", `{"Type":"Pass","InputPath":"$.missing","End":true}`, map[string]any{"input": `{}`},
			`{"error":"States.Runtime","cause":"An error occurred while executing the state 'StateName' (entered at the event id #2). Invalid path '$.missing' : No results for path: $['missing']","status":"FAILED"}`},
	}
	tasks := interp.TaskRunnerFunc(func(_ context.Context, req *interp.TaskRequest) interp.TaskResult {
		if req.ResourceName != "sendMessage" {
			return interp.TaskResult{Err: states.New(states.TaskFailed, "unexpected "+req.Resource)}
		}
		body, _ := json.Marshal(string(req.Parameters))
		return interp.TaskResult{Output: []byte(`{"MessageId":"m-1","Body":` + string(body) + `}`)}
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestService(Options{Tasks: tasks})
			got := mustInvoke(t, s, "TestState", testStateBody(tc.def, tc.extra))
			var want map[string]any
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatalf("bad want: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				t.Errorf("got  %s\nwant %s", g, tc.want)
			}
		})
	}
}

func TestTestStateErrors(t *testing.T) {
	const task = `{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}`
	const mapState = `{"Type":"Map","ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"End":true}`
	const parallel = `{"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}],"End":true}`
	mockResult := map[string]any{"result": `{"a":1}`}
	tests := []struct {
		name, body    string
		code, message string
	}{
		{"no definition", `{}`, CodeValidation, "1 validation error detected: Value null at 'definition' failed to satisfy constraint: Member must not be null"},
		{"bad inspection level", testStateBody(task, map[string]any{"inspectionLevel": "ALL"}), CodeValidation,
			"1 validation error detected: Value 'ALL' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]"},
		{"negative retry count", testStateBody(task, map[string]any{"stateConfiguration": map[string]any{"retrierRetryCount": -1}}), CodeValidation,
			"1 validation error detected: Value '-1' at 'stateConfiguration.retrierRetryCount' failed to satisfy constraint: Member must have value greater than or equal to 0"},
		{"bad role", testStateBody(task, map[string]any{"roleArn": "role"}), CodeInvalidArn, "Invalid Arn: 'Invalid ARN prefix: role'"},
		{"input not JSON", testStateBody(task, map[string]any{"input": "nope"}), CodeInvalidExecutionInput,
			"Invalid State Machine Execution Input: 'Unrecognized token 'nope': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')'"},
		{"definition not JSON", testStateBody("{", nil), CodeInvalidDefinition, ""},
		{"state without Type", testStateBody(`{"End":true}`, nil), CodeInvalidDefinition, ""},
		{"map without mock", testStateBody(mapState, nil), CodeInvalidDefinition, msgMapOrParallel},
		{"parallel without mock", testStateBody(parallel, nil), CodeInvalidDefinition, msgMapOrParallel},
		{"pass with mock", testStateBody(`{"Type":"Pass","End":true}`, map[string]any{"mock": mockResult}), CodeValidation, "State type 'Pass' is not supported when a mock is specified"},
		{"fail with mock", testStateBody(`{"Type":"Fail"}`, map[string]any{"mock": mockResult}), CodeValidation, "State type 'Fail' is not supported when a mock is specified"},
		{"result and errorOutput", testStateBody(task, map[string]any{"mock": map[string]any{"result": "{}", "errorOutput": map[string]any{"error": "E"}}}), CodeValidation,
			"A test mock should have only one of the following fields: [result, errorOutput]."},
		{"reveal secrets with mock", testStateBody(task, map[string]any{"revealSecrets": true, "mock": mockResult}), CodeValidation,
			"TestState does not support RevealSecrets when a mock is specified."},
		{"map mock not an array", testStateBody(mapState, map[string]any{"mock": mockResult}), CodeValidation, "Mocked result must be an array."},
		{"parallel mock size", testStateBody(parallel, map[string]any{"mock": map[string]any{"result": "[1,2]"}}), CodeValidation,
			"Mocked result must contain the same number of items as number of Parallel branches."},
		{"callback without mock", testStateBody(`{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}`, nil), CodeInvalidDefinition, ""},
		{"context without mock", testStateBody(task, map[string]any{"context": "{}"}), CodeValidation, ""},
		{"unknown stateName", testStateBody(`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`, map[string]any{"stateName": "Z"}), CodeValidation, ""},
		{"wrong member type", `{"definition":1}`, CodeSerialization, "Unexpected value type for member 'definition'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestService(Options{})
			_, err := invoke(t, s, "TestState", tc.body)
			if err == nil {
				t.Fatalf("no error")
			}
			if err.Code != tc.code || (tc.message != "" && err.Message != tc.message) {
				t.Errorf("got %s: %s\nwant %s: %s", err.Code, err.Message, tc.code, tc.message)
			}
		})
	}
}

// FuzzTestState checks that no definition, input or mock makes TestState
// panic or answer with anything but a response or an *Error.
func FuzzTestState(f *testing.F) {
	f.Add(`{"Type":"Pass","End":true}`, `{}`, "")
	f.Add(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["E"]}],"End":true}`, `[1]`, `{"errorOutput":{"error":"E"}}`)
	f.Add(`{"Type":"Map","ItemsPath":"$.a","End":true,"ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}}}`, `{"a":[]}`, `{"result":"[]"}`)
	f.Add(`{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[],"Default":"A"}}}`, `{}`, "")
	f.Fuzz(func(t *testing.T, def, input, mock string) {
		if len(def)+len(input)+len(mock) > 4096 {
			return
		}
		extra := map[string]any{"input": input, "inspectionLevel": "DEBUG"}
		if json.Valid([]byte(mock)) {
			extra["mock"] = json.RawMessage(mock)
		}
		s := newTestService(Options{})
		_, err := s.Invoke(context.Background(), "TestState", []byte(testStateBody(def, extra)))
		var apiErr *Error
		if err != nil && !errors.As(err, &apiErr) {
			t.Fatalf("error %v is not an *Error", err)
		}
		if apiErr != nil && apiErr.Code == CodeInternalFailure {
			t.Fatalf("internal failure: %v", apiErr)
		}
	})
}
