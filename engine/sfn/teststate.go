package sfn

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/stepwise-sfn/stepwise/engine/asl"
	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/jsonpath"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// TestState runs one state alone and reports its data flow.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
// https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html
func init() {
	operations["TestState"] = (*Service).testState
}

// testStateName is the name a definition of a single state runs under;
// AWS's context object shows it as $$.State.Name.
const testStateName = "StateName"

// TestStateInput is the TestState request.
type TestStateInput struct {
	// Definition is one state's JSON, or with StateName a whole state
	// machine's.
	Definition *string `json:"definition"`
	// RoleARN is the role the state would assume; optional here (AWS
	// requires it to test a Task without a mock).
	RoleARN         *string `json:"roleArn"`
	Input           *string `json:"input"`
	InspectionLevel *string `json:"inspectionLevel"` // INFO (default), DEBUG, TRACE
	RevealSecrets   *bool   `json:"revealSecrets"`
	// Variables is a JSON object of workflow variables; checked, but the
	// interpreter does not read variables yet.
	Variables          *string                 `json:"variables"`
	StateName          *string                 `json:"stateName"`
	Mock               *MockInput              `json:"mock"`
	Context            *string                 `json:"context"`
	StateConfiguration *TestStateConfiguration `json:"stateConfiguration"`
}

// MockInput is a mocked result or error of the tested state's work.
type MockInput struct {
	Result      *string          `json:"result"`
	ErrorOutput *MockErrorOutput `json:"errorOutput"`
	// FieldValidationMode is STRICT (default), PRESENT or NONE; Stepwise
	// has no service API models to check a result against, so every
	// mode accepts any JSON result.
	FieldValidationMode *string `json:"fieldValidationMode"`
}

// MockErrorOutput is a mocked error.
type MockErrorOutput struct {
	Error *string `json:"error"`
	Cause *string `json:"cause"`
}

// TestStateConfiguration sets up the tested state's circumstances.
type TestStateConfiguration struct {
	RetrierRetryCount        *int64  `json:"retrierRetryCount"`
	ErrorCausedByState       *string `json:"errorCausedByState"`
	MapIterationFailureCount *int64  `json:"mapIterationFailureCount"`
	MapItemReaderData        *string `json:"mapItemReaderData"`
}

// TestStateOutput is the TestState response.
type TestStateOutput struct {
	Output         *string         `json:"output,omitempty"`
	Error          string          `json:"error,omitempty"`
	Cause          string          `json:"cause,omitempty"`
	InspectionData *InspectionData `json:"inspectionData,omitempty"`
	NextState      string          `json:"nextState,omitempty"`
	Status         string          `json:"status"` // SUCCEEDED, FAILED, RETRIABLE, CAUGHT_ERROR
}

// InspectionData is the data flow of the tested state (inspection level
// DEBUG or TRACE): JSON texts, absent for stages that did not run.
type InspectionData struct {
	Input                      string                  `json:"input,omitempty"`
	AfterArguments             string                  `json:"afterArguments,omitempty"`
	AfterInputPath             string                  `json:"afterInputPath,omitempty"`
	AfterParameters            string                  `json:"afterParameters,omitempty"`
	Result                     string                  `json:"result,omitempty"`
	AfterResultSelector        string                  `json:"afterResultSelector,omitempty"`
	AfterResultPath            string                  `json:"afterResultPath,omitempty"`
	Request                    *InspectionDataRequest  `json:"request,omitempty"`
	Response                   *InspectionDataResponse `json:"response,omitempty"`
	Variables                  string                  `json:"variables,omitempty"`
	ErrorDetails               *InspectionErrorDetails `json:"errorDetails,omitempty"`
	AfterItemsPath             string                  `json:"afterItemsPath,omitempty"`
	AfterItemSelector          string                  `json:"afterItemSelector,omitempty"`
	AfterItemBatcher           string                  `json:"afterItemBatcher,omitempty"`
	AfterItemsPointer          string                  `json:"afterItemsPointer,omitempty"`
	ToleratedFailureCount      *int64                  `json:"toleratedFailureCount,omitempty"`
	ToleratedFailurePercentage *float64                `json:"toleratedFailurePercentage,omitempty"`
	MaxConcurrency             *int64                  `json:"maxConcurrency,omitempty"`
}

// InspectionDataRequest is the HTTP request of an HTTP Task (TRACE).
// Stepwise runs no HTTP Task itself, so it never fills one in.
type InspectionDataRequest struct {
	Protocol string `json:"protocol,omitempty"`
	Method   string `json:"method,omitempty"`
	URL      string `json:"url,omitempty"`
	Headers  string `json:"headers,omitempty"`
	Body     string `json:"body,omitempty"`
}

// InspectionDataResponse is the HTTP response of an HTTP Task (TRACE).
type InspectionDataResponse struct {
	Protocol      string `json:"protocol,omitempty"`
	StatusCode    string `json:"statusCode,omitempty"`
	StatusMessage string `json:"statusMessage,omitempty"`
	Headers       string `json:"headers,omitempty"`
	Body          string `json:"body,omitempty"`
}

// InspectionErrorDetails says which Retrier or Catcher handled the error.
type InspectionErrorDetails struct {
	CatchIndex                  *int   `json:"catchIndex,omitempty"`
	RetryIndex                  *int   `json:"retryIndex,omitempty"`
	RetryBackoffIntervalSeconds *int64 `json:"retryBackoffIntervalSeconds,omitempty"`
}

// Request limits of TestState (API reference).
const (
	maxTestPayload   = 262144
	maxStateNameLen  = 80
	testLevelInfo    = "INFO"
	testLevelDebug   = "DEBUG"
	testLevelTrace   = "TRACE"
	msgMapOrParallel = "TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]"
)

func (s *Service) testState(ctx context.Context, body []byte) (any, *Error) {
	var in TestStateInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	input := []byte("{}")
	if in.Input != nil {
		input = []byte(*in.Input)
		if !jsonpath.Valid(input) {
			return nil, invalidInput(*in.Input)
		}
	}
	if in.Variables != nil && !isJSONObject(*in.Variables) {
		return nil, errorf(CodeValidation, "Variables must be a valid JSON object.")
	}
	if in.Context != nil {
		if in.Mock == nil {
			return nil, errorf(CodeValidation, "The context field may only be specified if a mock is specified.")
		}
		if !isJSONObject(*in.Context) {
			return nil, errorf(CodeValidation, "Context must be a valid JSON object.")
		}
	}
	def, name, apiErr := testDefinition(*in.Definition, in.StateName)
	if apiErr != nil {
		return nil, apiErr
	}
	prog, apiErr := s.program(def)
	if apiErr != nil {
		return nil, apiErr
	}
	st := prog.Definition().States[name]
	if apiErr := in.checkMock(st); apiErr != nil {
		return nil, apiErr
	}
	return s.runTestState(ctx, &in, prog, name, input)
}

// check applies the API model's constraints to the request.
func (in *TestStateInput) check() *Error {
	var v violations
	v.required(in.Definition, "definition", 1, maxDefinitionLen)
	v.optional(in.RoleARN, "roleArn", 1, maxRoleARNLen)
	v.optional(in.Input, "input", 0, maxTestPayload)
	if in.InspectionLevel != nil {
		switch *in.InspectionLevel {
		case testLevelInfo, testLevelDebug, testLevelTrace:
		default:
			v.add(*in.InspectionLevel, "inspectionLevel", "Member must satisfy enum value set: [INFO, DEBUG, TRACE]")
		}
	}
	v.optional(in.Variables, "variables", 0, maxTestPayload)
	v.optional(in.StateName, "stateName", 1, maxStateNameLen)
	v.optional(in.Context, "context", 0, maxTestPayload)
	if m := in.Mock; m != nil {
		v.optional(m.Result, "mock.result", 0, maxTestPayload)
		if m.FieldValidationMode != nil {
			switch *m.FieldValidationMode {
			case "STRICT", "PRESENT", "NONE":
			default:
				v.add(*m.FieldValidationMode, "mock.fieldValidationMode", "Member must satisfy enum value set: [STRICT, PRESENT, NONE]")
			}
		}
	}
	if c := in.StateConfiguration; c != nil {
		for _, n := range []struct {
			p      *int64
			member string
		}{{c.RetrierRetryCount, "stateConfiguration.retrierRetryCount"}, {c.MapIterationFailureCount, "stateConfiguration.mapIterationFailureCount"}} {
			if n.p != nil && *n.p < 0 {
				v.add(strconv.FormatInt(*n.p, 10), n.member, "Member must have value greater than or equal to 0")
			}
		}
		v.optional(c.ErrorCausedByState, "stateConfiguration.errorCausedByState", 1, maxStateNameLen)
		v.optional(c.MapItemReaderData, "stateConfiguration.mapItemReaderData", 0, maxTestPayload)
	}
	if err := v.err(); err != nil {
		return err
	}
	if in.RoleARN != nil {
		return checkRoleARN(*in.RoleARN)
	}
	return nil
}

func isJSONObject(s string) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal([]byte(s), &m) == nil && m != nil
}

// testDefinition returns the state machine definition TestState runs and
// the name of the state to test. A single state is wrapped in a machine
// of its own, whose other states are Succeed states standing for the
// targets of its transitions: the run stops before entering them.
func testDefinition(definition string, stateName *string) (string, string, *Error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(definition), &obj); err != nil || obj == nil {
		if err := validateDefinition(definition, typeStandard); err != nil {
			return "", "", err
		}
		return "", "", errorf(CodeInvalidDefinition, "Invalid State Machine Definition: 'Definition must be a valid JSON object'")
	}
	_, hasStates := obj["States"]
	if stateName != nil || hasStates {
		if err := validateDefinition(definition, typeStandard); err != nil {
			return "", "", err
		}
		var sm struct {
			StartAt string                     `json:"StartAt"`
			States  map[string]json.RawMessage `json:"States"`
		}
		_ = json.Unmarshal([]byte(definition), &sm)
		name := sm.StartAt
		if stateName != nil {
			name = *stateName
		}
		if _, ok := sm.States[name]; !ok {
			return "", "", errorf(CodeValidation, "State '%s' is not defined in the state machine definition.", name)
		}
		return definition, name, nil
	}
	var tr struct {
		Next    string `json:"Next"`
		Default string `json:"Default"`
		Choices []struct {
			Next string `json:"Next"`
		} `json:"Choices"`
		Catch []struct {
			Next string `json:"Next"`
		} `json:"Catch"`
	}
	_ = json.Unmarshal([]byte(definition), &tr)
	targets := []string{tr.Next, tr.Default}
	for _, c := range tr.Choices {
		targets = append(targets, c.Next)
	}
	for _, c := range tr.Catch {
		targets = append(targets, c.Next)
	}
	var b strings.Builder
	b.WriteString(`{"StartAt":"` + testStateName + `","States":{"` + testStateName + `":`)
	b.WriteString(definition)
	seen := map[string]bool{testStateName: true}
	for _, t := range targets {
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		q, _ := json.Marshal(t)
		b.WriteString(",")
		b.Write(q)
		b.WriteString(`:{"Type":"Succeed"}`)
	}
	b.WriteString("}}")
	wrapped := b.String()
	if err := validateDefinition(wrapped, typeStandard); err != nil {
		return "", "", err
	}
	return wrapped, testStateName, nil
}

// checkMock applies TestState's rules on mocks to the tested state.
func (in *TestStateInput) checkMock(st *asl.State) *Error {
	m := in.Mock
	if m == nil {
		switch {
		case st.Type == asl.TypeMap || st.Type == asl.TypeParallel:
			return errorf(CodeInvalidDefinition, msgMapOrParallel)
		case st.Type == asl.TypeTask && needsMock(st.Resource):
			return errorf(CodeInvalidDefinition, "TestState API does not support Activity tasks or the .sync and .waitForTaskToken service integration patterns unless a mock is specified.")
		}
		return nil
	}
	switch st.Type {
	case asl.TypePass, asl.TypeFail, asl.TypeSucceed:
		return errorf(CodeValidation, "State type '%s' is not supported when a mock is specified", st.Type)
	}
	if in.RevealSecrets != nil && *in.RevealSecrets {
		return errorf(CodeValidation, "TestState does not support RevealSecrets when a mock is specified.")
	}
	if (m.Result == nil) == (m.ErrorOutput == nil) {
		return errorf(CodeValidation, "A test mock should have only one of the following fields: [result, errorOutput].")
	}
	if m.Result == nil {
		return nil
	}
	var v any
	if json.Unmarshal([]byte(*m.Result), &v) != nil {
		return errorf(CodeValidation, "Mocked result must be valid JSON")
	}
	arr, isArr := v.([]any)
	_, isObj := v.(map[string]any)
	switch st.Type {
	case asl.TypeMap:
		if st.ResultWriter != nil && !isObj {
			return errorf(CodeValidation, "Mocked result must be a JSON object.")
		}
		if st.ResultWriter == nil && !isArr {
			return errorf(CodeValidation, "Mocked result must be an array.")
		}
	case asl.TypeParallel:
		if !isArr {
			return errorf(CodeValidation, "Mocked result must be an array.")
		}
		if len(arr) != len(st.Branches) {
			return errorf(CodeValidation, "Mocked result must contain the same number of items as number of Parallel branches.")
		}
	}
	return nil
}

// needsMock reports whether TestState can run a Task resource only
// mocked: activities and the callback and .sync patterns, whose results
// nothing could deliver within the call.
func needsMock(resource string) bool {
	return strings.Contains(resource, ":activity:") || strings.HasSuffix(resource, ".sync") ||
		strings.HasSuffix(resource, ".sync:2") || strings.HasSuffix(resource, ".waitForTaskToken")
}

// runTestState runs the state and builds the response.
func (s *Service) runTestState(ctx context.Context, in *TestStateInput, prog *interp.Program, name string, input []byte) (any, *Error) {
	test := &interp.StateTest{StateName: name, Input: input}
	if in.Context != nil {
		test.Context = []byte(*in.Context)
	}
	if c := in.StateConfiguration; c != nil {
		if c.RetrierRetryCount != nil {
			test.RetrierRetryCount = *c.RetrierRetryCount
		}
		if c.MapIterationFailureCount != nil {
			test.MapIterationFailureCount = *c.MapIterationFailureCount
		}
	}
	tasks := s.tasks
	if m := in.Mock; m != nil {
		var res interp.TaskResult
		if m.ErrorOutput != nil {
			e := &states.Error{}
			if m.ErrorOutput.Error != nil {
				e.Name = *m.ErrorOutput.Error
			}
			if m.ErrorOutput.Cause != nil {
				e.Cause = *m.ErrorOutput.Cause
			}
			res.Err = e
		} else {
			res.Output = []byte(*m.Result)
		}
		test.Mock = &res
		tasks = interp.TaskRunnerFunc(func(context.Context, *interp.TaskRequest) interp.TaskResult { return res })
	}
	start := s.clock.Now()
	env := &interp.Env{Clock: interp.NewVirtualClock(start), IDs: s.ids, Tasks: tasks}
	machine, execName := s.ids.UUID(), s.ids.UUID()
	role := ""
	if in.RoleARN != nil {
		role = *in.RoleARN
	}
	ex := interp.Execution{
		ExecutionARN:     s.executionARN(typeExpress, machine, execName, s.ids.UUID()),
		StateMachineARN:  "arn:aws:states:" + s.region + ":" + s.account + ":stateMachine:" + machine,
		StateMachineName: machine, Name: execName, RoleARN: role, Type: typeExpress,
		StartTime: start, Region: s.region, AccountID: s.account,
	}
	res := prog.TestState(ctx, env, ex, test)
	out := &TestStateOutput{Status: res.Status, NextState: res.NextState}
	if res.Output != nil && (res.Status == interp.TestSucceeded || res.Status == interp.TestCaughtError) {
		o := string(res.Output)
		out.Output = &o
	}
	if res.Error != nil {
		out.Error, out.Cause = res.Error.Name, res.Error.Cause
	}
	if in.InspectionLevel != nil && *in.InspectionLevel != testLevelInfo {
		out.InspectionData = inspectionData(prog.Definition().States[name], &res)
	}
	return out, nil
}

// inspectionData reports the data flow the way AWS's TestState does: a
// Pass without Result shows its effective input as afterParameters and
// afterResultSelector, one with Result skips the input stages; the
// stages without a field of their own repeat the stage before.
func inspectionData(st *asl.State, res *interp.StateTestResult) *InspectionData {
	f := &res.Flow
	d := &InspectionData{Input: string(f.Input)}
	set := func(dst *string, v []byte) {
		if v != nil {
			*dst = string(v)
		}
	}
	set(&d.AfterInputPath, f.AfterInputPath)
	set(&d.AfterParameters, f.AfterParameters)
	set(&d.Result, f.Result)
	set(&d.AfterResultSelector, f.AfterResultSelector)
	set(&d.AfterResultPath, f.AfterResultPath)
	switch st.Type {
	case asl.TypePass:
		if st.Result != nil {
			d.AfterInputPath, d.AfterParameters = "", ""
			if d.Result != "" {
				d.AfterResultSelector = d.Result
			}
		} else {
			d.Result = ""
			if d.AfterParameters == "" {
				d.AfterParameters = d.AfterInputPath
			}
			if d.AfterResultPath != "" {
				d.AfterResultSelector = d.AfterParameters
			}
		}
	case asl.TypeFail:
		d.AfterInputPath = d.Input
	case asl.TypeTask, asl.TypeParallel:
		if d.AfterParameters == "" && d.AfterInputPath != "" && st.Type == asl.TypeTask {
			d.AfterParameters = d.AfterInputPath
		}
		if d.AfterResultSelector == "" && d.Result != "" {
			d.AfterResultSelector = d.Result
		}
	case asl.TypeMap:
		if d.AfterResultSelector == "" && d.Result != "" {
			d.AfterResultSelector = d.Result
		}
	}
	if mi := res.Map; mi != nil {
		set(&d.AfterItemsPath, mi.AfterItemsPath)
		set(&d.AfterItemSelector, mi.AfterItemSelector)
		mc := mi.MaxConcurrency
		d.MaxConcurrency = &mc
		d.ToleratedFailureCount = mi.ToleratedFailureCount
		d.ToleratedFailurePercentage = mi.ToleratedFailurePercentage
	}
	switch {
	case res.CatchIndex >= 0:
		i := res.CatchIndex
		d.ErrorDetails = &InspectionErrorDetails{CatchIndex: &i}
	case res.RetryIndex >= 0 && res.Status == interp.TestRetriable:
		i := res.RetryIndex
		secs := int64(res.RetryBackoff.Seconds())
		d.ErrorDetails = &InspectionErrorDetails{RetryIndex: &i, RetryBackoffIntervalSeconds: &secs}
	}
	return d
}
